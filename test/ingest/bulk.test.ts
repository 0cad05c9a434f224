import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulate/index.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

/** Every stored column except where the row came from, in a stable order. */
async function contents(store: Store) {
  const posts = await store.all(
    `SELECT * EXCLUDE (ingest_id, source_line), extra::VARCHAR AS extra FROM posts ORDER BY platform, post_id`,
  );
  const accounts = await store.all(
    `SELECT * EXCLUDE (first_ingest_id, last_ingest_id), extra::VARCHAR AS extra FROM accounts ORDER BY platform, account_id`,
  );
  const versions = await store.all(
    `SELECT * FROM account_versions ORDER BY platform, account_id, version_key`,
  );
  return { posts, accounts, versions };
}

describe('bulk path for the X archive', () => {
  const tmp = scratch();
  let file = '';
  beforeAll(() => {
    // Persian, Arabic, Russian and English text, URLs with tracking parameters, tags in several scripts.
    file = simulate({ out: join(tmp.dir, 'sim'), format: 'io-archive', posts: 6000, seed: 11 }).files[0]!;
  });
  afterAll(() => tmp.cleanup());

  it('stores exactly what the row-by-row path stores', async () => {
    const bulk = await ingestInto(tmp.dir, file, {}, 'bulk.duckdb');
    const rows = await ingestInto(tmp.dir, file, { bulk: false }, 'rows.duckdb');
    try {
      expect(bulk.report.bulk).toBe(true);
      expect(rows.report.bulk).toBe(false);
      expect(reconciles(bulk.report)).toBe(true);
      expect(bulk.report).toMatchObject({
        rowsRead: rows.report.rowsRead,
        rowsStored: rows.report.rowsStored,
        accountsNew: rows.report.accountsNew,
      });
      const [a, b] = [await contents(bulk.store), await contents(rows.store)];
      expect(a.posts.length).toBeGreaterThan(5000);
      expect(a.posts).toEqual(b.posts);
      expect(a.accounts).toEqual(b.accounts);
      expect(a.versions).toEqual(b.versions);
    } finally {
      bulk.store.close();
      rows.store.close();
    }
  });

  it('folds texts with compatibility characters (NBSP, full-width letters) like the row-by-row path', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    // Some texts get no-break spaces and full-width letters, which need NFKC (done in TypeScript).
    const odd = lines
      .map((l, i) => (i > 0 && i % 40 === 0 ? l.replace(' the ', '\u00a0ｔｈｅ\u00a0') : l))
      .join('\n');
    const compat = tmp.file('compat.csv', odd);
    const bulk = await ingestInto(tmp.dir, compat, {}, 'compat-bulk.duckdb');
    const rows = await ingestInto(tmp.dir, compat, { bulk: false }, 'compat-rows.duckdb');
    try {
      expect(bulk.report.bulk).toBe(true);
      const folded = await bulk.store.value<number>(
        `SELECT count(*) FROM posts WHERE text LIKE '%ｔｈｅ%' AND text_norm LIKE '% the %'`,
      );
      expect(folded).toBeGreaterThan(10);
      expect((await contents(bulk.store)).posts).toEqual((await contents(rows.store)).posts);
    } finally {
      bulk.store.close();
      rows.store.close();
    }
  });

  it('falls back to the row-by-row path when a row is not clean, keeping the bad row aside', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    // Break one row's time: the bulk path cannot read it exactly, so the whole file goes row by row.
    const broken = lines
      .map((l, i) => (i === 7 ? l.replace(/,2024-06-\d\d \d\d:\d\d,/, ',yesterday,') : l))
      .join('\n');
    const dirty = tmp.file('dirty.csv', broken);
    const { store, report } = await ingestInto(tmp.dir, dirty, {}, 'dirty.duckdb');
    try {
      expect(report.bulk).toBe(false);
      expect(report.rowsRejected).toBe(1);
      expect(reconciles(report)).toBe(true);
      const [reject] = await store.all<{ line: number; reason: string }>(`SELECT line, reason FROM rejects`);
      expect(reject!.reason).toMatch(/unreadable tweet_time "yesterday"/);
      expect(await store.value(`SELECT message FROM ingests`)).toMatch(/^read row by row: /);
    } finally {
      store.close();
    }
  });
});
