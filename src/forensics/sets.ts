/**
 * The account sets a fingerprint describes (a detected cluster, or accounts a user lists), loaded
 * into one temporary table so that every statistic is computed for all sets in one pass of SQL.
 *
 *   fp_sets(set_id VARCHAR, platform VARCHAR, account_id VARCHAR)   one row per member
 *
 * The population the sets are compared with is every account of the store that is in no set.
 */
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../core/errors.js';
import type { Store } from '../store/store.js';

export interface AccountRef {
  platform: string;
  accountId: string;
}

export interface AccountSet {
  /** A cluster id (`c1`) or a name the user chose. */
  id: string;
  accounts: AccountRef[];
}

export const SETS_TABLE = 'fp_sets';

/** Creates (or replaces) `fp_sets` with the members of `sets`; an account may be in several sets. */
export async function loadAccountSets(store: Store, sets: AccountSet[]): Promise<void> {
  const rows = sets.flatMap((s) => s.accounts.map((a) => [s.id, a.platform, a.accountId]));
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${SETS_TABLE} AS
    SELECT r[1] AS set_id, r[2] AS platform, r[3] AS account_id
    FROM (SELECT unnest(CAST(? AS VARCHAR[][])) AS r)`,
    [JSON.stringify(rows)],
  );
}

/** Accounts of the store in no set: the size of the population the sets are compared with. */
export async function populationSize(store: Store): Promise<number> {
  return Number(
    (await store.value(`SELECT count(*) FROM accounts a WHERE NOT EXISTS
      (SELECT 1 FROM ${SETS_TABLE} s WHERE s.platform = a.platform AND s.account_id = a.account_id)`)) ?? 0,
  );
}

export async function dropAccountSets(store: Store): Promise<void> {
  await store.run(`DROP TABLE IF EXISTS ${SETS_TABLE}`);
}

export interface AccountsFile {
  set: AccountSet;
  /** Lines that name no account of the store, as written. */
  unknown: string[];
}

/**
 * Reads a list of accounts, one per line: `account_id`, `platform:account_id` or `@handle` (blank
 * lines and `#` comments skipped), or a CSV whose header has an `account_id` column (and optionally
 * `platform`). Each entry is looked up in the store; the ones that are not there are returned apart.
 */
export async function readAccountsFile(store: Store, path: string, id: string): Promise<AccountsFile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const header = lines[0]?.split(/[,\t;]/).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  let wanted: string[];
  if (header?.includes('account_id')) {
    const sep = lines[0]!.includes('\t') ? '\t' : lines[0]!.includes(';') ? ';' : ',';
    const ai = header.indexOf('account_id');
    const pi = header.indexOf('platform');
    wanted = lines.slice(1).map((l) => {
      const f = l.split(sep).map((c) => c.trim().replace(/^"|"$/g, ''));
      return pi >= 0 && f[pi] ? `${f[pi]}:${f[ai] ?? ''}` : (f[ai] ?? '');
    });
  } else wanted = lines;
  if (!wanted.length)
    throw new UsageError(`${path} lists no account; write one account id, platform:id or @handle per line`);
  // Each entry is matched as platform:id, as an id on any platform, or as a handle (case-folded).
  const found = await store.all<{ entry: string; platform: string; account_id: string }>(
    `WITH w AS (SELECT DISTINCT unnest(CAST(? AS VARCHAR[])) AS entry)
     SELECT w.entry, a.platform, a.account_id FROM w JOIN accounts a ON w.entry = a.platform || ':' || a.account_id
     UNION SELECT w.entry, a.platform, a.account_id FROM w JOIN accounts a ON w.entry = a.account_id
     UNION SELECT w.entry, a.platform, a.account_id FROM w JOIN accounts a
       ON starts_with(w.entry, '@') AND lower(a.handle) = lower(w.entry[2:])
     ORDER BY 1, 2, 3`,
    [JSON.stringify(wanted)],
  );
  const seen = new Set<string>();
  const accounts: AccountRef[] = [];
  const matched = new Set<string>();
  for (const f of found) {
    matched.add(f.entry);
    const key = `${f.platform}:${f.account_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    accounts.push({ platform: f.platform, accountId: f.account_id });
  }
  if (!accounts.length)
    throw new UsageError(
      `none of the ${wanted.length} accounts in ${path} is in the store; check the ids or the --db`,
    );
  return { set: { id, accounts }, unknown: [...new Set(wanted)].filter((w) => !matched.has(w)) };
}
