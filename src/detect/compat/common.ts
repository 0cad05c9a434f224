/**
 * Shared parts of the peer-compatibility modes (CooRTweet, coordination-network-toolkit): option
 * checks, times in microseconds, the time-bucket join and moving many rows out of DuckDB at once.
 *
 * Co-action joins are equality joins on (object, time bucket) plus the next bucket, then an exact
 * filter on the time difference (a range self-join is quadratic on crowded objects: see STACK.md).
 * With buckets of the window's width, two actions at most `w` apart are in the same or in adjacent
 * buckets, so `same bucket` + `next bucket` sees every pair exactly once.
 */
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';

/** A time window in seconds as whole microseconds (the store's resolution), after checking it. */
export function windowMicros(tool: string, seconds: number): bigint {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)
    throw new UsageError(`invalid ${tool} time window: ${seconds}; expecting a number of seconds >= 0`);
  return BigInt(Math.round(seconds * 1e6));
}

/** Checks a count option (min participation, min edge weight): a finite number >= 0. */
export function checkCount(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new UsageError(`invalid ${name}: ${value}; expecting a number >= 0`);
  return value;
}

/** `platform = ?` when a platform is given (its value goes in the query's parameters). */
export function platformFilter(platform: string | undefined, params: string[]): string {
  if (platform === undefined) return 'true';
  if (!platform) throw new UsageError('invalid platform: ""; give a platform name such as twitter');
  params.push(platform);
  return 'platform = ?';
}

/**
 * SQL of the time bucket of `t` (microseconds) for a window of `w` microseconds: floor(t / w), exact
 * in integers (DuckDB's `//` truncates toward zero). A zero window buckets by the time itself.
 */
export function bucketSql(t: string, w: bigint): string {
  if (w === 0n) return t;
  return `(${t} // ${w} - CASE WHEN ${t} % ${w} < 0 THEN 1 ELSE 0 END)`;
}

/**
 * Pairs of rows of `table` on the same `key` at most `w` microseconds apart and matching `filter`
 * (over `p` and `q`), each unordered pair of distinct rows once, with the columns `select`.
 * `table` must have the columns `key`, `id` (unique), `t` and `b` (the bucket of `t`, `bucketSql`).
 */
export function bucketPairsSql(
  table: string,
  key: string,
  w: bigint,
  select: string,
  filter = 'true',
): string {
  const where = `abs(p.t - q.t) <= ${w} AND (${filter})`;
  const same = `SELECT ${select} FROM ${table} p JOIN ${table} q
      ON p.${key} = q.${key} AND p.b = q.b AND p.id < q.id WHERE ${where}`;
  if (w === 0n) return same;
  return `${same}
    UNION ALL
    SELECT ${select} FROM ${table} p JOIN ${table} q
      ON p.${key} = q.${key} AND q.b = p.b + 1 WHERE ${where}`;
}

/** Rows the compatibility modes hand to JavaScript at most; larger results go to files. */
export const MAX_JS_ROWS = 2_000_000;

/** Refuses to bring more than `MAX_JS_ROWS` rows into JavaScript. */
export function checkRows(what: string, count: number, instead: string): void {
  if (count > MAX_JS_ROWS)
    throw new UsageError(
      `${count.toLocaleString('en-US')} ${what} are more than Lockstep holds in memory (${MAX_JS_ROWS.toLocaleString('en-US')}); ${instead}`,
    );
}

let serial = 0;

/** A fresh name prefix for a run's temporary tables (they live as long as the store's connection). */
export function tempName(tool: string): string {
  serial++;
  return `compat_${tool}_${process.pid}_${serial}`;
}

const CHUNK = 50_000;

/**
 * Runs `sql` and returns its rows as arrays of `columns`, ordered by its `seq` column (1, 2, ...).
 * Each value crossing from DuckDB to JavaScript one by one costs microseconds, so rows travel as a
 * few large JSON strings (one per chunk of 50,000 rows) and are parsed in JavaScript.
 */
export async function bulkRows(
  store: Store,
  sql: string,
  columns: string[],
  params: string[] = [],
): Promise<unknown[][]> {
  const chunks = await store.all<{ j: string }>(
    `WITH q AS (${sql})
     SELECT (seq - 1) // ${CHUNK} AS c, string_agg(json_array(${columns.join(', ')})::VARCHAR, ',' ORDER BY seq) AS j
     FROM q GROUP BY c ORDER BY c`,
    params,
  );
  const rows: unknown[][] = [];
  for (const { j } of chunks) for (const row of JSON.parse(`[${j}]`) as unknown[][]) rows.push(row);
  return rows;
}
