/**
 * Documents (statements, articles) <-> their speaker and outlet.
 *
 * The `documents` table belongs to the echo stage (issue 6, merged into main while this layer was
 * built): `doc_id`, `title`, `text`, `author` (author or speaker), `outlet`, `url`, `published_at`.
 * This module reads it when it exists with the columns named in `DOCUMENT_COLUMNS` (one place to
 * change if the echo schema moves), so the influence layer also runs on stores without it. Documents
 * imported as FollowTheMoney entities (schemata descending from `Document`, e.g. `Article`, with
 * `author`/`publisher`/`publishedAt`) are read too: the simulator writes its statements that way.
 *
 * Links are written to `entity_links` with kind `speaker` or `outlet`; a document of the table is the
 * node `document:doc:<doc_id>`, an FtM document is an entity.
 */
import type { Store } from '../../store/store.js';
import { inList } from '../query/sources.js';
import { matchEntities } from '../resolve/match.js';

/** The echo stage's document columns this layer reads (see the header). */
export const DOCUMENT_COLUMNS = {
  table: 'documents',
  id: 'doc_id',
  speaker: 'author',
  outlet: 'outlet',
  title: 'title',
  date: 'published_at',
  url: 'url',
  text: 'text',
};

export interface DocumentRef {
  id: string;
  /** `speaker` (said or wrote it) or `outlet` (published it). */
  role: string;
  title: string | null;
  date: string | null;
  url: string | null;
  /** Where the document lives: the echo stage's table, or an FtM Document entity. */
  origin: 'documents' | 'ftm';
}

/** Whether the echo stage's documents table is in this store, with the columns this layer reads. */
export async function hasDocumentsTable(store: Store): Promise<boolean> {
  const cols = await store.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = ?`,
    [DOCUMENT_COLUMNS.table],
  );
  const names = new Set(cols.map((c) => c.column_name));
  const c = DOCUMENT_COLUMNS;
  return [c.id, c.speaker, c.outlet, c.title, c.date, c.url, c.text].every((x) => names.has(x));
}

export interface DocumentRow {
  id: string;
  text: string | null;
  speaker: string | null;
  outlet: string | null;
  title: string | null;
  date: string | null;
  url: string | null;
  origin: 'documents' | 'ftm';
}

/** Every document with a speaker or outlet name: from the echo table when present, and from FtM Document entities. */
/** Every document: the echo stage's table when present, and FtM Document entities (with their text). */
export async function documentRows(store: Store): Promise<DocumentRow[]> {
  const out: DocumentRow[] = [];
  if (await hasDocumentsTable(store)) {
    const c = DOCUMENT_COLUMNS;
    const rows = await store.all<Record<string, unknown>>(
      `SELECT CAST(${c.id} AS VARCHAR) AS id, ${c.speaker} AS speaker, ${c.outlet} AS outlet, ${c.title} AS title,
       strftime(CAST(${c.date} AS TIMESTAMP), '%Y-%m-%d') AS date, ${c.url} AS url, ${c.text} AS text FROM ${c.table}`,
    );
    for (const r of rows)
      out.push({
        id: `doc:${r.id}`,
        text: (r.text as string) ?? null,
        speaker: (r.speaker as string) ?? null,
        outlet: (r.outlet as string) ?? null,
        title: (r.title as string) ?? null,
        date: (r.date as string) ?? null,
        url: (r.url as string) ?? null,
        origin: 'documents',
      });
  }
  const ftm = await store.all<{
    entity_id: string;
    author: string | null;
    publisher: string | null;
    title: string | null;
    date: string | null;
    url: string | null;
    text: string | null;
  }>(
    `SELECT s.entity_id,
       string_agg(value, ' ') FILTER (WHERE prop IN ('bodyText', 'title', 'description', 'summary')) AS text,
       min(value) FILTER (WHERE prop = 'author') AS author, min(value) FILTER (WHERE prop = 'publisher') AS publisher,
       min(value) FILTER (WHERE prop IN ('title', 'name')) AS title, min(value) FILTER (WHERE prop IN ('publishedAt', 'authoredAt', 'date')) AS date,
       min(value) FILTER (WHERE prop = 'sourceUrl') AS url
     FROM statements s JOIN entities e USING (entity_id)
     WHERE e.schema IN ('Document', 'Article', 'PlainText', 'HyperText', 'Pages', 'Page')
     GROUP BY s.entity_id`,
  );
  for (const r of ftm)
    out.push({
      id: r.entity_id,
      text: r.text,
      speaker: r.author,
      outlet: r.publisher,
      title: r.title,
      date: r.date,
      url: r.url,
      origin: 'ftm',
    });
  return out;
}

/**
 * Links documents to the entities that spoke or published them, by matching the speaker and outlet
 * names against the resolved entities (match.ts; a result marked `match`). Returns the number of links.
 */
export async function linkDocuments(store: Store): Promise<number> {
  const docs = await documentRows(store);
  await store.run(`DELETE FROM entity_links WHERE kind IN ('speaker', 'outlet')`);
  if (!docs.length) return 0;
  const names = new Map<string, { role: 'speaker' | 'outlet'; docs: DocumentRow[] }>();
  for (const d of docs) {
    for (const [role, name] of [
      ['speaker', d.speaker],
      ['outlet', d.outlet],
    ] as const) {
      if (!name) continue;
      const key = `${role}\u0000${name}`;
      const entry = names.get(key) ?? { role, docs: [] };
      names.set(key, entry);
      entry.docs.push(d);
    }
  }
  const queries = Object.fromEntries(
    [...names.keys()].map((k, i) => [
      String(i),
      { schema: 'LegalEntity', properties: { name: [k.split('\u0000')[1]!] } },
    ]),
  );
  const responses = await matchEntities(store, queries, { limit: 1 });
  const values: string[] = [];
  [...names.entries()].forEach(([key, entry], i) => {
    const best = responses[String(i)]?.results[0];
    if (!best?.match) return;
    for (const d of entry.docs)
      values.push(
        `('${entry.role}', '${best.id.replaceAll("'", "''")}', '${d.origin === 'ftm' ? 'entity' : 'document'}', '${d.id.replaceAll("'", "''")}', ${best.score}, '${JSON.stringify({ name: key.split('\u0000')[1], origin: d.origin, features: best.features }).replaceAll("'", "''")}'::JSON, now()::TIMESTAMP)`,
      );
  });
  for (let i = 0; i < values.length; i += 2_000)
    await store.run(`INSERT INTO entity_links VALUES ${values.slice(i, i + 2_000).join(', ')}`);
  return values.length;
}

/** Documents linked to an entity's records (as speaker or outlet). */
export async function documentLinks(store: Store, members: string[]): Promise<DocumentRef[]> {
  const canon = await store.all<{ canonical_id: string }>(
    `SELECT DISTINCT canonical_id FROM entity_canonical WHERE entity_id IN (${inList(members)})`,
  );
  const ids = [...new Set([...members, ...canon.map((c) => c.canonical_id)])];
  const links = await store.all<{ kind: string; target_id: string }>(
    `SELECT DISTINCT kind, target_id FROM entity_links WHERE kind IN ('speaker', 'outlet') AND entity_id IN (${inList(ids)}) ORDER BY target_id`,
  );
  if (!links.length) return [];
  const docs = new Map((await documentRows(store)).map((d) => [d.id, d]));
  return links.map((l) => {
    const d = docs.get(l.target_id);
    return {
      id: l.target_id,
      role: l.kind,
      title: d?.title ?? null,
      date: d?.date ?? null,
      url: d?.url ?? null,
      origin: d?.origin ?? 'ftm',
    };
  });
}
