/**
 * The co-actions of every pair of accounts, enumerated in TypeScript over the units (pairs.ts) read
 * as typed arrays, one account at a time, in blocks of accounts shared out to worker threads.
 *
 * Why not SQL: at 10M simulated posts the joins put about 120M pairs of posts together, nearly all
 * of them the only co-action of their pair of accounts. In SQL they had to meet in one hash
 * aggregate over all pairs of accounts (about 0.3 CPU-µs a row, with spilling), only to learn that
 * most pairs have one co-action. Here each account's co-actors are gathered in a small table of its
 * own (most fit in the L1 cache), and the result is the same, pair for pair and digit for digit.
 *
 * For account a (in index order) and each of its units x, the co-actors are the units v of other
 * accounts with a larger index (so each unordered pair of units is met once):
 * - in x's bucket (same signal, object and bucket): always within the window;
 * - in the next bucket, when t0(v) - t1(x) <= window;
 * - in the previous bucket, when t0(x) - t1(v) <= window.
 *
 * The walk over a's co-actions records, per co-actor b (in a table of a's own, most of which fit in
 * the L1 cache), the signals the pair co-acts in and whether it has two distinct pairs of posts (a's
 * post, b's post), and lists the co-actions in a buffer. Then the co-actions of the pairs that have
 * two (or of every pair when `keepAll`) are grouped by pair of posts, each with its signals and the
 * largest IDF weight of its co-actions (that of the thinner crowd), and each pair of accounts with
 * K >= minParticipation gets what the pair tests read (significance.ts): K, the distinct pairs of
 * posts; their weights' sum, added in ascending order as `stableSum` does in SQL, so that it is the
 * same to the last bit; its signals; K per signal; and its expected co-actions under the null model,
 * per signal and in all (Expectation). The evidence's closest co-actions come from SQL, for the few
 * accounts shown (pairs.ts: localEvents).
 *
 * Memory reads are what costs: the units of a bucket are read in sequence, and each account's own
 * units are copied once, in account order, with what the walk needs of them (WalkBuilder).
 */

import { CROSS_STRATUM } from './significance.js';

/** A chunk of units, sorted (over all chunks) by signal, object, bucket, then account index. */
export interface UnitChunk {
  sid: Uint8Array;
  /** The object's 64-bit key as (low, high) 32-bit halves: two entries a unit. */
  ok: Uint32Array;
  /** Bucket, relative to the signal's first. */
  b: Int32Array;
  /** First and last time of the unit, seconds relative to the earliest unit. */
  t0: Int32Array;
  t1: Int32Array;
  /** Dense account index (det_accounts: in account key order). */
  ai: Uint32Array;
  /** The unit's post (its earliest action's row id). */
  pr: Uint32Array;
  idf: Float64Array;
}

export interface CoActionCounts {
  /** Distinct pairs of accounts co-acting in each signal (index: signal id). */
  pairsPerSignal: number[];
  /** Pairs of accounts whose pairs of posts were emitted. */
  keptPairs: number;
  /** Pairs of units met (co-actions before they are counted as pairs of posts). */
  coActions: number;
}

/**
 * What a block of accounts emits for the pair tests, as columns: per pair of accounts (a1 < a2 by
 * index) with K >= minParticipation, K (distinct pairs of posts), the sum of their IDF weights, the
 * signals (bits) and the expected co-actions mu; and per such pair and signal, K and mu in that
 * signal.
 */
export interface PairTotals {
  pairs: number;
  a1: Uint32Array;
  a2: Uint32Array;
  k: Uint32Array;
  w: Float64Array;
  sigs: Uint32Array;
  mu: Float64Array;
  signalRows: number;
  sa1: Uint32Array;
  sa2: Uint32Array;
  sid: Uint8Array;
  sk: Uint32Array;
  smu: Float64Array;
}

/**
 * What the walk reads, built once by WalkBuilder (over shared memory when worker threads will read
 * it) and never written after.
 */
export interface WalkData {
  accounts: number;
  /** Window of each signal, seconds (index: signal id). */
  windows: Int32Array;
  /**
   * Per unit, in window order (signal, object, bucket, account), MEMBER words: account, post, first
   * and last time. 16 bytes a unit: the walk's reads are mostly here, in buckets far apart.
   */
  member: Uint32Array;
  /**
   * Per unit in account order, OWN words: the range of its bucket's units in `member` [lo, hi),
   * where the next bucket's range ends (hi when there is none) and the previous one's starts (lo
   * when none), its post, first and last time, and its signal.
   */
  own: Uint32Array;
  /**
   * Per unit in account order, three IDF weights: of the previous bucket, its own, of the next (0
   * where there is none). A weight depends on the crowd of a bucket only (pairs.ts), so every unit
   * of a bucket has its bucket's, and the walk reads it once a run rather than once a co-actor.
   */
  ownWeights: Float64Array;
  /** Each account's first position in account order (accounts + 1 entries). */
  first: Uint32Array;
  /** Co-actions each account can have at most (its units' buckets and their neighbours). */
  bound: Float64Array;
  /** The accounts' exposure, for the expected co-actions of each pair (null model). */
  exposure: Exposure;
}

/**
 * Each account's exposure for the null model (det_exposure, pairs.ts), as rows sorted by account
 * index, signal and stratum (numbered densely): its units m and its shares r of a stratum's and g
 * of the signal's units in its crowds.
 */
export interface Exposure {
  /** Each account's first row (accounts + 1 entries). */
  first: Uint32Array;
  sid: Uint8Array;
  st: Uint32Array;
  m: Float64Array;
  r: Float64Array;
  g: Float64Array;
}

/** Words per unit in WalkData.member and WalkData.own. */
const MEMBER = 4;
const OWN = 8;

type Typed = Uint8Array | Uint32Array | Int32Array | Float64Array;

/** A copy of `a` in a new array of the same type and length `n` (>= a.length). */
function grownTo<T extends Typed>(a: T, n: number): T {
  const b = new (a.constructor as new (length: number) => T)(n);
  b.set(a as never);
  return b;
}

function typed<T extends Typed>(make: new (b: ArrayBufferLike) => T, length: number, shared: boolean): T {
  const bytes = length * (make as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  return new make(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** A growable typed array. */
class Growable<T extends Typed> {
  size = 0;
  constructor(public items: T) {}
  push(value: number): void {
    if (this.size === this.items.length) this.items = grownTo(this.items, this.items.length * 2);
    this.items[this.size++] = value;
  }
}

/**
 * Builds the walk's structures from the units, chunk by chunk as the store streams them (sorted by
 * signal, object, bucket, account), then in account order (`finish`).
 */
export class WalkBuilder {
  private readonly member: Uint32Array;
  /** Per unit: its bucket and signal. */
  private bucketOf: Uint32Array;
  private sidOf: Uint8Array;
  /** Per bucket: first unit, bucket number, window group (signal and object), weight. */
  private readonly starts = new Growable(new Uint32Array(1024));
  private readonly bucketWeights = new Growable(new Float64Array(1024));
  private readonly bucketB = new Growable(new Int32Array(1024));
  private readonly bucketGroup = new Growable(new Uint32Array(1024));
  /** The current window group: its number, signal and object key halves. */
  private group = -1;
  private lastSid = -1;
  private lastLo = 0;
  private lastHi = 0;
  private row = 0;

  constructor(
    private readonly units: number,
    private readonly windows: ArrayLike<number>,
    private readonly accounts: number,
    private readonly shared: boolean,
  ) {
    this.member = typed(Uint32Array, MEMBER * units, shared);
    this.bucketOf = new Uint32Array(units);
    this.sidOf = new Uint8Array(units);
  }

  add(c: UnitChunk, count: number): void {
    const { member, bucketOf, sidOf, starts, bucketB, bucketGroup, bucketWeights } = this;
    for (let i = 0; i < count; i++, this.row++) {
      const r = this.row;
      const sid = c.sid[i]!;
      const lo = c.ok[2 * i]!;
      const hi = c.ok[2 * i + 1]!;
      const newGroup = this.group < 0 || sid !== this.lastSid || lo !== this.lastLo || hi !== this.lastHi;
      if (newGroup) {
        this.group++;
        this.lastSid = sid;
        this.lastLo = lo;
        this.lastHi = hi;
      }
      const b = c.b[i]!;
      if (newGroup || b !== bucketB.items[bucketB.size - 1]) {
        starts.push(r);
        bucketB.push(b);
        bucketGroup.push(this.group);
        bucketWeights.push(c.idf[i]!);
      } else if (c.idf[i] !== bucketWeights.items[bucketWeights.size - 1])
        throw new Error('the units of a bucket have different weights');
      bucketOf[r] = starts.size - 1;
      sidOf[r] = sid;
      member[r * MEMBER] = c.ai[i]!;
      member[r * MEMBER + 1] = c.pr[i]!;
      member[r * MEMBER + 2] = c.t0[i]!;
      member[r * MEMBER + 3] = c.t1[i]!;
    }
  }

  finish(exposure: Exposure): WalkData {
    const { member, bucketOf, sidOf, accounts, shared } = this;
    const n = this.units;
    if (this.row !== n) throw new Error(`expected ${n} units, read ${this.row}`);
    const buckets = this.starts.size;
    const start = this.starts.items;
    const bucketB = this.bucketB.items;
    const bucketGroup = this.bucketGroup.items;
    const bucketWeights = this.bucketWeights.items;
    const end = (k: number) => (k + 1 < buckets ? start[k + 1]! : n);
    // A bucket's neighbours in time are the runs beside it in window order, when of the same group
    // and one bucket apart.
    const hasNext = (k: number) =>
      k + 1 < buckets && bucketGroup[k + 1] === bucketGroup[k] && bucketB[k + 1] === bucketB[k]! + 1;
    const first = typed(Uint32Array, accounts + 1, shared);
    for (let i = 0; i < n; i++) first[member[i * MEMBER]! + 1]!++;
    for (let a = 0; a < accounts; a++) first[a + 1]! += first[a]!;
    const fill = first.slice(0, accounts);
    const own = typed(Uint32Array, OWN * n, shared);
    const ownWeights = typed(Float64Array, 3 * n, shared);
    const bound = typed(Float64Array, accounts, shared);
    for (let x = 0; x < n; x++) {
      const a = member[x * MEMBER]!;
      const o = fill[a]!++;
      const k = bucketOf[x]!;
      const lo = start[k]!;
      const hi = end(k);
      const next = hasNext(k);
      const prev = k > 0 && hasNext(k - 1);
      const nextEnd = next ? end(k + 1) : hi;
      const prevStart = prev ? start[k - 1]! : lo;
      const w = o * OWN;
      own[w] = lo;
      own[w + 1] = hi;
      own[w + 2] = nextEnd;
      own[w + 3] = prevStart;
      own[w + 4] = member[x * MEMBER + 1]!;
      own[w + 5] = member[x * MEMBER + 2]!;
      own[w + 6] = member[x * MEMBER + 3]!;
      own[w + 7] = sidOf[x]!;
      ownWeights[3 * o] = prev ? bucketWeights[k - 1]! : 0;
      ownWeights[3 * o + 1] = bucketWeights[k]!;
      ownWeights[3 * o + 2] = next ? bucketWeights[k + 1]! : 0;
      bound[a]! += nextEnd - prevStart;
    }
    // Only what the walk reads is kept.
    this.bucketOf = new Uint32Array(0);
    this.sidOf = new Uint8Array(0);
    const windows = typed(Int32Array, 32, shared);
    for (let s = 0; s < 32; s++) windows[s] = this.windows[s] ?? 0;
    return { accounts, windows, member, own, ownWeights, first, bound, exposure };
  }
}

/** Bit 31 of a co-actor's flags: two distinct pairs of posts seen; bit 30: kept; bits 0-29: its signals. */
const MULTI = 0x80000000;
const KEPT = 0x40000000;
const SIGNALS = 0x3fffffff;

/** The smallest power of two >= 2n (and >= 16): a table at most half full. */
function tableSize(n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  return size;
}

/**
 * Open-addressing table of the current account's co-actors: per slot the co-actor's index + 1
 * (0: free), the first pair of posts seen with it, and its flags. Four 32-bit words a slot, so a
 * probe touches one cache line; sized per account, so most accounts' tables stay in the L1 cache.
 */
class CoActorTable {
  words = new Uint32Array(16 * 4);
  mask = 15;
  readonly used: number[] = [];

  /** Empties the table and makes room for `n` co-actors. */
  reset(n: number): void {
    const size = tableSize(n);
    if (size * 4 > this.words.length) this.words = new Uint32Array(size * 4);
    else for (const slot of this.used) this.words[slot * 4] = 0;
    this.used.length = 0;
    this.mask = size - 1;
  }

  /** The slot of co-actor `b`, claimed (with its first pair of posts and `flags`) if new. */
  slot(b: number, pa: number, pb: number, flags: number): number {
    const words = this.words;
    let h = (Math.imul(b, 0x9e3779b1) >>> 16) & this.mask;
    for (;;) {
      const key = words[h * 4]!;
      if (key === b + 1) return h;
      if (key === 0) {
        words[h * 4] = b + 1;
        words[h * 4 + 1] = pa;
        words[h * 4 + 2] = pb;
        words[h * 4 + 3] = flags;
        this.used.push(h);
        return h;
      }
      h = (h + 1) & this.mask;
    }
  }
}

/**
 * Open-addressing table of the kept co-actors' pairs of posts: (co-actor's slot, post a, post b) ->
 * the signals they co-act in (bits) and the largest IDF weight of their co-actions.
 */
class PostPairTable {
  keys = new Uint32Array(16 * 4);
  idf = new Float64Array(16);
  mask = 15;
  /** Slots in the order their pairs of posts were first met. */
  readonly order: number[] = [];

  reset(n: number): void {
    const size = tableSize(n);
    if (size > this.idf.length) {
      this.keys = new Uint32Array(size * 4);
      this.idf = new Float64Array(size);
    } else for (const slot of this.order) this.keys[slot * 4] = 0;
    this.order.length = 0;
    this.mask = size - 1;
  }

  add(slot: number, pa: number, pb: number, bit: number, idf: number): void {
    const keys = this.keys;
    let h =
      ((Math.imul(slot, 0x9e3779b1) ^ Math.imul(pa, 0x85ebca77) ^ Math.imul(pb, 0xc2b2ae3d)) >>> 12) &
      this.mask;
    for (;;) {
      const key = keys[h * 4]!;
      if (key === 0) {
        keys[h * 4] = slot + 1;
        keys[h * 4 + 1] = pa;
        keys[h * 4 + 2] = pb;
        keys[h * 4 + 3] = bit;
        this.idf[h] = idf;
        this.order.push(h);
        return;
      }
      if (key === slot + 1 && keys[h * 4 + 1] === pa && keys[h * 4 + 2] === pb) {
        keys[h * 4 + 3]! |= bit;
        if (idf > this.idf[h]!) this.idf[h] = idf;
        return;
      }
      h = (h + 1) & this.mask;
    }
  }
}

/** Growable columns of pair totals. */
class TotalsBuffer {
  private readonly a1 = new Growable(new Uint32Array(1024));
  private readonly a2 = new Growable(new Uint32Array(1024));
  private readonly k = new Growable(new Uint32Array(1024));
  private readonly w = new Growable(new Float64Array(1024));
  private readonly sigs = new Growable(new Uint32Array(1024));
  private readonly mu = new Growable(new Float64Array(1024));
  private readonly sa1 = new Growable(new Uint32Array(1024));
  private readonly sa2 = new Growable(new Uint32Array(1024));
  private readonly sid = new Growable(new Uint8Array(1024));
  private readonly sk = new Growable(new Uint32Array(1024));
  private readonly smu = new Growable(new Float64Array(1024));

  pushPair(a1: number, a2: number, k: number, w: number, sigs: number, mu: number): void {
    this.a1.push(a1);
    this.a2.push(a2);
    this.k.push(k);
    this.w.push(w);
    this.sigs.push(sigs);
    this.mu.push(mu);
  }

  pushSignal(a1: number, a2: number, sid: number, k: number, mu: number): void {
    this.sa1.push(a1);
    this.sa2.push(a2);
    this.sid.push(sid);
    this.sk.push(k);
    this.smu.push(mu);
  }

  /** The columns trimmed to their size (copies: their buffers can be transferred). */
  trimmed(): PairTotals {
    const t = <T extends Typed>(g: Growable<T>) => g.items.slice(0, g.size) as T;
    return {
      pairs: this.a1.size,
      a1: t(this.a1),
      a2: t(this.a2),
      k: t(this.k),
      w: t(this.w),
      sigs: t(this.sigs),
      mu: t(this.mu),
      signalRows: this.sa1.size,
      sa1: t(this.sa1),
      sa2: t(this.sa2),
      sid: t(this.sid),
      sk: t(this.sk),
      smu: t(this.smu),
    };
  }
}

/**
 * The expected co-actions of pairs of accounts under the null model (significance.ts), per signal
 * both act in and summed over them. Each sum is added in ascending order and each expression
 * evaluated in the order of the SQL it replaces (`stableSum`), so the values are the same to the
 * last bit (a test compares them with that SQL):
 *   strata(s) = sum over shared strata of (m_a r_b + m_b r_a), halved;
 *   pooled(s) = (M_a G_b + M_b G_a) / 2, M and G the signal's m and g summed over strata;
 *   lambda(s) = (1 - CROSS_STRATUM) strata(s) + CROSS_STRATUM pooled(s).
 */
class Expectation {
  private terms = new Float64Array(16);
  private ga = new Float64Array(16);
  private gb = new Float64Array(16);
  /** lambda per signal (by signal id), and the values of the current pair in signal order. */
  private readonly perSignal = new Float64Array(32);
  private readonly lambdas = new Float64Array(32);

  constructor(private readonly e: Exposure) {}

  /** lambda(a, b) over all signals; lambda per signal in `signal(sid)` until the next call. */
  pair(a: number, b: number): number {
    const { first, sid, st, m, r, g } = this.e;
    let i = first[a]!;
    let j = first[b]!;
    const ie = first[a + 1]!;
    const je = first[b + 1]!;
    let signals = 0;
    while (i < ie && j < je) {
      const s = sid[i]!;
      const t = sid[j]!;
      let i2 = i;
      while (i2 < ie && sid[i2] === s) i2++;
      let j2 = j;
      while (j2 < je && sid[j2] === t) j2++;
      if (s !== t) {
        if (s < t) i = i2;
        else j = j2;
        continue;
      }
      if (this.terms.length < i2 - i + j2 - j) {
        const n = 2 * (i2 - i + j2 - j);
        this.terms = new Float64Array(n);
        this.ga = new Float64Array(n);
        this.gb = new Float64Array(n);
      }
      // Strata of the signal both accounts act in (rows sorted by stratum).
      let nt = 0;
      for (let p = i, q = j; p < i2 && q < j2; ) {
        if (st[p]! < st[q]!) p++;
        else if (st[p]! > st[q]!) q++;
        else {
          this.terms[nt++] = m[p]! * r[q]! + m[q]! * r[p]!;
          p++;
          q++;
        }
      }
      const strata = nt > 0 ? ascendingSum(this.terms, 0, nt) / 2 : 0;
      let ma = 0;
      let mb = 0;
      for (let p = i; p < i2; p++) {
        ma += m[p]!;
        this.ga[p - i] = g[p]!;
      }
      for (let q = j; q < j2; q++) {
        mb += m[q]!;
        this.gb[q - j] = g[q]!;
      }
      const ga = ascendingSum(this.ga, 0, i2 - i);
      const gb = ascendingSum(this.gb, 0, j2 - j);
      const pooled = (ma * gb + mb * ga) / 2;
      const lambda = (1 - CROSS_STRATUM) * strata + CROSS_STRATUM * pooled;
      this.perSignal[s] = lambda;
      this.lambdas[signals++] = lambda;
      i = i2;
      j = j2;
    }
    return ascendingSum(this.lambdas, 0, signals);
  }

  signal(sid: number): number {
    return this.perSignal[sid]!;
  }
}

/**
 * The sum of `v[from, to)` in ascending order (sorting the range in place), as `stableSum` adds in
 * SQL (list_sum of list_sort: left to right from 0), so that both give the same bits.
 */
function ascendingSum(v: Float64Array, from: number, to: number): number {
  if (to - from > 16) v.subarray(from, to).sort();
  else
    for (let i = from + 1; i < to; i++) {
      const x = v[i]!;
      let j = i;
      for (; j > from && v[j - 1]! > x; j--) v[j] = v[j - 1]!;
      v[j] = x;
    }
  let sum = 0;
  for (let i = from; i < to; i++) sum += v[i]!;
  return sum;
}

/** Growable columns of the current account's co-actions: co-actor slot, posts, signal, weight. */
class CoActionBuffer {
  capacity = 4096;
  slot = new Uint32Array(this.capacity);
  pa = new Uint32Array(this.capacity);
  pb = new Uint32Array(this.capacity);
  sid = new Uint8Array(this.capacity);
  idf = new Float64Array(this.capacity);

  grow(): void {
    this.capacity *= 2;
    this.slot = grownTo(this.slot, this.capacity);
    this.pa = grownTo(this.pa, this.capacity);
    this.pb = grownTo(this.pb, this.capacity);
    this.sid = grownTo(this.sid, this.capacity);
    this.idf = grownTo(this.idf, this.capacity);
  }
}

/**
 * The current account's kept co-actors, numbered densely, and their totals over the pairs of posts
 * in a PostPairTable: K, the weights (grouped by co-actor to be summed in order) and K per signal.
 */
class KeptCoActors {
  size = 0;
  /** Per co-actor slot: its number among the kept (valid for kept slots). */
  private index = new Int32Array(16);
  /** Per kept co-actor: its slot, K, and where its weights start; K per signal (32 a co-actor). */
  private slot = new Int32Array(16);
  private k = new Int32Array(16);
  private start = new Int32Array(17);
  private perSignal = new Int32Array(16 * 32);
  private weights = new Float64Array(64);

  reset(slots: number): void {
    if (this.index.length < slots) this.index = new Int32Array(slots);
    this.size = 0;
  }

  add(slot: number): void {
    if (this.size === this.slot.length) {
      const n = 2 * this.size;
      this.slot = grownTo(this.slot, n);
      this.k = new Int32Array(n);
      this.start = new Int32Array(n + 1);
      this.perSignal = new Int32Array(32 * n);
    }
    this.index[slot] = this.size;
    this.slot[this.size++] = slot;
  }

  /**
   * Pushes to `out` the totals of each kept co-actor of account `a` with K >= minParticipation,
   * with their expected co-actions (`ws`: the co-actor table's words, giving its index and signals).
   */
  total(
    a: number,
    postPairs: PostPairTable,
    ws: Uint32Array,
    minParticipation: number,
    expectation: Expectation,
    out: TotalsBuffer,
  ): void {
    const { index, slot, k, start, perSignal, size } = this;
    const { keys, idf, order } = postPairs;
    k.fill(0, 0, size);
    perSignal.fill(0, 0, 32 * size);
    for (const h of order) {
      const j = index[keys[h * 4]! - 1]!;
      k[j]!++;
      for (let bits = keys[h * 4 + 3]!; bits !== 0; bits &= bits - 1)
        perSignal[32 * j + 31 - Math.clz32(bits & -bits)]!++;
    }
    start[0] = 0;
    for (let j = 0; j < size; j++) start[j + 1] = start[j]! + k[j]!;
    if (this.weights.length < order.length) this.weights = new Float64Array(2 * order.length);
    const weights = this.weights;
    // Each co-actor's weights in its range (start moves to the range's end, then back).
    for (const h of order) weights[start[index[keys[h * 4]! - 1]!]!++] = idf[h]!;
    for (let j = 0; j < size; j++) {
      const end = start[j]!;
      const n = k[j]!;
      if (n < minParticipation) continue;
      const s = slot[j]!;
      const b = ws[s * 4]! - 1;
      const sigs = ws[s * 4 + 3]! & SIGNALS;
      const mu = expectation.pair(a, b);
      out.pushPair(a, b, n, ascendingSum(weights, end - n, end), sigs, mu);
      for (let bits = sigs; bits !== 0; bits &= bits - 1) {
        const sid = 31 - Math.clz32(bits & -bits);
        out.pushSignal(a, b, sid, perSignal[32 * j + sid]!, expectation.signal(sid));
      }
    }
  }
}

/**
 * The co-actions of accounts [from, to) with accounts of larger index: the totals of every pair with
 * at least `minParticipation` distinct pairs of posts, and the counts.
 */
export function walkAccounts(
  d: WalkData,
  from: number,
  to: number,
  minParticipation: number,
): { totals: PairTotals; counts: CoActionCounts } {
  const { member, own, ownWeights, first, bound, windows } = d;
  // A pair needs two distinct pairs of posts to be kept, unless one is enough.
  const keepAll = minParticipation <= 1;
  const coActors = new CoActorTable();
  const postPairs = new PostPairTable();
  const rows = new CoActionBuffer();
  const kept = new KeptCoActors();
  const expectation = new Expectation(d.exposure);
  const totals = new TotalsBuffer();
  const pairsPerSignal = new Array<number>(32).fill(0);
  let keptPairs = 0;
  let coActions = 0;

  for (let a = from; a < to; a++) {
    if (first[a] === first[a + 1]) continue;
    coActors.reset(Math.min(bound[a]!, d.accounts));
    let size = 0;
    for (let o = first[a]!; o < first[a + 1]!; o++) {
      const w = o * OWN;
      const lo = own[w]!;
      const hi = own[w + 1]!;
      const pa = own[w + 4]!;
      const t0 = own[w + 5]!;
      const t1 = own[w + 6]!;
      const sid = own[w + 7]!;
      const wx = ownWeights[3 * o + 1]!;
      const bit = 1 << sid;
      const window = windows[sid]!;
      // Three runs of candidates: the previous bucket, x's own, the next. Within a bucket units are
      // in account order: each run is walked down from its end while the index is larger.
      for (let run = 0; run < 3; run++) {
        const low = run === 0 ? own[w + 3]! : run === 1 ? lo : hi;
        const high = run === 0 ? lo : run === 1 ? hi : own[w + 2]!;
        // The smaller of the two units' weights: the co-action's (that of the thinner crowd).
        const weight = Math.min(wx, ownWeights[3 * o + run]!);
        for (let v = high - 1; v >= low && member[v * MEMBER]! > a; v--) {
          // Units of one bucket are always within the window; of neighbouring buckets, when the
          // later one's first time is within the window of the earlier one's last.
          if (
            run === 2
              ? member[v * MEMBER + 2]! - t1 > window
              : run === 0 && t0 - member[v * MEMBER + 3]! > window
          )
            continue;
          const pb = member[v * MEMBER + 1]!;
          const h = coActors.slot(member[v * MEMBER]!, pa, pb, bit);
          const ws = coActors.words;
          ws[h * 4 + 3]! |= bit | (ws[h * 4 + 1] !== pa || ws[h * 4 + 2] !== pb ? MULTI : 0);
          if (size === rows.capacity) rows.grow();
          rows.slot[size] = h;
          rows.pa[size] = pa;
          rows.pb[size] = pb;
          rows.sid[size] = sid;
          rows.idf[size] = weight;
          size++;
        }
      }
    }
    coActions += size;
    const ws = coActors.words;
    kept.reset(coActors.mask + 1);
    for (const slot of coActors.used) {
      const f = ws[slot * 4 + 3]!;
      for (let bits = f & SIGNALS; bits !== 0; bits &= bits - 1)
        pairsPerSignal[31 - Math.clz32(bits & -bits)]!++;
      if (keepAll || f & MULTI) {
        ws[slot * 4 + 3] = f | KEPT;
        kept.add(slot);
      }
    }
    if (kept.size === 0) continue;
    keptPairs += kept.size;
    postPairs.reset(size);
    for (let i = 0; i < size; i++) {
      const h = rows.slot[i]!;
      if (ws[h * 4 + 3]! & KEPT) postPairs.add(h, rows.pa[i]!, rows.pb[i]!, 1 << rows.sid[i]!, rows.idf[i]!);
    }
    kept.total(a, postPairs, ws, minParticipation, expectation, totals);
  }
  return { totals: totals.trimmed(), counts: { pairsPerSignal, keptPairs, coActions } };
}

/**
 * Blocks of consecutive accounts with about `target` co-actions each (by their bounds), for the
 * walk to be shared out: [from, to) pairs covering every account.
 */
export function accountBlocks(d: WalkData, target: number): [number, number][] {
  const blocks: [number, number][] = [];
  let from = 0;
  let work = 0;
  for (let a = 0; a < d.accounts; a++) {
    work += d.bound[a]! + 1;
    if (work >= target) {
      blocks.push([from, a + 1]);
      from = a + 1;
      work = 0;
    }
  }
  if (from < d.accounts) blocks.push([from, d.accounts]);
  return blocks;
}
