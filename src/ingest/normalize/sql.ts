/**
 * The normalisation specification (text.ts, url.ts, formats/fields.ts) as DuckDB SQL macros, for the
 * bulk path (ingest/native.ts), where rows are read and normalised inside the database in parallel,
 * never crossing into JavaScript one by one (the Node bindings cost microseconds a value crossed).
 *
 * Two steps stay in TypeScript: NFKC, which DuckDB lacks (the rare texts with compatibility
 * characters are folded after the insert, see native.ts), and URL canonicalisation (a scalar
 * function called for each URL; as SQL its nested rules ran three to fifty times slower).
 * `test/ingest/normalize.test.ts` holds SQL and TypeScript equal on corpora of tricky strings.
 *
 * Every connection that loads posts calls `registerNormalizers` first (macros are TEMP: they always
 * match the running code, never a stored older definition).
 */
import { type DuckDBConnection, DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api';
import { languageNames, UNDETERMINED } from './lang.js';
import { FOLD_PAIRS, INVISIBLE_CHARS, WHITESPACE_CHARS } from './text.js';
import { canonicalUrl, SHORTENERS } from './url.js';

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const sqlList = (items: Iterable<string>) => `[${[...items].map(sqlString).join(', ')}]`;
const sqlTuple = (items: Iterable<string>) => `(${[...items].map(sqlString).join(', ')})`;
const languageMap = () =>
  `MAP {${[...languageNames()].map(([name, code]) => `${sqlString(name)}: ${sqlString(code)}`).join(', ')}}`;
const re2 = (c: number) => `\\x{${c.toString(16)}}`;
const re2Class = (chars: string) => [...chars].map((c) => re2(c.codePointAt(0)!)).join('');

/**
 * Code point ranges whose NFKC form differs from themselves (from the platform's Unicode tables):
 * only text holding one of them needs the NFKC function.
 */
function compatRanges(): [number, number][] {
  const ranges: [number, number][] = [];
  let start = -1;
  let prev = -1;
  for (let c = 0xa0; c <= 0x1ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    if (s.normalize('NFKC') !== s) {
      if (start < 0 || c !== prev + 1) {
        if (start >= 0) ranges.push([start, prev]);
        start = c;
      }
      prev = c;
    }
  }
  if (start >= 0) ranges.push([start, prev]);
  return ranges;
}

function macros(): string {
  const ws = `[${re2Class(WHITESPACE_CHARS)}]{2,}|[${re2Class(WHITESPACE_CHARS.replace(' ', ''))}]`;
  // ASCII text needs the whitespace pattern only when it holds a run of spaces or a control space.
  const asciiWs = `contains(t, '  ') OR contains(t, chr(9)) OR contains(t, chr(10)) OR contains(t, chr(11)) OR contains(t, chr(12)) OR contains(t, chr(13))`;
  const compat = `[${compatRanges()
    .map(([a, b]) => (a === b ? re2(a) : `${re2(a)}-${re2(b)}`))
    .join('')}]`;
  const foldFrom = FOLD_PAIRS.map(([f]) => f).join('') + INVISIBLE_CHARS;
  const foldTo = FOLD_PAIRS.map(([, t]) => t).join('');
  // Macros use a costly argument once: DuckDB inlines macro arguments and does not share repeated
  // subexpressions inside CASE branches or lambdas.
  return `
-- Raised where the bulk path would read a value differently from the general path: the ingest
-- rolls back and reruns row by row (native.ts). The value is part of the call so that DuckDB cannot
-- fold the error into a constant and raise it while planning.
${"CREATE OR REPLACE TEMP MACRO lk_fallback(why, value) AS error('lockstep-fallback: ' || why || left(coalesce(value::VARCHAR, ''), 0));"}
-- Texts holding compatibility characters (full-width letters, presentation forms, NBSP) need NFKC,
-- which DuckDB lacks: the bulk path leaves their text_norm empty here and fills it afterwards from
-- TypeScript (native.ts). They are rare; a scalar function in this expression would slow every row.
CREATE OR REPLACE TEMP MACRO lk_has_compat(t) AS regexp_matches(t, ${sqlString(compat)});
-- text.ts steps 2-4 and lower case (strip_accents is NFD, mark stripping and NFC; translate folds
-- letters and digits and deletes invisible characters).
CREATE OR REPLACE TEMP MACRO lk_fold(t) AS
  lower(translate(strip_accents(t), ${sqlString(foldFrom)}, ${sqlString(foldTo)}));
-- text.ts normalizeText, except for texts with compatibility characters (NULL, see above).
CREATE OR REPLACE TEMP MACRO lk_norm_text(t) AS
  nullif(trim(CASE
    WHEN strlen(t) = length(t) THEN CASE WHEN ${asciiWs} THEN regexp_replace(lower(t), ${sqlString(ws)}, ' ', 'g') ELSE lower(t) END
    WHEN lk_has_compat(t) THEN NULL
    ELSE regexp_replace(lk_fold(t), ${sqlString(ws)}, ' ', 'g') END), '');
-- text.ts normalizeTag. A list with a tag holding compatibility characters sends the file down the
-- general path (the error is raised outside the lambda: DuckDB evaluates a lambda's CASE branches
-- for every item).
CREATE OR REPLACE TEMP MACRO lk_tag_clean(y) AS
  CASE WHEN regexp_matches(y, '[\\x00-\\x20\\x{1680}\\x{2028}\\x{2029}]') THEN regexp_replace(y, '[\\x00-\\x20\\x{1680}\\x{2028}\\x{2029}]+', '', 'g') ELSE y END;
CREATE OR REPLACE TEMP MACRO lk_tag_body(x) AS
  lk_tag_clean(CASE WHEN strlen(x) = length(x) THEN lower(x) ELSE lk_fold(x) END);
CREATE OR REPLACE TEMP MACRO lk_norm_tag(t) AS lk_tag_body(ltrim(t, '#@＃＠'));
CREATE OR REPLACE TEMP MACRO lk_tags(items) AS
  CASE WHEN len(items) = 0 THEN []::VARCHAR[]
    WHEN list_bool_or(list_transform(items, x -> strlen(x) <> length(x) AND lk_has_compat(ltrim(x, '#@＃＠'))))
      THEN lk_fallback('a tag with compatibility characters', items)
    ELSE list_sort(list_distinct(list_filter(list_transform(items, x -> lk_norm_tag(x)), x -> x <> ''))) END;
-- url.ts canonicalUrl (a TypeScript function), over a list.
CREATE OR REPLACE TEMP MACRO lk_urls(items) AS
  CASE len(items) WHEN 0 THEN []::VARCHAR[]
    ELSE list_sort(list_distinct(list_filter(list_transform(items, x -> lk_canon_url(x)), x -> x IS NOT NULL))) END;
CREATE OR REPLACE TEMP MACRO lk_split(s) AS
  CASE WHEN s IS NULL OR s = '' THEN []::VARCHAR[] ELSE string_split(s, chr(31)) END;
-- A staged list (items joined by U+001F), sorted, without repeats or empty items.
CREATE OR REPLACE TEMP MACRO lk_list(s) AS
  CASE WHEN s IS NULL OR s = '' THEN []::VARCHAR[] ELSE list_sort(list_distinct(list_filter(string_split(s, chr(31)), x -> x <> ''))) END;
-- url.ts: the domain of a canonical URL, and the shorteners among a post's URLs.
CREATE OR REPLACE TEMP MACRO lk_url_domain(u) AS
  CASE WHEN starts_with(u, 'https://') THEN nullif(regexp_replace(regexp_extract(u, '^https://([^/?#]*)', 1), ':[0-9]+$', ''), '') END;
CREATE OR REPLACE TEMP MACRO lk_domains(urls, given) AS
  list_sort(list_distinct(list_filter(list_concat(given, list_transform(urls, u -> lk_url_domain(u))), x -> x IS NOT NULL AND x <> '')));
CREATE OR REPLACE TEMP MACRO lk_short_urls(urls) AS
  list_filter(urls, u -> list_contains(${sqlList(SHORTENERS)}, lk_url_domain(u)));

-- Field readers of formats/fields.ts, for exports that DuckDB reads itself (ingest/native.ts).
-- Where a value is outside what they read exactly like the TypeScript path, they raise an error so
-- the ingest falls back to that path.
CREATE OR REPLACE TEMP MACRO lk_id(x) AS
  CASE WHEN x IS NULL OR x = '' THEN NULL
    WHEN ascii(x) <= 32 OR ascii(right(x, 1)) <= 32 THEN lk_fallback('id with surrounding space', x)
    WHEN x = '0' OR lower(x) IN ('absent', 'none', 'nan', 'null', 'na') THEN NULL
    WHEN ends_with(x, '.0') AND regexp_full_match(x, '[0-9]+[.]0') THEN x[:-3]
    ELSE x END;
CREATE OR REPLACE TEMP MACRO lk_text(x) AS CASE WHEN x = '' OR x = 'absent' THEN NULL ELSE x END;
CREATE OR REPLACE TEMP MACRO lk_bool(x) AS coalesce(lower(trim(x)) IN ('true', '1', 'yes', 't'), false);
CREATE OR REPLACE TEMP MACRO lk_count(x) AS
  CASE WHEN x IS NULL OR trim(x) = '' THEN NULL ELSE round(TRY_CAST(trim(x) AS DOUBLE))::BIGINT END;
-- Python list literals in the simple forms exports write (['a', 'b'] or [1, 2]), items without
-- quotes, backslashes or ', ' inside; anything else falls back to formats/fields.ts parsePyList.
CREATE OR REPLACE TEMP MACRO lk_pylist_items(x, items) AS
  CASE WHEN contains(x, '\\') OR contains(x, '"') OR contains(x, 'None') THEN lk_fallback('list not in the simple form', x)
    WHEN NOT contains(x, '''') THEN list_filter(list_transform(items, e -> trim(e)), e -> e <> '')
    WHEN length(x) - length(replace(x, '''', '')) <> 2 * len(items) OR NOT list_bool_and(list_transform(items, e -> starts_with(e, '''') AND ends_with(e, '''')))
      THEN lk_fallback('list not in the simple form', x)
    ELSE list_transform(items, e -> e[2:-2]) END;
CREATE OR REPLACE TEMP MACRO lk_pylist(x) AS
  CASE WHEN x IS NULL OR x = '[]' OR x = '' OR lower(x) IN ('absent', 'nan') THEN []::VARCHAR[]
    WHEN NOT (starts_with(x, '[') AND ends_with(x, ']')) THEN lk_fallback('list not in the simple form', x)
    ELSE lk_pylist_items(x, string_split(x[2:-2], ', ')) END;
CREATE OR REPLACE TEMP MACRO lk_time_in_range(t) AS
  CASE WHEN t < TIMESTAMP '2000-01-01' OR t >= TIMESTAMP '2100-01-01' THEN lk_fallback('time before 2000 or after 2099', t) ELSE t END;
CREATE OR REPLACE TEMP MACRO lk_io_time(x) AS lk_time_in_range(strptime(x, ['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S']));
CREATE OR REPLACE TEMP MACRO lk_lang(x) AS
  CASE WHEN x IS NULL OR trim(x) = '' OR lower(trim(x)) IN ${sqlTuple(UNDETERMINED)} THEN NULL
    WHEN regexp_full_match(lower(trim(x)), '[a-z]{2,3}([-_][a-z0-9]+)*') THEN regexp_extract(lower(trim(x)), '^([a-z]{2,3})', 1)
    ELSE coalesce(${languageMap()}[lower(trim(x))],
      ${languageMap()}[regexp_extract(lower(trim(x)), '^(.*?)\\s*\\(([^)]*)\\)$', 1)],
      ${languageMap()}[regexp_extract(lower(trim(x)), '^(.*?)\\s*\\(([^)]*)\\)$', 2)]) END;
`;
}

let macroText: string | null = null;
const registered = new WeakSet<DuckDBConnection>();

/** Registers the URL function and the macros on a connection (once per connection). */
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
  udf('lk_canon_url', (s) => canonicalUrl(s)?.url ?? null);
  macroText ??= macros();
  await connection.run(macroText);
}
