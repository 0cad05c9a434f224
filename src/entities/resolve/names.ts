/**
 * Names prepared for comparison. The steps follow what name matchers in the field do
 * (nomenklatura/rigour's `name` module, Christen 2012 "Data Matching" ch. 4):
 * 1. Persian and Arabic script transliterated to Latin letters (a consonant-faithful table, so
 *    "محمد" gives "mhmd", which meets "Mohammad" and "Muhammad" through the phonetic key below);
 * 2. compatibility forms, diacritics and case folded ("Petróleos" = "petroleos");
 * 3. punctuation removed: apostrophes join ("O'Brien" = "obrien"), other marks separate,
 *    "&" is "and";
 * 4. honorifics and titles dropped ("Mr.", "Dr.", "Sen.", "H.E."), company forms taken out of the
 *    name and kept apart ("LLC", "Inc.", "L.L.C.", "Ltd", "GmbH"), a few function words dropped
 *    ("the", "of", "and");
 * 5. each token gets a phonetic key: its consonant skeleton after folding letters that
 *    transliterations confuse (k/q/c, f/ph/v, s/z, j/dj, kh/h, ou/u, doubled letters), so
 *    "Mojahedin", "Mujahideen" and "Mojahedeen" share "mjhdn".
 */

/** Arabic and Persian letters to Latin (consonant-faithful; vowels are not written in either script). */
const ARABIC: Record<string, string> = {
  ا: 'a',
  أ: 'a',
  إ: 'i',
  آ: 'a',
  ء: '',
  ؤ: 'u',
  ئ: 'i',
  ب: 'b',
  پ: 'p',
  ت: 't',
  ث: 's',
  ج: 'j',
  چ: 'ch',
  ح: 'h',
  خ: 'kh',
  د: 'd',
  ذ: 'z',
  ر: 'r',
  ز: 'z',
  ژ: 'zh',
  س: 's',
  ش: 'sh',
  ص: 's',
  ض: 'z',
  ط: 't',
  ظ: 'z',
  ع: '',
  غ: 'gh',
  ف: 'f',
  ق: 'q',
  ک: 'k',
  ك: 'k',
  گ: 'g',
  ل: 'l',
  م: 'm',
  ن: 'n',
  و: 'v',
  ه: 'h',
  ة: 'a',
  ی: 'y',
  ي: 'y',
  ى: 'a',
  '\u200c': ' ',
};
const ARABIC_RE = /[\u0600-\u06ff\u200c]/g;

export const HONORIFICS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'professor',
  'sir',
  'dame',
  'hon',
  'honorable',
  'honourable',
  'he',
  'his',
  'her',
  'excellency',
  'sen',
  'senator',
  'rep',
  'representative',
  'congressman',
  'congresswoman',
  'amb',
  'ambassador',
  'gen',
  'general',
  'col',
  'judge',
  'rev',
  'jr',
  'sr',
  'esq',
  'phd',
  'md',
  'sheikh',
  'shaykh',
  'sayed',
  'seyed',
  'sayyid',
  'haji',
  'hajj',
  'mister',
  'madam',
  'mme',
  'mlle',
  'herr',
  'frau',
]);

/** Company and legal forms (rigour's org types, the common ones), as tokens after punctuation is removed. */
export const COMPANY_FORMS = new Set([
  'llc',
  'inc',
  'incorporated',
  'ltd',
  'limited',
  'corp',
  'corporation',
  'co',
  'company',
  'plc',
  'pllc',
  'pc',
  'lp',
  'llp',
  'lllp',
  'gmbh',
  'ag',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'oy',
  'ab',
  'as',
  'aps',
  'kg',
  'se',
  'pte',
  'pty',
  'doo',
  'dooel',
  'ooo',
  'zao',
  'oao',
  'pjsc',
  'jsc',
  'fze',
  'fzco',
  'lc',
  'pa',
  'dba',
  'fka',
  'aka',
]);

/** Multi-letter forms written with dots or spaces ("L.L.C.", "S. A.") joined before tokenising. */
const DOTTED_FORMS = /\b(l\s?l\s?c|l\s?l\s?p|p\s?l\s?l\s?c|p\s?c|s\s?a|n\s?v|b\s?v|l\s?p|l\s?c)\b/g;

const STOPWORDS = new Set([
  'the',
  'of',
  'and',
  'for',
  'de',
  'del',
  'la',
  'le',
  'du',
  'des',
  'da',
  'do',
  'a',
  'an',
  'in',
  'on',
  'to',
]);

export interface PreparedName {
  /** The name as given. */
  original: string;
  /** Name tokens after every step, in order. */
  tokens: string[];
  /** The tokens joined without spaces ("visitdenmark"), for names written together or apart. */
  joined: string;
  /** Phonetic key of each token. */
  keys: string[];
  /** Company forms found ("llc", "inc"). */
  forms: string[];
  /** Written in Arabic script (Persian, Arabic): its و and ی may be vowels or consonants. */
  arabic: boolean;
  /** Initials of the tokens, for acronyms ("National Council of Resistance of Iran" -> "ncri"). */
  initials: string;
  /**
   * The tokens of the name without a trailing branch or office qualifier, when it has one: the part
   * after the last comma ("Jamaica Tourist Board, Florida"), after a spaced dash ("... of Iran -
   * U.S. Representative Office") or in closing brackets ("Oromo Liberation Front (OLF)"). Null when
   * there is none, or when the comma is a person's "Last, First".
   */
  base: string[] | null;
}

/** Folds text: Arabic/Persian transliterated, NFKD without marks, lower case. */
export function foldText(text: string): string {
  return text
    .replace(ARABIC_RE, (c) => ARABIC[c] ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[øœæ]/g, (c) => ({ ø: 'o', œ: 'oe', æ: 'ae' })[c]!);
}

/** The consonant skeleton used as a phonetic key (see the header). */
export function phoneticKey(token: string): string {
  if (/^\d+$/.test(token)) return token;
  let t = token
    .replace(/ph/g, 'f')
    .replace(/kh/g, 'h')
    .replace(/gh/g, 'g')
    .replace(/dh/g, 'd')
    .replace(/th/g, 't')
    .replace(/sh|ch/g, 'x')
    .replace(/dj/g, 'j')
    .replace(/ck|q|c(?=[aou])|c$/g, 'k')
    .replace(/c/g, 's')
    .replace(/z/g, 's')
    .replace(/w/g, 'v')
    .replace(/y/g, 'i');
  const first = t[0] ?? '';
  t = first + t.slice(1).replace(/[aeiou]/g, '');
  t = t.replace(/(.)\1+/g, '$1');
  return /[aeiou]/.test(first) ? `a${t.slice(1)}` : t;
}

/**
 * The phonetic key without the letters Arabic script writes for both a vowel and a consonant
 * (و: u/o/v/w, ی: i/y/e), for comparing a name in that script with its Latin spellings.
 */
export function looseKey(key: string): string {
  return key[0] + key.slice(1).replace(/[vi]/g, '');
}

export function prepareName(name: string): PreparedName {
  const prepared = tokenize(name);
  // Qualifiers are set aside one at a time, at most twice ("Italian Government Tourist Board (ENIT), Los Angeles").
  let text = name.trim();
  let base: string[] | null = null;
  for (let k = 0; k < 2; k++) {
    const cut = withoutQualifier(text);
    if (cut === null) break;
    const tokens = tokenize(cut).tokens;
    if (tokens.length < 2) break;
    base = tokens;
    text = cut;
  }
  prepared.base = base && base.length < prepared.tokens.length ? base : null;
  return prepared;
}

/** The name without its trailing qualifier (see `PreparedName.base`), or null. */
function withoutQualifier(text: string): string | null {
  const bracket = /^(.*\S)\s*\([^()]*\)$/.exec(text);
  if (bracket) return bracket[1]!;
  const dash = /^(.*\S)\s+[-–—]\s+\S.*$/.exec(text);
  if (dash) return dash[1]!;
  const comma = /^([^,]+\s[^,]+),\s*[^,]+$/.exec(text);
  return comma ? comma[1]! : null;
}

/** The tokens of any text folded and cut as names are (for finding names inside posts). */
export function nameTokens(text: string): string[] {
  return tokenize(text).tokens;
}

function tokenize(name: string): PreparedName {
  let text = foldText(name)
    .replace(/&/g, ' and ')
    .replace(/['’‘`´]/g, '')
    .replace(/\./g, '. ');
  text = text.replace(/[^\p{L}\p{N}]+/gu, ' ');
  text = text.replace(DOTTED_FORMS, (m) => m.replace(/\s/g, ''));
  // Runs of single letters are one abbreviation ("U. S." = "us"); a lone initial stays ("Robert G. Joseph").
  const words: string[] = [];
  let run = '';
  for (const t of [...text.split(' ').filter(Boolean), '']) {
    if (t.length === 1 && /\p{L}/u.test(t)) {
      run += t;
      continue;
    }
    if (run) words.push(run);
    run = '';
    if (t) words.push(t);
  }
  const tokens: string[] = [];
  const forms: string[] = [];
  let leading = true;
  for (const t of words) {
    if (COMPANY_FORMS.has(t)) forms.push(t);
    // Titles are dropped where titles stand: before the name ("Rep. Ted Poe", "H.E. Dr. ..."), not
    // inside it ("U.S. Representative Office").
    else if ((leading && HONORIFICS.has(t)) || STOPWORDS.has(t)) continue;
    else {
      tokens.push(t);
      leading = false;
    }
  }
  // A name that is only a form or a title ("Company", "Dr.") keeps it, or nothing would be left.
  if (!tokens.length && forms.length) tokens.push(...forms.splice(0));
  return {
    original: name,
    tokens,
    joined: tokens.join(''),
    keys: tokens.map(phoneticKey),
    forms,
    initials: tokens.map((t) => t[0]).join(''),
    arabic: /[\u0600-\u06ff]/.test(name),
    base: null,
  };
}

/** Jaro-Winkler similarity (Winkler 1990) of two short strings, 0..1. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  const range = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const ma = new Array<boolean>(la).fill(false);
  const mb = new Array<boolean>(lb).fill(false);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - range);
    const hi = Math.min(lb - 1, i + range);
    for (let j = lo; j <= hi; j++) {
      if (mb[j] || a[i] !== b[j]) continue;
      ma[i] = mb[j] = true;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!ma[i]) continue;
    while (!mb[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}
