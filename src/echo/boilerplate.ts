/**
 * Boilerplate: the sentences a source repeats in document after document (a ministry's standard
 * closing paragraph, an outlet's "Follow us on ...", a speaker's stock greeting). They are not
 * echoes of anything, and a talking point that happens to share words with one would otherwise
 * match every document of that source, and link unrelated documents of it to each other.
 *
 * A sentence (masked, text.ts) is boilerplate for its source (the outlet, else the author) when at
 * least `minDocuments` distinct documents of that source contain it, and at least `minShare` of the
 * source's documents: a template is on most of a site's pages, while a speaker who quotes a talking
 * point in three of seventy speeches is echoing it, not running a template. Its anchors are then left
 * out of the scan of that source's documents. Documents without an outlet or author have no source and
 * no boilerplate. This is the per-site repeated-block rule of boilerplate removal (e.g. Gibson, Punera
 * & Tomkins, "The volume and evolution of web page templates", WWW 2005), applied to sentences.
 */
import { fmix32 } from '../signals/near-duplicate/shingles.js';
import type { MaskedText } from './text.js';

export const BOILERPLATE_DEFAULTS = {
  /** Documents of one source a sentence must appear in to be boilerplate. */
  minDocuments: 3,
  /** ...and at least this share of them. */
  minShare: 0.3,
  /** Sentences shorter than this (masked characters) are never boilerplate. */
  minChars: 16,
};

/** Sentence ends: . ! ? and their Arabic, Devanagari, CJK forms, and line breaks. */
const END = /[.!?\u061f\u06d4\u0964\u3002\uff01\uff1f]+["'\u201d\u2019)\]]*(?=\s|$)|\n+/g;

/** Sentences of a text as masked ranges [start, end), with a hash of each sentence's code points. */
export function sentences(text: string, view: MaskedText): { start: number; end: number; hash: number }[] {
  const out: { start: number; end: number; hash: number }[] = [];
  let from = 0; // original offset where the sentence starts
  let k = 0; // masked position
  const cut = (to: number) => {
    const start = k;
    while (k < view.length && view.offsets[k]! < to) k++;
    if (k > start) {
      let h = 0x811c9dc5;
      for (let i = start; i < k; i++) h = Math.imul(h ^ view.cps[i]!, 0x01000193);
      out.push({ start, end: k, hash: fmix32(h ^ (k - start)) });
    }
  };
  for (const m of text.matchAll(END)) {
    const to = m.index + m[0].length;
    cut(to);
    from = to;
  }
  if (from < text.length || k < view.length) cut(Number.POSITIVE_INFINITY);
  return out;
}

/** Counts, per source, the documents each sentence appears in; then says which are boilerplate. */
export class BoilerplateCounter {
  private readonly counts = new Map<string, number>();
  private readonly sourceDocs = new Map<string, number>();
  private readonly options: typeof BOILERPLATE_DEFAULTS;

  constructor(options: Partial<typeof BOILERPLATE_DEFAULTS> = {}) {
    this.options = { ...BOILERPLATE_DEFAULTS, ...options };
  }

  private key(source: string, hash: number): string {
    return `${hash.toString(36)}\x1f${source}`;
  }

  /** Pass 1: a document's sentences (each counted once per document). */
  add(source: string | null, list: { start: number; end: number; hash: number }[]): void {
    if (!source) return;
    this.sourceDocs.set(source, (this.sourceDocs.get(source) ?? 0) + 1);
    const seen = new Set<number>();
    for (const s of list) {
      if (s.end - s.start < this.options.minChars || seen.has(s.hash)) continue;
      seen.add(s.hash);
      const k = this.key(source, s.hash);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }

  /** Keeps only the boilerplate keys (frees the rest); returns how many sentences are boilerplate. */
  finish(): number {
    const { minDocuments, minShare } = this.options;
    for (const [k, n] of this.counts) {
      const docs = this.sourceDocs.get(k.slice(k.indexOf('\x1f') + 1)) ?? 0;
      if (n < minDocuments || n < minShare * docs) this.counts.delete(k);
    }
    return this.counts.size;
  }

  /** Whether a sentence (its hash and masked length) is boilerplate of its source. */
  has(source: string | null, hash: number, chars: number): boolean {
    return !!source && chars >= this.options.minChars && this.counts.has(this.key(source, hash));
  }

  /** Pass 2: the masked ranges of a document's boilerplate sentences. */
  ranges(source: string | null, list: { start: number; end: number; hash: number }[]): [number, number][] {
    if (!source || this.counts.size === 0) return [];
    const out: [number, number][] = [];
    for (const s of list)
      if (s.end - s.start >= this.options.minChars && this.counts.has(this.key(source, s.hash)))
        out.push([s.start, s.end]);
    return out;
  }
}
