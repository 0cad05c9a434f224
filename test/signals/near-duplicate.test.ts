import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { normalizeText } from '../../src/ingest/normalize/text.js';
import { resolveOptions } from '../../src/signals/index.js';
import {
  buildTextFamilies,
  MIN_THRESHOLD,
  TEXT_FAMILY_DEFAULTS,
  type TextFamilyStats,
} from '../../src/signals/near-duplicate/families.js';
import {
  BAND_RECALL,
  BandScanner,
  bandPositions,
  candidateProbability,
  chooseBands,
  clusterSketches,
  falsePositiveArea,
  MAX_POSITION_USES,
  recallPoint,
  UnionFind,
} from '../../src/signals/near-duplicate/lsh.js';
import {
  COPIES,
  estimateJaccard,
  estimateJaccardBits,
  OnePermutationHasher,
} from '../../src/signals/near-duplicate/minhash.js';
import {
  fmix32,
  jaccard,
  maskText,
  maskUtf8,
  shingleHashes,
  shingleSet,
} from '../../src/signals/near-duplicate/shingles.js';
import { nearDuplicate } from '../../src/signals/near-duplicate.js';
import { simulate } from '../../src/simulate/index.js';
import { GLUE, OP_MESSAGES, SWARM_REPLIES, WORDS } from '../../src/simulate/lexicon.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, scratch } from '../helpers/store.js';

/** The masked form of a raw text, after the ingest's normalisation. */
const masked = (raw: string) => maskText(normalizeText(raw) ?? '');

/** A deterministic generator (xorshift32) for the statistical tests. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Code points of the masked text, as the sketches see them. */
function codePoints(text: string): Uint32Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint32Array(bytes.length);
  return out.slice(0, maskUtf8(bytes, 0, bytes.length, out));
}

/** A random sentence from the simulator's English vocabulary. */
function sentence(next: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const pool = next() < 0.45 ? GLUE.en : WORDS.en;
    out.push(pool[Math.floor(next() * pool.length)]!);
  }
  return out.join(' ');
}

describe('masking', () => {
  it('removes links, mentions, punctuation, symbols and emoji, and keeps hashtag words and digits', () => {
    expect(masked('Read THIS: https://www.site.example/a?b=c now!! 🔥')).toBe('readthisnow');
    expect(masked('visit www.site.example/x today')).toBe('visittoday');
    expect(masked('www.site.example first')).toBe('first');
    expect(masked('see:https://x.example/y')).toBe('see');
    expect(masked('@user_1 @Ali_Reza hello, world')).toBe('helloworld');
    expect(masked('#SaveOurParks in 2024 — 100% ✅')).toBe('saveourparksin2024100');
    expect(masked('the www team')).toBe('thewwwteam');
    expect(masked('ratio 3:2 and a:b')).toBe('ratio32andab');
  });

  it('keeps the letters of every script', () => {
    expect(masked('¡Acabo de firmar la petición!')).toBe('acabodefirmarlapeticion');
    expect(masked('Я подписал петицию.')).toBe('яподписалпетицию');
    expect(masked('لقد وقعت على العريضة!')).toBe('لقدوقعتعلیالعریضه');
    expect(masked('#آزادی برای همه')).toBe('ازادیبرایهمه'); // madda folded at ingest (آ -> ا)
    expect(masked('@علی_رضا سلام')).toBe('سلام');
    expect(masked('日本語のテキスト')).toBe('日本語のテキスト');
  });

  it('makes keyboard variants of Persian and Arabic and ZWNJ-or-space spellings the same text', () => {
    expect(masked('رسانه‌ها این را نمی‌گویند')).toBe(masked('رسانه ها اين را نمي گويند'));
    expect(masked('کتاب یکی')).toBe(masked('كتاب يكي'));
    expect(masked('من حق الناس أن يعرفوا الحقيقة')).toBe(masked('من حق الناس ان يعرفوا الحقيقه'));
  });

  it('decodes UTF-8 as the string path does, skipping invalid bytes', () => {
    const bytes = new Uint8Array([
      0x61, 0xff, 0x62, 0xd0, 0xaf, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x94, 0xa5, 0x63,
    ]);
    const out = new Uint32Array(bytes.length);
    const n = maskUtf8(bytes, 0, bytes.length, out);
    expect(String.fromCodePoint(...out.subarray(0, n))).toBe('abЯc'); // € and 🔥 are symbols
  });
});

describe('shingles', () => {
  it('hashes every run of k code points, equal runs alike', () => {
    const cps = codePoints('abcdeXabcde');
    const out = new Uint32Array(cps.length);
    expect(shingleHashes(cps, cps.length, 5, 1, out)).toBe(7);
    expect(out[0]).toBe(out[6]);
    expect(new Set(out.subarray(0, 7)).size).toBe(6);
    const other = new Uint32Array(cps.length);
    shingleHashes(cps, cps.length, 5, 2, other);
    expect(other[0]).not.toBe(out[0]); // seeded
    expect(shingleHashes(codePoints('abc'), 3, 5, 1, out)).toBe(1); // shorter than k: one shingle
  });
});

describe('MinHash sketches', () => {
  /** Pairs of real-looking texts whose exact Jaccard similarity spreads over 0..1. */
  function pairs(count: number, seed: number): [string, string][] {
    const next = rng(seed);
    return Array.from({ length: count }, () => {
      const a = sentence(next, 6 + Math.floor(next() * 20)).split(' ');
      const keep = next();
      const b = a.map((w) => (next() < keep ? w : sentence(next, 1)));
      return [a.join(' '), b.join(' ')];
    });
  }

  it('estimates the exact Jaccard similarity of the shingle sets, full and b-bit', () => {
    const K = 64;
    const hasher = new OnePermutationHasher(K, 7);
    const full = [new Uint32Array(K), new Uint32Array(K)];
    const bits = [new Uint8Array(K), new Uint8Array(K)];
    const errors: number[] = [];
    const bitErrors: number[] = [];
    for (const [a, b] of pairs(400, 11)) {
      const exact = jaccard(shingleSet(a, 5, 7), shingleSet(b, 5, 7));
      [a, b].forEach((text, i) => {
        const set = Uint32Array.from(shingleSet(text, 5, 7));
        hasher.sketch(set, set.length, full[i]!);
        hasher.sketchBits(set, set.length, bits[i]!);
      });
      errors.push(estimateJaccard(full[0]!, 0, full[1]!, 0, K) - exact);
      bitErrors.push(estimateJaccardBits(bits[0]!, 0, bits[1]!, 0, K) - exact);
    }
    for (const e of [errors, bitErrors]) {
      const mean = e.reduce((s, x) => s + x, 0) / e.length;
      const meanAbs = e.reduce((s, x) => s + Math.abs(x), 0) / e.length;
      expect(Math.abs(mean)).toBeLessThan(0.015); // unbiased
      expect(meanAbs).toBeLessThan(0.06); // sd about sqrt(J(1-J)/64) <= 0.0625
      expect(Math.max(...e.map(Math.abs))).toBeLessThan(0.25);
    }
  });

  it('sketches shingles directly as it sketches their hash list', () => {
    const K = 64;
    const hasher = new OnePermutationHasher(K, 3);
    for (const [a] of pairs(50, 5)) {
      const cps = codePoints(a);
      const hashes = new Uint32Array(Math.max(1, cps.length));
      const n = shingleHashes(cps, cps.length, 5, 3, hashes);
      const viaList = new Uint8Array(K);
      const direct = new Uint8Array(K);
      hasher.sketchBits(hashes, n, viaList);
      hasher.sketchShinglesBits(cps, cps.length, 5, 3, direct);
      expect(direct).toEqual(viaList);
    }
  });

  it('fills every position of a short text (densification)', () => {
    const hasher = new OnePermutationHasher(64, 1);
    const out = new Uint32Array(64);
    hasher.sketch(Uint32Array.from([1, 2, 3]), 3, out);
    expect(new Set(out).size).toBeLessThanOrEqual(3 * COPIES); // each element enters COPIES times
    expect(out.every((v) => v !== 0x7fffffff)).toBe(true);
  });
});

describe('LSH banding', () => {
  it('chooses the cheapest bands that make pairs 0.1 above the threshold candidates 98% of the time', () => {
    const K = TEXT_FAMILY_DEFAULTS.permutations;
    const chosen = chooseBands(0.5, K);
    expect(chosen).toEqual({ bands: 49, rows: 5 });
    expect(candidateProbability(0.6, chosen.bands, chosen.rows)).toBeGreaterThanOrEqual(BAND_RECALL);
    // No other split reaching the target (each position used at most twice) has fewer false positives.
    const area = falsePositiveArea(0.5, chosen.bands, chosen.rows);
    for (let r = 1; r <= K; r++)
      for (let b = 1; b * r <= MAX_POSITION_USES * K; b++)
        if (candidateProbability(recallPoint(0.5), b, r) >= BAND_RECALL)
          expect(falsePositiveArea(0.5, b, r)).toBeGreaterThanOrEqual(area - 1e-12);
    // datasketch's equal weights centre the S-curve on the threshold: a pair 0.1 above it is
    // missed one time in seven with 64 positions.
    expect(candidateProbability(0.6, 14, 4)).toBeLessThan(0.87);
    // Higher thresholds ask more of a band; at 1 only identical sketches meet.
    expect(chooseBands(0.8, K).rows).toBeGreaterThan(chosen.rows);
    expect(chooseBands(1, K)).toEqual({ bands: 1, rows: K });
    expect(recallPoint(0.95)).toBeCloseTo(0.975);
  });

  it('lays bands out in rounds: disjoint within a round, the same for the same seed', () => {
    const positions = bandPositions(49, 5, 128, 1);
    expect(positions).toEqual(bandPositions(49, 5, 128, 1));
    expect(positions).not.toEqual(bandPositions(49, 5, 128, 2));
    expect([...positions.subarray(0, 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const round of [0, 1]) {
      const used = positions.subarray(round * 25 * 5, (round + 1) * 25 * 5);
      expect(new Set(used).size).toBe(used.length);
      expect(Math.max(...used)).toBeLessThan(128);
    }
  });

  it('makes pairs candidates as often as the S-curve says, overlapping bands included', () => {
    const K = TEXT_FAMILY_DEFAULTS.permutations;
    const { bands, rows } = chooseBands(0.5, K);
    const positions = bandPositions(bands, rows, K, 1);
    const hasher = new OnePermutationHasher(K, 9);
    const next = rng(3);
    const a = new Uint8Array(K);
    const b = new Uint8Array(K);
    for (const s of [0.3, 0.45, 0.6, 0.75]) {
      let hits = 0;
      const trials = 800;
      for (let t = 0; t < trials; t++) {
        // Two sets of 120 elements with Jaccard similarity s.
        const shared = Math.round((240 * s) / (1 + s));
        const common = Array.from({ length: shared }, () => (next() * 2 ** 32) >>> 0);
        const x = Uint32Array.from([
          ...common,
          ...Array.from({ length: 120 - shared }, () => (next() * 2 ** 32) >>> 0),
        ]);
        const y = Uint32Array.from([
          ...common,
          ...Array.from({ length: 120 - shared }, () => (next() * 2 ** 32) >>> 0),
        ]);
        hasher.sketchBits(x, x.length, a);
        hasher.sketchBits(y, y.length, b);
        let candidate = false;
        for (let band = 0; band < bands && !candidate; band++) {
          let same = true;
          for (let j = band * rows; j < (band + 1) * rows; j++)
            same &&= a[positions[j]!] === b[positions[j]!];
          candidate = same;
        }
        if (candidate) hits++;
      }
      expect(Math.abs(hits / trials - candidateProbability(s, bands, rows)), `s = ${s}`).toBeLessThan(0.05);
    }
  });

  it('joins pairs 0.1 above the threshold at least 95% of the time, and pairs 0.15 below it rarely', () => {
    // Edited copies of random sentences, binned by the exact Jaccard similarity of their shingles.
    const K = TEXT_FAMILY_DEFAULTS.permutations;
    const k = TEXT_FAMILY_DEFAULTS.shingleSize;
    const next = rng(17);
    const texts: string[] = [];
    const similarity: number[] = [];
    while (texts.length < 2 * 1600) {
      const base = sentence(next, 12 + Math.floor(next() * 14));
      const target = 0.25 + next() * 0.7;
      const words = base.split(' ');
      let s = 1;
      while (s > target) {
        const at = Math.floor(next() * words.length);
        if (next() < 0.5) words[at] = sentence(next, 1);
        else words.splice(at, 0, sentence(next, 1));
        s = jaccard(shingleSet(base, k, 5), shingleSet(words.join(' '), k, 5));
      }
      texts.push(base, words.join(' '));
      similarity.push(s);
    }
    const hasher = new OnePermutationHasher(K, 1);
    const sketches = new Uint8Array(texts.length * K);
    texts.forEach((t, i) => {
      const cps = codePoints(t);
      hasher.sketchShinglesBits(cps, cps.length, k, 1, sketches, i * K);
    });
    const uf = new UnionFind(texts.length);
    const threshold = TEXT_FAMILY_DEFAULTS.threshold;
    const options = { ...chooseBands(threshold, K), threshold, representatives: 8, seed: 1 };
    clusterSketches(sketches, K, Int32Array.from(texts.keys()), options, uf);
    const rate = (lo: number, hi: number) => {
      const pairs = similarity.flatMap((s, p) => (s >= lo && s < hi ? [p] : []));
      expect(pairs.length, `pairs in [${lo}, ${hi})`).toBeGreaterThan(200);
      return pairs.filter((p) => uf.find(2 * p) === uf.find(2 * p + 1)).length / pairs.length;
    };
    const rates = [
      rate(threshold + 0.1, threshold + 0.2),
      rate(threshold + 0.2, 1),
      rate(0, threshold - 0.15),
    ];
    expect(rates[0]).toBeGreaterThanOrEqual(0.95);
    expect(rates[1]).toBeGreaterThanOrEqual(0.99);
    expect(rates[2]).toBeLessThanOrEqual(0.01);
  });

  /** Sketches that all share band 0 and are otherwise random: one big bucket of unrelated texts. */
  function bucket(n: number, K: number, seed: number): Uint8Array {
    const next = rng(seed);
    const out = new Uint8Array(n * K);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < K; j++) out[i * K + j] = j < 5 ? j : Math.floor(next() * 256);
    return out;
  }
  const options = { bands: 12, rows: 5, threshold: 0.5, representatives: 8, seed: 1 };

  it('verifies candidates before joining them, at a bounded cost per bucket', () => {
    const n = 3000;
    const K = 64;
    const uf = new UnionFind(n);
    const stats = clusterSketches(
      bucket(n, K, 2),
      K,
      Int32Array.from({ length: n }, (_, i) => i),
      options,
      uf,
    );
    expect(stats.joinedPairs).toBe(0);
    expect(stats.candidatePairs).toBeGreaterThan(0);
    expect(stats.candidatePairs).toBeLessThanOrEqual(n * options.representatives); // not n^2 / 2
    for (let i = 0; i < n; i++) expect(uf.setSize(i)).toBe(1);
  });

  it('joins near copies and gives the same sets whatever the order of the input', () => {
    const K = 64;
    const n = 400;
    const sketches = bucket(n, K, 4);
    // Ten groups of near copies: members 40 apart share 58 of 64 positions.
    for (let i = 40; i < n; i++)
      for (let j = 5; j < 59; j++) sketches[i * K + j] = sketches[(i % 40) * K + j]!;
    const partition = (order: number[]) => {
      const items = Int32Array.from(order);
      const uf = new UnionFind(n);
      clusterSketches(sketches, K, items, options, uf);
      const groups = new Map<number, number[]>();
      order.forEach((row, i) => {
        const root = items[uf.find(i)]!;
        groups.set(root, [...(groups.get(root) ?? []), row]);
      });
      return [...groups.values()].map((g) => g.sort((x, y) => x - y).join(',')).sort();
    };
    const forward = partition(Array.from({ length: n }, (_, i) => i));
    expect(forward).toHaveLength(40);
    const next = rng(8);
    const shuffled = Array.from({ length: n }, (_, i) => i).sort(() => next() - 0.5);
    expect(partition(shuffled)).toEqual(forward);
  });

  it('keys every band as the plain loop over its positions does, at every width and across blocks', () => {
    const next = rng(17);
    // More items than one key block, rows of random bytes with few values (so keys repeat).
    const n = 1500;
    for (const K of [64, 128]) {
      const sketches = Uint8Array.from({ length: n * K }, () => Math.floor(next() * 4));
      const items = Int32Array.from({ length: n }, (_, i) => (i * 7) % n);
      const widths = new Set<number>();
      for (const threshold of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
        const options = { ...chooseBands(threshold, K), threshold, representatives: 8, seed: 5 };
        widths.add(options.rows);
        const positions = bandPositions(options.bands, options.rows, K, options.seed);
        const scanner = new BandScanner(sketches, K, items, options) as unknown as {
          bandKeys(bands: number[]): void;
          groupKeys: Uint32Array;
        };
        const bands = [0, 1, options.bands - 1].filter((b, i, all) => all.indexOf(b) === i);
        scanner.bandKeys(bands);
        bands.forEach((band, b) => {
          const seed = fmix32(options.seed ^ Math.imul(band + 1, 0x9e3779b1));
          for (let i = 0; i < n; i++) {
            let h = seed;
            for (let j = 0; j < options.rows; j++)
              h = Math.imul(h ^ sketches[items[i]! * K + positions[band * options.rows + j]!]!, 0x01000193);
            expect(scanner.groupKeys[b * n + i], `K=${K} rows=${options.rows} band=${band} item=${i}`).toBe(
              fmix32(h),
            );
          }
        });
      }
      // Unrolled widths and longer ones alike.
      expect([...widths].some((w) => w <= 8) && [...widths].some((w) => w > 8)).toBe(true);
    }
  });

  it('finds the same pairs however the bands are split between scanners (threads)', () => {
    const K = TEXT_FAMILY_DEFAULTS.permutations;
    const next = rng(31);
    const texts: string[] = [];
    for (let i = 0; i < 300; i++) {
      const base = sentence(next, 10 + Math.floor(next() * 10));
      texts.push(base, `${base} ${sentence(next, 1 + Math.floor(next() * 3))}`, sentence(next, 15));
    }
    const hasher = new OnePermutationHasher(K, 1);
    const sketches = new Uint8Array(texts.length * K);
    texts.forEach((t, i) => {
      const cps = codePoints(t);
      hasher.sketchShinglesBits(cps, cps.length, 5, 1, sketches, i * K);
    });
    const items = Int32Array.from(texts.keys());
    const options = { ...chooseBands(0.5, K), threshold: 0.5, representatives: 8, seed: 1 };
    const run = (bands: number[]) => {
      const pairs: string[] = [];
      let compared = 0;
      new BandScanner(sketches, K, items, options).scan(
        bands,
        (a, b) => pairs.push(`${a}-${b}`),
        (_, c) => {
          compared += c;
        },
      );
      return { pairs, compared };
    };
    const all = Array.from({ length: options.bands }, (_, b) => b);
    const whole = run(all);
    const even = run(all.filter((b) => b % 2 === 0));
    const odd = run(all.filter((b) => b % 2 === 1));
    expect(whole.pairs.length).toBeGreaterThan(300);
    expect([...even.pairs, ...odd.pairs].sort()).toEqual([...whole.pairs].sort());
    expect(even.compared + odd.compared).toBe(whole.compared);
  });
});

/** A coordination-network-toolkit CSV (the simplest format that carries kinds) for small corpora. */
function cntCsv(posts: { id: string; user: string; text: string; repost?: string; t?: number }[]): string {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const lines = posts.map((p, i) =>
    [p.id, p.user, p.user, p.repost ?? '', '', q(p.text), String(1_717_400_000 + (p.t ?? i * 60)), ''].join(
      ',',
    ),
  );
  return ['message_id,user_id,username,repost_id,reply_id,message,timestamp,urls', ...lines].join('\n');
}

async function familiesOf(store: Store): Promise<Map<string, string>> {
  const rows = await store.all<{ post_id: string; family: number | string }>(
    `SELECT p.post_id, f.family FROM text_family f JOIN posts p ON p.rowid = f.pr`,
  );
  return new Map(rows.map((r) => [r.post_id, String(r.family)]));
}

describe('text families of a small multilingual corpus', () => {
  const dir = scratch();
  let store: Store;
  let stats: TextFamilyStats;
  let family: Map<string, string>;
  const groups: Record<string, string[]> = {
    fa: [
      'رسانه‌ها این را به شما نمی‌گویند اما آمارها دروغ نمی‌گویند #حقیقت',
      'رسانه ها اين را به شما نمي گويند اما آمارها دروغ نمي گويند #حقيقت',
      'رسانه‌ها این را به شما نمی‌گویند اما آمارها دروغ نمی‌گویند #حقیقت 🔥🔥',
      'رسانه‌ها این را به شما نمی‌گویند، اما آمارها دروغ نمی‌گویند!! #حقیقت https://t.example/x1',
      'خبرگزاری‌ها این را به شما نمی‌گویند اما آمارها دروغ نمی‌گویند #حقیقت',
    ],
    ar: [
      'من حق الناس أن يعرفوا الحقيقة حول ما يحدث في مدننا #الحقيقة',
      'من حق الناس ان يعرفوا الحقيقه حول ما يحدث في مدننا #الحقيقة',
      'من حق الشعب أن يعرفوا الحقيقة حول ما يحدث في مدننا #الحقيقة 📢',
      'من حق الناس أن يعرفوا الحقيقة حول ما يحدث في مدننا!!! #الحقيقة #عاجل',
    ],
    ru: [
      'Люди имеют право знать правду о том что происходит в наших городах',
      'люди имеют право знать правду о том, что происходит в наших городах!',
      'Граждане имеют право знать правду о том что происходит в наших городах 💪',
      'Люди имеют право знать правду о том что происходит в ншаих городах',
    ],
    es: [
      'Nuestros líderes nos vendieron y los medios los encubren otra vez',
      'nuestros lideres nos vendieron y los medios los encubren otra vez!!',
      '@vecino_1 Nuestros líderes nos vendieron y los medios los encubren otra vez',
      'Nuestros líderes nos vendieron y los medios los encubren otra vez https://x.example/a?utm_source=tw',
    ],
    en: [
      'Share this before it gets deleted, the official story is falling apart #WakeUp',
      'Share this before it gets deleted the official story is falling apart #WakeUp 😡',
      'share this  before it gets deleted, the official story is falling apart... #WakeUp',
      'Share this before it gets deleted, the offical story is falling apart #WakeUp #Truth',
      '@reporter_x Share this before it gets deleted, the official story is falling apart #WakeUp',
    ],
  };
  const next = rng(21);
  const lonely = {
    link: Array.from(
      { length: 4 },
      () => `${sentence(next, 10)} https://news.example/2024/06/03/one-long-article-slug`,
    ),
    mention: Array.from({ length: 4 }, () => `@the_same_journalist ${sentence(next, 9)}`),
    common: Array.from({ length: 6 }, () => sentence(next, 12)),
    short: ['thank you so much!', 'Thank you so much!!', 'thank you so much 🙏', 'THANK YOU SO MUCH'],
  };

  beforeAll(async () => {
    const posts: { id: string; user: string; text: string; repost?: string }[] = [];
    for (const [name, texts] of [...Object.entries(groups), ...Object.entries(lonely)])
      for (const [i, text] of texts.entries())
        posts.push({ id: `${name}${i}`, user: `${name}-user${i}`, text });
    // A repost carries the original's text: it is not the reposter's text.
    posts.push({ id: 'rt1', user: 'retweeter', text: groups.en![0]!, repost: 'en0' });
    // One account posting the same text twice is not a family.
    posts.push({
      id: 'solo1',
      user: 'solo',
      text: 'The protests are growing and the world is finally paying attention',
    });
    posts.push({
      id: 'solo2',
      user: 'solo',
      text: 'The protests are growing and the world is finally paying attention!',
    });
    const file = dir.file('posts.csv', cntCsv(posts));
    ({ store } = await ingestInto(dir.dir, file, { format: 'cnt' }));
    stats = await buildTextFamilies(store, TEXT_FAMILY_DEFAULTS);
    family = await familiesOf(store);
  });
  afterAll(() => {
    store.close();
    dir.cleanup();
  });

  it('puts the edited copies of each language in one family, named by its earliest post', async () => {
    for (const [lang, texts] of Object.entries(groups)) {
      const ids = texts.map((_, i) => `${lang}${i}`);
      expect(new Set(ids.map((id) => family.get(id))).size, lang).toBe(1);
      expect(family.get(ids[0]!), lang).toBeDefined();
      const first = await store.value(`SELECT rowid FROM posts WHERE post_id = '${lang}0'`);
      expect(family.get(ids[0]!)).toBe(String(first));
    }
    expect(stats.families).toBe(Object.keys(groups).length);
  });

  it('leaves out texts that share only a link, a mention or common words, short texts, reposts and one-account repeats', () => {
    for (const [kind, texts] of Object.entries(lonely))
      for (const i of texts.keys()) expect(family.get(`${kind}${i}`), `${kind}${i}`).toBeUndefined();
    expect(family.get('rt1')).toBeUndefined();
    expect(family.get('solo1')).toBeUndefined();
    expect(stats.shortTexts).toBeGreaterThanOrEqual(1);
    expect(stats.texts).toBe(Object.values(groups).flat().length + Object.values(lonely).flat().length + 2);
  });

  it('replaces the previous table, gives the same families for the same seed, and checks its options', async () => {
    const again = await buildTextFamilies(store, TEXT_FAMILY_DEFAULTS);
    expect({ ...again, seconds: 0 }).toEqual({ ...stats, seconds: 0 });
    expect(await familiesOf(store)).toEqual(family);
    const other = await buildTextFamilies(store, { ...TEXT_FAMILY_DEFAULTS, seed: 99 });
    expect(other.families).toBe(stats.families);
    await expect(buildTextFamilies(store, { ...TEXT_FAMILY_DEFAULTS, permutations: 48 })).rejects.toThrow(
      UsageError,
    );
    await expect(buildTextFamilies(store, { ...TEXT_FAMILY_DEFAULTS, threshold: 0 })).rejects.toThrow(
      UsageError,
    );
    await expect(
      buildTextFamilies(store, { ...TEXT_FAMILY_DEFAULTS, threshold: MIN_THRESHOLD - 0.01 }),
    ).rejects.toThrow(UsageError);
  });

  it('runs through the signal descriptor, whose defaults are TEXT_FAMILY_DEFAULTS', async () => {
    const options = resolveOptions(nearDuplicate);
    expect(options).toEqual({
      threshold: TEXT_FAMILY_DEFAULTS.threshold,
      'min-chars': TEXT_FAMILY_DEFAULTS.minChars,
    });
    const notes = await nearDuplicate.prepare!({ store, options, seed: TEXT_FAMILY_DEFAULTS.seed });
    expect(notes.join(' ')).toMatch(/shorter than 24 characters/);
    const actions = await store.all<{ obj: string }>(nearDuplicate.actionsSql(options));
    expect(actions).toHaveLength(stats.postsInFamilies);
    expect(new Set(actions.map((a) => a.obj)).size).toBe(stats.families);
    const labels = await nearDuplicate.labelObjects!(store, [family.get('en0')!]);
    expect(labels.get(family.get('en0')!)).toBe(groups.en![0]);
    expect(() => resolveOptions(nearDuplicate, { threshold: MIN_THRESHOLD - 0.1 })).toThrow(UsageError);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      buildTextFamilies(store, TEXT_FAMILY_DEFAULTS, { signal: controller.signal }),
    ).rejects.toThrow(/interrupted/);
  });
});

/**
 * End to end on the simulator. The truth of "same text" is the template a post was written from:
 * a copy-paste order's slogan (and a retweet ring's or a link-laundering seed's, which come from the
 * same pool of slogans, so orders of one slogan are one text), a reply swarm's insult, a petition,
 * the open campaign's toolkit text, a share-button or syndicated headline (by its link). Every other
 * post (organic chatter, camouflage, hashtag orders, news reactions) is its own text.
 */
describe('text families of a simulated month', () => {
  const dir = scratch();
  let store: Store;
  let stats: TextFamilyStats;
  const metrics = {
    precision: 0,
    recall: 0,
    noisePosts: 0,
    familyPosts: 0,
    truthPosts: 0,
    split: [] as string[],
  };

  const words = (s: string) =>
    new Set(
      s
        .replace(/@\S+/g, ' ')
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean),
    );
  const templates = [
    ...Object.entries(OP_MESSAGES).flatMap(([lang, list]) =>
      list.map((m, i) => ({ key: `slogan:${lang}:${i}`, m })),
    ),
    ...Object.entries(SWARM_REPLIES).flatMap(([lang, list]) =>
      list.map((m, i) => ({ key: `swarm:${lang}:${i}`, m: m.replace('@{handle} ', '') })),
    ),
  ].map((t) => ({ key: t.key, words: words(normalizeText(t.m)!) }));
  /** The template a post was written from: the one sharing most words (all but a few edits). */
  function template(text: string): string | null {
    const w = words(text.replace(/https?:\/\/\S+/g, ' '));
    let best: string | null = null;
    let score = 0.5;
    for (const t of templates) {
      let shared = 0;
      for (const x of w) if (t.words.has(x)) shared++;
      const j = shared / (w.size + t.words.size - shared);
      if (j >= score) [best, score] = [t.key, j];
    }
    return best;
  }

  beforeAll(async () => {
    const sim = simulate({ out: dir.dir, posts: 40_000, seed: 3, postTruth: true });
    const source = new Map(
      readFileSync(join(dir.dir, 'ground_truth_posts.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',') as [string, string, string])
        .map(([post, , src]) => [post, src]),
    );
    ({ store } = await ingestInto(dir.dir, sim.files[0]!));
    stats = await buildTextFamilies(store, TEXT_FAMILY_DEFAULTS);
    const rows = await store.all<{
      post_id: string;
      text: string;
      url: string | null;
      family: number | null;
    }>(
      `SELECT p.post_id, p.text_norm AS text, p.urls[1] AS url, f.family
       FROM posts p LEFT JOIN text_family f ON f.pr = p.rowid
       WHERE p.kind IN ('post', 'reply', 'quote') AND p.text_norm IS NOT NULL`,
    );
    const truthOf = (post: string, text: string, url: string | null): string | null => {
      const src = source.get(post) ?? 'organic';
      const [head, tactic] = src.split(':');
      if (['copy-paste', 'retweet-ring', 'link-laundering', 'reply-swarm'].includes(tactic ?? ''))
        return template(text);
      if (head === 'petition') return src;
      if (head === 'campaign') return text.includes('we deserve better') ? src : null;
      if (head === 'share-button' || head === 'syndication') return `link:${url}`;
      return null;
    };
    const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    const byFamily = new Map<string, number>();
    const byTruth = new Map<string, number>();
    const byBoth = new Map<string, number>();
    const truthFamilies = new Map<string, Map<string, number>>();
    for (const r of rows) {
      // Texts too short to compare are out of scope (some swarm insults are: "нет" is not a text).
      const truth =
        maskText(r.text).length >= TEXT_FAMILY_DEFAULTS.minChars ? truthOf(r.post_id, r.text, r.url) : null;
      if (truth) {
        count(byTruth, truth);
        metrics.truthPosts++;
        if (!truthFamilies.has(truth)) truthFamilies.set(truth, new Map());
        count(truthFamilies.get(truth)!, r.family === null ? `none:${r.post_id}` : String(r.family));
      }
      if (r.family === null) continue;
      metrics.familyPosts++;
      count(byFamily, String(r.family));
      if (truth) count(byBoth, `${r.family}|${truth}`);
      else metrics.noisePosts++;
    }
    const pairs = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + (n * (n - 1)) / 2, 0);
    metrics.precision = pairs(byBoth) / pairs(byFamily);
    metrics.recall = pairs(byBoth) / pairs(byTruth);
    for (const [truth, fams] of truthFamilies) {
      const total = [...fams.values()].reduce((s, n) => s + n, 0);
      if (Math.max(...fams.values()) < total) metrics.split.push(`${truth}: ${[...fams.values()].join('+')}`);
    }
  }, 120_000);
  afterAll(() => {
    store.close();
    dir.cleanup();
  });

  it('finds the copy-paste storms, petitions, campaign and shared headlines as families', () => {
    // Measured with the defaults on this corpus (seed 3, 40k posts): precision 1.0000, recall
    // 1.0000 over 5,531 posts of 462 templates, no template split. With the earlier banding
    // (64 positions, 12 bands of 5) recall was 0.9957: Arabic slogans whose orders carried
    // different hashtags (0.5 to 0.6 similar) were split.
    expect(metrics.truthPosts).toBeGreaterThan(4000);
    expect(metrics.precision).toBeGreaterThanOrEqual(0.99);
    expect(metrics.recall).toBeGreaterThanOrEqual(0.99);
    expect(metrics.split.length).toBeLessThanOrEqual(3);
  });

  it('does not merge organic chatter into the families', () => {
    expect(metrics.noisePosts).toBeLessThanOrEqual(Math.ceil(0.002 * metrics.familyPosts));
    expect(stats.postsInFamilies).toBe(metrics.familyPosts);
    expect(stats.distinctTexts).toBeLessThan(stats.texts);
  });

  // The worker threads run the compiled package (dist/, which `npm test` builds first).
  const compiled = join(import.meta.dirname, '..', '..', 'dist', 'signals', 'near-duplicate', 'families.js');
  it.skipIf(!existsSync(compiled))(
    'runs the same with worker threads as without (needs dist/: npm run build)',
    async () => {
      const dist = (await import(compiled)) as typeof import('../../src/signals/near-duplicate/families.js');
      const serial = await familiesOf(store);
      const threaded = await dist.buildTextFamilies(store, TEXT_FAMILY_DEFAULTS, { threads: 2 });
      expect({ ...threaded, seconds: 0 }).toEqual({ ...stats, seconds: 0 });
      expect(await familiesOf(store)).toEqual(serial);
    },
  );
});
