/**
 * Locality-sensitive hashing of MinHash sketches by banding, and clustering of the candidates.
 *
 * Banding (Leskovec, Rajaraman & Ullman, "Mining of Massive Datasets", ch. 3.4): the sketch is cut
 * into `bands` bands of `rows` positions; two sketches become candidates when they agree on a whole
 * band, which happens with probability 1 - (1 - s^rows)^bands for similarity s: an S-curve.
 *
 * Choosing (bands, rows): datasketch (ekzhu/datasketch, `MinHashLSH._optimal_param` in
 * datasketch/lsh.py) minimises a weighted sum of the area under the S-curve below the threshold
 * (false positives) and above it (false negatives), which centres the S-curve on the threshold: a
 * pair at the threshold is a candidate about half of the time, and one 0.1 above it only 0.6 to 0.9
 * of the time with 64 positions. Here every candidate is verified on the whole sketch, so a false
 * positive costs one comparison while a false negative loses a copy. `chooseBands` therefore asks
 * for a candidate probability of at least BAND_RECALL at threshold + RECALL_MARGIN and, among the
 * splits that reach it, takes the one with the smallest false-positive area (datasketch's measure
 * of wasted candidates); bands may reuse positions (`bandPositions`). The verification on the
 * whole sketch then makes the decision at the threshold (docs/signals/near-duplicate.md has the
 * measured curves).
 *
 * Candidates are verified before a union-find joins them, so a band collision alone never merges
 * two texts, and a chain only ever links texts that are each similar enough to the next. Inside a
 * bucket each member is compared with at most `representatives` earlier members (a leader
 * clustering): a bucket of m texts costs at most m x representatives comparisons, never m^2.
 * The members of a bucket are taken in sketch order, and each band is scanned on its own, so the
 * pairs found depend neither on the order of the input nor on how the bands are shared between
 * threads.
 */
import { agreementsFor } from './minhash.js';
import { fmix32 } from './shingles.js';

export interface BandParams {
  bands: number;
  rows: number;
}

/** Bands whose keys are made in one pass over the sketches (memory: 4 bytes an item each). */
const BAND_GROUP = 6;
/** Items keyed for every band of a group in turn: their sketch rows (64 KB) stay in the cache. */
const KEY_BLOCK = 512;
/** Rows of a band up to which its key is computed unrolled (bandKeys). */
const UNROLLED_ROWS = 8;
/** The 32-bit FNV prime: mixes each byte of a band into its key. */
const FNV_PRIME = 0x01000193;

/** Candidate probability the banding reaches at threshold + RECALL_MARGIN. */
export const BAND_RECALL = 0.98;
/** How far above the threshold BAND_RECALL is asked for (half the distance to 1 when closer). */
export const RECALL_MARGIN = 0.1;

/** Probability that two sketches of similarity `s` share at least one band. */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - (1 - s ** rows) ** bands;
}

/** Simpson's rule with 256 intervals (the integrands are smooth polynomials of degree <= 1024). */
function integrate(f: (x: number) => number, a: number, b: number): number {
  const n = 256;
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 ? 4 : 2);
  return (sum * h) / 3;
}

/** Area under the S-curve below the threshold: how much dissimilar pairs become candidates. */
export function falsePositiveArea(threshold: number, bands: number, rows: number): number {
  return integrate((s) => candidateProbability(s, bands, rows), 0, threshold);
}

/** The similarity at which the banding must reach BAND_RECALL. */
export function recallPoint(threshold: number): number {
  return threshold + Math.min(RECALL_MARGIN, (1 - threshold) / 2);
}

/** Times a sketch position may be used by the bands: bands of later rounds overlap the first ones. */
export const MAX_POSITION_USES = 2;

/**
 * The (bands, rows) that makes pairs at `recallPoint(threshold)` candidates with probability at
 * least BAND_RECALL, with the smallest false-positive area, using each of the `size` positions at
 * most MAX_POSITION_USES times. For each number of rows only the fewest bands reaching the target
 * are considered (more bands only add false positives). With overlapping bands the probability is
 * close to, not exactly, the S-curve's (test/signals/near-duplicate.test.ts measures it).
 */
export function chooseBands(threshold: number, size: number): BandParams {
  const s = recallPoint(threshold);
  let best: BandParams = { bands: size, rows: 1 };
  let bestArea = Number.POSITIVE_INFINITY;
  for (let rows = 1; rows <= size; rows++) {
    const p = s ** rows;
    const bands = p >= 1 ? 1 : Math.ceil(Math.log(1 - BAND_RECALL) / Math.log1p(-p) - 1e-9);
    if (bands * rows > MAX_POSITION_USES * size) continue;
    const area = falsePositiveArea(threshold, bands, rows);
    if (area < bestArea) {
      bestArea = area;
      best = { bands, rows };
    }
  }
  return best;
}

/** Disjoint sets over 0..n-1 (union by size, path halving). */
export class UnionFind {
  readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.size = new Int32Array(n).fill(1);
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      const g = p[p[x]!]!;
      p[x] = g;
      x = g;
    }
    return x;
  }

  /** Joins the sets of a and b; false when they were already one. */
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return true;
  }

  /** Size of the set holding x. */
  setSize(x: number): number {
    return this.size[this.find(x)]!;
  }
}

export interface ClusterOptions extends BandParams {
  /** Estimated Jaccard similarity (b-bit corrected) a candidate pair needs to be joined. */
  threshold: number;
  /** Members of a bucket each newcomer is compared with, at most. */
  representatives: number;
  /** Seeds the band keys. */
  seed: number;
}

/**
 * The sketch positions of each band: bands of `rows` positions cut from the sketch in turn, and once
 * the sketch is used up, cut again from a seeded shuffle of its positions (a new round). Bands of one
 * round share no position; bands of different rounds share few (Gionis, Indyk & Motwani 1999 draw
 * each band's functions at random from the family; here the family is the sketch's positions).
 */
export function bandPositions(bands: number, rows: number, size: number, seed: number): Int32Array {
  const perRound = Math.floor(size / rows);
  if (perRound < 1) throw new RangeError(`bands of ${rows} rows do not fit in ${size} positions`);
  const out = new Int32Array(bands * rows);
  const order = Int32Array.from({ length: size }, (_, i) => i);
  let x = fmix32(seed ^ 0x6a09e667) | 1;
  for (let b = 0; b < bands; b++) {
    const within = b % perRound;
    if (within === 0 && b > 0) {
      // Fisher-Yates with xorshift32: the same rounds for the same seed.
      for (let i = size - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const j = (x >>> 0) % (i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    for (let r = 0; r < rows; r++) out[b * rows + r] = order[within * rows + r]!;
  }
  return out;
}

/**
 * The candidates of bands, verified. Items are grouped by each band's key (radix-partitioned by the
 * key's top bits so that each partition's hash table stays in cache: one table over millions of
 * keys is several times slower). The members of a bucket are taken in sketch order (a fingerprint
 * of the whole sketch, then its bytes), so the pairs found depend neither on the order of the items
 * nor on which bands are scanned together: any split of the bands between threads finds the same
 * pairs.
 */
export class BandScanner {
  private readonly n: number;
  private readonly pbits: number;
  /** The keys of each item in a group of bands (band-major), and the current band's view of them. */
  private readonly groupKeys: Uint32Array;
  private keys: Uint32Array;
  /** Partitioned keys and item indices. */
  private readonly pk: Uint32Array;
  private readonly pi: Int32Array;
  private readonly next: Int32Array;
  private readonly starts: Int32Array;
  private readonly words: Uint32Array;
  private readonly positions: Int32Array;
  /** A 32-bit fingerprint of each item's whole sketch: the first key of the member order. */
  private readonly print: Uint32Array;
  /** Hash table of one partition: chain head and count per slot, valid where stamp = partition. */
  private head = new Int32Array(1 << 12);
  private count = new Int32Array(1 << 12);
  private stamp = new Int32Array(1 << 12);
  private stamped = 0;
  /** Members of the current bucket, as positions in the partitioned arrays. */
  private members = new Int32Array(64);
  private readonly need: number;

  constructor(
    private readonly sketches: Uint8Array,
    private readonly size: number,
    private readonly items: Int32Array,
    private readonly options: ClusterOptions,
  ) {
    if (size % 4 !== 0 || sketches.byteOffset % 4 !== 0)
      throw new RangeError('sketch rows must be 4-byte aligned');
    this.positions = bandPositions(options.bands, options.rows, size, options.seed);
    this.n = items.length;
    this.pbits = Math.max(0, Math.min(16, Math.ceil(Math.log2(this.n / 32_768))));
    this.groupKeys = new Uint32Array(this.n * BAND_GROUP);
    this.keys = this.groupKeys.subarray(0, this.n);
    this.pk = new Uint32Array(this.n);
    this.pi = new Int32Array(this.n);
    this.next = new Int32Array(this.n);
    this.starts = new Int32Array((1 << this.pbits) + 1);
    this.words = new Uint32Array(sketches.buffer, sketches.byteOffset, sketches.byteLength >>> 2);
    this.need = agreementsFor(options.threshold, size);
    this.print = new Uint32Array(this.n);
    const quarter = size >>> 2;
    for (let i = 0; i < this.n; i++) {
      let at = items[i]! * quarter;
      let h = 0;
      for (let j = 0; j < quarter; j++) h = Math.imul(h ^ this.words[at++]!, 0x9e3779b1);
      this.print[i] = fmix32(h);
    }
  }

  /**
   * Whether items a and b agree on at least `need` positions, 4 at a time (equal bytes of a ^ b),
   * stopping as soon as the answer is known.
   */
  similar(a: number, b: number): boolean {
    const w = this.words;
    const quarter = this.size >>> 2;
    let ia = this.items[a]! * quarter;
    let ib = this.items[b]! * quarter;
    let miss = this.size - this.need; // disagreements allowed
    let hit = this.need; // agreements still needed
    for (let j = 0; j < quarter; j++) {
      const x = w[ia++]! ^ w[ib++]!;
      // High bit of each zero byte of x (Mycroft's zero-byte test), then the count of those bits.
      const zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
      const equal = Math.imul((zero >>> 7) & 0x01010101, 0x01010101) >>> 24;
      miss -= 4 - equal;
      hit -= equal;
      if (miss < 0) return false;
      if (hit <= 0) return true;
    }
    return true;
  }

  /** Member order of partitioned positions q and r: by fingerprint, then by sketch bytes. */
  private before(q: number, r: number): boolean {
    const a = this.pi[q]!;
    const b = this.pi[r]!;
    const pa = this.print[a]!;
    const pb = this.print[b]!;
    if (pa !== pb) return pa < pb;
    const s = this.sketches;
    const ia = this.items[a]! * this.size;
    const ib = this.items[b]! * this.size;
    for (let j = 0; j < this.size; j++) if (s[ia + j] !== s[ib + j]) return s[ia + j]! < s[ib + j]!;
    return false; // equal sketches behave identically
  }

  /**
   * The keys of every item for `bands` (at most BAND_GROUP of them): each band's positions' bytes,
   * mixed with the band's seed. Items are taken KEY_BLOCK at a time, and the block is keyed for every
   * band of the group while its sketch rows are in the cache: band by band, every row was read again
   * for every band (the costliest line of the scan).
   */
  private bandKeys(bands: number[]): void {
    for (let from = 0; from < this.n; from += KEY_BLOCK) {
      const to = Math.min(this.n, from + KEY_BLOCK);
      for (let b = 0; b < bands.length; b++) this.keyBlock(bands[b]!, b * this.n, from, to);
    }
  }

  /** The keys of items [from, to) for `band`, written to groupKeys from `out + from`. */
  private keyBlock(band: number, out: number, from: number, to: number): void {
    const { groupKeys, sketches, size, items, positions } = this;
    const width = this.options.rows;
    const seed = fmix32(this.options.seed ^ Math.imul(band + 1, 0x9e3779b1));
    const at = band * width;
    if (width > UNROLLED_ROWS) {
      for (let i = from; i < to; i++) {
        const row = items[i]! * size;
        let h = seed;
        for (let j = 0; j < width; j++) h = Math.imul(h ^ sketches[row + positions[at + j]!]!, FNV_PRIME);
        groupKeys[out + i] = fmix32(h);
      }
      return;
    }
    // The band's positions held in locals, the loop unrolled: twice as fast as reading them from
    // the table for every item. The tests of the width are the same for every item (predicted).
    const q0 = positions[at]!;
    const q1 = width > 1 ? positions[at + 1]! : 0;
    const q2 = width > 2 ? positions[at + 2]! : 0;
    const q3 = width > 3 ? positions[at + 3]! : 0;
    const q4 = width > 4 ? positions[at + 4]! : 0;
    const q5 = width > 5 ? positions[at + 5]! : 0;
    const q6 = width > 6 ? positions[at + 6]! : 0;
    const q7 = width > 7 ? positions[at + 7]! : 0;
    for (let i = from; i < to; i++) {
      const row = items[i]! * size;
      let h = Math.imul(seed ^ sketches[row + q0]!, FNV_PRIME);
      if (width > 1) h = Math.imul(h ^ sketches[row + q1]!, FNV_PRIME);
      if (width > 2) h = Math.imul(h ^ sketches[row + q2]!, FNV_PRIME);
      if (width > 3) h = Math.imul(h ^ sketches[row + q3]!, FNV_PRIME);
      if (width > 4) h = Math.imul(h ^ sketches[row + q4]!, FNV_PRIME);
      if (width > 5) h = Math.imul(h ^ sketches[row + q5]!, FNV_PRIME);
      if (width > 6) h = Math.imul(h ^ sketches[row + q6]!, FNV_PRIME);
      if (width > 7) h = Math.imul(h ^ sketches[row + q7]!, FNV_PRIME);
      groupKeys[out + i] = fmix32(h);
    }
  }

  /**
   * Scans `bands`, calling `edge(a, b)` for each candidate pair (item indices) at or above the
   * threshold and `onBand(band, compared)` after each band with the pairs it compared.
   */
  scan(
    bands: number[],
    edge: (a: number, b: number) => void,
    onBand?: (band: number, compared: number) => void,
  ): void {
    for (let from = 0; from < bands.length; from += BAND_GROUP) {
      const group = bands.slice(from, from + BAND_GROUP);
      this.bandKeys(group);
      group.forEach((band, b) => {
        this.keys = this.groupKeys.subarray(b * this.n, (b + 1) * this.n);
        onBand?.(band, this.scanKeys(edge));
      });
    }
  }

  /** One band, its keys computed: groups the items by key and verifies each bucket. */
  private scanKeys(edge: (a: number, b: number) => void): number {
    const { n, keys, pk, pi, next, starts, pbits } = this;
    const parts = 1 << pbits;
    const shift = 32 - pbits;
    starts.fill(0);
    if (pbits === 0) starts[1] = n;
    else for (let i = 0; i < n; i++) starts[(keys[i]! >>> shift) + 1]!++;
    for (let p = 0; p < parts; p++) starts[p + 1]! += starts[p]!;
    const fillAt = starts.slice(0, parts);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const q = pbits === 0 ? fillAt[0]!++ : fillAt[k >>> shift]!++;
      pk[q] = k;
      pi[q] = i;
    }

    let compared = 0;
    const buckets: number[] = [];
    const reps: number[] = [];
    for (let p = 0; p < parts; p++) {
      const a = starts[p]!;
      const b = starts[p + 1]!;
      if (b - a < 2) continue;
      let cap = 8;
      while (cap < 2 * (b - a)) cap *= 2;
      if (this.head.length < cap) {
        this.head = new Int32Array(cap);
        this.count = new Int32Array(cap);
        this.stamp = new Int32Array(cap);
        this.stamped = 0;
      }
      const head = this.head;
      const count = this.count;
      const stamp = this.stamp;
      this.stamped = (this.stamped + 1) | 0;
      const now = this.stamped;
      const mask = cap - 1;
      buckets.length = 0;
      for (let q = a; q < b; q++) {
        const k = pk[q]!;
        let s = k & mask;
        for (;;) {
          if (stamp[s] !== now) {
            stamp[s] = now;
            head[s] = -1;
            count[s] = 1;
            break;
          }
          if (pk[head[s]!] === k) {
            if (++count[s]! === 2) buckets.push(s);
            break;
          }
          s = (s + 1) & mask;
        }
        next[q] = head[s]!;
        head[s] = q;
      }
      if (buckets.length === 0) continue;
      for (const s of buckets) {
        // The bucket's members in sketch order (insertion sort: buckets are small). Two members
        // are compared once whatever their order.
        const m = count[s]!;
        if (this.members.length < m) this.members = new Int32Array(2 * m);
        const members = this.members;
        let len = 0;
        for (let q = head[s]!; q !== -1; q = next[q]!) {
          let j = len++;
          while (j > 0 && m > 2 && this.before(q, members[j - 1]!)) {
            members[j] = members[j - 1]!;
            j--;
          }
          members[j] = q;
        }
        // Leader clustering: each member is compared with the bucket's representatives (members
        // that matched none before them), at most `representatives` of them.
        reps.length = 0;
        for (let j = 0; j < len; j++) {
          const x = pi[members[j]!]!;
          let matched = false;
          for (const r of reps) {
            compared++;
            if (this.similar(x, r)) {
              edge(x, r);
              matched = true;
            }
          }
          if (!matched && reps.length < this.options.representatives) reps.push(x);
        }
      }
    }
    return compared;
  }
}

export interface ClusterStats {
  /** Pairs of sketches compared (members of a bucket and its representatives). */
  candidatePairs: number;
  /** Of those, pairs at or above the threshold. */
  joinedPairs: number;
}

/**
 * Joins, in `uf`, the items 0..n-1 that LSH banding makes candidates and whose estimated
 * similarity reaches the threshold, in this thread. Item i is the b-bit sketch at row `items[i]` of
 * `sketches` (`size` positions a row). `onBand` is called after each band and may throw to stop.
 */
export function clusterSketches(
  sketches: Uint8Array,
  size: number,
  items: Int32Array,
  options: ClusterOptions,
  uf: UnionFind,
  onBand?: (band: number) => void,
): ClusterStats {
  const stats: ClusterStats = { candidatePairs: 0, joinedPairs: 0 };
  if (items.length < 2) return stats;
  const scanner = new BandScanner(sketches, size, items, options);
  scanner.scan(
    Array.from({ length: options.bands }, (_, b) => b),
    (a, b) => {
      stats.joinedPairs++;
      uf.union(a, b);
    },
    (band, compared) => {
      stats.candidatePairs += compared;
      onBand?.(band);
    },
  );
  return stats;
}
