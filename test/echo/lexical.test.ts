/**
 * The lexical tier's parts: the masked view with offsets into the original text, anchors and
 * containment, affine-gap alignment (reordering, insertions, light edits), boilerplate, ranking and
 * precedence intervals.
 */
import { describe, expect, it } from 'vitest';
import { ALIGN_DEFAULTS, alignPassages, coverage } from '../../src/echo/align.js';
import { AnchorIndex } from '../../src/echo/anchors.js';
import { BoilerplateCounter, sentences } from '../../src/echo/boilerplate.js';
import { matchPair, textView, wholeWords } from '../../src/echo/lexical.js';
import { earlier, lagOf, lagText } from '../../src/echo/precedence.js';
import { RankIndex } from '../../src/echo/rank.js';
import { maskedText, retrievalWords, splitTag } from '../../src/echo/text.js';
import type { TimeSpan } from '../../src/echo/types.js';
import { normalizeText } from '../../src/ingest/normalize/text.js';
import { maskText } from '../../src/signals/near-duplicate/shingles.js';

const masked = (s: string) => {
  const v = maskedText(s);
  return String.fromCodePoint(...v.cps.subarray(0, v.length));
};

/** Matches `tp` against `doc` the way echo tracing does (one unit, anchors then alignment). */
function match(tp: string, doc: string) {
  const a = textView(tp);
  const b = textView(doc);
  const index = new AnchorIndex([a.view], Int32Array.of(0));
  const [candidate] = index.scan(b.view.cps, b.view.length);
  return candidate ? matchPair(a, b, candidate) : null;
}

describe('the masked view', () => {
  it('is the near-duplicate signal’s masked text, with offsets into the original', () => {
    const samples = [
      'Share this before it gets deleted!! @reporter_x https://t.co/AbC123 #WakeUp 😡',
      'رسانه‌ها این را به شما نمی‌گویند! @علی_رضا #حقیقت https://t.co/x1',
      'من حق الناس أن يعرفوا الحقيقة!!! #الحقيقة 📢 www.site.example/a',
      'Ｆｕｌｌ-width ﬁ ligature, café, Люди имеют право',
    ];
    for (const s of samples) {
      expect(masked(s)).toBe(maskText(normalizeText(s)!));
      const v = maskedText(s);
      // Every kept code point comes from the character at its offset.
      for (let k = 0; k < v.length; k++) expect(s.codePointAt(v.offsets[k]!)).toBeDefined();
    }
    const v = maskedText('Hi @bob, visit https://x.example now!');
    expect(masked('Hi @bob, visit https://x.example now!')).toBe('hivisitnow');
    expect(v.offsets[v.length - 1]).toBe('Hi @bob, visit https://x.example now!'.indexOf('now') + 2);
  });

  it('splits hashtags and handles into words for ranking', () => {
    expect(splitTag('StopTheLies2024')).toBe('Stop The Lies 2024');
    expect(retrievalWords('RT @RealDonaldTrump: #FakeNews https://t.co/x pic.twitter.com/y')).toEqual([
      'rt',
      'real',
      'donald',
      'trump',
      'fake',
      'news',
    ]);
  });
});

describe('alignment', () => {
  const tp = 'The people deserve to know the truth about what is happening in our cities';

  it('finds a verbatim quote inside a long text, with offsets into the original', () => {
    const doc = `Good evening. As I said yesterday, the people deserve to know the truth about what is happening in our cities! Thank you.`;
    const m = match(tp, doc)!;
    expect(m.reuse).toBeGreaterThan(0.95);
    expect(m.passages).toHaveLength(1);
    const p = m.passages[0]!;
    expect(doc.slice(p.docStart, p.docEnd)).toBe(
      'the people deserve to know the truth about what is happening in our cities',
    );
    expect(tp.slice(p.tpStart, p.tpEnd)).toBe(tp);
    // Containment over the whole document stays high; Jaccard against the aligned passage too.
    expect(m.containment).toBeGreaterThan(0.95);
    expect(m.jaccard).toBeGreaterThan(0.9);
  });

  it('finds reordered clauses as separate passages', () => {
    const doc =
      'What is happening in our cities is clear to everyone here. And yet, the people deserve to know the truth about it.';
    const m = match(tp, doc)!;
    expect(m.passages.length).toBeGreaterThanOrEqual(2);
    const texts = m.passages.map((p) => doc.slice(p.docStart, p.docEnd).toLowerCase());
    expect(texts.some((t) => t.includes('people deserve to know the truth'))).toBe(true);
    expect(texts.some((t) => t.includes('what is happening in our cities'))).toBe(true);
    expect(m.reuse).toBeGreaterThan(0.6);
  });

  it('bridges an inserted clause with one gap, and keeps light edits inside a passage', () => {
    const inserted = match(
      tp,
      'The people deserve, as many of us have said, to know the truth about what is happening in our cities.',
    )!;
    expect(inserted.reuse).toBeGreaterThan(0.6);
    const edited = match(tp, 'The citizens deserve to know the truth about what is happening in our towns.')!;
    expect(edited.reuse).toBeGreaterThan(0.5);
    expect(edited.reuse).toBeLessThan(0.95);
  });

  it('matches Persian typed on an Arabic keyboard and with spaces for ZWNJ', () => {
    const fa = 'رسانه‌ها این را به شما نمی‌گویند اما آمارها دروغ نمی‌گویند';
    const doc = 'در سخنرانی امروز گفت: رسانه ها اين را به شما نمي گويند اما آمارها دروغ نمي گويند. پایان.';
    const m = match(fa, doc)!;
    expect(m.reuse).toBeGreaterThan(0.95);
    expect(doc.slice(m.passages[0]!.docStart, m.passages[0]!.docEnd)).toBe(
      'رسانه ها اين را به شما نمي گويند اما آمارها دروغ نمي گويند',
    );
  });

  it('does not align unrelated texts of the same language', () => {
    expect(
      match(
        tp,
        'The committee approved the budget for the new hospital wing on Tuesday morning after a long debate.',
      ),
    ).toBeNull();
  });

  it('scores by alignment: identical > edited > unrelated; coverage is bounded by 1', () => {
    const a = maskedText('abcdefghijklmnopqrstuvwxyz0123456789');
    const p = alignPassages(a.cps, 0, a.length, a.cps, 0, a.length);
    expect(p).toHaveLength(1);
    expect(p[0]!.score).toBe(a.length * ALIGN_DEFAULTS.match);
    expect(coverage(p, a.length)).toBe(1);
    expect(wholeWords('say the truth about', 5, 14)).toEqual([8, 14]);
    expect(wholeWords('say the truth about', 4, 15)).toEqual([4, 13]);
  });
});

describe('anchors', () => {
  it('drops anchors shared by too many talking points and counts containment exactly', () => {
    const stock = 'we will never give up the fight';
    const units = Array.from({ length: 6 }, (_, i) =>
      maskedText(
        `${stock} ${['alpha', 'bravo', 'charlie', 'delta', 'echoes', 'foxtrot'][i]} number ${i} carries a distinctive message here`,
      ),
    );
    const index = new AnchorIndex(
      units,
      Int32Array.from(units, (_, i) => i),
      { maxGroupDf: 3 },
    );
    expect(index.dropped).toBeGreaterThan(0);
    // A document holding only the stock phrase is a candidate of none.
    const doc = maskedText(`Citizens said ${stock} today.`);
    expect(index.scan(doc.cps, doc.length)).toEqual([]);
    // One holding a unit's own words is a candidate of that unit only, with its containment.
    const own = maskedText('It said bravo number 1 carries a distinctive message here, loudly.');
    const found = index.scan(own.cps, own.length);
    expect(found.map((c) => c.unit)).toEqual([1]);
    expect(found[0]!.containment).toBeGreaterThan(0.5);
    expect(found[0]!.containment).toBeLessThanOrEqual(1);
  });
});

describe('boilerplate', () => {
  it('treats a sentence a source repeats in most of its documents as boilerplate, not a quote it used three times', () => {
    const counter = new BoilerplateCounter({ minDocuments: 3, minShare: 0.3 });
    const docs = Array.from({ length: 12 }, (_, i) =>
      [
        `Report number ${i} about the harbour and the weather, item ${i * 7}.`,
        i < 3 ? 'The people deserve to know the truth about our cities.' : '',
        'Follow the Example Herald on every platform for more.',
      ]
        .filter(Boolean)
        .join(' '),
    );
    const parsed = docs.map((d) => sentences(d, maskedText(d)));
    for (const p of parsed) counter.add('Example Herald', p);
    expect(counter.finish()).toBe(1);
    const ranges = counter.ranges('Example Herald', parsed[0]!);
    expect(ranges).toHaveLength(1);
    const v = maskedText(docs[0]!);
    expect(docs[0]!.slice(v.offsets[ranges[0]![0]]!)).toMatch(/^Follow the Example Herald/);
    expect(counter.ranges('Another outlet', parsed[0]!)).toEqual([]);
  });
});

describe('ranking', () => {
  it('ranks by BM25 over words and in-word 4-grams', () => {
    const index = new RankIndex([
      'Hurricane Dorian washed bricks of cocaine ashore in Florida.',
      'A photograph shows a shark swimming on a flooded highway after a hurricane.',
      'The Minecraft game is being shut down in 2020.',
    ]);
    const ranked = index.rank(
      '#HurricaneDorian washed up bricks of cocaine on Florida’s coast pic.twitter.com/abc',
    );
    expect(ranked[0]!.unit).toBe(0);
    expect(ranked.map((r) => r.unit)).not.toContain(2);
    expect(index.score('bricks of cocaine', 0)).toBeGreaterThan(index.score('bricks of cocaine', 1));
  });
});

describe('precedence', () => {
  const span = (
    at: string,
    earliest: string | null,
    latest: string,
    basis: TimeSpan['basis'] = 'published',
  ): TimeSpan => ({
    at,
    earliest,
    latest,
    basis,
    precision: 'second',
  });
  const post = span('2024-06-10T12:00:00Z', '2024-06-10T12:00:00Z', '2024-06-10T12:00:59.999Z', 'posted');

  it('states an order only when the intervals do not overlap', () => {
    const later = lagOf(post, span('2024-06-13T12:00:00Z', '2024-06-13T12:00:00Z', '2024-06-13T12:00:00Z'));
    expect(later).toMatchObject({ seconds: 259_200, order: 'after' });
    expect(lagText(later)).toBe('3.0 days after');
    // A date without a zone on the same day: the order cannot be told.
    const sameDay = lagOf(
      post,
      span('2024-06-10T00:00:00Z', '2024-06-09T10:00:00Z', '2024-06-11T11:59:59.999Z'),
    );
    expect(sameDay.order).toBe('uncertain');
    expect(lagText(sameDay)).toMatch(/^order uncertain/);
    const before = lagOf(post, span('2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z'));
    expect(before.order).toBe('before');
    // Only a collection time: published at any time before it.
    const collected = lagOf(post, span('2024-06-20T00:00:00Z', null, '2024-06-20T00:00:00Z', 'collected'));
    expect(collected).toMatchObject({ min: null, order: 'uncertain' });
    expect(earlier(post, span('2024-06-13T00:00:00Z', '2024-06-13T00:00:00Z', '2024-06-13T00:00:00Z'))).toBe(
      'before',
    );
    expect(
      earlier(span('2024-06-13T00:00:00Z', '2024-06-13T00:00:00Z', '2024-06-13T00:00:00Z'), post),
    ).toBeNull();
  });
});
