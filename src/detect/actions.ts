/**
 * Stage 1: every signal's actions in one table, `det_actions`, with compact keys: `sid` (the signal),
 * `ak` (account: a 64-bit hash of platform and account id), `ok` (object: a hash of the signal's
 * object), `t` (seconds since the epoch), `pr` (the post's rowid) and `st` (the null model's stratum,
 * platform and language, hashed too). Hash keys make the joins and aggregates that follow fixed-width
 * (a string stratum in the units' arg_min cost seconds at 10M posts); a collision check on the
 * accounts guards them.
 */
import { LockstepError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { ResolvedSignal } from './params.js';

export async function createActionTable(store: Store): Promise<void> {
  await store.run(`CREATE OR REPLACE TEMP TABLE det_actions (
    sid UTINYINT, ak UBIGINT, ok UBIGINT, t BIGINT, pr BIGINT, st UBIGINT)`);
}

/** Hashed as several values, not joined into one string first (0.3 s of string building at 10M). */
const DEFAULT_STRATUM = `platform, coalesce(lang, 'und')`;

/** Inserts one signal's actions; returns how many, on how many objects. */
export async function collectActions(
  store: Store,
  signal: ResolvedSignal,
): Promise<{ actions: number; objects: number }> {
  const sql = signal.descriptor.actionsSql(signal.options);
  await store.run(`INSERT INTO det_actions
    SELECT ${signal.sid}, hash(platform, account_id), hash(obj), epoch_ms(created_at) // 1000, pr,
           hash(${signal.descriptor.stratumSql ?? DEFAULT_STRATUM})
    FROM (${sql})`);
  const [row] = await store.all<{ actions: number; objects: number }>(
    `SELECT count(*)::BIGINT AS actions, count(DISTINCT ok)::BIGINT AS objects FROM det_actions WHERE sid = ?`,
    [signal.sid],
  );
  return row!;
}

/**
 * `det_accounts (ak, ai, platform, account_id, posts)`: every account of the posts with its key, a
 * dense index (0..N-1, in key order: a pair of accounts is then one exact 64-bit key, pairs.ts),
 * its ids and its number of posts, in one pass over the posts (the summary reads ids and counts
 * from here instead of hashing every post and account again). Refuses to go on if two accounts
 * share a hash key (astronomically unlikely, but checked). Returns the number of accounts.
 */
export async function createAccountKeys(store: Store): Promise<number> {
  await store.run(`CREATE OR REPLACE TEMP TABLE det_accounts AS
    SELECT hash(platform, account_id) AS ak,
      (row_number() OVER (ORDER BY hash(platform, account_id)) - 1)::UINTEGER AS ai,
      platform, account_id, posts
    FROM (SELECT platform, account_id, count(*)::BIGINT AS posts FROM posts GROUP BY platform, account_id)`);
  const [row] = await store.all<{ ids: number; keys: number }>(
    `SELECT count(*)::BIGINT AS ids, count(DISTINCT ak)::BIGINT AS keys FROM det_accounts`,
  );
  if (row!.ids !== row!.keys)
    throw new LockstepError(
      `two accounts in this store share a 64-bit hash key (${row!.ids} accounts, ${row!.keys} keys); please report this`,
    );
  return row!.ids;
}
