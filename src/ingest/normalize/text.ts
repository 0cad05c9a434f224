/**
 * Text normalisation for matching. The raw text is always stored unchanged beside this form.
 *
 * The specification, applied in this order:
 * 1. compatibility forms folded (Unicode NFKC, only where the text has such characters): full-width
 *    Latin, ligatures, the Arabic presentation forms that evade filters, mathematical letters;
 * 2. every combining mark removed (NFD, strip categories Mn/Mc/Me, NFC): café -> cafe, й -> и,
 *    Arabic harakat, hamza and madda (أ إ آ -> ا, ؤ -> و, ئ -> ي);
 * 3. Persian/Arabic variants folded: Arabic yeh and alef maksura to Farsi yeh (ي ى -> ی), Arabic kaf to
 *    keheh (ك -> ک), teh marbuta and ae to heh (ة ە -> ه), alef wasla to alef (ٱ -> ا), Greek final
 *    sigma to sigma; Persian and Arabic-Indic digits to ASCII (۱۲۳ / ١٢٣ -> 123);
 * 4. invisible characters deleted: ZWNJ, ZWJ, zero-width space, bidi marks, BOM, word joiner, soft
 *    hyphen, Arabic letter mark, tatweel (ـ);
 * 5. lower case; runs of whitespace to one space; trimmed; empty -> null.
 *
 * It follows the usual Persian/Arabic IR normalisers (hazm, parsivar; Larkey et al.'s light-stemming
 * preprocessing) without stemming: folding is lossy on purpose, so copy-paste variants typed on
 * different keyboards match. Stripping all marks also strips Indic vowel signs: fine for matching
 * copies, wrong for reading, which is why the raw text is kept.
 *
 * Posts loaded in bulk are normalised inside DuckDB (normalize/sql.ts): plain ASCII in SQL, the rest
 * through `fold` as a function the database calls; a differential test holds both paths equal.
 */

/** Letters and digits folded (step 3): pairs of from/to characters. */
export const FOLD_PAIRS: [string, string][] = [
  ['\u064a', '\u06cc'], // ي Arabic yeh -> ی Farsi yeh
  ['\u0649', '\u06cc'], // ى alef maksura -> ی
  ['\u0643', '\u06a9'], // ك Arabic kaf -> ک keheh
  ['\u0629', '\u0647'], // ة teh marbuta -> ه heh
  ['\u06d5', '\u0647'], // ە ae -> ه
  ['\u0671', '\u0627'], // ٱ alef wasla -> ا
  ['\u03c2', '\u03c3'], // ς final sigma -> σ
  ...Array.from({ length: 10 }, (_, d) => [String.fromCharCode(0x0660 + d), String(d)] as [string, string]),
  ...Array.from({ length: 10 }, (_, d) => [String.fromCharCode(0x06f0 + d), String(d)] as [string, string]),
];

/** Characters deleted (step 4). */
export const INVISIBLE_CHARS =
  '\u00ad\u0640\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff';

/** Whitespace that remains after steps 1-4 (NFKC has turned the other Unicode spaces into U+0020). */
export const WHITESPACE_CHARS = '\t\n\u000b\f\r \u1680\u2028\u2029';

const FOLD = new Map(FOLD_PAIRS);
const MARKS = /\p{M}/gu;
// Runs first, then single non-space whitespace: the same pattern the SQL version uses (RE2 is leftmost-first).
const WS = new RegExp(
  `[${escapeClass(WHITESPACE_CHARS)}]{2,}|[${escapeClass(WHITESPACE_CHARS.replace(' ', ''))}]`,
  'g',
);
const ASCII_ONLY = /^[\x00-\x7f]*$/;

function escapeClass(chars: string): string {
  return [...chars].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

/** Steps 1-4 and lower case for one code point: its replacement, or undefined when it is unchanged. */
function foldCodePoint(c: string): string | undefined {
  let t = c.normalize('NFKC').normalize('NFD').replace(MARKS, '').normalize('NFC').toLowerCase();
  t = [...t].map((ch) => (INVISIBLE_CHARS.includes(ch) ? '' : (FOLD.get(ch) ?? ch))).join('');
  return t === c ? undefined : t;
}

/**
 * Per-character results for the Basic Multilingual Plane, computed once on first use (about 0.1 s).
 * Applying the steps character by character equals applying them to the whole string, except that
 * separately written Hangul jamo are not composed into syllables (marks, the other thing composition
 * acts on, are removed anyway). Six times faster than whole-string normalisation.
 */
let table: (string | undefined)[] | null = null;
const astral = new Map<number, string | undefined>();

function foldTable(): (string | undefined)[] {
  if (table) return table;
  table = new Array(0x10000);
  for (let c = 0x80; c < 0x10000; c++)
    if (c < 0xd800 || c > 0xdfff) table[c] = foldCodePoint(String.fromCharCode(c));
  return table;
}

/** Steps 1-4 and lower case, for text with non-ASCII characters. */
export function fold(s: string): string {
  const t = foldTable();
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    let m: string | undefined;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const cp = s.codePointAt(i)!;
      width = 2;
      if (!astral.has(cp)) astral.set(cp, foldCodePoint(String.fromCodePoint(cp)));
      m = astral.get(cp);
    } else {
      m = t[c];
    }
    if (m !== undefined) {
      out += s.slice(start, i) + m;
      start = i + width;
    }
    i += width - 1;
  }
  return (start === 0 ? s : out + s.slice(start)).toLowerCase();
}

/** Normalised form of a post's text for matching; null for empty text. */
export function normalizeText(text: string | null | undefined): string | null {
  if (!text) return null;
  const lowered = ASCII_ONLY.test(text) ? text.toLowerCase() : fold(text);
  const out = lowered.replace(WS, ' ').replace(/^ +| +$/g, '');
  return out === '' ? null : out;
}

/**
 * Hashtag or mention as a matching key: leading `#`/`@` (and their full-width forms) dropped, the
 * text steps above applied, whitespace and control characters removed. `#ＫｏｃｈＦａｒｍｓ`,
 * `#kochfarms` and `KochFarms` are one tag.
 */
export function normalizeTag(tag: string): string {
  const t = tag.replace(/^[#@\uff03\uff20]+/, '');
  const lowered = ASCII_ONLY.test(t) ? t.toLowerCase() : fold(t);
  return lowered.replace(/[\x00-\x20\u1680\u2028\u2029]+/g, '');
}
