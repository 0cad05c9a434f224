/**
 * MinHash sketches of sets of 32-bit hashes.
 *
 * - MinHash (Broder, "On the resemblance and containment of documents", 1997): the probability that
 *   two sets have the same minimum under a random permutation is their Jaccard similarity, so the
 *   share of equal sketch positions estimates it.
 * - One-permutation hashing (Li, Owen & Zhang, "One Permutation Hashing", NIPS 2012): one hash per
 *   element instead of one per element and permutation. The hash's top bits choose one of `size`
 *   bins and the rest is the value; each bin keeps its minimum. A text is hashed once, not `size`
 *   times.
 * - Optimal densification (Shrivastava, "Optimal Densification for Fast and Accurate Minwise
 *   Hashing", ICML 2017): an empty bin (a short text leaves many) takes the minimum of the first
 *   non-empty bin along its own fixed pseudo-random probe sequence, the same sequence for every
 *   set. Two sets then agree on a bin with probability equal to their Jaccard similarity, as with
 *   `size` independent permutations.
 * - Copies: each element enters the sketch COPIES times, under independent hashes (the element's
 *   hash, then fmix32 of the previous one). The sketch is then that of A x {1..COPIES}, whose
 *   Jaccard similarity to B x {1..COPIES} is that of A and B, so every estimate keeps its meaning;
 *   but a short text (50 shingles in 128 bins) leaves about 40 bins empty instead of 85, and the
 *   densification of empty bins was two thirds of the sketching time.
 * - b-bit storage (Li & König, "b-Bit Minwise Hashing", WWW 2010): only the low 8 bits of each
 *   value are kept. Two different values agree by chance with probability 1/256, which the
 *   estimator subtracts; the sketch takes a quarter of the memory with almost no loss of accuracy.
 */
import { fmix32, SHINGLE_BASE, shingleKey } from './shingles.js';

/** Bits kept per sketch position. */
export const SKETCH_BITS = 8;
/** Chance that two different values agree on their low bits. */
const CHANCE = 1 / (1 << SKETCH_BITS);
/** An empty bin (values are below 2^31 for sketches of 2 bins or more). */
const EMPTY = 0x7fffffff;
/** Probes per bin kept in a table (later ones are computed; they are rarely needed). */
const PROBES = 4;
/** Times each element enters the sketch (see the header). */
export const COPIES = 3;
/** Mixed into a hash to give the element's next copy. */
const COPY_KEY = 0x5f356495;

export class OnePermutationHasher {
  /** Sketch positions (bins), a power of two. */
  readonly size: number;
  private readonly shift: number;
  private readonly valueMask: number;
  private readonly probeKey: number;
  private readonly mins: Int32Array;
  /** The first PROBES bins of each bin's densification probe sequence. */
  private readonly probes: Int32Array;
  private readonly empties: Int32Array;
  private readonly donated: Int32Array;

  constructor(size: number, seed: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 2 || size > 1 << 16)
      throw new RangeError(`sketch size must be a power of two from 2 to 65536, not ${size}`);
    this.size = size;
    this.shift = 32 - Math.log2(size);
    this.valueMask = 2 ** this.shift - 1;
    this.probeKey = fmix32(seed ^ 0x27d4eb2f);
    this.mins = new Int32Array(size);
    this.empties = new Int32Array(size);
    this.donated = new Int32Array(size);
    this.probes = new Int32Array(size * PROBES);
    for (let b = 0; b < size; b++)
      for (let a = 0; a < PROBES; a++) this.probes[b * PROBES + a] = this.probe(b, a + 1);
  }

  /** The bin probed at `attempt` (1, 2, ...) for an empty bin `b`: the same for every set. */
  private probe(b: number, attempt: number): number {
    return (
      fmix32(this.probeKey ^ Math.imul(b + 1, 0x9e3779b1) ^ Math.imul(attempt, 0x85ebca6b)) >>> this.shift
    );
  }

  /** Bin minima of the hashes `hashes[0, n)`. */
  private fill(hashes: Uint32Array, n: number): void {
    const mins = this.mins;
    mins.fill(EMPTY);
    const shift = this.shift;
    const mask = this.valueMask;
    for (let j = 0; j < n; j++) {
      let h = hashes[j]!;
      for (let c = 0; c < COPIES; c++) {
        if (c > 0) h = fmix32(h ^ COPY_KEY);
        const bin = h >>> shift;
        const d = (h & mask) - mins[bin]!;
        mins[bin]! += d & (d >> 31); // min without a branch: which bin gets a new minimum is random
      }
    }
  }

  /**
   * Bin minima of the `k`-shingles of the code points `cps[0, n)`, hashed as `shingleHashes` does
   * (the same sketch, without the intermediate list).
   */
  private fillShingles(cps: Uint32Array, n: number, k: number, seed: number): void {
    const mins = this.mins;
    mins.fill(EMPTY);
    if (n === 0) return;
    const shift = this.shift;
    const mask = this.valueMask;
    const key = shingleKey(seed);
    const width = Math.min(k, n);
    let bk = 1;
    let h = 0;
    for (let j = 0; j < width - 1; j++) {
      h = (Math.imul(h, SHINGLE_BASE) + cps[j]!) | 0;
      bk = Math.imul(bk, SHINGLE_BASE);
    }
    bk = Math.imul(bk, SHINGLE_BASE);
    for (let j = width - 1; j < n; j++) {
      h = (Math.imul(h, SHINGLE_BASE) + cps[j]!) | 0;
      if (j >= width) h = (h - Math.imul(cps[j - width]!, bk)) | 0;
      let x = fmix32(h ^ key);
      for (let c = 0; c < COPIES; c++) {
        if (c > 0) x = fmix32(x ^ COPY_KEY);
        const bin = x >>> shift;
        const d = (x & mask) - mins[bin]!;
        mins[bin]! += d & (d >> 31);
      }
    }
  }

  /**
   * Gives each empty bin the minimum of the first bin along its probe sequence that was non-empty
   * before densification (optimal densification). An empty set stays all EMPTY.
   */
  private densify(): void {
    const size = this.size;
    const mins = this.mins;
    const empties = this.empties;
    const donated = this.donated;
    const probes = this.probes;
    let ne = 0;
    for (let b = 0; b < size; b++) {
      empties[ne] = b;
      ne += (EMPTY - 1 - mins[b]!) >>> 31; // 1 when the bin is empty
    }
    if (ne === 0 || ne === size) return;
    for (let e = 0; e < ne; e++) {
      const b = empties[e]!;
      const p = b * PROBES;
      // The first non-empty of the tabled probes, without branches: the emptiness pattern is
      // random, so branches would be mispredicted half of the time.
      let v = mins[probes[p + PROBES - 1]!]!;
      for (let a = PROBES - 2; a >= 0; a--) {
        const x = mins[probes[p + a]!]!;
        const isValue = (x - EMPTY) >> 31; // -1 when x is a value
        v = (x & isValue) | (v & ~isValue);
      }
      for (let attempt = PROBES + 1; v === EMPTY; attempt++) v = mins[this.probe(b, attempt)]!;
      donated[e] = v;
    }
    for (let e = 0; e < ne; e++) mins[empties[e]!] = donated[e]!;
  }

  /**
   * Writes the sketch of the set `hashes[0, n)` to `out[at, at + size)`, full values. An empty set
   * gives all-EMPTY positions (its similarity to anything is undefined).
   */
  sketch(hashes: Uint32Array, n: number, out: Uint32Array, at = 0): void {
    this.fill(hashes, n);
    this.densify();
    out.set(this.mins, at);
  }

  /** As `sketch`, keeping the low SKETCH_BITS bits of each position. */
  sketchBits(hashes: Uint32Array, n: number, out: Uint8Array, at = 0): void {
    this.fill(hashes, n);
    this.densify();
    out.set(this.mins, at); // keeps the low 8 bits
  }

  /**
   * The b-bit sketch of the `k`-shingles of the code points `cps[0, n)` (seeded as
   * `shingleHashes`): equal to `sketchBits(shingleHashes(...))`, faster.
   */
  sketchShinglesBits(cps: Uint32Array, n: number, k: number, seed: number, out: Uint8Array, at = 0): void {
    this.fillShingles(cps, n, k, seed);
    this.densify();
    out.set(this.mins, at); // keeps the low 8 bits
  }
}

/** Estimated Jaccard similarity of two full-value sketches of `size` positions. */
export function estimateJaccard(
  a: Uint32Array,
  ia: number,
  b: Uint32Array,
  ib: number,
  size: number,
): number {
  let eq = 0;
  for (let j = 0; j < size; j++) if (a[ia + j] === b[ib + j]) eq++;
  return eq / size;
}

/** Estimated Jaccard similarity of two b-bit sketches, corrected for chance agreement. */
export function estimateJaccardBits(
  a: Uint8Array,
  ia: number,
  b: Uint8Array,
  ib: number,
  size: number,
): number {
  let eq = 0;
  for (let j = 0; j < size; j++) if (a[ia + j] === b[ib + j]) eq++;
  return Math.max(0, (eq / size - CHANCE) / (1 - CHANCE));
}

/** Equal positions two b-bit sketches of `size` positions need for an estimate of at least `threshold`. */
export function agreementsFor(threshold: number, size: number): number {
  return Math.ceil(size * (threshold * (1 - CHANCE) + CHANCE) - 1e-9);
}
