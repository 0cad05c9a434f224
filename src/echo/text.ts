/**
 * What echo tracing compares, computed from the ORIGINAL text so that every match can be shown
 * at its place in the statement or post:
 *
 * - the masked view: the text normalised exactly as the near-duplicate signal sees it (Unicode
 *   folding of ingest/normalize/text.ts, then links, @mentions and everything but letters, digits
 *   and marks removed: signals/near-duplicate/shingles.ts), as code points, each with the UTF-16
 *   offset in the original text it came from. Anchors, shingles and alignments work on it;
 * - terms for ranking (`retrievalTerms`): words, and character 4-grams inside words, of the text with
 *   links removed and @handles and #hashtags split into their words ("#StopTheLies" -> stop the
 *   lies). Words carry names and rare terms; in-word 4-grams carry morphology in any language
 *   without a stemmer (McNamee & Mayfield, "Character N-Gram Tokenization for European Language
 *   Text Retrieval", Information Retrieval 2004).
 *
 * Normalising character by character equals normalising the whole text (normalize/text.ts says
 * why), which is what lets each kept code point point back into the original.
 */
import { fold } from '../ingest/normalize/text.js';
import { fmix32, isWordChar } from '../signals/near-duplicate/shingles.js';

export interface MaskedText {
  /** Code points kept, normalised. */
  cps: Uint32Array;
  /** For each kept code point, its UTF-16 offset in the original text. */
  offsets: Int32Array;
  /** Kept code points. */
  length: number;
}

/** Per BMP code unit: the folded code points it becomes (kept ones only), computed once. */
let foldTable: (Uint32Array | null)[] | null = null;
const EMPTY = new Uint32Array(0);

function table(): (Uint32Array | null)[] {
  if (foldTable) return foldTable;
  foldTable = new Array(0x10000).fill(null);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    foldTable[c] = keptCodePoints(String.fromCharCode(c));
  }
  return foldTable;
}

const astral = new Map<number, Uint32Array>();

function keptCodePoints(s: string): Uint32Array {
  const folded = fold(s);
  const out: number[] = [];
  for (const ch of folded) {
    const cp = ch.codePointAt(0)!;
    if (isWordChar(cp)) out.push(cp);
  }
  return out.length ? Uint32Array.from(out) : EMPTY;
}

const isSpace = (c: number) => c <= 0x20 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/** Whether a link starts at `i`: `scheme://` (letters before `://`) or `www.` at the start of a word. */
function linkEnd(text: string, i: number): number {
  const c = lowerAscii(text.charCodeAt(i));
  if (c === 0x77 && (i === 0 || isSpace(text.charCodeAt(i - 1))) && /^www\./i.test(text.slice(i, i + 4))) {
    let j = i;
    while (j < text.length && !isSpace(text.charCodeAt(j))) j++;
    return j;
  }
  if (c >= 97 && c <= 122 && (i === 0 || !/[a-z0-9]/i.test(text[i - 1]!))) {
    const m = /^[a-z][a-z0-9+.-]{0,15}:\/\//i.exec(text.slice(i, i + 24));
    if (m) {
      let j = i + m[0].length;
      while (j < text.length && !isSpace(text.charCodeAt(j))) j++;
      return j;
    }
  }
  return -1;
}

const EDGE_TOKEN =
  /^(?:[#＃@＠][\p{L}\p{N}\p{M}_]+|[a-z][a-z0-9+.-]{0,15}:\/\/\S*|www\.\S*|pic\.twitter\.com\/\S*|[^\p{L}\p{N}#＃@＠]+)/iu;
const EDGE_TOKEN_END =
  /(?:[#＃@＠][\p{L}\p{N}\p{M}_]+|[a-z][a-z0-9+.-]{0,15}:\/\/\S*|www\.\S*|pic\.twitter\.com\/\S*|[^\p{L}\p{N}]+)$/iu;

/**
 * The message of a post without the hashtags, links and mentions before and after it: the labels a
 * platform adds, which a statement quoting the post leaves out ("#DogThanking Thanksgiving day is
 * ruined! #KochFarms #USDA https://t.co/x" -> "Thanksgiving day is ruined!"). Hashtags inside the
 * sentence are words and stay. Returns the [start, end) of the message in the text.
 */
export function messageSpan(text: string): [number, number] {
  let start = 0;
  let end = text.length;
  for (;;) {
    const m = EDGE_TOKEN.exec(text.slice(start, end));
    if (!m?.[0].length) break;
    start += m[0].length;
  }
  for (;;) {
    const m = EDGE_TOKEN_END.exec(text.slice(start, end));
    if (!m?.[0].length) break;
    end -= m[0].length;
  }
  // A post that is nothing but labels keeps them all.
  return end > start ? [start, end] : [0, text.length];
}

/** The masked view of `text` (see the header); `from`/`to` limit it to part of the text. */
export function maskedText(text: string, from = 0, to = text.length): MaskedText {
  const t = table();
  const n = to;
  const cps = new Uint32Array(n);
  const offsets = new Int32Array(n);
  let o = 0;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x40) {
        // @handle: the at sign and the handle's letters, digits and underscores.
        i++;
        while (i < n) {
          const h = text.codePointAt(i)!;
          if (h !== 0x5f && !isWordChar(h)) break;
          i += h > 0xffff ? 2 : 1;
        }
        continue;
      }
      if ((c | 0x20) >= 97 && (c | 0x20) <= 122) {
        const end = linkEnd(text, i);
        if (end >= 0) {
          i = end;
          continue;
        }
      }
      if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
        cps[o] = lowerAscii(c);
        offsets[o++] = i;
      }
      i++;
      continue;
    }
    let kept: Uint32Array | null;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const cp = text.codePointAt(i)!;
      width = 2;
      kept = astral.get(cp) ?? null;
      if (!kept) {
        kept = keptCodePoints(String.fromCodePoint(cp));
        astral.set(cp, kept);
      }
    } else kept = t[c] ?? null;
    if (kept)
      for (let k = 0; k < kept.length; k++) {
        cps[o] = kept[k]!;
        offsets[o++] = i;
      }
    i += width;
  }
  return { cps, offsets, length: o };
}

/** End offset (exclusive, UTF-16) in the original text of the masked code point at `k`. */
export function originalEnd(text: string, view: MaskedText, k: number): number {
  const at = view.offsets[k]!;
  const c = text.charCodeAt(at);
  return at + (c >= 0xd800 && c <= 0xdbff ? 2 : 1);
}

// ------------------------------------------------------------------------------ retrieval terms

/** Splits a handle or hashtag into words: camelCase, digits and underscores ("StopTheLies2024"). */
export function splitTag(tag: string): string {
  return tag
    .replace(/_/g, ' ')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})|(\p{N})(\p{L})/gu, '$1$3 $2$4');
}

const LINK = /\b[a-z][a-z0-9+.-]{0,15}:\/\/\S*|(^|\s)www\.\S*|\bpic\.twitter\.com\/\S*/gi;
const TAG = /[#@＃＠]([\p{L}\p{N}\p{M}_]+)/gu;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The words of a text for ranking: links removed, handles and hashtags split, normalised (see the header). */
export function retrievalWords(text: string): string[] {
  const plain = text.replace(LINK, ' ').replace(TAG, (_, tag: string) => ` ${splitTag(tag)} `);
  return fold(plain).match(WORD) ?? [];
}

/** 32-bit hash of a term, tagged by kind so that a word and a 4-gram never share a key. */
function termHash(s: string, kind: number): number {
  let h = 0x811c9dc5 ^ kind;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

export const WORD_TERMS = 1;
export const GRAM_TERMS = 2;
/** Character n-gram length of the in-word grams. */
export const GRAM_LENGTH = 4;

/** Word and in-word 4-gram terms of a text, as hashes (repeats kept: term frequency counts). */
export function retrievalTerms(text: string): { words: Uint32Array; grams: Uint32Array } {
  const words = retrievalWords(text);
  const grams: number[] = [];
  for (const w of words) {
    const padded = ` ${w} `;
    const cps = [...padded];
    if (cps.length <= GRAM_LENGTH) grams.push(termHash(padded, GRAM_TERMS));
    else
      for (let i = 0; i + GRAM_LENGTH <= cps.length; i++)
        grams.push(termHash(cps.slice(i, i + GRAM_LENGTH).join(''), GRAM_TERMS));
  }
  return { words: Uint32Array.from(words, (w) => termHash(w, WORD_TERMS)), grams: Uint32Array.from(grams) };
}
