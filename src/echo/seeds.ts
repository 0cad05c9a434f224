/**
 * Seed texts: talking points the user gives (a slogan from a leaked order, a claim from a
 * fact-check). Their posts are found by the lexical tier itself: every distinct post text is streamed
 * past an anchor index of the seeds (anchors.ts) and aligned with the seeds it holds anchors of
 * (lexical.ts); a post whose reuse of a seed reaches the threshold belongs to it. The matches are
 * written into `text_family` with negative family ids (-1 for the first seed), so the talking points'
 * statistics are computed for seeds and families alike.
 */
import type { DuckDBBlobValue } from '@duckdb/node-api';
import { InterruptedError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { AnchorIndex, type AnchorOptions } from './anchors.js';
import { matchPair, messageView } from './lexical.js';
import { maskedText } from './text.js';

const CHUNK = 65_536;
const decoder = new TextDecoder();

/** Finds the posts that reuse each seed; adds them to `text_family`. Returns the posts matched per seed. */
export async function matchSeeds(
  store: Store,
  seeds: string[],
  minReuse: number,
  anchors: Partial<AnchorOptions>,
  signal?: AbortSignal,
): Promise<number[]> {
  const views = seeds.map(messageView);
  const index = new AnchorIndex(
    views.map((v) => v.view),
    Int32Array.from(seeds, (_, i) => i),
    { ...anchors, maxGroupDf: Number.MAX_SAFE_INTEGER },
  );
  await store.run(`CREATE OR REPLACE TEMP TABLE echo_seed_text AS
    SELECT hash(text_norm) AS h, any_value(text_norm) AS t FROM posts
    WHERE kind IN ('post', 'reply', 'quote') AND text_norm IS NOT NULL GROUP BY h`);
  const range = (
    await store.all<{ lo: string | null; hi: string | null }>(
      `SELECT min(rowid)::VARCHAR AS lo, max(rowid)::VARCHAR AS hi FROM echo_seed_text`,
    )
  )[0]!;
  const hashes: string[] = [];
  const seedOf: number[] = [];
  if (range.lo !== null) {
    for (let from = BigInt(range.lo); from <= BigInt(range.hi!); from += BigInt(CHUNK)) {
      if (signal?.aborted) throw new InterruptedError('echo tracing interrupted; nothing was kept');
      const reader = await store.connection.runAndReadAll(
        `SELECT string_agg(h::VARCHAR, ',' ORDER BY rowid) AS hs,
                encode(string_agg(replace(t, chr(10), ' '), chr(10) ORDER BY rowid)) AS ts
         FROM echo_seed_text WHERE rowid BETWEEN ${from} AND ${from + BigInt(CHUNK - 1)}`,
      );
      const [hs, ts] = reader.getColumns();
      if (!hs![0]) continue;
      const ids = String(hs![0]).split(',');
      const texts = decoder.decode((ts![0] as DuckDBBlobValue).bytes).split('\n');
      for (let i = 0; i < texts.length; i++) {
        const view = maskedText(texts[i]!);
        const candidates = index.scan(view.cps, view.length);
        let best = -1;
        let bestReuse = minReuse;
        for (const c of candidates) {
          const m = matchPair(views[c.unit]!, { text: texts[i]!, view }, c);
          if (m && m.reuse >= bestReuse) {
            bestReuse = m.reuse;
            best = c.unit;
          }
        }
        if (best >= 0) {
          hashes.push(ids[i]!);
          seedOf.push(-(best + 1));
        }
      }
    }
  }
  await store.run(`DROP TABLE IF EXISTS echo_seed_text`);
  if (hashes.length)
    await store.run(
      `INSERT INTO text_family
       SELECT p.rowid, m.family FROM posts p JOIN (
         SELECT unnest(string_split($1, ','))::UBIGINT AS h, unnest(string_split($2, ','))::BIGINT AS family) m
       ON hash(p.text_norm) = m.h
       WHERE p.kind IN ('post', 'reply', 'quote') AND p.text_norm IS NOT NULL`,
      [hashes.join(','), seedOf.join(',')],
    );
  const counts = seeds.map(() => 0);
  for (const r of await store.all<{ family: number; n: number }>(
    `SELECT family, count(*) AS n FROM text_family WHERE family < 0 GROUP BY family`,
  ))
    counts[-r.family - 1] = r.n;
  return counts;
}
