/**
 * Language labels to BCP-47 primary subtags (`en`, `fa`, `ru`). Sources disagree: the X archive
 * writes `en`, X API v2 `en` or `und`, Bluesky `en-US`, the IRA data set `English`. Unknown or
 * undetermined labels become null.
 */

export const UNDETERMINED = new Set([
  'und',
  'zxx',
  'qme',
  'qht',
  'qam',
  'qst',
  'art',
  'unknown',
  'language undefined',
]);

let byName: Map<string, string> | null = null;

/** Lower-cased English language names to codes (from ICU), plus the spellings data sets use. */
export function languageNames(): Map<string, string> {
  if (byName) return byName;
  byName = new Map();
  const display = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
  const a = 'abcdefghijklmnopqrstuvwxyz';
  for (const x of a) {
    for (const y of a) {
      const code = x + y;
      const name = display.of(code);
      // Keep the first code for a name: ICU also names deprecated codes (iw, in) after he, id.
      if (name && name.toLowerCase() !== code && !byName.has(name.toLowerCase()))
        byName.set(name.toLowerCase(), code);
    }
  }
  // Names used by data sets that ICU spells differently.
  byName.set('farsi', 'fa');
  byName.set('persian', 'fa');
  byName.set('pushto', 'ps');
  byName.set('serbo-croatian', 'sh');
  byName.set('norwegian', 'no');
  byName.set('simplified chinese', 'zh');
  byName.set('traditional chinese', 'zh');
  return byName;
}

const seen = new Map<string, string | null>();

/** Normalises a language label; null when absent or undetermined. Labels are few: results are cached. */
export function normalizeLang(label: string | null | undefined): string | null {
  if (!label) return null;
  const cached = seen.get(label);
  if (cached !== undefined) return cached;
  const result = resolveLang(label);
  if (seen.size < 10_000) seen.set(label, result);
  return result;
}

function resolveLang(label: string): string | null {
  const s = label.trim().toLowerCase();
  if (s === '' || UNDETERMINED.has(s)) return null;
  const primary = /^([a-z]{2,3})(?:[-_][a-z0-9]+)*$/.exec(s);
  if (primary) return primary[1]!;
  const names = languageNames();
  // "Farsi (Persian)", "Tagalog (Filipino)": the name, else the name in parentheses.
  const paren = /^(.*?)\s*\(([^)]*)\)$/.exec(s);
  return names.get(s) ?? (paren ? (names.get(paren[1]!) ?? names.get(paren[2]!) ?? null) : null);
}
