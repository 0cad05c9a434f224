/**
 * Stage 4: clusters. The significant pairs of all signals form one account graph (the signals are
 * fused through the co-action count and the summed expectation, significance.ts); each account keeps
 * its `neighbours` strongest edges by IDF weight (a k-nearest-neighbour sparsification that keeps
 * dense groups dense and bounds the graph's size), and Louvain (Blondel et al. 2008, graphology's
 * implementation, seeded) splits it into communities.
 *
 * Louvain's communities are proposals. Membership is then tested account by account against each
 * community (attach), which also brings in accounts with too little pairwise evidence, such as
 * sleepers; and each resulting cluster is tested as a group, with the search over all groups of its
 * size taken into account (dropChanceClusters).
 */
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import { Rng } from '../core/random.js';
import { fetchFields, insertValues } from '../store/bulk.js';
import type { Store } from '../store/store.js';
import { localPairs } from './pairs.js';
import { bonferroni, CROSS_STRATUM, groupExpectedSql } from './significance.js';
import { log10Binomial, logPoissonTailBound, logPoissonTailSql, stableSum } from './stats.js';

// A CommonJS module whose typings declare an ES default export: at run time the import is the function.
const louvain = louvainModule as unknown as typeof louvainModule.default;

export interface ClusterStats {
  graphNodes: number;
  graphEdges: number;
  communities: number;
  /** Accounts that passed the membership test, in or outside their Louvain community. */
  attached: number;
  /** Communities dropped because their co-action is explained by chance among that many groups. */
  rejected: number;
  clusters: number;
  accounts: number;
  modularity: number;
}

/** Writes `det_members (ak UBIGINT, c INTEGER)`: cluster index (0-based, unordered) per account. */
export async function clusterAccounts(
  store: Store,
  o: {
    neighbours: number;
    seed: number;
    minClusterSize: number;
    fdr: number;
    minParticipation: number;
    /** Signals in the run: the per-signal tests are combined with a Bonferroni factor. */
    signals: number;
  },
): Promise<ClusterStats> {
  const edges = await fetchFields(
    store,
    `WITH d AS (SELECT a1 AS u, a2 AS v, w FROM det_edges UNION ALL SELECT a2, a1, w FROM det_edges),
     r AS (SELECT u, v, w, row_number() OVER (PARTITION BY u ORDER BY w DESC, v) AS i FROM d)
     SELECT least(u, v) AS a1, greatest(u, v) AS a2, any_value(w) AS w FROM r WHERE i <= ${o.neighbours}
     GROUP BY ALL`,
    ['a1', 'a2', 'w'],
  );
  // Insertion order fixes Louvain's visiting order: sort for a deterministic result.
  edges.sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0));
  const graph = new UndirectedGraph({ allowSelfLoops: false });
  for (const [a, b, w] of edges) {
    graph.mergeNode(a!);
    graph.mergeNode(b!);
    graph.addEdge(a!, b!, { weight: Number(w) });
  }
  let modularity = 0;
  const membership: [string, number][] = [];
  if (graph.order > 0) {
    const rng = new Rng(o.seed);
    const detailed = louvain.detailed(graph, { getEdgeWeight: 'weight', rng: () => rng.next() });
    modularity = detailed.modularity;
    for (const [node, c] of Object.entries(detailed.communities)) membership.push([node, Number(c)]);
  }
  await insertValues(store, 'det_communities', 'ak UBIGINT, c INTEGER', membership);
  const communities = new Set(membership.map(([, c]) => c)).size;
  // Only communities whose own co-action beats chance (among all groups of their size) recruit.
  await localPairs(store, 'det_communities');
  const active = Number((await store.value<number>(`SELECT count(DISTINCT ak) FROM det_exposure`)) ?? 0);
  const rejected = await dropChanceClusters(store, 'det_communities', {
    minClusterSize: 2,
    fdr: o.fdr,
    active,
  });
  const attached = await attach(store, { ...o, active });
  // Attached accounts bring pairs of their own (two sleepers of one cluster). The last group tests
  // stay in det_group_tests for the clusters' description (summary.ts).
  await localPairs(store, 'det_members');
  await dropChanceClusters(store, 'det_members', { ...o, active });
  const [kept] = await store.all<{ clusters: number; accounts: number }>(
    `SELECT count(DISTINCT c)::BIGINT AS clusters, count(*)::BIGINT AS accounts FROM det_members`,
  );
  return {
    graphNodes: graph.order,
    graphEdges: graph.size,
    communities,
    attached,
    rejected,
    clusters: kept!.clusters,
    accounts: kept!.accounts,
    modularity,
  };
}

/**
 * Membership test (every account against every community it co-acted with, members included).
 * O = the co-actions of account a with C's members; E = the sum of the pair test's expectation over
 * them, sum over b in C of lambda(a, b) (significance.ts), from sums of the members' exposures: C's
 * units placed in a's crowds (r(a) M(C)) and a's units placed in C's crowds (m(a) R(C), R(C) the sum
 * of the members' r), averaged. The second term is what keeps out a busy account whose posts now
 * and then land in an operation's bursts: its many units would meet the bursts by chance too.
 * Only accounts that co-act with two members or more, on at least `minParticipation` posts of their
 * own, are tested: one post landing in a burst co-acts with many members at once, but it is one
 * occasion (CooRTweet's min_participation counts shares the same way).
 * O against Poisson(E), bounded as in significance.ts, overall and per signal, combined as the pair
 * test does (the smallest p-value times S + 1); Benjamini-Hochberg over all tests. Accounts
 * that pass join the community where their evidence is strongest: this is what brings in sleepers,
 * which co-act a few times with many members but too rarely with any one member for a pair test.
 */
async function attach(
  store: Store,
  o: { fdr: number; minParticipation: number; signals: number; active: number },
): Promise<number> {
  const { fdr, minParticipation, signals } = o;
  await store.run(`CREATE OR REPLACE TEMP TABLE det_attach AS
    WITH links AS (
      SELECT m.c, p.a2 AS ak, p.k FROM det_local_pairs p JOIN det_communities m ON m.ak = p.a1
      UNION ALL
      SELECT m.c, p.a1 AS ak, p.k FROM det_local_pairs p JOIN det_communities m ON m.ak = p.a2),
    touching AS MATERIALIZED (
      SELECT m.c, e.a2 AS ak, e.p2 AS p, e.sid FROM det_local_events e JOIN det_communities m ON m.ak = e.a1
      UNION ALL
      SELECT m.c, e.a1 AS ak, e.p1 AS p, e.sid FROM det_local_events e JOIN det_communities m ON m.ak = e.a2),
    occasions AS (
      SELECT c, ak FROM touching GROUP BY c, ak HAVING count(DISTINCT p) >= ${minParticipation}),
    observed AS (
      SELECT c, ak, sum(k) AS o FROM links SEMI JOIN occasions USING (c, ak)
      GROUP BY c, ak HAVING count(*) >= 2),
    observed_signal AS (
      SELECT c, ak, sid, count(*) AS o FROM touching SEMI JOIN observed USING (c, ak) GROUP BY ALL),
    mass_st AS (
      SELECT m.c, x.sid, x.st, sum(x.m) AS mc, ${stableSum('x.r')} AS rc
      FROM det_communities m JOIN det_exposure x USING (ak) GROUP BY ALL),
    mass AS (
      SELECT m.c, x.sid, sum(x.m) AS mc, ${stableSum('x.g')} AS gc
      FROM det_communities m JOIN det_exposure_total x USING (ak) GROUP BY ALL),
    strat AS (
      SELECT ob.c, ob.ak, x.sid,
        ${stableSum(`x.r * (mass_st.mc - CASE WHEN own.ak IS NULL THEN 0 ELSE x.m END)
            + x.m * (mass_st.rc - CASE WHEN own.ak IS NULL THEN 0 ELSE x.r END)`)} / 2 AS e
      FROM observed ob JOIN det_exposure x ON x.ak = ob.ak
      JOIN mass_st ON mass_st.c = ob.c AND mass_st.sid = x.sid AND mass_st.st = x.st
      LEFT JOIN det_communities own ON own.ak = ob.ak AND own.c = ob.c
      GROUP BY ob.c, ob.ak, x.sid),
    pooled AS (
      SELECT ob.c, ob.ak, x.sid,
        ${stableSum(`x.g * (mass.mc - CASE WHEN own.ak IS NULL THEN 0 ELSE x.m END)
            + x.m * (mass.gc - CASE WHEN own.ak IS NULL THEN 0 ELSE x.g END)`)} / 2 AS e
      FROM observed ob JOIN det_exposure_total x ON x.ak = ob.ak JOIN mass ON mass.c = ob.c AND mass.sid = x.sid
      LEFT JOIN det_communities own ON own.ak = ob.ak AND own.c = ob.c
      GROUP BY ob.c, ob.ak, x.sid),
    expected_signal AS (
      SELECT c, ak, sid, ${1 - CROSS_STRATUM} * coalesce(strat.e, 0) + ${CROSS_STRATUM} * pooled.e AS e
      FROM pooled LEFT JOIN strat USING (c, ak, sid)),
    expected AS (
      SELECT x.c, x.ak, ${stableSum('x.e')} AS e,
        min(CASE WHEN coalesce(s.o, 0) > 0 THEN ${logPoissonTailSql('s.o', 'x.e')} ELSE 0 END) AS lp_signal
      FROM expected_signal x LEFT JOIN observed_signal s USING (c, ak, sid) GROUP BY x.c, x.ak)
    SELECT c, ak, o, e,
      least(0, least(${logPoissonTailSql('o', 'e')}, lp_signal) + ${bonferroni(signals)}) AS lp
    FROM observed JOIN expected USING (c, ak)`);
  // The family: every active account against every community.
  const tests =
    o.active * Number((await store.value<number>(`SELECT count(DISTINCT c) FROM det_communities`)) ?? 0);
  const threshold = await store.value<number | null>(
    `SELECT max(lp) FROM (SELECT lp, row_number() OVER (ORDER BY lp) AS i FROM det_attach)
     WHERE lp <= ln(${fdr} * i / ${Math.max(tests, 1)})`,
  );
  await store.run(`CREATE OR REPLACE TEMP TABLE det_members AS
    SELECT ak, arg_min(c, (lp, -o, c)) AS c FROM det_attach
    WHERE ${threshold === null || threshold === undefined ? 'false' : `lp <= ${threshold}`}
    GROUP BY ak`);
  return Number((await store.value<number>(`SELECT count(*) FROM det_members`)) ?? 0);
}

/**
 * A group test with the search taken into account (the tests of the groups kept are left in
 * `det_group_tests (c, size, observed, expected)`): a cluster of s accounts is kept only if its
 * members' co-actions (O, over all member pairs) against the null's expectation (E) give a
 * p-value below `fdr` after a Bonferroni correction for every group of s accounts that could have
 * been picked among the N active ones: log10 p + log10 C(N, s) <= log10 fdr. Two co-retweets by the
 * same three light accounts are rare for one triple, and common among N^3 / 6 triples; an operation's
 * hundreds of repeated co-actions pass by hundreds of orders of magnitude. Small groups are dropped too.
 */
async function dropChanceClusters(
  store: Store,
  table: 'det_communities' | 'det_members',
  o: { minClusterSize: number; fdr: number; active: number },
): Promise<number> {
  await store.run(`CREATE OR REPLACE TEMP TABLE det_group_tests AS
    WITH size AS (SELECT c, count(*)::BIGINT AS size FROM ${table} GROUP BY c),
    observed AS (
      SELECT x.c, sum(p.k)::BIGINT AS observed FROM det_local_pairs p
      JOIN ${table} x ON x.ak = p.a1 JOIN ${table} y ON y.ak = p.a2 AND y.c = x.c GROUP BY x.c),
    expected AS (${groupExpectedSql(table)})
    SELECT c, size, coalesce(observed, 0) AS observed, coalesce(expected, 0) AS expected
    FROM size LEFT JOIN observed USING (c) LEFT JOIN expected USING (c)`);
  const rows = await store.all<{ c: number; size: number; observed: number; expected: number }>(
    `SELECT * FROM det_group_tests`,
  );
  const drop = rows
    .filter(
      (r) =>
        r.size < o.minClusterSize ||
        logPoissonTailBound(r.observed, r.expected) / Math.LN10 + log10Binomial(o.active, r.size) >
          Math.log10(o.fdr),
    )
    .map((r) => r.c);
  if (drop.length) {
    await store.run(`DELETE FROM ${table} WHERE c IN (${drop.join(', ')})`);
    await store.run(`DELETE FROM det_group_tests WHERE c IN (${drop.join(', ')})`);
  }
  return drop.filter((c) => rows.find((r) => r.c === c)!.size >= o.minClusterSize).length;
}
