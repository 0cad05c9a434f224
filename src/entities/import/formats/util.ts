/** Helpers the entity importers share: stable ids, party kinds from names, and JSON framing. */
import { createHash } from 'node:crypto';
import { JsonScanner } from '../../../ingest/framing/json.js';
import type { EntityInput, RecordSink } from '../types.js';

/** sha1 of the parts (joined by U+001F), cut to 20 hex digits: stable ids for records without one. */
export function hashId(...parts: (string | null | undefined)[]): string {
  return createHash('sha1')
    .update(parts.map((p) => p ?? '').join('\u001f'))
    .digest('hex')
    .slice(0, 20);
}

/** A name folded for ids: the same spelling, case and white space aside, gives the same id. */
export const idName = (name: string): string =>
  name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

const ORG_WORDS =
  /\b(llc|l\.l\.c|inc|incorporated|ltd|limited|corp|corporation|company|co\.|plc|pllc|llp|lp|p\.?c|gmbh|ag|s\.?a|group|associates|partners|partnership|consulting|strategies|strategic|solutions|communications|international|global|government|ministry|ministere|embassy|consulate|council|committee|commission|office|bureau|board|agency|authority|department|party|movement|front|union|federation|association|foundation|institute|center|centre|university|bank|fund|republic|kingdom|state|province|city|county|trust|society|league|alliance|coalition|organization|organisation|network|media|news|times|press|tourism|tourist|travel|airlines?|railways?|petroleum|oil|energy|services|holdings?|enterprises?|industries|law|firm|affairs|relations|public|advisors|advisory|pac|fund|friends of|for congress|for senate|campaign|victory|leadership|staff)\b/i;
const HONORIFIC =
  /^(mr|mrs|ms|miss|dr|prof|sir|dame|hon|h\.?e|sheikh|sen|senator|rep|representative|amb|ambassador|gen|col|judge|rabbi|rev)\.?\s/i;

/**
 * The FtM schema a party name most likely has: `Person` for "Last, First M." and honorific forms
 * ("Mr. Lulzim Basha"), `Organization` for names with company forms or organisation words,
 * otherwise `LegalEntity` (FtM's own choice when it cannot tell). Resolution treats Person and
 * Organization as compatible with LegalEntity, so a wrong guess towards LegalEntity costs nothing.
 */
export function partySchema(name: string): 'Person' | 'Organization' | 'LegalEntity' {
  const n = name.trim();
  if (ORG_WORDS.test(n)) return 'Organization';
  if (HONORIFIC.test(n)) return 'Person';
  // "Mukasey, Michael B." / "Joseph, Robert G." / "Goumbri, Olivia"
  if (/^[\p{L}'’.-]+( [\p{L}'’.-]+)?, [\p{L}'’.-]+( [\p{L}.'’-]+){0,3}$/u.test(n)) return 'Person';
  // "Robert G. Joseph", "Olivia Goumbri": two to four capitalised words, no digits.
  if (/^(\p{Lu}[\p{L}'’-]*\.?)( \p{Lu}[\p{L}'’-]*\.?){1,3}$/u.test(n) && !/\d/.test(n)) return 'Person';
  return 'LegalEntity';
}

/** Splits a "Last, First Middle" name into its parts (FtM firstName/lastName), or null. */
export function nameParts(name: string): { first: string; last: string } | null {
  const m = /^([^,]+), ([^,]+)$/.exec(name.trim());
  return m ? { last: m[1]!.trim(), first: m[2]!.trim() } : null;
}

/** Text with HTML's `&nbsp;` and entities of scraped pages turned back into characters. */
export function unhtml(text: string): string {
  return text
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * JSON values of a text input: one per line for JSON Lines, or the elements of the array under
 * `arrayKey` (or the top-level array) of one JSON document, streamed (ingest/framing/json.ts).
 */
export async function readJson(
  input: EntityInput,
  sink: RecordSink,
  arrayKey: string | null,
  onValue: (value: unknown, line: number, raw: string) => void,
): Promise<void> {
  if (input.kind !== 'text') throw new Error('readJson needs a text input');
  let first = true;
  let lines = true;
  let scanner: JsonScanner | null = null;
  let rest = '';
  let line = 1;
  const jsonSink = {
    element(value: unknown, at: number) {
      onValue(value, at, JSON.stringify(value));
    },
    reject(reason: string, at: number, raw: string) {
      sink.reject(at, reason, raw);
    },
  };
  const handleLine = (text: string, at: number) => {
    const body = text.trim();
    if (!body) return;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      sink.reject(at, `invalid JSON: ${(err as Error).message}`, body);
      return;
    }
    onValue(value, at, body);
  };
  for await (const chunk of input.chunks) {
    let text = chunk.text;
    if (first) {
      first = false;
      text = text.replace(/^\ufeff/, '');
      const start = text.trimStart();
      // A document that opens an array, or an object whose first line does not close it, is one JSON document.
      const firstLine = start.split('\n', 1)[0]!.trim();
      lines = start.startsWith('{') && isCompleteJson(firstLine);
      if (!lines) scanner = new JsonScanner(arrayKey);
    }
    if (scanner) {
      scanner.feed(text, false, jsonSink);
      continue;
    }
    text = rest + text;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      handleLine(text.slice(from, nl), line++);
      from = nl + 1;
    }
    rest = text.slice(from);
  }
  if (scanner) scanner.feed('', true, jsonSink);
  else if (rest.trim()) handleLine(rest, line);
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Strings of a JSON value that may be a string, a number, or a list of them. */
export function strings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}
