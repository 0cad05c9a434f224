/**
 * Amplification: how much of the volume of every hashtag, link, domain and near-duplicate text
 * family the flagged clusters produced, over time; the most manufactured items; and who moved first.
 * See docs/forensics/amplification.md for every quantity and its caveats.
 *
 * Everything is set-based SQL inside the store (DuckDB temporary tables):
 *
 *   amp_acct  one row per posting account: a small integer id, and whether it is in a flagged set
 *   amp_occ   one row per (item, post): the item's occurrences (a post carrying a tag twice counts once)
 *   amp_ia    one row per (item, account): posts, first post time  (distinct accounts by grouping,
 *             so that total = flagged + other holds exactly for posts and for accounts)
 *   amplification_items   one row per item with its counts, shares and score (kept for export)
 *
 * Only the top N items get the detail (time series, clusters, first movers, pile-in), by joins
 * of the occurrences with the few top keys.
 *
 * Ranking: the lower bound of the Wilson score interval of the flagged share (Wilson 1927; the
 * interval Agresti & Coull 1998 recommend over the normal one for small counts), so that an item
 * with 12 posts all flagged does not outrank one with 4,000 posts 95% flagged. Posts of one account
 * are not independent draws: the bound is a principled way to discount small counts, not a
 * calibrated confidence interval.
 */
import { StoreError, UsageError } from '../core/errors.js';
import {
  buildTextFamilies,
  TEXT_FAMILY_DEFAULTS,
  type TextFamilyOptions,
} from '../signals/near-duplicate/families.js';
import type { Store } from '../store/store.js';
import { type AccountSet, loadAccountSets, SETS_TABLE } from './sets.js';

/** What an item is: a hashtag, a canonical link, a link's domain, or a near-duplicate text family. */
export type ItemKind = 'hashtag' | 'link' | 'domain' | 'text-family';
export const ITEM_KINDS: readonly ItemKind[] = ['hashtag', 'link', 'domain', 'text-family'];

export type PostKind = 'post' | 'repost' | 'reply' | 'quote';
export const POST_KINDS: readonly PostKind[] = ['post', 'repost', 'reply', 'quote'];

export interface AmplificationOptions {
  /** Kinds of items measured. Default: all four; leave out `text-family` to skip building families. */
  kinds: ItemKind[];
  /**
   * Post kinds that count as volume. Default: all. A repost counts for the hashtags, links and
   * domains the store lists on it (ingest copies them from the source, which lists the original's).
   * Text families hold posts, replies and quotes only (a repost carries someone else's text).
   */
  postKinds: PostKind[];
  /** Items of each kind in the ranked list (each with the full detail). */
  top: number;
  /** Items with fewer posts than this are counted but not ranked. */
  minPosts: number;
  /** Items posted by fewer distinct accounts than this are counted but not ranked. */
  minAccounts: number;
  /** What the ranking's share is of: posts (volume manufactured) or distinct accounts. */
  rankBy: 'posts' | 'accounts';
  /** z of the Wilson lower bound used to rank (1.96: a two-sided 95% interval). */
  z: number;
  /** Time series bucket (UTC). */
  bucket: 'day' | 'hour';
  /** A gap longer than this between consecutive flagged posts on an item ends a burst. */
  burstGapMinutes: number;
  /** The pile-in is the first burst with at least this many distinct flagged accounts. */
  minBurstAccounts: number;
  /** The window after the pile-in's start in which posting accounts are counted. */
  pileInWindowMinutes: number;
  /** Clusters listed per item (the ones with most posts on it). */
  topClusters: number;
  /** Characters of a text family's earliest text kept in its label. */
  labelLength: number;
  /** Options of the text families (near-duplicate signal's defaults). */
  textFamilies: TextFamilyOptions;
  /** Use the `text_family` table already in this connection instead of building it. */
  reuseTextFamilies: boolean;
}

/**
 * Defaults. minPosts 20 and minAccounts 5: an item all of whose 20 posts are flagged gets a Wilson
 * lower bound of 0.84, one with 2 posts would get 0.34 but is not ranked at all; five accounts keep
 * a single account's hobby tag out. A 60-minute burst gap: the simulator's and documented operations
 * post an order within an hour or two, with gaps of minutes between members. minBurstAccounts 5:
 * a burst of one to four accounts is as often a stray or camouflage post as the start of an order
 * (on the simulated month, 3 let a 3-post burst days before the order stand for the pile-in).
 */
export const AMPLIFICATION_DEFAULTS: AmplificationOptions = {
  kinds: [...ITEM_KINDS],
  postKinds: [...POST_KINDS],
  top: 25,
  minPosts: 20,
  minAccounts: 5,
  rankBy: 'posts',
  z: 1.96,
  bucket: 'day',
  burstGapMinutes: 60,
  minBurstAccounts: 5,
  pileInWindowMinutes: 60,
  topClusters: 5,
  labelLength: 80,
  textFamilies: TEXT_FAMILY_DEFAULTS,
  reuseTextFamilies: false,
};

/** What `amplification` accepts: any option (the rest are the defaults), and optionally the sets. */
export type AmplificationInput = Partial<Omit<AmplificationOptions, 'textFamilies'>> & {
  textFamilies?: Partial<TextFamilyOptions>;
  /** The flagged sets; loaded into `fp_sets` (replacing it). Without it, `fp_sets` must exist. */
  sets?: AccountSet[];
};

/** A post, as the first movers are reported. Times are ISO 8601 UTC with milliseconds. */
export interface PostRef {
  at: string;
  platform: string;
  accountId: string;
  postId: string;
  /** Whether the account is in a flagged set. */
  flagged: boolean;
}

/** One flagged set's part of an item. */
export interface ClusterShare {
  /** The set id (cluster id) as loaded into `fp_sets`. */
  cluster: string;
  /** The item's posts by the set's members. */
  posts: number;
  /** The set's members who posted the item. */
  accounts: number;
  /** posts / the item's posts. */
  postShare: number;
}

/** One time bucket of an item; buckets without posts are left out (they are zero). */
export interface SeriesPoint {
  /** Bucket start, ISO 8601 UTC. */
  t: string;
  posts: number;
  flaggedPosts: number;
}

/**
 * How fast the flagged accounts piled in. A burst is a maximal run of the item's flagged posts (in
 * time order) in which no two consecutive posts are more than `burstGapMinutes` apart. The pile-in
 * is the first burst with at least `minBurstAccounts` distinct flagged accounts (so that one stray
 * early post does not stand for the cluster), or the first burst when none has that many.
 */
export interface PileIn {
  /** 0 for the first burst of flagged posts, 1 for the second, ... */
  burstIndex: number;
  /** Time of the burst's first post (ISO 8601 UTC). */
  start: string;
  /** Seconds from the item's first flagged post to the burst's start (0 when it is the first burst). */
  secondsAfterFirstFlagged: number;
  /** Flagged posts in the burst. */
  posts: number;
  /** Distinct flagged accounts in the burst. */
  accounts: number;
  /** Seconds from the burst's first post to its last. */
  seconds: number;
  /**
   * Seconds from the burst's first post to its ceil(0.5 x posts)-th post (time order, ties by
   * insertion order): how long the clusters took to make half of the burst's posts.
   */
  secondsTo50: number;
  /** Likewise to the ceil(0.9 x posts)-th post. */
  secondsTo90: number;
  /** Distinct flagged accounts posting the item within `pileInWindowMinutes` of the burst's start (inclusive). */
  flaggedAccountsInWindow: number;
  /** Distinct accounts of any kind posting it in that window. */
  accountsInWindow: number;
}

export interface AmplifiedItem {
  /** 1-based position in the ranking of all eligible items (every kind). */
  rank: number;
  /** 1-based position among the eligible items of its kind. */
  kindRank: number;
  kind: ItemKind;
  /**
   * The item: the hashtag (case-folded, without '#'), the canonical URL, the domain, or for a text
   * family the rowid of its earliest post (valid for this store and these family options only).
   */
  key: string;
  /** For display: `#tag`, the URL, the domain, or the family's earliest text cut to `labelLength`. */
  label: string;
  /** Posts carrying the item (of the counted post kinds). */
  posts: number;
  /** Distinct accounts (platform + account id) among them. */
  accounts: number;
  /** Posts by accounts in any flagged set (an account in two sets counts once). */
  flaggedPosts: number;
  flaggedAccounts: number;
  /** posts - flaggedPosts. */
  otherPosts: number;
  /** accounts - flaggedAccounts. */
  otherAccounts: number;
  /** flaggedPosts / posts. */
  postShare: number;
  /** flaggedAccounts / accounts. */
  accountShare: number;
  /** Wilson lower bound of postShare (z of the options). */
  postShareLower: number;
  /** Wilson lower bound of accountShare. */
  accountShareLower: number;
  /** The ranking quantity: postShareLower or accountShareLower (rankBy). */
  score: number;
  /** Flagged sets present on the item, and the top ones by posts (ties: set id). */
  clusters: { count: number; top: ClusterShare[] };
  /** Posts per bucket; the points' posts sum to `posts`, their flaggedPosts to `flaggedPosts`. */
  series: SeriesPoint[];
  /** The item's earliest post (ties: the store's insertion order). */
  firstSeen: PostRef;
  /** The earliest post by a flagged account, or null. */
  firstFlagged: PostRef | null;
  /** Seconds from firstSeen to firstFlagged (0 when a flagged account posted first), or null. */
  leadSeconds: number | null;
  /** null when no flagged account posted the item. */
  pileIn: PileIn | null;
}

export interface KindSummary {
  kind: ItemKind;
  /** Distinct items of this kind. */
  items: number;
  /** Items meeting minPosts and minAccounts (the ones ranked). */
  eligible: number;
  /** Occurrences: posts summed over the items (a post with two tags counts for both). */
  posts: number;
  /** Of which by flagged accounts. */
  flaggedPosts: number;
}

export interface AmplificationResult {
  /** The effective options, text family options included. */
  parameters: Omit<AmplificationOptions, 'textFamilies'> & { textFamilies: TextFamilyOptions | null };
  flagged: {
    /** Distinct set ids in fp_sets. */
    sets: number;
    /** Distinct accounts in any set. */
    accounts: number;
    /** Of which accounts found in the store's accounts table. */
    inStore: number;
    /** Of which accounts with at least one counted post carrying a measured item. */
    withItems: number;
  };
  kinds: KindSummary[];
  /**
   * The top `top` eligible items of each kind, best first: score, then flaggedPosts, then posts
   * (descending), then kind and key.
   */
  items: AmplifiedItem[];
  stats: { seconds: number; textFamilySeconds: number | null };
}

/** The temp table kept after the call: every item's counts, for export (CSV) or further queries. */
export const ITEMS_TABLE = 'amplification_items';

const KIND_CODE: Record<ItemKind, number> = { hashtag: 1, link: 2, domain: 3, 'text-family': 4 };
const INTERMEDIATE = ['amp_acct', 'amp_occ', 'amp_ia', 'amp_top'];

function resolveOptions(options: Omit<AmplificationInput, 'sets'>): AmplificationOptions {
  const o: AmplificationOptions = {
    ...AMPLIFICATION_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    textFamilies: { ...TEXT_FAMILY_DEFAULTS, ...options.textFamilies },
  };
  const bad = (name: string, value: unknown, expect: string) =>
    new UsageError(`invalid amplification option ${name}: ${JSON.stringify(value)}; expecting ${expect}`);
  if (!Array.isArray(o.kinds) || !o.kinds.length || o.kinds.some((k) => !ITEM_KINDS.includes(k)))
    throw bad('kinds', o.kinds, `one or more of ${ITEM_KINDS.join(', ')}`);
  if (!Array.isArray(o.postKinds) || !o.postKinds.length || o.postKinds.some((k) => !POST_KINDS.includes(k)))
    throw bad('postKinds', o.postKinds, `one or more of ${POST_KINDS.join(', ')}`);
  const whole = (name: keyof AmplificationOptions, min: number) => {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < min) throw bad(name, v, `a whole number from ${min}`);
  };
  whole('top', 1);
  whole('minPosts', 1);
  whole('minAccounts', 1);
  whole('topClusters', 0);
  whole('minBurstAccounts', 1);
  whole('labelLength', 1);
  for (const name of ['burstGapMinutes', 'pileInWindowMinutes', 'z'] as const)
    if (!(Number.isFinite(o[name]) && o[name] > 0)) throw bad(name, o[name], 'a positive number');
  if (o.bucket !== 'day' && o.bucket !== 'hour') throw bad('bucket', o.bucket, 'day or hour');
  if (o.rankBy !== 'posts' && o.rankBy !== 'accounts') throw bad('rankBy', o.rankBy, 'posts or accounts');
  return o;
}

/** Wilson score interval's lower bound of `f` successes in `n` (SQL, both columns DOUBLE-able). */
function wilsonLowerSql(f: string, n: string, z: number): string {
  const z2 = z * z;
  return `CASE WHEN ${n} = 0 THEN 0.0 ELSE greatest(0.0,
    ((${f})::DOUBLE / ${n} + ${z2 / 2} / ${n}
      - ${z} * sqrt((${f})::DOUBLE / ${n} * (1 - (${f})::DOUBLE / ${n}) / ${n} + ${z2 / 4} / (${n})::DOUBLE / ${n}))
    / (1 + ${z2} / (${n})::DOUBLE)) END`;
}

async function tableExists(store: Store, name: string): Promise<boolean> {
  return (
    ((await store.value<number>(`SELECT count(*) FROM duckdb_tables() WHERE table_name = ?`, [name])) ?? 0) >
    0
  );
}

const iso = (col: string) => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

/**
 * Measures amplification by the accounts of `fp_sets` (load them with `loadAccountSets`, or pass
 * `sets`): the caller decides which clusters count as flagged.
 */
export async function amplification(
  store: Store,
  options: AmplificationInput = {},
): Promise<AmplificationResult> {
  const t0 = performance.now();
  const { sets, ...rest } = options;
  const o = resolveOptions(rest);
  if (sets) await loadAccountSets(store, sets);
  else if (!(await tableExists(store, SETS_TABLE)))
    throw new UsageError('no flagged account sets: pass `sets`, or load them with loadAccountSets first');

  const families = o.kinds.includes('text-family');
  let textFamilySeconds: number | null = null;
  if (families && !(o.reuseTextFamilies && (await tableExists(store, 'text_family')))) {
    textFamilySeconds = (await buildTextFamilies(store, o.textFamilies)).seconds;
  }

  try {
    await buildOccurrences(store, o);
    const kinds = await summariseKinds(store, o);
    const flagged = (
      await store.all<{ sets: number; accounts: number; in_store: number; with_items: number }>(
        `SELECT (SELECT count(DISTINCT set_id) FROM ${SETS_TABLE}) AS sets,
                (SELECT count(*) FROM (SELECT DISTINCT platform, account_id FROM ${SETS_TABLE})) AS accounts,
                (SELECT count(*) FROM amp_acct WHERE flagged) AS in_store,
                (SELECT count(DISTINCT a) FROM amp_ia WHERE flagged) AS with_items`,
      )
    )[0]!;
    const items = await detailTop(store, o);
    return {
      parameters: { ...o, textFamilies: families ? o.textFamilies : null },
      flagged: {
        sets: flagged.sets,
        accounts: flagged.accounts,
        inStore: flagged.in_store,
        withItems: flagged.with_items,
      },
      kinds,
      items,
      stats: { seconds: (performance.now() - t0) / 1000, textFamilySeconds },
    };
  } finally {
    await store.run(INTERMEDIATE.map((t) => `DROP TABLE IF EXISTS ${t};`).join(' '));
    if (textFamilySeconds !== null) await store.run('DROP TABLE IF EXISTS text_family');
  }
}

/** amp_acct, amp_occ, amp_ia and the kept amplification_items. */
async function buildOccurrences(store: Store, o: AmplificationOptions): Promise<void> {
  const postKinds = [...new Set(o.postKinds)].map((k) => `'${k}'`).join(', ');
  // Accounts as integers (the accounts table's rowid: ingest adds every posting account to it), so
  // that the grouping by (item, account) below works on integers, not on two strings.
  await store.run(`CREATE OR REPLACE TEMP TABLE amp_acct AS
    SELECT a.rowid AS a, a.platform, a.account_id, f.platform IS NOT NULL AS flagged
    FROM accounts a
    LEFT JOIN (SELECT DISTINCT platform, account_id FROM ${SETS_TABLE}) f
      ON a.platform = f.platform AND a.account_id = f.account_id`);
  // Ingest stores every list sorted and without repeats (ingest/commit.ts, lk_list), so each
  // unnested value is one post carrying the item once.
  const lists = (
    [
      ['hashtag', 'hashtags'],
      ['link', 'urls'],
      ['domain', 'domains'],
    ] as const
  ).filter(([kind]) => o.kinds.includes(kind));
  const kindFilter = new Set(o.postKinds).size === POST_KINDS.length ? 'true' : `p.kind IN (${postKinds})`;
  const withAccount = (from: string) => `${from}
      LEFT JOIN amp_acct a ON a.platform = p.platform AND a.account_id = p.account_id
      WHERE ${kindFilter}`;
  await store.run(
    lists.length
      ? `CREATE OR REPLACE TEMP TABLE amp_occ AS
         WITH p AS MATERIALIZED (
           SELECT p.rowid AS pr, p.created_at, ${lists.map(([, col]) => `p.${col}`).join(', ')}, a.a, a.flagged
           ${withAccount('FROM posts p')} AND (${lists.map(([, col]) => `len(p.${col}) > 0`).join(' OR ')}))
         ${lists
           .map(
             ([
               kind,
               col,
             ]) => `SELECT ${KIND_CODE[kind]}::UTINYINT AS k, unnest(${col}) AS key, pr, created_at, a, flagged
                FROM p WHERE len(${col}) > 0`,
           )
           .join(' UNION ALL ')}`
      : `CREATE OR REPLACE TEMP TABLE amp_occ
         (k UTINYINT, key VARCHAR, pr BIGINT, created_at TIMESTAMP, a BIGINT, flagged BOOLEAN)`,
  );
  if (o.kinds.includes('text-family'))
    await store.run(`INSERT INTO amp_occ
      SELECT ${KIND_CODE['text-family']}::UTINYINT, CAST(f.family AS VARCHAR), f.pr, p.created_at, a.a, a.flagged
      ${withAccount('FROM text_family f JOIN posts p ON p.rowid = f.pr')}`);
  const orphans = (await store.value<number>('SELECT count(*) FROM amp_occ WHERE a IS NULL')) ?? 0;
  if (orphans > 0)
    throw new StoreError(
      `${orphans} posts have an author missing from the accounts table; the store is inconsistent: ingest the data again into a new store`,
    );
  await store.run(`CREATE OR REPLACE TEMP TABLE amp_ia AS
    SELECT k, key, a, any_value(flagged) AS flagged, count(*)::BIGINT AS n FROM amp_occ GROUP BY k, key, a`);
  const score = o.rankBy === 'posts' ? 'post_share_lower' : 'account_share_lower';
  const order = `ORDER BY ${score} DESC, flagged_posts DESC, posts DESC, k, key`;
  const share = (f: string, n: string) => `CASE WHEN ${n} = 0 THEN 0.0 ELSE (${f})::DOUBLE / ${n} END`;
  await store.run(`CREATE OR REPLACE TEMP TABLE ${ITEMS_TABLE} AS
    WITH c AS (
      SELECT k, key, sum(n)::BIGINT AS posts, count(*)::BIGINT AS accounts,
             coalesce(sum(n) FILTER (WHERE flagged), 0)::BIGINT AS flagged_posts,
             count(*) FILTER (WHERE flagged)::BIGINT AS flagged_accounts
      FROM amp_ia GROUP BY k, key),
    s AS (
      SELECT c.*, ${share('flagged_posts', 'posts')} AS post_share,
             ${share('flagged_accounts', 'accounts')} AS account_share,
             ${wilsonLowerSql('flagged_posts', 'posts', o.z)} AS post_share_lower,
             ${wilsonLowerSql('flagged_accounts', 'accounts', o.z)} AS account_share_lower,
             posts >= ${o.minPosts} AND accounts >= ${o.minAccounts} AS eligible
      FROM c)
    SELECT CASE k ${ITEM_KINDS.map((kind) => `WHEN ${KIND_CODE[kind]} THEN '${kind}'`).join(' ')} END AS kind,
           k, key, posts, accounts, flagged_posts, flagged_accounts,
           posts - flagged_posts AS other_posts, accounts - flagged_accounts AS other_accounts,
           post_share, account_share, post_share_lower, account_share_lower,
           ${score} AS score, eligible,
           CASE WHEN eligible THEN row_number() OVER (PARTITION BY eligible ${order}) END AS rank,
           CASE WHEN eligible THEN row_number() OVER (PARTITION BY eligible, k ${order}) END AS kind_rank
    FROM s`);
}

async function summariseKinds(store: Store, o: AmplificationOptions): Promise<KindSummary[]> {
  const rows = await store.all<{
    kind: ItemKind;
    items: number;
    eligible: number;
    posts: number;
    flagged: number;
  }>(
    `SELECT kind, count(*) AS items, count(*) FILTER (WHERE eligible) AS eligible,
            coalesce(sum(posts), 0)::BIGINT AS posts, coalesce(sum(flagged_posts), 0)::BIGINT AS flagged
     FROM ${ITEMS_TABLE} GROUP BY kind`,
  );
  const byKind = new Map(rows.map((r) => [r.kind, r]));
  return o.kinds.map((kind) => {
    const r = byKind.get(kind);
    return {
      kind,
      items: r?.items ?? 0,
      eligible: r?.eligible ?? 0,
      posts: r?.posts ?? 0,
      flaggedPosts: r?.flagged ?? 0,
    };
  });
}

interface TopRow {
  rank: number;
  kind_rank: number;
  kind: ItemKind;
  k: number;
  key: string;
  posts: number;
  accounts: number;
  flagged_posts: number;
  flagged_accounts: number;
  other_posts: number;
  other_accounts: number;
  post_share: number;
  account_share: number;
  post_share_lower: number;
  account_share_lower: number;
  score: number;
}

/** The top N items with their series, clusters, first movers and pile-in (a few joins on amp_top). */
async function detailTop(store: Store, o: AmplificationOptions): Promise<AmplifiedItem[]> {
  await store.run(`CREATE OR REPLACE TEMP TABLE amp_top AS
    SELECT * EXCLUDE (eligible) FROM ${ITEMS_TABLE} WHERE kind_rank <= ${o.top}`);
  const top = await store.all<TopRow>(`SELECT * FROM amp_top ORDER BY rank`);
  if (!top.length) return [];
  const id = (r: { k: number; key: string }) => `${r.k}\u0000${r.key}`;
  const group = <T extends { k: number; key: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(id(r));
      if (list) list.push(r);
      else m.set(id(r), [r]);
    }
    return m;
  };

  const series = group(
    await store.all<{ k: number; key: string; t: string; posts: number; flagged: number }>(
      `SELECT k, key, ${iso(`date_trunc('${o.bucket}', created_at)`)} AS t, count(*) AS posts,
              count(*) FILTER (WHERE flagged) AS flagged
       FROM amp_occ o SEMI JOIN amp_top t ON o.k = t.k AND o.key = t.key
       GROUP BY k, key, date_trunc('${o.bucket}', created_at) ORDER BY k, key, t`,
    ),
  );

  // Every flagged set on each top item (a few per item); the top ones are listed.
  const clusterRows = group(
    await store.all<{ k: number; key: string; cluster: string; posts: number; accounts: number }>(
      `SELECT i.k, i.key, s.set_id AS cluster, sum(i.n)::BIGINT AS posts, count(*) AS accounts
       FROM amp_ia i SEMI JOIN amp_top t ON i.k = t.k AND i.key = t.key
       JOIN amp_acct a ON a.a = i.a
       JOIN (SELECT DISTINCT set_id, platform, account_id FROM ${SETS_TABLE}) s
         ON s.platform = a.platform AND s.account_id = a.account_id
       WHERE i.flagged GROUP BY i.k, i.key, s.set_id
       ORDER BY i.k, i.key, posts DESC, cluster`,
    ),
  );

  interface FirstRow {
    k: number;
    key: string;
    at: string;
    platform: string;
    account_id: string;
    post_id: string;
    flagged: boolean;
  }
  // The earliest post and the earliest flagged post of each top item, then their identities.
  const firsts = await store.all<FirstRow & { which: string }>(
    `WITH m AS (
       SELECT o.k, o.key, min({t: o.created_at, r: o.pr}) AS seen,
              min({t: o.created_at, r: o.pr}) FILTER (WHERE o.flagged) AS flagged
       FROM amp_occ o SEMI JOIN amp_top t ON o.k = t.k AND o.key = t.key GROUP BY o.k, o.key),
     f AS (
       SELECT k, key, 'seen' AS which, seen.t AS created_at, seen.r AS pr FROM m
       UNION ALL
       SELECT k, key, 'flagged', flagged.t, flagged.r FROM m WHERE flagged IS NOT NULL)
     SELECT f.which, f.k, f.key, ${iso('f.created_at')} AS at, p.platform, p.account_id, p.post_id,
            a.flagged
     FROM f JOIN (SELECT rowid AS pr, platform, account_id, post_id FROM posts) p ON p.pr = f.pr
     JOIN amp_acct a ON a.platform = p.platform AND a.account_id = p.account_id`,
  );
  const firstSeen = new Map(firsts.filter((r) => r.which === 'seen').map((r) => [id(r), r]));
  const firstFlagged = new Map(firsts.filter((r) => r.which === 'flagged').map((r) => [id(r), r]));

  // Bursts of flagged posts; the pile-in burst; the accounts in the window after its start.
  const gap = `INTERVAL ${o.burstGapMinutes * 60_000} MILLISECOND`;
  const windowEnd = `INTERVAL ${o.pileInWindowMinutes * 60_000} MILLISECOND`;
  const pile = new Map(
    (
      await store.all<{
        k: number;
        key: string;
        burst: number;
        start: string;
        after: number;
        posts: number;
        accounts: number;
        seconds: number;
        s50: number;
        s90: number;
        flagged_in_window: number;
        in_window: number;
      }>(
        `WITH o AS (SELECT o.* FROM amp_occ o SEMI JOIN amp_top t ON o.k = t.k AND o.key = t.key),
         f AS (
           SELECT k, key, created_at, pr, a,
                  coalesce(created_at - lag(created_at) OVER w > ${gap}, false) AS brk
           FROM o WHERE flagged WINDOW w AS (PARTITION BY k, key ORDER BY created_at, pr)),
         b AS (
           SELECT *, sum(brk::INTEGER) OVER w AS burst, row_number() OVER w AS rn,
                  min(created_at) OVER (PARTITION BY k, key) AS first_flagged
           FROM f WINDOW w AS (PARTITION BY k, key ORDER BY created_at, pr ROWS UNBOUNDED PRECEDING)),
         bursts AS (
           SELECT k, key, burst, count(*) AS posts, count(DISTINCT a) AS accounts, min(rn) AS rn0,
                  min(created_at) AS start, max(created_at) AS stop, any_value(first_flagged) AS first_flagged
           FROM b GROUP BY k, key, burst),
         chosen AS (
           SELECT * FROM bursts
           QUALIFY row_number() OVER (PARTITION BY k, key ORDER BY accounts >= ${o.minBurstAccounts} DESC, burst) = 1),
         quantiles AS (
           SELECT c.k, c.key,
                  min(b.created_at) FILTER (WHERE b.rn - c.rn0 + 1 >= ceil(0.5 * c.posts)) AS t50,
                  min(b.created_at) FILTER (WHERE b.rn - c.rn0 + 1 >= ceil(0.9 * c.posts)) AS t90
           FROM chosen c JOIN b ON b.k = c.k AND b.key = c.key AND b.burst = c.burst
           GROUP BY c.k, c.key),
         win AS (
           SELECT c.k, c.key, count(DISTINCT o.a) FILTER (WHERE o.flagged) AS flagged_in_window,
                  count(DISTINCT o.a) AS in_window
           FROM chosen c JOIN o ON o.k = c.k AND o.key = c.key
           WHERE o.created_at >= c.start AND o.created_at <= c.start + ${windowEnd}
           GROUP BY c.k, c.key)
         SELECT c.k, c.key, c.burst, ${iso('c.start')} AS start, epoch(c.start - c.first_flagged) AS after,
                c.posts, c.accounts, epoch(c.stop - c.start) AS seconds,
                epoch(q.t50 - c.start) AS s50, epoch(q.t90 - c.start) AS s90,
                w.flagged_in_window, w.in_window
         FROM chosen c JOIN quantiles q ON q.k = c.k AND q.key = c.key
         JOIN win w ON w.k = c.k AND w.key = c.key`,
      )
    ).map((r) => [id(r), r]),
  );

  const familyKeys = top.filter((r) => r.kind === 'text-family').map((r) => r.key);
  const familyText = new Map(
    familyKeys.length
      ? (
          await store.all<{ key: string; text: string | null }>(
            `SELECT CAST(p.rowid AS VARCHAR) AS key, p.text FROM posts p
             WHERE p.rowid IN (SELECT CAST(key AS BIGINT) FROM amp_top WHERE kind = 'text-family')`,
          )
        ).map((r) => [r.key, r.text ?? ''])
      : [],
  );
  const label = (r: TopRow): string => {
    if (r.kind === 'hashtag') return `#${r.key}`;
    if (r.kind !== 'text-family') return r.key;
    const chars = [...(familyText.get(r.key) ?? '')];
    return chars.length > o.labelLength ? `${chars.slice(0, o.labelLength - 1).join('')}…` : chars.join('');
  };
  const ref = (r: FirstRow): PostRef => ({
    at: r.at,
    platform: r.platform,
    accountId: r.account_id,
    postId: r.post_id,
    flagged: r.flagged,
  });

  return top.map((r) => {
    const key = id(r);
    const seen = firstSeen.get(key)!;
    const flaggedFirst = firstFlagged.get(key);
    const p = pile.get(key);
    return {
      rank: r.rank,
      kindRank: r.kind_rank,
      kind: r.kind,
      key: r.key,
      label: label(r),
      posts: r.posts,
      accounts: r.accounts,
      flaggedPosts: r.flagged_posts,
      flaggedAccounts: r.flagged_accounts,
      otherPosts: r.other_posts,
      otherAccounts: r.other_accounts,
      postShare: r.post_share,
      accountShare: r.account_share,
      postShareLower: r.post_share_lower,
      accountShareLower: r.account_share_lower,
      score: r.score,
      clusters: {
        count: clusterRows.get(key)?.length ?? 0,
        top: (clusterRows.get(key) ?? []).slice(0, o.topClusters).map((c) => ({
          cluster: c.cluster,
          posts: c.posts,
          accounts: c.accounts,
          postShare: c.posts / r.posts,
        })),
      },
      series: (series.get(key) ?? []).map((s) => ({ t: s.t, posts: s.posts, flaggedPosts: s.flagged })),
      firstSeen: ref(seen),
      firstFlagged: flaggedFirst ? ref(flaggedFirst) : null,
      leadSeconds: flaggedFirst ? (Date.parse(flaggedFirst.at) - Date.parse(seen.at)) / 1000 : null,
      pileIn: p
        ? {
            burstIndex: p.burst,
            start: p.start,
            secondsAfterFirstFlagged: p.after,
            posts: p.posts,
            accounts: p.accounts,
            seconds: p.seconds,
            secondsTo50: p.s50,
            secondsTo90: p.s90,
            flaggedAccountsInWindow: p.flagged_in_window,
            accountsInWindow: p.in_window,
          }
        : null,
    };
  });
}
