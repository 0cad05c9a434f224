/**
 * Talking points on real data: the Internet Research Agency's tweets of 2015 Q4 (FiveThirtyEight /
 * Linvill & Warren, `../shared/data/ira/`). The #KochFarms / #FoodPoisoning Thanksgiving hoax
 * (2015-11-26 .. 12-03) was a set of scripted messages posted by many accounts with small edits; its
 * texts must come out as talking-point families whose earliest observed post is the earliest post of
 * that wording in the data, to the minute (the data's resolution), and no earlier than the hoax.
 * A document quoting one of them two days later is traced back to it with that lag (the document is
 * made up for the test: the data set holds no statements).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceEchoes } from '../../src/echo/index.js';
import {
  buildTalkingPoints,
  dropTalkingPointTables,
  TALKING_POINT_DEFAULTS,
} from '../../src/echo/talking-points.js';
import type { TalkingPoint } from '../../src/echo/types.js';
import { ingestDocuments } from '../../src/ingest/documents/index.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, SHARED, scratch } from '../helpers/store.js';

const IRA = join(SHARED, 'ira', 'ira_tweets_2015Q4.csv.gz');
const present = existsSync(IRA);
if (!present) console.warn(`skipping the IRA echo test: ${IRA} is absent`);

describe.skipIf(!present)('talking points of the IRA 2015 Q4 tweets: the #KochFarms hoax', () => {
  const tmp = scratch();
  let store: Store;
  let hoax: TalkingPoint[];

  beforeAll(async () => {
    store = (await ingestInto(tmp.dir, IRA, { timezone: 'UTC' }, 'ira.duckdb')).store;
    const all = await buildTalkingPoints(store, { ...TALKING_POINT_DEFAULTS, from: 'all' }, null);
    await dropTalkingPointTables(store);
    // The hoax's messages: talking points whose earliest wording carries its hashtags. (Hoax
    // accounts also added the tags to stock greetings, "Happy Thanksgiving! ... #KochFarms": those
    // talking points are the greetings, first seen before the hoax.)
    hoax = all.filter((t) => /kochfarms|foodpoisoning/i.test(t.variants[0]!.text));
  }, 180_000);
  afterAll(() => {
    store?.close();
    tmp.cleanup();
  });

  it('finds the hoax messages as families posted by many accounts', () => {
    expect(hoax.length).toBeGreaterThanOrEqual(5);
    const big = hoax.filter((t) => t.accounts >= 5);
    expect(big.length).toBeGreaterThanOrEqual(3);
    expect(hoax.reduce((s, t) => s + t.posts, 0)).toBeGreaterThan(300);
    console.log(
      `KochFarms talking points: ${hoax.length}, largest: ${hoax
        .sort((a, b) => b.posts - a.posts)
        .slice(0, 3)
        .map(
          (t) =>
            `"${t.label.slice(0, 50)}" ${t.posts} posts, ${t.accounts} accounts, first seen ${t.firstSeen!.time.at}`,
        )
        .join('; ')}`,
    );
  });

  it('dates each family by its earliest post, to the minute, within the hoax', async () => {
    for (const t of hoax) {
      const first = t.firstSeen!;
      expect(first.time.precision).toBe('minute');
      expect(Date.parse(first.time.latest) - Date.parse(first.time.at)).toBe(59_999);
      expect(first.time.at >= '2015-11-26T22:12:00').toBe(true);
      expect(first.time.at < '2015-12-04').toBe(true);
      // The earliest wording is the first post's own text.
      expect(t.variants[0]!.firstSeen!.postId).toBe(first.postId);
    }
    // No post of any of a family's wordings is earlier than its first seen post (one query for all).
    const rows = hoax.flatMap((t) => t.variants.map((v) => [t.id, v.text, t.firstSeen!.time.at]));
    const early = await store.all<{ id: string; first: string }>(
      `WITH w AS (SELECT r[1] AS id, r[2] AS text, r[3] AS first FROM (SELECT unnest(?::VARCHAR[][]) AS r))
       SELECT w.id, w.first FROM w JOIN posts p ON p.text = w.text AND p.kind IN ('post', 'reply', 'quote')
       GROUP BY w.id, w.first HAVING strftime(min(p.created_at), '%Y-%m-%dT%H:%M:%S.%gZ') < w.first`,
      [JSON.stringify(rows)],
    );
    expect(early).toEqual([]);
    // The hoax's earliest talking point starts with its first evening (2015-11-26, from 22:12 UTC).
    const start = hoax.map((t) => t.firstSeen!.time.at).sort()[0]!;
    expect(start.slice(0, 13)).toBe('2015-11-26T22');
  });

  it('traces a later document back to the hoax message with its lag', async () => {
    const message = hoax.sort((a, b) => b.posts - a.posts)[0]!;
    const quote = message.variants[0]!.text.replace(/https?:\/\/\S+|#\w+|@\w+/g, '').trim();
    const doc = tmp.file(
      'doc.jsonl',
      `${JSON.stringify({ id: 'made-up-column', text: `A columnist wrote: ${quote}. The claim spread quickly.`, published_at: '2015-11-29T12:00:00Z', author: 'Test columnist' })}\n`,
    );
    await ingestDocuments(store, doc);
    const result = await traceEchoes(store, { from: 'all', minScore: 0.5 });
    const echo = result.echoes.find(
      (e) => e.document.docId === 'made-up-column' && e.talkingPoint === message.id,
    );
    expect(echo, `${message.label} in ${result.echoes.map((e) => e.talkingPoint).join(', ')}`).toBeDefined();
    expect(echo!.status).toBe('echo');
    expect(echo!.lag!.seconds).toBe(
      (Date.parse('2015-11-29T12:00:00Z') - Date.parse(message.firstSeen!.time.at)) / 1000,
    );
  }, 120_000);
});
