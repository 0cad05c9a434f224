/**
 * CooRTweet compatibility: `detect_groups` and `generate_coordinated_network` of the R package
 * CooRTweet 2.1.3 (Righetti & Balluff 2025; github.com/nicolarighetti/CooRTweet, R/detect_groups.R,
 * R/calc_group_combinations.R, R/generate_coordinated_network.R), run over the store, with the
 * same rows, the same columns and the same row order as the package.
 *
 * What CooRTweet does, step by step, all reproduced:
 * 1. Shares are rows `(object_id, account_id, content_id, timestamp_share)`; accounts with fewer
 *    than `min_participation` rows are dropped (`x[, if (.N >= min_participation) .SD, by =
 *    account_id]`), which also regroups the rows by account in order of first appearance.
 * 2. Per object, every pair of rows (`group[group, on = .(id < id)]`, ids in that row order) with
 *    `|time_delta| <= time_window`, `time_delta` = the earlier row's time - the later row's time.
 * 3. Loops removed: `object_id != content_id`, `object_id != content_id_y`, `content_id !=
 *    content_id_y`, `account_id != account_id_y`.
 * 4. `filter_min_participation`: accounts with at least `min_participation` rows whose content id
 *    appears in a pair; pairs kept when either content id is one of those accounts' content ids.
 * 5. Pairs with `time_delta > 0` swap sides, so `content_id` is the older share; `abs(time_delta)`.
 *    Rows come out by object (in order of first appearance), then by the later row, then the earlier.
 * 6. The network: `account_id = pmin`, `account_id_y = pmax`, aggregated per pair of accounts
 *    (weight = rows, mean time delta, unique content ids per side, symmetry = min / max) in order of
 *    first appearance; `graph_from_data_frame` (vertices `unique(c(from, to))`, an undirected edge
 *    lists its lower vertex first); `weight_threshold = weight > quantile(weight, edge_weight)`
 *    (R's type 7); `subgraph = 1` keeps the edges above it; `components()` numbers the clusters in
 *    order of their first vertex.
 *
 * Ties (time_delta = 0) keep the row order of step 1, so which share is `content_id` depends on the
 * order the rows were read in: Lockstep uses the store's reading order (ingest, then line).
 *
 * Everything up to the network's edges runs in DuckDB over integer row ids in temporary tables
 * (the pairs can number hundreds of millions); JavaScript gets rows only when asked, up to
 * `MAX_JS_ROWS`, and the pairs' CSV is written by DuckDB itself.
 */
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import {
  bucketPairsSql,
  bucketSql,
  bulkRows,
  checkCount,
  checkRows,
  platformFilter,
  tempName,
  windowMicros,
} from './common.js';
import { type CsvColumn, fwriteMicrosSql, writeCsvFile } from './csv.js';

/** What counts as the shared object (CooRTweet's `object_id`). */
export type CoortweetObject =
  | 'shared-object'
  | 'shared-link'
  | 'shared-hashtag'
  | 'shared-domain'
  | 'shared-media'
  | 'reply-target';

export const COORTWEET_OBJECTS: readonly CoortweetObject[] = [
  'shared-object',
  'shared-link',
  'shared-hashtag',
  'shared-domain',
  'shared-media',
  'reply-target',
];

export interface CoortweetOptions {
  /**
   * The object: `shared-object` = the reposted post (`ref_post_id` of reposts; CooRTweet's
   * `reshape_tweets(intent = "retweets")` and its `russian_coord_tweets`), `shared-link` /
   * `shared-hashtag` / `shared-domain` / `shared-media` = each element of the post's `urls` /
   * `hashtags` / `domains` / `media` (every post, reposts included, as `reshape_tweets` does),
   * `reply-target` = the post replied to.
   */
  object: CoortweetObject;
  /** `time_window`, seconds. */
  timeWindow: number;
  /** `min_participation`: rows an account needs (before and after pairing). */
  minParticipation: number;
  /** `remove_loops` (default true). */
  removeLoops?: boolean;
  /** Only the posts of this platform (CooRTweet itself sees account ids only). */
  platform?: string;
}

/** One row of `detect_groups`' result, with its column names. `content_id` is the older share. */
export interface CoortweetPair {
  object_id: string;
  content_id: string;
  content_id_y: string;
  /** Seconds between the two shares (>= 0). */
  time_delta: number;
  account_id: string;
  account_id_y: string;
}

/** The columns of `detect_groups`' result, in its order. */
export const PAIR_COLUMNS = [
  'object_id',
  'content_id',
  'content_id_y',
  'time_delta',
  'account_id',
  'account_id_y',
] as const;

/** One edge of `generate_coordinated_network`'s graph, as `igraph::as_data_frame(g, "edges")`. */
export interface CoortweetEdge {
  from: string;
  to: string;
  weight: number;
  avg_time_delta: number;
  n_content_id: number;
  n_content_id_y: number;
  edge_symmetry_score: number;
  /** With `objects: true`: the edge's objects, comma-separated, in order of appearance. */
  object_ids?: string;
  /** 1 when `weight` is above the quantile threshold, else 0. */
  weight_threshold: number;
}

export interface CoortweetNetworkOptions {
  /** `edge_weight`: the quantile (0..1) of the edge weights an edge must exceed. Default 0.5. */
  edgeWeight?: number;
  /** `subgraph = 1`: keep only the edges above the threshold (and their vertices). Default false. */
  subgraph?: boolean;
  /** `objects = TRUE`: list each edge's object ids. Default false. */
  objects?: boolean;
}

export interface CoortweetNetwork {
  /** `quantile(weights, edge_weight)` over every edge of the full graph (NaN without edges). */
  weightThreshold: number;
  /** Edges of the whole graph (the full one with `subgraph: false`). */
  totalEdges: number;
  edges: CoortweetEdge[];
  /** The graph's vertices in igraph's order, with `components()$membership` (1-based). */
  nodes: { account_id: string; component: number }[];
}

/** `detect_groups`' CSV columns (`time_delta` is a double in R: `timestamp_share` is numeric). */
export const PAIR_CSV: readonly CsvColumn[] = PAIR_COLUMNS.map((name) => ({
  name,
  type: name === 'time_delta' ? 'double' : 'string',
}));

/** The edge CSV columns, in the order of `igraph::as_data_frame(g, "edges")`, with R's types. */
export function edgeCsvColumns(objects: boolean): CsvColumn[] {
  return [
    { name: 'from', type: 'string' },
    { name: 'to', type: 'string' },
    { name: 'weight', type: 'int' },
    { name: 'avg_time_delta', type: 'double' },
    { name: 'n_content_id', type: 'int' },
    { name: 'n_content_id_y', type: 'int' },
    { name: 'edge_symmetry_score', type: 'double' },
    ...(objects ? [{ name: 'object_ids', type: 'string' as const }] : []),
    { name: 'weight_threshold', type: 'double' },
  ];
}

/** The node CSV columns: the vertex name and its component (igraph's membership is a double). */
export const NODE_CSV: readonly CsvColumn[] = [
  { name: 'account_id', type: 'string' },
  { name: 'component', type: 'double' },
];

/**
 * CooRTweet's `content_id`: the post id, except for shares stored by the `coortweet` format under
 * `content_id#n` because their content id repeats (the original is kept in `extra.content_id`).
 */
const CONTENT_ID = `CASE WHEN contains(post_id, '#') AND extra IS NOT NULL
    AND starts_with(post_id, coalesce(json_extract_string(extra, '$.content_id'), '') || '#')
  THEN json_extract_string(extra, '$.content_id') ELSE post_id END`;

const LIST_OF: Partial<Record<CoortweetObject, string>> = {
  'shared-link': 'urls',
  'shared-hashtag': 'hashtags',
  'shared-domain': 'domains',
  'shared-media': 'media',
};

/** The shares: `object_id, account_id, content_id, t` (microseconds) and the reading order keys. */
function sharesSql(object: CoortweetObject, where: string): string {
  const cols = `account_id, ${CONTENT_ID} AS content_id, epoch_us(created_at) AS t, ingest_id, source_line, rowid AS r`;
  const list = LIST_OF[object];
  if (list) {
    return `SELECT * FROM (SELECT unnest(${list}) AS object_id, ${cols} FROM posts
      WHERE ${where} AND len(${list}) > 0) WHERE object_id IS NOT NULL AND object_id <> ''`;
  }
  if (object === 'shared-object')
    return `SELECT ref_post_id AS object_id, ${cols} FROM posts
      WHERE ${where} AND kind = 'repost' AND ref_post_id IS NOT NULL`;
  if (object === 'reply-target')
    return `SELECT reply_to_post_id AS object_id, ${cols} FROM posts
      WHERE ${where} AND reply_to_post_id IS NOT NULL`;
  throw new UsageError(`unknown CooRTweet object "${object}"; use one of ${COORTWEET_OBJECTS.join(', ')}`);
}

/** `detect_groups`' result, held in temporary tables of the store's connection. */
export interface CoortweetPairs {
  /** Number of coordinated share pairs. */
  readonly count: number;
  /** The pairs in CooRTweet's row order (at most `MAX_JS_ROWS`). */
  rows(): Promise<CoortweetPair[]>;
  /** Writes the pairs' CSV as `data.table::fwrite` does, straight from DuckDB (any size). */
  writeCsv(path: string): Promise<void>;
  /** `generate_coordinated_network(x, edge_weight, subgraph = 0 | 1, objects)` on these pairs. */
  network(o?: CoortweetNetworkOptions): Promise<CoortweetNetwork>;
  /** Drops the temporary tables. */
  drop(): Promise<void>;
}

/**
 * CooRTweet's `detect_groups(x, time_window, min_participation, remove_loops)` over the store's
 * posts. The pairs stay in the store (temporary tables) until `drop()` or the store is closed.
 */
export async function coortweetDetectGroups(store: Store, o: CoortweetOptions): Promise<CoortweetPairs> {
  const w = windowMicros('CooRTweet', o.timeWindow);
  const mp = checkCount('min participation', o.minParticipation);
  const params: string[] = [];
  const shares = sharesSql(o.object, platformFilter(o.platform, params));
  const name = tempName('coortweet');
  const [x, r, p] = [`${name}_x`, `${name}_r`, `${name}_p`];
  // x: the rows after the pre-filter, numbered (`id`) in data.table's order: accounts by first
  // appearance, then reading order. `og` orders the object groups as `by = object_id` does.
  await store.run(
    `CREATE TEMP TABLE ${x} AS
    WITH s AS (
      SELECT object_id, account_id, content_id, t,
        row_number() OVER (ORDER BY ingest_id, source_line NULLS LAST, r, object_id) AS ord
      FROM (${shares})),
    a AS (SELECT account_id, min(ord) AS first FROM s GROUP BY account_id HAVING count(*) >= ${mp}),
    n AS (SELECT s.*, row_number() OVER (ORDER BY a.first, s.ord) AS id FROM s JOIN a USING (account_id))
    SELECT CAST(id AS BIGINT) AS id, object_id, account_id, content_id, t, ${bucketSql('t', w)} AS b,
      min(id) OVER (PARTITION BY object_id) AS og, object_id = content_id AS self
    FROM n`,
    params,
  );
  const loops =
    o.removeLoops === false
      ? 'true'
      : 'NOT p.self AND NOT q.self AND p.content_id <> q.content_id AND p.account_id <> q.account_id';
  const pairs = (filter: string) =>
    bucketPairsSql(x, 'object_id', w, 'p.id AS pid, q.id AS qid, p.t - q.t AS d', filter);
  let kept = loops;
  if (mp >= 1) {
    // filter_min_participation needs the rows that are in some pair: a first pass over the pairs
    // collects them (without storing the pairs), then marks the rows whose content id belongs to an
    // account with enough such rows; the second pass keeps the pairs with a marked row.
    await store.run(
      `CREATE TEMP TABLE ${r} AS
      WITH ids AS (SELECT DISTINCT unnest([pid, qid]) AS id FROM (${pairs(loops)})),
      c AS (SELECT DISTINCT content_id FROM ${x} WHERE id IN (SELECT id FROM ids)),
      f AS (SELECT account_id, content_id FROM ${x} WHERE content_id IN (SELECT content_id FROM c)),
      fc AS (
        SELECT DISTINCT content_id FROM f
        WHERE account_id IN (SELECT account_id FROM f GROUP BY account_id HAVING count(*) >= ${mp}))
      SELECT id FROM ${x} WHERE content_id IN (SELECT content_id FROM fc)`,
    );
    await store.run(`ALTER TABLE ${x} ADD COLUMN ok BOOLEAN DEFAULT false`);
    await store.run(`UPDATE ${x} SET ok = true WHERE id IN (SELECT id FROM ${r})`);
    await store.run(`DROP TABLE ${r}`);
    kept = `${loops} AND (p.ok OR q.ok)`;
  }
  // p: every pair once, `xid` the earlier row (lower id), `d` = its time minus the later row's. A
  // view: the bucket join is cheaper to run again than hundreds of millions of pairs are to store.
  await store.run(
    `CREATE TEMP VIEW ${p} AS
    SELECT least(pid, qid) AS xid, greatest(pid, qid) AS iid, CASE WHEN pid < qid THEN d ELSE -d END AS d
    FROM (${pairs(kept)})`,
  );
  const count = Number(await store.value(`SELECT count(*) FROM ${p}`));
  return new PairsTable(store, name, count);
}

class PairsTable implements CoortweetPairs {
  constructor(
    private readonly store: Store,
    private readonly name: string,
    readonly count: number,
  ) {}

  /** The pairs with CooRTweet's columns (`time_delta_us`) and order keys `og, iid, xid`. */
  private pairsSql(): string {
    const [x, p] = [`${this.name}_x`, `${this.name}_p`];
    return `SELECT e.object_id, e.og, p.iid, p.xid, abs(p.d) AS time_delta_us,
        CASE WHEN p.d > 0 THEN l.content_id ELSE e.content_id END AS content_id,
        CASE WHEN p.d > 0 THEN e.content_id ELSE l.content_id END AS content_id_y,
        CASE WHEN p.d > 0 THEN l.account_id ELSE e.account_id END AS account_id,
        CASE WHEN p.d > 0 THEN e.account_id ELSE l.account_id END AS account_id_y
      FROM ${p} p JOIN ${x} e ON e.id = p.xid JOIN ${x} l ON l.id = p.iid`;
  }

  async rows(): Promise<CoortweetPair[]> {
    checkRows('pairs', this.count, 'write them to a file instead (writeCsv, or lockstep detect --csv DIR)');
    const rows = await bulkRows(
      this.store,
      `SELECT *, row_number() OVER (ORDER BY og, iid, xid) AS seq FROM (${this.pairsSql()})`,
      ['object_id', 'content_id', 'content_id_y', 'time_delta_us', 'account_id', 'account_id_y'],
    );
    return rows.map(([object_id, content_id, content_id_y, us, account_id, account_id_y]) => ({
      object_id: object_id as string,
      content_id: content_id as string,
      content_id_y: content_id_y as string,
      time_delta: (us as number) / 1e6,
      account_id: account_id as string,
      account_id_y: account_id_y as string,
    }));
  }

  async writeCsv(path: string): Promise<void> {
    await this.store.run(
      `COPY (
        SELECT object_id, content_id, content_id_y, ${fwriteMicrosSql('time_delta_us')} AS time_delta,
          account_id, account_id_y
        FROM (${this.pairsSql()}) ORDER BY og, iid, xid
      ) TO '${path.replaceAll("'", "''")}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"')`,
    );
  }

  async network(o: CoortweetNetworkOptions = {}): Promise<CoortweetNetwork> {
    const edgeWeight = o.edgeWeight ?? 0.5;
    if (typeof edgeWeight !== 'number' || !(edgeWeight >= 0 && edgeWeight <= 1))
      throw new UsageError(`invalid edge weight: ${edgeWeight}; expecting a quantile between 0 and 1`);
    const e = `${this.name}_e`;
    await this.store.run(`DROP TABLE IF EXISTS ${e}`);
    // Edges per (pmin, pmax) account pair; `k` = the pair's first row in CooRTweet's order.
    await this.store.run(
      `CREATE TEMP TABLE ${e} AS
      WITH q AS (
        SELECT least(account_id, account_id_y) AS a1, greatest(account_id, account_id_y) AS a2,
          time_delta_us, content_id, content_id_y, object_id,
          (CAST(og AS HUGEINT) << 64) + (CAST(iid AS HUGEINT) << 32) + xid AS k
        FROM (${this.pairsSql()})),
      g AS (
        SELECT a1, a2, count(*) AS weight, sum(time_delta_us) AS sum_us,
          count(DISTINCT content_id) AS nc, count(DISTINCT content_id_y) AS ncy, min(k) AS k
        FROM q GROUP BY a1, a2),
      n AS (SELECT *, row_number() OVER (ORDER BY k) AS eno FROM g),${
        o.objects
          ? `
      -- paste(unique(object_id), collapse = ","): each edge's objects in order of appearance.
      ob AS (
        SELECT a1, a2, string_agg(object_id, ',' ORDER BY k) AS object_ids
        FROM (SELECT a1, a2, object_id, min(k) AS k FROM q GROUP BY a1, a2, object_id) GROUP BY a1, a2),`
          : ''
      }
      -- graph_from_data_frame's vertices: unique(c(from, to)), in edge order.
      vf AS (SELECT a1 AS v, min(eno) AS pos FROM n GROUP BY a1),
      vt AS (SELECT a2 AS v, min(eno) AS pos FROM n WHERE a2 NOT IN (SELECT v FROM vf) GROUP BY a2),
      v AS (
        SELECT v, row_number() OVER (ORDER BY side, pos) AS vno
        FROM (SELECT v, pos, 0 AS side FROM vf UNION ALL SELECT v, pos, 1 AS side FROM vt))
      SELECT g.eno, g.weight, g.sum_us, g.nc, g.ncy,
        CASE WHEN v1.vno < v2.vno THEN g.a1 ELSE g.a2 END AS src,
        CASE WHEN v1.vno < v2.vno THEN g.a2 ELSE g.a1 END AS dst,
        least(v1.vno, v2.vno) AS vfrom, greatest(v1.vno, v2.vno) AS vto${o.objects ? ', ob.object_ids' : ''}
      FROM n g JOIN v v1 ON v1.v = g.a1 JOIN v v2 ON v2.v = g.a2
      ${o.objects ? 'JOIN ob ON ob.a1 = g.a1 AND ob.a2 = g.a2' : ''}`,
    );
    const total = Number(await this.store.value(`SELECT count(*) FROM ${e}`));
    const weightThreshold = await this.quantile(e, total, edgeWeight);
    // `weight > NaN` is false in R's ifelse too (NA), and there are no edges then anyway.
    const where = o.subgraph
      ? `WHERE weight > ${Number.isNaN(weightThreshold) ? 'NULL' : weightThreshold}`
      : '';
    const count = Number(await this.store.value(`SELECT count(*) FROM ${e} ${where}`));
    checkRows('network edges', count, 'raise the minimum participation or narrow the time window');
    const rows = await bulkRows(
      this.store,
      `SELECT *, row_number() OVER (ORDER BY eno) AS seq FROM ${e} ${where}`,
      ['src', 'dst', 'weight', 'sum_us', 'nc', 'ncy', 'vfrom', 'vto', ...(o.objects ? ['object_ids'] : [])],
    );
    await this.store.run(`DROP TABLE ${e}`);
    const vertices = new Map<number, string>();
    const edges = rows.map(([from, to, weight, sumUs, nc, ncy, vfrom, vto, objectIds]) => {
      vertices.set(vfrom as number, from as string);
      vertices.set(vto as number, to as string);
      const [a, b] = [nc as number, ncy as number];
      const edge: CoortweetEdge = {
        from: from as string,
        to: to as string,
        weight: weight as number,
        avg_time_delta: (sumUs as number) / 1e6 / (weight as number),
        n_content_id: a,
        n_content_id_y: b,
        edge_symmetry_score: Math.min(a, b) / Math.max(a, b),
        weight_threshold: (weight as number) > weightThreshold ? 1 : 0,
      };
      if (o.objects) edge.object_ids = objectIds as string;
      return edge;
    });
    const names = [...vertices.entries()].sort((m, n) => m[0] - n[0]).map(([, v]) => v);
    return { weightThreshold, totalEdges: total, edges, nodes: components(names, edges) };
  }

  /** R's `quantile(weight, p)` (type 7) over the edges of table `e`, from its two order statistics. */
  private async quantile(e: string, n: number, p: number): Promise<number> {
    if (n === 0) return Number.NaN;
    const index = 1 + (n - 1) * p;
    const at = async (k: number) =>
      Number(await this.store.value(`SELECT weight FROM ${e} ORDER BY weight LIMIT 1 OFFSET ${k - 1}`));
    return quantileType7(await at(Math.floor(index)), await at(Math.ceil(index)), index);
  }

  async drop(): Promise<void> {
    await this.store.run(`DROP VIEW IF EXISTS ${this.name}_p`);
    for (const t of ['x', 'r', 'e']) await this.store.run(`DROP TABLE IF EXISTS ${this.name}_${t}`);
  }
}

/**
 * R's `quantile(x, p, type = 7)` from the order statistics at `floor(index)` and `ceiling(index)`,
 * `index = 1 + (n - 1) p`, with R's arithmetic: `(1 - h) x[lo] + h x[hi]`.
 */
export function quantileType7(lo: number, hi: number, index: number): number {
  const h = index - Math.floor(index);
  return h > 0 && hi !== lo ? (1 - h) * lo + h * hi : lo;
}

/** igraph's `components()` membership: clusters numbered from 1 in order of their first vertex. */
function components(names: string[], edges: CoortweetEdge[]): { account_id: string; component: number }[] {
  const index = new Map(names.map((n, i) => [n, i]));
  const parent = names.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const e of edges) {
    const a = find(index.get(e.from)!);
    const b = find(index.get(e.to)!);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const number = new Map<number, number>();
  return names.map((account_id, i) => {
    const root = find(i);
    if (!number.has(root)) number.set(root, number.size + 1);
    return { account_id, component: number.get(root)! };
  });
}

/** The files `writeCoortweetCsv` writes in its folder. */
export const COORTWEET_FILES = {
  pairs: 'detect_groups.csv',
  edges: 'network_edges.csv',
  nodes: 'network_nodes.csv',
  subgraphEdges: 'subgraph_edges.csv',
  subgraphNodes: 'subgraph_nodes.csv',
} as const;

/**
 * Writes CooRTweet's results as `data.table::fwrite` would (`COORTWEET_FILES`, in `dir`, which must
 * exist): the pairs, the whole network (`subgraph = 0`: every edge with `weight_threshold`, every
 * vertex with its component) and the filtered one (`subgraph = 1`). The pairs' file is written
 * first, at any size; the networks refuse more than `MAX_JS_ROWS` edges. Returns the paths written.
 */
export async function writeCoortweetCsv(
  dir: string,
  pairs: CoortweetPairs,
  o: CoortweetNetworkOptions = {},
): Promise<string[]> {
  const path = (name: string) => join(dir, name);
  await pairs.writeCsv(path(COORTWEET_FILES.pairs));
  const written = [path(COORTWEET_FILES.pairs)];
  const edges = edgeCsvColumns(Boolean(o.objects));
  for (const [subgraph, edgeFile, nodeFile] of [
    [false, COORTWEET_FILES.edges, COORTWEET_FILES.nodes],
    [true, COORTWEET_FILES.subgraphEdges, COORTWEET_FILES.subgraphNodes],
  ] as const) {
    const net = await pairs.network({ ...o, subgraph });
    writeCsvFile(path(edgeFile), 'fwrite', edges, net.edges);
    writeCsvFile(path(nodeFile), 'fwrite', NODE_CSV, net.nodes);
    written.push(path(edgeFile), path(nodeFile));
  }
  return written;
}
