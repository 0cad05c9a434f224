/**
 * Detection on real data: the Internet Research Agency's tweets of 2015 Q4 (FiveThirtyEight /
 * Linvill & Warren, `../shared/data/ira/`, see its README). Every account there is a troll, so there
 * is no organic control; what can be checked is that a known operation comes out whole. The
 * #KochFarms / #FoodPoisoning Thanksgiving hoax: the accounts posting either hashtag from 2015-11-26
 * to 2015-12-03 (158 of them) must mostly fall in one cluster.
 *
 * The whole file is read (294,656 tweets: ~16 s to ingest, ~4 s to detect on 2 cores). Measured:
 * 157 of the 158 hoax accounts flagged; the largest share in one cluster 111 (70%), a cluster of
 * 118 accounts bound 99% by shared-hashtag co-actions, 111 of its members hoax accounts; the rest of
 * the hoax accounts in clusters of 199, 50 and 19 accounts (21, 6 and 19 of them).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/index.js';
import type { DetectionResult } from '../../src/detect/types.js';
import { type AccountSet, fingerprint } from '../../src/forensics/index.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, SHARED, scratch } from '../helpers/store.js';

const IRA = join(SHARED, 'ira', 'ira_tweets_2015Q4.csv.gz');
const present = existsSync(IRA);
const title = 'the IRA 2015 Q4 tweets: the #KochFarms hoax';
if (!present)
  console.warn(`skipping "${title}": ${IRA} is absent (the shared data sets live beside the checkout)`);

describe.skipIf(!present)(title, () => {
  const tmp = scratch();
  let store: Store;
  let result: DetectionResult;
  let hoax: Set<string>;

  beforeAll(async () => {
    store = (await ingestInto(tmp.dir, IRA, { timezone: 'UTC' }, 'ira.duckdb')).store;
    result = await detect(store);
    const rows = await store.all<{ account_id: string }>(
      `SELECT DISTINCT account_id FROM posts
       WHERE created_at >= TIMESTAMP '2015-11-26' AND created_at < TIMESTAMP '2015-12-04'
         AND list_has_any(hashtags, ['kochfarms', 'foodpoisoning'])`,
    );
    hoax = new Set(rows.map((r) => r.account_id));
  }, 120_000);
  afterAll(() => {
    store?.close();
    tmp.cleanup();
  });

  it('puts most of the hoax accounts in one cluster, bound by the hashtags', () => {
    expect(hoax.size, 'the hoax accounts, as the data README counts them').toBe(158);
    const shares = result.clusters
      .map((c) => ({ c, n: c.accounts.filter((a) => hoax.has(a)).length }))
      .sort((a, b) => b.n - a.n);
    const best = shares[0]!;
    const summary = shares
      .filter((s) => s.n)
      .map((s) => `${s.c.id}: ${s.n} of ${s.c.size}`)
      .join(', ');
    expect(best.n / hoax.size, summary).toBeGreaterThanOrEqual(0.6);
    // The cluster is the hoax, not a larger net that happens to hold it (measured 111 of 118).
    expect(best.n / best.c.size, summary).toBeGreaterThanOrEqual(0.8);
    expect(best.c.signals[0]!.signal).toBe('shared-hashtag');
    expect(best.c.confidence).not.toBe('low');
    // Nearly all hoax accounts are flagged somewhere (measured 157).
    const flagged = new Set(result.clusters.flatMap((c) => c.accounts));
    expect([...hoax].filter((a) => flagged.has(a)).length / hoax.size).toBeGreaterThanOrEqual(0.9);
  });

  it('shows the hoax hashtags in the evidence and states the minute resolution', () => {
    const best = result.clusters.reduce((a, c) =>
      c.accounts.filter((x) => hoax.has(x)).length > a.accounts.filter((x) => hoax.has(x)).length ? c : a,
    );
    const objects = best.evidence.filter((e) => e.signal === 'shared-hashtag').map((e) => e.object);
    expect(
      objects.some((o) => o === 'kochfarms' || o === 'foodpoisoning'),
      objects.join(', '),
    ).toBe(true);
    expect(result.data.timeResolution).toBe('minute');
    for (const s of Object.values(result.params.signals)) expect(s.window).toBeGreaterThanOrEqual(60);
    expect(result.limits.some((l) => l.includes('minute resolution'))).toBe(true);
  });

  // Issue 4: the operators' time zone from the rhythm of the Russian- and English-language clusters
  // (clusters with at least 60% of their posts in one language, pooled). The data's times are read
  // as UTC (the publishers do not say; docs/forensics/rhythm.md discusses it). Measured: Russian
  // UTC+02:15 (95% interval +00:45..+04:00; Saint Petersburg is +03:00), English UTC-04:30
  // (-06:15..-02:45: a US schedule); neither shows an office-hours week (shifts ran every day).
  it('places the Russian-language clusters near Saint Petersburg and the English ones on US time', async () => {
    const lang = await store.all<{ id: string; lang: string; share: number }>(
      `WITH m AS (SELECT unnest(CAST(? AS VARCHAR[][])) AS r)
       SELECT r[1] AS id, lang, count(*) / sum(count(*)) OVER (PARTITION BY r[1]) AS share
       FROM m JOIN posts ON posts.account_id = r[2] GROUP BY r[1], lang QUALIFY row_number() OVER (PARTITION BY r[1] ORDER BY count(*) DESC) = 1`,
      [JSON.stringify(result.clusters.flatMap((c) => c.accounts.map((a) => [c.id, a])))],
    );
    const pooled = (code: string): AccountSet => ({
      id: code,
      accounts: result.clusters
        .filter((c) => lang.some((l) => l.id === c.id && l.lang === code && l.share >= 0.6))
        .flatMap((c) => c.members.map((m) => ({ platform: m.platform, accountId: m.accountId }))),
    });
    const sets = [pooled('ru'), pooled('en')];
    for (const s of sets) expect(s.accounts.length, s.id).toBeGreaterThan(100);
    const f = await fingerprint(store, sets);
    const ru = f.sets.get('ru')!.rhythm;
    const en = f.sets.get('en')!.rhythm;
    expect(ru.offset.interval![0]).toBeLessThanOrEqual(180);
    expect(ru.offset.interval![1]).toBeGreaterThanOrEqual(180);
    expect(en.offset.interval![1]).toBeLessThan(0);
    expect(ru.officeHours.verdict).toBe('not office hours');
  });
});
