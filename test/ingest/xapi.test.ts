import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { xapi } from '../../src/ingest/formats/xapi.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import type { SourceInfo } from '../../src/ingest/source.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', name);
const PAGES = fixture('xapi-pages.jsonl');
const FLAT = fixture('xapi-flat.jsonl');
const PAGE_JSON = fixture('xapi-page.json');
const PAGES_JSON = fixture('xapi-pages.json');
const BAD = fixture('xapi-bad.jsonl');

const iso = (v: unknown) => (v as Date).toISOString();
type Row = Record<string, unknown>;

describe('X API v2 responses', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());

  it('maps a page per line: kinds, references, entities, long posts and accounts', async () => {
    const { store, report } = await ingestInto(tmp.dir, PAGES, {}, 'pages.duckdb');
    try {
      // Detected without --format; data (4 + 1) and includes.tweets (3) are rows, 2 of them repeats.
      expect(report).toMatchObject({
        format: 'xapi',
        platform: 'twitter',
        rowsRead: 8,
        rowsStored: 6,
        rowsDuplicate: 2,
        rowsRejected: 0,
        postsNew: 6,
        accountsNew: 5,
      });
      expect(reconciles(report)).toBe(true);
      expect(report.warnings).toEqual([]);

      const posts = await store.all<Row>(`SELECT * FROM posts ORDER BY post_id`);
      expect(posts.map((p) => [p.post_id, p.account_id, p.kind])).toEqual([
        ['1700000000000000100', '9000000003', 'post'],
        ['1700000000000000101', '9000000001', 'post'],
        ['1700000000000000102', '9000000002', 'repost'],
        ['1700000000000000103', '9000000003', 'quote'],
        ['1700000000000000104', '9000000001', 'reply'],
        ['1700000000000000105', '9000000004', 'post'],
      ]);
      const [original, plain, retweet, quote, reply, long] = posts;
      expect(original).toMatchObject({ hashtags: ['launch'], source_line: 1 });
      expect(iso(original!.created_at)).toBe('2023-09-14T08:00:00.000Z');
      // unwound_url wins over the bit.ly expanded_url; the attached photo's own link is left out.
      expect(plain).toMatchObject({
        urls: ['https://example.org/news/story-1?id=7'],
        domains: ['example.org'],
        short_urls: [],
        hashtags: ['electionwatch'],
        mentions: ['lockstep_echo'],
        media: ['3_1700000000000000901'],
        client: 'Lockstep Test Client',
        lang: 'en',
        ref_post_id: null,
        reply_to_post_id: null,
      });
      expect(JSON.parse(plain!.extra as string)).toEqual({
        public_metrics: {
          retweet_count: 0,
          reply_count: 1,
          like_count: 3,
          quote_count: 1,
          bookmark_count: 0,
          impression_count: 30,
        },
        conversation_id: '1700000000000000101',
      });
      // The retweeted tweet's author comes from includes.tweets.
      expect(retweet).toMatchObject({
        ref_post_id: '1700000000000000100',
        ref_account_id: '9000000003',
        reply_to_post_id: null,
        mentions: ['lockstep_charlie'],
        hashtags: ['launch'],
      });
      // A quote that is also a reply keeps both targets; the quote link is canonical (x.com).
      expect(quote).toMatchObject({
        ref_post_id: '1700000000000000100',
        ref_account_id: '9000000003',
        reply_to_post_id: '1700000000000000101',
        reply_to_account_id: '9000000001',
        urls: ['https://x.com/lockstep_charlie/status/1700000000000000100'],
      });
      expect(reply).toMatchObject({
        ref_post_id: null,
        ref_account_id: null,
        reply_to_post_id: '1700000000000000103',
        reply_to_account_id: '9000000003',
      });
      // note_tweet: the whole text and its entities replace the cut `text`.
      expect(long!.text).toMatch(/^A long synthetic note .* @lockstep_alpha$/);
      expect(long).toMatchObject({
        hashtags: ['opendata', 'transparency'],
        mentions: ['lockstep_alpha'],
        source_line: 2,
      });
      expect(JSON.parse(long!.extra as string)).toMatchObject({
        cashtags: ['TEST'],
        edit_history_tweet_ids: ['1700000000000000095', '1700000000000000105'],
        geo: { place_id: '0a1b2c3d4e5f6789', place: 'Testville, Nowhere', country_code: 'XX' },
      });

      const accounts = await store.all<Row>(`SELECT * FROM accounts ORDER BY account_id`);
      expect(accounts.map((a) => [a.account_id, a.handle, a.followers])).toEqual([
        ['9000000001', 'lockstep_alpha', 125],
        ['9000000002', 'lockstep_bravo', 15],
        ['9000000003', 'lockstep_charlie', 2400],
        ['9000000004', 'lockstep_delta', 60],
        ['9000000005', 'lockstep_echo', 7],
      ]);
      const [alpha, , charlie, , echo] = accounts;
      expect(alpha).toMatchObject({
        display_name: 'Alpha Example',
        bio: 'Synthetic test account Alpha Example',
        location: 'Testville',
        url: 'https://alpha.example.org/',
        following: 80,
        verified: false,
      });
      expect(iso(alpha!.created_at)).toBe('2019-03-01T10:00:00.000Z');
      // Alpha is last seen mentioned by page 2's note (10:00), whose profile copy has 125 followers.
      expect(iso(alpha!.observed_at)).toBe('2023-09-14T10:00:00.000Z');
      expect(JSON.parse(alpha!.extra as string)).toMatchObject({ tweet_count: 100, verified_type: 'none' });
      expect(charlie).toMatchObject({ verified: true });
      // Charlie's own latest tweet in the page; Echo only appears as a mention in tweet 101.
      expect(iso(charlie!.observed_at)).toBe('2023-09-14T09:10:00.000Z');
      expect(iso(echo!.observed_at)).toBe('2023-09-14T09:00:00.000Z');
    } finally {
      store.close();
    }
  });

  it('maps flattened tweets (twarc2 flatten) and bare tweets, one per line', async () => {
    const { store, report } = await ingestInto(tmp.dir, FLAT, {}, 'flat.duckdb');
    try {
      // The retweet and quote lines embed their original, a repeat of line 1.
      expect(report).toMatchObject({ format: 'xapi', rowsRead: 6, rowsStored: 4, rowsDuplicate: 2 });
      expect(reconciles(report)).toBe(true);
      expect(report.warnings).toEqual([]);
      const posts = await store.all<Row>(`SELECT * FROM posts ORDER BY post_id`);
      expect(
        posts.map((p) => [
          p.post_id,
          p.account_id,
          p.kind,
          p.ref_post_id,
          p.ref_account_id,
          p.reply_to_post_id,
          p.reply_to_account_id,
        ]),
      ).toEqual([
        ['1710000000000000001', '9100000001', 'post', null, null, null, null],
        ['1710000000000000002', '9100000002', 'repost', '1710000000000000001', '9100000001', null, null],
        ['1710000000000000003', '9100000003', 'reply', null, null, '1710000000000000002', '9100000002'],
        // The quoted tweet nested under referenced_tweets[].tweet.
        ['1710000000000000004', '9100000003', 'quote', '1710000000000000001', '9100000001', null, null],
      ]);
      expect(posts[0]).toMatchObject({ urls: ['https://example.net/flat'], source_line: 1 });
      // Flattened geo carries the place's fields itself.
      expect(JSON.parse(posts[0]!.extra as string).geo).toEqual({
        place_id: 'feedfacefeedface',
        place: 'Flat City, Nowhere',
        country_code: 'XX',
      });
      const accounts = await store.all<Row>(`SELECT * FROM accounts ORDER BY account_id`);
      expect(accounts.map((a) => [a.account_id, a.handle, a.followers, a.bio])).toEqual([
        ['9100000001', 'flat_papa', 42, 'Synthetic test account Papa Flat'],
        ['9100000002', 'flat_quebec', 5, 'Synthetic test account Quebec Flat'],
        // The bare tweet's author came without a profile.
        ['9100000003', null, null, null],
      ]);
    } finally {
      store.close();
    }
  });

  it('reads a whole JSON page and a JSON array of pages', async () => {
    const { store, report } = await ingestInto(tmp.dir, PAGE_JSON, {}, 'json.duckdb');
    try {
      expect(report).toMatchObject({ format: 'xapi', rowsRead: 1, rowsStored: 1, accountsNew: 1 });
      const [post] = await store.all<Row>(`SELECT * FROM posts`);
      expect(post).toMatchObject({
        post_id: '1720000000000000001',
        account_id: '9200000001',
        kind: 'post',
        hashtags: ['singlelookup'],
      });
      expect(iso(post!.created_at)).toBe('2023-11-05T08:15:30.000Z');
      expect(await store.value<string>(`SELECT handle FROM accounts`)).toBe('json_golf');

      const array = await ingestFile(store, PAGES_JSON);
      // Page 2 repeats tweet 11 in includes.tweets.
      expect(array).toMatchObject({
        format: 'xapi',
        rowsRead: 4,
        rowsStored: 3,
        rowsDuplicate: 1,
        rowsRejected: 0,
        accountsNew: 2,
      });
      expect(reconciles(array)).toBe(true);
      const rows = await store.all<Row>(
        `SELECT post_id, kind, reply_to_post_id, reply_to_account_id, source_line FROM posts
         WHERE ingest_id = ? ORDER BY post_id`,
        [array.ingestId],
      );
      // source_line: where each page starts in the pretty-printed array.
      expect(rows.map((r) => [r.post_id, r.kind, r.reply_to_post_id, r.reply_to_account_id])).toEqual([
        ['1720000000000000011', 'post', null, null],
        ['1720000000000000012', 'post', null, null],
        ['1720000000000000013', 'reply', '1720000000000000011', '9200000002'],
      ]);
      expect(rows[0]!.source_line).toBe(2);
      expect(rows[2]!.source_line).toBeGreaterThan(rows[0]!.source_line as number);
    } finally {
      store.close();
    }
  });

  it('keeps bad lines and tweets aside, counts API errors and metadata, and reconciles', async () => {
    const { store, report } = await ingestInto(tmp.dir, BAD, {}, 'bad.duckdb');
    try {
      expect(report).toMatchObject({
        format: 'xapi',
        rowsRead: 6,
        rowsStored: 2,
        rowsDuplicate: 0,
        rowsRejected: 4,
      });
      expect(reconciles(report)).toBe(true);
      expect(report.warnings.map((w) => [w.code, w.count, w.firstLine])).toEqual([['api-error', 1, 1]]);
      // The retweeted original is gone (the errors entry); its author is the `RT @user:` mention.
      const rt = await store.all<Row>(`SELECT * FROM posts WHERE post_id = '1730000000000000001'`);
      expect(rt[0]).toMatchObject({
        kind: 'repost',
        ref_post_id: '1730000000000000000',
        ref_account_id: '9300000009',
      });
      const rejects = await store.all<{ line: number; reason: string; raw: string }>(
        `SELECT line, reason, raw FROM rejects ORDER BY line`,
      );
      expect(rejects.map((r) => r.line)).toEqual([2, 3, 5, 6]);
      expect(rejects[0]!.reason).toMatch(/^invalid JSON/);
      expect(rejects[0]!.raw).toBe('{"data": [{"id": "1730000000000000002", "text": "cut off');
      expect(rejects[1]!.reason).toMatch(/^tweet without author_id/);
      expect(JSON.parse(rejects[1]!.raw)).toMatchObject({ id: '1730000000000000003' });
      expect(rejects[2]!.reason).toBe('unreadable created_at "not a date"');
      expect(rejects[3]!.reason).toMatch(/^neither an X API v2 page/);
    } finally {
      store.close();
    }
  });

  it('adds nothing when the same files are ingested again', async () => {
    const { store } = await ingestInto(tmp.dir, PAGES, {}, 'again.duckdb');
    try {
      expect(await ingestFile(store, PAGES)).toMatchObject({
        rowsRead: 8,
        rowsStored: 0,
        rowsDuplicate: 8,
        rowsRejected: 0,
        postsNew: 0,
        accountsNew: 0,
        sameFileBefore: [1],
      });
      await ingestFile(store, BAD);
      expect(await ingestFile(store, BAD)).toMatchObject({
        rowsRead: 6,
        rowsStored: 0,
        rowsDuplicate: 2,
        rowsRejected: 4,
      });
      expect(await store.value<number>(`SELECT count(*) FROM posts`)).toBe(8);
    } finally {
      store.close();
    }
  });
});

describe('X API v2 detection and framing', () => {
  const source = (head: string): SourceInfo => ({
    path: 'x',
    name: 'x',
    bytes: head.length,
    gzip: false,
    container: 'text',
    encoding: 'utf-8',
    head,
  });
  const detect = (head: string) => xapi.detect(head, source(head));
  const page = JSON.stringify({
    data: [{ id: '1', text: 'hi', author_id: '2', edit_history_tweet_ids: ['1'] }],
    meta: { result_count: 1 },
  });
  const tweet = JSON.stringify({
    id: '1',
    text: 'hi',
    author_id: '2',
    created_at: '2023-01-01T00:00:00.000Z',
  });

  it('recognises pages, flattened tweets and heads too long to parse', () => {
    expect(detect(`${page}\n${page}\n`)).toBe(1);
    expect(detect(`\ufeff${tweet}\n`)).toBe(1);
    expect(detect(JSON.stringify([JSON.parse(page)], null, 2))).toBe(1);
    expect(detect(page.slice(0, -20))).toBe(0.9);
  });

  it('leaves other JSON formats alone', () => {
    const telegram =
      '{\n "name": "Chat",\n "type": "public_channel",\n "id": 17,\n "messages": [\n  {"id": 1, "type": "message", "date": "2024-03-10T10:00:00", "from_id": "channel17", "text": "hi"}';
    const jetstream =
      '{"did":"did:plc:abc","time_us":1725911162329308,"kind":"commit","commit":{"rev":"x","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3","record":{"$type":"app.bsky.feed.post","createdAt":"2024-09-09T19:46:02.102Z","text":"hi"},"cid":"bafy"}}\n';
    const v1 =
      '{"created_at":"Wed Oct 10 20:19:24 +0000 2018","id":1050118621198921728,"id_str":"1050118621198921728","text":"hi","user":{"id":6253282}}\n';
    const bareUnknown = '{"id":"1","text":"hi"}\n';
    for (const head of [telegram, jetstream, v1, bareUnknown, 'tweetid,userid,tweet_time\n1,2,3\n'])
      expect(detect(head)).toBe(0);
  });

  it('frames JSON Lines and JSON documents', () => {
    const framing = (head: string) => xapi.framingFor!(source(head));
    expect(framing(`${page}\n${page}\n`)).toBe('jsonl');
    expect(framing(`\n\n${tweet}\n`)).toBe('jsonl');
    expect(framing(JSON.stringify(JSON.parse(page), null, 2))).toBe('json');
    expect(framing(JSON.stringify([JSON.parse(page)], null, 2))).toBe('json');
    // One line filling the whole head: a long page per line, or a one-line document.
    expect(framing(page.slice(0, -20))).toBe('jsonl');
    expect(framing(`[${page}`)).toBe('json');
  });
});
