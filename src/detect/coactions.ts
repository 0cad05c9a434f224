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
 * two (or of every pair when `keepAll`) are grouped by signal and pair of posts: one row each, with
 * the largest IDF weight (that of the thinner crowd). That is all the pair tests read
 * (significance.ts); the evidence's closest co-actions come from SQL, for the few accounts shown
 * (pairs.ts: localEvents).
 *
 * Memory reads are what costs: the units of a bucket are read in sequence, and each account's own
 * units are copied once, in account order, with what the walk needs of them (WalkBuilder).
 */

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

/** The pairs of posts a block of accounts emits (a1 < a2 by index; p1 is a1's post), as columns. */
export interface PairEvents {
  size: number;
  sid: Uint8Array;
  a1: Uint32Array;
  a2: Uint32Array;
  p1: Uint32Array;
  p2: Uint32Array;
  idf: Float64Array;
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
class Growable<T extends Uint32Array | Int32Array | Float64Array> {
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

  finish(): WalkData {
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
    return { accounts, windows, member, own, ownWeights, first, bound };
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
 * Open-addressing table of the kept co-actors' pairs of posts per signal: (co-actor, post a, post
 * b, signal) -> the largest IDF weight of their co-actions.
 */
class PostPairTable {
  keys = new Uint32Array(16 * 4);
  idf = new Float64Array(16);
  mask = 15;
  /** Slots in the order their pairs of posts were first met (the emission order). */
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

  add(b: number, pa: number, pb: number, sid: number, idf: number): void {
    const keys = this.keys;
    let h =
      ((Math.imul(b, 0x9e3779b1) ^ Math.imul(pa, 0x85ebca77) ^ Math.imul(pb, 0xc2b2ae3d) ^ sid) >>> 12) &
      this.mask;
    for (;;) {
      const key = keys[h * 4]!;
      if (key === 0) {
        keys[h * 4] = b + 1;
        keys[h * 4 + 1] = pa;
        keys[h * 4 + 2] = pb;
        keys[h * 4 + 3] = sid;
        this.idf[h] = idf;
        this.order.push(h);
        return;
      }
      if (key === b + 1 && keys[h * 4 + 1] === pa && keys[h * 4 + 2] === pb && keys[h * 4 + 3] === sid) {
        if (idf > this.idf[h]!) this.idf[h] = idf;
        return;
      }
      h = (h + 1) & this.mask;
    }
  }
}

/** Growable event columns. */
class EventBuffer implements PairEvents {
  size = 0;
  sid = new Uint8Array(1024);
  a1 = new Uint32Array(1024);
  a2 = new Uint32Array(1024);
  p1 = new Uint32Array(1024);
  p2 = new Uint32Array(1024);
  idf = new Float64Array(1024);

  push(sid: number, a1: number, a2: number, p1: number, p2: number, idf: number) {
    if (this.size === this.idf.length) this.grow();
    const i = this.size++;
    this.sid[i] = sid;
    this.a1[i] = a1;
    this.a2[i] = a2;
    this.p1[i] = p1;
    this.p2[i] = p2;
    this.idf[i] = idf;
  }

  private grow() {
    const n = this.idf.length * 2;
    this.sid = grownTo(this.sid, n);
    this.a1 = grownTo(this.a1, n);
    this.a2 = grownTo(this.a2, n);
    this.p1 = grownTo(this.p1, n);
    this.p2 = grownTo(this.p2, n);
    this.idf = grownTo(this.idf, n);
  }

  /** The columns trimmed to their size (copies: their buffers can be transferred). */
  trimmed(): PairEvents {
    const n = this.size;
    return {
      size: n,
      sid: this.sid.slice(0, n),
      a1: this.a1.slice(0, n),
      a2: this.a2.slice(0, n),
      p1: this.p1.slice(0, n),
      p2: this.p2.slice(0, n),
      idf: this.idf.slice(0, n),
    };
  }
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
 * The co-actions of accounts [from, to): their pairs of posts with accounts of larger index, for
 * every pair with two or more distinct ones (every pair when `keepAll`), and the counts.
 */
export function walkAccounts(
  d: WalkData,
  from: number,
  to: number,
  keepAll: boolean,
): { events: PairEvents; counts: CoActionCounts } {
  const { member, own, ownWeights, first, bound, windows } = d;
  const coActors = new CoActorTable();
  const postPairs = new PostPairTable();
  const rows = new CoActionBuffer();
  const events = new EventBuffer();
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
    let kept = 0;
    const ws = coActors.words;
    for (const slot of coActors.used) {
      const f = ws[slot * 4 + 3]!;
      for (let bits = f & SIGNALS; bits !== 0; bits &= bits - 1)
        pairsPerSignal[31 - Math.clz32(bits & -bits)]!++;
      if (keepAll || f & MULTI) {
        ws[slot * 4 + 3] = f | KEPT;
        kept++;
      }
    }
    if (kept === 0) continue;
    keptPairs += kept;
    postPairs.reset(size);
    for (let i = 0; i < size; i++) {
      const h = rows.slot[i]!;
      if (ws[h * 4 + 3]! & KEPT)
        postPairs.add(ws[h * 4]! - 1, rows.pa[i]!, rows.pb[i]!, rows.sid[i]!, rows.idf[i]!);
    }
    const { keys, idf } = postPairs;
    for (const h of postPairs.order)
      events.push(keys[h * 4 + 3]!, a, keys[h * 4]! - 1, keys[h * 4 + 1]!, keys[h * 4 + 2]!, idf[h]!);
  }
  return { events: events.trimmed(), counts: { pairsPerSignal, keptPairs, coActions } };
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
