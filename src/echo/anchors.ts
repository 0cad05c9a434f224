/**
 * Candidate pairs by shared anchors: which talking points a document (or a post) may reuse.
 *
 * A talking point inside a long speech shares few of the speech's shingles, so the Jaccard
 * similarity of the two is tiny and MinHash-LSH over whole texts cannot see it; what can is the
 * containment of the talking point in the document (Broder, "On the resemblance and containment of
 * documents", 1997): the share of the talking point's shingles the document holds. Because talking
 * points are the small side, their shingles are indexed (an inverted index, as passim indexes
 * n-grams) and every document is streamed past the index once: each document shingle is one probe,
 * and the containment of every talking point it touches is counted exactly.
 *
 * Anchors are shingles of `length` masked code points (text.ts; default 12, about two or three words
 * once spaces are gone): long enough that unrelated texts of one language seldom share one, short
 * enough that a light edit leaves most of them. An anchor shared by more than `maxGroupDf` talking
 * points (stock phrases: "the people deserve", "we will never") is dropped, as passim drops n-grams
 * above its maximum document frequency: it cannot tell talking points apart and would make every
 * document a candidate of each. A unit (a talking point's variant) is a candidate of a text when the
 * text holds at least `minAnchors` of its anchors and at least `minContainment` of them.
 *
 * The hash table is open addressing over 32-bit shingle hashes (signals/near-duplicate/shingles.ts
 * `shingleHashes`, seeded), built in three passes without per-key objects.
 */
import { fmix32, shingleHashes } from '../signals/near-duplicate/shingles.js';

export const ANCHOR_DEFAULTS = {
  /** Anchor length in masked code points. */
  length: 12,
  /** Anchors shared by more talking points (groups) than this are dropped. */
  maxGroupDf: 64,
  /** Anchors of a unit a text must hold to be a candidate... */
  minAnchors: 3,
  /**
   * ...and at least this share of the unit's anchors. An echo above the default reuse threshold
   * holds far more (a verbatim quote all, a lightly edited one about 0.6); on the benchmark 0.3 instead
   * of 0.15 aligned a quarter of the pairs and lost 2% of the matches (docs/echo.md).
   */
  minContainment: 0.3,
  seed: 1,
};

export type AnchorOptions = typeof ANCHOR_DEFAULTS;

export interface AnchorHit {
  unit: number;
  /** Anchor position in the text (masked). */
  at: number;
  /** Its first position in the unit (masked). */
  unitAt: number;
}

export interface Candidate {
  unit: number;
  /** Distinct anchors of the unit found in the text. */
  anchors: number;
  /** anchors / the unit's anchors: the containment of the unit in the text, on anchors. */
  containment: number;
  hits: AnchorHit[];
}

export class AnchorIndex {
  readonly options: AnchorOptions;
  /** Anchors kept per unit. */
  readonly anchorCount: Int32Array;
  private readonly keys: Uint32Array;
  private readonly used: Uint8Array;
  private readonly starts: Int32Array;
  private readonly counts: Int32Array;
  private readonly postUnit: Int32Array;
  private readonly postAt: Int32Array;
  private readonly mask: number;
  // Per-scan state, reset by stamping.
  private readonly stamp: Int32Array;
  private readonly seen: Int32Array;
  private readonly lastAnchor: Int32Array;
  private scans = 0;
  private hashes = new Uint32Array(1024);
  private slots = new Int32Array(1024);
  /** Distinct anchors kept in the index. */
  readonly size: number;
  /** Anchors dropped for being shared by more than maxGroupDf groups. */
  readonly dropped: number;

  /**
   * `units[u]` is the masked text of unit u (code points and length); `group[u]` the talking point it
   * belongs to (variants of one talking point count once in the document frequency).
   */
  constructor(
    units: { cps: Uint32Array; length: number }[],
    group: Int32Array,
    options: Partial<AnchorOptions> = {},
  ) {
    const o = { ...ANCHOR_DEFAULTS, ...options };
    this.options = o;
    const n = units.length;
    // Distinct anchors per unit, with their first position.
    const perUnit: { h: Uint32Array; at: Int32Array }[] = [];
    let total = 0;
    for (const u of units) {
      if (u.length < o.length) {
        perUnit.push({ h: new Uint32Array(0), at: new Int32Array(0) });
        continue;
      }
      const out = new Uint32Array(u.length);
      const m = shingleHashes(u.cps, u.length, o.length, o.seed, out);
      const firstAt = new Map<number, number>();
      for (let i = 0; i < m; i++) if (!firstAt.has(out[i]!)) firstAt.set(out[i]!, i);
      perUnit.push({ h: Uint32Array.from(firstAt.keys()), at: Int32Array.from(firstAt.values()) });
      total += firstAt.size;
    }
    let cap = 16;
    while (cap < total * 2) cap *= 2;
    this.mask = cap - 1;
    this.keys = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    const count = new Int32Array(cap);
    const groupDf = new Int32Array(cap);
    const lastGroup = new Int32Array(cap).fill(-1);
    // Pass 1: slots, postings per anchor, distinct groups per anchor.
    const slotOf = perUnit.map(({ h }, u) => {
      const slots = new Int32Array(h.length);
      for (let k = 0; k < h.length; k++) {
        const s = this.insert(h[k]!);
        slots[k] = s;
        count[s]!++;
        if (lastGroup[s] !== group[u]) {
          // Units of one group are consecutive or not: count a group once per run, then dedupe below.
          lastGroup[s] = group[u]!;
          groupDf[s]!++;
        }
      }
      return slots;
    });
    // Exact distinct groups for anchors whose run count crossed the cap (units of a group need not be adjacent).
    const over = new Set<number>();
    for (let s = 0; s < cap; s++) if (this.used[s] && groupDf[s]! > o.maxGroupDf) over.add(s);
    if (over.size) {
      const groups = new Map<number, Set<number>>();
      perUnit.forEach((_, u) => {
        for (const s of slotOf[u]!) {
          if (!over.has(s)) continue;
          const g = groups.get(s) ?? new Set<number>();
          g.add(group[u]!);
          groups.set(s, g);
        }
      });
      for (const [s, g] of groups) groupDf[s] = g.size;
    }
    let dropped = 0;
    let size = 0;
    this.starts = new Int32Array(cap);
    this.counts = new Int32Array(cap);
    let next = 0;
    for (let s = 0; s < cap; s++) {
      if (!this.used[s]) continue;
      if (groupDf[s]! > o.maxGroupDf) {
        dropped++;
        continue;
      }
      size++;
      this.starts[s] = next;
      next += count[s]!;
    }
    this.postUnit = new Int32Array(next);
    this.postAt = new Int32Array(next);
    this.anchorCount = new Int32Array(n);
    perUnit.forEach(({ at }, u) => {
      const slots = slotOf[u]!;
      for (let k = 0; k < slots.length; k++) {
        const s = slots[k]!;
        if (groupDf[s]! > o.maxGroupDf) continue;
        const p = this.starts[s]! + this.counts[s]!++;
        this.postUnit[p] = u;
        this.postAt[p] = at[k]!;
        this.anchorCount[u]!++;
      }
    });
    // Dropped anchors keep a slot with no postings.
    this.size = size;
    this.dropped = dropped;
    this.stamp = new Int32Array(n);
    this.seen = new Int32Array(n);
    this.lastAnchor = new Int32Array(n);
  }

  private insert(h: number): number {
    let s = fmix32(h) & this.mask;
    for (;;) {
      if (!this.used[s]) {
        this.used[s] = 1;
        this.keys[s] = h;
        return s;
      }
      if (this.keys[s] === h) return s;
      s = (s + 1) & this.mask;
    }
  }

  /** Slot of h, or -1. */
  private find(h: number): number {
    let s = fmix32(h) & this.mask;
    for (;;) {
      if (!this.used[s]) return -1;
      if (this.keys[s] === h) return s;
      s = (s + 1) & this.mask;
    }
  }

  /** The minimum anchors a text must hold for unit u. */
  need(u: number): number {
    const o = this.options;
    return Math.max(o.minAnchors, Math.ceil(o.minContainment * this.anchorCount[u]! - 1e-9));
  }

  /**
   * The candidate units of a masked text, with their anchor hits in text order. `skip(at)` leaves
   * out anchors starting at masked position `at` (boilerplate).
   */
  scan(cps: Uint32Array, length: number, skip?: (at: number) => boolean): Candidate[] {
    const o = this.options;
    if (length < o.length) return [];
    if (this.hashes.length < length) this.hashes = new Uint32Array(2 * length);
    const m = shingleHashes(cps, length, o.length, o.seed, this.hashes);
    // Pass 1 counts the anchors of every unit touched; most texts are candidates of none, and
    // recording every hit of every unit would be most of the work. Pass 2 records the hits of the
    // candidates only.
    const stamp = ++this.scans;
    if (this.slots.length < m) this.slots = new Int32Array(2 * m);
    const slots = this.slots;
    const touched: number[] = [];
    for (let i = 0; i < m; i++) {
      let s = this.find(this.hashes[i]!);
      if (s >= 0 && (this.counts[s] === 0 || skip?.(i))) s = -1;
      slots[i] = s;
      if (s < 0) continue;
      const start = this.starts[s]!;
      const end = start + this.counts[s]!;
      for (let p = start; p < end; p++) {
        const u = this.postUnit[p]!;
        if (this.stamp[u] !== stamp) {
          this.stamp[u] = stamp;
          this.seen[u] = 0;
          this.lastAnchor[u] = -1;
          touched.push(u);
        }
        // An upper bound of the distinct anchors (repeats in a row count once); made exact below.
        if (this.lastAnchor[u] !== s) this.seen[u]!++;
        this.lastAnchor[u] = s;
      }
    }
    const byUnit = new Map<number, Candidate>();
    for (const u of touched)
      if (this.seen[u]! >= this.need(u)) byUnit.set(u, { unit: u, anchors: 0, containment: 0, hits: [] });
    if (byUnit.size === 0) return [];
    for (let i = 0; i < m; i++) {
      const s = slots[i]!;
      if (s < 0) continue;
      const start = this.starts[s]!;
      const end = start + this.counts[s]!;
      for (let p = start; p < end; p++) {
        const c = byUnit.get(this.postUnit[p]!);
        if (c) c.hits.push({ unit: c.unit, at: i, unitAt: this.postAt[p]! });
      }
    }
    // Exact distinct anchors: each anchor of a unit has its own first position in the unit.
    const out: Candidate[] = [];
    for (const c of byUnit.values()) {
      c.anchors = new Set(c.hits.map((h) => h.unitAt)).size;
      if (c.anchors < this.need(c.unit)) continue;
      c.containment = Math.min(1, c.anchors / Math.max(1, this.anchorCount[c.unit]!));
      out.push(c);
    }
    return out;
  }
}
