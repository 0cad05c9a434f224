/**
 * The lexical tier for one pair: a talking point (unit) that a text holds anchors of (anchors.ts)
 * is aligned with the regions of the text around those anchors (align.ts), and the pair is scored:
 *
 * - `reuse`: the share of the talking point's characters (masked) matched by the aligned passages,
 *   0..1. Robust to reordering (each moved clause is its own passage), to insertions (affine gaps,
 *   or separate passages) and to light edits (mismatches inside a passage). The score the
 *   thresholds apply to;
 * - `containment`: the share of the talking point's 5-shingles that the whole text holds (Broder's
 *   containment, exact): a talking point inside a long speech keeps its containment;
 * - `jaccard`: the Jaccard similarity of the talking point's 5-shingles and those of the aligned
 *   passages of the text: 1 for a verbatim quote, lower when the speaker wrapped it in other words.
 *
 * Passages are returned with UTF-16 offsets into the ORIGINAL texts, ready to highlight.
 */

import { fold } from '../ingest/normalize/text.js';
import { shingleHashes } from '../signals/near-duplicate/shingles.js';
import { ALIGN_DEFAULTS, alignPassages, type Passage } from './align.js';
import { AnchorIndex, type Candidate } from './anchors.js';
import { type MaskedText, maskedText, messageSpan, originalEnd } from './text.js';

/** Anchor hits on one diagonal that make a region worth aligning. */
const SEED_HITS = 3;

/** Shingle length of the containment and Jaccard scores (the near-duplicate signal's). */
export const SCORE_SHINGLE = 5;

export interface TextView {
  text: string;
  view: MaskedText;
}

export function textView(text: string): TextView {
  return { text, view: maskedText(text) };
}

/** A talking point's wording as matched: its message, without the labels around it (text.ts `messageSpan`). */
export function messageView(text: string): TextView {
  const [start, end] = messageSpan(text);
  return { text, view: maskedText(text, start, end) };
}

/** A shared passage, with offsets into both original texts. */
export interface SharedPassage {
  /** UTF-16 offsets [start, end) in the talking point's text. */
  tpStart: number;
  tpEnd: number;
  /** UTF-16 offsets [start, end) in the document's (or post's) text. */
  docStart: number;
  docEnd: number;
  /** Matching characters (masked: letters and digits). */
  matches: number;
  /** Characters of the talking point the passage spans (masked). */
  length: number;
  score: number;
}

export interface LexicalMatch {
  reuse: number;
  /** Alignment score of the passages together (reuse = shared / the talking point's length). */
  shared: number;
  /** Distinct words of the document inside the passages. */
  words: number;
  containment: number;
  jaccard: number;
  /** Anchors of the talking point found in the text, and their share of its anchors. */
  anchors: number;
  anchorContainment: number;
  passages: SharedPassage[];
}

function shingleSetOf(cps: Uint32Array, from: number, to: number): Set<number> {
  const n = to - from;
  if (n <= 0) return new Set();
  const out = new Uint32Array(Math.max(1, n));
  const m = shingleHashes(cps.subarray(from, to), n, SCORE_SHINGLE, 1, out);
  return new Set(out.subarray(0, m));
}

/**
 * Aligns unit `a` with the regions of text `b` around the candidate's anchor hits; null when no
 * passage scores the alignment minimum. `bShingles`, the text's 5-shingle set, may be passed when
 * several units are matched against one text.
 */
export function matchPair(
  a: TextView,
  b: TextView,
  candidate: Candidate,
  options: { minScore?: number; bShingles?: Uint32Array } = {},
): LexicalMatch | null {
  const n = a.view.length;
  const m = b.view.length;
  const slack = 16 + Math.ceil(n / 10);
  // Seeds: hits on one diagonal (text position - unit position), as a copied stretch puts them; a
  // lone hit is a chance 12-character match. Each seed of at least SEED_HITS hits becomes a region
  // around the unit's span on that diagonal; overlapping regions are merged. Hits scattered over a
  // long text (common words) never make one region of the whole text.
  const hits = [...candidate.hits].sort((x, y) => x.at - x.unitAt - (y.at - y.unitAt) || x.at - y.at);
  const spans: [number, number][] = [];
  for (let k = 0; k < hits.length; ) {
    let j = k + 1;
    while (
      j < hits.length &&
      hits[j]!.at - hits[j]!.unitAt - (hits[j - 1]!.at - hits[j - 1]!.unitAt) <= slack
    )
      j++;
    if (j - k >= SEED_HITS) {
      let from = m;
      let to = 0;
      for (let q = k; q < j; q++) {
        from = Math.min(from, hits[q]!.at - hits[q]!.unitAt - slack);
        to = Math.max(to, hits[q]!.at + (n - hits[q]!.unitAt) + slack);
      }
      spans.push([Math.max(0, from), Math.min(m, to)]);
    }
    k = j;
  }
  if (!spans.length) return null;
  spans.sort((x, y) => x[0] - y[0]);
  const regions: [number, number][] = [];
  for (const [from, to] of spans) {
    const last = regions[regions.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else regions.push([from, to]);
  }
  const found: Passage[] = [];
  const o = { ...ALIGN_DEFAULTS, minScore: options.minScore ?? ALIGN_DEFAULTS.minScore };
  for (const [s, e] of regions) found.push(...alignPassages(a.view.cps, 0, n, b.view.cps, s, e, o));
  // The same stretch of the talking point found in two regions (said twice): keep the better one.
  found.sort((x, y) => y.score - x.score);
  const kept: Passage[] = [];
  for (const p of found) {
    const overlap = kept.some(
      (k) => Math.min(k.aEnd, p.aEnd) - Math.max(k.aStart, p.aStart) > 0.5 * (p.aEnd - p.aStart),
    );
    if (!overlap) kept.push(p);
  }
  if (!kept.length) return null;
  kept.sort((x, y) => x.aStart - y.aStart);
  const aSet = shingleSetOf(a.view.cps, 0, n);
  const bSorted = options.bShingles ?? textShingles(b);
  let inB = 0;
  for (const h of aSet) if (sortedHas(bSorted, h)) inB++;
  const passageSet = new Set<number>();
  for (const p of kept) for (const h of shingleSetOf(b.view.cps, p.bStart, p.bEnd)) passageSet.add(h);
  let both = 0;
  for (const h of aSet) if (passageSet.has(h)) both++;
  const union = aSet.size + passageSet.size - both;
  const shared = kept.reduce((s, p) => s + p.score, 0);
  const passages = kept.map((p) => {
    const [tpStart, tpEnd] = wholeWords(
      a.text,
      a.view.offsets[p.aStart]!,
      originalEnd(a.text, a.view, p.aEnd - 1),
    );
    const [docStart, docEnd] = wholeWords(
      b.text,
      b.view.offsets[p.bStart]!,
      originalEnd(b.text, b.view, p.bEnd - 1),
    );
    return {
      tpStart,
      tpEnd,
      docStart,
      docEnd,
      matches: p.matches,
      length: p.aEnd - p.aStart,
      score: p.score,
    };
  });
  const words = new Set<string>();
  for (const p of passages)
    for (const w of fold(b.text.slice(p.docStart, p.docEnd)).match(WORDS) ?? []) words.add(w);
  return {
    reuse: n ? Math.min(1, shared / n) : 0,
    shared,
    words: passageWords(b.text, passages),
    containment: aSet.size ? inB / aSet.size : 0,
    jaccard: union ? both / union : 0,
    anchors: candidate.anchors,
    anchorContainment: candidate.containment,
    passages,
  };
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const WORDS = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * [start, end) without the partial words at either end: a character alignment may stop inside a word
 * ("...in our cit"), which reads as a mistake. Kept as is when trimming would leave less than half.
 */
export function wholeWords(text: string, start: number, end: number): [number, number] {
  const word = (i: number) => i >= 0 && i < text.length && WORD_CHAR.test(text[i]!);
  let s = start;
  let e = end;
  if (word(s - 1) && word(s)) {
    while (s < e && word(s)) s++;
    while (s < e && !word(s)) s++;
  }
  if (word(e) && word(e - 1)) {
    while (e > s && word(e - 1)) e--;
    while (e > s && !word(e - 1)) e--;
  }
  return e - s >= (end - start) / 2 ? [s, e] : [start, end];
}

/** Distinct words of `text` inside the passages' document spans. */
export function passageWords(text: string, passages: { docStart: number; docEnd: number }[]): number {
  const words = new Set<string>();
  for (const p of passages)
    for (const w of fold(text.slice(p.docStart, p.docEnd)).match(WORDS) ?? []) words.add(w);
  return words.size;
}

/** The 5-shingles of a whole text view, sorted (for matching many units against one text). */
export function textShingles(b: TextView): Uint32Array {
  const n = b.view.length;
  const out = new Uint32Array(Math.max(1, n));
  return out.subarray(0, shingleHashes(b.view.cps, n, SCORE_SHINGLE, 1, out)).sort();
}

/** Whether the sorted array holds x (binary search). */
function sortedHas(sorted: Uint32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * The lexical tier on one pair of texts: how much of `talkingPoint` the text `doc` reuses, with the
 * shared passages (null when no passage aligns). For scripts and checks; echo tracing does the same
 * for every talking point and document at once.
 */
export function compareTexts(
  talkingPoint: string,
  doc: string,
  options: { minScore?: number } = {},
): LexicalMatch | null {
  const a = textView(talkingPoint);
  const b = textView(doc);
  const index = new AnchorIndex([a.view], Int32Array.of(0), { minAnchors: 1, minContainment: 0 });
  const [candidate] = index.scan(b.view.cps, b.view.length);
  return candidate ? matchPair(a, b, candidate, options) : null;
}
