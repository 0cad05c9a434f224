/**
 * The normalisation specification (text.ts, url.ts) as DuckDB SQL, so that posts loaded in bulk are
 * normalised inside the database, without a round trip through a staging file. The macros are built
 * from the same constants as the TypeScript reference, and `test/ingest/normalize.test.ts` holds the
 * two equal on corpora of tricky strings.
 *
 * Two steps stay in TypeScript, as scalar functions (UDFs) that DuckDB calls: the folding of
 * non-ASCII text (`fold`: NFKC, mark stripping and letter folding, which DuckDB lacks or runs 5x
 * slower with strip_accents), and URL canonicalisation (as SQL macros its nested rules ran 50x
 * slower). Plain ASCII text, the common case, never leaves SQL. A UDF costs about 1.5 microseconds a
 * value in the Node bindings and runs on the JavaScript thread.
 *
 * Every connection that loads posts calls `registerNormalizers` first (macros are TEMP: they always
 * match the running code, never a stored older definition).
 */
import { type DuckDBConnection, DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api';
import { fold, WHITESPACE_CHARS } from './text.js';
import { canonicalUrl, SHORTENERS } from './url.js';

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const sqlList = (items: Iterable<string>) => `[${[...items].map(sqlString).join(', ')}]`;
const re2 = (c: number) => `\\x{${c.toString(16)}}`;
const re2Class = (chars: string) => [...chars].map((c) => re2(c.codePointAt(0)!)).join('');

function macros(): string {
  const ws = `[${re2Class(WHITESPACE_CHARS)}]{2,}|[${re2Class(WHITESPACE_CHARS.replace(' ', ''))}]`;
  // ASCII text needs the whitespace pattern only when it holds a run of spaces or a control space.
  const asciiWs = `contains(t, '  ') OR contains(t, chr(9)) OR contains(t, chr(10)) OR contains(t, chr(11)) OR contains(t, chr(12)) OR contains(t, chr(13))`;
  // Each macro uses its argument once where the argument is costly: DuckDB inlines macro arguments and
  // does not share repeated subexpressions inside CASE branches or lambdas.
  return `
CREATE OR REPLACE TEMP MACRO lk_norm_text(t) AS
  nullif(trim(CASE
    WHEN strlen(t) <> length(t) THEN regexp_replace(lk_fold(t), ${sqlString(ws)}, ' ', 'g')
    WHEN ${asciiWs} THEN regexp_replace(lower(t), ${sqlString(ws)}, ' ', 'g')
    ELSE lower(t) END), '');
CREATE OR REPLACE TEMP MACRO lk_tag_body(x) AS
  CASE WHEN strlen(x) = length(x) THEN lower(x) ELSE lk_fold(x) END;
CREATE OR REPLACE TEMP MACRO lk_norm_tag(t) AS
  regexp_replace(lk_tag_body(ltrim(t, '#@＃＠')), '[\\x00-\\x20\\x{1680}\\x{2028}\\x{2029}]+', '', 'g');
CREATE OR REPLACE TEMP MACRO lk_split(s) AS
  CASE WHEN s IS NULL OR s = '' THEN []::VARCHAR[] ELSE string_split(s, chr(31)) END;
CREATE OR REPLACE TEMP MACRO lk_tags(items) AS
  list_sort(list_distinct(list_filter(list_transform(items, x -> lk_norm_tag(x)), x -> x <> '')));
CREATE OR REPLACE TEMP MACRO lk_ids(items) AS
  list_sort(list_distinct(list_filter(list_transform(items, x -> trim(x)), x -> x <> '')));

CREATE OR REPLACE TEMP MACRO lk_urls(items) AS
  CASE WHEN len(items) = 0 THEN []::VARCHAR[]
    ELSE list_sort(list_distinct(list_filter(list_transform(items, x -> lk_canon_url(x)), x -> x IS NOT NULL))) END;
CREATE OR REPLACE TEMP MACRO lk_url_domain(u) AS
  CASE WHEN starts_with(u, 'https://') THEN nullif(regexp_replace(regexp_extract(u, '^https://([^/?#]*)', 1), ':[0-9]+$', ''), '') END;
CREATE OR REPLACE TEMP MACRO lk_domains(urls, given) AS
  list_sort(list_distinct(list_filter(list_concat(given, list_transform(urls, u -> lk_url_domain(u))), x -> x IS NOT NULL AND x <> '')));
CREATE OR REPLACE TEMP MACRO lk_short_urls(urls) AS
  list_filter(urls, u -> list_contains(${sqlList(SHORTENERS)}, lk_url_domain(u)));
`;
}

let macroText: string | null = null;
const registered = new WeakSet<DuckDBConnection>();

/** Registers the UDFs and the macros on a connection (once per connection). */
export async function registerNormalizers(connection: DuckDBConnection): Promise<void> {
  if (registered.has(connection)) return;
  registered.add(connection);
  const udf = (name: string, fn: (s: string) => string | null) =>
    connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name,
        returnType: VARCHAR,
        parameterTypes: [VARCHAR],
        mainFunction: (_info, input, output) => {
          const values = input.getColumnVector(0);
          for (let i = 0; i < input.rowCount; i++) {
            const v = values.getItem(i) as string | null;
            output.setItem(i, v === null ? null : fn(v));
          }
          output.flush();
        },
      }),
    );
  udf('lk_fold', fold);
  udf('lk_canon_url', (s) => canonicalUrl(s)?.url ?? null);
  macroText ??= macros();
  await connection.run(macroText);
}
