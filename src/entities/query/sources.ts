/**
 * Where facts come from, and which entity a name or id means: the helpers every influence query
 * shares. A fact's `Source` is the record it was read from (dataset, file, row, cited URL, record
 * date), so every line a view shows can be traced back and opened.
 */
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { matchEntities } from '../resolve/match.js';

export interface Source {
  dataset: string;
  file: string;
  row: number | null;
  url: string | null;
  date: string | null;
  ingestId: number;
}

export interface EntityRef {
  id: string;
  caption: string;
  schema: string;
}

export const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const inList = (ids: readonly string[]) => (ids.length ? ids.map(q).join(', ') : "''");

/** The source ids merged into `id` (itself when it was not merged). */
export async function membersOf(store: Store, id: string): Promise<string[]> {
  const rows = await store.all<{ entity_id: string }>(
    `SELECT entity_id FROM entity_canonical WHERE canonical_id = (SELECT coalesce(max(canonical_id), ?) FROM entity_canonical WHERE entity_id = ? OR canonical_id = ?)`,
    [id, id, id],
  );
  return rows.length ? rows.map((r) => r.entity_id).sort() : [id];
}

/** Canonical ids of source ids (ids not merged map to themselves). */
export async function canonicalIds(store: Store, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map(ids.map((i) => [i, i]));
  if (!ids.length) return out;
  for (const r of await store.all<{ entity_id: string; canonical_id: string }>(
    `SELECT entity_id, canonical_id FROM entity_canonical WHERE entity_id IN (${inList(ids)})`,
  ))
    out.set(r.entity_id, r.canonical_id);
  return out;
}

/**
 * Caption and schema of canonical entities, from their members' derived rows (the shortest caption).
 * Members are found first, so that the lookup in `entities` is a plain `entity_id IN (...)` filter
 * DuckDB can push into its scan.
 */
export async function refs(store: Store, ids: readonly string[]): Promise<Map<string, EntityRef>> {
  const out = new Map<string, EntityRef>();
  if (!ids.length) return out;
  const canonicalOf = new Map(ids.map((i) => [i, i]));
  for (const r of await store.all<{ entity_id: string; canonical_id: string }>(
    `SELECT entity_id, canonical_id FROM entity_canonical WHERE canonical_id IN (${inList(ids)})`,
  ))
    canonicalOf.set(r.entity_id, r.canonical_id);
  const rows = await store.all<{ entity_id: string; caption: string | null; schema: string }>(
    `SELECT entity_id, caption, schema FROM entities WHERE entity_id IN (${inList([...canonicalOf.keys()])})
     ORDER BY length(coalesce(caption, '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~')), entity_id`,
  );
  for (const r of rows) {
    const cid = canonicalOf.get(r.entity_id)!;
    // A merged id that is also a record of its own is read as its canonical entity's member.
    if (!out.has(cid)) out.set(cid, { id: cid, caption: r.caption ?? r.schema, schema: r.schema });
  }
  return out;
}

/** The columns of a statement that say where it came from (with `ingests.file_name`). */
export interface SourceRow {
  dataset: string;
  file_name: string;
  source_row: number | null;
  source_url: string | null;
  record_date: string | null;
  ingest_id: number;
}

/** A statement's source columns as a `Source`. */
export const toSource = (r: SourceRow): Source => ({
  dataset: r.dataset,
  file: r.file_name,
  row: r.source_row,
  url: r.source_url,
  date: r.record_date,
  ingestId: r.ingest_id,
});

/** The sources of entities' base statements (each record that states the entity), by entity id. */
export async function sourcesOf(store: Store, ids: readonly string[]): Promise<Map<string, Source[]>> {
  const out = new Map<string, Source[]>();
  if (!ids.length) return out;
  const rows = await store.all<SourceRow & { entity_id: string }>(
    `SELECT s.entity_id, s.dataset, i.file_name, s.source_row, s.source_url, s.record_date, s.ingest_id
     FROM statements s JOIN ingests i USING (ingest_id)
     WHERE s.prop = 'id' AND s.entity_id IN (${inList(ids)}) ORDER BY s.ingest_id, s.source_row`,
  );
  for (const r of rows) {
    const list = out.get(r.entity_id) ?? [];
    out.set(r.entity_id, list);
    list.push(toSource(r));
  }
  return out;
}

/** The raw text of source records, keyed `ingestId:row`. */
export async function rawRecords(store: Store, sources: readonly Source[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const keys = [...new Set(sources.filter((s) => s.row !== null).map((s) => `(${s.ingestId}, ${s.row})`))];
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await store.all<{ ingest_id: number; source_row: number; raw: string }>(
      `SELECT r.ingest_id, r.source_row, r.raw FROM entity_records r JOIN (VALUES ${keys.slice(i, i + 500).join(', ')}) v(i, s)
       ON r.ingest_id = v.i AND r.source_row = v.s`,
    );
    for (const r of rows) out.set(`${r.ingest_id}:${r.source_row}`, r.raw);
  }
  return out;
}

/**
 * The canonical id a user means: an entity id or canonical id as given, else the best name match
 * (matching needs the index resolve writes; without it, the shortest caption containing the text).
 * An unknown name is a one-line UsageError.
 */
export async function findEntity(store: Store, text: string): Promise<string> {
  const exact = await store.value<string>(
    `SELECT coalesce(c.canonical_id, e.entity_id) FROM entities e LEFT JOIN entity_canonical c USING (entity_id)
     WHERE e.entity_id = ? OR c.canonical_id = ? LIMIT 1`,
    [text, text],
  );
  if (exact) return exact;
  {
    const r = await matchEntities(
      store,
      { q: { schema: 'LegalEntity', properties: { name: [text] } } },
      { limit: 1, cutoff: 0.6 },
    );
    const best = r.q?.results[0];
    if (best) return best.id;
  }
  const like = await store.value<string>(
    `SELECT coalesce(c.canonical_id, e.entity_id) FROM entities e LEFT JOIN entity_canonical c USING (entity_id)
     WHERE e.caption ILIKE ? ORDER BY length(e.caption), e.entity_id LIMIT 1`,
    [`%${text}%`],
  );
  if (like) return like;
  throw new UsageError(
    `no entity named "${text}" in this store; check the spelling, or import the records that name it`,
  );
}
