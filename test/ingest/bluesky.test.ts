import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bluesky } from '../../src/ingest/formats/bluesky.js';
import { type IngestReport, ingestFile } from '../../src/ingest/pipeline.js';
import type { SourceInfo } from '../../src/ingest/source.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', name);
const JETSTREAM = fixture('bluesky-jetstream.jsonl');
const POSTVIEWS = fixture('bluesky-postviews.jsonl');
const BAD = fixture('bluesky-bad.jsonl');

const ALICE = 'did:plc:fixturealiceaaaaaaaaaaaa';
const BOB = 'did:plc:fixturebobbbbbbbbbbbbbbb';
const CAROL = 'did:plc:fixturecarolcccccccccccc';
const DAVE = 'did:plc:fixturedaveddddddddddddd';
const EVE = 'did:plc:fixtureeveeeeeeeeeeeeeee';
const SHARED_IMAGE = 'bafkreifixturesharedimageaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const ALICE_POST = `at://${ALICE}/app.bsky.feed.post/3lfxpost0001a`;
const BOB_REPLY = `at://${BOB}/app.bsky.feed.post/3lfxreply001b`;

type Row = Record<string, unknown>;

const iso = (v: unknown) => (v as Date).toISOString();
const warningCounts = (r: IngestReport) => Object.fromEntries(r.warnings.map((w) => [w.code, w.count]));

async function postsById(store: Store): Promise<Map<string, Row>> {
  const rows = await store.all<Row>(`SELECT * FROM posts ORDER BY post_id`);
  return new Map(rows.map((r) => [r.post_id as string, r]));
}

describe('Bluesky JSON Lines', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());

  describe('Jetstream events', () => {
    let store: Store;
    let report: IngestReport;
    let posts: Map<string, Row>;
    beforeAll(async () => {
      ({ store, report } = await ingestInto(tmp.dir, JETSTREAM, {}, 'jetstream.duckdb'));
      posts = await postsById(store);
    });
    afterAll(() => store.close());

    it('detects the format and reconciles; non-post events are counted, not rows', () => {
      expect(report.format).toBe('bluesky');
      expect(report.platform).toBe('bluesky');
      // 8 post and repost records plus an update of the first post (a duplicate).
      expect(report).toMatchObject({ rowsRead: 9, rowsStored: 8, rowsDuplicate: 1, rowsRejected: 0 });
      expect(reconciles(report)).toBe(true);
      expect(warningCounts(report)).toEqual({
        'skipped-like': 1,
        'skipped-follow': 1,
        'skipped-delete': 1,
        'skipped-account': 1,
        'createdat-fallback': 1,
      });
    });

    it('maps a post with link, mention and tag facets', () => {
      const post = posts.get(ALICE_POST)!;
      expect(post).toMatchObject({
        platform: 'bluesky',
        account_id: ALICE,
        kind: 'post',
        lang: 'en',
        // The facet's full URL, canonicalised, not the shortened text.
        urls: ['https://example.com/story?id=7'],
        domains: ['example.com'],
        mentions: [BOB],
        hashtags: ['fixturerun', 'lockstep'],
        media: [],
        ref_post_id: null,
        reply_to_post_id: null,
      });
      expect(post.text).toBe('Read this: example.com/story?id=7… cc @bob.lockstep.test #Lockstep');
      expect(iso(post.created_at)).toBe('2024-09-09T19:46:02.102Z');
      // The first version wins over the later update.
      expect(JSON.parse(post.extra as string)).toEqual({
        cid: 'bafyreifixturerecord000000000000000000000000000000000000002',
        rev: '3lfxrev000002',
        time_us: 1725911162329308,
      });
    });

    it('maps replies, quotes, quotes with media and reposts', () => {
      expect(posts.get(BOB_REPLY)).toMatchObject({
        kind: 'reply',
        reply_to_post_id: ALICE_POST,
        reply_to_account_id: ALICE,
        ref_post_id: null,
      });
      expect(posts.get(`at://${CAROL}/app.bsky.feed.post/3lfxquote001c`)).toMatchObject({
        kind: 'quote',
        ref_post_id: ALICE_POST,
        ref_account_id: ALICE,
        reply_to_post_id: null,
      });
      // A quote that also replies keeps both the quoted post and the reply target.
      const quoteReply = posts.get(`at://${DAVE}/app.bsky.feed.post/3lfxqwm00001d`)!;
      expect(quoteReply).toMatchObject({
        kind: 'quote',
        ref_post_id: ALICE_POST,
        ref_account_id: ALICE,
        reply_to_post_id: BOB_REPLY,
        reply_to_account_id: BOB,
        media: [SHARED_IMAGE],
      });
      expect(JSON.parse(quoteReply.extra as string)).toMatchObject({ reply_root: ALICE_POST });
      const repost = posts.get(`at://${BOB}/app.bsky.feed.repost/3lfxrepost1b`)!;
      expect(repost).toMatchObject({
        kind: 'repost',
        account_id: BOB,
        ref_post_id: ALICE_POST,
        ref_account_id: ALICE,
      });
      expect(iso(repost.created_at)).toBe('2024-09-09T20:20:00.000Z');
    });

    it('maps external links, images and video', () => {
      const external = posts.get(`at://${BOB}/app.bsky.feed.post/3lfxextrn01b`)!;
      expect(external).toMatchObject({ kind: 'post', urls: ['https://example.org/article?page=2'] });
      expect(JSON.parse(external.extra as string)).toMatchObject({ link_title: 'An invented article' });
      const images = posts.get(`at://${CAROL}/app.bsky.feed.post/3lfximages1c`)!;
      expect(images).toMatchObject({
        text: null,
        lang: 'fr',
        // Lists are stored sorted and without repeats.
        media: ['bafkreifixtureotherimagebbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', SHARED_IMAGE],
      });
      expect(JSON.parse(images.extra as string)).toMatchObject({ labels: ['graphic-media'] });
      // 22:15+02:00 stored in UTC.
      expect(iso(images.created_at)).toBe('2024-09-09T20:15:00.000Z');
      const video = posts.get(`at://${DAVE}/app.bsky.feed.post/3lfxvideo001d`)!;
      // No createdAt: time_us stands in. No facets: links and tags come from the text.
      expect(video).toMatchObject({
        media: ['bafkreifixturevideocccccccccccccccccccccccccccccccccccccccc'],
        urls: ['https://example.net/x'],
        hashtags: ['nofacet'],
      });
      expect(iso(video.created_at)).toBe('2024-09-09T21:00:00.000Z');
    });

    it('gives two accounts posting the same image the same media value', async () => {
      const rows = await store.all<{ account_id: string }>(
        `SELECT DISTINCT account_id FROM posts WHERE list_contains(media, ?) ORDER BY account_id`,
        [SHARED_IMAGE],
      );
      expect(rows.map((r) => r.account_id)).toEqual([CAROL, DAVE]);
    });

    it('takes handles from identity events and names from profile records', async () => {
      const accounts = await store.all<Row>(`SELECT * FROM accounts ORDER BY account_id`);
      expect(accounts.map((a) => a.account_id)).toEqual([ALICE, BOB, CAROL, DAVE, EVE]);
      const alice = accounts[0]!;
      expect(alice).toMatchObject({
        handle: 'alice.lockstep.test',
        display_name: 'Alice Fixture',
        bio: 'Invented account for tests.',
      });
      expect(iso(alice.created_at)).toBe('2023-05-01T10:00:00.000Z');
      expect(JSON.parse(alice.extra as string)).toEqual({
        avatar: 'bafkreifixtureavatardddddddddddddddddddddddddddddddddddddddd',
      });
      expect(accounts[4]).toMatchObject({ handle: 'eve.lockstep.test' });
      // Accounts seen only as posters are stored bare.
      expect(accounts[1]).toMatchObject({ handle: null, display_name: null });
    });

    it('adds nothing when the same file is ingested again', async () => {
      const again = await ingestFile(store, JETSTREAM);
      expect(again).toMatchObject({
        rowsRead: 9,
        rowsStored: 0,
        rowsDuplicate: 9,
        rowsRejected: 0,
        postsNew: 0,
        accountsNew: 0,
      });
      expect(again.sameFileBefore).toEqual([1]);
      expect(await store.value<number>(`SELECT count(*) FROM posts`)).toBe(8);
    });
  });

  it('reads AppView post views and feed items, with authors and reposters as accounts', async () => {
    const { store, report } = await ingestInto(tmp.dir, POSTVIEWS, {}, 'postviews.duckdb');
    try {
      expect(report.format).toBe('bluesky');
      // 5 lines: two feed items carry a repost besides the post; the repeated post is a duplicate.
      expect(report).toMatchObject({ rowsRead: 7, rowsStored: 6, rowsDuplicate: 1, rowsRejected: 0 });
      expect(reconciles(report)).toBe(true);
      expect(warningCounts(report)).toEqual({ 'createdat-fallback': 1 });

      const posts = await postsById(store);
      const first = `at://${ALICE}/app.bsky.feed.post/3lfxpv00001a`;
      const post = posts.get(first)!;
      expect(post).toMatchObject({
        account_id: ALICE,
        kind: 'post',
        lang: 'en',
        hashtags: ['lockstep'],
        media: [SHARED_IMAGE],
      });
      expect(iso(post.created_at)).toBe('2024-10-01T08:00:00.000Z');
      expect(JSON.parse(post.extra as string)).toMatchObject({
        indexed_at: '2024-10-01T08:00:01.500Z',
        like_count: 5,
        repost_count: 2,
        labels: ['spam'],
      });
      expect(posts.get(`at://${CAROL}/app.bsky.feed.post/3lfxpv00002c`)).toMatchObject({
        kind: 'reply',
        reply_to_post_id: first,
        reply_to_account_id: ALICE,
      });
      const repost = posts.get(`at://${BOB}/app.bsky.feed.repost/3lfxpvrp001b`)!;
      expect(repost).toMatchObject({
        kind: 'repost',
        account_id: BOB,
        ref_post_id: first,
        ref_account_id: ALICE,
      });
      expect(iso(repost.created_at)).toBe('2024-10-01T09:00:00.000Z');
      const quote = `at://${DAVE}/app.bsky.feed.post/3lfxpv00004d`;
      expect(posts.get(quote)).toMatchObject({ kind: 'quote', ref_post_id: first });
      // A repost reason without the repost record's URI gets a key of its own.
      expect(posts.get(`repost:${CAROL}:${quote}`)).toMatchObject({
        kind: 'repost',
        account_id: CAROL,
        ref_post_id: quote,
        ref_account_id: DAVE,
      });
      const pinned = posts.get(`at://${BOB}/app.bsky.feed.post/3lfxpv00005b`)!;
      expect(iso(pinned.created_at)).toBe('2024-10-01T11:00:00.000Z');

      const accounts = new Map(
        (await store.all<Row>(`SELECT * FROM accounts`)).map((a) => [a.account_id as string, a]),
      );
      expect(accounts.get(ALICE)).toMatchObject({
        handle: 'alice.lockstep.test',
        display_name: 'Alice Fixture',
      });
      expect(iso(accounts.get(ALICE)!.created_at)).toBe('2023-05-01T10:00:00.000Z');
      // Carol's handle was `handle.invalid` as an author, then valid as a reposter.
      expect(accounts.get(CAROL)).toMatchObject({ handle: 'carol.lockstep.test' });
      expect(accounts.get(BOB)).toMatchObject({ handle: 'bob.lockstep.test', display_name: 'Bob Fixture' });
    } finally {
      store.close();
    }
  });

  it('keeps bad lines aside with their line numbers and reasons', async () => {
    const { store, report } = await ingestInto(tmp.dir, BAD, { format: 'bluesky' }, 'bad.duckdb');
    try {
      expect(report).toMatchObject({ rowsRead: 6, rowsStored: 2, rowsDuplicate: 0, rowsRejected: 4 });
      expect(reconciles(report)).toBe(true);
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM rejects ORDER BY line`,
      );
      expect(rejects.map((r) => r.line)).toEqual([2, 3, 4, 5]);
      expect(rejects[0]!.reason).toMatch(/^invalid JSON/);
      expect(rejects[1]!.reason).toBe('no createdAt and no time_us or indexedAt');
      expect(rejects[2]!.reason).toBe('neither a Jetstream event nor a Bluesky post view');
      expect(rejects[3]!.reason).toBe('repost without subject.uri');
    } finally {
      store.close();
    }
  });

  it('detects Jetstream events and post views, and nothing else', () => {
    const score = (head: string) => bluesky.detect(head, { head } as SourceInfo);
    const view = readFileSync(POSTVIEWS, 'utf8').split('\n', 1)[0]!;
    expect(score(readFileSync(JETSTREAM, 'utf8'))).toBe(1);
    expect(score(view)).toBe(1);
    expect(score(`{"post":${view}}\n`)).toBe(1);
    expect(score('{"did":"did:plc:x","time_us":1725911162329308,"kind":"account"}')).toBe(1);
    // X API v2 page, Telegram export, CSV, a JSON line that only looks alike.
    expect(score('{"data":[{"id":"1","text":"hi","author_id":"2"}],"includes":{}}')).toBe(0);
    expect(score('{"name":"Channel","type":"public_channel","id":1,"messages":[]}')).toBe(0);
    expect(score('tweetid,userid,tweet_time\n1,2,2020-01-01')).toBe(0);
    expect(score('{"uri":"https://example.com","record":{}}')).toBe(0);
  });
});
