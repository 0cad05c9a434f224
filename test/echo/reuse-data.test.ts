/**
 * The lexical tier against public labelled data (../shared/data/, see its README):
 *
 * - Clough & Stevenson (2011), "Developing a corpus of plagiarised short answers" (Language Resources
 *   and Evaluation 45): 95 answers written by cutting and pasting from a Wikipedia source, lightly or
 *   heavily revising it, or without it. The reuse score of each answer against its source must order
 *   cut > light > heavy > non on average, and separate reuse from non-reuse (AUC). Measured: mean
 *   reuse 0.582 / 0.499 / 0.314 / 0.040, AUC (any reuse vs none) 0.977. Some "cut" answers were
 *   pasted from other parts of the Wikipedia article than the source given, which no score can see.
 * - CLEF-2020 CheckThat! Task 2 (Shaar et al. 2020): rank 10,375 fact-checked claims for each tweet.
 *   Measured with BM25 over words and in-word 4-grams (rank.ts): MRR 0.874 / P@1 0.831 on train,
 *   MRR 0.838 / P@1 0.777 on dev. The organisers' Elasticsearch baseline scored about 0.61 MAP@5 on
 *   test; the best BERT-based system about 0.93.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTexts } from '../../src/echo/lexical.js';
import { RankIndex } from '../../src/echo/rank.js';
import { SHARED } from '../helpers/store.js';

const jsonl = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

const CS = join(SHARED, 'text_reuse_clough_stevenson', 'clough_stevenson_short_answers.jsonl');
const CLEF = join(SHARED, 'claim_matching');

describe.skipIf(!existsSync(CS))('Clough & Stevenson short answers', () => {
  it('orders the reuse score cut > light > heavy > none and separates reuse from none', () => {
    const rows = jsonl<{ file: string; category: string; source_file: string; text: string }>(CS);
    const sources = new Map(rows.filter((r) => r.category === 'orig').map((r) => [r.file, r.text]));
    const scores: Record<string, number[]> = { cut: [], light: [], heavy: [], non: [] };
    for (const r of rows) {
      if (r.category === 'orig') continue;
      scores[r.category]!.push(compareTexts(r.text, sources.get(r.source_file)!)?.reuse ?? 0);
    }
    expect(Object.values(scores).map((s) => s.length)).toEqual([19, 19, 19, 38]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [cut, light, heavy, non] = ['cut', 'light', 'heavy', 'non'].map((k) => mean(scores[k]!));
    expect(cut).toBeGreaterThan(light!);
    expect(light).toBeGreaterThan(heavy!);
    expect(heavy).toBeGreaterThan(non!);
    const reuse = [...scores.cut!, ...scores.light!, ...scores.heavy!];
    let wins = 0;
    for (const p of reuse) for (const q of scores.non!) wins += p > q ? 1 : p === q ? 0.5 : 0;
    const auc = wins / (reuse.length * scores.non!.length);
    expect(auc).toBeGreaterThan(0.95);
    console.log(
      `Clough-Stevenson: mean reuse cut ${cut!.toFixed(3)}, light ${light!.toFixed(3)}, heavy ${heavy!.toFixed(3)}, non ${non!.toFixed(3)}; AUC ${auc.toFixed(3)}`,
    );
  });
});

describe.skipIf(!existsSync(join(CLEF, 'clef2020_verified_claims.jsonl')))('CLEF-2020 claim matching', () => {
  const claims = jsonl<{ vclaim_id: string; vclaim: string; title: string }>(
    join(CLEF, 'clef2020_verified_claims.jsonl'),
  );
  const index = new RankIndex(claims.map((c) => `${c.vclaim} ${c.title}`));
  const evaluate = (file: string) => {
    const tweets = jsonl<{ text: string; relevant_vclaim_ids: string[] }>(join(CLEF, file));
    let rr = 0;
    let p1 = 0;
    for (const t of tweets) {
      const relevant = new Set(t.relevant_vclaim_ids);
      const rank = index.rank(t.text).findIndex((r) => relevant.has(claims[r.unit]!.vclaim_id));
      if (rank >= 0) rr += 1 / (rank + 1);
      if (rank === 0) p1++;
    }
    return { mrr: rr / tweets.length, p1: p1 / tweets.length, n: tweets.length };
  };

  it('ranks the verified claims for each tweet: MRR at least 0.75 on dev', () => {
    expect(claims).toHaveLength(10_375);
    const dev = evaluate('clef2020_tweets_dev.jsonl');
    const train = evaluate('clef2020_tweets_train.jsonl');
    console.log(
      `CLEF-2020: train MRR ${train.mrr.toFixed(3)} P@1 ${train.p1.toFixed(3)} (${train.n}); dev MRR ${dev.mrr.toFixed(3)} P@1 ${dev.p1.toFixed(3)} (${dev.n})`,
    );
    expect(dev.n).toBe(197);
    expect(dev.mrr).toBeGreaterThanOrEqual(0.75);
    expect(train.mrr).toBeGreaterThanOrEqual(0.8);
    expect(dev.p1).toBeGreaterThanOrEqual(0.7);
  });
});
