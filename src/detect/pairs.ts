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
 * Two passes keep the once-only pairs out of memory. Busy objects put tens of millions of account
 * pairs together once (about 120M pairs of posts at 10M simulated posts), and a pair with a single
 * pair of posts can never be tested (it needs `minParticipation` >= 2 co-actions). The first pass
 * streams every co-action of every signal into one aggregate per pair of accounts that keeps only
 * whether its pairs of posts differ, in slices of the account pairs (by the smaller account's
 * index) so that one slice's aggregate fits in memory; the second materialises the pairs of posts
 * of the account pairs that have two or more (det_pair_events), from their accounts' units only. The co-actions of the few
 * accounts the clustering looks at, once-only ones included, are recomputed for those accounts alone
 * (localEvents).
 *
 * Exposure, for the null model: each unit x has k(x) candidate co-actors, the other units of its
 * object in its bucket and the (open) two beside it. Per account and stratum (platform and language
 * of the post), r = sum over the account's open units of k(x) / M(stratum), and g = the same over
 * M(all): the share of the signal's units that fall in the account's crowds (significance.ts).
 * Counting the neighbouring buckets whole makes these overestimates.
 */
import type { Store } from '../store/store.js';

/** Rows of co-actions one slice of the first pass aggregates at most (some 700 MB of aggregate state). */
const SLICE_ROWS = 16_000_000;

const EVENT_COLUMNS =
  'sid UTINYINT, a1 UBIGINT, a2 UBIGINT, p1 BIGINT, p2 BIGINT, ok UBIGINT, t BIGINT, dt BIGINT, idf DOUBLE';

export async function createPairTables(store: Store): Promise<void> {
  // The open units of every signal, with the account's dense index (det_accounts), the signal's
  // window and the unit's IDF weight.
  await store.run(`CREATE OR REPLACE TEMP TABLE det_units (
    sid UTINYINT, ak UBIGINT, ai UINTEGER, ok UBIGINT, b BIGINT, t0 BIGINT, t1 BIGINT, pr BIGINT, w BIGINT, idf DOUBLE)`);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_pair_events (${EVENT_COLUMNS})`);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_events (${EVENT_COLUMNS})`);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_accounts (ak UBIGINT)`);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE det_exposure (sid UTINYINT, ak UBIGINT, st VARCHAR, m BIGINT, r DOUBLE, g DOUBLE)`,
  );
}

export interface UnitStats {
  units: number;
  /** Pairs of units the join will consider (same bucket, or the next one within the window or not). */
  candidates: number;
  crowdedWindows: number;
  crowdedActions: number;
}

/** One signal's units (det_units) and exposure (det_exposure), from its actions in det_actions. */
export async function coActionUnits(
  store: Store,
  sid: number,
  window: number,
  crowdCap: number,
): Promise<UnitStats> {
  const w = Math.round(window);
  const width = Math.max(w, 1);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_signal_units AS
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
    WITH open AS (SELECT * FROM det_signal_units WHERE n <= ${crowdCap}),
    stratum AS (SELECT st, count(*) AS mm FROM open GROUP BY st),
    total AS (SELECT count(*) AS mm FROM open)
    SELECT ${sid}, ak, st, count(*), sum(k) / any_value(stratum.mm), sum(k) / any_value(total.mm)
    FROM open JOIN stratum USING (st) CROSS JOIN total GROUP BY ak, st`);
  // Over the open units, sum k / 2 counts each pair of units in one bucket or two consecutive ones once.
  const [crowded] = await store.all<{ windows: number; units: number; candidates: number | null }>(
    `SELECT count(DISTINCT (ok, b)) FILTER (WHERE n > ${crowdCap})::BIGINT AS windows,
       count(*) FILTER (WHERE n > ${crowdCap})::BIGINT AS units,
       (sum(k) FILTER (WHERE n <= ${crowdCap}) / 2)::DOUBLE AS candidates FROM det_signal_units`,
  );
  const [active] = await store.all<{ n: number }>(
    `SELECT count(DISTINCT ak)::BIGINT AS n FROM det_actions WHERE sid = ${sid}`,
  );
  const accounts = Math.max(active!.n, 1);
  await store.run(`INSERT INTO det_units
    SELECT ${sid}, u.ak, a.ai, u.ok, u.b, u.t0, u.t1, u.pr, ${w}, ln(${accounts} / u.n)
    FROM det_signal_units u JOIN det_accounts a USING (ak) WHERE u.n <= ${crowdCap}`);
  const units = Number((await store.value<number>(`SELECT count(*) FROM det_units WHERE sid = ${sid}`)) ?? 0);
  await store.run(`DROP TABLE det_signal_units`);
  return {
    units,
    candidates: crowded!.candidates ?? 0,
    crowdedWindows: crowded!.windows,
    crowdedActions: crowded!.units,
  };
}

/**
 * Every co-action between units of `x` and units of `y` (two sets of det_units rows, `y` holding
 * `x`), each unordered pair of units once when `order` is '<' and `x` is a slice by the smaller
 * account index; with '<>' a pair of two `x` units comes twice (the aggregates that follow are
 * idempotent). `select(dt)` gives the columns over l, the earlier unit (or either in one bucket), and r.
 */
function coActionSql(select: (dt: string) => string, x: string, y: string, order: '<' | '<>'): string {
  const next = 'l.sid = r.sid AND l.ok = r.ok AND l.b + 1 = r.b';
  return `SELECT ${select('abs(l.t0 - r.t0)')} FROM ${x} l JOIN ${y} r
      ON l.sid = r.sid AND l.ok = r.ok AND l.b = r.b WHERE l.ai ${order} r.ai
    UNION ALL
    SELECT ${select('r.t0 - l.t1')} FROM ${x} l JOIN ${y} r ON ${next}
      WHERE l.ai ${order} r.ai AND r.t0 - l.t1 <= l.w
    UNION ALL
    SELECT ${select('r.t0 - l.t1')} FROM ${y} l JOIN ${x} r ON ${next}
      WHERE r.ai ${order} l.ai AND r.t0 - l.t1 <= l.w`;
}

/** Exact key of an unordered pair of accounts, from their dense indices. */
const PAIR_KEY = '(least(l.ai, r.ai)::UBIGINT << 32) | greatest(l.ai, r.ai)::UBIGINT';

/**
 * The closest co-action of a pair of posts (several objects may join them), ties broken by object:
 * time difference and object key in one fixed-size number, so the choice is deterministic and the
 * aggregate stays small enough to spill to disk.
 */
const CLOSEST = '((dt::HUGEINT << 64) + ok::HUGEINT)';

/** Rows of `co` (sid, a, b, ok, t, dt, pa, pb, idf) as pairs of posts: one row each, as det_pair_events. */
function postPairsSql(co: string): string {
  return `WITH co AS (${co}),
    best AS (
      SELECT sid, least(a, b) AS a1, greatest(a, b) AS a2,
        CASE WHEN a < b THEN pa ELSE pb END AS p1, CASE WHEN a < b THEN pb ELSE pa END AS p2,
        min(${CLOSEST}) AS closest, arg_min(t, ${CLOSEST}) AS t, max(idf) AS idf
      FROM co GROUP BY ALL)
    SELECT sid, a1, a2, p1, p2, (closest & ${2n ** 64n - 1n})::UBIGINT, t, (closest >> 64)::BIGINT, idf
    FROM best`;
}

const eventColumns = (dt: string) =>
  `l.sid, l.ak AS a, r.ak AS b, l.ok, least(l.t0, r.t0) AS t, ${dt} AS dt, l.pr AS pa, r.pr AS pb, least(l.idf, r.idf) AS idf`;

/**
 * Both passes over det_units (every signal's units in; `candidates`: the pairs of units the join
 * considers, from coActionUnits). Fills det_pair_events with the pairs of posts of every pair of
 * accounts that has two distinct ones or more (all pairs when `minParticipation` is 1); returns the
 * distinct pairs of accounts that co-act in each signal.
 */
export async function pairAccounts(
  store: Store,
  minParticipation: number,
  candidates: number,
): Promise<Map<number, number>> {
  const slices = Math.max(1, Math.ceil(candidates / SLICE_ROWS));
  const maxPost = Number((await store.value<number>(`SELECT max(pr)::DOUBLE FROM det_units`)) ?? 0);
  // Two rows of a pair of accounts are the same pair of posts when both posts are: the pair of
  // post rowids in one number (exact while rowids are below 2^32, as in any real store).
  const posts =
    maxPost < 2 ** 32
      ? `CASE WHEN l.ai < r.ai THEN (l.pr::UBIGINT << 32) | r.pr::UBIGINT ELSE (r.pr::UBIGINT << 32) | l.pr::UBIGINT END`
      : `CASE WHEN l.ai < r.ai THEN (l.pr::HUGEINT << 64) + r.pr ELSE (r.pr::HUGEINT << 64) + l.pr END`;
  const filter = minParticipation > 1;
  const perSignal = new Map<number, number>();
  await store.run(`CREATE OR REPLACE TEMP TABLE det_multi (key UBIGINT)`);
  // Pass 1: per pair of accounts, the signals it co-acts in and whether it has two pairs of posts.
  for (let slice = 0; slice < slices; slice++) {
    const x = slices > 1 ? `(SELECT * FROM det_units WHERE ai % ${slices} = ${slice})` : 'det_units';
    await store.run(`CREATE OR REPLACE TEMP TABLE det_slice AS
      WITH keys AS (
        SELECT key, ${filter ? 'min(pp) <> max(pp)' : 'false'} AS multi, bit_or(1::UINTEGER << sid) AS sigs
        FROM (${coActionSql(() => `l.sid, ${PAIR_KEY} AS key, ${posts} AS pp`, x, 'det_units', '<')})
        GROUP BY key)
      SELECT sigs, count(*)::BIGINT AS n, list(key) FILTER (WHERE multi) AS keys FROM keys GROUP BY sigs`);
    await store.run(`INSERT INTO det_multi SELECT unnest(keys) FROM det_slice WHERE keys IS NOT NULL`);
    for (const row of await store.all<{ sigs: number; n: number }>(`SELECT sigs, n FROM det_slice`))
      for (let sid = 0; sid < 32; sid++)
        if (row.sigs & (1 << sid)) perSignal.set(sid, (perSignal.get(sid) ?? 0) + row.n);
  }
  // Pass 2: the pairs of posts of the account pairs kept, from the units of their accounts only.
  if (filter) {
    const units = `(SELECT * FROM det_units WHERE ai IN (
      SELECT (key >> 32)::UINTEGER FROM det_multi UNION SELECT (key & ${2 ** 32 - 1})::UINTEGER FROM det_multi))`;
    const co = coActionSql((dt) => `${eventColumns(dt)}, ${PAIR_KEY} AS key`, units, units, '<');
    await store.run(
      `INSERT INTO det_pair_events ${postPairsSql(
        `SELECT * EXCLUDE (key) FROM (${co}) WHERE key IN (SELECT key FROM det_multi)`,
      )}`,
    );
  } else {
    await store.run(
      `INSERT INTO det_pair_events ${postPairsSql(coActionSql(eventColumns, 'det_units', 'det_units', '<'))}`,
    );
  }
  await store.run(`DROP TABLE IF EXISTS det_slice`);
  await store.run(`DROP TABLE IF EXISTS det_multi`);
  return perSignal;
}

/**
 * Makes det_local_events hold every co-action (pair of posts, as det_pair_events) of the accounts
 * of `table (ak, ...)` with any account, once-only ones included: the membership and group tests
 * and the evidence need them (a sleeper co-acts once with each of many members). Accounts already
 * covered (det_local_accounts) are not recomputed, and their co-actions are not added twice.
 */
export async function localEvents(store: Store, table: string): Promise<void> {
  // The new accounts' units in a table of their own: the joins build on them and stream det_units.
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_units AS
    SELECT * FROM det_units WHERE ak IN (SELECT ak FROM ${table}) AND ak NOT IN (SELECT ak FROM det_local_accounts)`);
  const co = coActionSql(eventColumns, 'det_local_units', 'det_units', '<>');
  await store.run(
    `INSERT INTO det_local_events ${postPairsSql(
      `SELECT * FROM (${co}) WHERE a NOT IN (SELECT ak FROM det_local_accounts) AND b NOT IN (SELECT ak FROM det_local_accounts)`,
    )}`,
  );
  await store.run(`INSERT INTO det_local_accounts SELECT DISTINCT ak FROM det_local_units`);
  await store.run(`DROP TABLE det_local_units`);
}

/**
 * `det_local_pairs (a1, a2, k)`: K (distinct post pairs over all signals) for every pair with a
 * co-action that involves an account of `table (ak, ...)`, single co-actions included: the
 * membership and group tests need them (a sleeper co-acts once with each of many members), the pair
 * tests do not (det_pairs holds only pairs with K >= minParticipation).
 */
export async function localPairs(store: Store, table: string): Promise<void> {
  await localEvents(store, table);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_pairs AS
    SELECT a1, a2, count(*) AS k FROM (
      SELECT DISTINCT a1, a2, p1, p2 FROM det_local_events
      WHERE a1 IN (SELECT ak FROM ${table}) OR a2 IN (SELECT ak FROM ${table}))
    GROUP BY a1, a2`);
}
