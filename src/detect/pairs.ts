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
 * Busy objects put tens of millions of pairs of accounts together once (about 120M pairs of posts at
 * 10M simulated posts), and a pair with a single pair of posts can never be tested (it needs
 * `minParticipation` >= 2 co-actions). So the co-actions are enumerated in TypeScript, one account
 * at a time (coactions.ts), and only the totals of the account pairs that can be tested are stored
 * (det_pairs, det_pair_signals). The co-actions of the few accounts the clustering looks at,
 * once-only ones included, are listed again in SQL for those accounts alone (localEvents).
 *
 * Exposure, for the null model: each unit x has k(x) candidate co-actors, the other units of its
 * object in its bucket and the (open) two beside it. Per account and stratum (platform and language
 * of the post), r = sum over the account's open units of k(x) / M(stratum), and g = the same over
 * M(all): the share of the signal's units that fall in the account's crowds (significance.ts).
 * Counting the neighbouring buckets whole makes these overestimates.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LockstepError } from '../core/errors.js';
import { ColumnWriter, readColumns, scanColumns } from '../store/columns.js';
import type { Store } from '../store/store.js';
import {
  accountBlocks,
  type CoActionCounts,
  type Exposure,
  type PairTotals,
  type UnitChunk,
  WalkBuilder,
  type WalkData,
  walkAccounts,
} from './coactions.js';
import type { WalkReply, WalkRequest } from './coactions-worker.js';

/** A pair of posts of two accounts in one signal, with the closest of their co-actions. */
const EVENT_COLUMNS =
  'sid UTINYINT, a1 UBIGINT, a2 UBIGINT, p1 BIGINT, p2 BIGINT, ok UBIGINT, t BIGINT, dt BIGINT, idf DOUBLE';

export async function createPairTables(store: Store): Promise<void> {
  // The open units of every signal that have a candidate co-actor, with the account's dense index
  // (det_accounts), the signal's window and the unit's IDF weight.
  await store.run(`CREATE OR REPLACE TEMP TABLE det_units (
    sid UTINYINT, ak UBIGINT, ai UINTEGER, ok UBIGINT, b BIGINT, t0 BIGINT, t1 BIGINT, pr BIGINT, w BIGINT, idf DOUBLE)`);
  // What the pair tests read (significance.ts), from the walk (coactions.ts): per pair of accounts
  // with K >= minParticipation, K (distinct pairs of posts), the sum of their IDF weights, the
  // signals (bits) and the expected co-actions mu under the null model; K and mu per signal.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE det_pairs (a1 UBIGINT, a2 UBIGINT, k BIGINT, w DOUBLE, sigs UINTEGER, mu DOUBLE)`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE det_pair_signals (a1 UBIGINT, a2 UBIGINT, sid UTINYINT, k BIGINT, mu DOUBLE)`,
  );
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_events (${EVENT_COLUMNS})`);
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_accounts (ak UBIGINT)`);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE det_exposure (sid UTINYINT, ak UBIGINT, st UBIGINT, m BIGINT, r DOUBLE, g DOUBLE)`,
  );
}

export interface UnitStats {
  /** Open units (in windows of at most crowdCap units), with a candidate co-actor or not. */
  units: number;
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
    open AS (SELECT * FROM counts WHERE n <= ${crowdCap}),
    -- A window's crowd and its open neighbours', once per window (fewer rows than units).
    crowds AS (
      SELECT c.ok, c.b, c.n, c.n - 1 + coalesce(before.n, 0) + coalesce(after.n, 0) AS k
      FROM counts c
      LEFT JOIN open before ON before.ok = c.ok AND before.b = c.b - 1
      LEFT JOIN open after ON after.ok = c.ok AND after.b = c.b + 1)
    SELECT u.*, c.n, c.k FROM u JOIN crowds c USING (ok, b)`);
  // The null model is conditioned on the windows that are expanded: crowded ones are left out of
  // the co-actions and of the exposure alike.
  await store.run(`INSERT INTO det_exposure
    WITH open AS (SELECT * FROM det_signal_units WHERE n <= ${crowdCap}),
    stratum AS (SELECT st, count(*) AS mm FROM open GROUP BY st),
    total AS (SELECT count(*) AS mm FROM open)
    SELECT ${sid}, ak, st, count(*), sum(k) / any_value(stratum.mm), sum(k) / any_value(total.mm)
    FROM open JOIN stratum USING (st) CROSS JOIN total GROUP BY ak, st`);
  const [counts] = await store.all<{ windows: number; crowded: number; open: number }>(
    `SELECT count(DISTINCT (ok, b)) FILTER (WHERE n > ${crowdCap})::BIGINT AS windows,
       count(*) FILTER (WHERE n > ${crowdCap})::BIGINT AS crowded,
       count(*) FILTER (WHERE n <= ${crowdCap})::BIGINT AS open FROM det_signal_units`,
  );
  const [active] = await store.all<{ n: number }>(
    `SELECT count(DISTINCT ak)::BIGINT AS n FROM det_actions WHERE sid = ${sid}`,
  );
  const accounts = Math.max(active!.n, 1);
  // A unit with no candidate co-actor (k = 0: alone in its window, no open window beside it) can
  // join no co-action, and its absence changes no other unit's neighbours: only its exposure
  // (above) counts. At 10M simulated posts that is 3.8M of the 8.8M open units.
  await store.run(`INSERT INTO det_units
    SELECT ${sid}, u.ak, a.ai, u.ok, u.b, u.t0, u.t1, u.pr, ${w}, ln(${accounts} / u.n)
    FROM det_signal_units u JOIN det_accounts a USING (ak) WHERE u.n <= ${crowdCap} AND u.k > 0`);
  await store.run(`DROP TABLE det_signal_units`);
  return {
    units: counts!.open,
    crowdedWindows: counts!.windows,
    crowdedActions: counts!.crowded,
  };
}

/**
 * Every co-action between units of `x` and units of `y` (two sets of det_units rows, `y` holding
 * `x`, and `x` holding every unit of its accounts), each unordered pair of units once: a pair of
 * two `x` units is taken from one side only (in one bucket, by the smaller account index; across
 * buckets, where the earlier unit is in `x`). The clustering's candidates co-act mostly with each
 * other (82% of their co-actions at 10M simulated posts), so taking those twice doubled the
 * aggregation that follows. `select(dt)` gives the columns over l, the earlier unit (or either in
 * one bucket), and r.
 */
function coActionSql(select: (dt: string) => string, x: string, y: string): string {
  const inX = (unit: string) => `${unit}.ak IN (SELECT ak FROM ${x})`;
  const next = 'l.sid = r.sid AND l.ok = r.ok AND l.b + 1 = r.b';
  return `SELECT ${select('abs(l.t0 - r.t0)')} FROM ${x} l JOIN ${y} r
      ON l.sid = r.sid AND l.ok = r.ok AND l.b = r.b WHERE l.ai <> r.ai AND (l.ai < r.ai OR NOT ${inX('r')})
    UNION ALL
    SELECT ${select('r.t0 - l.t1')} FROM ${x} l JOIN ${y} r ON ${next}
      WHERE l.ai <> r.ai AND r.t0 - l.t1 <= l.w
    UNION ALL
    SELECT ${select('r.t0 - l.t1')} FROM ${y} l JOIN ${x} r ON ${next}
      WHERE r.ai <> l.ai AND r.t0 - l.t1 <= l.w AND NOT ${inX('l')}`;
}

/**
 * The closest co-action of a pair of posts (several objects may join them), ties broken by object:
 * time difference and object key in one fixed-size number, so the choice is deterministic and the
 * aggregate stays small enough to spill to disk.
 */
const CLOSEST = '((dt::HUGEINT << 64) + ok::HUGEINT)';

/** Rows of `co` (sid, a, b, ok, t, dt, pa, pb, idf) as pairs of posts: one row each (EVENT_COLUMNS). */
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

/** The compiled worker; absent when running from TypeScript sources (tests), then all runs here. */
const WORKER_FILE = fileURLToPath(new URL('./coactions-worker.js', import.meta.url));
/** Units below which worker threads do not pay for their start-up. */
const PARALLEL_MIN_UNITS = 200_000;
/**
 * What the walk holds in memory (coactions.ts): per unit, 16 bytes of member data, 32 of own data,
 * 24 of weights and 5 of bucket and signal while it is built, with room for the growable
 * per-bucket arrays (20 bytes, at most one bucket a unit); per account, its offsets, bound, fill and
 * exposure offset; per exposure row, its 33 bytes (signal, stratum and three doubles), and as much
 * again with the account and the sort order while the rows are read (readExposure).
 */
const WALK_BYTES_PER_UNIT = 100;
const WALK_BYTES_PER_ACCOUNT = 28;
const WALK_BYTES_PER_EXPOSURE = 70;
/**
 * Bytes the walk holds in JavaScript for det_units and det_exposure: the detection lends them from
 * DuckDB's memory limit from the walk on (Store.lendMemory), so that the two together stay within
 * the store's limit until the walk's memory is collected.
 */
export async function walkMemory(store: Store): Promise<number> {
  const [n] = await store.all<{ units: number; accounts: number; exposure: number }>(
    `SELECT (SELECT count(*) FROM det_units)::DOUBLE AS units, (SELECT count(*) FROM det_accounts)::DOUBLE AS accounts,
       (SELECT count(*) FROM det_exposure)::DOUBLE AS exposure`,
  );
  return (
    WALK_BYTES_PER_UNIT * n!.units +
    WALK_BYTES_PER_ACCOUNT * n!.accounts +
    WALK_BYTES_PER_EXPOSURE * n!.exposure
  );
}

/**
 * det_exposure as the walk reads it (coactions.ts: Exposure): rows by account index, signal and
 * stratum (numbered densely, in key order), over shared memory when worker threads will read them.
 * The rows come in any order and are placed here, by account (a counting sort) and then by signal
 * and stratum within each account (a handful of rows): sorting them in the store took 1 s of the
 * 1.5 s the read took at 10M posts.
 */
async function readExposure(
  store: Store,
  accounts: number,
  rows: number,
  shared: boolean,
): Promise<Exposure> {
  const ai = new Uint32Array(rows);
  const sid = new Uint8Array(rows);
  const st = new Uint32Array(rows);
  const m = new Float64Array(rows);
  const r = new Float64Array(rows);
  const g = new Float64Array(rows);
  let at = 0;
  await scanColumns(
    store,
    `WITH strata AS (SELECT st, row_number() OVER (ORDER BY st) AS n FROM (SELECT DISTINCT st FROM det_exposure))
     SELECT a.ai, e.sid, s.n AS st, e.m::DOUBLE AS m, e.r, e.g
     FROM det_exposure e JOIN det_accounts a USING (ak) JOIN strata s USING (st)`,
    { ai: 'u32', sid: 'u8', st: 'u32', m: 'f64', r: 'f64', g: 'f64' },
    null,
    {
      rows,
      chunk: (c, count) => {
        ai.set(c.ai as Uint32Array, at);
        sid.set(c.sid as Uint8Array, at);
        st.set(c.st as Uint32Array, at);
        m.set(c.m as Float64Array, at);
        r.set(c.r as Float64Array, at);
        g.set(c.g as Float64Array, at);
        at += count;
      },
    },
  );
  const memory = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const first = new Uint32Array(memory(4 * (accounts + 1)));
  for (let i = 0; i < rows; i++) first[ai[i]! + 1]!++;
  for (let a = 0; a < accounts; a++) first[a + 1]! += first[a]!;
  const fill = first.slice(0, accounts);
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[fill[ai[i]!]!++] = i;
  // (signal, stratum) is unique within an account: one key, sorted by insertion.
  const key = (i: number) => sid[i]! * 2 ** 32 + st[i]!;
  for (let a = 0; a < accounts; a++)
    for (let k = first[a]! + 1; k < first[a + 1]!; k++) {
      const x = order[k]!;
      let j = k;
      for (; j > first[a]! && key(order[j - 1]!) > key(x); j--) order[j] = order[j - 1]!;
      order[j] = x;
    }
  const out: Exposure = {
    first,
    sid: new Uint8Array(memory(rows)),
    st: new Uint32Array(memory(4 * rows)),
    m: new Float64Array(memory(8 * rows)),
    r: new Float64Array(memory(8 * rows)),
    g: new Float64Array(memory(8 * rows)),
  };
  for (let k = 0; k < rows; k++) {
    const i = order[k]!;
    out.sid[k] = sid[i]!;
    out.st[k] = st[i]!;
    out.m[k] = m[i]!;
    out.r[k] = r[i]!;
    out.g[k] = g[i]!;
  }
  return out;
}

/** Blocks of accounts per thread: enough for the threads to finish together. */
const BLOCKS_PER_THREAD = 16;

/**
 * Every signal's co-actions, from det_units: fills det_pairs and det_pair_signals with the totals of
 * every pair of accounts that has `minParticipation` distinct pairs of posts or more, and returns
 * the distinct pairs of accounts that co-act in each signal. The walk (coactions.ts) runs in
 * worker threads, one per core, when there are many units; the result is the same with any number.
 */
export async function pairAccounts(
  store: Store,
  minParticipation: number,
  onProgress?: (fraction: number, label: string) => void,
  threads?: number,
): Promise<Map<number, number>> {
  const [range] = await store.all<{
    t: number | null;
    pr: number | null;
    units: number;
    accounts: number;
    exposure: number;
  }>(
    `SELECT min(t0)::DOUBLE AS t, max(pr)::DOUBLE AS pr, count(*)::DOUBLE AS units,
       (SELECT count(*) FROM det_accounts)::DOUBLE AS accounts,
       (SELECT count(*) FROM det_exposure)::DOUBLE AS exposure
     FROM det_units`,
  );
  if (range?.t === null || range?.t === undefined) return new Map();
  // Posts are numbered in 32 bits (coactions.ts); 2^27 units would take 13 GB to walk.
  if (range.pr! >= 2 ** 32 || range.units >= 2 ** 27)
    throw new LockstepError(
      'this store has more posts or co-action units than detection handles on one machine (4 billion posts, 134 million units)',
    );
  const t0 = range.t;
  const workers = Math.max(1, Math.min(threads ?? availableParallelism(), 16));
  const parallel =
    workers > 1 && (threads !== undefined || range.units >= PARALLEL_MIN_UNITS) && existsSync(WORKER_FILE);
  onProgress?.(0, 'reading units');
  const windows = new Array<number>(32).fill(0);
  for (const r of await store.all<{ sid: number; w: number }>(
    `SELECT sid, any_value(w)::DOUBLE AS w FROM det_units GROUP BY sid`,
  ))
    windows[r.sid] = r.w;
  const accounts = range.accounts;
  {
    let builder: WalkBuilder | null = null;
    await scanColumns(
      store,
      `SELECT u.sid, u.ok, u.b - f.b0 AS b, u.t0 - ${t0} AS t0, u.t1 - ${t0} AS t1, u.ai, u.pr, u.idf
     FROM det_units u JOIN (SELECT sid, min(b) AS b0 FROM det_units GROUP BY sid) f USING (sid)`,
      { sid: 'u8', ok: 'u64', b: 'i32', t0: 'i32', t1: 'i32', ai: 'u32', pr: 'u32', idf: 'f64' },
      'sid, ok, b, ai',
      {
        rows: range.units,
        begin: (rows) => {
          builder = new WalkBuilder(rows, windows, accounts, parallel);
        },
        chunk: (c, count) => builder!.add(c as unknown as UnitChunk, count),
      },
    );
    const data = builder!.finish(await readExposure(store, accounts, range.exposure, parallel));
    const accountKeys = (await readColumns(store, `SELECT ai, ak FROM det_accounts`, { ak: 'u64' }, 'ai'))
      .ak as Uint32Array;

    const pairs = await ColumnWriter.open(store, 'det_pairs', ['u64', 'u64', 'i64', 'f64', 'u32', 'f64']);
    const pairSignals = await ColumnWriter.open(store, 'det_pair_signals', [
      'u64',
      'u64',
      'u8',
      'i64',
      'f64',
    ]);
    const write = (t: PairTotals) => {
      for (let i = 0; i < t.pairs; i++) {
        pairs.halves(0, accountKeys, t.a1[i]!);
        pairs.halves(1, accountKeys, t.a2[i]!);
        pairs.int64(2, t.k[i]!);
        pairs.columns[3]![pairs.row] = t.w[i]!;
        pairs.columns[4]![pairs.row] = t.sigs[i]!;
        pairs.columns[5]![pairs.row] = t.mu[i]!;
        pairs.next();
      }
      for (let i = 0; i < t.signalRows; i++) {
        pairSignals.halves(0, accountKeys, t.sa1[i]!);
        pairSignals.halves(1, accountKeys, t.sa2[i]!);
        pairSignals.columns[2]![pairSignals.row] = t.sid[i]!;
        pairSignals.int64(3, t.sk[i]!);
        pairSignals.columns[4]![pairSignals.row] = t.smu[i]!;
        pairSignals.next();
      }
    };
    const total = data.bound.reduce((s, b) => s + b + 1, 0);
    const blocks = accountBlocks(data, Math.max(1, total / (workers * BLOCKS_PER_THREAD)));
    const perSignal = new Map<number, number>();
    const count = (c: CoActionCounts) =>
      c.pairsPerSignal.forEach((n, sid) => {
        if (n > 0) perSignal.set(sid, (perSignal.get(sid) ?? 0) + n);
      });
    try {
      if (!parallel)
        blocks.forEach(([from, to], i) => {
          const { totals, counts } = walkAccounts(data, from, to, minParticipation);
          write(totals);
          count(counts);
          onProgress?.((i + 1) / blocks.length, 'co-actions');
        });
      else
        await walkInWorkers(data, blocks, workers, minParticipation, (totals, counts, done) => {
          write(totals);
          count(counts);
          onProgress?.(done / blocks.length, 'co-actions');
        });
    } finally {
      pairs.close();
      pairSignals.close();
    }
    return perSignal;
  }
}

/**
 * Walks `blocks` in `workers` threads, handing each thread the next block as it finishes one, and
 * passes the results to `take` in block order (so the rows are stored in the same order whatever
 * the threads' speed).
 */
async function walkInWorkers(
  data: WalkData,
  blocks: [number, number][],
  workers: number,
  minParticipation: number,
  take: (totals: PairTotals, counts: CoActionCounts, done: number) => void,
): Promise<void> {
  // Workers inherit the process's flags; `--input-type` (of `node -e`) would stop them loading a file.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const pool = Array.from(
    { length: Math.min(workers, blocks.length) },
    () => new Worker(WORKER_FILE, { workerData: data, execArgv }),
  );
  const results = new Map<number, WalkReply>();
  let next = 0;
  let taken = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const send = (w: Worker) => {
        if (next >= blocks.length) return;
        const [from, to] = blocks[next]!;
        const request: WalkRequest = { block: next++, from, to, minParticipation };
        w.postMessage(request);
      };
      for (const w of pool) {
        w.on('error', reject);
        w.on('message', (m: WalkReply) => {
          results.set(m.block, m);
          try {
            while (results.has(taken)) {
              const r = results.get(taken)!;
              results.delete(taken++);
              take(r.totals, r.counts, taken);
            }
          } catch (err) {
            reject(err);
            return;
          }
          if (taken === blocks.length) resolve();
          else send(w);
        });
        send(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/**
 * Makes det_local_events hold every co-action (pair of posts, with its closest co-action) of the
 * accounts of `table (ak, ...)` with any account, once-only ones included: the membership and group
 * tests and the evidence need them (a sleeper co-acts once with each of many members). Accounts
 * already covered (det_local_accounts) are not recomputed, and their co-actions are not added twice.
 */
export async function localEvents(store: Store, table: string): Promise<void> {
  // The new accounts' units in a table of their own: the joins build on them and stream det_units.
  await store.run(`CREATE OR REPLACE TEMP TABLE det_local_units AS
    SELECT * FROM det_units WHERE ak IN (SELECT ak FROM ${table}) AND ak NOT IN (SELECT ak FROM det_local_accounts)`);
  const co = coActionSql(eventColumns, 'det_local_units', 'det_units');
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
