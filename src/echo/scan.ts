/**
 * The lexical tier's work on one document, the same in the calling thread and in worker threads
 * (scan-worker.ts): the document's sentences (for boilerplate), its candidate talking points by
 * anchors, each candidate aligned and scored, and the best match per talking point that passes the
 * thresholds. Plain data in and out, so that results can cross between threads.
 */
import { AnchorIndex, type AnchorOptions } from './anchors.js';
import { sentences } from './boilerplate.js';
import { type LexicalMatch, matchPair, messageView, type TextView, textShingles } from './lexical.js';
import { maskedText, originalEnd } from './text.js';
import { thresholdFor } from './thresholds.js';

/** What a scanner needs: the talking points' wordings and the options. Plain data (structured clone). */
export interface ScanSetup {
  /** Each wording's text, its talking point and its index among that talking point's wordings. */
  units: string[];
  unitTp: number[];
  unitVariant: number[];
  /** Each talking point's language (for its threshold when the document has none). */
  tpLang: (string | null)[];
  anchors: AnchorOptions;
  lexical: { minPassage: number; minShared: number; minWords: number };
  thresholds: Record<string, number>;
  minScore?: number;
}

export interface ScanDocument {
  rowid: number;
  text: string;
  lang: string | null;
}

/** A match that passed the thresholds (before boilerplate is known). */
export interface ScanMatch {
  tp: number;
  variant: number;
  /** The wording's length in masked characters (reuse = shared / length). */
  length: number;
  threshold: number;
  lexical: LexicalMatch;
}

export interface ScanResult {
  /** The document's sentences: original offsets, hash and masked length (for boilerplate). */
  sentences: { start: number; end: number; hash: number; chars: number }[];
  /** Candidate pairs aligned. */
  candidates: number;
  matches: ScanMatch[];
}

export class DocumentScanner {
  private readonly units: TextView[];
  readonly index: AnchorIndex;

  constructor(private readonly setup: ScanSetup) {
    this.units = setup.units.map(messageView);
    this.index = new AnchorIndex(
      this.units.map((u) => u.view),
      Int32Array.from(setup.unitTp),
      setup.anchors,
    );
  }

  scan(d: ScanDocument): ScanResult {
    const s = this.setup;
    const view = maskedText(d.text);
    const list = sentences(d.text, view);
    const spans = list.map((x) => ({
      start: view.offsets[x.start] ?? 0,
      end: x.end > x.start ? originalEnd(d.text, view, x.end - 1) : 0,
      hash: x.hash,
      chars: x.end - x.start,
    }));
    const candidates = this.index.scan(view.cps, view.length);
    const best = new Map<number, ScanMatch>();
    if (candidates.length) {
      const doc: TextView = { text: d.text, view };
      const docSet = textShingles(doc);
      for (const c of candidates) {
        const tp = s.unitTp[c.unit]!;
        const m = matchPair(this.units[c.unit]!, doc, c, {
          bShingles: docSet,
          minScore: s.lexical.minPassage,
        });
        if (!m || m.shared < s.lexical.minShared || m.words < s.lexical.minWords) continue;
        const threshold = s.minScore ?? thresholdFor(s.thresholds, d.lang ?? s.tpLang[tp] ?? null);
        if (m.reuse < threshold) continue;
        const prev = best.get(tp);
        if (prev && prev.lexical.reuse >= m.reuse) continue;
        best.set(tp, {
          tp,
          variant: s.unitVariant[c.unit]!,
          length: this.units[c.unit]!.view.length,
          threshold,
          lexical: m,
        });
      }
    }
    return { sentences: spans, candidates: candidates.length, matches: [...best.values()] };
  }
}
