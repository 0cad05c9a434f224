/**
 * Entity resolution over the store, in the manner of nomenklatura (OpenSanctions' resolver):
 * 1. every party entity (FtM LegalEntity and its descendants) is prepared for comparison
 *    (score.ts: names, identifiers, countries, birth years);
 * 2. blocking: candidate pairs share a rare blocking key (a name token, its phonetic key, an
 *    acronym, a name written together, an identifier); keys held by more than `maxBlock` entities
 *    are too common to block on; each entity keeps its `candidates` best partners by the summed
 *    IDF of the keys they share;
 * 3. each candidate pair is scored (score.ts, every feature named);
 * 4. judgements come first: 'same' pairs (a user's, or an FtM stream's referents) are merged,
 *    'different' pairs can never end up in one entity; 'unsure' pairs are left as they are;
 * 5. the remaining pairs at or above `mergeThreshold` are merged in order of score, unless the merge
 *    would join two ids judged different; pairs in [reviewThreshold, mergeThreshold) are kept in
 *    `entity_candidates` for review (`lockstep entities resolve` lists them).
 * Merged ids keep their own statements: `entity_canonical` maps each to the cluster's canonical id
 * (an OpenSanctions `NK-` id when the cluster holds one, else `lk-` + a hash of its first id).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { breathe } from '../../core/breathe.js';
import { UsageError } from '../../core/errors.js';
import { rmdirIfEmpty } from '../../ingest/pipeline.js';
import { fetchFields } from '../../store/bulk.js';
import type { Store } from '../../store/store.js';
import { withDefaults } from '../defaults.js';
import { hashId } from '../import/formats/util.js';
import { StagingFile } from '../import/staging.js';
import { FTM_MODEL, isA } from '../model.js';
import {
  blockingKeys,
  COUNTRY_PROPS,
  compatibleSchemata,
  DATE_PROPS,
  IDENTIFIER_PROPS,
  type MatchRecord,
  NAME_PROPS,
  prepareRecord,
  scorePair,
  type TokenStats,
} from './score.js';

export const RESOLVE_DEFAULTS = {
  /** Pairs at or above this score are merged (a shared identifier alone reaches 0.95). */
  mergeThreshold: 0.9,
  /** Pairs from here up to the merge threshold are kept for review. */
  reviewThreshold: 0.7,
  /** Keys held by more entities than this are too common to block on. */
  maxBlock: 500,
  /** Best partners kept per entity. */
  candidates: 10,
};

export type ResolveOptions = Partial<typeof RESOLVE_DEFAULTS> & {
  onStage?: (stage: { name: string; done: boolean; seconds?: number; note?: string }) => void;
};

export interface ResolveResult {
  entities: number;
  pairsScored: number;
  merged: number;
  clusters: number;
  largestCluster: number;
  forReview: number;
  judgementsApplied: number;
  judgementsBlocking: number;
  /** Merges refused because the two clusters' schemata cannot describe one party (a person, an organisation). */
  schemaConflicts: number;
  parameters: typeof RESOLVE_DEFAULTS;
  seconds: number;
}

/** Schemata resolution compares: FtM's LegalEntity and everything that descends from it. */
export const PARTY_SCHEMATA = FTM_MODEL.getSchemata()
  .filter((s) => s.isA('LegalEntity'))
  .map((s) => s.name);

const COMPARED = [...new Set([...NAME_PROPS, ...COUNTRY_PROPS, ...DATE_PROPS, ...IDENTIFIER_PROPS])];
const sqlList = (xs: string[]) => xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(', ');

/** Party records of the store (optionally only these ids), prepared for comparison. */
export async function loadRecords(store: Store, ids?: string[]): Promise<MatchRecord[]> {
  const only = ids ? `AND e.entity_id IN (${sqlList(ids)})` : '';
  const rows = await fetchFields(
    store,
    `SELECT e.entity_id, e.schema, string_agg(s.prop || chr(28) || s.value, chr(29)) AS packed
     FROM entities e JOIN statements s USING (entity_id)
     WHERE e.schema IN (${sqlList(PARTY_SCHEMATA)}) AND s.prop IN (${sqlList(COMPARED)}) ${only}
     GROUP BY e.entity_id, e.schema`,
    ['entity_id', 'schema', 'packed'],
  );
  // Preparing a record (normalised names, phonetic keys) is JavaScript: seconds per 100,000.
  const records: MatchRecord[] = [];
  for (const [id, schema, packed] of rows) {
    const props: Record<string, string[]> = {};
    for (const pair of packed!.split('\u001d')) {
      const cut = pair.indexOf('\u001c');
      const prop = pair.slice(0, cut);
      const list = props[prop] ?? [];
      list.push(pair.slice(cut + 1));
      props[prop] = list;
    }
    records.push(prepareRecord(id!, schema!, props));
    if (records.length % 8192 === 0) await breathe();
  }
  return records;
}

/** Token document frequencies over the records' names. */
export async function tokenStats(records: MatchRecord[]): Promise<TokenStats> {
  const df = new Map<string, number>();
  for (let i = 0; i < records.length; i++) {
    const seen = new Set<string>();
    for (const n of records[i]!.names) for (const t of n.tokens) seen.add(t);
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1);
    if (i % 8192 === 8191) await breathe();
  }
  return { documents: records.length, df: (t) => df.get(t) ?? 0 };
}

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }
}

export async function resolveEntities(store: Store, options: ResolveOptions = {}): Promise<ResolveResult> {
  const started = Date.now();
  const p = withDefaults(RESOLVE_DEFAULTS, options);
  if (!(p.reviewThreshold <= p.mergeThreshold && p.mergeThreshold <= 1 && p.reviewThreshold > 0))
    throw new UsageError('invalid thresholds: expecting 0 < review threshold <= merge threshold <= 1');
  const stage = (name: string, t0: number, note?: string) =>
    options.onStage?.({ name, done: true, seconds: (Date.now() - t0) / 1000, note });

  let t = Date.now();
  options.onStage?.({ name: 'loading party entities', done: false });
  const records = await loadRecords(store);
  const stats = await tokenStats(records);
  stage('loading party entities', t, `${records.length.toLocaleString('en')} entities`);

  t = Date.now();
  options.onStage?.({ name: 'blocking', done: false });
  const index = new Map<string, number>();
  records.forEach((r, i) => {
    index.set(r.id, i);
  });
  const keysOf = records.map(blockingKeys);
  const blocks = new Map<string, number[]>();
  keysOf.forEach((keys, i) => {
    for (const k of keys) {
      const b = blocks.get(k) ?? [];
      if (b.length === 0) blocks.set(k, b);
      b.push(i);
    }
  });
  const keyWeight = (k: string, size: number) =>
    k.startsWith('i:') ? 10 : Math.log(1 + records.length / size);
  const acc = new Float64Array(records.length);
  const pairs: { i: number; j: number }[] = [];
  for (let i = 0; i < records.length; i++) {
    const touched: number[] = [];
    for (const k of keysOf[i]!) {
      const b = blocks.get(k)!;
      if (b.length < 2 || b.length > p.maxBlock) continue;
      const w = keyWeight(k, b.length);
      for (const j of b) {
        if (j === i) continue;
        if (acc[j] === 0) touched.push(j);
        acc[j]! += w;
      }
    }
    touched.sort((x, y) => acc[y]! - acc[x]! || x - y);
    for (const j of touched.slice(0, p.candidates)) pairs.push(i < j ? { i, j } : { i: j, j: i });
    for (const j of touched) acc[j] = 0;
  }
  const seen = new Set<number>();
  const unique = pairs.filter(({ i, j }) => {
    const key = i * records.length + j;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  stage('blocking', t, `${unique.length.toLocaleString('en')} candidate pairs`);

  t = Date.now();
  options.onStage?.({ name: 'scoring pairs', done: false });
  const scored: { i: number; j: number; score: number; features: Record<string, number> }[] = [];
  for (const { i, j } of unique) {
    const r = scorePair(records[i]!, records[j]!, stats);
    if (r.score >= p.reviewThreshold) scored.push({ i, j, ...r });
  }
  scored.sort((a, b) => b.score - a.score || a.i - b.i || a.j - b.j);
  stage('scoring pairs', t, `${scored.length.toLocaleString('en')} at or above ${p.reviewThreshold}`);

  t = Date.now();
  options.onStage?.({ name: 'merging', done: false });
  const judgements = await store.all<{ left_id: string; right_id: string; judgement: string }>(
    `SELECT left_id, right_id, judgement FROM entity_judgements ORDER BY created_at`,
  );
  // Ids judged but not (or no longer) party entities still take part, so referents keep their cluster.
  const extra: string[] = [];
  const idx = (id: string) => {
    let k = index.get(id);
    if (k === undefined) {
      k = records.length + extra.length;
      index.set(id, k);
      extra.push(id);
    }
    return k;
  };
  for (const j of judgements) {
    idx(j.left_id);
    idx(j.right_id);
  }
  const n = records.length + extra.length;
  const idOf = (k: number) => (k < records.length ? records[k]!.id : extra[k - records.length]!);
  const uf = new UnionFind(n);
  // Negative constraints, kept on cluster roots and carried along as clusters merge.
  const different = new Map<number, Set<number>>();
  const judged = new Set<string>();
  const pairKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
  for (const j of judgements) {
    const a = idx(j.left_id);
    const b = idx(j.right_id);
    judged.add(pairKey(a, b));
    if (j.judgement === 'different') {
      (different.get(a) ?? different.set(a, new Set()).get(a)!).add(b);
      (different.get(b) ?? different.set(b, new Set()).get(b)!).add(a);
    }
  }
  const blocked = (a: number, b: number): boolean => {
    const ra = uf.find(a);
    const rb = uf.find(b);
    for (const x of different.get(ra) ?? []) if (uf.find(x) === rb) return true;
    return false;
  };
  // Each cluster's schema, so that a chain of merges never joins a person and an organisation
  // (each pair may be compatible with a LegalEntity between them).
  const clusterSchema: (string | null)[] = Array.from({ length: n }, (_, k) =>
    k < records.length ? records[k]!.schema : null,
  );
  let incompatible = 0;
  const union = (a: number, b: number): boolean => {
    const ra = uf.find(a);
    const rb = uf.find(b);
    if (ra === rb) return false;
    const sa = clusterSchema[ra] ?? null;
    const sb = clusterSchema[rb] ?? null;
    if (sa && sb && !compatibleSchemata(sa, sb)) {
      incompatible++;
      return false;
    }
    clusterSchema[ra] = sa && sb ? (isA(sa, sb) ? sa : isA(sb, sa) ? sb : 'Organization') : (sa ?? sb);
    uf.parent[rb] = ra;
    const merged = new Set([...(different.get(ra) ?? []), ...(different.get(rb) ?? [])]);
    if (merged.size) different.set(ra, merged);
    return true;
  };
  let judgementsApplied = 0;
  let judgementsBlocking = 0;
  for (const j of judgements) {
    if (j.judgement !== 'same') continue;
    const a = idx(j.left_id);
    const b = idx(j.right_id);
    if (blocked(a, b)) {
      judgementsBlocking++;
      continue;
    }
    if (union(a, b)) judgementsApplied++;
  }
  let merged = 0;
  const review: typeof scored = [];
  for (const s of scored) {
    if (judged.has(pairKey(s.i, s.j))) continue;
    if (uf.find(s.i) === uf.find(s.j)) continue;
    if (s.score >= p.mergeThreshold) {
      if (blocked(s.i, s.j)) {
        judgementsBlocking++;
        continue;
      }
      if (union(s.i, s.j)) merged++;
    } else review.push(s);
  }
  // Clusters and their canonical ids.
  const clusters = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const r = uf.find(k);
    if (r === k && !clusters.has(k)) continue;
    (clusters.get(r) ?? clusters.set(r, [r]).get(r)!).push(k);
  }
  // Staged beside the store (in its scratch folder) and removed once loaded.
  mkdirSync(`${store.path}.tmp`, { recursive: true });
  const canonical = new StagingFile(join(`${store.path}.tmp`, `resolve-canonical-${process.pid}`));
  let largest = 0;
  for (const members of clusters.values()) {
    const ids = [...new Set(members)].map(idOf).sort();
    largest = Math.max(largest, ids.length);
    // A canonical id the cluster already carries (OpenSanctions' NK-, or ours from an FtM export read
    // back) is kept, so that resolved data round-trips; else one derived from the first member id.
    const canon =
      ids.find((x) => x.startsWith('NK-')) ?? ids.find((x) => x.startsWith('lk-')) ?? `lk-${hashId(ids[0]!)}`;
    for (const id of ids) canonical.line([id, canon]);
  }
  const staged: string[] = [];
  await store.run('BEGIN TRANSACTION');
  try {
    await store.run('DELETE FROM entity_canonical');
    const file = canonical.take();
    if (file) staged.push(file);
    if (file)
      await store.run(`INSERT INTO entity_canonical SELECT DISTINCT entity_id, canonical_id FROM read_csv('${file}',
        header = false, auto_detect = false, columns = {'entity_id': 'VARCHAR', 'canonical_id': 'VARCHAR'}, quote = '"', escape = '"')`);
    await store.run('DELETE FROM entity_candidates');
    const cand = new StagingFile(join(`${store.path}.tmp`, `resolve-candidates-${process.pid}`));
    for (const r of review.filter((r) => uf.find(r.i) !== uf.find(r.j)))
      cand.line([records[r.i]!.id, records[r.j]!.id, String(r.score), JSON.stringify(r.features)]);
    const cf = cand.take();
    if (cf) staged.push(cf);
    if (cf)
      await store.run(`INSERT INTO entity_candidates SELECT left_id, right_id, score, features::JSON FROM read_csv('${cf}',
        header = false, auto_detect = false, columns = {'left_id': 'VARCHAR', 'right_id': 'VARCHAR', 'score': 'DOUBLE', 'features': 'VARCHAR'}, quote = '"', escape = '"')`);
    await store.run('COMMIT');
  } catch (err) {
    await store.run('ROLLBACK');
    throw err;
  } finally {
    for (const f of staged) rmSync(f, { force: true });
    rmdirIfEmpty(`${store.path}.tmp`);
  }
  stage(
    'merging',
    t,
    `${merged.toLocaleString('en')} merges, ${clusters.size.toLocaleString('en')} merged entities`,
  );
  return {
    entities: records.length,
    pairsScored: unique.length,
    merged,
    clusters: clusters.size,
    largestCluster: largest,
    forReview: review.length,
    judgementsApplied,
    judgementsBlocking,
    schemaConflicts: incompatible,
    parameters: p,
    seconds: (Date.now() - started) / 1000,
  };
}

export type Judgement = 'same' | 'different' | 'unsure';

/** Records a user's judgement on two entity ids (source ids or canonical ids, resolved to their members). */
export async function judge(store: Store, left: string, right: string, judgement: Judgement): Promise<void> {
  if (!['same', 'different', 'unsure'].includes(judgement))
    throw new UsageError(`invalid judgement "${judgement}": expecting same, different or unsure`);
  const member = async (id: string) => {
    const found = await store.value<string>(
      `SELECT entity_id FROM entities WHERE entity_id = ?
       UNION ALL SELECT min(entity_id) FROM entity_canonical WHERE canonical_id = ? HAVING count(*) > 0 LIMIT 1`,
      [id, id],
    );
    if (!found) throw new UsageError(`no entity ${id} in this store (lockstep entities show NAME finds ids)`);
    return found;
  };
  const a = await member(left);
  const b = await member(right);
  if (a === b) throw new UsageError('the two ids are the same entity');
  const score = await store.value<number>(
    `SELECT score FROM entity_candidates WHERE (left_id = ? AND right_id = ?) OR (left_id = ? AND right_id = ?)`,
    [a, b, b, a],
  );
  await store.run(`INSERT INTO entity_judgements VALUES (?, ?, ?, 'user', ?, now()::TIMESTAMP)`, [
    a,
    b,
    judgement,
    score ?? null,
  ]);
}

export interface CandidatePair {
  left: { id: string; caption: string | null; schema: string };
  right: { id: string; caption: string | null; schema: string };
  score: number;
  features: Record<string, number>;
}

/** The pairs kept for review by the last resolve run, best first. */
export async function reviewCandidates(store: Store, limit = 50): Promise<CandidatePair[]> {
  const rows = await store.all<Record<string, unknown>>(
    `SELECT c.left_id, l.caption AS lc, l.schema AS ls, c.right_id, r.caption AS rc, r.schema AS rs, c.score, CAST(c.features AS VARCHAR) AS f
     FROM entity_candidates c JOIN entities l ON l.entity_id = c.left_id JOIN entities r ON r.entity_id = c.right_id
     ORDER BY c.score DESC, c.left_id, c.right_id LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({
    left: { id: r.left_id as string, caption: r.lc as string, schema: r.ls as string },
    right: { id: r.right_id as string, caption: r.rc as string, schema: r.rs as string },
    score: r.score as number,
    features: JSON.parse(r.f as string),
  }));
}
