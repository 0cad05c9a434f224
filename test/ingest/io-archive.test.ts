import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'io-archive-sample.csv');

describe('X information-operations archive CSV', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());

  it('maps rows to canonical posts, keeps bad rows aside and reconciles', async () => {
    const { store, report } = await ingestInto(tmp.dir, FIXTURE);
    try {
      expect(report.format).toBe('io-archive');
      expect(report).toMatchObject({
        rowsRead: 7,
        rowsStored: 4,
        rowsDuplicate: 1,
        rowsRejected: 2,
        postsNew: 4,
      });
      expect(reconciles(report)).toBe(true);
      // tweet_time is documented UTC: no zone-less warning for this format.
      expect(report.warnings.map((w) => w.code)).not.toContain('zoneless-time');

      const posts = await store.all<Record<string, unknown>>(`SELECT * FROM posts ORDER BY post_id`);
      const [p1, rt, reply, quote] = posts;
      expect(p1).toMatchObject({
        platform: 'twitter',
        account_id: '2200000001',
        kind: 'post',
        lang: 'fa',
        hashtags: ['ایران_قوی'],
        urls: ['https://example.com/a?id=7'],
        domains: ['example.com'],
      });
      expect((p1!.created_at as Date).toISOString()).toBe('2019-02-15T13:20:00.000Z');
      expect(JSON.parse(p1!.extra as string)).toMatchObject({ like_count: 12, retweet_count: 3 });
      // Retweet: shared object, hashtags case-folded, shortener flagged, multi-line text intact.
      expect(rt).toMatchObject({
        kind: 'repost',
        ref_post_id: '1000999999999999999',
        ref_account_id: '55667788',
        hashtags: ['breaking', 'news'],
        short_urls: ['https://bit.ly/3abc'],
      });
      expect(rt!.text).toBe('RT @news_daily: Breaking: "big" news, read it\nhere https://t.co/xyz');
      expect(reply).toMatchObject({
        kind: 'reply',
        reply_to_post_id: '1001000000000000001',
        reply_to_account_id: '2200000001',
        mentions: ['2200000001'],
      });
      expect(quote).toMatchObject({
        kind: 'quote',
        ref_post_id: '1000999999999999998',
        urls: ['https://x.com/x/status/1'],
        hashtags: ["it's", 'kochfarms'],
      });

      const accounts = await store.all<Record<string, unknown>>(`SELECT * FROM accounts ORDER BY account_id`);
      expect(accounts).toHaveLength(2);
      expect(accounts[0]).toMatchObject({
        handle: 'sara_ahmadi1987',
        display_name: 'Sara Ahmadi',
        location: 'Tehran, Iran',
        followers: 1521,
        following: 310,
        lang: 'fa',
      });
      expect((accounts[0]!.created_at as Date).toISOString()).toBe('2013-05-16T00:00:00.000Z');

      const rejects = await store.all<{ line: number; reason: string; raw: string }>(
        `SELECT line, reason, raw FROM rejects ORDER BY line`,
      );
      // Physical lines: rows 2 and 6 span two lines each (a quoted newline).
      expect(rejects.map((r) => r.line)).toEqual([7, 10]);
      expect(rejects[0]!.reason).toMatch(/unreadable tweet_time/);
      expect(rejects[1]!.reason).toMatch(/expected 31 fields, found 5/);
      expect(rejects[1]!.raw).toBe('1001000000000000006,2200000003,only,a few,fields');
    } finally {
      store.close();
    }
  });

  it('adds nothing when the same file is ingested again', async () => {
    const { store } = await ingestInto(tmp.dir, FIXTURE, {}, 'again.duckdb');
    try {
      const again = await ingestFile(store, FIXTURE);
      expect(again).toMatchObject({
        rowsRead: 7,
        rowsStored: 0,
        rowsDuplicate: 5,
        rowsRejected: 2,
        postsNew: 0,
        accountsNew: 0,
      });
      expect(again.sameFileBefore).toEqual([1]);
      expect(await store.value<number>(`SELECT count(*) FROM posts`)).toBe(4);
    } finally {
      store.close();
    }
  });
});
