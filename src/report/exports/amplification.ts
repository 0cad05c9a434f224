/**
 * Amplification as CSV (formula-safe, see ../csv.ts): `amplification.csv` holds every item the run
 * measured (not only the ranked top), with its counts and shares; `amplification_series.csv` the
 * time series of the top items. Items are attacker-controlled text (tags, URLs, post text), so every
 * cell goes through csvCell. Rows leave DuckDB as large JSON strings, not value by value.
 */
import { join } from 'node:path';
import { type AmplificationResult, ITEMS_TABLE } from '../../forensics/amplification.js';
import type { Store } from '../../store/store.js';
import { type CsvValue, csvLines } from '../csv.js';
import { ensureFolder, writeFileAtomic } from './files.js';

export const AMPLIFICATION_FILES = ['amplification.csv', 'amplification_series.csv'] as const;

const ITEM_COLUMNS = [
  'kind',
  'key',
  'label',
  'posts',
  'accounts',
  'flagged_posts',
  'flagged_accounts',
  'other_posts',
  'other_accounts',
  'post_share',
  'account_share',
  'post_share_lower',
  'account_share_lower',
  'rank',
  'kind_rank',
];

const CHUNK = 100_000;

/** Every measured item, ranked ones first; text families labelled with their earliest text. */
async function itemRows(store: Store): Promise<CsvValue[][]> {
  const total = (await store.value<number>(`SELECT count(*) FROM ${ITEMS_TABLE}`)) ?? 0;
  const rows: CsvValue[][] = [];
  for (let offset = 0; offset < total; offset += CHUNK) {
    const json = await store.value<string>(
      `SELECT string_agg(j, chr(10) ORDER BY o) FROM (
         SELECT row_number() OVER (ORDER BY rank NULLS LAST, k, key) AS o,
                json_array(i.kind, i.key, CASE WHEN i.kind = 'text-family' THEN left(p.text, 120) END,
                  i.posts, i.accounts, i.flagged_posts, i.flagged_accounts, i.other_posts, i.other_accounts,
                  i.post_share, i.account_share, i.post_share_lower, i.account_share_lower, i.rank, i.kind_rank)::VARCHAR AS j
         FROM ${ITEMS_TABLE} i
         LEFT JOIN (SELECT rowid AS r, text FROM posts) p
           ON i.kind = 'text-family' AND p.r = TRY_CAST(i.key AS BIGINT)
         ORDER BY o LIMIT ${CHUNK} OFFSET ${offset})`,
    );
    for (const line of (json ?? '').split('\n')) if (line) rows.push(JSON.parse(line) as CsvValue[]);
  }
  return rows;
}

/** Writes the two files into `dir`; the items table of the last `amplification` call must be there. */
export async function writeAmplificationCsv(
  store: Store,
  result: AmplificationResult,
  dir: string,
): Promise<string[]> {
  ensureFolder(dir);
  const items = await itemRows(store);
  const series = result.items.flatMap((i) =>
    i.series.map((p) => [i.kind, i.key, p.t, p.posts, p.flaggedPosts, p.posts - p.flaggedPosts]),
  );
  return [
    writeFileAtomic(join(dir, AMPLIFICATION_FILES[0]), csvLines(ITEM_COLUMNS, items)),
    writeFileAtomic(
      join(dir, AMPLIFICATION_FILES[1]),
      csvLines(
        ['kind', 'key', `${result.parameters.bucket}_start`, 'posts', 'flagged_posts', 'other_posts'],
        series,
      ),
    ),
  ];
}
