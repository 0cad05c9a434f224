/**
 * Matching query entities against the store, in the shape of OpenSanctions' yente `/match`:
 * `{"queries": {"<key>": {"schema": ..., "properties": {...}}}}` in,
 * `{"responses": {"<key>": {"query": ..., "results": [{id, caption, schema, properties, score, match,
 * features}], "total": {...}}}}` out. Results are canonical entities (merged by resolve); `score` is
 * the best pairwise score (score.ts) against any of their source records, `match` says whether it
 * reaches the threshold (0.7, yente's default cut-off), `features` which evidence scored.
 *
 * Candidates come from an in-memory index of the store's party records (`matchIndex`, built once
 * and kept until the store changes) by the same blocking keys resolution uses; `properties` are
 * the compared ones (names, countries, identifiers, birth dates) of the entity's records.
 */
import { breathe } from '../../core/breathe.js';
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { withDefaults } from '../defaults.js';
import { captionOf, schemaOf } from '../model.js';
import { loadRecords, tokenStats } from './index.js';
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
  private constructor(
    readonly records: MatchRecord[],
    readonly stats: TokenStats,
  ) {}

  /** The records indexed by their blocking keys (a server builds this while it answers: it breathes). */
  static async build(records: MatchRecord[]): Promise<Matcher> {
    const m = new Matcher(records, await tokenStats(records));
    for (let i = 0; i < records.length; i++) {
      for (const k of blockingKeys(records[i]!)) (m.blocks.get(k) ?? m.blocks.set(k, []).get(k)!).push(i);
      if (i % 8192 === 8191) await breathe();
    }
    return m;
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

/**
 * The store's party records in memory, with their canonical ids: built once per store (seconds per
 * 100,000 parties) and kept until the store's statements or resolution change, so that each query
 * costs a blocking lookup and a few dozen comparisons.
 */
export interface MatchIndex {
  matcher: Matcher;
  canonical: Map<string, string>;
}

const INDEXES = new WeakMap<Store, { version: string; index: MatchIndex }>();

export async function matchIndex(store: Store): Promise<MatchIndex> {
  const version = JSON.stringify(
    await store.all(
      `SELECT (SELECT max(ingest_id) FROM ingests) AS i, (SELECT count(*) FROM statements) AS s,
       (SELECT count(*) FROM entity_canonical) AS c, (SELECT coalesce(max(canonical_id), '') FROM entity_canonical) AS m`,
    ),
  );
  const cached = INDEXES.get(store);
  if (cached?.version === version) return cached.index;
  const records = await loadRecords(store);
  const canonical = new Map(
    (
      await store.all<{ entity_id: string; canonical_id: string }>(
        `SELECT entity_id, canonical_id FROM entity_canonical`,
      )
    ).map((r) => [r.entity_id, r.canonical_id]),
  );
  const index = { matcher: await Matcher.build(records), canonical };
  INDEXES.set(store, { version, index });
  return index;
}

/** Matches queries against the store's resolved entities (see the header). */
export async function matchEntities(
  store: Store,
  queries: Record<string, MatchQuery>,
  options: MatchOptions = {},
): Promise<Record<string, MatchResponse>> {
  const o = withDefaults(MATCH_DEFAULTS, options);
  const { matcher, canonical } = await matchIndex(store);
  const responses: Record<string, MatchResponse> = {};
  for (const [key, q] of Object.entries(queries)) {
    const record = prepareRecord(`query:${key}`, q.schema, q.properties);
    const best = new Map<string, { score: number; features: Record<string, number>; record: MatchRecord }>();
    const members = new Map<string, MatchRecord[]>();
    for (const r of matcher.rank(record, { candidates: o.candidates })) {
      const id = canonical.get(r.record.id) ?? r.record.id;
      members.set(id, [...(members.get(id) ?? []), r.record]);
      const prev = best.get(id);
      if (!prev || r.score > prev.score) best.set(id, r);
    }
    const results = [...best]
      .filter(([, b]) => b.score >= o.cutoff)
      .sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]))
      .slice(0, o.limit)
      .map(([id, b]): MatchResult => {
        const recs = members.get(id)!;
        const properties: Record<string, string[]> = {};
        for (const r of recs)
          for (const [p, vs] of Object.entries(r.props ?? {}))
            properties[p] = [...new Set([...(properties[p] ?? []), ...(vs ?? [])])].sort();
        let schema = recs[0]!.schema;
        for (const r of recs.slice(1)) schema = mostSpecific(schema, r.schema);
        return {
          id,
          caption: captionOf(schema, properties),
          schema,
          properties,
          score: b.score,
          match: b.score >= o.threshold,
          features: b.features,
          matchedRecord: b.record.id,
        };
      });
    responses[key] = { query: q, results, total: { value: results.length, relation: 'eq' } };
  }
  return responses;
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
