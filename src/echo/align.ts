/**
 * Local alignment of a talking point with a region of a document, on the masked code points of
 * both (text.ts): which passages are shared, where they are, and how much of the talking point they
 * cover.
 *
 * - Smith-Waterman local alignment (Smith & Waterman, "Identification of common molecular
 *   subsequences", J. Mol. Biol. 1981) with affine gaps in Gotoh's three-matrix form (Gotoh, "An
 *   improved algorithm for matching biological sequences", J. Mol. Biol. 1982): an inserted clause
 *   costs one gap opening and a little per character, not a penalty per character, so "X, as we
 *   all know, Y" still aligns with "X Y". This is how passim aligns reused passages around the
 *   n-grams two texts share (Smith, Cordell & Mullen, "Computational Methods for Uncovering Reprinted
 *   Texts in Antebellum Newspapers", American Literary History 2015).
 * - Reordering: after the best alignment, the parts of the talking point on either side of it are
 *   aligned again with what is left of the region (the aligned stretch of the region is masked), so
 *   clauses that a speaker moved around are found as separate passages (in the spirit of Waterman &
 *   Eggert's next-best local alignments, 1987).
 *
 * Scores: +1 a matching character, -1 a mismatch, a gap of g characters -(GAP_OPEN + g x GAP_EXTEND).
 * A passage must score at least `minScore` (default 20: about twenty characters of clean match,
 * three or four words; unrelated texts of one language rarely align that far by chance, see
 * docs/echo.md for the measured null).
 */

export const ALIGN_DEFAULTS = {
  match: 1,
  mismatch: -1,
  gapOpen: 3,
  gapExtend: 0.5,
  /** Lowest score of a passage. */
  minScore: 20,
  /** Most passages per pair. */
  maxPassages: 64,
};

export interface Passage {
  /** Masked positions in the talking point [start, end). */
  aStart: number;
  aEnd: number;
  /** Masked positions in the region (or document) [start, end). */
  bStart: number;
  bEnd: number;
  score: number;
  /** Matching characters. */
  matches: number;
  /** Aligned columns (matches, mismatches and gap characters). */
  columns: number;
}

/** Scores are doubled for integer arithmetic. */
const SCALE = 2;
const NEG = -(1 << 29);
/** A masked-out character of the region: equal to nothing. */
const MASKED = 0xffffffff;

/**
 * The best local alignment of a[a0, a1) with b[b0, b1) (b may hold MASKED characters), or null
 * when nothing scores `minScore`.
 */
function bestLocal(
  a: Uint32Array,
  a0: number,
  a1: number,
  b: Uint32Array,
  b0: number,
  b1: number,
  o = ALIGN_DEFAULTS,
): Passage | null {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n <= 0 || m <= 0) return null;
  // Integer arithmetic (scores doubled, so that half-point gap extensions stay whole) in one row
  // of H and F: Gotoh's recurrences need only the previous row, and E only the cell to the left.
  const match = o.match * SCALE;
  const mismatch = o.mismatch * SCALE;
  const open = (o.gapOpen + o.gapExtend) * SCALE;
  const ext = o.gapExtend * SCALE;
  const H = new Int32Array(m + 1);
  const F = new Int32Array(m + 1).fill(NEG);
  // Traceback: 2 bits of origin of H (0 stop, 1 diagonal, 2 from E, 3 from F), bit 2: E extended, bit 3: F extended.
  const trace = new Uint8Array((n + 1) * (m + 1));
  let best = 0;
  let bi = 0;
  let bj = 0;
  for (let i = 1; i <= n; i++) {
    const ai = a[a0 + i - 1]!;
    let diag = 0; // H of the previous row, previous column
    let left = 0; // H of this row, previous column
    let e = NEG;
    const row = i * (m + 1);
    for (let j = 1; j <= m; j++) {
      const up = H[j]!;
      let flags = 0;
      // E: a gap in a (moving along b), from the left.
      const eOpen = left - open;
      e -= ext;
      if (e > eOpen) flags |= 4;
      else e = eOpen;
      // F: a gap in b (moving along a), from above.
      const fOpen = up - open;
      let f = F[j]! - ext;
      if (f > fOpen) flags |= 8;
      else f = fOpen;
      F[j] = f;
      const bj1 = b[b0 + j - 1]!;
      const d = diag + (ai === bj1 && bj1 !== MASKED ? match : mismatch);
      let h = 0;
      let from = 0;
      if (d > h) {
        h = d;
        from = 1;
      }
      if (e > h) {
        h = e;
        from = 2;
      }
      if (f > h) {
        h = f;
        from = 3;
      }
      diag = up;
      H[j] = h;
      left = h;
      trace[row + j] = from | flags;
      if (h > best) {
        best = h;
        bi = i;
        bj = j;
      }
    }
  }
  best /= SCALE;
  if (best < o.minScore) return null;
  // Trace back from the best cell to where the score started from zero.
  let i = bi;
  let j = bj;
  let state = 0; // 0: H, 1: E, 2: F
  let matches = 0;
  let columns = 0;
  while (i > 0 && j > 0) {
    const t = trace[i * (m + 1) + j]!;
    if (state === 0) {
      const from = t & 3;
      if (from === 0) break;
      if (from === 1) {
        if (a[a0 + i - 1] === b[b0 + j - 1]) matches++;
        columns++;
        i--;
        j--;
      } else state = from === 2 ? 1 : 2;
    } else if (state === 1) {
      columns++;
      const extended = (t & 4) !== 0;
      j--;
      if (!extended) state = 0;
    } else {
      columns++;
      const extended = (t & 8) !== 0;
      i--;
      if (!extended) state = 0;
    }
  }
  return { aStart: a0 + i, aEnd: a0 + bi, bStart: b0 + j, bEnd: b0 + bj, score: best, matches, columns };
}

/**
 * The shared passages of a[a0, a1) and b[b0, b1): the best local alignment, then recursively the
 * best ones of the talking point's parts on either side of it against the rest of the region.
 * Returned in the talking point's order. `b` is not modified.
 */
export function alignPassages(
  a: Uint32Array,
  a0: number,
  a1: number,
  b: Uint32Array,
  b0: number,
  b1: number,
  options: Partial<typeof ALIGN_DEFAULTS> = {},
): Passage[] {
  const o = { ...ALIGN_DEFAULTS, ...options };
  const region = b.slice(b0, b1);
  const out: Passage[] = [];
  const stack: [number, number][] = [[a0, a1]];
  while (stack.length && out.length < o.maxPassages) {
    const [s, e] = stack.pop()!;
    if (e - s < o.minScore) continue;
    const p = bestLocal(a, s, e, region, 0, region.length, o);
    if (!p) continue;
    region.fill(MASKED, p.bStart, p.bEnd);
    out.push({ ...p, bStart: p.bStart + b0, bEnd: p.bEnd + b0 });
    stack.push([s, p.aStart], [p.aEnd, e]);
  }
  return out.sort((x, y) => x.aStart - y.aStart);
}

/** Matching characters of the passages over the talking point's length: how much of it was reused. */
export function coverage(passages: Passage[], length: number): number {
  if (length === 0) return 0;
  let matched = 0;
  for (const p of passages) matched += p.matches;
  return Math.min(1, matched / length);
}
