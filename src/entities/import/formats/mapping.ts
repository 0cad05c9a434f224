/**
 * Any table through a FollowTheMoney mapping file: the YAML that `ftm map` reads
 * (followthemoney/mapping/*.py), so a meeting register, a donations table or a company registry
 * loads without code. Supported: `queries` (or a single query) with `csv_url`/`csv_urls`,
 * `filters`/`filters_not`, and entities with `schema`, `key`/`keys`, `key_literal`, `id_column`
 * and properties from `column`/`columns`, `literal`/`literals`, `template` ("{{Street}}, {{City}}"),
 * `join`, `split`, `format` (strptime dates) and `entity` (a reference to another entity of the
 * same row).
 *
 * Ids are computed as `ftm map` computes them (mapping/entity.py `compute_key`): the sha1 of the
 * dataset name, the key literal and the row's key values sorted, so entities imported here carry
 * the same ids as `ftm map` gives them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../../../core/errors.js';
import { readCsv } from '../csv.js';
import type { EntityDraft, EntityFormat } from '../types.js';

interface PropertyMapping {
  columns: string[];
  literals: string[];
  entity?: string;
  template?: string;
  join?: string;
  split?: string;
  format?: string;
}

interface EntityMapping {
  name: string;
  schema: string;
  keys: string[];
  keyLiteral: string;
  idColumn?: string;
  properties: Record<string, PropertyMapping>;
}

interface QueryMapping {
  csvUrls: string[];
  filters: Record<string, string[]>;
  filtersNot: Record<string, string[]>;
  entities: EntityMapping[];
}

export interface Mapping {
  /** The dataset name: the YAML's top-level key, also the seed of entity ids. */
  dataset: string;
  queries: QueryMapping[];
  path: string;
}

const list = (v: unknown): string[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/** Reads and checks a mapping file; a UsageError says what is wrong with it. */
export function loadFtmMapping(path: string): Mapping {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the mapping ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object') throw new UsageError(`the mapping ${path} is empty`);
  let dataset = basename(path).replace(/\.ya?ml$/i, '');
  let body = doc as Record<string, unknown>;
  if (!('queries' in body) && !('query' in body) && !('entities' in body)) {
    const keys = Object.keys(body);
    if (keys.length !== 1)
      throw new UsageError(`the mapping ${path} has no queries (expected "<dataset>: {queries: ...}")`);
    dataset = keys[0]!;
    body = body[dataset] as Record<string, unknown>;
  }
  const rawQueries = list(body.queries).length ? (body.queries as unknown[]) : [body.query ?? body];
  const queries = rawQueries.map((q, i) =>
    parseQuery(q as Record<string, unknown>, `${path} query ${i + 1}`),
  );
  return { dataset, queries, path };
}

function parseQuery(q: Record<string, unknown>, where: string): QueryMapping {
  const entities = Object.entries((q.entities ?? {}) as Record<string, Record<string, unknown>>).map(
    ([name, e]): EntityMapping => {
      if (!e?.schema) throw new UsageError(`${where}: entity ${name} has no schema`);
      const keys = [...list(e.key), ...list(e.keys)];
      if (!keys.length && !e.id_column)
        throw new UsageError(`${where}: entity ${name} has no key or id_column`);
      const properties: Record<string, PropertyMapping> = {};
      for (const [prop, p] of Object.entries(
        (e.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        properties[prop] = {
          columns: [...list(p.column), ...list(p.columns)],
          literals: [...list(p.literal), ...list(p.literals)],
          entity: p.entity === undefined ? undefined : String(p.entity),
          template: p.template === undefined ? undefined : String(p.template),
          join: p.join === undefined ? undefined : String(p.join),
          split: p.split === undefined ? undefined : String(p.split),
          format: p.format === undefined ? undefined : String(p.format),
        };
      }
      return {
        name,
        schema: String(e.schema),
        keys,
        keyLiteral: e.key_literal === undefined ? '' : String(e.key_literal),
        idColumn: e.id_column === undefined ? undefined : String(e.id_column),
        properties,
      };
    },
  );
  if (!entities.length) throw new UsageError(`${where}: no entities`);
  const filters = (v: unknown) =>
    Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, list(x)]));
  return {
    csvUrls: [...list(q.csv_url), ...list(q.csv_urls)],
    filters: filters(q.filters),
    filtersNot: filters(q.filters_not),
    entities,
  };
}

/** A strptime-style date (`%Y-%m-%d`, `%d.%m.%Y`, `%m/%d/%y`, ...) as ISO-8601, or the text unchanged. */
export function strptime(text: string, format: string): string {
  const parts: string[] = [];
  const pattern = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([YmdHMSyb])/g, (_, c: string) => {
    parts.push(c);
    return c === 'Y' ? '(\\d{4})' : c === 'b' ? '([A-Za-z]{3})' : '(\\d{1,2})';
  });
  const m = new RegExp(`^${pattern}$`).exec(text.trim());
  if (!m) return text;
  const v: Record<string, string> = {};
  parts.forEach((c, i) => {
    v[c] = m[i + 1]!;
  });
  const months = 'janfebmaraprmayjunjulaugsepoctnovdec';
  const year = v.Y ?? (v.y ? String(Number(v.y) + (Number(v.y) < 50 ? 2000 : 1900)) : '');
  const month = v.m ?? (v.b ? String(months.indexOf(v.b.toLowerCase()) / 3 + 1) : '');
  const p = (s: string | undefined) => (s ? s.padStart(2, '0') : '');
  let out = year;
  if (month) out += `-${p(month)}`;
  if (month && v.d) out += `-${p(v.d)}`;
  if (v.H) out += `T${p(v.H)}:${p(v.M ?? '0')}${v.S ? `:${p(v.S)}` : ''}`;
  return out;
}

/** The entity id `ftm map` computes for a row (see the header). */
export function mappingKey(dataset: string, e: EntityMapping, row: Record<string, string>): string | null {
  if (e.idColumn) return row[e.idColumn]?.trim() || null;
  const values = e.keys
    .map((k) => Buffer.from((row[k] ?? '').trim(), 'utf8'))
    .sort(Buffer.compare)
    .filter((b) => b.length);
  if (!values.length) return null;
  const digest = createHash('sha1').update(dataset, 'utf8').update(e.keyLiteral, 'utf8');
  for (const b of values) digest.update(b);
  return digest.digest('hex');
}

function propertyValues(p: PropertyMapping, row: Record<string, string>, ids: Map<string, string>): string[] {
  if (p.entity) {
    const id = ids.get(p.entity);
    return id ? [id] : [];
  }
  let values: string[];
  if (p.template !== undefined) {
    values = [p.template.replace(/\{\{([^}]*)\}\}/g, (_, c: string) => row[c.trim()] ?? '').trim()];
  } else {
    values = [...p.literals, ...p.columns.map((c) => row[c] ?? '').filter((x) => x !== '')];
  }
  if (p.join !== undefined) values = [values.join(p.join)];
  if (p.split !== undefined) values = values.flatMap((x) => x.split(p.split!));
  if (p.format) values = values.map((x) => strptime(x, p.format!));
  return values;
}

const matches = (q: QueryMapping, row: Record<string, string>) =>
  Object.entries(q.filters).every(([k, vs]) => vs.includes(row[k] ?? '')) &&
  Object.entries(q.filtersNot).every(([k, vs]) => !vs.includes(row[k] ?? ''));

export const mappingFormat: EntityFormat = {
  name: 'mapping',
  title: 'any CSV table through an FtM mapping file (`ftm map` YAML; --mapping FILE)',
  source: 'your own tables: meeting registers, donations, company registries',
  dataset: 'mapped',
  detect: () => false,
  async read(input, sink, ctx) {
    const mapping = ctx.options.mapping as Mapping | undefined;
    if (!mapping) throw new UsageError('the mapping format needs a mapping file: pass --mapping FILE.yml');
    // Queries that name this file (by base name), else every query.
    const named = mapping.queries.filter((q) => q.csvUrls.some((u) => basename(u) === ctx.fileName));
    const queries = named.length ? named : mapping.queries;
    await readCsv(input, sink, {
      header: () => (row, line, raw) => {
        const entities: EntityDraft[] = [];
        for (const q of queries) {
          if (!matches(q, row)) continue;
          const ids = new Map<string, string>();
          for (const e of q.entities) {
            const id = mappingKey(mapping.dataset, e, row);
            if (id) ids.set(e.name, id);
          }
          for (const e of q.entities) {
            const id = ids.get(e.name);
            if (!id) continue;
            const properties: Record<string, string[]> = {};
            for (const [prop, p] of Object.entries(e.properties))
              properties[prop] = propertyValues(p, row, ids);
            entities.push({ id, schema: e.schema, properties });
          }
        }
        // A row no query turns into an entity (filters, empty keys) is rejected by the pipeline, with its line.
        return { row: line, raw, entities };
      },
    });
  },
};
