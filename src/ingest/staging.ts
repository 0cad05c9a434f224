/**
 * The sink every adapter writes to. It validates and normalises each post and serialises it as one
 * line of a staging CSV (DuckDB's C++ reader loads those far faster than row-by-row appends from
 * JavaScript), keeps rejected rows with their reason, counts warnings, and folds the account
 * profiles seen on the way into one latest state per account plus its distinct versions.
 */

import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RawAccount, RawPost } from '../core/types.js';
import { POST_KINDS } from '../core/types.js';
import type { RowSink } from './formats/types.js';
import { normalizeLang } from './normalize/lang.js';
import { normalizeTag, normalizeText } from './normalize/text.js';
import { canonicalUrl } from './normalize/url.js';

export interface WarningCount {
  code: string;
  message: string;
  count: number;
  firstLine: number;
}

/** Raw text kept for a rejected row is cut at 1 MiB (a 10 MB field is evidence of nothing). */
export const MAX_REJECT_RAW = 1024 * 1024;

export interface AccountVersion {
  key: string;
  handle: string | null;
  displayName: string | null;
  bio: string | null;
  location: string | null;
  url: string | null;
  first: number;
  last: number;
}

export interface AccountState {
  account: RawAccount;
  versions: Map<string, AccountVersion>;
  current: AccountVersion | null;
}

export interface StagedBatch {
  kind: 'posts' | 'rejects';
  /** A staging CSV file, complete and closed. */
  file: string;
  rows: number;
}

/**
 * One staging CSV file being written. Lines are appended to a string and written every 1024 rows:
 * plain concatenation then one write measured 2.5x faster than joining per-line template strings.
 */
class BatchFile {
  private readonly fd: number;
  private pending = '';
  rows = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  add(line: string): void {
    this.pending += line;
    if ((++this.rows & 1023) === 0) this.spill();
  }
  private spill(): void {
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
  close(): void {
    if (this.pending) this.spill();
    closeSync(this.fd);
  }
}

const KINDS = new Set<string>(POST_KINDS);

/** Quotes a value for the staging CSV; null becomes an unquoted empty field (read back as NULL). */
function q(s: string | null | undefined): string {
  if (s === null || s === undefined) return '';
  return s.indexOf('"') >= 0 ? '"' + s.replaceAll('"', '""') + '"' : '"' + s + '"';
}

/** A list as one field: items joined by U+001F, which no item may hold (control characters become spaces). */
function list(values: string[] | undefined): string {
  if (!values || values.length === 0) return '""';
  let joined = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    joined += (i ? '\x1f' : '') + (CONTROL.test(v) ? v.replace(CONTROL_ALL, ' ') : v);
  }
  return q(joined);
}
const CONTROL = /[\x00-\x1f]/;
const CONTROL_ALL = /[\x00-\x1f]+/g;
const NON_ASCII = /[^\x00-\x7f]/;

function canonicalUrls(urls: string[] | undefined): string[] {
  if (!urls?.length) return [];
  const out: string[] = [];
  for (const u of urls) {
    const c = canonicalUrl(u.replace(CONTROL_ALL, ' '))?.url;
    if (c) out.push(c);
  }
  return out;
}

function tagKeys(tags: string[] | undefined): string[] {
  if (!tags?.length) return [];
  const out: string[] = [];
  for (const t of tags) {
    const k = normalizeTag(t);
    if (k) out.push(k);
  }
  return out;
}

/**
 * One staged post line (loaded by commit.ts `loadPosts`): raw text, its normalised form when the
 * text is not plain ASCII (plain ASCII is normalised in SQL as it loads), canonical URLs, tag and
 * mention keys; lists joined by U+001F.
 */
export function serializePost(p: RawPost, line: number): string {
  const text = p.text ?? null;
  return (
    q(p.platform) +
    ',' +
    q(p.postId) +
    ',' +
    q(p.accountId) +
    ',' +
    Math.round(p.createdAt) +
    ',' +
    p.kind +
    ',' +
    q(p.refPostId) +
    ',' +
    q(p.refAccountId) +
    ',' +
    q(p.replyToPostId) +
    ',' +
    q(p.replyToAccountId) +
    ',' +
    q(text) +
    ',' +
    (text !== null && NON_ASCII.test(text) ? q(normalizeText(text)) : '') +
    ',' +
    q(normalizeLang(p.lang)) +
    ',' +
    list(canonicalUrls(p.urls)) +
    ',' +
    list(p.domains) +
    ',' +
    list(tagKeys(p.hashtags)) +
    ',' +
    list(tagKeys(p.mentions)) +
    ',' +
    list(p.media) +
    ',' +
    q(p.client) +
    ',' +
    (p.extra ? q(JSON.stringify(p.extra)) : '') +
    ',' +
    line +
    '\n'
  );
}

export class Staging implements RowSink {
  rowsRead = 0;
  postsStaged = 0;
  rejected = 0;
  readonly warnings = new Map<string, WarningCount>();
  /** Warning codes the user has already answered with an option (e.g. --timezone). */
  readonly answered = new Set<string>();
  /** Account states per platform, then per account id (two lookups on existing strings beat one on a built key). */
  private readonly accounts = new Map<string, Map<string, AccountState>>();
  private posts: BatchFile | null = null;
  private rejects: BatchFile | null = null;
  private rejectBytes = 0;
  private seq = 0;
  /** Earliest and latest post time staged. */
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fileName: string,
    /** Folder for the staging files. */
    private readonly dir: string,
    private readonly onBatch: (batch: StagedBatch) => void,
    private readonly batchRows = 250_000,
  ) {}

  private file(kind: 'posts' | 'rejects'): BatchFile {
    return new BatchFile(join(this.dir, `${kind}-${++this.seq}.csv`));
  }

  post(raw: RawPost, line: number): void {
    const problem = invalid(raw);
    if (problem) {
      this.reject(line, problem, JSON.stringify(raw));
      return;
    }
    this.rowsRead++;
    if (raw.createdAt < this.minTime) this.minTime = raw.createdAt;
    if (raw.createdAt > this.maxTime) this.maxTime = raw.createdAt;
    if (raw.createdAt < 946_684_800_000) {
      this.warn(
        'early-time',
        'timestamp before 2000: check that the time unit (seconds, milliseconds) is right',
        line,
      );
    }
    this.posts ??= this.file('posts');
    this.posts.add(serializePost(raw, line));
    this.postsStaged++;
    if (this.posts.rows >= this.batchRows) this.flushPosts();
  }

  account(a: RawAccount): void {
    let byId = this.accounts.get(a.platform);
    if (!byId) {
      byId = new Map();
      this.accounts.set(a.platform, byId);
    }
    let state = byId.get(a.accountId);
    // Fast path: the X archive repeats the same profile on every row of an account.
    const cur = state?.current;
    if (
      state &&
      cur &&
      (a.handle ?? null) === cur.handle &&
      (a.displayName ?? null) === cur.displayName &&
      (a.bio ?? null) === cur.bio &&
      (a.location ?? null) === cur.location &&
      (a.url ?? null) === cur.url &&
      (a.followers ?? null) === (state.account.followers ?? null) &&
      (a.following ?? null) === (state.account.following ?? null)
    ) {
      if (a.observedAt > state.account.observedAt) state.account.observedAt = a.observedAt;
      if (a.observedAt < cur.first) cur.first = a.observedAt;
      if (a.observedAt > cur.last) cur.last = a.observedAt;
      return;
    }
    if (!state) {
      state = { account: { ...a, lang: normalizeLang(a.lang) }, versions: new Map(), current: null };
      byId.set(a.accountId, state);
    } else {
      mergeAccount(state.account, a);
    }
    trackVersion(state, a);
  }

  reject(line: number, reason: string, raw: string): void {
    this.rowsRead++;
    this.rejected++;
    const truncated = raw.length > MAX_REJECT_RAW;
    const text = truncated ? raw.slice(0, MAX_REJECT_RAW) : raw;
    this.rejects ??= this.file('rejects');
    this.rejects.add(`${q(this.fileName)},${line},${q(reason)},${q(text)},${truncated}\n`);
    this.rejectBytes += text.length;
    if (this.rejects.rows >= this.batchRows || this.rejectBytes > 64 * 1024 * 1024) this.flushRejects();
  }

  warn(code: string, message: string, line: number): void {
    if (this.answered.has(code)) return;
    const w = this.warnings.get(code);
    if (w) w.count++;
    else this.warnings.set(code, { code, message, count: 1, firstLine: line });
  }

  /** Every account seen, with its merged profile and its distinct versions. */
  *accountStates(): Iterable<AccountState> {
    for (const byId of this.accounts.values()) yield* byId.values();
  }

  /** Hands over everything still buffered. */
  flush(): void {
    this.flushPosts();
    this.flushRejects();
  }

  private flushPosts(): void {
    if (!this.posts) return;
    this.posts.close();
    this.onBatch({ kind: 'posts', file: this.posts.path, rows: this.posts.rows });
    this.posts = null;
  }

  private flushRejects(): void {
    if (!this.rejects) return;
    this.rejects.close();
    this.onBatch({ kind: 'rejects', file: this.rejects.path, rows: this.rejects.rows });
    this.rejects = null;
    this.rejectBytes = 0;
  }

  /** Closes open staging files without handing them over (after a failure). */
  discard(): void {
    this.posts?.close();
    this.rejects?.close();
    this.posts = this.rejects = null;
  }
}

function invalid(p: RawPost): string | null {
  if (!p.postId) return 'missing post id';
  if (!p.accountId) return 'missing account id';
  if (!Number.isFinite(p.createdAt)) return 'missing or unreadable time';
  if (!KINDS.has(p.kind)) return `unknown post kind "${p.kind}"`;
  return null;
}

/** Folds a new observation into the account's state: the latest non-null value of each field wins. */
function mergeAccount(into: RawAccount, a: RawAccount): void {
  const newer = a.observedAt >= into.observedAt;
  const fields = [
    'handle',
    'displayName',
    'bio',
    'location',
    'url',
    'createdAt',
    'followers',
    'following',
    'lang',
    'verified',
  ] as const;
  for (const f of fields) {
    let v = a[f];
    if (v === undefined || v === null) continue;
    if (f === 'lang') v = normalizeLang(v as string);
    if (newer || into[f] === undefined || into[f] === null)
      (into as unknown as Record<string, unknown>)[f] = v;
  }
  if (a.extra) into.extra = newer ? { ...into.extra, ...a.extra } : { ...a.extra, ...into.extra };
  if (newer) into.observedAt = a.observedAt;
}

/** Records the profile state (handle, name, bio, location, url) seen in this observation. */
function trackVersion(state: AccountState, a: RawAccount): void {
  if (a.handle == null && a.displayName == null && a.bio == null && a.location == null && a.url == null)
    return;
  // A partial observation (a handle-only identity event, a profile without a handle) carries the
  // other fields forward from the latest known state rather than recording them as removed.
  const cur = state.current;
  const handle = a.handle ?? cur?.handle ?? null;
  const displayName = a.displayName ?? cur?.displayName ?? null;
  const bio = a.bio ?? cur?.bio ?? null;
  const location = a.location ?? cur?.location ?? null;
  const url = a.url ?? cur?.url ?? null;
  if (
    cur &&
    cur.handle === handle &&
    cur.displayName === displayName &&
    cur.bio === bio &&
    cur.location === location &&
    cur.url === url
  ) {
    if (a.observedAt < cur.first) cur.first = a.observedAt;
    if (a.observedAt > cur.last) cur.last = a.observedAt;
    return;
  }
  const key = versionKey(handle, displayName, bio, location, url);
  let v = state.versions.get(key);
  if (!v) {
    v = { key, handle, displayName, bio, location, url, first: a.observedAt, last: a.observedAt };
    state.versions.set(key, v);
  } else {
    if (a.observedAt < v.first) v.first = a.observedAt;
    if (a.observedAt > v.last) v.last = a.observedAt;
  }
  state.current = v;
}

/** Key of a profile state: md5 of its fields joined by U+001F (the bulk path computes the same in SQL). */
function versionKey(...fields: (string | null)[]): string {
  return createHash('md5')
    .update(fields.map((f) => f ?? '').join('\x1f'))
    .digest('hex');
}
