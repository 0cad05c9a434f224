/**
 * coordination-network-toolkit compatibility: the co-retweet network of QUT Digital Observatory's
 * toolkit (github.com/QUT-Digital-Observatory/coordination-network-toolkit,
 * `compute_networks.compute_co_retweet_parallel`, `graph.get_edge_rows`, `output.output_gephi_csv`;
 * Graham et al.), over the store.
 *
 * The toolkit's query, reproduced exactly:
 *
 * ```sql
 * select e_1.user_id as user_1, e_2.user_id as user_2, count(distinct e_1.message_id) as weight
 * from edge e_1 inner join edge e_2
 *   on e_1.repost_id = e_2.repost_id
 *   and e_2.timestamp between e_1.timestamp - :window and e_1.timestamp + :window
 *   and e_1.message_id != e_2.message_id
 * group by e_1.user_id, e_2.user_id having weight >= :min_edge_weight
 * ```
 *
 * So edges are directed (user_1 -> user_2 and user_2 -> user_1 are two rows), and the weight of
 * user_1 -> user_2 is the number of user_1's retweets that have at least one retweet of the same
 * post by user_2 within the window, not the number of retweet pairs: the two directions can differ.
 * An account retweeting the same post twice within the window has a self-loop, shown only with
 * `loops` (`get_edge_rows(..., loops=False)` drops `user_1 = user_2`).
 */
import { join } from 'node:path';
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
import { type CsvColumn, writeCsvFile } from './csv.js';

export interface CntOptions {
  /** `time_window`, seconds: retweets at most this far apart (inclusive). */
  timeWindow: number;
  /** `min_edge_weight` (default 1): edges with a smaller weight are dropped. */
  minEdgeWeight?: number;
  /** `--loops`: keep self-loops (default false). */
  loops?: boolean;
  /** Only the posts of this platform (the toolkit sees one data set at a time). */
  platform?: string;
}

/** One row of the toolkit's Gephi edge CSV (`output_gephi_csv`), with its column names. */
export interface CntEdge {
  source: string;
  target: string;
  weight: number;
  edge_type: 'co_retweet';
}

/** The toolkit's edge CSV columns (`output_gephi_csv`); every field is quoted there. */
export const CNT_EDGE_CSV: readonly CsvColumn[] = [
  { name: 'source', type: 'string' },
  { name: 'target', type: 'string' },
  { name: 'weight', type: 'int' },
  { name: 'edge_type', type: 'string' },
];

/**
 * The co-retweet network (`compute_co_retweet_parallel` + `get_edge_rows`), edges ordered by
 * (source, target) as the toolkit's `without rowid` table returns them. Retweets are the store's
 * reposts (`kind = 'repost'`, the retweeted post in `ref_post_id`).
 */
export async function cntCoRetweet(store: Store, o: CntOptions): Promise<CntEdge[]> {
  const w = windowMicros('coordination-network-toolkit', o.timeWindow);
  const min = checkCount('min edge weight', o.minEdgeWeight ?? 1);
  const params: string[] = [];
  const where = platformFilter(o.platform, params);
  // Each unordered pair of retweets once (bucket join), then both directions: (e_1, e_2), (e_2, e_1).
  const g = tempName('cnt');
  await store.run(
    `CREATE TEMP TABLE ${g} AS
    WITH e AS MATERIALIZED (
      SELECT account_id AS u, ref_post_id AS obj, epoch_us(created_at) AS t, rowid AS id,
        ${bucketSql('epoch_us(created_at)', w)} AS b
      FROM posts WHERE ${where} AND kind = 'repost' AND ref_post_id IS NOT NULL),
    p AS (${bucketPairsSql('e', 'obj', w, 'p.u AS pu, p.id AS pid, q.u AS qu, q.id AS qid')}),
    d AS (SELECT pu AS u1, qu AS u2, pid AS m1 FROM p UNION ALL SELECT qu, pu, qid FROM p)
    SELECT u1, u2, count(DISTINCT m1) AS weight FROM d
    ${o.loops ? '' : 'WHERE u1 <> u2'}
    GROUP BY u1, u2 HAVING count(DISTINCT m1) >= ${min}`,
    params,
  );
  try {
    const count = Number(await store.value(`SELECT count(*) FROM ${g}`));
    checkRows('co-retweet edges', count, 'raise the minimum edge weight or narrow the time window');
    const rows = await bulkRows(
      store,
      `SELECT u1, u2, weight, row_number() OVER (ORDER BY u1, u2) AS seq FROM ${g}`,
      ['u1', 'u2', 'weight'],
    );
    return rows.map(([source, target, weight]) => ({
      source: source as string,
      target: target as string,
      weight: weight as number,
      edge_type: 'co_retweet',
    }));
  } finally {
    await store.run(`DROP TABLE IF EXISTS ${g}`);
  }
}

/** The network's nodes as the toolkit's networkx graph holds them: accounts in order of first edge. */
export function cntNodes(edges: CntEdge[]): string[] {
  const nodes = new Set<string>();
  for (const e of edges) nodes.add(e.source).add(e.target);
  return [...nodes];
}

/** The file `writeCntCsv` writes: the toolkit's `compute_networks ... --output_file` name is the user's. */
export const CNT_FILE = 'co_retweet_edges.csv';

/**
 * Writes the edges as the toolkit's `output_gephi_csv` does (Python `csv.QUOTE_ALL`, `\r\n`), to
 * `CNT_FILE` in `dir` (which must exist). Returns the path.
 */
export function writeCntCsv(dir: string, edges: CntEdge[]): string {
  const path = join(dir, CNT_FILE);
  writeCsvFile(path, 'python-quote-all', CNT_EDGE_CSV, edges);
  return path;
}
