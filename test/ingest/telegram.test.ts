import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawAccount, RawPost } from '../../src/core/types.js';
import { contentKey } from '../../src/ingest/formats/fields.js';
import { telegram } from '../../src/ingest/formats/telegram.js';
import type { RowSink } from '../../src/ingest/formats/types.js';
import { normalizeText } from '../../src/ingest/normalize/text.js';
import { zoneResolver } from '../../src/ingest/normalize/time.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { inspectSource } from '../../src/ingest/source.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', name);
const CHANNEL = fixture('telegram-channel.json');
const CHANNEL_B = fixture('telegram-channel-b.json');
const OLD = fixture('telegram-old.json');
const FULL = fixture('telegram-full.json');
const BAD = fixture('telegram-bad.json');

type Row = Record<string, unknown>;
const iso = (row: Row | undefined, column = 'created_at') => (row![column] as Date).toISOString();
const byId = (rows: Row[]) => new Map(rows.map((r) => [r.post_id as string, r]));

describe('Telegram Desktop JSON export', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());

  it('maps a channel export: posts, forwards, replies, edits, media, service messages', async () => {
    const { store, report } = await ingestInto(tmp.dir, CHANNEL, { format: 'telegram' }, 'channel.duckdb');
    try {
      // 9 messages: 2 service messages are skipped (not rows), 7 posts stored.
      expect(report).toMatchObject({
        format: 'telegram',
        platform: 'telegram',
        rowsRead: 7,
        rowsStored: 7,
        rowsRejected: 0,
      });
      expect(reconciles(report)).toBe(true);
      const codes = Object.fromEntries(report.warnings.map((w) => [w.code, w.count]));
      expect(codes).toEqual({ 'skipped-service': 2 });

      const posts = byId(await store.all<Row>(`SELECT * FROM posts`));
      expect([...posts.keys()].sort()).toEqual([2, 3, 4, 5, 6, 7, 9].map((id) => `1700000001/${id}`).sort());
      for (const p of posts.values()) expect(p.account_id).toBe('channel1700000001');

      const plain = posts.get('1700000001/2')!;
      expect(plain).toMatchObject({
        kind: 'post',
        text: 'Read this: https://www.Example.org/story?id=7&utm_source=tg #Breaking via @echo_daily_test',
        urls: ['https://example.org/story?id=7'],
        domains: ['example.org'],
        hashtags: ['breaking'],
        mentions: ['echo_daily_test'],
      });
      // date_unixtime wins over the local `date` (written 3.5 hours ahead here).
      expect(iso(plain)).toBe('2024-03-10T08:15:00.000Z');

      const persian = posts.get('1700000001/3')!;
      expect(persian).toMatchObject({
        kind: 'post',
        text: 'خبر فوری از شهر آزمایشی #ایران_قوی جزئیات',
        hashtags: ['ایران_قوی'],
        urls: ['https://t.me/sahar_test_news/3'],
      });

      const forward = posts.get('1700000001/4')!;
      expect(forward).toMatchObject({
        kind: 'repost',
        ref_post_id: `fwd:${contentKey('Daryakenar Daily (test)', normalizeText('گزارش ویژه: قیمت نان دوباره بالا رفت'))}`,
        ref_account_id: null,
      });
      expect(JSON.parse(forward.extra as string)).toMatchObject({
        forwarded_from: 'Daryakenar Daily (test)',
      });
      expect(iso(forward)).toBe('2024-03-10T09:45:10.000Z');

      expect(posts.get('1700000001/5')).toMatchObject({
        kind: 'reply',
        reply_to_post_id: '1700000001/2',
        ref_post_id: null,
      });

      const edited = posts.get('1700000001/6')!;
      expect(edited).toMatchObject({ kind: 'post', mentions: ['user5550001'] });
      expect(JSON.parse(edited.extra as string)).toMatchObject({
        edited: '2024-03-10T14:35:00',
        edited_unixtime: '1710068700',
        author: 'Editor A (test)',
        chat_type: 'public_channel',
      });

      const photo = posts.get('1700000001/7')!;
      expect(photo).toMatchObject({ text: 'صورة اليوم من الساحل', media: ['photo:1280x720:84211'] });
      expect(JSON.parse(photo.extra as string)).toMatchObject({
        photo: 'photos/photo_1@10-03-2024_15-30-00.jpg',
      });

      const video = posts.get('1700000001/9')!;
      expect(video).toMatchObject({ text: null, media: ['file:clip_test.mp4:2048000'] });
      expect(JSON.parse(video.extra as string)).toMatchObject({
        media_type: 'video_file',
        duration_seconds: 12,
      });

      const accounts = await store.all<Row>(`SELECT * FROM accounts`);
      expect(accounts).toHaveLength(1);
      expect(accounts[0]).toMatchObject({
        platform: 'telegram',
        account_id: 'channel1700000001',
        display_name: 'Sahar Test News',
      });
      expect(iso(accounts[0], 'observed_at')).toBe('2024-03-10T12:30:00.000Z');
    } finally {
      store.close();
    }
  });

  it('links two channels forwarding the same message to one shared object', async () => {
    const { store } = await ingestInto(tmp.dir, CHANNEL, {}, 'forwards.duckdb');
    try {
      const b = await ingestFile(store, CHANNEL_B);
      expect(b).toMatchObject({ rowsRead: 6, rowsStored: 6 });
      expect(b.warnings.map((w) => [w.code, w.count])).toEqual([['forward-without-content', 1]]);
      const posts = byId(await store.all<Row>(`SELECT * FROM posts`));
      const original = posts.get('1700000001/4')!.ref_post_id;
      // Arabic yeh, a double space and a trailing space are folded by text normalisation.
      expect(posts.get('1700000002/40')).toMatchObject({ kind: 'repost', ref_post_id: original });
      // The same text forwarded from another source is another object.
      expect(posts.get('1700000002/41')!.ref_post_id).not.toBe(original);
      // A forwarded photo with no text and no file size cannot be told apart from others: no object.
      expect(posts.get('1700000002/42')).toMatchObject({ kind: 'repost', ref_post_id: null, media: [] });
      // A reply to another chat's message, named by reply_to_peer_id.
      expect(posts.get('1700000002/43')).toMatchObject({ kind: 'reply', reply_to_post_id: '1700000001/2' });
      // forwarded_from_id, when an export has it, names the source account and keys the object.
      expect(posts.get('1700000002/44')).toMatchObject({
        kind: 'repost',
        ref_account_id: 'channel1600000001',
        ref_post_id: `fwd:${contentKey('channel1600000001', 'file:report_test.pdf:120034')}`,
        media: ['file:report_test.pdf:120034'],
      });
      // A post shown with its author's profile belongs to the author; the channel stays an account.
      expect(posts.get('1700000002/45')).toMatchObject({ account_id: 'user5550003' });
      const names = await store.all<Row>(`SELECT account_id, display_name FROM accounts ORDER BY account_id`);
      expect(names).toEqual([
        { account_id: 'channel1700000001', display_name: 'Sahar Test News' },
        { account_id: 'channel1700000002', display_name: 'Saba Test Channel' },
        { account_id: 'user5550003', display_name: 'Signed Author (test)' },
      ]);
    } finally {
      store.close();
    }
  });

  it('records a channel as an account even when every post names its author', () => {
    const posts: RawPost[] = [];
    const accounts: RawAccount[] = [];
    const sink: RowSink = {
      post: (p) => posts.push(p),
      account: (a) => accounts.push(a),
      reject: () => {},
      warn: () => {},
    };
    const ctx = {
      platform: undefined,
      zone: zoneResolver(undefined),
      options: {},
      occurrence: (k: string) => k,
    };
    // An older export of a channel with signatures: the post's from_id is the author, not the channel.
    telegram.value!(ctx)(
      {
        id: 5,
        type: 'message',
        date: '2019-05-01T08:00:00',
        from: 'Author (test)',
        from_id: 5550004,
        text: 'hi',
      },
      3,
      sink,
      { name: 'Signed Test Channel', type: 'private_channel', id: 1700000004 },
    );
    expect(posts.map((p) => [p.postId, p.accountId])).toEqual([['1700000004/5', 'user5550004']]);
    expect(accounts.map((a) => [a.accountId, a.displayName])).toEqual([
      ['user5550004', 'Author (test)'],
      ['channel1700000004', 'Signed Test Channel'],
    ]);
  });

  it('reads old exports with only the local `date`, counting the zone-less warning', async () => {
    const { store, report } = await ingestInto(tmp.dir, OLD, {}, 'old-utc.duckdb');
    try {
      expect(report).toMatchObject({ format: 'telegram', rowsRead: 3, rowsStored: 3, rowsRejected: 0 });
      const codes = Object.fromEntries(report.warnings.map((w) => [w.code, w.count]));
      expect(codes).toEqual({ 'zoneless-time': 3, 'skipped-service': 1 });
      const posts = byId(await store.all<Row>(`SELECT * FROM posts`));
      const first = posts.get('1300000001/10')!;
      expect(iso(first)).toBe('2019-03-01T12:00:00.000Z');
      // Numeric from_id of pre-2021 exports: a user id, or a peer id with the kind in the high bits.
      expect(first).toMatchObject({
        account_id: 'user1234567',
        // No entity parts in a plain-string text: found in the text itself.
        urls: ['https://example.com/a'],
        hashtags: ['rally'],
      });
      expect(posts.get('1300000001/11')).toMatchObject({
        account_id: 'user7654321',
        kind: 'reply',
        reply_to_post_id: '1300000001/10',
        text: 'see example.com/b and ask @someone_test',
        urls: ['https://example.com/b'],
        mentions: ['someone_test'],
      });
      // A supergroup message with no sender is the group's own (anonymous admins, pre-2020 exports).
      expect(posts.get('1300000001/13')).toMatchObject({ account_id: 'channel1300000001' });
      const accounts = await store.all<Row>(
        `SELECT account_id, display_name FROM accounts ORDER BY account_id`,
      );
      expect(accounts).toEqual([
        { account_id: 'channel1300000001', display_name: 'Old Test Supergroup' },
        { account_id: 'user1234567', display_name: 'Test User One' },
        { account_id: 'user7654321', display_name: 'Test User Two' },
      ]);
    } finally {
      store.close();
    }

    const shifted = await ingestInto(tmp.dir, OLD, { timezone: '+03:00' }, 'old-plus3.duckdb');
    try {
      const times = await shifted.store.all<Row>(`SELECT post_id, created_at FROM posts ORDER BY post_id`);
      expect(times.map((t) => iso(t))).toEqual([
        '2019-03-01T09:00:00.000Z',
        '2019-03-01T09:05:30.000Z',
        '2019-03-01T09:10:00.000Z',
      ]);
    } finally {
      shifted.store.close();
    }
  });

  it('reads a whole-account export: every chat in chats and left_chats', async () => {
    const { store, report } = await ingestInto(tmp.dir, FULL, {}, 'full.duckdb');
    try {
      expect(report).toMatchObject({ format: 'telegram', rowsRead: 4, rowsStored: 4, rowsRejected: 0 });
      expect(reconciles(report)).toBe(true);
      const posts = await store.all<Row>(
        `SELECT post_id, account_id, kind, reply_to_post_id, urls, text FROM posts ORDER BY post_id`,
      );
      expect(posts).toEqual([
        {
          post_id: '1700000003/1',
          account_id: 'channel1700000003',
          kind: 'post',
          reply_to_post_id: null,
          urls: [],
          text: 'Welcome',
        },
        {
          post_id: '4400000001/8',
          account_id: 'user5550002',
          kind: 'post',
          reply_to_post_id: null,
          urls: [],
          text: 'مرحبا بالجميع في المجموعة التجريبية',
        },
        {
          post_id: '5550002/100',
          account_id: 'user5550002',
          kind: 'post',
          reply_to_post_id: null,
          urls: ['https://example.net/n1'],
          text: 'Did you see the news? https://example.net/n1',
        },
        {
          post_id: '5550002/101',
          account_id: 'user5550009',
          kind: 'reply',
          reply_to_post_id: '5550002/100',
          urls: [],
          text: 'Yes',
        },
      ]);
      const accounts = await store.all<Row>(
        `SELECT account_id, display_name FROM accounts ORDER BY account_id`,
      );
      expect(accounts).toEqual([
        { account_id: 'channel1700000003', display_name: 'Left Test Channel' },
        { account_id: 'user5550002', display_name: 'Test Friend' },
        { account_id: 'user5550009', display_name: 'Test Person' },
      ]);
    } finally {
      store.close();
    }
  });

  it('keeps bad messages aside with a reason', async () => {
    const { store, report } = await ingestInto(tmp.dir, BAD, {}, 'bad.duckdb');
    try {
      expect(report).toMatchObject({ rowsRead: 5, rowsStored: 1, rowsRejected: 4 });
      expect(reconciles(report)).toBe(true);
      const reasons = (await store.all<{ reason: string }>(`SELECT reason FROM rejects ORDER BY line`)).map(
        (r) => r.reason,
      );
      expect(reasons).toEqual([
        'message without id',
        'unsupported message: the export holds only its id',
        'unreadable date "yesterday"',
        'not a JSON object',
      ]);
    } finally {
      store.close();
    }
  });

  it('stores the complete messages of a truncated file and rejects the cut one', async () => {
    const text = readFileSync(CHANNEL, 'utf8');
    const cut = tmp.file('truncated.json', text.slice(0, text.indexOf('"id": 7,') + 40));
    const { store, report } = await ingestInto(tmp.dir, cut, {}, 'truncated.duckdb');
    try {
      expect(report.format).toBe('telegram');
      // Messages 2-6 are whole; message 7 is cut (kept as a reject); the unclosed document is not a
      // row of its own, so it is reported once, as the cut message, with no second reject.
      expect(report).toMatchObject({ rowsRead: 6, rowsStored: 5, rowsRejected: 1 });
      expect(reconciles(report)).toBe(true);
      const rejects = await store.all<{ reason: string; raw: string }>(
        `SELECT reason, raw FROM rejects ORDER BY line DESC`,
      );
      expect(rejects[0]!.reason).toMatch(/truncated/);
      expect(rejects[0]!.raw).toMatch(/^\{\s*"id": 7,/);
      expect(rejects).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('adds nothing when the same file is ingested again', async () => {
    const { store, report } = await ingestInto(tmp.dir, CHANNEL, {}, 'again.duckdb');
    try {
      const again = await ingestFile(store, CHANNEL);
      expect(again).toMatchObject({
        rowsRead: report.rowsRead,
        rowsStored: 0,
        rowsDuplicate: 7,
        postsNew: 0,
        accountsNew: 0,
      });
      expect(reconciles(again)).toBe(true);
      expect(await store.value<number>(`SELECT count(*) FROM posts`)).toBe(7);
    } finally {
      store.close();
    }
  });

  it('detects Telegram exports and nothing else', async () => {
    for (const file of [CHANNEL, OLD, FULL]) {
      const source = await inspectSource(file);
      expect(telegram.detect(source.head, source)).toBe(1);
    }
    const other = async (name: string, content: string) => {
      const source = await inspectSource(tmp.file(name, content));
      return telegram.detect(source.head, source);
    };
    expect(
      await other('x.json', '{"data":[{"id":"1","text":"hi","type":"message"}],"meta":{"result_count":1}}'),
    ).toBe(0);
    expect(
      await other(
        'bsky.jsonl',
        '{"did":"did:plc:test","time_us":1,"kind":"commit","commit":{"type":"public_channel"}}\n',
      ),
    ).toBe(0);
    expect(await other('posts.csv', 'id,type,messages\n1,public_channel,x\n')).toBe(0);
  });
});
