/**
 * The detection stages one by one, each against an independent computation of what its header
 * documents:
 * - stats.ts: the Poisson upper-tail bound (SQL and JS) against the exact tail, summed term by term
 *   with log-sum-exp, over a grid that reaches p ~ 1e-150000;
 * - significance.ts: the null model's lambda and Benjamini-Hochberg's step-up rule (1995) on a small
 *   family whose p-values are placed around the BH line;
 * - pairs.ts: the bucketed equality join against a brute-force range join over every pair of actions
 *   (windows 0, 1, 7, 60 s; gaps of exactly the window; identical timestamps; crowded windows), and
 *   the co-actions enumerated in TypeScript (coactions.ts) against the same join in SQL (localEvents):
 *   exactly the account pairs with two distinct pairs of posts or more, with the same K, weight (to
 *   the last bit), signals and K per signal;
 * - window.ts: CooRnet's coordination interval (Giglietto et al. 2020) recomputed in JavaScript.
 * Tables are filled directly (det_accounts, det_actions, det_pairs, det_pair_signals, det_exposure), as
 * the stages before fill them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { createActionTable } from '../../src/detect/actions.js';
import { detect } from '../../src/detect/index.js';
import { coActionUnits, createPairTables, localEvents, pairAccounts } from '../../src/detect/pairs.js';
import { DETECT_DEFAULTS } from '../../src/detect/params.js';
import { CROSS_STRATUM, testPairs } from '../../src/detect/significance.js';
import { logPoissonTailBound, logPoissonTailSql } from '../../src/detect/stats.js';
import { estimateWindow, WINDOW_ESTIMATE } from '../../src/detect/window.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { sharedObject } from '../../src/signals/shared-object.js';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';

const tmp = scratch();
let store: Store;
beforeAll(async () => {
  store = await Store.open(join(tmp.dir, 'units.duckdb'), { memoryLimit: '512MB', threads: 2 });
});
afterAll(() => {
  store?.close();
  tmp.cleanup();
});

// ---------------------------------------------------------------------------------------------
// Exact references.

/** ln k! by summing logarithms (exact to rounding; no Gamma approximation shared with stats.ts). */
const logFactorials: number[] = [0];
function logFactorial(k: number): number {
  for (let i = logFactorials.length; i <= k; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[k]!;
}

/** ln P(X >= k), X ~ Poisson(lambda), summing the pmf from k upwards in log space until negligible. */
function exactLogTail(k: number, lambda: number): number {
  if (k <= 0) return 0;
  const term = (j: number) => -lambda + j * Math.log(lambda) - logFactorial(j);
  const first = term(k);
  let sum = 1;
  for (let j = k + 1; ; j++) {
    const ratio = Math.exp(term(j) - first);
    sum += ratio;
    if (ratio < 1e-18 * sum) break;
  }
  return first + Math.log(sum);
}

/** quantile_cont: linear interpolation between order statistics (type 7). */
function quantileCont(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

const values = (rows: (number | string)[][]) => rows.map((r) => `(${r.join(', ')})`).join(', ');

// ---------------------------------------------------------------------------------------------

describe('the Poisson upper tail (stats.ts)', () => {
  const ks = [1, 2, 3, 5, 10, 30, 100, 1000, 10_000];
  const lambdas = [1e-12, 1e-6, 1e-3, 0.1, 0.5, 1, 2, 4.5, 10, 29, 31, 99.5, 500, 999, 1001, 5000, 9990];
  const grid = ks.flatMap((k) => lambdas.map((lambda) => ({ k, lambda })));

  it('is an upper bound of the exact tail, within its geometric factor, in SQL and in JS alike', async () => {
    const rows = await store.all<{ k: number; lambda: number; lp: number }>(
      `SELECT k, mu AS lambda, ${logPoissonTailSql('k', 'mu')} AS lp
       FROM (VALUES ${values(grid.map((g) => [`${g.k}::BIGINT`, `${g.lambda}::DOUBLE`]))}) t(k, mu)`,
    );
    expect(rows).toHaveLength(grid.length);
    let deepest = 0;
    for (const { k, lambda, lp } of rows) {
      const what = `k=${k} lambda=${lambda}`;
      const js = logPoissonTailBound(k, lambda);
      expect(Math.abs(lp - js), what).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(js)));
      if (lambda >= k + 1) {
        // p taken as 1: trivially an upper bound.
        expect(lp, what).toBe(0);
        continue;
      }
      const exact = exactLogTail(k, lambda);
      // exact <= bound <= exact / (1 - lambda / (k + 1)), the first term being at most the tail.
      const slack = 1e-9 * Math.max(1, Math.abs(exact));
      expect(lp, what).toBeGreaterThanOrEqual(exact - slack);
      expect(lp, what).toBeLessThanOrEqual(Math.min(0, exact - Math.log1p(-lambda / (k + 1))) + slack);
      deepest = Math.min(deepest, exact);
    }
    // The grid does reach extreme tails (far beyond double precision of p itself).
    expect(deepest / Math.LN10).toBeLessThan(-100_000);
  });

  it('handles the edges: k <= 0 gives p = 1, lambda = 0 gives p = 0', async () => {
    const rows = await store.all<{ lp: number }>(
      `SELECT ${logPoissonTailSql('k', 'mu')} AS lp
       FROM (VALUES (0::BIGINT, 3.0::DOUBLE, 1), (1, 0.0, 2), (7, 0.0, 3)) t(k, mu, i) ORDER BY i`,
    );
    expect(rows.map((r) => r.lp)).toEqual([0, -1e308, -1e308]);
    expect(logPoissonTailBound(0, 3)).toBe(0);
    expect(logPoissonTailBound(1, 0)).toBe(Number.NEGATIVE_INFINITY);
  });
});

/**
 * What the pair tests read, in SQL, from pairs of posts `source (sid, a1, a2, p1, p2, idf)` (one row
 * per signal and pair of posts, as det_local_events) and det_exposure: into `pairs` (a1, a2, k, w,
 * sigs, mu) the pairs of accounts with K >= minParticipation distinct pairs of posts, each weighed
 * by the largest weight of its signals, and their expected co-actions as significance.ts documents
 * them; into `perSignal` (a1, a2, sid, k, mu) their K and lambda per signal. Sums are stableSum's.
 * Independent of the walk (coactions.ts) that fills det_pairs and det_pair_signals in detection.
 */
async function pairTotalsSql(source: string, minParticipation: number, pairs: string, perSignal: string) {
  await store.run(`CREATE OR REPLACE TEMP TABLE test_counts AS
    WITH posts AS (
      SELECT a1, a2, p1, p2, max(idf) AS idf, bit_or(1::UINTEGER << sid) AS sigs FROM ${source} GROUP BY a1, a2, p1, p2)
    SELECT a1, a2, count(*) AS k, list_sum(list_sort(list(idf))) AS w, bit_or(sigs) AS sigs FROM posts
    GROUP BY a1, a2 HAVING count(*) >= ${minParticipation}`);
  await store.run(`CREATE OR REPLACE TEMP TABLE test_lambda AS
    WITH total AS (SELECT sid, ak, sum(m) AS m, list_sum(list_sort(list(g))) AS g FROM det_exposure GROUP BY sid, ak),
    strata AS (
      SELECT c.a1, c.a2, x.sid, list_sum(list_sort(list(x.m * y.r + y.m * x.r))) / 2 AS mu
      FROM test_counts c JOIN det_exposure x ON x.ak = c.a1
      JOIN det_exposure y ON y.ak = c.a2 AND y.sid = x.sid AND y.st = x.st
      GROUP BY c.a1, c.a2, x.sid),
    pooled AS (
      SELECT c.a1, c.a2, x.sid, (x.m * y.g + y.m * x.g) / 2 AS mu
      FROM test_counts c JOIN total x ON x.ak = c.a1 JOIN total y ON y.ak = c.a2 AND y.sid = x.sid)
    SELECT a1, a2, sid, ${1 - CROSS_STRATUM} * coalesce(strata.mu, 0) + ${CROSS_STRATUM} * pooled.mu AS mu
    FROM pooled LEFT JOIN strata USING (a1, a2, sid)`);
  await store.run(`INSERT INTO ${pairs}
    SELECT c.a1, c.a2, c.k, c.w, c.sigs, l.mu FROM test_counts c
    JOIN (SELECT a1, a2, list_sum(list_sort(list(mu))) AS mu FROM test_lambda GROUP BY a1, a2) l USING (a1, a2)`);
  await store.run(`INSERT INTO ${perSignal}
    SELECT s.a1, s.a2, s.sid, s.k, l.mu FROM (
      SELECT a1, a2, sid, count(*) AS k FROM ${source} SEMI JOIN test_counts USING (a1, a2) GROUP BY a1, a2, sid) s
    JOIN test_lambda l USING (a1, a2, sid)`);
}

describe('pair tests (significance.ts)', () => {
  /** Fills det_exposure, det_pairs and det_pair_signals and runs the test. */
  async function run(
    exposure: { sid: number; ak: number; st: string; m: number; r: number; g: number }[],
    events: { sid: number; a1: number; a2: number; p1: number; p2: number }[],
    fdr: number,
    minParticipation = 2,
    signals = new Set(exposure.map((e) => e.sid)).size,
  ) {
    await createPairTables(store);
    await store.run(
      `INSERT INTO det_exposure VALUES ${values(exposure.map((e) => [e.sid, e.ak, `hash('${e.st}')`, e.m, e.r, e.g]))}`,
    );
    await store.run(
      `CREATE OR REPLACE TEMP TABLE test_post_pairs (sid UTINYINT, a1 UBIGINT, a2 UBIGINT, p1 BIGINT, p2 BIGINT, idf DOUBLE)`,
    );
    if (events.length)
      await store.run(
        `INSERT INTO test_post_pairs VALUES ${values(events.map((e) => [e.sid, e.a1, e.a2, e.p1, e.p2, 1]))}`,
      );
    await pairTotalsSql('test_post_pairs', minParticipation, 'det_pairs', 'det_pair_signals');
    const stats = await testPairs(store, minParticipation, fdr, signals);
    const tested = await store.all<{ a1: number; a2: number; k: number; mu: number; lp: number }>(
      `SELECT a1::DOUBLE AS a1, a2::DOUBLE AS a2, k::INTEGER AS k, mu, lp FROM det_tested`,
    );
    const edges = await store.all<{ a1: number; a2: number }>(
      `SELECT a1::DOUBLE AS a1, a2::DOUBLE AS a2 FROM det_edges ORDER BY a1, a2`,
    );
    return { stats, tested, edges: edges.map((e) => `${e.a1}-${e.a2}`) };
  }

  it('computes lambda as documented and counts co-actions as distinct post pairs', async () => {
    const rng = new Rng(11);
    const exposure: Parameters<typeof run>[0] = [];
    // Every account has exposure in both signals (it co-acts in both), in one stratum or two.
    for (let ak = 1; ak <= 12; ak++)
      for (const sid of [0, 1])
        for (const st of rng.chance(0.5)
          ? ['twitter/en', 'twitter/fa']
          : [rng.pick(['twitter/en', 'twitter/fa'])])
          exposure.push({ sid, ak, st, m: rng.int(1, 6), r: rng.next() * 0.05, g: rng.next() * 0.02 });
    const events: Parameters<typeof run>[1] = [];
    let p = 0;
    const k = new Map<string, number>();
    for (let a1 = 1; a1 <= 12; a1++)
      for (let a2 = a1 + 1; a2 <= 12; a2++) {
        const n = rng.int(0, 4);
        for (let i = 0; i < n; i++) {
          const p1 = ++p;
          const p2 = ++p;
          // The same post pair on two signals (a hashtag and a link of one post) is one co-action.
          for (const sid of rng.chance(0.3) ? [0, 1] : [rng.int(0, 1)]) events.push({ sid, a1, a2, p1, p2 });
        }
        k.set(`${a1}-${a2}`, n);
      }
    const { tested, stats } = await run(exposure, events, 0.05);
    const active = new Set(exposure.map((e) => e.ak)).size;
    expect(stats.pairsTested).toBe((active * (active - 1)) / 2);
    expect(tested.length).toBe([...k.values()].filter((n) => n >= 2).length);
    const of = (ak: number) => exposure.filter((e) => e.ak === ak);
    for (const t of tested) {
      expect(t.k, `${t.a1}-${t.a2}`).toBe(k.get(`${t.a1}-${t.a2}`));
      let strata = 0;
      for (const x of of(t.a1))
        for (const y of of(t.a2)) if (x.sid === y.sid && x.st === y.st) strata += (x.m * y.r + y.m * x.r) / 2;
      let pooled = 0;
      for (const sid of [0, 1]) {
        const x = of(t.a1).filter((e) => e.sid === sid);
        const y = of(t.a2).filter((e) => e.sid === sid);
        if (!x.length || !y.length) continue;
        const sum = (rows: typeof x, f: (e: (typeof x)[number]) => number) =>
          rows.reduce((s, e) => s + f(e), 0);
        pooled += (sum(x, (e) => e.m) * sum(y, (e) => e.g) + sum(y, (e) => e.m) * sum(x, (e) => e.g)) / 2;
      }
      const lambda = (1 - CROSS_STRATUM) * strata + CROSS_STRATUM * pooled;
      expect(t.mu).toBeCloseTo(lambda, 12);
      // Each signal alone too: the smallest p-value of the three tests, times three.
      let lp = logPoissonTailBound(t.k, lambda);
      for (const sid of [0, 1]) {
        const x = of(t.a1).filter((e) => e.sid === sid);
        const y = of(t.a2).filter((e) => e.sid === sid);
        const ks = events.filter((e) => e.sid === sid && e.a1 === t.a1 && e.a2 === t.a2).length;
        if (!x.length || !y.length || ks < 2) continue;
        const sum = (rows: typeof x, f: (e: (typeof x)[number]) => number) =>
          rows.reduce((s, e) => s + f(e), 0);
        let s = 0;
        for (const a of x) for (const b of y) if (a.st === b.st) s += (a.m * b.r + b.m * a.r) / 2;
        const p = (sum(x, (e) => e.m) * sum(y, (e) => e.g) + sum(y, (e) => e.m) * sum(x, (e) => e.g)) / 2;
        lp = Math.min(lp, logPoissonTailBound(ks, (1 - CROSS_STRATUM) * s + CROSS_STRATUM * p));
      }
      expect(t.lp).toBeCloseTo(Math.min(0, lp + Math.log(3)), 9);
    }
  });

  it('applies Benjamini-Hochberg step-up over all N (N - 1) / 2 pairs', async () => {
    // Pair i is accounts (2i+1, 2i+2) with exposure m = 1, r = g = lambda_i, so lambda(pair) = lambda_i;
    // 92 idle accounts make N = 104 and the family m = 5356 pairs. With fdr 0.05 the BH line is
    // i * 9.335e-6. p-values: rank 1 above its line, ranks 2 and 3 below theirs (step-up accepts all
    // three, step-down none), rank 4 above, rank 5 far above; a sixth pair has a tiny lambda but one
    // co-action, below min-participation.
    const N = 104;
    const m = (N * (N - 1)) / 2;
    const fdr = 0.05;
    const K = 3;
    const targets = [1.2e-5, 1.8e-5, 2.7e-5, 4.5e-5, 1e-3];
    /** lambda with tail bound exactly p at K co-actions (bisection: the bound grows with lambda). */
    const lambdaFor = (p: number) => {
      let lo = 1e-9;
      let hi = K;
      for (let i = 0; i < 200; i++) {
        const mid = Math.sqrt(lo * hi);
        if (logPoissonTailBound(K, mid) < Math.log(p)) lo = mid;
        else hi = mid;
      }
      return lo;
    };
    const lambdas = [...targets.map(lambdaFor), 1e-9];
    const exposure: Parameters<typeof run>[0] = [];
    const events: Parameters<typeof run>[1] = [];
    lambdas.forEach((lambda, i) => {
      const [a1, a2] = [2 * i + 1, 2 * i + 2];
      for (const ak of [a1, a2]) exposure.push({ sid: 0, ak, st: 'x', m: 1, r: lambda, g: lambda });
      const k = i === lambdas.length - 1 ? 1 : K;
      for (let j = 0; j < k; j++)
        events.push({ sid: 0, a1, a2, p1: 100 * i + 2 * j, p2: 100 * i + 2 * j + 1 });
    });
    for (let ak = 2 * lambdas.length + 1; ak <= N; ak++)
      exposure.push({ sid: 0, ak, st: 'x', m: 1, r: 0.01, g: 0.01 });

    // The independent BH: sort, find the largest rank under the line, accept everything up to it.
    const ps = targets.map((p, i) => ({ p, pair: `${2 * i + 1}-${2 * i + 2}` })).sort((a, b) => a.p - b.p);
    let last = -1;
    ps.forEach((x, i) => {
      if (x.p <= (fdr * (i + 1)) / m) last = i;
    });
    const expected = ps.slice(0, last + 1).map((x) => x.pair);
    expect(expected).toEqual(['1-2', '3-4', '5-6']);
    expect(targets[0]).toBeGreaterThan(fdr / m); // rank 1 alone would fail: the step-up matters

    const { stats, edges, tested } = await run(exposure, events, fdr);
    expect(stats.pairsTested).toBe(m);
    expect(tested).toHaveLength(targets.length); // the one-co-action pair is never tested
    expect(edges).toEqual(expected);
    expect(stats.significantPairs).toBe(3);
    expect(Math.exp(stats.logThreshold)).toBeCloseTo(targets[2]!, 10);
    // A smaller family (no idle accounts) accepts more: the idle pairs were tested too.
    const busy = await run(
      exposure.filter((e) => e.ak <= 2 * lambdas.length),
      events,
      fdr,
    );
    expect(busy.edges).toEqual(['1-2', '3-4', '5-6', '7-8', '9-10']);
    // Nothing passes at a vanishing FDR.
    expect((await run(exposure, events, 1e-12)).edges).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

interface Action {
  ak: number;
  ok: number;
  t: number;
  pr: number;
  st: string;
}

/** Brute force over every pair of actions: what pairs.ts must find, per its header. */
function bruteForce(actions: Action[], w: number, cap: number) {
  const width = Math.max(w, 1);
  const bucket = (t: number) => Math.floor(t / width);
  const crowd = new Map<string, Set<number>>();
  for (const a of actions) {
    const key = `${a.ok}/${bucket(a.t)}`;
    if (!crowd.has(key)) crowd.set(key, new Set());
    crowd.get(key)!.add(a.ak);
  }
  const n = (ok: number, b: number) => crowd.get(`${ok}/${b}`)?.size ?? 0;
  const open = (a: Action) => n(a.ok, bucket(a.t)) <= cap;
  const accounts = new Set(actions.map((a) => a.ak)).size;
  /** Co-action pairs of actions: different accounts, same object, at most w apart, both windows open. */
  const co: { x: Action; y: Action; crowd: number }[] = [];
  let excludedByCrowd = 0;
  for (let i = 0; i < actions.length; i++)
    for (let j = 0; j < actions.length; j++) {
      const [x, y] = [actions[i]!, actions[j]!];
      if (x.ak >= y.ak || x.ok !== y.ok || Math.abs(x.t - y.t) > w) continue;
      if (!open(x) || !open(y)) {
        excludedByCrowd++;
        continue;
      }
      co.push({ x, y, crowd: Math.max(n(x.ok, bucket(x.t)), n(y.ok, bucket(y.t))) });
    }
  // Exposure: units are (account, object, bucket); k = the other units of the bucket plus the open
  // neighbouring buckets whole; r and g are sums of k over the M open units (of the stratum, of all).
  const units = new Map<string, Action>();
  for (const a of actions) {
    const key = `${a.ak}/${a.ok}/${bucket(a.t)}`;
    if (!units.has(key) || units.get(key)!.t > a.t) units.set(key, a);
  }
  const openN = (ok: number, b: number) => (n(ok, b) <= cap ? n(ok, b) : 0);
  const openUnits = [...units.values()].filter(open);
  const M = new Map<string, number>();
  for (const u of openUnits) M.set(u.st, (M.get(u.st) ?? 0) + 1);
  const exposure = new Map<string, { m: number; r: number; g: number }>();
  for (const u of openUnits) {
    const b = bucket(u.t);
    const k = n(u.ok, b) - 1 + openN(u.ok, b - 1) + openN(u.ok, b + 1);
    const key = `${u.ak}/${u.st}`;
    const e = exposure.get(key) ?? { m: 0, r: 0, g: 0 };
    e.m++;
    e.r += k / M.get(u.st)!;
    e.g += k / openUnits.length;
    exposure.set(key, e);
  }
  return { co, accounts, exposure, excludedByCrowd };
}

/**
 * Runs pairs.ts on `actions`: `events` are every co-action (det_local_events, all accounts asked
 * for), `kept` the pairs of accounts the pair tests receive from the walk (det_pairs) with their K
 * and lambda per signal (det_pair_signals), as rows `a1-a2 k w sigs mu` and `a1-a2 sid k mu`;
 * `expected` the same computed in SQL from `events` and det_exposure (pairTotalsSql).
 */
async function runPairs(actions: Action[], w: number, cap: number, minParticipation = 2) {
  await createActionTable(store);
  await createPairTables(store);
  const accounts = [...new Set(actions.map((a) => a.ak))].sort((x, y) => x - y);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_accounts AS
    SELECT ak::UBIGINT AS ak, ai::UINTEGER AS ai FROM (VALUES ${values(accounts.map((ak, i) => [ak, i]))}) v(ak, ai)`);
  await store.run(
    `INSERT INTO det_actions VALUES ${values(actions.map((a) => [0, a.ak, a.ok, a.t, a.pr, `hash('${a.st}')`]))}`,
  );
  const units = await coActionUnits(store, 0, w, cap);
  const perSignal = await pairAccounts(store, minParticipation);
  await localEvents(store, 'det_accounts');
  const events = await localEventRows();
  const kept = await pairTotalRows('det_pairs', 'det_pair_signals');
  await store.run(`CREATE OR REPLACE TEMP TABLE test_pairs AS FROM det_pairs LIMIT 0;
    CREATE OR REPLACE TEMP TABLE test_pair_signals AS FROM det_pair_signals LIMIT 0`);
  await pairTotalsSql('det_local_events', minParticipation, 'test_pairs', 'test_pair_signals');
  const expected = await pairTotalRows('test_pairs', 'test_pair_signals');
  const exposure = await store.all<{ ak: number; st: string; m: number; r: number; g: number }>(
    `SELECT ak::INTEGER AS ak, CASE st WHEN hash('twitter/en') THEN 'twitter/en' WHEN hash('twitter/fa') THEN 'twitter/fa' END AS st,
       m::INTEGER AS m, r, g FROM det_exposure`,
  );
  return { stats: { ...units, pairs: perSignal.get(0) ?? 0 }, events, kept, expected, exposure };
}

/** det_local_events, with small integers as numbers. */
function localEventRows() {
  return store.all<{
    sid: number;
    a1: number;
    a2: number;
    p1: number;
    p2: number;
    ok: number;
    t: number;
    dt: number;
    idf: number;
  }>(
    `SELECT sid::INTEGER AS sid, a1::INTEGER AS a1, a2::INTEGER AS a2, p1::INTEGER AS p1, p2::INTEGER AS p2,
            ok::INTEGER AS ok, t::INTEGER AS t, dt::INTEGER AS dt, idf FROM det_local_events`,
  );
}

/** Rows of pair totals (see runPairs), sorted; weights and lambdas printed with every digit of their doubles. */
async function pairTotalRows(pairs: string, perSignal: string) {
  const key = `a1::INTEGER || '-' || a2::INTEGER`;
  const rows = async (sql: string) => (await store.all<{ r: string }>(`${sql} ORDER BY r`)).map((x) => x.r);
  return {
    pairs: await rows(
      `SELECT concat_ws(' ', ${key}, k, printf('%.17g', w), sigs, printf('%.17g', mu)) AS r FROM ${pairs}`,
    ),
    signals: await rows(`SELECT concat_ws(' ', ${key}, sid, k, printf('%.17g', mu)) AS r FROM ${perSignal}`),
  };
}

/** Random actions on few objects in a short span, so that windows are crowded, ties and edges common. */
function randomActions(rng: Rng, w: number, opts: { accounts: number; actions: number; unitary: boolean }) {
  const width = Math.max(w, 1);
  const span = width * 6;
  const actions: Action[] = [];
  const seen = new Set<string>();
  let pr = 0;
  while (actions.length < opts.actions) {
    const ak = rng.int(1, opts.accounts);
    // Times on the bucket grid (most of them) make identical times and gaps of exactly w common.
    const t = 1_000_000 * width + (rng.chance(0.6) ? width * rng.int(0, 6) : rng.int(0, span));
    const objects = rng.chance(0.3) ? [rng.int(1, 4), rng.int(1, 4)] : [rng.int(1, 4)];
    const post = ++pr;
    // Mostly one stratum an account, some posts in the other: accounts with several strata.
    const st = (ak % 3 === 0) !== rng.chance(0.15) ? 'twitter/fa' : 'twitter/en';
    for (const ok of new Set(objects)) {
      const unit = `${ak}/${ok}/${Math.floor(t / width)}`;
      if (opts.unitary && seen.has(unit)) continue;
      seen.add(unit);
      actions.push({ ak, ok, t, pr: post, st });
    }
  }
  return actions;
}

describe('co-actions by bucketed equality joins (pairs.ts)', () => {
  const cases = [
    { w: 0, cap: 4 },
    { w: 1, cap: 3 },
    { w: 7, cap: 5 },
    { w: 60, cap: 6 },
  ];

  it('finds exactly the account pairs of a brute-force range join, crowds left out', async () => {
    const rng = new Rng(5);
    let crowdedSeen = 0;
    for (const { w, cap } of cases)
      for (let rep = 0; rep < 3; rep++) {
        const actions = randomActions(rng, w, { accounts: 14, actions: 90, unitary: false });
        const brute = bruteForce(actions, w, cap);
        const { events, exposure, stats } = await runPairs(actions, w, cap);
        const what = `w=${w} cap=${cap} rep=${rep}`;
        const pairs = new Set(brute.co.map((c) => `${c.x.ak}-${c.y.ak}`));
        expect(new Set(events.map((e) => `${e.a1}-${e.a2}`)), what).toEqual(pairs);
        expect(stats.pairs, what).toBe(pairs.size);
        // Every reported co-action is a real one: its posts belong to its accounts, on its object.
        const triples = new Set(brute.co.map((c) => `${c.x.ak}-${c.y.ak}-${c.x.ok}`));
        const byPost = new Map(actions.map((a) => [a.pr, a.ak]));
        for (const e of events) {
          expect(triples.has(`${e.a1}-${e.a2}-${e.ok}`), `${what}: ${JSON.stringify(e)}`).toBe(true);
          expect([byPost.get(e.p1), byPost.get(e.p2)]).toEqual([e.a1, e.a2]);
          expect(e.dt).toBeGreaterThanOrEqual(0);
          expect(e.dt).toBeLessThanOrEqual(w);
        }
        expect(exposure.length).toBe(brute.exposure.size);
        for (const x of exposure) {
          const b = brute.exposure.get(`${x.ak}/${x.st}`);
          expect(b, `${what}: exposure ${x.ak}/${x.st}`).toBeDefined();
          expect(x.m).toBe(b!.m);
          expect(x.r).toBeCloseTo(b!.r, 12);
          expect(x.g).toBeCloseTo(b!.g, 12);
        }
        crowdedSeen += brute.excludedByCrowd > 0 && stats.crowdedWindows > 0 ? 1 : 0;
      }
    // The random data did exercise the crowd cap.
    expect(crowdedSeen).toBeGreaterThan(4);
  });

  it('reports each post pair once, with the exact time difference, first time and IDF weight', async () => {
    const rng = new Rng(9);
    const coverage = { atWindow: 0, sameTime: 0 };
    for (const { w, cap } of cases)
      for (let rep = 0; rep < 3; rep++) {
        // One action per account, object and bucket: each unit is one post, so post pairs are exact.
        const actions = randomActions(rng, w, { accounts: 16, actions: 80, unitary: true });
        const brute = bruteForce(actions, w, cap);
        const expected = new Map<string, { dt: number; t: number; idf: number }>();
        for (const c of brute.co) {
          const key = `${c.x.ak}-${c.y.ak}-${c.x.pr}-${c.y.pr}`;
          const idf = Math.log(brute.accounts / c.crowd);
          const e = expected.get(key);
          expected.set(key, {
            dt: Math.abs(c.x.t - c.y.t),
            t: Math.min(c.x.t, c.y.t),
            idf: Math.max(idf, e?.idf ?? Number.NEGATIVE_INFINITY),
          });
          if (Math.abs(c.x.t - c.y.t) === w) coverage.atWindow++;
          if (c.x.t === c.y.t) coverage.sameTime++;
        }
        const { events } = await runPairs(actions, w, cap);
        const what = `w=${w} cap=${cap} rep=${rep}`;
        const got = new Map(events.map((e) => [`${e.a1}-${e.a2}-${e.p1}-${e.p2}`, e]));
        expect(got.size, `${what}: one row per post pair`).toBe(events.length);
        expect(new Set(got.keys()), what).toEqual(new Set(expected.keys()));
        for (const [key, e] of expected) {
          const g = got.get(key)!;
          expect({ dt: g.dt, t: g.t }, `${what} ${key}`).toEqual({ dt: e.dt, t: e.t });
          expect(g.idf).toBeCloseTo(e.idf, 12);
        }
      }
    expect(coverage.atWindow).toBeGreaterThan(10);
    expect(coverage.sameTime).toBeGreaterThan(10);
  });

  it('lists the co-actions of a few accounts at a time as the clustering asks: those involving them, each once', async () => {
    const rng = new Rng(13);
    const row = (e: Awaited<ReturnType<typeof localEventRows>>[number]) =>
      `${e.sid} ${e.a1}-${e.a2} ${e.p1}-${e.p2} ${e.ok} ${e.t} ${e.dt} ${e.idf}`;
    let acrossGroups = 0;
    for (const { w, cap } of cases)
      for (let rep = 0; rep < 2; rep++) {
        const actions = randomActions(rng, w, { accounts: 14, actions: 90, unitary: false });
        const { events } = await runPairs(actions, w, cap);
        await store.run(`DELETE FROM det_local_events; DELETE FROM det_local_accounts`);
        const asked = new Set<number>();
        // Two rounds, as the clustering's communities and then the accounts attached to them; the
        // second overlaps the first, and many co-actions join an account asked for and one not.
        for (const group of [
          [1, 2, 3, 5, 8, 11],
          [2, 4, 8, 9, 13],
        ]) {
          await store.run(
            `CREATE OR REPLACE TEMP TABLE test_asked AS SELECT unnest([${group.join(', ')}])::UBIGINT AS ak`,
          );
          await localEvents(store, 'test_asked');
          for (const a of group) asked.add(a);
          const want = events.filter((e) => asked.has(e.a1) || asked.has(e.a2));
          acrossGroups += want.filter((e) => asked.has(e.a1) !== asked.has(e.a2)).length;
          const what = `w=${w} cap=${cap} rep=${rep} asked ${[...asked]}`;
          expect((await localEventRows()).map(row).sort(), what).toEqual(want.map(row).sort());
        }
      }
    expect(acrossGroups).toBeGreaterThan(50);
  });

  it('keeps for the pair tests exactly the account pairs with two pairs of posts or more (all with min-participation 1)', async () => {
    const rng = new Rng(13);
    let dropped = 0;
    for (const { w, cap } of cases)
      for (const minParticipation of [1, 2]) {
        const actions = randomActions(rng, w, { accounts: 20, actions: 90, unitary: false });
        const { events, kept, expected, stats } = await runPairs(actions, w, cap, minParticipation);
        const what = `w=${w} cap=${cap} min-participation=${minParticipation}`;
        // In JavaScript from the co-actions: per pair of accounts its pairs of posts, each with
        // its largest weight and its signals.
        const byPair = new Map<string, Map<string, { idf: number; sids: Set<number> }>>();
        for (const e of events) {
          const pair = `${e.a1}-${e.a2}`;
          if (!byPair.has(pair)) byPair.set(pair, new Map());
          const posts = byPair.get(pair)!;
          const pp = posts.get(`${e.p1}-${e.p2}`) ?? {
            idf: Number.NEGATIVE_INFINITY,
            sids: new Set<number>(),
          };
          pp.idf = Math.max(pp.idf, e.idf);
          pp.sids.add(e.sid);
          posts.set(`${e.p1}-${e.p2}`, pp);
        }
        const multi = [...byPair].filter(([, posts]) => posts.size >= minParticipation);
        dropped += byPair.size - multi.length;
        const got = new Map(
          kept.pairs.map((r) => {
            const [pair, k, weight, sigs] = r.split(' ');
            return [pair!, { k: Number(k), w: Number(weight), sigs: Number(sigs) }];
          }),
        );
        expect([...got.keys()].sort(), what).toEqual(multi.map(([pair]) => pair).sort());
        for (const [pair, posts] of multi) {
          const g = got.get(pair)!;
          const all = [...posts.values()];
          expect(g.k, `${what} ${pair}`).toBe(posts.size);
          expect(g.w, `${what} ${pair}`).toBeCloseTo(
            all.reduce((sum, pp) => sum + pp.idf, 0),
            12,
          );
          expect(g.sigs, `${what} ${pair}`).toBe(
            all.reduce((b, pp) => b | [...pp.sids].reduce((x, sid) => x | (1 << sid), 0), 0),
          );
        }
        // And row for row, weights to the last bit, as the SQL aggregation of the same co-actions.
        expect(kept, what).toEqual(expected);
        expect(stats.pairs, what).toBe(byPair.size);
      }
    // Some pairs did co-act only once and were left out.
    expect(dropped).toBeGreaterThan(10);
  });

  it('counts pairs of posts over every signal at once, and pairs per signal, as the SQL join does', async () => {
    const rng = new Rng(21);
    let crossSignal = 0;
    for (const [w0, w1] of [
      [7, 60],
      [60, 1],
    ] as const) {
      // The same posts act in two signals (a tag and a link of one post, say) with different windows.
      const actions = randomActions(rng, Math.max(w0, w1), { accounts: 18, actions: 100, unitary: false });
      await createActionTable(store);
      await createPairTables(store);
      const accounts = [...new Set(actions.map((a) => a.ak))].sort((x, y) => x - y);
      await store.run(`CREATE OR REPLACE TEMP TABLE det_accounts AS
        SELECT ak::UBIGINT AS ak, ai::UINTEGER AS ai FROM (VALUES ${values(accounts.map((ak, i) => [ak, i]))}) v(ak, ai)`);
      const rows = actions.flatMap((a) => [
        [0, a.ak, a.ok, a.t, a.pr, `hash('${a.st}')`],
        ...(a.pr % 2 ? [[1, a.ak, a.ok + 10, a.t, a.pr, `hash('${a.st}')`]] : []),
      ]);
      await store.run(`INSERT INTO det_actions VALUES ${values(rows)}`);
      await coActionUnits(store, 0, w0, 8);
      await coActionUnits(store, 1, w1, 8);
      const perSignal = await pairAccounts(store, 2);
      await localEvents(store, 'det_accounts');
      const multi = `SELECT a1, a2 FROM det_local_events GROUP BY a1, a2 HAVING count(DISTINCT (p1, p2)) >= 2`;
      await store.run(`CREATE OR REPLACE TEMP TABLE test_pairs AS FROM det_pairs LIMIT 0;
        CREATE OR REPLACE TEMP TABLE test_pair_signals AS FROM det_pair_signals LIMIT 0`);
      await pairTotalsSql('det_local_events', 2, 'test_pairs', 'test_pair_signals');
      expect(await pairTotalRows('det_pairs', 'det_pair_signals')).toEqual(
        await pairTotalRows('test_pairs', 'test_pair_signals'),
      );
      for (const sid of [0, 1]) {
        const n = await store.value<number>(
          `SELECT count(DISTINCT (a1, a2))::INTEGER FROM det_local_events WHERE sid = ${sid}`,
        );
        expect(perSignal.get(sid) ?? 0, `signal ${sid}`).toBe(n);
      }
      // Pairs kept only because their two pairs of posts came from different signals.
      crossSignal += Number(
        await store.value(`SELECT count(*)::INTEGER FROM (${multi}) m WHERE NOT EXISTS (
          SELECT 1 FROM det_local_events e WHERE e.a1 = m.a1 AND e.a2 = m.a2
          GROUP BY sid HAVING count(DISTINCT (p1, p2)) >= 2)`),
      );
    }
    expect(crossSignal).toBeGreaterThan(0);
  });

  it('keeps a gap of exactly the window, drops one second more, and skips crowded windows whole', async () => {
    const w = 60;
    const base = 60 * 1_000_000; // a bucket boundary
    const a = (ak: number, ok: number, t: number, pr: number): Action => ({
      ak,
      ok,
      t,
      pr,
      st: 'twitter/en',
    });
    const actions = [
      // Object 1: 59 s into a bucket, then exactly 60 s later (next bucket), then 61 s after the first.
      a(1, 1, base + 59, 1),
      a(2, 1, base + 119, 2),
      a(3, 1, base + 120, 3),
      // Object 2: the same second for two accounts, and for one account twice (one actor).
      a(4, 2, base + 10, 4),
      a(5, 2, base + 10, 5),
      a(5, 2, base + 10, 6),
      // Object 3: bucket b crowded (4 accounts > cap 3), its neighbour open: no pair across or inside b.
      a(6, 3, base + 0, 7),
      a(7, 3, base + 1, 8),
      a(8, 3, base + 2, 9),
      a(9, 3, base + 59, 10),
      a(10, 3, base + 61, 11),
      a(11, 3, base + 62, 12),
    ];
    const { events, stats } = await runPairs(actions, w, 3);
    const pairs = events.map((e) => `${e.a1}-${e.a2}:${e.dt}`).sort();
    expect(pairs).toEqual(['1-2:60', '10-11:1', '2-3:1', '4-5:0']);
    expect(stats.crowdedWindows).toBe(1);
    expect(stats.crowdedActions).toBe(4);
  });
});

// ---------------------------------------------------------------------------------------------

/** CooRnet's estimate, as window.ts documents it, over (object, time) actions. */
function coornetWindow(actions: { ok: number; t: number }[]): { window: number | null; objects: number } {
  const { q, p } = WINDOW_ESTIMATE;
  const byObject = new Map<number, number[]>();
  for (const a of actions) {
    if (!byObject.has(a.ok)) byObject.set(a.ok, []);
    byObject.get(a.ok)!.push(a.t);
  }
  const repeated = [...byObject.values()].filter((ts) => ts.length > 1).map((ts) => ts.sort((x, y) => x - y));
  if (!repeated.length) return { window: null, objects: 0 };
  const second = repeated.map((ts) => ts[1]! - ts[0]!);
  const cut = quantileCont(second, q);
  // The time to gather more than a share p of the actions: the first rank r with r / n > p.
  const reach = repeated
    .filter((ts) => ts[1]! - ts[0]! <= cut)
    .map((ts) => ts[Math.floor(p * ts.length)]! - ts[0]!);
  return { window: quantileCont(reach, p), objects: repeated.length };
}

describe('window estimation (window.ts)', () => {
  async function estimate(actions: { ok: number; t: number; ak: number }[]) {
    await createActionTable(store);
    await store.run(
      `INSERT INTO det_actions VALUES ${values(actions.map((a, i) => [0, a.ak, a.ok, a.t, i + 1, `hash('twitter/en')`]))}`,
    );
    return estimateWindow(store, 0);
  }

  it("matches CooRnet's coordination interval recomputed independently", async () => {
    const rng = new Rng(21);
    for (let rep = 0; rep < 6; rep++) {
      const actions: { ok: number; t: number; ak: number }[] = [];
      for (let ok = 1; ok <= 40 + rep * 15; ok++) {
        const n = rng.int(1, 9);
        const start = rng.int(0, 86_400 * 30);
        const scale = rng.pick([5, 60, 600, 3600]);
        for (let i = 0; i < n; i++)
          actions.push({
            ok,
            ak: rng.int(1, 50),
            t: start + (i === 0 ? 0 : Math.round(rng.next() * scale * 3)),
          });
      }
      const expected = coornetWindow(actions);
      expect(expected.objects).toBeGreaterThanOrEqual(WINDOW_ESTIMATE.minObjects);
      const got = await estimate(actions);
      expect(got, `rep ${rep}`).not.toBeNull();
      expect(got!).toBeCloseTo(expected.window!, 6);
    }
  });

  it('gives the documented value on a regular pattern, and none below 20 repeated objects', async () => {
    // Every object: 4 actions d seconds apart. All second actions come after d, so every object is
    // among the quickest; more than half (rank 3 of 4) is reached after 2d: the window is 2d.
    const pattern = (objects: number, d: number) =>
      Array.from({ length: objects }, (_, ok) =>
        [0, 1, 2, 3].map((i) => ({ ok, ak: i + 1, t: 10_000 * ok + i * d })),
      ).flat();
    expect(await estimate(pattern(20, 45))).toBe(90);
    expect(await estimate(pattern(WINDOW_ESTIMATE.minObjects - 1, 45))).toBeNull();
    // Objects acted on once do not count towards the minimum.
    const singles = Array.from({ length: 50 }, (_, i) => ({ ok: 1000 + i, ak: 1, t: i }));
    expect(await estimate([...pattern(19, 45), ...singles])).toBeNull();
  });
});

describe('the window a run uses (detect, index.ts)', () => {
  const day = Date.UTC(2024, 5, 3) / 1000;
  /**
   * `objects` posts, each reposted by 4 accounts d seconds apart (the estimate is then 2d, above), as
   * a coordination-network-toolkit CSV (second timestamps) or an X archive CSV (minute timestamps).
   */
  function reposts(objects: number, d: number, format: 'cnt' | 'io-archive'): string {
    const rows: string[] = [];
    let id = 1000;
    for (let o = 0; o < objects; o++) {
      const t = day + 7200 * o;
      const source = ++id;
      const all = [
        { user: 1, t, ref: '' },
        ...[0, 1, 2, 3].map((i) => ({ user: 10 + i, t: t + 600 + i * d, ref: String(source) })),
      ];
      for (const [i, r] of all.entries()) {
        const post = i === 0 ? source : ++id;
        if (format === 'cnt') rows.push(`${post},${r.user},u${r.user},${r.ref},,text ${post},${r.t},`);
        else {
          const time = new Date(r.t * 1000).toISOString().slice(0, 16).replace('T', ' ');
          rows.push(`${post},${r.user},text ${post},${time},${r.ref ? 'True' : 'False'},${r.ref}`);
        }
      }
    }
    const header =
      format === 'cnt'
        ? 'message_id,user_id,username,repost_id,reply_id,message,timestamp,urls'
        : 'tweetid,userid,tweet_text,tweet_time,is_retweet,retweet_tweetid';
    return `${header}\n${rows.join('\n')}\n`;
  }

  let stores = 0;
  async function windowOf(csv: string, window?: number) {
    const s = await Store.open(join(tmp.dir, `w${++stores}.duckdb`), { memoryLimit: '512MB', threads: 2 });
    try {
      await ingestFile(s, tmp.file(`w${stores}.csv`, csv));
      const r = await detect(s, { signals: ['shared-object'], window });
      return { ...r.params.signals['shared-object']!, limits: r.limits, resolution: r.data.timeResolution };
    } finally {
      s.close();
    }
  }

  it('uses the estimate within its bounds, clamps it, and falls back to the default on thin data', async () => {
    const { windowMin, windowMax } = DETECT_DEFAULTS;
    expect(await windowOf(reposts(25, 150, 'cnt'))).toMatchObject({
      window: 300,
      windowSource: 'estimated',
      windowEstimate: 300,
    });
    expect(await windowOf(reposts(25, 2, 'cnt'))).toMatchObject({
      window: windowMin,
      windowSource: 'estimated',
      windowEstimate: 4,
    });
    expect(await windowOf(reposts(25, 1500, 'cnt'))).toMatchObject({
      window: windowMax,
      windowSource: 'estimated',
      windowEstimate: 3000,
    });
    expect(await windowOf(reposts(WINDOW_ESTIMATE.minObjects - 1, 150, 'cnt'))).toMatchObject({
      window: sharedObject.defaultWindow,
      windowSource: 'default',
      windowEstimate: null,
    });
  });

  it('never estimates below the timestamp resolution, but keeps a window the user sets', async () => {
    // Minute timestamps: all four reposts in the same minute give an estimate of 0 s.
    const minute = await windowOf(reposts(25, 5, 'io-archive'));
    expect(minute).toMatchObject({
      window: 60,
      windowSource: 'estimated',
      windowEstimate: 0,
      resolution: 'minute',
    });
    expect(minute.limits.some((l) => l.includes('minute resolution'))).toBe(true);
    expect(await windowOf(reposts(25, 5, 'io-archive'), 30)).toMatchObject({
      window: 30,
      windowSource: 'user',
      windowEstimate: 0,
    });
    // Second timestamps do not raise a small user window either, nor lower a large one.
    expect(await windowOf(reposts(25, 2, 'cnt'), 1)).toMatchObject({
      window: 1,
      windowSource: 'user',
      windowEstimate: 4,
    });
    expect(await windowOf(reposts(25, 2, 'cnt'), 3600)).toMatchObject({ window: 3600, windowSource: 'user' });
  });
});
