/**
 * The pairwise score: transparent features, combined by a few fixed rules, each named in the
 * result (`features`) so a reader sees why two records matched.
 *
 * Names (the main evidence) are compared as weighted token sets, order-free:
 * - each token weighs its inverse document frequency over the names in the store (Spärck Jones
 *   1972), so "LLC", "Group" or "Office" carry little and "Goumbri" or "Mukasey" a lot; a lone
 *   initial weighs at most 0.5;
 * - tokens are aligned greedily by similarity: equal 1; same phonetic key 0.9 (transliterations:
 *   "Mojahedin"/"Mujahideen"; against a name in Arabic script, also with و/ی read as vowels); Jaro-Winkler >= 0.88 for typos ("Menndez"/"Menendez", Winkler 1990);
 *   an abbreviation of >= 4 letters 0.8; an initial against a name starting with it 0.7; an acronym
 *   against the other name's initials ("NCRI") 1;
 * - name score = mean of the weighted Dice coefficient (both names explained) and the weighted
 *   containment (the shorter name explained), so "Patton Boggs LLP" ~ "Squire Patton Boggs" scores
 *   high but below an exact match; names equal as token sets, or when written together
 *   ("VisitDenmark"), score 1 and 0.98;
 * - company forms are weak evidence (see `formAgreement`): a factor of 1, 0.99 or 0.98;
 * - names that agree once a trailing branch or office qualifier is set aside (names.ts `base`:
 *   "National Council of Resistance of Iran - U.S. Representative Office", "Jamaica Tourist Board,
 *   Florida") score 0.92: offices of one organisation are one party in an influence map, as the
 *   FARA records treat a principal's U.S. office as acting for it.
 * The entity score is the best name score over both entities' names, then:
 * - a shared identifier (registration number, id number, Wikidata id): at least 0.95;
 * - an identifier of the same scheme that differs (two bioguide ids): x 0.3;
 * - countries both given: shared +10% of the remaining distance, disjoint x 0.75;
 * - birth dates both given and no year in common: x 0.6;
 * - incompatible schemata (a Person and an Organization): 0.
 */
import { FTM_MODEL, isA } from '../model.js';
import { jaroWinkler, looseKey, type PreparedName, prepareName } from './names.js';

/** The properties compared, by role. Identifier properties come from the model (type `identifier`). */
export const NAME_PROPS = ['name', 'alias', 'previousName', 'weakAlias', 'abbreviation'];
export const COUNTRY_PROPS = ['country', 'nationality', 'jurisdiction', 'citizenship', 'mainCountry'];
export const DATE_PROPS = ['birthDate'];
export const IDENTIFIER_PROPS: string[] = [
  ...new Set(
    FTM_MODEL.getSchemata()
      .flatMap((s) => [...s.getProperties().values()])
      .filter((p) => p.type.name === 'identifier')
      .map((p) => p.name),
  ),
];
/** Identifier values that name one party only: a different value of the same scheme means a different party. */
const EXCLUSIVE_SCHEMES = /^(bioguide|opensecrets|fec|govtrack|votesmart|icpsr|lis|thomas|cspan|wikidata):/;

/** A record prepared for comparison. */
export interface MatchRecord {
  id: string;
  schema: string;
  /** The values the record was prepared from, by property (what `match` returns). */
  props?: Record<string, readonly string[] | undefined>;
  names: PreparedName[];
  identifiers: Set<string>;
  countries: Set<string>;
  birthYears: Set<string>;
}

export function prepareRecord(
  id: string,
  schema: string,
  props: Record<string, readonly string[] | undefined>,
): MatchRecord {
  const names = new Map<string, PreparedName>();
  for (const p of NAME_PROPS)
    for (const n of props[p] ?? []) {
      const prepared = prepareName(n);
      if (prepared.tokens.length && !names.has(prepared.tokens.join(' ')))
        names.set(prepared.tokens.join(' '), prepared);
    }
  const identifiers = new Set<string>();
  for (const p of IDENTIFIER_PROPS) for (const v of props[p] ?? []) identifiers.add(v.trim().toLowerCase());
  if (props.wikidataId) for (const v of props.wikidataId) identifiers.add(`wikidata:${v.toLowerCase()}`);
  const countries = new Set<string>();
  for (const p of COUNTRY_PROPS) for (const v of props[p] ?? []) countries.add(v.toLowerCase());
  const birthYears = new Set((props.birthDate ?? []).map((d) => d.slice(0, 4)));
  return { id, schema, props, names: [...names.values()], identifiers, countries, birthYears };
}

/** Document frequencies of name tokens, for the weights. */
export interface TokenStats {
  documents: number;
  df(token: string): number;
}

export function tokenWeight(token: string, stats: TokenStats): number {
  const w = Math.log(1 + stats.documents / (stats.df(token) + 1));
  return token.length === 1 ? Math.min(w, 0.5) : w;
}

function tokenSimilarity(a: string, b: string, ka: string, kb: string, arabic: boolean): number {
  if (a === b) return 1;
  if (a.length >= 3 && b.length >= 3 && (ka === kb || (arabic && looseKey(ka) === looseKey(kb)))) return 0.9;
  if (a.length === 1 || b.length === 1) return a[0] === b[0] ? 0.7 : 0;
  const jw = jaroWinkler(a, b);
  if (jw >= 0.88) return jw;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (short.length >= 4 && long.startsWith(short)) return 0.8;
  return 0;
}

export interface NameComparison {
  score: number;
  /** The aligned tokens, for the features shown to the user. */
  matched: number;
}

/** Weighted, order-free similarity of two names (see the header). */
export function compareNames(a: PreparedName, b: PreparedName, stats: TokenStats): NameComparison {
  if (!a.tokens.length || !b.tokens.length) return { score: 0, matched: 0 };
  const sortedA = [...a.tokens].sort().join(' ');
  const sortedB = [...b.tokens].sort().join(' ');
  const forms = formAgreement(a, b);
  if (sortedA === sortedB) return { score: forms, matched: a.tokens.length };
  if (a.joined === b.joined) return { score: 0.98 * forms, matched: a.tokens.length };
  // Branches and offices of one organisation: the names agree once a trailing qualifier is set aside.
  if (a.base || b.base) {
    const baseA = [...(a.base ?? a.tokens)].sort().join(' ');
    const baseB = [...(b.base ?? b.tokens)].sort().join(' ');
    if (baseA === baseB)
      return { score: BRANCH_SCORE * forms, matched: Math.min(a.tokens.length, b.tokens.length) };
  }
  const wa = a.tokens.map((t) => tokenWeight(t, stats));
  const wb = b.tokens.map((t) => tokenWeight(t, stats));
  const usedA = new Array<boolean>(a.tokens.length).fill(false);
  const usedB = new Array<boolean>(b.tokens.length).fill(false);
  let explainedA = 0;
  let explainedB = 0;
  let matched = 0;
  // An acronym of the other name explains itself and the words it abbreviates ("NCRI" against
  // "National Council of Resistance of Iran").
  const acronym = (
    x: PreparedName,
    ux: boolean[],
    wx: number[],
    y: PreparedName,
    uy: boolean[],
    wy: number[],
  ) => {
    const explained: [number, number] = [0, 0];
    x.tokens.forEach((t, i) => {
      if (ux[i] || t.length < 3 || t.length > 8 || y.tokens.length < t.length || !y.initials.startsWith(t))
        return;
      ux[i] = true;
      explained[0] += wx[i]!;
      for (let k = 0; k < t.length; k++)
        if (!uy[k]) {
          uy[k] = true;
          explained[1] += wy[k]!;
        }
    });
    return explained;
  };
  let [ea, eb] = acronym(a, usedA, wa, b, usedB, wb);
  explainedA += ea!;
  explainedB += eb!;
  [eb, ea] = acronym(b, usedB, wb, a, usedA, wa);
  explainedA += ea!;
  explainedB += eb!;
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < a.tokens.length; i++) {
    if (usedA[i]) continue;
    for (let j = 0; j < b.tokens.length; j++) {
      if (usedB[j]) continue;
      const s = tokenSimilarity(a.tokens[i]!, b.tokens[j]!, a.keys[i]!, b.keys[j]!, a.arabic || b.arabic);
      if (s > 0) pairs.push([s, i, j]);
    }
  }
  pairs.sort((x, y) => y[0] - x[0]);
  for (const [s, i, j] of pairs) {
    if (usedA[i] || usedB[j]) continue;
    usedA[i] = usedB[j] = true;
    explainedA += s * wa[i]!;
    explainedB += s * wb[j]!;
    matched++;
  }
  const totalA = wa.reduce((x, y) => x + y, 0);
  const totalB = wb.reduce((x, y) => x + y, 0);
  const dice = (explainedA + explainedB) / (totalA + totalB);
  const containment = Math.max(explainedA / totalA, explainedB / totalB);
  return { score: Math.min(0.97, (dice + containment) / 2) * forms, matched };
}

/** Two names that agree but for a branch or office qualifier ("Jamaica Tourist Board, Florida"). */
export const BRANCH_SCORE = 0.92;

const FORM_SYNONYMS: Record<string, string> = {
  incorporated: 'inc',
  limited: 'ltd',
  corporation: 'corp',
  company: 'co',
};

/**
 * Company forms are weak evidence: the same form (or none on either side) 1, a form on one side only
 * 0.99, different forms ("LLC" / "LLP") 0.98. Enough to rank "Bryan Cave, LLP" above "Bryan Cave"
 * for "Bryan Cave LLP", never enough to keep a name match from matching.
 */
function formAgreement(a: PreparedName, b: PreparedName): number {
  const fa = new Set(
    a.forms.map((f) => FORM_SYNONYMS[f] ?? f).filter((f) => !['dba', 'fka', 'aka'].includes(f)),
  );
  const fb = new Set(
    b.forms.map((f) => FORM_SYNONYMS[f] ?? f).filter((f) => !['dba', 'fka', 'aka'].includes(f)),
  );
  if (fa.size === 0 && fb.size === 0) return 1;
  if (fa.size === 0 || fb.size === 0) return 0.99;
  return [...fa].some((f) => fb.has(f)) ? 1 : 0.98;
}

/** Whether two schemata can describe the same party (one descends from the other, or both are organisations). */
export function compatibleSchemata(a: string, b: string): boolean {
  return isA(a, b) || isA(b, a) || (isA(a, 'Organization') && isA(b, 'Organization'));
}

export interface ScoreResult {
  score: number;
  features: Record<string, number>;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function scorePair(a: MatchRecord, b: MatchRecord, stats: TokenStats): ScoreResult {
  const features: Record<string, number> = {};
  if (!compatibleSchemata(a.schema, b.schema)) return { score: 0, features: { schema_mismatch: 1 } };
  let name = 0;
  for (const x of a.names) for (const y of b.names) name = Math.max(name, compareNames(x, y, stats).score);
  features.name_similarity = round(name);
  let score = name;
  let shared = false;
  let conflict = false;
  for (const v of a.identifiers) if (b.identifiers.has(v)) shared = true;
  if (!shared)
    for (const v of a.identifiers) {
      const scheme = EXCLUSIVE_SCHEMES.exec(v)?.[1];
      if (scheme && [...b.identifiers].some((w) => w.startsWith(`${scheme}:`))) conflict = true;
    }
  if (shared) {
    features.identifier_match = 1;
    score = Math.max(score, 0.95);
  } else if (conflict) {
    features.identifier_mismatch = 1;
    score *= 0.3;
  }
  if (a.countries.size && b.countries.size) {
    if ([...a.countries].some((c) => b.countries.has(c))) {
      features.country_match = 1;
      score += (1 - score) * 0.1;
    } else {
      features.country_mismatch = 1;
      score *= 0.75;
    }
  }
  if (a.birthYears.size && b.birthYears.size && ![...a.birthYears].some((y) => b.birthYears.has(y))) {
    features.dob_year_mismatch = 1;
    score *= 0.6;
  }
  return { score: round(score), features };
}

/** The blocking keys of a record: its rare name tokens, their phonetic keys, acronyms and identifiers. */
export function blockingKeys(r: MatchRecord): string[] {
  const keys = new Set<string>();
  for (const n of r.names) {
    n.tokens.forEach((t, i) => {
      if (t.length < 2) return;
      keys.add(`t:${t}`);
      const key = n.keys[i]!;
      if (key.length >= 2) keys.add(`p:${key}`);
      // Cross-script blocking: the key with و/ی read as vowels, where it differs.
      const loose = looseKey(key);
      if (loose !== key && loose.length >= 2) keys.add(`p:${loose}`);
    });
    if (n.tokens.length >= 2 && n.initials.length >= 3) keys.add(`t:${n.initials}`);
    if (n.tokens.length > 1) keys.add(`j:${n.joined}`);
    if (n.tokens.length === 1) keys.add(`j:${n.joined}`);
  }
  for (const v of r.identifiers) keys.add(`i:${v}`);
  return [...keys];
}
