/**
 * Talking points: the messages an operation pushes, found in the posts as families of near-duplicate
 * texts (the near-duplicate signal's text families: MinHash-LSH over character shingles with the
 * banding datasketch's method chooses for the threshold; signals/near-duplicate/ and
 * docs/signals/near-duplicate.md), plus the user's own seed texts.
 *
 * For each family: its posts and accounts, how many of them are in flagged clusters, its earliest
 * observed post overall and in flagged clusters (with the time's precision), and its most posted
 * wordings ("variants", which echo tracing matches documents against). Everything is SQL over the
 * store's temporary tables `text_family` (built here) and `fp_sets` (the flagged sets).
 *
 * `from: 'clusters'` keeps the families that at least `minFlaggedAccounts` flagged accounts posted
 * (the operation's messages); `from: 'all'` keeps every family (a petition, a slogan, an outlet's
 * headline are talking points too, and their flagged share says whose they are).
 */
import { UsageError } from '../core/errors.js';
import type { AccountSet } from '../forensics/sets.js';
import { loadAccountSets, SETS_TABLE } from '../forensics/sets.js';
import {
  buildTextFamilies,
  TEXT_FAMILY_DEFAULTS,
  type TextFamilyOptions,
} from '../signals/near-duplicate/families.js';
import { UnionFind } from '../signals/near-duplicate/lsh.js';
import type { Store } from '../store/store.js';
import type { AnchorOptions } from './anchors.js';
import { AnchorIndex } from './anchors.js';
import { matchPair, messageView } from './lexical.js';
import { matchSeeds } from './seeds.js';
import type { PostRef, TalkingPoint, TimeSpan, Variant } from './types.js';

export interface TalkingPointOptions {
  from: 'clusters' | 'all';
  /** Families need this many flagged accounts to count as the clusters' talking points... */
  minFlaggedAccounts: number;
  /** ...and this share of their accounts flagged (a petition with two flagged signers is not theirs). */
  minFlaggedShare: number;
  /** Wordings kept per talking point (the earliest, then the most posted). */
  variants: number;
  labelLength: number;
  textFamilies: TextFamilyOptions;
  /** The user's seed texts, kept as talking points whatever their posts. */
  seeds: string[];
  /** Reuse of a seed a post needs to count as one of its posts. */
  seedMinReuse: number;
  /**
   * Families whose wordings share aligned passages covering this share of the longer wording are one
   * talking point (the same message with other hashtags, links or edits, split by the near-duplicate
   * threshold or posted apart). 1 turns merging off.
   */
  mergeMinReuse: number;
  anchors: Partial<AnchorOptions>;
}

export const TALKING_POINT_DEFAULTS: TalkingPointOptions = {
  from: 'clusters',
  minFlaggedAccounts: 2,
  minFlaggedShare: 0.5,
  variants: 4,
  labelLength: 120,
  textFamilies: TEXT_FAMILY_DEFAULTS,
  seeds: [],
  seedMinReuse: 0.5,
  mergeMinReuse: 0.6,
  anchors: {},
};

/** The temporary table of every post in a kept family, with its flagged cluster and time precision. */
export const FAMILY_POSTS = 'echo_fp';

const iso = (col: string) => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

interface PostRow {
  pr: number;
  platform: string;
  account_id: string;
  post_id: string;
  at: string;
  latest: string;
  res: number;
  cluster: string | null;
}

/** A post's time: precise to its ingest's resolution (a minute for the X archive and the IRA data). */
export function postTime(r: { at: string; latest: string; res: number }): TimeSpan {
  return {
    at: r.at,
    earliest: r.at,
    latest: r.latest,
    basis: 'posted',
    precision: r.res >= 60_000 ? 'minute' : 'second',
  };
}

function postRef(r: PostRow | undefined): PostRef | null {
  if (!r) return null;
  return {
    platform: r.platform,
    accountId: r.account_id,
    postId: r.post_id,
    time: postTime(r),
    cluster: r.cluster,
  };
}

const POST_COLUMNS = (t: string) =>
  `${t}.pr, ${t}.platform, ${t}.account_id, ${t}.post_id, ${iso(`${t}.created_at`)} AS at,
   ${iso(`${t}.created_at + to_milliseconds(${t}.res - 1)`)} AS latest, ${t}.res, ${t}.cluster`;

/**
 * Builds the talking points of the posts. `sets` are the flagged account sets (loaded into
 * `fp_sets`); without them `from` must be `all`. Leaves `echo_fp` (and `text_family`) for the
 * cascade queries; `dropTalkingPointTables` removes them.
 */
export async function buildTalkingPoints(
  store: Store,
  options: TalkingPointOptions,
  sets: AccountSet[] | null,
  hooks: { onProgress?: (fraction: number, label: string) => void; signal?: AbortSignal } = {},
): Promise<TalkingPoint[]> {
  if (options.from === 'clusters' && !sets)
    throw new UsageError(
      'talking points from clusters need flagged clusters: run lockstep detect first, or use --from all',
    );
  await loadAccountSets(store, sets ?? []);
  await buildTextFamilies(store, options.textFamilies, hooks);
  if (options.seeds.length)
    await matchSeeds(store, options.seeds, options.seedMinReuse, options.anchors, hooks.signal);
  await store.run(`CREATE OR REPLACE TEMP TABLE echo_flag AS
    SELECT platform, account_id, min(set_id) AS cluster FROM ${SETS_TABLE} GROUP BY ALL`);
  const minFlagged = Math.max(1, Math.floor(options.minFlaggedAccounts));
  // A retweet ring's message is one post reposted by the ring: an own post outside any family that
  // flagged accounts reposted is one of their talking points too (its family is itself, named by its
  // rowid). With from: 'all' the talking points are the text families only: every post reposted by
  // a few accounts would be one (96,171 talking points at 10M simulated posts instead of 7,593).
  if (options.from === 'clusters')
    await store.run(`INSERT INTO text_family
      SELECT o.rowid, o.rowid FROM (
        SELECT r.platform, r.ref_post_id FROM posts r
        JOIN echo_flag f ON f.platform = r.platform AND f.account_id = r.account_id
        WHERE r.kind = 'repost' AND r.ref_post_id IS NOT NULL
        GROUP BY ALL HAVING count(DISTINCT r.account_id) >= ${minFlagged}) a
      JOIN posts o ON o.platform = a.platform AND o.post_id = a.ref_post_id
      WHERE o.kind IN ('post', 'reply', 'quote') AND o.text_norm IS NOT NULL
        AND o.rowid NOT IN (SELECT pr FROM text_family)`);
  // The family's own posts, and the reposts of them (they carry the text and push it too).
  await store.run(`CREATE OR REPLACE TEMP TABLE ${FAMILY_POSTS} AS
    WITH own AS (
      SELECT f.family, p.rowid AS pr, p.platform, p.account_id, p.post_id, p.created_at, p.lang, p.text, p.text_norm,
             p.ingest_id, false AS repost
      FROM text_family f JOIN posts p ON p.rowid = f.pr),
    shared AS (
      SELECT o.family, r.rowid AS pr, r.platform, r.account_id, r.post_id, r.created_at, r.lang, r.text, r.text_norm,
             r.ingest_id, true AS repost
      FROM posts r JOIN own o ON r.platform = o.platform AND r.ref_post_id = o.post_id
      WHERE r.kind = 'repost')
    SELECT a.*, fl.cluster,
           CASE i.time_resolution WHEN 'minute' THEN 60000 WHEN 'day' THEN 86400000 ELSE 1000 END AS res
    FROM (SELECT * FROM own UNION ALL SELECT * FROM shared) a
    LEFT JOIN echo_flag fl ON fl.platform = a.platform AND fl.account_id = a.account_id
    LEFT JOIN ingests i ON i.ingest_id = a.ingest_id`);
  if (options.mergeMinReuse < 1) await mergeFamilies(store, options);
  // Seeds (negative families) are kept whoever posted them.
  const keep =
    options.from === 'all'
      ? 'true'
      : `family < 0 OR (flagged_accounts >= ${minFlagged} AND flagged_accounts >= ${Number(options.minFlaggedShare)} * accounts)`;
  await store.run(`CREATE OR REPLACE TEMP TABLE echo_tp AS
    SELECT * FROM (
      SELECT family, count(*) AS posts, count(DISTINCT (platform, account_id)) AS accounts,
             count(*) FILTER (WHERE cluster IS NOT NULL) AS flagged_posts,
             count(DISTINCT (platform, account_id)) FILTER (WHERE cluster IS NOT NULL) AS flagged_accounts,
             mode(lang) AS lang,
             min({c: created_at, r: pr}).r AS first_pr,
             min({c: created_at, r: pr}) FILTER (WHERE cluster IS NOT NULL) AS ff
      FROM ${FAMILY_POSTS} GROUP BY family)
    WHERE ${keep}`);
  await store.run(`DELETE FROM ${FAMILY_POSTS} WHERE family NOT IN (SELECT family FROM echo_tp)`);
  const tps = await store.all<{
    family: number;
    posts: number;
    accounts: number;
    flagged_posts: number;
    flagged_accounts: number;
    lang: string | null;
    first_pr: number;
    ff_pr: number | null;
  }>(`SELECT family, posts, accounts, flagged_posts, flagged_accounts, lang, first_pr, ff.r AS ff_pr
      FROM echo_tp ORDER BY family`);
  const firstPosts = new Map(
    (
      await store.all<PostRow>(
        `SELECT ${POST_COLUMNS('p')} FROM ${FAMILY_POSTS} p
         WHERE p.pr IN (SELECT first_pr FROM echo_tp UNION ALL SELECT ff.r FROM echo_tp WHERE ff IS NOT NULL)`,
      )
    ).map((r) => [r.pr, r]),
  );
  const clusters = new Map<number, string[]>();
  for (const r of await store.all<{ family: number; cluster: string }>(
    `SELECT family, cluster FROM ${FAMILY_POSTS} WHERE cluster IS NOT NULL
     GROUP BY ALL ORDER BY family, count(*) DESC, cluster`,
  )) {
    if (!clusters.has(r.family)) clusters.set(r.family, []);
    clusters.get(r.family)!.push(r.cluster);
  }
  // Variants: the earliest wording first, then the most posted ones.
  const variants = new Map<number, Variant[]>();
  for (const r of await store.all<PostRow & { family: number; n: number; text: string }>(
    `WITH v AS (
       SELECT family, count(*) AS n, min({c: created_at, r: pr}).r AS vpr FROM ${FAMILY_POSTS}
       WHERE NOT repost GROUP BY family, text_norm),
     ranked AS (
       SELECT v.*, row_number() OVER (PARTITION BY v.family ORDER BY (v.vpr = t.first_pr) DESC, v.n DESC, v.vpr) AS k
       FROM v JOIN echo_tp t USING (family))
     SELECT r.family, r.n, p.text, ${POST_COLUMNS('p')}
     FROM ranked r JOIN ${FAMILY_POSTS} p ON p.pr = r.vpr
     WHERE r.k <= ${Math.max(1, Math.floor(options.variants))}
     ORDER BY r.family, r.k`,
  )) {
    if (!variants.has(r.family)) variants.set(r.family, []);
    variants.get(r.family)!.push({ text: r.text, posts: r.n, firstSeen: postRef(r)! });
  }
  const cut = (text: string) => {
    const label = text.replace(/\s+/g, ' ').trim();
    return label.length > options.labelLength ? `${label.slice(0, options.labelLength - 1)}…` : label;
  };
  const out: TalkingPoint[] = tps.map((t) => {
    const seed = t.family < 0 ? options.seeds[-t.family - 1]! : null;
    const v = variants.get(t.family) ?? [];
    return {
      id: seed === null ? `tp:${t.family}` : `seed:${-t.family}`,
      kind: seed === null ? 'family' : 'seed',
      label: cut(seed ?? v[0]?.text ?? ''),
      lang: t.lang,
      posts: t.posts,
      accounts: t.accounts,
      flaggedPosts: t.flagged_posts,
      flaggedAccounts: t.flagged_accounts,
      flaggedShare: t.posts ? t.flagged_posts / t.posts : 0,
      clusters: clusters.get(t.family) ?? [],
      firstSeen: postRef(firstPosts.get(t.first_pr)),
      firstSeenFlagged: t.ff_pr === null ? null : postRef(firstPosts.get(t.ff_pr)),
      // A seed's own text is its first wording, then the posts' most posted ones.
      variants:
        seed === null ? v : [{ text: seed, posts: 0, firstSeen: null }, ...v.slice(0, options.variants - 1)],
    };
  });
  // Seeds no post reuses are talking points too: documents may still echo them.
  options.seeds.forEach((seed, i) => {
    if (out.some((t) => t.id === `seed:${i + 1}`)) return;
    out.push({
      id: `seed:${i + 1}`,
      kind: 'seed',
      label: cut(seed),
      lang: null,
      posts: 0,
      accounts: 0,
      flaggedPosts: 0,
      flaggedAccounts: 0,
      flaggedShare: 0,
      clusters: [],
      firstSeen: null,
      firstSeenFlagged: null,
      variants: [{ text: seed, posts: 0, firstSeen: null }],
    });
  });
  return out;
}

/**
 * Merges families that are one message (see `mergeMinReuse`): each family's most posted wordings are
 * aligned with the wordings of the families they hold anchors of (anchors.ts, lexical.ts); a pair
 * whose aligned passages cover `mergeMinReuse` of the longer wording joins the two families. The
 * merged family is named after the one posted first. Seeds are never merged.
 */
async function mergeFamilies(store: Store, options: TalkingPointOptions): Promise<void> {
  const rows = await store.all<{ family: number; text: string; first: number }>(
    `WITH v AS (
       SELECT family, text_norm, count(*) AS n, min({c: epoch_ms(created_at), r: pr}) AS f
       FROM ${FAMILY_POSTS} WHERE NOT repost AND family >= 0 AND text_norm IS NOT NULL GROUP BY family, text_norm)
     SELECT family, text_norm AS text, min(f.c) OVER (PARTITION BY family) AS first FROM v
     QUALIFY row_number() OVER (PARTITION BY family ORDER BY n DESC, f.r) <= ${Math.max(1, Math.floor(options.variants))}`,
  );
  const families = [...new Set(rows.map((r) => r.family))];
  if (families.length < 2) return;
  const index = new Map(families.map((f, i) => [f, i]));
  const units = rows.map((r) => messageView(r.text));
  const group = Int32Array.from(rows, (r) => index.get(r.family)!);
  const anchors = new AnchorIndex(
    units.map((u) => u.view),
    group,
    options.anchors,
  );
  const uf = new UnionFind(families.length);
  units.forEach((u, k) => {
    for (const c of anchors.scan(u.view.cps, u.view.length)) {
      if (group[c.unit] === group[k] || uf.find(group[c.unit]!) === uf.find(group[k]!)) continue;
      const m = matchPair(units[c.unit]!, u, c);
      if (m && m.shared >= options.mergeMinReuse * Math.max(u.view.length, units[c.unit]!.view.length))
        uf.union(group[c.unit]!, group[k]!);
    }
  });
  // Each merged family is named after its member posted first.
  const first = new Map(rows.map((r) => [r.family, r.first]));
  const root = new Map<number, number>();
  families.forEach((f, i) => {
    const r = uf.find(i);
    const best = root.get(r);
    if (
      best === undefined ||
      first.get(f)! < first.get(best)! ||
      (first.get(f) === first.get(best) && f < best)
    )
      root.set(r, f);
  });
  const moved = families.filter((f, i) => root.get(uf.find(i)) !== f);
  if (!moved.length) return;
  await store.run(
    `UPDATE ${FAMILY_POSTS} SET family = m.root FROM (
       SELECT unnest(string_split($1, ','))::BIGINT AS family, unnest(string_split($2, ','))::BIGINT AS root) m
     WHERE ${FAMILY_POSTS}.family = m.family`,
    [moved.join(','), moved.map((f) => root.get(uf.find(index.get(f)!))!).join(',')],
  );
}

/** Posts per UTC day of the given families (for the cascades). */
export async function familySeries(
  store: Store,
  families: number[],
): Promise<Map<number, { day: string; posts: number; flaggedPosts: number }[]>> {
  const out = new Map<number, { day: string; posts: number; flaggedPosts: number }[]>();
  if (!families.length) return out;
  for (const r of await store.all<{ family: number; day: string; posts: number; flagged: number }>(
    `SELECT family, strftime(date_trunc('day', created_at), '%Y-%m-%d') AS day, count(*) AS posts,
            count(*) FILTER (WHERE cluster IS NOT NULL) AS flagged
     FROM ${FAMILY_POSTS} WHERE family IN (${families.map((f) => Math.floor(f)).join(', ')})
     GROUP BY ALL ORDER BY family, day`,
  )) {
    if (!out.has(r.family)) out.set(r.family, []);
    out.get(r.family)!.push({ day: r.day, posts: r.posts, flaggedPosts: r.flagged });
  }
  return out;
}

export async function dropTalkingPointTables(store: Store): Promise<void> {
  await store.run(
    `DROP TABLE IF EXISTS ${FAMILY_POSTS}; DROP TABLE IF EXISTS echo_tp; DROP TABLE IF EXISTS echo_flag; DROP TABLE IF EXISTS text_family`,
  );
}
