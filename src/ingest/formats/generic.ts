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
  kinds?: Partial<Record<PostKind, string[]>>;
  /** Separator of list cells in CSV (JSON arrays and `['a', 'b']` are always understood). Default `,`. */
  list_separator?: string;
  /** Time format of `created_at`: `auto` (default), `epoch_s`, `epoch_ms`. */
  time_format?: 'auto' | 'epoch_s' | 'epoch_ms';
  /** Extract URLs, hashtags and mentions from the text when those columns are not mapped (default true). */
  entities_from_text?: boolean;
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
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read the mapping file ${file}`);
    }
    try {
      mapping = JSON.parse(text) as ColumnMapping;
    } catch (err) {
      throw new UsageError(`the mapping file ${file} is not valid JSON: ${(err as Error).message}`);
    }
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
  for (const field of Object.keys(mapping.columns)) {
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new UsageError(
        `unknown field "${field}" in the column mapping; fields are ${MAPPABLE_FIELDS.join(', ')}`,
      );
    }
  }
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
    for (const v of values ?? []) kindOf.set(String(v).toLowerCase(), kind as PostKind);
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
    const used = new Set(Object.values(mapping.columns).map((p) => p!.split('.')[0]!));
    const map = makeMapper(mapping, ctx);
    return (value, line, sink) => {
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new RowError('not a JSON object');
      const get = (field: MappableField) => {
        const path = mapping.columns[field];
        return path ? (pathValue(value, path) ?? null) : null;
      };
      const extra = () => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>))
          if (!used.has(k) && v !== null && v !== undefined) out[k] = v;
        return Object.keys(out).length ? out : null;
      };
      map(get, extra, line, sink);
    };
  },
};
