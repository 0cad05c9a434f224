/**
 * Text normalisation for matching. The raw text is always stored unchanged beside this form.
 *
 * Steps, for any script:
 * 1. Unicode NFKD (compatibility decomposition: full-width Latin, ligatures and the Arabic
 *    presentation forms that spammers use to dodge filters become plain letters);
 * 2. diacritics removed: combining accents after a Latin letter (U+0300-036F; café -> cafe, while
 *    Cyrillic й and ё stay letters of their own), Arabic harakat,
 *    hamza and madda marks (U+064B-065F, U+0670, U+06D6-06ED) and Hebrew points (U+0591-05C7);
 * 3. Persian/Arabic letter variants folded to one form: Arabic yeh and alef maksura to Farsi yeh
 *    (ي ى -> ی), Arabic kaf to keheh (ك -> ک), teh marbuta and ae to heh (ة ە -> ه), alef wasla to
 *    alef (ٱ -> ا); with step 2 this also folds أ إ آ -> ا, ؤ -> و, ئ -> ی;
 * 4. Persian and Arabic-Indic digits to ASCII (۱۲۳ / ١٢٣ -> 123);
 * 5. invisible characters removed: ZWNJ, ZWJ, zero-width space, BOM, word joiner, soft hyphen,
 *    tatweel (ـ) and bidi controls;
 * 6. NFC recomposition, lower case, whitespace runs collapsed to one space, trimmed.
 *
 * This follows the usual Persian/Arabic IR normalisers (hazm, parsivar, Larkey et al.'s light
 * stemming preprocessing) without stemming: folding is lossy on purpose, to match copy-paste variants
 * typed on different keyboards.
 */

/** Latin accents (only after a Latin letter: Cyrillic й and ё keep their marks), Hebrew points, Arabic marks. */
const DIACRITICS = /(?<=[A-Za-z])[\u0300-\u036f]+|[\u0591-\u05c7\u064b-\u065f\u0670\u06d6-\u06ed]/g;
/** Characters that folding can change; text without any of them only needs lower-casing. */
const NEEDS_FOLD =
  /[\u00a0-\u036f\u0591-\u06ff\u1d00-\u1dbf\u1e00-\u1eff\u2000-\u2bff\u3000-\u33ff\uf900-\uffef\ud835]/;
const INVISIBLE = /[\u00ad\u0640\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const WHITESPACE = /\s+/gu;
const NON_ASCII = /[^\x00-\x7f]/;

const LETTER_FOLD: Record<string, string> = {
  '\u064a': '\u06cc', // ي Arabic yeh -> ی Farsi yeh
  '\u0649': '\u06cc', // ى alef maksura -> ی
  '\u0643': '\u06a9', // ك Arabic kaf -> ک keheh
  '\u0629': '\u0647', // ة teh marbuta -> ه heh
  '\u06d5': '\u0647', // ە ae -> ه
  '\u0671': '\u0627', // ٱ alef wasla -> ا
};
const LETTER_FOLD_RE = /[\u064a\u0649\u0643\u0629\u06d5\u0671\u0660-\u0669\u06f0-\u06f9]/g;

function foldChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x0660 && code <= 0x0669) return String.fromCharCode(code - 0x0660 + 48);
  if (code >= 0x06f0 && code <= 0x06f9) return String.fromCharCode(code - 0x06f0 + 48);
  return LETTER_FOLD[c] ?? c;
}

/** Script-level folding shared by text, hashtags and handles (steps 1-5 above, no case change). */
export function foldScript(s: string): string {
  return s
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .replace(LETTER_FOLD_RE, foldChar)
    .replace(INVISIBLE, '')
    .normalize('NFC');
}

/** Normalised form of a post's text for matching; null for empty text. */
export function normalizeText(text: string | null | undefined): string | null {
  if (!text) return null;
  const folded = NON_ASCII.test(text) && NEEDS_FOLD.test(text) ? foldScript(text) : text;
  const out = folded.toLowerCase().replace(WHITESPACE, ' ').trim();
  return out === '' ? null : out;
}

/**
 * Hashtag or mention as a matching key: leading `#`/`@`/`＃` dropped, NFKC, script variants folded,
 * case-folded. `#ＫｏｃｈＦａｒｍｓ`, `#kochfarms` and `KochFarms` are one tag.
 */
export function normalizeTag(tag: string): string {
  let t = tag.trim();
  if (NON_ASCII.test(t) && NEEDS_FOLD.test(t)) t = foldScript(t);
  t = t.replace(/^[#@\uff03\uff20]+/, '').toLowerCase();
  return t.replace(/[\s\x00-\x1f]+/g, '');
}
