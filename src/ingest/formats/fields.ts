/** Small field readers shared by the adapters. */
import { FormatError } from '../../core/errors.js';
import { parseTimestamp, type ZoneResolver } from '../normalize/time.js';
import { RowError, type RowSink } from './types.js';

/**
 * Parses a Python `repr()` list as the X archive writes it: `['a', "it's"]`, `[123, 456]`, `[]`,
 * and the unquoted `[a, b]` some releases use. Returns [] for an empty or missing value.
 */
export function parsePyList(value: string | undefined): string[] {
  if (!value) return [];
  const s = value.trim();
  if (s === '' || s === '[]' || s.toLowerCase() === 'absent' || s.toLowerCase() === 'nan') return [];
  if (s[0] !== '[' || s[s.length - 1] !== ']') {
    // A bare value or a comma/space-separated list.
    return s
      .split(/[,\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  }
  const out: string[] = [];
  let i = 1;
  const end = s.length - 1;
  while (i < end) {
    const c = s[i]!;
    if (c === ' ' || c === ',') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let item = '';
      i++;
      while (i < end && s[i] !== c) {
        if (s[i] === '\\' && i + 1 < end) {
          const e = s[i + 1]!;
          if (e === 'x' || e === 'u' || e === 'U') {
            const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
            const code = Number.parseInt(s.slice(i + 2, i + 2 + width), 16);
            if (!Number.isNaN(code)) {
              item += String.fromCodePoint(code);
              i += 2 + width;
              continue;
            }
          }
          item += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          i += 2;
          continue;
        }
        item += s[i];
        i++;
      }
      out.push(item);
      i++;
      continue;
    }
    // Unquoted item (a number or a bare word).
    let j = s.indexOf(',', i);
    if (j < 0 || j > end) j = end;
    const item = s.slice(i, j).trim();
    if (item && item !== 'None') out.push(item);
    i = j + 1;
  }
  return out;
}

/** Placeholders for "no value" in exports (pandas, R, the X archive). */
const MISSING = new Set([
  'absent',
  'none',
  'nan',
  'null',
  'na',
  'None',
  'NaN',
  'NULL',
  'NA',
  'Absent',
  'ABSENT',
  'NONE',
]);

/** An id-like field: empty, `absent`, `None`, `nan`, `0` for "no id" all become null. */
export function idOrNull(value: string | undefined): string | null {
  if (value === undefined || value === '' || value === '0') return null;
  const c = value.charCodeAt(0);
  // Fast path: a plain id (digits, hex, hashed) with no surrounding space.
  if (c > 32 && value.charCodeAt(value.length - 1) > 32 && !MISSING.has(value)) {
    // Pandas writes integer ids of columns with gaps as floats: 123.0
    return value.endsWith('.0') && /^\d+\.0$/.test(value) ? value.slice(0, -2) : value;
  }
  const s = value.trim();
  if (s === '' || s === '0' || MISSING.has(s) || MISSING.has(s.toLowerCase())) return null;
  return s.endsWith('.0') && /^\d+\.0$/.test(s) ? s.slice(0, -2) : s;
}

/** A count written as an integer or a float (`12.0`); null when missing. */
export function countOrNull(value: string | undefined | number | null): number | null {
  if (value === undefined || value === null || value === '') return null;
  // Number() reads "12", "12.0", " 12 " and "1e3"; placeholders such as "absent" give NaN.
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && !(typeof value === 'string' && value.trim() === '') ? Math.round(n) : null;
}

/** Text field: empty and `absent` become null. */
export function textOrNull(value: string | undefined | null): string | null {
  if (value === undefined || value === null || value === '' || value === 'absent') return null;
  return value;
}

export function boolOf(value: string | undefined): boolean {
  return value !== undefined && /^(true|1|yes|t)$/i.test(value.trim());
}

/**
 * Parses a required timestamp, counting a warning when it had no zone and throwing a RowError
 * (the row is rejected with the reason) when it cannot be read.
 */
export function timeOf(
  value: string | undefined,
  column: string,
  zone: ZoneResolver,
  line: number,
  sink: RowSink,
  utcByDocs = false,
): number {
  const parsed = value === undefined ? null : parseTimestamp(value, zone);
  if (!parsed) throw new RowError(`unreadable ${column} "${(value ?? '').slice(0, 40)}"`);
  if (parsed.zoneless && !utcByDocs)
    sink.warn(
      'zoneless-time',
      `${column} has no time zone; read as UTC (use --timezone to say otherwise)`,
      line,
    );
  return parsed.ms;
}

/** Finds header columns; throws a FormatError naming the missing required ones. */
export function headerIndex(header: string[], required: string[], format: string): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().replace(/^\ufeff/, '');
    if (!index.has(key)) index.set(key, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) {
    throw new FormatError(
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for format ${format} (the header has: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''})`,
    );
  }
  return index;
}

/** Columns of a header that an adapter does not map, to keep in `extra`. */
export function extraColumns(header: string[], mapped: Iterable<string>): [string, number][] {
  const known = new Set(mapped);
  return header.map((h, i) => [h.trim(), i] as [string, number]).filter(([h]) => h !== '' && !known.has(h));
}

/**
 * A short, stable content key: 26 hex digits from two independent 53-bit hashes (106 bits; cyrb53's
 * MurmurHash3-style mixing, run with two seeds in one pass). Not cryptographic; collisions are
 * negligible at any corpus size (about 1e-11 at 1e10 keys).
 */
export function contentKey(...parts: (string | number | null | undefined)[]): string {
  const s = parts.map((p) => (p === null || p === undefined ? '' : String(p))).join('\x1f');
  let a1 = 0xdeadbeef ^ 1;
  let a2 = 0x41c6ce57 ^ 1;
  let b1 = 0xdeadbeef ^ 2;
  let b2 = 0x41c6ce57 ^ 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a1 = Math.imul(a1 ^ c, 2654435761);
    a2 = Math.imul(a2 ^ c, 1597334677);
    b1 = Math.imul(b1 ^ c, 2246822519);
    b2 = Math.imul(b2 ^ c, 3266489917);
  }
  const fin = (h1: number, h2: number) => {
    const x = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    const y = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(x ^ (x >>> 13), 3266489909);
    return (4294967296 * (2097151 & y) + (x >>> 0)).toString(16).padStart(14, '0').slice(-13);
  };
  return fin(a1, a2) + fin(b1, b2);
}

/** Reads a dotted path (`author.id`, `entities.urls`) from a parsed JSON value. */
export function pathValue(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Detects a CSV header line: returns its column names (lower-cased), or [] when the head is not CSV-like. */
export function headerOf(head: string): string[] {
  const first = head.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
  if (first.startsWith('{') || first.startsWith('[')) return [];
  return first.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'«»“”]+/gi;
const HASHTAG_IN_TEXT = /(?:^|[^\p{L}\p{N}_&/])[#＃]([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*)/gu;
const MENTION_IN_TEXT = /(?:^|[^\p{L}\p{N}_.@])@([A-Za-z0-9_]{1,32})/gu;

/**
 * URLs, hashtags and mentions found in the text itself, for formats that do not list them
 * (IRA, Telegram text without entities). Hashtags follow Twitter's rule: letters, marks, digits and
 * underscores, not digits only. Trailing punctuation is cut from URLs.
 */
export function entitiesFromText(text: string | null | undefined): {
  urls: string[];
  hashtags: string[];
  mentions: string[];
} {
  if (!text) return { urls: [], hashtags: [], mentions: [] };
  const urls = (text.match(URL_IN_TEXT) ?? []).map((u) => u.replace(/[.,;:!?)\]}…]+$/u, ''));
  const hashtags =
    text.indexOf('#') >= 0 || text.indexOf('＃') >= 0
      ? [...text.matchAll(HASHTAG_IN_TEXT)].map((m) => m[1]!)
      : [];
  const mentions = text.indexOf('@') >= 0 ? [...text.matchAll(MENTION_IN_TEXT)].map((m) => m[1]!) : [];
  return { urls, hashtags, mentions };
}
