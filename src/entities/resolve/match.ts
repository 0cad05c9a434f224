/**
 * Matching query entities against the store, in the shape of OpenSanctions' yente `/match`:
 * `{"queries": {"<key>": {"schema": ..., "properties": {...}}}}` in,
 * `{"responses": {"<key>": {"query": ..., "results": [{id, caption, schema, properties, score, match,
 * features}], "total": {...}}}}` out. Results are canonical entities (merged by resolve); `score` is
 * the best pairwise score (score.ts) against any of their source records, `match` says whether it
 * reaches the threshold (0.7, yente's default cut-off), `features` which evidence scored.
 *
 * Candidates come from the blocking keys resolve writes (`entity_keys`), so a query reads a few
 * hundred rows, not the store; an in-memory `Matcher` does the same over a list of records.
 */
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { withDefaults } from '../defaults.js';
import { captionOf, schemaOf } from '../model.js';
import { loadRecords } from './index.js';
import { blockingKeys, type MatchRecord, prepareRecord, scorePair, type TokenStats } from './score.js';

export const MATCH_DEFAULTS = {
  /** yente's default: results at or above this score are marked `match: true`. */
  threshold: 0.7,
  /** Results returned per query. */
  limit: 5,
  /** Candidates scored per query, chosen by the summed IDF of the keys they share with it. */
  candidates: 50,
  /** Results below this score are left out (yente's `cutoff`). */
  cutoff: 0.5,
};

export interface MatchQuery {
  schema: string;
  properties: Record<string, string[]>;
}

export interface MatchResult {
  id: string;
  caption: string;
  schema: string;
  properties: Record<string, string[]>;
  score: number;
  match: boolean;
  features: Record<string, number>;
  /** The source record that scored best (a member of the canonical entity). */
  matchedRecord: string;
}

export interface MatchResponse {
  query: MatchQuery;
  results: MatchResult[];
  total: { value: number; relation: 'eq' };
}

export type MatchOptions = Partial<typeof MATCH_DEFAULTS>;

/** Reads a yente-style request body, with one-line errors for what is wrong in it. */
export function parseMatchRequest(body: unknown): Record<string, MatchQuery> {
  const queries = (body as { queries?: unknown })?.queries;
  if (!queries || typeof queries !== 'object' || Array.isArray(queries))
    throw new UsageError(
      'the query file must be {"queries": {"<key>": {"schema": ..., "properties": {...}}}} (yente /match)',
    );
  const out: Record<string, MatchQuery> = {};
  for (const [key, q] of Object.entries(queries as Record<string, unknown>)) {
    const { schema, properties } = (q ?? {}) as { schema?: unknown; properties?: unknown };
    if (typeof schema !== 'string' || !schemaOf(schema))
      throw new UsageError(
        `query ${key}: unknown schema ${JSON.stringify(schema)} (an FtM schema such as Person, Organization, LegalEntity)`,
      );
    if (!properties || typeof properties !== 'object')
      throw new UsageError(`query ${key}: no properties (e.g. {"name": ["..."]})`);
    const props: Record<string, string[]> = {};
    for (const [p, v] of Object.entries(properties as Record<string, unknown>))
      props[p] = (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined).map(String);
    out[key] = { schema, properties: props };
  }
  return out;
}

/** Matching over records held in memory (tests, evaluation, the simulator). */
export class Matcher {
  private readonly blocks = new Map<string, number[]>();
  constructor(
    readonly records: MatchRecord[],
    readonly stats: TokenStats,
  ) {
    records.forEach((r, i) => {
      for (const k of blockingKeys(r)) (this.blocks.get(k) ?? this.blocks.set(k, []).get(k)!).push(i);
    });
  }

  /** Scored candidates for a query, best first. */
  rank(
    query: MatchRecord,
    options: MatchOptions = {},
  ): { record: MatchRecord; score: number; features: Record<string, number> }[] {
    const o = withDefaults(MATCH_DEFAULTS, options);
    const acc = new Map<number, number>();
    for (const k of blockingKeys(query)) {
      const b = this.blocks.get(k);
      if (!b || b.length > 5_000) continue;
      const w = k.startsWith('i:') ? 10 : Math.log(1 + this.records.length / b.length);
      for (const i of b) acc.set(i, (acc.get(i) ?? 0) + w);
    }
    return [...acc]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, o.candidates)
      .map(([i]) => ({ record: this.records[i]!, ...scorePair(query, this.records[i]!, this.stats) }))
      .sort((a, b) => b.score - a.score || a.record.id.localeCompare(b.record.id));
  }
}

/** Token statistics read from the store's blocking keys (document frequency of `t:` keys). */
async function storeStats(store: Store, tokens: string[]): Promise<TokenStats> {
  const documents = Number(
    (await store.value<number>(`SELECT count(DISTINCT entity_id) FROM entity_keys`)) ?? 0,
  );
  const df = new Map<string, number>();
  if (tokens.length) {
    const rows = await store.all<{ key: string; n: number }>(
      `SELECT key, count(*) AS n FROM entity_keys WHERE key IN (${tokens.map((t) => `'t:${t.replaceAll("'", "''")}'`).join(', ')}) GROUP BY key`,
    );
    for (const r of rows) df.set(r.key.slice(2), Number(r.n));
  }
  return { documents: Math.max(documents, 1), df: (t) => df.get(t) ?? 0 };
}

/** Matches queries against the store's resolved entities (run `resolve` first: it writes the keys). */
export async function matchEntities(
  store: Store,
  queries: Record<string, MatchQuery>,
  options: MatchOptions = {},
): Promise<Record<string, MatchResponse>> {
  const o = withDefaults(MATCH_DEFAULTS, options);
  const hasKeys = await store.value<number>(`SELECT count(*) FROM (SELECT 1 FROM entity_keys LIMIT 1)`);
  if (!Number(hasKeys))
    throw new UsageError(
      'no match index in this store; run lockstep entities resolve first (it builds the index)',
    );
  const responses: Record<string, MatchResponse> = {};
  for (const [key, q] of Object.entries(queries)) {
    const record = prepareRecord(`query:${key}`, q.schema, q.properties);
    const keys = blockingKeys(record);
    const stats = await storeStats(store, [...new Set(record.names.flatMap((n) => n.tokens))]);
    let results: MatchResult[] = [];
    if (keys.length) {
      const sizes = await store.all<{ key: string; n: number }>(
        `SELECT key, count(*) AS n FROM entity_keys WHERE key IN (${keys.map((k) => `'${k.replaceAll("'", "''")}'`).join(', ')}) GROUP BY key`,
      );
      const usable = sizes.filter((s) => Number(s.n) <= 5_000);
      const weights = usable
        .map(
          (s) =>
            `('${s.key.replaceAll("'", "''")}', ${s.key.startsWith('i:') ? 10 : Math.log(1 + stats.documents / Number(s.n))})`,
        )
        .join(', ');
      const ids = weights
        ? (
            await store.all<{ entity_id: string }>(
              `SELECT k.entity_id FROM entity_keys k JOIN (VALUES ${weights}) w(key, weight) USING (key)
               GROUP BY k.entity_id ORDER BY sum(w.weight) DESC, k.entity_id LIMIT ${o.candidates}`,
            )
          ).map((r) => r.entity_id)
        : [];
      const candidates = ids.length ? await loadRecords(store, ids) : [];
      const canon = await canonicalOf(store, ids);
      const best = new Map<string, { score: number; features: Record<string, number>; record: string }>();
      for (const c of candidates) {
        const s = scorePair(record, c, stats);
        const id = canon.get(c.id) ?? c.id;
        const prev = best.get(id);
        if (!prev || s.score > prev.score) best.set(id, { ...s, record: c.id });
      }
      const top = [...best]
        .filter(([, b]) => b.score >= o.cutoff)
        .sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]))
        .slice(0, o.limit);
      results = await Promise.all(
        top.map(async ([id, b]) => {
          const entity = await canonicalEntity(store, id);
          return {
            id,
            caption: entity.caption,
            schema: entity.schema,
            properties: entity.properties,
            score: b.score,
            match: b.score >= o.threshold,
            features: b.features,
            matchedRecord: b.record,
          };
        }),
      );
    }
    responses[key] = { query: q, results, total: { value: results.length, relation: 'eq' } };
  }
  return responses;
}

async function canonicalOf(store: Store, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await store.all<{ entity_id: string; canonical_id: string }>(
    `SELECT entity_id, canonical_id FROM entity_canonical WHERE entity_id IN (${ids.map((i) => `'${i.replaceAll("'", "''")}'`).join(', ')})`,
  );
  return new Map(rows.map((r) => [r.entity_id, r.canonical_id]));
}

/** A canonical entity as FtM shows it: the common schema, the caption, the union of its members' values. */
export async function canonicalEntity(
  store: Store,
  id: string,
): Promise<{
  id: string;
  schema: string;
  caption: string;
  properties: Record<string, string[]>;
  members: string[];
}> {
  const members = (
    await store.all<{ entity_id: string }>(
      `SELECT entity_id FROM entity_canonical WHERE canonical_id = ? UNION SELECT ? WHERE NOT EXISTS (SELECT 1 FROM entity_canonical WHERE canonical_id = ?)`,
      [id, id, id],
    )
  ).map((r) => r.entity_id);
  const rows = await store.all<{ prop: string; value: string; schema: string }>(
    `SELECT s.prop, s.value, e.schema FROM statements s JOIN entities e USING (entity_id)
     WHERE s.entity_id IN (${members.map((m) => `'${m.replaceAll("'", "''")}'`).join(', ')}) AND s.prop <> 'id'
     GROUP BY ALL ORDER BY s.prop, s.value`,
  );
  const properties: Record<string, string[]> = {};
  const schemata = new Set<string>();
  for (const r of rows) {
    schemata.add(r.schema);
    const list = properties[r.prop] ?? [];
    properties[r.prop] = list;
    if (!list.includes(r.value)) list.push(r.value);
  }
  const schemaRows = schemata.size
    ? [...schemata]
    : (
        await store.all<{ schema: string }>(`SELECT schema FROM entities WHERE entity_id = ?`, [
          members[0] ?? id,
        ])
      ).map((r) => r.schema);
  let schema = schemaRows[0] ?? 'LegalEntity';
  for (const s of schemaRows.slice(1)) schema = mostSpecific(schema, s);
  return { id, schema, caption: captionOf(schema, properties), properties, members };
}

function mostSpecific(a: string, b: string): string {
  const sa = schemaOf(a);
  const sb = schemaOf(b);
  if (sa && sb) {
    if (sa.isA(sb)) return a;
    if (sb.isA(sa)) return b;
  }
  return 'LegalEntity';
}
