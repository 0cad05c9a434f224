/**
 * Any other export (Meta Content Library, TikTok Research API, a forum scrape, ...) as CSV, JSON
 * Lines, a JSON array or Parquet, loaded through a column mapping instead of code.
 *
 * A mapping names, for each canonical field, the source column (CSV, Parquet) or dotted path
 * (JSON: `author.id`). Only `account_id` and `created_at` are required; without `post_id`, posts are
 * keyed by content (account, time, text) like the IRA data. Unmapped columns are kept in `extra`.
 *
 * ```json
 * { "platform": "tiktok",
 *   "columns": { "post_id": "id", "account_id": "username", "created_at": "create_time",
 *                "text": "video_description", "hashtags": "hashtag_names" },
 *   "kinds": { "repost": ["share", "duet"], "reply": ["comment"] },
 *   "list_separator": "," }
 * ```
 */
import { readFileSync } from 'node:fs';
import { FormatError, UsageError } from '../../core/errors.js';
import { POST_KINDS, type PostKind } from '../../core/types.js';
import { parseTimestamp } from '../normalize/time.js';
import type { SourceInfo } from '../source.js';
import {
  contentKey,
  countOrNull,
  entitiesFromText,
  parsePyList,
  pathValue,
  textOrNull,
  timeOf,
} from './fields.js';
import { type FormatAdapter, type FormatContext, RowError, type RowSink } from './types.js';

/** Canonical fields a mapping may name. */
export const MAPPABLE_FIELDS = [
  'post_id',
  'account_id',
  'created_at',
  'kind',
  'text',
  'lang',
  'ref_post_id',
  'ref_account_id',
  'reply_to_post_id',
  'reply_to_account_id',
  'urls',
  'domains',
  'hashtags',
  'mentions',
  'media',
  'client',
  'handle',
  'display_name',
  'bio',
  'location',
  'account_url',
  'account_created_at',
  'followers',
  'following',
  'verified',
] as const;

export type MappableField = (typeof MAPPABLE_FIELDS)[number];

export interface ColumnMapping {
  platform?: string;
  columns: Partial<Record<MappableField, string>>;
  /** Source values meaning each kind, e.g. `{"repost": ["share", "RT"]}`; canonical names always work. */
  kinds?: Partial<Record<PostKind, string[] | string>>;
  /** Separator of list cells in CSV (JSON arrays and `['a', 'b']` are always understood). Default `,`. */
  list_separator?: string;
  /** Time format of `created_at`: `auto` (default), `epoch_s`, `epoch_ms`. */
  time_format?: 'auto' | 'epoch_s' | 'epoch_ms';
  /** Extract URLs, hashtags and mentions from the text when those columns are not mapped (default true). */
  entities_from_text?: boolean;
}

const TIME_FORMATS = ['auto', 'epoch_s', 'epoch_ms'];

/** The parsed JSON of a mapping file (`--map`), or a one-line UsageError (shared with documents). */
export function readMappingFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read the mapping file ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the mapping file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and checks a mapping file (`--map`) merged with `--col field=column` flags. */
export function loadMapping(
  file: string | undefined,
  cols: string[] = [],
  platform?: string,
): ColumnMapping | undefined {
  if (!file && cols.length === 0) return undefined;
  let mapping: ColumnMapping = { columns: {} };
  if (file) {
    mapping = readMappingFile(file) as ColumnMapping;
    if (
      !mapping ||
      typeof mapping !== 'object' ||
      typeof mapping.columns !== 'object' ||
      mapping.columns === null
    ) {
      throw new UsageError(
        `the mapping file ${file} needs a "columns" object, e.g. {"columns": {"account_id": "user", "created_at": "time"}}`,
      );
    }
  }
  for (const c of cols) {
    const m = /^([a-z_]+)=(.+)$/.exec(c);
    if (!m) throw new UsageError(`invalid --col "${c}"; write field=column, e.g. --col created_at=timestamp`);
    mapping.columns[m[1] as MappableField] = m[2]!;
  }
  for (const [field, column] of Object.entries(mapping.columns)) {
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new UsageError(
        `unknown field "${field}" in the column mapping; fields are ${MAPPABLE_FIELDS.join(', ')}`,
      );
    }
    if (typeof column !== 'string' || column.trim() === '')
      throw new UsageError(`the column mapping gives ${field} no column name (write "${field}": "column")`);
  }
  // The optional settings are checked here too, so a typo fails at once instead of being ignored.
  for (const [kind, values] of Object.entries(mapping.kinds ?? {})) {
    if (!(POST_KINDS as readonly string[]).includes(kind))
      throw new UsageError(
        `unknown kind "${kind}" in the mapping's "kinds"; kinds are ${POST_KINDS.join(', ')}`,
      );
    if (!Array.isArray(values) && typeof values !== 'string')
      throw new UsageError(`"kinds": "${kind}" must be a list of source values, e.g. ["share", "RT"]`);
  }
  if (mapping.time_format !== undefined && !TIME_FORMATS.includes(mapping.time_format))
    throw new UsageError(
      `unknown time_format "${mapping.time_format}"; use ${TIME_FORMATS.join(', ')} (auto reads ISO 8601 and epoch numbers)`,
    );
  if (
    mapping.list_separator !== undefined &&
    (typeof mapping.list_separator !== 'string' || mapping.list_separator === '')
  )
    throw new UsageError('list_separator must be a non-empty string, e.g. "," or "|"');
  for (const required of ['account_id', 'created_at'] as const) {
    if (!mapping.columns[required])
      throw new UsageError(`the column mapping must name a column for ${required}`);
  }
  if (platform) mapping.platform = platform;
  return mapping;
}

function toList(value: unknown, separator: string): string[] {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) {
    return value.flatMap((v) =>
      v && typeof v === 'object'
        ? [
            String(
              (v as Record<string, unknown>).tag ??
                (v as Record<string, unknown>).url ??
                (v as Record<string, unknown>).id ??
                JSON.stringify(v),
            ),
          ]
        : v === null
          ? []
          : [String(v)],
    );
  }
  const s = String(value).trim();
  if (s.startsWith('[')) {
    try {
      const parsed = JSON.parse(s);
      if (Array.isArray(parsed)) return toList(parsed, separator);
    } catch {
      return parsePyList(s);
    }
  }
  return s
    .split(separator)
    .map((x) => x.trim())
    .filter(Boolean);
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return textOrNull(String(value));
}

/** Builds the row mapper over a getter that reads a mapped field from one record. */
function makeMapper(mapping: ColumnMapping, ctx: FormatContext) {
  const cols = mapping.columns;
  const platform = ctx.platform ?? mapping.platform?.toLowerCase() ?? 'web';
  const separator = mapping.list_separator ?? ',';
  const kindOf = new Map<string, PostKind>();
  for (const k of POST_KINDS) kindOf.set(k, k);
  for (const [kind, values] of Object.entries(mapping.kinds ?? {}))
    for (const v of Array.isArray(values) ? values : [values])
      if (v !== undefined && v !== null) kindOf.set(String(v).toLowerCase(), kind as PostKind);
  const fromText = mapping.entities_from_text !== false;
  return (
    get: (field: MappableField) => unknown,
    extra: () => Record<string, unknown> | null,
    line: number,
    sink: RowSink,
  ) => {
    const accountId = asText(get('account_id'));
    if (!accountId) throw new RowError(`empty ${cols.account_id}`);
    const rawTime = get('created_at');
    let createdAt: number;
    if (mapping.time_format === 'epoch_s' || mapping.time_format === 'epoch_ms') {
      const n = Number(rawTime);
      if (rawTime === null || rawTime === '' || !Number.isFinite(n))
        throw new RowError(`unreadable ${cols.created_at} "${String(rawTime).slice(0, 40)}"`);
      createdAt = mapping.time_format === 'epoch_s' ? n * 1000 : n;
    } else {
      createdAt = timeOf(
        rawTime === null || rawTime === undefined ? undefined : String(rawTime),
        cols.created_at!,
        ctx.zone,
        line,
        sink,
      );
    }
    const text = asText(get('text'));
    const refPostId = asText(get('ref_post_id'));
    const replyTo = asText(get('reply_to_post_id'));
    let kind: PostKind = refPostId ? 'repost' : replyTo ? 'reply' : 'post';
    const k = asText(get('kind'));
    if (k) {
      const mapped = kindOf.get(k.toLowerCase());
      if (mapped) kind = mapped;
      else sink.warn('unknown-kind', `kind value not in the mapping's "kinds"; stored as ${kind}`, line);
    }
    const list = (field: MappableField) => (cols[field] ? toList(get(field), separator) : null);
    const found = fromText ? entitiesFromText(text) : { urls: [], hashtags: [], mentions: [] };
    const postId =
      asText(get('post_id')) ?? ctx.occurrence(`c:${contentKey(platform, accountId, createdAt, text)}`);
    sink.post(
      {
        platform,
        postId,
        accountId,
        createdAt,
        kind,
        refPostId,
        refAccountId: asText(get('ref_account_id')),
        replyToPostId: replyTo,
        replyToAccountId: asText(get('reply_to_account_id')),
        text,
        lang: asText(get('lang')),
        urls: list('urls') ?? found.urls,
        domains: list('domains') ?? [],
        hashtags: list('hashtags') ?? found.hashtags,
        mentions: list('mentions') ?? found.mentions,
        media: list('media') ?? [],
        client: asText(get('client')),
        extra: extra(),
      },
      line,
    );
    const accountCreated = asText(get('account_created_at'));
    sink.account({
      platform,
      accountId,
      handle: asText(get('handle')),
      displayName: asText(get('display_name')),
      bio: asText(get('bio')),
      location: asText(get('location')),
      url: asText(get('account_url')),
      createdAt: accountCreated ? (parseTimestamp(accountCreated)?.ms ?? null) : null,
      followers: countOrNull(asText(get('followers'))),
      following: countOrNull(asText(get('following'))),
      verified:
        get('verified') === null || get('verified') === undefined
          ? null
          : /^(true|1|yes)$/i.test(String(get('verified'))),
      observedAt: createdAt,
    });
  };
}

/**
 * The parts of a JSON record no mapped path reads, for `extra`: a key that is mapped whole is left
 * out; of an object mapped only in part (`author.id`), the other keys are kept (`author.name`).
 */
function unmapped(value: Record<string, unknown>, paths: string[]): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined || paths.includes(k)) continue;
    const inner = paths.filter((p) => p.startsWith(`${k}.`)).map((p) => p.slice(k.length + 1));
    if (inner.length === 0) out[k] = v;
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const rest = unmapped(v as Record<string, unknown>, inner);
      if (rest) out[k] = rest;
    }
  }
  return Object.keys(out).length ? out : null;
}

function mappingOf(ctx: FormatContext): ColumnMapping {
  const mapping = ctx.options.mapping as ColumnMapping | undefined;
  if (!mapping)
    throw new UsageError(
      'the generic format needs a column mapping: --map mapping.json or --col field=column',
    );
  return mapping;
}

export const generic: FormatAdapter = {
  name: 'generic',
  title: 'any CSV, JSON Lines, JSON array or Parquet file, with a column mapping (--map / --col)',
  framing: 'csv',
  platform: 'web',
  timeResolution: 'second',
  sequential: true,
  detect() {
    return 0;
  },
  framingFor(source: SourceInfo) {
    if (source.container === 'parquet') return 'parquet';
    const head = source.head.replace(/^\ufeff/, '').trimStart();
    if (head.startsWith('[')) return 'json';
    if (head.startsWith('{')) {
      const first = head.split('\n', 1)[0]!;
      try {
        JSON.parse(first);
        return 'jsonl';
      } catch {
        return 'json';
      }
    }
    return 'csv';
  },
  delimiter(source) {
    // The separator the header line uses most, outside quotes: comma, semicolon, tab or pipe.
    const first = source.head
      .replace(/^\ufeff/, '')
      .split(/\r?\n/, 1)[0]!
      .replace(/"[^"]*"/g, '');
    const counts = [',', ';', '\t', '|'].map((d) => [d, first.split(d).length - 1] as const);
    const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
    return best[1] > 0 ? best[0] : ',';
  },
  csv(header, ctx) {
    const mapping = mappingOf(ctx);
    const index = new Map(header.map((h, i) => [h.trim().replace(/^\ufeff/, ''), i] as [string, number]));
    const missing = Object.entries(mapping.columns).filter(([, col]) => col && !index.has(col));
    if (missing.length) {
      throw new FormatError(
        `the mapping names column${missing.length > 1 ? 's' : ''} ${missing.map(([, c]) => `"${c}"`).join(', ')} that the file does not have (it has: ${header.slice(0, 12).join(', ')})`,
      );
    }
    const used = new Set(Object.values(mapping.columns));
    const extras = header.map((h, i) => [h.trim(), i] as [string, number]).filter(([h]) => h && !used.has(h));
    const map = makeMapper(mapping, ctx);
    return (f, line, sink) => {
      const get = (field: MappableField) => {
        const col = mapping.columns[field];
        if (!col) return null;
        const v = f[index.get(col)!];
        return v === undefined || v === '' ? null : v;
      };
      const extra = () => {
        const out: Record<string, unknown> = {};
        for (const [name, i] of extras) if (f[i]) out[name] = f[i];
        return Object.keys(out).length ? out : null;
      };
      map(get, extra, line, sink);
    };
  },
  value(ctx) {
    const mapping = mappingOf(ctx);
    const paths = Object.values(mapping.columns) as string[];
    const map = makeMapper(mapping, ctx);
    // Every Parquet row has every column, so a mapped column missing from the first row is missing
    // from the file (JSON records may omit keys, so there a missing path is just an empty field).
    let checkColumns = this.framing === 'parquet';
    return (value, line, sink) => {
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new RowError('not a JSON object');
      if (checkColumns) {
        checkColumns = false;
        const missing = paths.filter((p) => !(p.split('.')[0]! in value));
        if (missing.length)
          throw new FormatError(
            `the mapping names column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} that the file does not have (it has: ${Object.keys(value).slice(0, 12).join(', ')})`,
          );
      }
      const get = (field: MappableField) => {
        const path = mapping.columns[field];
        return path ? (pathValue(value, path) ?? null) : null;
      };
      map(get, () => unmapped(value as Record<string, unknown>, paths), line, sink);
    };
  },
};
