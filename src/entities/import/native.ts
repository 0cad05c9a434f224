/**
 * The bulk path for FtM entity streams: DuckDB reads the JSON Lines itself (its parallel CSV reader
 * cuts the lines, its JSON functions split entities into statements), so a million entities never
 * cross into JavaScript one value at a time. As for posts (ingest/native.ts), it is a fast path,
 * not a second semantics: it accepts only files that the general path would store exactly the same
 * way, already clean by FtM's rules, and anything else (a blank or unparsable line, a nested
 * entity, an unknown schema or property, a value the general path would clean or refuse) raises an
 * error inside the transaction, after which the general path reads the file and keeps every oddity
 * as a reject or a counted warning. A differential test stores the same file both ways.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Store } from '../../store/store.js';
import { FTM_MODEL } from '../model.js';

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Every (schema, property, type, longest value) of the model's concrete schemata. */
const MODEL_VALUES = (() => {
  const rows: string[] = [];
  for (const s of FTM_MODEL.getSchemata()) {
    if (s.abstract) continue;
    for (const p of s.getProperties().values())
      rows.push(`(${q(s.name)}, ${q(p.name)}, ${q(p.type.name)}, ${p.type.maxLength || 65000})`);
  }
  return rows.join(', ');
})();
const COUNTRY_CODES = [...(FTM_MODEL.types.country?.values.keys() ?? [])].map(q).join(', ');

/** sha256 of the bytes on disk and the number of lines of the (decompressed) text. */
export async function scanLines(
  path: string,
  gzip: boolean,
): Promise<{ sha256: string; lines: number; blank: boolean }> {
  const hash = createHash('sha256');
  let lines = 0;
  let last = 10;
  let blank = false;
  const file = createReadStream(path, { highWaterMark: 4 << 20 });
  file.on('data', (b) => hash.update(b as Buffer));
  const text = gzip ? file.pipe(createGunzip()) : file;
  for await (const chunk of text as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === 10) {
        if (last === 10 || last === 13) blank = true;
        lines++;
      }
      last = c;
    }
  }
  if (last !== 10) lines++;
  return { sha256: hash.digest('hex'), lines, blank };
}

class Fallback extends Error {}

/** White space squeezed as the general path squeezes it (model.ts), for ASCII white space. */
const SQUEEZED = `trim(regexp_replace(v.value, '[ \\t\\n\\r]+', ' ', 'g'))`;
/** White space JavaScript's \\s knows and RE2's does not: such values take the general path. */
const UNICODE_SPACE = `regexp_matches(v.value, '[\\x{00A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]')`;

/**
 * Loads an FtM stream's statements, records and referents for ingest `ingestId` in bulk; returns the
 * number of records read. Throws when the file needs the general path (the caller rolls back).
 */
export async function loadFtmNative(
  store: Store,
  path: string,
  gzip: boolean,
  ingestId: number,
  dataset: string,
): Promise<{ records: number; sha256: string }> {
  const scan = await scanLines(path, gzip);
  if (scan.blank) throw new Fallback('blank lines');
  const reader = `read_csv(${q(path)}, columns = {'line': 'VARCHAR'}, header = false, delim = '\x01', quote = '', escape = '',
    auto_detect = false, max_line_size = ${16 << 20}, buffer_size = ${32 << 20}, compression = '${gzip ? 'gzip' : 'none'}')`;
  await store.run(`SET preserve_insertion_order = true`);
  try {
    await store.run(
      `CREATE OR REPLACE TEMP TABLE ftm_lines AS SELECT row_number() OVER () AS source_row, line FROM ${reader}`,
    );
  } finally {
    // After a failure the transaction is aborted and refuses the SET; the caller resets it after ROLLBACK.
    await store.run(`SET preserve_insertion_order = false`).catch(() => {});
  }
  const records = Number(await store.value(`SELECT count(*) FROM ftm_lines`));
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ftm_model AS SELECT * FROM (VALUES ${MODEL_VALUES}) m(schema, prop, type, len)`,
  );
  if (records !== scan.lines) throw new Fallback(`read ${records} lines, the file has ${scan.lines}`);
  await store.run(`CREATE OR REPLACE TEMP TABLE ftm_ents AS
    SELECT source_row, line, try(json_extract_string(line, '$.id')) AS id, try(json_extract_string(line, '$.schema')) AS schema,
      try(json_extract(line, '$.properties')) AS props, try(json_extract(line, '$.referents')) AS refs
    FROM ftm_lines`);
  // Whole-file checks: every line an entity with an id, a concrete schema, properties of strings.
  const bad = await store.value<number>(`SELECT count(*) FROM ftm_ents e
    WHERE e.id IS NULL OR trim(e.id) = '' OR e.id <> trim(e.id) OR NOT EXISTS (SELECT 1 FROM ftm_model m WHERE m.schema = e.schema)
      OR (e.props IS NOT NULL AND json_type(e.props) <> 'OBJECT')
      OR (e.props IS NOT NULL AND try_cast(e.props AS MAP(VARCHAR, VARCHAR[])) IS NULL)
      OR (e.refs IS NOT NULL AND json_type(e.refs) <> 'ARRAY')`);
  if (Number(bad)) throw new Fallback(`${bad} lines need the general path`);
  await store.run(`CREATE OR REPLACE TEMP TABLE ftm_vals AS
    SELECT DISTINCT source_row, id, schema, kv.key AS prop, unnest(kv.value) AS value
    FROM (SELECT source_row, id, schema, unnest(map_entries(CAST(props AS MAP(VARCHAR, VARCHAR[])))) AS kv FROM ftm_ents WHERE props IS NOT NULL)`);
  // Values the general path would clean, refuse or warn about.
  const unclean =
    await store.value<number>(`SELECT count(*) FROM ftm_vals v LEFT JOIN ftm_model m ON m.schema = v.schema AND m.prop = v.prop
    WHERE v.value IS NOT NULL AND v.value <> '' AND (m.type IS NULL
      OR regexp_matches(v.value, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]')
      OR (m.type = 'entity' AND v.value <> trim(v.value))
      OR (m.type IN ('text', 'html') AND v.value <> trim(v.value))
      OR (m.type NOT IN ('entity', 'text', 'html', 'date', 'country', 'number') AND (${UNICODE_SPACE} OR length(${SQUEEZED}) > m.len))
      OR (m.type = 'date' AND NOT (regexp_matches(v.value, '^[12][0-9]{3}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?)?)?)?$')
            AND (length(v.value) < 10 OR try_cast(left(v.value, 10) AS DATE) IS NOT NULL)
            AND (length(v.value) < 7 OR substr(v.value, 6, 2) BETWEEN '01' AND '12')))
      OR (m.type = 'country' AND v.value NOT IN (${COUNTRY_CODES}))
      OR (m.type = 'number' AND NOT regexp_matches(v.value, '^-?[0-9]+(\\.[0-9]+)?$')))`);
  if (Number(unclean)) throw new Fallback(`${unclean} values need cleaning`);
  await store.run(`INSERT INTO statements
    SELECT id, schema, 'id', 'id', id, NULL, ${q(dataset)}, ${ingestId}, source_row, NULL, NULL FROM ftm_ents
    UNION ALL
    SELECT id, schema, prop, type, clean, CASE WHEN clean <> raw THEN raw END, ${q(dataset)}, ${ingestId}, source_row, NULL, NULL
    FROM (
      SELECT v.source_row, v.id, v.prop, any_value(v.schema) AS schema, any_value(m.type) AS type, min(v.value) AS raw,
        CASE WHEN m.type IN ('entity', 'text', 'html', 'date', 'country', 'number') THEN trim(v.value) ELSE ${SQUEEZED} END AS clean
      FROM ftm_vals v JOIN ftm_model m ON m.schema = v.schema AND m.prop = v.prop
      WHERE v.value IS NOT NULL AND trim(v.value) <> ''
      GROUP BY v.source_row, v.id, v.prop, clean)
    WHERE clean <> ''`);
  await store.run(`INSERT INTO entity_judgements
    SELECT DISTINCT id, r, 'same', 'referents:${ingestId}', NULL, now()::TIMESTAMP
    FROM (SELECT id, unnest(CAST(refs AS VARCHAR[])) AS r FROM ftm_ents WHERE refs IS NOT NULL) WHERE r <> id`);
  for (const t of ['ftm_lines', 'ftm_ents', 'ftm_vals', 'ftm_model'])
    await store.run(`DROP TABLE IF EXISTS ${t}`);
  return { records, sha256: scan.sha256 };
}
