/**
 * Stage 3: which pairs co-act more than chance allows.
 *
 * Statistic: K(a, b) = the co-actions of a and b over all signals, counted as distinct pairs of
 * posts (one post pair matching on a hashtag, a link and a text family is one co-action).
 * Null model: every account keeps its activity and every object its timeline (who acted when), but
 * an account's units are placed at random among the signal's units of their stratum (platform and
 * language: people mostly act in their own language), or, with probability CROSS_STRATUM, anywhere
 * (language labels are noisy and people do cross). b's units then fall into a's crowds
 *   m(b, s) r(a, s) times in stratum s, and m(b) g(a) times when placed anywhere (pairs.ts),
 * and the expected co-actions of the pair, summed over signals and symmetrised, are
 *   lambda(a, b) = (1 - c) sum_s (m(b,s) r(a,s) + m(a,s) r(b,s)) / 2 + c (m(b) g(a) + m(a) g(b)) / 2.
 * This is the configuration-model null of the account-object bipartite graph, made time-aware by the
 * crowds (cf. Tumminello et al. 2011, "Statistically validated networks in bipartite complex
 * systems"; Coscia & Neffke 2017, noise-corrected backbones). Popular objects and busy accounts get a
 * large expectation, so a viral post's retweeters are not glued together. lambda is computed for
 * each pair that can be tested by the co-action walk (coactions.ts: Expectation), which has the pair
 * at hand; this file tests it.
 *
 * Test: K against Poisson(lambda); lambda counts unit pairs, at least as many as post pairs, so the
 * test leans conservative. The tail P(X >= K) is bounded above by
 *   e^-lambda lambda^K / K! * 1 / (1 - lambda / (K + 1))     (lambda < K + 1; else taken as 1).
 * The same test runs on each signal alone (K and lambda of that signal), and the pair's p-value is
 * the smallest of these S + 1 tests times S + 1 (Bonferroni): K counts a pair of posts once however
 * many signals join it, while lambda adds up over signals, so a group whose copies also carry its
 * hashtags would otherwise see its evidence diluted by every signal it adds.
 * Multiple testing: Benjamini-Hochberg at `fdr` over every pair of active accounts: a pair that never
 * co-acted was tested too (and failed), so the family is N (N - 1) / 2 pairs. Pairs with fewer than
 * `minParticipation` co-actions are never significant.
 */
import type { Store } from '../store/store.js';
import { logPoissonTailSql, stableSum } from './stats.js';

/**
 * ln of the Bonferroni factor of the per-signal tests and the test over all signals: S + 1 tests,
 * or one when a single signal runs (its test is the overall test).
 */
export function bonferroni(signals: number): number {
  return signals > 1 ? Math.log(signals + 1) : 0;
}

/** Share of an account's activity the null model places outside its stratum (see the header). */
export const CROSS_STRATUM = 0.5;

export interface SignificanceStats {
  pairsTested: number;
  candidates: number;
  significantPairs: number;
  /** Natural log of the largest accepted p-value (0 when none). */
  logThreshold: number;
}

export async function testPairs(
  store: Store,
  minParticipation: number,
  fdr: number,
  signals: number,
): Promise<SignificanceStats> {
  // det_exposure_total: what the group tests read (groupExpectedSql).
  await store.run(`CREATE OR REPLACE TEMP TABLE det_exposure_total AS
    SELECT sid, ak, sum(m) AS m, ${stableSum('g')} AS g FROM det_exposure GROUP BY sid, ak`);
  // det_pairs (K, weight, signals and lambda per pair with K >= minParticipation) and
  // det_pair_signals (K and lambda per signal) come from the co-action walk (pairs.ts), which
  // computes lambda as pairTotalsSql does in SQL (test/detect/units.test.ts), to the last bit.
  // Every pair of active accounts was tested: one with no co-action is a test that failed, so the
  // family of the correction is all N (N - 1) / 2 pairs, not only the pairs that co-acted.
  const active = Number((await store.value<number>(`SELECT count(DISTINCT ak) FROM det_exposure`)) ?? 0);
  const m = (active * (active - 1)) / 2;
  await store.run(`CREATE OR REPLACE TEMP TABLE det_tested AS
    WITH per AS (
      SELECT a1, a2,
        min(CASE WHEN k >= ${minParticipation} THEN ${logPoissonTailSql('k', 'mu')} ELSE 0 END) AS lp_signal
      FROM det_pair_signals GROUP BY a1, a2)
    SELECT c.*, least(0, least(${logPoissonTailSql('c.k', 'c.mu')}, per.lp_signal) + ${bonferroni(signals)}) AS lp
    FROM det_pairs c JOIN per USING (a1, a2)`);
  const [cand] = await store.all<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM det_tested`);
  // Benjamini-Hochberg: the largest rank i with p(i) <= fdr * i / m; every p up to p(i) is accepted.
  const [bh] = await store.all<{ lp: number | null }>(
    `SELECT max(lp) AS lp FROM (SELECT lp, row_number() OVER (ORDER BY lp) AS i FROM det_tested)
     WHERE lp <= ln(${fdr} * i / ${Math.max(m, 1)})`,
  );
  const logThreshold = bh?.lp ?? null;
  await store.run(`CREATE OR REPLACE TEMP TABLE det_edges AS
    SELECT * FROM det_tested WHERE ${logThreshold === null ? 'false' : `lp <= ${logThreshold}`}`);
  const [sig] = await store.all<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM det_edges`);
  return {
    pairsTested: m,
    candidates: cand!.n,
    significantPairs: sig!.n,
    logThreshold: logThreshold ?? Number.NEGATIVE_INFINITY,
  };
}

/**
 * SQL: the expected co-actions, under the null model, among the members of each group of
 * `table (ak, c)`: the sum of lambda over all member pairs, from sums of the members' exposures
 * (sum over pairs of m(b) r(a) = (sum m)(sum r) - sum m r, per signal and stratum). Columns c, expected.
 */
export function groupExpectedSql(table: string): string {
  return `WITH strat AS (
      SELECT m.c, x.sid, x.st, sum(x.m) AS sm, ${stableSum('x.r')} AS sr, ${stableSum('x.m * x.r')} AS smr
      FROM ${table} m JOIN det_exposure x USING (ak) GROUP BY ALL),
    pool AS (
      SELECT m.c, x.sid, sum(x.m) AS sm, ${stableSum('x.g')} AS sg, ${stableSum('x.m * x.g')} AS smg
      FROM ${table} m JOIN det_exposure_total x USING (ak) GROUP BY ALL),
    s AS (SELECT c, ${stableSum('(sm * sr - smr) / 2')} AS e FROM strat GROUP BY c),
    p AS (SELECT c, ${stableSum('(sm * sg - smg) / 2')} AS e FROM pool GROUP BY c)
    SELECT c, ${1 - CROSS_STRATUM} * coalesce(s.e, 0) + ${CROSS_STRATUM} * p.e AS expected
    FROM p LEFT JOIN s USING (c)`;
}
