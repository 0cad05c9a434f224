/**
 * Ranking talking points for a text by Okapi BM25 (Robertson & Zaragoza, "The Probabilistic
 * Relevance Framework: BM25 and Beyond", Foundations and Trends in IR 2009), summed over two fields
 * of terms (text.ts `retrievalTerms`): words, which carry names and rare terms, and in-word
 * character 4-grams, which carry inflection in any language without a stemmer.
 *
 * The talking points are the collection (the small side); the text is the query. Parameters are the
 * textbook ones (k1 = 1.2, b = 0.75; idf = ln(1 + (N - df + 0.5) / (df + 0.5))), not fitted to any
 * data set. This is the relevance used to order a document's echoes and to rank a claim collection
 * for a post (the CLEF-2020 check in docs/echo.md); whether a passage was reused is the alignment's
 * verdict (align.ts), not the rank's.
 */
import { retrievalTerms } from './text.js';

export const BM25_DEFAULTS = { k1: 1.2, b: 0.75 };

/** One field's postings: term -> units and term frequencies. */
class Field {
  readonly df = new Map<number, number>();
  postings = new Map<number, { units: number[]; tf: number[] }>();
  lengths: Float64Array;
  avg = 0;
  /** Per unit: its distinct terms (sorted) and their frequencies, to score one unit quickly. */
  readonly unitTerms: Uint32Array[] = [];
  readonly unitTf: Uint16Array[] = [];

  constructor(units: Uint32Array[]) {
    this.lengths = new Float64Array(units.length);
    units.forEach((terms, u) => {
      const tf = new Map<number, number>();
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      this.lengths[u] = terms.length;
      const keys = Uint32Array.from(tf.keys()).sort();
      this.unitTerms.push(keys);
      this.unitTf.push(Uint16Array.from(keys, (k) => Math.min(65535, tf.get(k)!)));
      for (const [t, n] of tf) {
        this.df.set(t, (this.df.get(t) ?? 0) + 1);
        const p = this.postings.get(t) ?? { units: [], tf: [] };
        this.postings.set(t, p);
        p.units.push(u);
        p.tf.push(n);
      }
    });
    let total = 0;
    for (const l of this.lengths) total += l;
    this.avg = units.length ? total / units.length || 1 : 1;
  }

  idf(t: number): number {
    const df = this.df.get(t) ?? 0;
    const n = this.lengths.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private weight(tf: number, u: number, o: typeof BM25_DEFAULTS): number {
    return (tf * (o.k1 + 1)) / (tf + o.k1 * (1 - o.b + (o.b * this.lengths[u]!) / this.avg));
  }

  /** Adds the field's score of every unit sharing a query term to `scores`. */
  scoreAll(query: Uint32Array, scores: Float64Array, touched: number[], o: typeof BM25_DEFAULTS): void {
    const qtf = new Map<number, number>();
    for (const t of query) qtf.set(t, (qtf.get(t) ?? 0) + 1);
    for (const t of qtf.keys()) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = this.idf(t);
      for (let k = 0; k < p.units.length; k++) {
        const u = p.units[k]!;
        if (scores[u] === 0) touched.push(u);
        scores[u]! += idf * this.weight(p.tf[k]!, u, o);
      }
    }
  }

  /** The field's score of one unit. */
  scoreOne(query: Uint32Array, u: number, o: typeof BM25_DEFAULTS): number {
    const terms = this.unitTerms[u]!;
    const tfs = this.unitTf[u]!;
    const seen = new Set<number>();
    let s = 0;
    for (const t of query) {
      if (seen.has(t)) continue;
      seen.add(t);
      let lo = 0;
      let hi = terms.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const x = terms[mid]!;
        if (x === t) {
          s += this.idf(t) * this.weight(tfs[mid]!, u, o);
          break;
        }
        if (x < t) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return s;
  }
}

export interface Ranked {
  unit: number;
  score: number;
}

/** A BM25 index over talking-point texts (units). */
export class RankIndex {
  private readonly words: Field;
  private readonly grams: Field;
  private readonly scores: Float64Array;
  readonly size: number;

  constructor(
    texts: string[],
    private readonly options = BM25_DEFAULTS,
  ) {
    const terms = texts.map(retrievalTerms);
    this.words = new Field(terms.map((t) => t.words));
    this.grams = new Field(terms.map((t) => t.grams));
    this.size = texts.length;
    this.scores = new Float64Array(texts.length);
  }

  /** Units sharing a term with `text`, best first (ties by unit), at most `top` (all by default). */
  rank(text: string, top = Number.POSITIVE_INFINITY): Ranked[] {
    const q = retrievalTerms(text);
    const touched: number[] = [];
    this.words.scoreAll(q.words, this.scores, touched, this.options);
    this.grams.scoreAll(q.grams, this.scores, touched, this.options);
    const out = touched.map((unit) => ({ unit, score: this.scores[unit]! }));
    for (const u of touched) this.scores[u] = 0;
    out.sort((a, b) => b.score - a.score || a.unit - b.unit);
    return out.length > top ? out.slice(0, top) : out;
  }

  /** The BM25 score of one unit for `text`. */
  score(text: string, unit: number): number {
    const q = retrievalTerms(text);
    return (
      this.words.scoreOne(q.words, unit, this.options) + this.grams.scoreOne(q.grams, unit, this.options)
    );
  }
}
