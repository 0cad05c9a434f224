/**
 * Stage 2: co-actions. Two actions of one signal are a co-action when two different accounts act on
 * the same object at most `window` seconds apart. They are found with bucketed equality joins: each
 * action falls in bucket floor(t / window); pairs come from the same bucket and the next one, and the
 * exact time filter follows (STACK.md: a range self-join took 8.5 s where this takes 0.2 s).
 *
 * Units: an account's actions on one object in one bucket are one unit (its first and last time).
 * Two units in the same bucket are always within the window; units in consecutive buckets are when
 * the later one's first time is within the window of the earlier one's last. So co-actions are found
 * exactly, and an account that tags a post 30 times in a minute is one actor in that minute's crowd,
 * not thirty.
 *
 * A bucket of one object holding more than `crowdCap` units (a viral post's first minutes, a
 * trending tag) is not expanded into pairs: it would cost crowd^2 rows while telling almost nothing
 * about any one pair (its IDF weight is near zero). The test is then conditioned on the open
 * buckets: crowded ones count neither in the co-actions nor in the exposure below.
 *
 * A co-action is then a pair of posts: the same two posts acting on several objects (a hashtag and a
 * link in one post) are one co-action, kept with the closest of its times and its IDF weight
 * ln(N / crowd), N being the accounts active in the signal (Sparck Jones 1972, as co-retweet
 * weighting in Pacheco et al. 2021).
 *
 * Exposure, for the null model: each unit x has k(x) candidate co-actors, the other units of its
 * object in its bucket and the (open) two beside it. Per account and stratum (platform and language
 * of the post), r = sum over the account's open units of k(x) / M(stratum), and g = the same over
 * M(all): the share of the signal's units that fall in the account's crowds (significance.ts).
 * Counting the neighbouring buckets whole makes these overestimates.
 */
import type { Store } from '../store/store.js';

export async function createPairTables(store: Store): Promise<void> {
  await store.run(`CREATE OR REPLACE TEMP TABLE det_pair_events (
    sid UTINYINT, a1 UBIGINT, a2 UBIGINT, p1 BIGINT, p2 BIGINT, ok UBIGINT, t BIGINT, dt BIGINT, idf DOUBLE)`);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE det_exposure (sid UTINYINT, ak UBIGINT, st VARCHAR, m BIGINT, r DOUBLE, g DOUBLE)`,
  );
}

export interface PairStats {
  pairs: number;
  crowdedWindows: number;
  crowdedActions: number;
}

/**
 * The closest co-action of a pair of posts (several objects may join them), ties broken by object:
 * time difference and object key in one fixed-size number, so the choice is deterministic and the
 * aggregate stays small enough to spill to disk.
 */
const CLOSEST = '((dt::HUGEINT << 64) + ok::HUGEINT)';

export async function coActions(
  store: Store,
  sid: number,
  window: number,
  crowdCap: number,
): Promise<PairStats> {
  const w = Math.round(window);
  const width = Math.max(w, 1);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_units AS
    WITH u AS (
      SELECT ak, ok, t // ${width} AS b, min(t) AS t0, max(t) AS t1, arg_min(pr, t) AS pr, arg_min(st, t) AS st
      FROM det_actions WHERE sid = ${sid} GROUP BY ak, ok, b),
    counts AS (SELECT ok, b, count(*) AS n FROM u GROUP BY ok, b),
    open AS (SELECT * FROM counts WHERE n <= ${crowdCap})
    SELECT u.*, c.n, c.n - 1 + coalesce(before.n, 0) + coalesce(after.n, 0) AS k
    FROM u JOIN counts c USING (ok, b)
    LEFT JOIN open before ON before.ok = u.ok AND before.b = u.b - 1
    LEFT JOIN open after ON after.ok = u.ok AND after.b = u.b + 1`);
  // The null model is conditioned on the windows that are expanded: crowded ones are left out of
  // the co-actions and of the exposure alike.
  await store.run(`INSERT INTO det_exposure
    WITH open AS (SELECT * FROM det_units WHERE n <= ${crowdCap}),
    stratum AS (SELECT st, count(*) AS mm FROM open GROUP BY st),
    total AS (SELECT count(*) AS mm FROM open)
    SELECT ${sid}, ak, st, count(*), sum(k / stratum.mm), sum(k / total.mm)
    FROM open JOIN stratum USING (st) CROSS JOIN total GROUP BY ak, st`);
  const [crowded] = await store.all<{ windows: number; units: number }>(
    `SELECT count(DISTINCT (ok, b))::BIGINT AS windows, count(*)::BIGINT AS units FROM det_units WHERE n > ${crowdCap}`,
  );
  const [active] = await store.all<{ n: number }>(
    `SELECT count(DISTINCT ak)::BIGINT AS n FROM det_actions WHERE sid = ${sid}`,
  );
  const accounts = Math.max(active!.n, 1);
  const side = (l: string, r: string, dt: string) =>
    `${l}.ak AS a, ${r}.ak AS b, ${l}.ok, least(${l}.t0, ${r}.t0) AS t, ${dt} AS dt, ${l}.pr AS pa, ${r}.pr AS pb, greatest(${l}.n, ${r}.n) AS n`;
  await store.run(`INSERT INTO det_pair_events
    WITH y AS (SELECT * FROM det_units WHERE n <= ${crowdCap}),
    co AS (
      SELECT ${side('l', 'r', 'abs(l.t0 - r.t0)')} FROM y l JOIN y r ON l.ok = r.ok AND l.b = r.b
      WHERE l.ak < r.ak
      UNION ALL
      SELECT ${side('l', 'r', 'r.t0 - l.t1')} FROM y l JOIN y r ON l.ok = r.ok AND l.b + 1 = r.b
      WHERE l.ak <> r.ak AND r.t0 - l.t1 <= ${w}),
    best AS (
      SELECT least(a, b) AS a1, greatest(a, b) AS a2,
        CASE WHEN a < b THEN pa ELSE pb END AS p1, CASE WHEN a < b THEN pb ELSE pa END AS p2,
        min(${CLOSEST}) AS closest, arg_min(t, ${CLOSEST}) AS t, max(ln(${accounts} / n)) AS idf
      FROM co GROUP BY ALL)
    SELECT ${sid}, a1, a2, p1, p2, (closest & ${2n ** 64n - 1n})::UBIGINT, t, (closest >> 64)::BIGINT, idf
    FROM best`);
  await store.run(`DROP TABLE det_units`);
  const [pairs] = await store.all<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM (SELECT DISTINCT a1, a2 FROM det_pair_events WHERE sid = ${sid})`,
  );
  return { pairs: pairs!.n, crowdedWindows: crowded!.windows, crowdedActions: crowded!.units };
}

/**
 * `det_local_pairs (a1, a2, k)`: K (distinct post pairs over all signals) for every pair with a
 * co-action that involves an account of `table (ak, ...)`, single co-actions included: the
 * membership and group tests need them (a sleeper co-acts once with each of many members), the pair
 * tests do not (det_pairs holds only pairs with K >= minParticipation).
 */
export async function localPairs(store: Store, table: string): Promise<void> {
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_pairs AS
    SELECT a1, a2, count(*) AS k FROM (
      SELECT DISTINCT a1, a2, p1, p2 FROM det_pair_events
      WHERE a1 IN (SELECT ak FROM ${table}) OR a2 IN (SELECT ak FROM ${table}))
    GROUP BY a1, a2`);
}
