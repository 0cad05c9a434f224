/**
 * The FollowTheMoney (FtM) model, as published by OpenSanctions in `@opensanctions/followthemoney`
 * (v4, the maintained line of the convention that Aleph and OpenSanctions use). Nothing here defines
 * a schema: schemata, properties, types, edges and country codes all come from the package's
 * compiled model, so an entity stored by Lockstep reads the same in every FtM tool.
 *
 * What the JavaScript package does not do, and this module adds, is cleaning values by their type
 * the way FtM's Python library does (`followthemoney/types/*.py`): dates to ISO-8601 prefixes,
 * countries to their codes, numbers without thousands separators, names and strings with white space
 * squeezed. A value that cannot be cleaned is refused with a reason (the caller counts it).
 */
import { defaultModel, Model, type Property, type Schema } from '@opensanctions/followthemoney';

export const FTM_MODEL = new Model(defaultModel);

/** The package's version, written into exports so a reader knows which model the files follow. */
export const FTM_VERSION = '4.5.2';

/** The schema called `name`, or undefined. */
export function schemaOf(name: string): Schema | undefined {
  return FTM_MODEL.schemata[name];
}

/** Each schema's properties, inherited ones included (the package rebuilds this map on every call). */
const PROPERTIES = new Map<string, Map<string, Property>>();

/** The property `prop` of `schema` (including inherited ones), or undefined. */
export function propertyOf(schema: Schema, prop: string): Property | undefined {
  let props = PROPERTIES.get(schema.name);
  if (!props) {
    props = schema.getProperties();
    PROPERTIES.set(schema.name, props);
  }
  return props.get(prop);
}

/** Whether `a` is `b` or a descendant of it. */
export const isA = (a: string, b: string): boolean => schemaOf(a)?.isA(b) ?? false;

/**
 * The most specific schema two statements about one entity agree on (FtM's `common_schema`): the
 * descendant when one is an ancestor of the other, else their nearest common non-abstract
 * ancestor ("Person" and "Company" give "LegalEntity"), else null.
 */
export function commonSchema(a: string, b: string): string | null {
  if (a === b) return a;
  const sa = schemaOf(a);
  const sb = schemaOf(b);
  if (!sa || !sb) return null;
  if (sa.isA(sb)) return a;
  if (sb.isA(sa)) return b;
  const ancestors = (s: Schema): Schema[] => [s, ...s.getParents()];
  const bs = new Set(ancestors(sb).map((s) => s.name));
  for (const s of ancestors(sa)) if (!s.abstract && bs.has(s.name) && s.matchable) return s.name;
  return null;
}

/** Schemata that describe a party (person, organisation, company, public body): the ones resolution merges. */
export function isParty(schema: string): boolean {
  return isA(schema, 'LegalEntity');
}

// --- cleaning values by type ------------------------------------------------------------------

export type Cleaned = { value: string } | { error: string };

const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Country names as written in public records, folded, to FtM country codes. Built from the model. */
const COUNTRY_CODES: Map<string, string> = (() => {
  const map = new Map<string, string>();
  const countries = FTM_MODEL.types.country?.values ?? new Map<string, string>();
  for (const [code, label] of countries) {
    map.set(foldCountry(code), code);
    map.set(foldCountry(label), code);
  }
  // Names the model's labels do not spell the same way (DOJ FARA, LDA, Sunlight spellings).
  const aliases: Record<string, string> = {
    usa: 'us',
    'united states of america': 'us',
    ussr: 'suhh',
    'soviet union': 'suhh',
    'great britain': 'gb',
    england: 'gb',
    scotland: 'gb-sct',
    'northern ireland': 'gb-nir',
    'korea south': 'kr',
    'south korea': 'kr',
    'korea north': 'kp',
    'north korea': 'kp',
    'congo democratic republic of the': 'cd',
    'congo republic of the': 'cg',
    zaire: 'cd',
    burma: 'mm',
    'myanmar burma': 'mm',
    'ceylon sri lanka': 'lk',
    'cote divoire ivory coast': 'ci',
    'ivory coast': 'ci',
    czechoslovakia: 'cshh',
    yugoslavia: 'yucs',
    kosova: 'xk',
    'german democratic republic': 'ddde',
    'germany federal republic of': 'de',
    'west berlin': 'de',
    'gambia the': 'gm',
    'bosnia herzegovina': 'ba',
    'antigua barbuda': 'ag',
    macedonia: 'mk',
    'timor leste east timor': 'tl',
    'portuguese timor': 'tl',
    swaziland: 'sz',
    dahomey: 'bj',
    'western samoa': 'ws',
    'republic of south sudan': 'ss',
    'vatican city': 'va',
    'st kitts and nevis': 'kn',
    'saint lucia': 'lc',
    'st martin': 'mf',
    'st barthelemy': 'bl',
    'somali democratic republic': 'so',
    'yemen peoples democratic republic of yemen': 'ye',
    'southern yeman': 'ye',
    palestine: 'ps',
    macau: 'mo',
    laos: 'la',
    russia: 'ru',
    iran: 'ir',
    syria: 'sy',
    vietnam: 'vn',
    taiwan: 'tw',
    turkey: 'tr',
    turkiye: 'tr',
    czechia: 'cz',
    brunei: 'bn',
    moldova: 'md',
    tanzania: 'tz',
    bolivia: 'bo',
    venezuela: 've',
    micronesia: 'fm',
    'cabo verde': 'cv',
    'virgin islands': 'vi',
    deutschland: 'de',
    osterreich: 'at',
    schweiz: 'ch',
    'british virgin islands': 'vg',
  };
  for (const [name, code] of Object.entries(aliases)) if (countries.has(code)) map.set(name, code);
  return map;
})();

function foldCountry(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** An FtM country code for a country name or code as public records write it, or null. */
export function countryCode(text: string): string | null {
  const folded = foldCountry(text);
  if (!folded) return null;
  const direct = COUNTRY_CODES.get(folded);
  if (direct) return direct;
  // "Congo, Republic of the" -> "republic of the congo"
  const comma = text.split(',');
  if (comma.length === 2) {
    const swapped = COUNTRY_CODES.get(foldCountry(`${comma[1]} ${comma[0]}`));
    if (swapped) return swapped;
  }
  // "Ceylon (Sri Lanka)" -> the part in brackets
  const inner = /\(([^)]+)\)/.exec(text)?.[1];
  return inner ? (COUNTRY_CODES.get(foldCountry(inner)) ?? null) : null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date in the forms public records use, as an FtM date (an ISO-8601 prefix: `2013`, `2013-04`,
 * `2013-04-08`, `2013-04-08T12:00:00`). US `MM/DD/YYYY` and `MM/DD/YY` are read as such (FARA,
 * Sunlight); a Sunlight date ending in `*` ("10/31/13*", the end of the reporting period) keeps
 * the date and is marked by the caller.
 */
export function cleanDate(text: string): string | null {
  const s = text.trim().replace(/\*$/, '');
  if (!s) return null;
  let m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?)?)?/.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, se] = m;
    if (!validDate(Number(y), mo ? Number(mo) : 1, d ? Number(d) : 1)) return null;
    let out = y!;
    if (mo) out += `-${pad(Number(mo))}`;
    if (mo && d) out += `-${pad(Number(d))}`;
    if (mo && d && h) out += `T${pad(Number(h))}:${mi}${se ? `:${se}` : ''}`;
    return out;
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(s);
  if (m) {
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    const month = Number(m[1]);
    const day = Number(m[2]);
    return validDate(year, month, day) ? `${year}-${pad(month)}-${pad(day)}` : null;
  }
  return null;
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1000 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** A number as FtM stores it: digits with an optional decimal point, no thousands separators. */
export function cleanNumber(text: string): string | null {
  const s = text.replace(/[$€£\s]/g, '').replace(/,(?=\d{3}(\D|$))/g, '');
  return /^-?\d+(\.\d+)?$/.test(s) ? s : null;
}

/**
 * Cleans `raw` for property `prop`: the value to store, or the reason it cannot be.
 * Entity references are ids; other types follow FtM's cleaning rules (see the header).
 */
export function cleanValue(prop: Property, raw: string): Cleaned {
  // C0 controls other than tab and line breaks are never text (and the store's bulk reads use some as separators).
  const text = raw.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ');
  switch (prop.type.name) {
    case 'date': {
      const value = cleanDate(text);
      return value ? { value } : { error: `not a date: "${text.slice(0, 40)}"` };
    }
    case 'country': {
      const value = countryCode(text);
      return value ? { value } : { error: `unknown country: "${text.slice(0, 40)}"` };
    }
    case 'number': {
      const value = cleanNumber(text);
      return value ? { value } : { error: `not a number: "${text.slice(0, 40)}"` };
    }
    case 'text':
    case 'html':
      return text.trim() ? { value: text.trim() } : { error: 'empty' };
    default: {
      const value = squeeze(text);
      if (!value) return { error: 'empty' };
      const max = prop.type.maxLength || 65_000;
      return value.length > max
        ? { error: `longer than the ${prop.type.name} type allows (${max})` }
        : { value };
    }
  }
}

export interface ValidationIssue {
  entityId: string;
  problem: string;
}

/**
 * Checks an entity as written in an FtM export against the model: a known, non-abstract schema,
 * properties that exist on it, values that clean to themselves (valid dates, country codes,
 * numbers), references that are ids. Required properties are FtM's form hints, not constraints
 * (FtM's own libraries accept entities without them), so they are not checked.
 */
export function validateEntity(entity: {
  id?: unknown;
  schema?: unknown;
  properties?: unknown;
}): ValidationIssue[] {
  const id = typeof entity.id === 'string' ? entity.id : '';
  const issues: ValidationIssue[] = [];
  const fail = (problem: string) => issues.push({ entityId: id || '(no id)', problem });
  if (!id) fail('no id');
  const schema = typeof entity.schema === 'string' ? schemaOf(entity.schema) : undefined;
  if (!schema) {
    fail(`unknown schema ${JSON.stringify(entity.schema)}`);
    return issues;
  }
  if (schema.abstract) fail(`schema ${schema.name} is abstract`);
  const props = (entity.properties ?? {}) as Record<string, unknown>;
  for (const [name, values] of Object.entries(props)) {
    const prop = propertyOf(schema, name);
    if (!prop) {
      fail(`${schema.name} has no property ${name}`);
      continue;
    }
    if (!Array.isArray(values)) {
      fail(`${name}: values must be a list`);
      continue;
    }
    for (const v of values) {
      if (typeof v !== 'string') {
        fail(`${name}: value ${JSON.stringify(v)} is not a string`);
        continue;
      }
      if (prop.type.name === 'entity') continue;
      const cleaned = cleanValue(prop, v);
      if ('error' in cleaned) fail(`${name}: ${cleaned.error}`);
      else if (cleaned.value !== v && prop.type.name !== 'text')
        fail(
          `${name}: "${v.slice(0, 40)}" is not in the type's clean form ("${cleaned.value.slice(0, 40)}")`,
        );
    }
  }
  return issues;
}

/** The caption FtM shows for an entity: the first value of the schema's caption properties. */
export function captionOf(
  schemaName: string,
  props: Map<string, string[]> | Record<string, string[]>,
): string {
  const schema = schemaOf(schemaName);
  const get = (p: string) => (props instanceof Map ? props.get(p) : props[p]);
  for (const p of schema?.caption ?? ['name']) {
    const values = get(p);
    if (values?.length) return [...values].sort((a, b) => a.length - b.length || a.localeCompare(b))[0]!;
  }
  return schema?.label ?? schemaName;
}
