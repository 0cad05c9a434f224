/**
 * Ingest of the real public data sets in `../shared/data/` (see its README for provenance): every
 * file that holds posts is stored with no unexplained loss, and the counts are exact.
 *
 * Files there that are not post dumps are not ingested (the last test checks that nothing new
 * appeared unclassified):
 * - `claim_matching/`: CLEF-2020 CheckThat! and SemEval-2025 claims, tweets and gold pairs, for
 *   claim matching (a later feature);
 * - `text_reuse_clough_stevenson/`: short texts labelled by reuse level, for text-reuse scoring (later);
 * - `influence/`: FARA, LDA, legislator and FollowTheMoney records, not posts;
 * - `ira/ira_accounts_2015Q4.csv`: the hand-coded account categories (ground truth);
 * - `coortweet_reference/reference/`, `cnt_conformance/expected_co_retweet.json`: outputs of CooRTweet
 *   and the coordination-network-toolkit on these files (oracles for the detection stage);
 * - the READMEs and licence files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseFormat } from '../../src/ingest/formats/index.js';
import { retweetObjectKey } from '../../src/ingest/formats/ira.js';
import type { IngestReport } from '../../src/ingest/pipeline.js';
import { inspectSource } from '../../src/ingest/source.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, reconciles, SHARED, scratch } from '../helpers/store.js';

const IRA = join(SHARED, 'ira', 'ira_tweets_2015Q4.csv.gz');
const RCT = join(SHARED, 'coortweet_reference', 'russian_coord_tweets.csv');
const GE = join(SHARED, 'coortweet_reference', 'german_elections.csv');
const CNT = join(SHARED, 'cnt_conformance', 'coretweet_test_input.csv');

const tmp = scratch();
afterAll(() => tmp.cleanup());

const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;
const count = async (store: Store, query: string, params?: string[]) =>
  Number(await store.value<number>(query, params));

/** Opens a store, ingests the file once for all tests of the block, closes it after them. */
function ingestOnce(file: string, format?: string) {
  const state = {} as { store: Store; report: IngestReport };
  beforeAll(async () => {
    Object.assign(
      state,
      await ingestInto(tmp.dir, file, format ? { format } : {}, `${format ?? 'ira'}.duckdb`),
    );
  }, 120_000);
  afterAll(() => state.store?.close());
  return state;
}

describe('IRA tweets 2015 Q4 (FiveThirtyEight / Linvill & Warren)', () => {
  const s = ingestOnce(IRA);

  it('stores every row, from 1,768 accounts', async () => {
    expect(s.report).toMatchObject({
      format: 'ira',
      platform: 'twitter',
      rowsRead: 294_656,
      rowsStored: 294_656,
      rowsDuplicate: 0,
      rowsRejected: 0,
      postsNew: 294_656,
      accountsNew: 1_768,
      timeResolution: 'minute',
    });
    expect(reconciles(s.report)).toBe(true);
    // publish_date has no documented zone: every row is read as UTC and counted.
    expect(s.report.warnings).toEqual([expect.objectContaining({ code: 'zoneless-time', count: 294_656 })]);
    expect(await count(s.store, `SELECT count(*) FROM posts`)).toBe(294_656);
    expect(await count(s.store, `SELECT count(DISTINCT account_id) FROM posts`)).toBe(1_768);
    // Every account is one of Linvill & Warren's hand-coded ones.
    const labels = join(SHARED, 'ira', 'ira_accounts_2015Q4.csv');
    expect(
      await count(
        s.store,
        `SELECT count(*) FROM accounts ANTI JOIN read_csv(${sql(labels)}) l ON l.author_id = accounts.account_id`,
      ),
    ).toBe(0);
    // No tweet ids: 284 rows repeat an earlier row exactly (author, minute, type, text) and are
    // kept as posts of their own, keyed `#2`, `#3`.
    expect(await count(s.store, `SELECT count(*) FROM posts WHERE post_id LIKE '%#%'`)).toBe(284);
    expect(
      await s.store.all(`SELECT kind, count(*)::INTEGER AS n FROM posts GROUP BY kind ORDER BY kind`),
    ).toEqual([
      { kind: 'post', n: 80_903 },
      { kind: 'quote', n: 1_573 },
      { kind: 'repost', n: 212_180 },
    ]);
  });

  it('normalises the language names, keeping the labels that map to no code', async () => {
    expect(
      await s.store.all(
        `SELECT lang, count(*)::INTEGER AS n FROM posts WHERE lang IN ('ru', 'en', 'uk') GROUP BY lang ORDER BY n DESC`,
      ),
    ).toEqual([
      { lang: 'ru', n: 182_161 },
      { lang: 'en', n: 86_648 },
      { lang: 'uk', n: 12_154 },
    ]);
    // `LANGUAGE UNDEFINED`, `Farsi (Persian)`, `Tagalog (Filipino)`, `Simplified Chinese`: in extra.
    expect(
      await count(
        s.store,
        `SELECT count(*) FROM posts WHERE (lang IS NULL) <> (json_extract_string(extra, 'language') IS NOT NULL)`,
      ),
    ).toBe(0);
    expect(
      await count(
        s.store,
        `SELECT count(*) FROM posts WHERE json_extract_string(extra, 'language') = 'LANGUAGE UNDEFINED'`,
      ),
    ).toBe(39);
  });

  it('gives retweets of the same text one shared object', async () => {
    // Every retweet (post_type R) has a `text:` object; nothing else has one.
    expect(
      await count(
        s.store,
        `SELECT count(*) FROM posts WHERE (kind = 'repost') <> (ref_post_id LIKE 'text:%')`,
      ),
    ).toBe(0);
    expect(
      await count(s.store, `SELECT count(*) FROM posts WHERE kind <> 'repost' AND ref_post_id IS NOT NULL`),
    ).toBe(0);
    const text = '#KochFarms ruined #thanksgiving https://t.co/glyfoQwu4v';
    const rows = await s.store.all<{ account_id: string; created_at: Date }>(
      `SELECT account_id, created_at FROM posts WHERE ref_post_id = ? ORDER BY created_at`,
      [retweetObjectKey(text)],
    );
    expect(rows.map((r) => [r.account_id, r.created_at.toISOString()])).toEqual([
      ['BenjaminBalll', '2015-11-27T00:18:00.000Z'],
      ['Cheese_Monay', '2015-11-27T00:25:00.000Z'],
    ]);
  });

  it('holds the #KochFarms / #FoodPoisoning Thanksgiving hoax', async () => {
    const [hoax] = await s.store.all<Record<string, number | Date>>(`SELECT
        count(*) FILTER (list_contains(hashtags, 'kochfarms'))::INTEGER AS koch,
        count(DISTINCT account_id) FILTER (list_contains(hashtags, 'kochfarms'))::INTEGER AS koch_accounts,
        count(*) FILTER (list_contains(hashtags, 'foodpoisoning'))::INTEGER AS food,
        count(DISTINCT account_id) FILTER (list_contains(hashtags, 'foodpoisoning'))::INTEGER AS food_accounts,
        count(*) FILTER (list_has_any(hashtags, ['kochfarms', 'foodpoisoning']))::INTEGER AS either,
        count(DISTINCT account_id) FILTER (list_has_any(hashtags, ['kochfarms', 'foodpoisoning']))::INTEGER AS either_accounts,
        min(created_at) FILTER (list_contains(hashtags, 'kochfarms')) AS first,
        max(created_at) FILTER (list_contains(hashtags, 'kochfarms')) AS last
      FROM posts`);
    // #KochFarms (any case) in 4,112 posts of 158 accounts, as the data's README says; #FoodPoisoning
    // in 1,364 posts of 131 accounts; 4,228 posts carry one or both, all by the same 158 accounts.
    expect(hoax).toMatchObject({
      koch: 4_112,
      koch_accounts: 158,
      food: 1_364,
      food_accounts: 131,
      either: 4_228,
      either_accounts: 158,
    });
    expect((hoax!.first as Date).toISOString()).toBe('2015-11-26T22:12:00.000Z');
    expect((hoax!.last as Date).toISOString()).toBe('2015-12-03T16:33:00.000Z');
    // Tags are case-folded keys: the text spells the tag several ways, all of them found.
    expect(await count(s.store, `SELECT count(*) FROM posts WHERE text ILIKE '%#kochfarms%'`)).toBe(4_112);
    const spellings = await s.store.all<{ tag: string }>(
      `SELECT DISTINCT unnest(regexp_extract_all(text, '#([Kk][Oo][Cc][Hh][Ff][Aa][Rr][Mm][Ss])', 1)) AS tag FROM posts ORDER BY tag`,
    );
    expect(spellings.map((r) => r.tag)).toEqual([
      'KochFArms',
      'KochFarms',
      'Kochfarms',
      'kochFarms',
      'kochfarms',
    ]);
  });
});

describe('CooRTweet russian_coord_tweets (format coortweet)', () => {
  const s = ingestOnce(RCT, 'coortweet');

  it('stores all 35,125 shares, a repeated content id as content_id#2', async () => {
    expect(s.report).toMatchObject({
      format: 'coortweet',
      rowsRead: 35_125,
      rowsStored: 35_125,
      rowsDuplicate: 0,
      rowsRejected: 0,
      postsNew: 35_125,
      accountsNew: 9_509,
    });
    expect(reconciles(s.report)).toBe(true);
    // 40 content ids appear twice (39 with two objects, one exact repeated row): CooRTweet counts each row.
    expect(s.report.warnings).toEqual([
      expect.objectContaining({ code: 'repeated-content-id', count: 40, firstLine: 24 }),
    ]);
    const raw = `read_csv(${sql(RCT)})`;
    expect(await count(s.store, `SELECT count(DISTINCT account_id) FROM ${raw}`)).toBe(9_509);
    expect(await count(s.store, `SELECT count(*) FROM accounts`)).toBe(9_509);
    expect(await count(s.store, `SELECT count(DISTINCT ref_post_id) FROM posts WHERE kind = 'repost'`)).toBe(
      await count(s.store, `SELECT count(DISTINCT object_id) FROM ${raw}`),
    );
    const shares = await s.store.all<Record<string, unknown>>(
      `SELECT post_id, ref_post_id, extra::VARCHAR AS extra FROM posts WHERE post_id LIKE '77f7a2d01238779cf4f9c84e57dce19a%' ORDER BY source_line`,
    );
    expect(shares).toEqual([
      {
        post_id: '77f7a2d01238779cf4f9c84e57dce19a',
        ref_post_id: 'bb1fe038be0d8fde2ec6b8d5173b0f2b',
        extra: null,
      },
      {
        post_id: '77f7a2d01238779cf4f9c84e57dce19a#2',
        ref_post_id: '2afeb8a2e0ae4a0bda0604e6997be3a9',
        extra: '{"content_id":"77f7a2d01238779cf4f9c84e57dce19a"}',
      },
    ]);
  });
});

describe('CooRTweet german_elections (format german-elections, rows merged into posts)', () => {
  const s = ingestOnce(GE, 'german-elections');
  const raw = `read_csv(${sql(GE)}, nullstr = 'NA', all_varchar = true)`;

  it('folds the rows of a post into one post; exact repeated rows are duplicates', async () => {
    expect(s.report).toMatchObject({
      format: 'german-elections',
      rowsRead: 218_971,
      rowsStored: 194_794,
      rowsDuplicate: 24_177,
      rowsRejected: 0,
      postsNew: 194_326,
      accountsNew: 58_317,
      warnings: [],
    });
    expect(reconciles(s.report)).toBe(true);
    const columns = 'account_id, post_id, url_id, hashtag_id, domain_id, phash_id, timestamp';
    expect(await count(s.store, `SELECT count(*) - count(DISTINCT (${columns})) FROM ${raw}`)).toBe(24_177);
    // Posts = distinct (platform from the fb_/tw_ prefix, post_id); NA post ids keyed by account and time.
    const keys = `SELECT DISTINCT CASE WHEN starts_with(account_id, 'tw_') THEN 'twitter' ELSE 'facebook' END AS platform,
        coalesce(post_id, 'na:' || account_id || ':' || timestamp) AS post_id FROM ${raw}`;
    expect(await count(s.store, `SELECT count(*) FROM (${keys})`)).toBe(194_326);
    expect(await count(s.store, `SELECT count(*) FROM posts`)).toBe(194_326);
    expect(
      await count(s.store, `SELECT count(*) FROM (${keys}) k ANTI JOIN posts USING (platform, post_id)`),
    ).toBe(0);
    expect(
      await s.store.all(
        `SELECT platform, count(*)::INTEGER AS n FROM posts GROUP BY platform ORDER BY platform`,
      ),
    ).toEqual([
      { platform: 'facebook', n: 81_569 },
      { platform: 'twitter', n: 112_757 },
    ]);
    expect(
      await s.store.all(`SELECT post_id, account_id FROM posts WHERE post_id LIKE 'na:%' ORDER BY post_id`),
    ).toEqual([
      { post_id: 'na:fb_20176:1632677942', account_id: 'fb_20176' },
      { post_id: 'na:fb_42:1630243564', account_id: 'fb_42' },
      { post_id: 'na:fb_45:1632141427', account_id: 'fb_45' },
    ]);
    expect(await count(s.store, `SELECT count(*) FROM accounts`)).toBe(
      await count(s.store, `SELECT count(DISTINCT account_id) FROM ${raw}`),
    );
  });

  it("merges a post's URL, hashtag, domain and image ids", async () => {
    // Post 160504 has three rows, one per image hash, each repeating its URL, hashtag and domain.
    expect(await count(s.store, `SELECT count(*) FROM ${raw} WHERE post_id = '160504'`)).toBe(3);
    const [post] = await s.store.all<Record<string, unknown>>(
      `SELECT platform, account_id, created_at, kind, urls, hashtags, domains, media FROM posts WHERE post_id = '160504'`,
    );
    expect(post).toMatchObject({
      platform: 'twitter',
      account_id: 'tw_52551',
      kind: 'post',
      urls: ['url_13871'],
      hashtags: ['hashtag_44460'],
      domains: ['domain_5890'],
      media: ['phash_13053', 'phash_19105', 'phash_4211'],
    });
    expect((post!.created_at as Date).toISOString()).toBe('2021-09-24T05:03:11.000Z');
  });
});

describe('coordination-network-toolkit co-retweet test input (format cnt)', () => {
  const s = ingestOnce(CNT, 'cnt');

  it('stores the 15 reposts with their timestamps in seconds', async () => {
    expect(s.report).toMatchObject({
      format: 'cnt',
      rowsRead: 15,
      rowsStored: 15,
      rowsDuplicate: 0,
      rowsRejected: 0,
      accountsNew: 9,
    });
    // The toolkit's timestamps are seconds on any scale (here 0..300): stored in 1970, counted.
    expect(s.report.warnings).toEqual([expect.objectContaining({ code: 'early-time', count: 15 })]);
    const posts = await s.store.all<{
      post_id: string;
      account_id: string;
      kind: string;
      ref: string;
      t: number;
    }>(
      `SELECT post_id, account_id, kind, ref_post_id AS ref, epoch(created_at)::INTEGER AS t FROM posts ORDER BY post_id::INTEGER`,
    );
    expect(posts).toHaveLength(15);
    expect(posts.every((p) => p.kind === 'repost')).toBe(true);
    // message_id 0 is a real id; uid0 retweets rtid0 twice, at 0 s and 1 s (the self-loop case).
    expect(posts.filter((p) => p.account_id === 'uid0')).toEqual([
      { post_id: '0', account_id: 'uid0', kind: 'repost', ref: 'rtid0', t: 0 },
      { post_id: '14', account_id: 'uid0', kind: 'repost', ref: 'rtid0', t: 1 },
    ]);
    expect(posts.find((p) => p.post_id === '13')).toMatchObject({
      account_id: 'uid12',
      ref: 'rtid6',
      t: 300,
    });
    expect(await s.store.value(`SELECT handle FROM accounts WHERE account_id = 'uid10'`)).toBe('username10');
  });
});

describe('the shared data folder', () => {
  it('has each post file detected as its format without --format', async () => {
    for (const [file, format] of [
      [IRA, 'ira'],
      [RCT, 'coortweet'],
      [GE, 'german-elections'],
      [CNT, 'cnt'],
    ] as const) {
      expect(chooseFormat(await inspectSource(file)).name).toBe(format);
    }
  });

  it('holds no file that is neither ingested above nor known not to be a post dump', () => {
    expect(existsSync(SHARED)).toBe(true);
    const posts = [IRA, RCT, GE, CNT].map((f) => relative(SHARED, f));
    const notPosts = [
      /^README\.md$/,
      /^claim_matching\//,
      /^text_reuse_clough_stevenson\//,
      /^influence\//,
      /^ira\/ira_accounts_2015Q4\.csv$/,
      /^coortweet_reference\/reference\//,
      /^cnt_conformance\/(expected_co_retweet\.json|LICENSE\..*)$/,
    ];
    const files = (
      readdirSync(SHARED, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[]
    )
      .filter((d) => d.isFile())
      .map((d) => relative(SHARED, join(d.parentPath, d.name)));
    const unknown = files.filter((f) => !posts.includes(f) && !notPosts.some((re) => re.test(f)));
    expect(unknown).toEqual([]);
    expect(posts.every((f) => files.includes(f))).toBe(true);
  });
});
