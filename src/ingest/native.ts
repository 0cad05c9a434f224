/**
 * The bulk path for flat CSV exports: DuckDB reads the file itself (its parallel C++ CSV reader) and
 * maps and normalises the rows in SQL (normalize/sql.ts), so tens of millions of rows never pass one
 * by one through JavaScript.
 *
 * It is a fast path, not a second semantics: it only accepts what it reads exactly like the general
 * path (a differential test stores the same file both ways and compares every column). Anything
 * else (a malformed row, an unreadable date, an odd list, invalid UTF-8, an oversized record) raises
 * an error inside the transaction; the ingest rolls back and reruns on the general path, which keeps
 * every bad row aside with its line and reason. Clean files take the fast path; dirty files pay for
 * two reads.
 */
import type { Store } from '../store/store.js';
import { normalizeText } from './normalize/text.js';
import type { SourceInfo } from './source.js';

/** SQL that maps a CSV format's columns onto canonical columns (all CSV columns are read as text). */
export interface NativePlan {
  /** Header columns, in file order. */
  columns: string[];
  /**
   * Select list over the CSV columns naming: platform, post_id, account_id, created_at, kind,
   * ref_post_id, ref_account_id, reply_to_post_id, reply_to_account_id, text, lang, urls_raw,
   * tags_raw, mentions_raw (VARCHAR[]), media, client, extra; and the author's profile as observed
   * on the row: acc_handle, acc_display_name, acc_bio, acc_location, acc_url, acc_created,
   * acc_followers, acc_following, acc_lang.
   */
  select: string;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Phase timings on stderr when LOCKSTEP_TIMING is set (used by the benchmarks). */
export function phaseTimer(label: string): (phase: string) => void {
  if (!process.env.LOCKSTEP_TIMING) return () => {};
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    process.stderr.write(`[timing] ${label} ${phase}: ${((now - last) / 1000).toFixed(2)}s\n`);
    last = now;
  };
}

/** The `read_csv` call for a plan: strict, all text, no sniffing, so DuckDB reads what the general path reads. */
export function nativeReader(source: SourceInfo, plan: NativePlan, maxLineBytes: number): string {
  const columns = plan.columns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
  return `read_csv(${sqlString(source.path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    columns = {${columns}}, strict_mode = true, null_padding = false, max_line_size = ${maxLineBytes},
    buffer_size = ${Math.max(maxLineBytes * 2, 32 * 1024 * 1024)}, compression = ${source.gzip ? "'gzip'" : "'none'"})`;
}

/**
 * Loads the file's posts and stages its account observations (temp tables `stage_accounts`,
 * `stage_versions`) inside the caller's transaction; returns the rows read. Throws (and the caller
 * rolls back and falls back) on anything the general path would read differently.
 */
export async function loadNative(
  store: Store,
  source: SourceInfo,
  plan: NativePlan,
  ingestId: number,
  maxLineBytes: number,
  onProgress: (fraction: number) => void,
): Promise<number> {
  const rows = `(SELECT ${plan.select} FROM ${nativeReader(source, plan, maxLineBytes)})`;
  await store.run(`SET enable_progress_bar = true; SET enable_progress_bar_print = false`);
  const timer = setInterval(() => {
    const p = store.connection.progress;
    if (p.percentage >= 0) onProgress(p.percentage / 100);
  }, 250);
  const lap = phaseTimer('bulk');
  try {
    await store.run(`INSERT INTO posts SELECT platform, post_id, account_id, created_at, kind, ref_post_id, ref_account_id,
        reply_to_post_id, reply_to_account_id, text, lk_norm_text(text), lang, urls, lk_domains(urls, []), lk_short_urls(urls),
        lk_tags(tags_raw), lk_tags(mentions_raw), media, client, extra, ${ingestId}, NULL
      FROM (SELECT *, lk_urls(urls_raw) AS urls FROM ${rows})`);
    const count =
      (await store.value<number>(`SELECT count(*) FROM posts WHERE ingest_id = ?`, [ingestId])) ?? 0;
    lap('posts');
    await foldCompat(store, ingestId);
    lap('compatibility characters');
    // Account profiles, from a second read of only their columns: one row per distinct profile state,
    // then the latest non-empty value of each field.
    await store.run(`CREATE OR REPLACE TEMP TABLE lk_observed AS
      SELECT platform, account_id, acc_handle AS handle, acc_display_name AS display_name, acc_bio AS bio,
        acc_location AS location, acc_url AS url, min(created_at) AS first_seen, max(created_at) AS last_seen,
        arg_max(acc_created, created_at) FILTER (WHERE acc_created IS NOT NULL) AS created,
        arg_max(acc_followers, created_at) FILTER (WHERE acc_followers IS NOT NULL) AS followers,
        arg_max(acc_following, created_at) FILTER (WHERE acc_following IS NOT NULL) AS following,
        arg_max(acc_lang, created_at) FILTER (WHERE acc_lang IS NOT NULL) AS lang
      FROM ${rows} GROUP BY ALL`);
    await store.run(`CREATE OR REPLACE TEMP TABLE stage_accounts AS
      SELECT platform, account_id,
        arg_max(handle, last_seen) FILTER (WHERE handle IS NOT NULL) AS handle,
        arg_max(display_name, last_seen) FILTER (WHERE display_name IS NOT NULL) AS display_name,
        arg_max(bio, last_seen) FILTER (WHERE bio IS NOT NULL) AS bio,
        arg_max(location, last_seen) FILTER (WHERE location IS NOT NULL) AS location,
        arg_max(url, last_seen) FILTER (WHERE url IS NOT NULL) AS url,
        epoch_ms(arg_max(created, last_seen) FILTER (WHERE created IS NOT NULL)) AS created_ms,
        arg_max(followers, last_seen) FILTER (WHERE followers IS NOT NULL) AS followers,
        arg_max(following, last_seen) FILTER (WHERE following IS NOT NULL) AS following,
        arg_max(lang, last_seen) FILTER (WHERE lang IS NOT NULL) AS lang,
        NULL::BOOLEAN AS verified, epoch_ms(max(last_seen)) AS observed_ms, NULL::VARCHAR AS extra
      FROM lk_observed GROUP BY platform, account_id`);
    await store.run(`CREATE OR REPLACE TEMP TABLE stage_versions AS
      SELECT platform, account_id,
        md5(concat_ws(chr(31), coalesce(handle, ''), coalesce(display_name, ''), coalesce(bio, ''), coalesce(location, ''), coalesce(url, ''))) AS version_key,
        handle, display_name, bio, location, url, epoch_ms(min(first_seen)) AS first_ms, epoch_ms(max(last_seen)) AS last_ms
      FROM lk_observed
      WHERE coalesce(handle, display_name, bio, location, url) IS NOT NULL
      GROUP BY ALL`);
    await store.run(`DROP TABLE lk_observed`);
    lap('accounts');
    return count;
  } finally {
    clearInterval(timer);
  }
}

/**
 * Fills text_norm for the posts whose text holds compatibility characters (left empty by the SQL
 * macro, which has no NFKC): they are few, so they go through TypeScript one by one.
 */
async function foldCompat(store: Store, ingestId: number): Promise<void> {
  const rows = await store.all<{ rid: string; text: string }>(
    `SELECT rowid::VARCHAR AS rid, text FROM posts
     WHERE ingest_id = ? AND text_norm IS NULL AND text IS NOT NULL AND strlen(text) <> length(text) AND lk_has_compat(text)`,
    [ingestId],
  );
  if (!rows.length) return;
  await store.run(`CREATE OR REPLACE TEMP TABLE lk_compat (rid BIGINT, norm VARCHAR)`);
  const appender = await store.connection.createAppender('lk_compat', 'main', 'temp');
  for (const r of rows) {
    appender.appendBigInt(BigInt(r.rid));
    const norm = normalizeText(r.text);
    if (norm === null) appender.appendNull();
    else appender.appendVarchar(norm);
    appender.endRow();
  }
  appender.closeSync();
  await store.run(`UPDATE posts SET text_norm = c.norm FROM lk_compat c WHERE posts.rowid = c.rid`);
  await store.run(`DROP TABLE lk_compat`);
}
