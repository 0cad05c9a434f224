/**
 * Loading staged rows into the store inside the ingest's transaction, and the final pass that
 * makes re-ingest idempotent: a post whose (platform, post_id) is already stored, or repeats
 * earlier in the same file, is removed again and counted as a duplicate.
 *
 * Everything here runs between BEGIN and COMMIT: a killed process leaves no trace in posts,
 * accounts or rejects (DuckDB rolls the open transaction back on the next open).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import type { AccountState } from './staging.js';

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Columns of a staged post line (staging.ts `serializePost`); lists joined by U+001F. */
const POST_STAGE_COLUMNS = `{
  'platform': 'VARCHAR', 'post_id': 'VARCHAR', 'account_id': 'VARCHAR', 'created_ms': 'BIGINT', 'kind': 'VARCHAR',
  'ref_post_id': 'VARCHAR', 'ref_account_id': 'VARCHAR', 'reply_to_post_id': 'VARCHAR', 'reply_to_account_id': 'VARCHAR',
  'text': 'VARCHAR', 'text_norm': 'VARCHAR', 'lang': 'VARCHAR', 'urls': 'VARCHAR', 'domains': 'VARCHAR', 'hashtags': 'VARCHAR',
  'mentions': 'VARCHAR', 'media': 'VARCHAR', 'client': 'VARCHAR', 'extra': 'VARCHAR', 'source_line': 'BIGINT'}`;

function csvReader(file: string, columns: string, maxLineBytes: number): string {
  return `read_csv(${sqlString(file)}, header = false, auto_detect = false, columns = ${columns}, delim = ',',
    quote = '"', escape = '"', allow_quoted_nulls = false, max_line_size = ${maxLineBytes},
    buffer_size = ${Math.max(maxLineBytes * 2, 32 * 1024 * 1024)}, strict_mode = true)`;
}

/**
 * Loads one staging file. Plain ASCII text is normalised here, in SQL (normalize/sql.ts); everything
 * else was normalised in TypeScript as it was staged. Lists are stored sorted and without repeats.
 */
export async function loadPosts(
  store: Store,
  file: string,
  ingestId: number,
  maxLineBytes: number,
): Promise<void> {
  await store.run(`INSERT INTO posts SELECT platform, post_id, account_id, epoch_ms(created_ms), kind,
      ref_post_id, ref_account_id, reply_to_post_id, reply_to_account_id, text,
      CASE WHEN strlen(text) <> length(text) THEN text_norm ELSE lk_norm_text(text) END, lang,
      curls, lk_domains(curls, lk_list(domains)), lk_short_urls(curls), lk_list(hashtags), lk_list(mentions),
      lk_list(media), client, extra::JSON, ${ingestId}, source_line
    FROM (SELECT *, lk_list(urls) AS curls FROM ${csvReader(file, POST_STAGE_COLUMNS, maxLineBytes)})`);
}

export async function loadRejects(
  store: Store,
  file: string,
  ingestId: number,
  maxLineBytes: number,
): Promise<void> {
  await store.run(`INSERT INTO rejects SELECT ${ingestId}, file_name, line, reason, raw, truncated
    FROM ${csvReader(file, `{'file_name': 'VARCHAR', 'line': 'BIGINT', 'reason': 'VARCHAR', 'raw': 'VARCHAR', 'truncated': 'BOOLEAN'}`, maxLineBytes)}`);
}

export interface DedupResult {
  stored: number;
  duplicate: number;
  /** Distinct posts this ingest added. */
  postsNew: number;
}

/**
 * Removes this ingest's posts whose key was stored before (by an earlier ingest, or earlier in this
 * file); the first one stored wins. Candidate keys are found on a 64-bit hash of the key (an
 * aggregation over integers, not strings) and confirmed on the strings themselves.
 */
export async function deduplicate(store: Store, ingestId: number, hadPosts: boolean): Promise<DedupResult> {
  const staged =
    (await store.value<number>(`SELECT count(*) FROM posts WHERE ingest_id = ?`, [ingestId])) ?? 0;
  const scope = hadPosts
    ? `SELECT hash(platform, post_id) AS h FROM posts WHERE hash(platform, post_id) IN (SELECT hash(platform, post_id) FROM posts WHERE ingest_id = ${ingestId})`
    : `SELECT hash(platform, post_id) AS h FROM posts WHERE ingest_id = ${ingestId}`;
  await store.run(
    `CREATE OR REPLACE TEMP TABLE dup_hashes AS SELECT h FROM (${scope}) GROUP BY h HAVING count(*) > 1`,
  );
  await store.run(`CREATE OR REPLACE TEMP TABLE dup_rows AS
    SELECT rid FROM (
      SELECT rowid AS rid, ingest_id,
        row_number() OVER (PARTITION BY platform, post_id ORDER BY ingest_id, source_line, rowid) AS rn
      FROM posts WHERE hash(platform, post_id) IN (SELECT h FROM dup_hashes)
    ) WHERE rn > 1 AND ingest_id = ${ingestId}`);
  const duplicate = (await store.value<number>(`SELECT count(*) FROM dup_rows`)) ?? 0;
  if (duplicate > 0) await store.run(`DELETE FROM posts WHERE rowid IN (SELECT rid FROM dup_rows)`);
  await store.run(`DROP TABLE dup_hashes; DROP TABLE dup_rows`);
  return { stored: staged - duplicate, duplicate, postsNew: staged - duplicate };
}

/**
 * For formats whose rows are parts of posts (`merge: 'union'`): folds this ingest's rows that share
 * a key into one post, with the union of their lists. Rows that repeat a part exactly, or describe
 * a post stored by an earlier ingest, count as duplicates; the others as stored.
 */
export async function mergeUnion(store: Store, ingestId: number): Promise<DedupResult> {
  const id = ingestId;
  const facts = `platform, post_id, account_id, created_at, kind, ref_post_id, text, urls, domains, hashtags, mentions, media`;
  const [row] = await store.all<{ staged: number; old_rows: number; distinct_new: number }>(`
    WITH mine AS (SELECT * FROM posts WHERE ingest_id = ${id}),
    old AS (SELECT DISTINCT platform, post_id FROM posts WHERE ingest_id <> ${id}
            AND hash(platform, post_id) IN (SELECT hash(platform, post_id) FROM mine))
    SELECT (SELECT count(*) FROM mine) AS staged,
           (SELECT count(*) FROM mine SEMI JOIN old USING (platform, post_id)) AS old_rows,
           (SELECT count(*) FROM (SELECT DISTINCT ${facts} FROM mine ANTI JOIN old USING (platform, post_id))) AS distinct_new`);
  await store.run(`CREATE OR REPLACE TEMP TABLE merged AS
    SELECT platform, post_id, first(account_id ORDER BY source_line) AS account_id, min(created_at) AS created_at,
      first(kind ORDER BY source_line) AS kind, first(ref_post_id ORDER BY source_line) AS ref_post_id,
      first(ref_account_id ORDER BY source_line) AS ref_account_id, first(reply_to_post_id ORDER BY source_line) AS reply_to_post_id,
      first(reply_to_account_id ORDER BY source_line) AS reply_to_account_id, first(text ORDER BY source_line) AS text,
      first(text_norm ORDER BY source_line) AS text_norm, first(lang ORDER BY source_line) AS lang,
      list_sort(list_distinct(flatten(list(urls)))) AS urls, list_sort(list_distinct(flatten(list(domains)))) AS domains,
      list_sort(list_distinct(flatten(list(short_urls)))) AS short_urls, list_sort(list_distinct(flatten(list(hashtags)))) AS hashtags,
      list_sort(list_distinct(flatten(list(mentions)))) AS mentions, list_sort(list_distinct(flatten(list(media)))) AS media,
      first(client ORDER BY source_line) AS client, first(extra ORDER BY source_line) AS extra, ${id} AS ingest_id,
      min(source_line) AS source_line
    FROM posts p WHERE ingest_id = ${id}
      AND NOT EXISTS (SELECT 1 FROM posts o WHERE o.ingest_id <> ${id} AND o.platform = p.platform AND o.post_id = p.post_id)
    GROUP BY platform, post_id`);
  await store.run(`DELETE FROM posts WHERE ingest_id = ${id}`);
  await store.run(`INSERT INTO posts SELECT * FROM merged`);
  const postsNew = (await store.value<number>(`SELECT count(*) FROM merged`)) ?? 0;
  await store.run(`DROP TABLE merged`);
  const stored = row!.distinct_new;
  return { stored, duplicate: row!.staged - stored, postsNew };
}

const q = (s: string | null | undefined) =>
  s === null || s === undefined ? '' : `"${s.replaceAll('"', '""')}"`;
const num = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? '' : String(Math.round(n));

/**
 * Stages the accounts the general path folded in JavaScript as the temp tables `stage_accounts` and
 * `stage_versions` (the bulk path builds the same tables in SQL, see native.ts).
 */
export async function stageAccounts(
  store: Store,
  accounts: Iterable<AccountState>,
  dir: string,
): Promise<void> {
  const accountFile = join(dir, 'accounts.csv');
  const versionFile = join(dir, 'versions.csv');
  const accountLines: string[] = [];
  const versionLines: string[] = [];
  for (const { account: a, versions } of accounts) {
    accountLines.push(
      `${q(a.platform)},${q(a.accountId)},${q(a.handle)},${q(a.displayName)},${q(a.bio)},${q(a.location)},${q(a.url)},${num(a.createdAt)},${num(a.followers)},${num(a.following)},${q(a.lang)},${a.verified === null || a.verified === undefined ? '' : a.verified},${num(a.observedAt)},${a.extra ? q(JSON.stringify(a.extra)) : ''}\n`,
    );
    for (const v of versions.values()) {
      versionLines.push(
        `${q(a.platform)},${q(a.accountId)},${q(v.key)},${q(v.handle)},${q(v.displayName)},${q(v.bio)},${q(v.location)},${q(v.url)},${num(v.first)},${num(v.last)}\n`,
      );
    }
  }
  writeFileSync(accountFile, accountLines.join(''));
  writeFileSync(versionFile, versionLines.join(''));
  const big = 64 * 1024 * 1024;
  await store.run(
    `CREATE OR REPLACE TEMP TABLE stage_accounts AS SELECT * FROM ${csvReader(
      accountFile,
      `{'platform': 'VARCHAR', 'account_id': 'VARCHAR', 'handle': 'VARCHAR', 'display_name': 'VARCHAR', 'bio': 'VARCHAR',
      'location': 'VARCHAR', 'url': 'VARCHAR', 'created_ms': 'BIGINT', 'followers': 'BIGINT', 'following': 'BIGINT',
      'lang': 'VARCHAR', 'verified': 'BOOLEAN', 'observed_ms': 'BIGINT', 'extra': 'VARCHAR'}`,
      big,
    )}`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE stage_versions AS SELECT * FROM ${csvReader(
      versionFile,
      `{'platform': 'VARCHAR', 'account_id': 'VARCHAR', 'version_key': 'VARCHAR', 'handle': 'VARCHAR', 'display_name': 'VARCHAR',
      'bio': 'VARCHAR', 'location': 'VARCHAR', 'url': 'VARCHAR', 'first_ms': 'BIGINT', 'last_ms': 'BIGINT'}`,
      big,
    )}`,
  );
}

/**
 * Merges the staged accounts of this ingest: new accounts are added; for known ones the newer
 * observation's non-null values win. Accounts that posted but came without a profile are added bare.
 * Returns how many accounts are new to the store.
 */
export async function mergeStagedAccounts(store: Store, ingestId: number): Promise<number> {
  await store.run(`INSERT INTO stage_accounts (platform, account_id, observed_ms)
    SELECT platform, account_id, epoch_ms(max(created_at)) FROM posts p WHERE ingest_id = ${ingestId}
      AND NOT EXISTS (SELECT 1 FROM stage_accounts s WHERE s.platform = p.platform AND s.account_id = p.account_id)
    GROUP BY platform, account_id`);
  const newer = (col: string) =>
    `${col} = CASE WHEN excluded.observed_at >= accounts.observed_at THEN coalesce(excluded.${col}, accounts.${col}) ELSE coalesce(accounts.${col}, excluded.${col}) END`;
  const before = (await store.value<number>(`SELECT count(*) FROM accounts`)) ?? 0;
  await store.run(`INSERT INTO accounts
    SELECT platform, account_id, handle, display_name, bio, location, url, epoch_ms(created_ms), followers, following,
      lang, verified, epoch_ms(observed_ms), extra::JSON, ${ingestId}, ${ingestId}
    FROM stage_accounts
    ON CONFLICT (platform, account_id) DO UPDATE SET
      ${['handle', 'display_name', 'bio', 'location', 'url', 'followers', 'following'].map(newer).join(',\n      ')},
      created_at = coalesce(accounts.created_at, excluded.created_at),
      lang = coalesce(excluded.lang, accounts.lang),
      verified = coalesce(excluded.verified, accounts.verified),
      observed_at = greatest(excluded.observed_at, accounts.observed_at),
      extra = coalesce(excluded.extra, accounts.extra),
      last_ingest_id = excluded.last_ingest_id`);
  const after = (await store.value<number>(`SELECT count(*) FROM accounts`)) ?? 0;
  await store.run(`INSERT INTO account_versions
    SELECT platform, account_id, version_key, handle, display_name, bio, location, url, epoch_ms(first_ms), epoch_ms(last_ms)
    FROM stage_versions
    ON CONFLICT (platform, account_id, version_key) DO UPDATE SET
      first_observed = least(account_versions.first_observed, excluded.first_observed),
      last_observed = greatest(account_versions.last_observed, excluded.last_observed)`);
  await store.run(`DROP TABLE stage_accounts; DROP TABLE stage_versions`);
  return after - before;
}
