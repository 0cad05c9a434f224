/**
 * Account reads for the workbench: one account's profile, activity, rhythm, co-actors and evidence;
 * its posts page by page; and a search over handles, names and ids. Each is a few statements on
 * the store, bounded by the page size.
 */
import { listValue } from '@duckdb/node-api';
import { NotFoundError } from '../core/errors.js';
import { rhythmFromCounts } from '../forensics/rhythm.js';
import type { Store } from '../store/store.js';
import type { PageParams } from './params.js';
import type { LoadedRun } from './runs.js';
import type { AccountResponse, AccountsResponse, PostRow, PostsResponse } from './types.js';

export const iso = (d: unknown): string | null =>
  d instanceof Date
    ? d.toISOString().replace('.000Z', 'Z')
    : d === null || d === undefined
      ? null
      : String(d);

/** An ISO UTC time as DuckDB's TIMESTAMP (the store's times are UTC without a zone). */
export const utcSql = (isoTime: string): string => isoTime.replace(/Z$/, '');

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Co-actors listed on an account page (its significant edges, strongest first). */
const MAX_CO_ACTORS = 100;

export async function accountDetail(
  store: Store,
  platform: string,
  accountId: string,
  run: LoadedRun | null,
): Promise<AccountResponse> {
  const key = `${platform}:${accountId}`;
  const profile = (
    await store.all<Record<string, unknown>>(
      `SELECT handle, display_name, bio, location, url, created_at, followers, following
       FROM accounts WHERE platform = ? AND account_id = ?`,
      [platform, accountId],
    )
  )[0];
  if (!profile) throw new NotFoundError(`no account ${key.slice(0, 80)} in this store`);
  // One pass over the posts for the account's times (a scan of the store: there is no index), then
  // the days, the span and the week in JavaScript.
  const times = await store.all<{ ms: number }>(
    'SELECT epoch_ms(created_at) AS ms FROM posts WHERE platform = ? AND account_id = ? ORDER BY created_at',
    [platform, accountId],
  );
  const perDay = new Map<string, number>();
  const week = new Float64Array(7 * 96);
  for (const { ms } of times) {
    const d = new Date(Number(ms));
    const day = d.toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    week[((d.getUTCDay() + 6) % 7) * 96 + d.getUTCHours() * 4 + Math.floor(d.getUTCMinutes() / 15)]! += 1;
  }
  const versions = await store.all<Record<string, unknown>>(
    `SELECT handle, display_name, bio, first_observed, last_observed FROM account_versions
     WHERE platform = ? AND account_id = ? ORDER BY first_observed NULLS LAST LIMIT 50`,
    [platform, accountId],
  );
  // Stated locations are read at the middle of the data's span, as for the clusters' rhythm.
  const span = run?.result.data.span;
  const middle =
    span?.start && span.end
      ? new Date((Date.parse(span.start) + Date.parse(span.end)) / 2)
      : new Date(
          Number(
            (await store.value<number>(
              'SELECT (epoch_ms(min(created_at)) + epoch_ms(max(created_at))) / 2 FROM posts',
            )) ?? Date.now(),
          ),
        );
  const location = profile.location as string | null;
  const rhythm = rhythmFromCounts(week, 1, location ? [{ location, accounts: 1 }] : [], middle);

  const clusterId = run?.clusterOf.get(key) ?? null;
  const cluster = clusterId ? run!.byId.get(clusterId)! : null;
  const member = cluster?.members.find((m) => m.key === key);
  const coActors = (run?.edgesOf.get(key) ?? [])
    .map((e) => {
      const other = e.source === key ? e.target : e.source;
      return {
        key: other,
        handle: run!.handleOf.get(other) ?? null,
        cluster: run!.clusterOf.get(other) ?? null,
        coActions: e.coActions,
        weight: e.weight,
        log10P: e.log10P,
        signals: e.signals,
      };
    })
    .sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key))
    .slice(0, MAX_CO_ACTORS);
  const evidence = (cluster?.evidence ?? []).filter((e) =>
    e.posts.some((p) => p.platform === platform && p.accountId === accountId),
  );
  return {
    account: {
      key,
      platform,
      accountId,
      handle: (profile.handle as string) ?? null,
      displayName: (profile.display_name as string) ?? null,
      bio: (profile.bio as string) ?? null,
      location: (profile.location as string) ?? null,
      url: (profile.url as string) ?? null,
      createdAt: iso(profile.created_at),
      followers: num(profile.followers),
      following: num(profile.following),
      posts: times.length,
      first: times.length ? iso(new Date(Number(times[0]!.ms))) : null,
      last: times.length ? iso(new Date(Number(times.at(-1)!.ms))) : null,
    },
    cluster:
      cluster && member
        ? {
            id: cluster.id,
            strength: member.strength,
            flagged: cluster.openIndicators.length === 0,
            confidence: cluster.confidence,
          }
        : null,
    timeline: [...perDay].map(([day, posts]) => ({ day, posts })),
    rhythm,
    coActors,
    evidence,
    versions: versions.map((v) => ({
      handle: (v.handle as string) ?? null,
      displayName: (v.display_name as string) ?? null,
      bio: (v.bio as string) ?? null,
      firstObserved: iso(v.first_observed),
      lastObserved: iso(v.last_observed),
    })),
  };
}

/** The account's posts, newest first, optionally within [from, to]. */
export async function accountPosts(
  store: Store,
  platform: string,
  accountId: string,
  page: PageParams,
  range: { from?: string; to?: string },
): Promise<PostsResponse> {
  const where = ['platform = ?', 'account_id = ?'];
  const params: string[] = [platform, accountId];
  if (range.from) {
    where.push('created_at >= ?::TIMESTAMP');
    params.push(utcSql(range.from));
  }
  if (range.to) {
    where.push('created_at <= ?::TIMESTAMP');
    params.push(utcSql(range.to));
  }
  // One scan of the narrow columns finds the account's posts (their count and the page's rowids);
  // only the page's rows are then read whole. Cheaper than carrying every post's text through a
  // sort or a window function.
  const rows = await store.all<Record<string, unknown>>(
    `WITH mine AS (SELECT rowid AS r, created_at, post_id FROM posts WHERE ${where.join(' AND ')}),
     pg AS (SELECT r FROM mine ORDER BY created_at DESC, post_id LIMIT ${page.limit} OFFSET ${page.offset})
     SELECT p.platform, p.post_id, p.account_id, p.created_at, p.kind, p.text, p.urls, p.hashtags, p.ref_post_id,
            (SELECT count(*) FROM mine) AS total
     FROM posts p SEMI JOIN pg ON p.rowid = pg.r
     ORDER BY p.created_at DESC, p.post_id`,
    params,
  );
  const total =
    (rows[0]?.total as number | undefined) ??
    (await store.value<number>(`SELECT count(*) FROM posts WHERE ${where.join(' AND ')}`, params)) ??
    0;
  return { items: rows.map(postRow), total, offset: page.offset, limit: page.limit };
}

export function postRow(r: Record<string, unknown>): PostRow {
  return {
    platform: r.platform as string,
    postId: r.post_id as string,
    accountId: r.account_id as string,
    createdAt: iso(r.created_at)!,
    kind: r.kind as string,
    text: (r.text as string) ?? null,
    urls: (r.urls as string[]) ?? [],
    hashtags: (r.hashtags as string[]) ?? [],
    refPostId: (r.ref_post_id as string) ?? null,
  };
}

/** Accounts whose handle, display name or id starts with `q` (case-insensitive), by handle. */
export async function searchAccounts(
  store: Store,
  q: string | undefined,
  page: PageParams,
): Promise<AccountsResponse> {
  const prefix = (q ?? '').replace(/^@/, '').toLowerCase();
  const where = prefix
    ? `starts_with(lower(handle), ?) OR starts_with(lower(display_name), ?) OR starts_with(lower(account_id), ?)`
    : 'true';
  const params = prefix ? [prefix, prefix, prefix] : [];
  const rows = await store.all<Record<string, unknown>>(
    `SELECT platform, account_id, handle, display_name, count(*) OVER () AS total FROM accounts
     WHERE ${where} ORDER BY lower(handle) NULLS LAST, account_id LIMIT ${page.limit} OFFSET ${page.offset}`,
    params,
  );
  const total =
    (rows[0]?.total as number | undefined) ??
    (page.offset
      ? ((await store.value<number>(`SELECT count(*) FROM accounts WHERE ${where}`, params)) ?? 0)
      : 0);
  const counts = new Map<string, number>();
  if (rows.length) {
    // Filtering on the bare ids (a hash filter in the scan), then the platforms here.
    const found = await store.all<{ k: string; n: number }>(
      `SELECT platform || ':' || account_id AS k, count(*) AS n FROM posts
       WHERE account_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL`,
      [listValue(rows.map((r) => r.account_id as string))],
    );
    for (const f of found) counts.set(f.k, f.n);
  }
  return {
    items: rows.map((r) => {
      const key = `${r.platform}:${r.account_id}`;
      return {
        key,
        platform: r.platform as string,
        accountId: r.account_id as string,
        handle: (r.handle as string) ?? null,
        displayName: (r.display_name as string) ?? null,
        posts: counts.get(key) ?? 0,
      };
    }),
    total,
    offset: page.offset,
    limit: page.limit,
  };
}
