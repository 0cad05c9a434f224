/**
 * Masking and character shingling: the text a near-duplicate comparison sees.
 *
 * Input is text already normalised for matching (`normalizeText`, ingest/normalize/text.ts:
 * NFKC, marks stripped, Persian/Arabic letter variants unified, invisible characters removed, lower
 * case). Masking then keeps only what makes two texts the same text:
 *
 * - links (`scheme://...` and `www....` up to the next space) and @mentions (`@` with the handle's
 *   letters, digits and `_`) are removed: a copy that only changes the link or the addressee is
 *   still a copy, and two texts that share only a link or a mention are not copies;
 * - every character that is not a letter, a digit or a mark (Unicode L, N, M) is removed: spaces,
 *   punctuation, symbols, emoji, the `#` of hashtags (the tag's word stays).
 *
 * Spaces are removed too, not only collapsed: Persian writers join or split compounds with a space,
 * a ZWNJ (deleted by normalisation) or nothing (`می گذرد` / `میگذرد`), doubled spaces are a common
 * evasion edit, and several scripts do not separate words at all. Shingles that span a word boundary
 * still record the word order.
 *
 * Shingles are the overlapping runs of `k` code points of the masked text (w-shingling, Broder,
 * "On the resemblance and containment of documents", 1997), each hashed to 32 bits with a seeded
 * Rabin-Karp rolling hash finished by MurmurHash3's `fmix32` avalanche.
 *
 * Everything works on UTF-8 bytes (how DuckDB hands text over, and what worker threads can share
 * without copying) and on strings through the same code.
 */

/** Code units in the Basic Multilingual Plane that are kept (letters, digits, marks). */
let bmpKeep: Uint8Array | null = null;
const astralKeep = new Map<number, boolean>();
const KEEP = /^[\p{L}\p{N}\p{M}]$/u;

function keepTable(): Uint8Array {
  if (bmpKeep) return bmpKeep;
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (KEEP.test(String.fromCharCode(c))) t[c] = 1;
  }
  bmpKeep = t;
  return t;
}

/** Whether code point `cp` is a letter, digit or mark. */
export function isWordChar(cp: number): boolean {
  if (cp < 0x10000) return keepTable()[cp] === 1;
  let k = astralKeep.get(cp);
  if (k === undefined) {
    k = KEEP.test(String.fromCodePoint(cp));
    astralKeep.set(cp, k);
  }
  return k;
}

/** ASCII characters that may start or end something masked: `@`, `:` (of `://`), `.` (of `www.`). */
const SPECIAL = new Uint8Array(0x80);
SPECIAL[0x40] = 1;
SPECIAL[0x3a] = 1;
SPECIAL[0x2e] = 1;

/**
 * Masks the UTF-8 text `src[start, end)` into `out` as code points (see the header); returns how
 * many were written. `out` must hold at least `end - start` values (a code point takes at least one
 * byte). Invalid UTF-8 bytes are skipped.
 */
export function maskUtf8(src: Uint8Array, start: number, end: number, out: Uint32Array): number {
  const keep = bmpKeep ?? keepTable();
  let o = 0;
  // Output position where the current run of ASCII letters and digits began: a link's scheme
  // ("https", "www") is written before "://" or "." reveals it, and is taken back.
  let run = 0;
  let i = start;
  while (i < end) {
    const b = src[i]!;
    if (b < 0x80) {
      // Written, and kept only if a letter or digit: no branch on the (random) character class.
      const k = keep[b]!;
      out[o] = b;
      o += k;
      i++;
      if (SPECIAL[b] === 1) {
        if (b === 0x40) i = skipHandle(src, i, end, keep);
        else if (b === 0x3a) {
          if (i + 1 < end && src[i] === 0x2f && src[i + 1] === 0x2f) {
            o = run;
            i = skipLink(src, i, end);
          }
        } else if (
          i >= start + 4 &&
          src[i - 2] === 0x77 &&
          src[i - 3] === 0x77 &&
          src[i - 4] === 0x77 &&
          (i - 5 < start || src[i - 5]! <= 0x20)
        ) {
          o -= 3; // "www." at the start of a word
          i = skipLink(src, i, end);
        }
      }
      run ^= (run ^ o) & (k - 1); // run = o after anything but an ASCII letter or digit
      continue;
    }
    const cp = decodeAt(src, i, end);
    i += decodedLength;
    if (cp >= 0 && (cp < 0x10000 ? keep[cp] === 1 : isWordChar(cp))) out[o++] = cp;
    run = o;
  }
  return o;
}

/** The position of the next whitespace (or the end) from `i`: the rest of a link. */
function skipLink(src: Uint8Array, i: number, end: number): number {
  while (i < end && src[i]! > 0x20) i++;
  return i;
}

/** The position after a handle's letters, digits and underscores from `i` (after the `@`). */
function skipHandle(src: Uint8Array, i: number, end: number, keep: Uint8Array): number {
  while (i < end) {
    const b = src[i]!;
    if (b < 0x80) {
      if (b !== 0x5f && keep[b] !== 1) break;
      i++;
    } else {
      const cp = decodeAt(src, i, end);
      if (cp < 0 || !(cp < 0x10000 ? keep[cp] === 1 : isWordChar(cp))) break;
      i += decodedLength;
    }
  }
  return i;
}

/** Length in bytes of the code point the last `decodeAt` read (a side channel: no allocation). */
let decodedLength = 1;

/** The code point starting at `src[i]` (a lead byte >= 0x80), or -1 for an invalid byte. */
function decodeAt(src: Uint8Array, i: number, end: number): number {
  const b = src[i]!;
  if (b >= 0xc2 && b < 0xe0 && i + 1 < end) {
    decodedLength = 2;
    return ((b & 0x1f) << 6) | (src[i + 1]! & 0x3f);
  }
  if (b >= 0xe0 && b < 0xf0 && i + 2 < end) {
    decodedLength = 3;
    return ((b & 0x0f) << 12) | ((src[i + 1]! & 0x3f) << 6) | (src[i + 2]! & 0x3f);
  }
  if (b >= 0xf0 && b < 0xf5 && i + 3 < end) {
    decodedLength = 4;
    return (
      ((b & 0x07) << 18) | ((src[i + 1]! & 0x3f) << 12) | ((src[i + 2]! & 0x3f) << 6) | (src[i + 3]! & 0x3f)
    );
  }
  decodedLength = 1;
  return -1;
}

const encoder = new TextEncoder();

/** The masked form of a string (see the header), for display, tests and small inputs. */
export function maskText(text: string): string {
  const bytes = encoder.encode(text);
  const out = new Uint32Array(bytes.length);
  const n = maskUtf8(bytes, 0, bytes.length, out);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCodePoint(out[i]!);
  return s;
}

/** MurmurHash3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Rolling-hash base: an odd 32-bit constant (the golden-ratio multiplier). */
export const SHINGLE_BASE = 0x9e3779b1;

/** The key mixed into every shingle hash for a seed. */
export function shingleKey(seed: number): number {
  return fmix32(seed ^ 0x5bd1e995);
}

/**
 * Hashes of the `k`-code-point shingles of `cps[0, n)` into `out` (which needs `max(1, n - k + 1)`
 * places); returns how many. A text shorter than `k` (but not empty) is one shingle. Repeated
 * shingles give repeated hashes (MinHash treats the input as a set).
 */
export function shingleHashes(
  cps: Uint32Array,
  n: number,
  k: number,
  seed: number,
  out: Uint32Array,
): number {
  if (n === 0) return 0;
  const key = shingleKey(seed);
  const width = Math.min(k, n);
  let bk = 1; // SHINGLE_BASE^width
  let h = 0;
  for (let j = 0; j < width; j++) {
    h = (Math.imul(h, SHINGLE_BASE) + cps[j]!) | 0;
    bk = Math.imul(bk, SHINGLE_BASE);
  }
  out[0] = fmix32(h ^ key);
  let m = 1;
  for (let j = width; j < n; j++) {
    h = (Math.imul(h, SHINGLE_BASE) + cps[j]! - Math.imul(cps[j - width]!, bk)) | 0;
    out[m++] = fmix32(h ^ key);
  }
  return m;
}

/** The set of shingle hashes of a string after masking (tests and small inputs). */
export function shingleSet(text: string, k: number, seed: number): Set<number> {
  const bytes = encoder.encode(text);
  const cps = new Uint32Array(bytes.length);
  const n = maskUtf8(bytes, 0, bytes.length, cps);
  const out = new Uint32Array(Math.max(1, n));
  return new Set(out.subarray(0, shingleHashes(cps, n, k, seed, out)));
}

/** Exact Jaccard similarity of two sets. */
export function jaccard(a: Set<number>, b: Set<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
