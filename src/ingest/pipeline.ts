/**
 * Ingest of one file, end to end: inspect -> detect the format -> stream and frame records ->
 * map (adapter) -> normalise and stage (staging.ts) -> load into the store inside one transaction
 * -> de-duplicate -> merge accounts -> record provenance -> commit.
 *
 * Guarantees:
 * - counts reconcile: rows read = stored + duplicate + rejected, for every file;
 * - nothing is lost silently: a row that cannot be stored is kept in `rejects` with file, line and
 *   reason; oddities in stored rows are counted warnings;
 * - atomic: the file's rows appear all at once at COMMIT. Ctrl-C rolls back and marks the ingest
 *   `interrupted`; after kill -9 the next open rolls back and marks it so; running the same command
 *   again then ingests the file completely;
 * - idempotent: ingesting the same file again stores nothing new (every row is a duplicate).
 */
import { mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, InputError, InterruptedError, LockstepError, UsageError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { Store } from '../store/store.js';
import {
  deduplicate,
  loadPosts,
  loadRejects,
  mergeStagedAccounts,
  mergeUnion,
  stageAccounts,
} from './commit.js';
import { chooseFormat } from './formats/index.js';
import { type FormatAdapter, type FormatContext, RowError, type RowSink } from './formats/types.js';
import { CsvParser, fieldTooLong } from './framing/csv.js';
import { JsonScanner } from './framing/json.js';
import { readParquetRows, sha256File } from './framing/parquet.js';
import { loadNative, phaseTimer } from './native.js';
import { registerNormalizers } from './normalize/sql.js';
import { zoneResolver } from './normalize/time.js';
import { inspectSource, readText, type SourceInfo } from './source.js';
import { type StagedBatch, Staging, type WarningCount } from './staging.js';

export interface IngestOptions {
  /** Format name (`lockstep formats` lists them); detected from the content when absent. */
  format?: string;
  /** Platform of the posts when the data does not say (`twitter`, `telegram`, ...). */
  platform?: string;
  /** Time zone of zone-less timestamps: IANA name or offset. Default UTC (with a counted warning). */
  timezone?: string;
  /** Text encoding (`windows-1252`, `utf-16le`, ...); detected when absent. */
  encoding?: string;
  /** Options of the format (`objectKind` for CooRTweet files, `mapping` for generic files). */
  formatOptions?: Record<string, unknown>;
  /** Longest field accepted, in MiB (default 1). Longer fields reject their row. */
  maxFieldMb?: number;
  /** Let DuckDB read clean files of formats that allow it in bulk (default true; see native.ts). */
  bulk?: boolean;
  /** Rows per staged batch (default 250,000). */
  batchRows?: number;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
}

export interface IngestProgress {
  file: string;
  phase: 'read' | 'commit';
  diskBytes: number;
  totalBytes: number;
  rows: number;
  rejected: number;
}

export interface IngestReport {
  ingestId: number;
  path: string;
  fileName: string;
  format: string;
  platform: string;
  sha256: string;
  bytes: number;
  rowsRead: number;
  rowsStored: number;
  rowsDuplicate: number;
  rowsRejected: number;
  postsNew: number;
  accountsNew: number;
  warnings: WarningCount[];
  timeResolution: string;
  seconds: number;
  /** True when DuckDB read the file in bulk (native.ts); false on the general path. */
  bulk: boolean;
  /** Earlier completed ingests of a file with the same sha256. */
  sameFileBefore: number[];
}

export async function ingestFile(
  store: Store,
  path: string,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const started = Date.now();
  const maxFieldMb = maxFieldMbOption(options.maxFieldMb, 1);
  const source = await inspectSource(path, options.encoding);
  const adapter = chooseFormat(source, options.format, options.formatOptions);
  const zone = timezoneOption(options.timezone);
  const platform = options.platform?.trim().toLowerCase() || adapter.platform;
  const ingestId = ((await store.value<number>(`SELECT coalesce(max(ingest_id), 0) FROM ingests`)) ?? 0) + 1;
  await store.run(
    `INSERT INTO ingests (ingest_id, path, file_name, bytes, format, platform, options, status, started_at, time_resolution, tool_version)
     VALUES (?, ?, ?, ?, ?, ?, ?::JSON, 'running', now()::TIMESTAMP, ?, ?)`,
    [
      ingestId,
      source.path,
      source.name,
      source.bytes,
      adapter.name,
      platform,
      JSON.stringify({ ...options, onProgress: undefined, signal: undefined }),
      adapter.timeResolution,
      VERSION,
    ],
  );
  const maxFieldChars = Math.round(maxFieldMb * 1024 * 1024);
  // Staged lines hold text and its normalised form, so allow a few fields' worth per line.
  const maxLineBytes = Math.max(maxFieldChars * 12, 16 * 1024 * 1024);
  const hadPosts =
    ((await store.value<number>(`SELECT count(*) FROM (SELECT 1 FROM posts LIMIT 1)`)) ?? 0) > 0;
  const dir = join(`${store.path}.tmp`, `ingest-${ingestId}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await removeStaleStaging(store, ingestId);
  const abort = () => store.connection.interrupt();
  options.signal?.addEventListener('abort', abort);
  const ctx = formatContext(options, zone);
  const lap = phaseTimer(`ingest ${source.name}`);
  let staging: Staging | null = null;
  let loader: Loader | null = null;
  try {
    await registerNormalizers(store.connection);
    let loaded: Loaded | null = null;
    let fallback: string | null = null;
    // The bulk path, for clean files of formats that have one (native.ts); any surprise falls back.
    // Its line limit is the field limit, so a record with a field the general path would reject
    // sends the file down that path.
    const plan =
      options.bulk !== false &&
      adapter.native &&
      source.container === 'text' &&
      source.encoding === 'utf-8' &&
      !options.encoding &&
      !options.timezone
        ? adapter.native(headerFields(source.head), ctx)
        : null;
    if (plan) {
      await store.run('BEGIN TRANSACTION');
      try {
        const progress = (fraction: number) =>
          options.onProgress?.({
            file: source.name,
            phase: 'read',
            diskBytes: Math.round(source.bytes * fraction),
            totalBytes: source.bytes,
            rows: 0,
            rejected: 0,
          });
        const [sha256, rows] = await Promise.all([
          sha256File(source.path),
          loadNative(store, source, plan, ingestId, Math.max(maxFieldChars, 1 << 20), progress),
        ]);
        const warnings =
          rows === 0
            ? [{ code: 'no-rows', message: 'the file holds no rows to ingest', count: 1, firstLine: 0 }]
            : [];
        loaded = { sha256, rowsRead: rows, rejected: 0, warnings };
      } catch (err) {
        await store.run('ROLLBACK').catch(() => {});
        if (options.signal?.aborted) throw err;
        fallback = String((err as Error).message ?? err)
          .split('\n')[0]!
          .replace(/^.*lockstep-fallback: /, '');
      }
    }
    if (!loaded) {
      loader = new Loader(store, ingestId, maxLineBytes);
      const l = loader;
      staging = new Staging(source.name, dir, (batch) => l.add(batch), options.batchRows);
      // With --timezone the user has said how to read zone-less times: no warning to give.
      if (options.timezone) staging.answered.add('zoneless-time');
      await store.run('BEGIN TRANSACTION');
      const sha256 = await readAll(source, adapter, staging, ctx, maxFieldChars, options, loader);
      staging.flush();
      await loader.idle();
      await stageAccounts(store, staging.accountStates(), dir);
      if (staging.rowsRead === 0) staging.warn('no-rows', 'the file holds no rows to ingest', 0);
      loaded = {
        sha256,
        rowsRead: staging.rowsRead,
        rejected: staging.rejected,
        warnings: [...staging.warnings.values()],
      };
    }
    lap('load');
    options.onProgress?.({
      file: source.name,
      phase: 'commit',
      diskBytes: source.bytes,
      totalBytes: source.bytes,
      rows: loaded.rowsRead,
      rejected: loaded.rejected,
    });
    checkAbort(options.signal);
    const counts =
      adapter.merge === 'union'
        ? await mergeUnion(store, ingestId)
        : await deduplicate(store, ingestId, hadPosts);
    lap('deduplicate');
    const accountsNew = await mergeStagedAccounts(store, ingestId);
    lap('merge accounts');
    checkAbort(options.signal);
    // The platforms actually stored (a mapping or the data itself may name them, e.g. fb_/tw_ prefixes).
    const stored = await store.all<{ platform: string }>(
      `SELECT DISTINCT platform FROM posts WHERE ingest_id = ? ORDER BY 1`,
      [ingestId],
    );
    const platforms = stored.length ? stored.map((r) => r.platform).join(',') : platform;
    const report: IngestReport = {
      ingestId,
      path: source.path,
      fileName: source.name,
      format: adapter.name,
      platform: platforms,
      sha256: loaded.sha256,
      bytes: source.bytes,
      rowsRead: loaded.rowsRead,
      rowsStored: counts.stored,
      rowsDuplicate: counts.duplicate,
      rowsRejected: loaded.rejected,
      postsNew: counts.postsNew,
      accountsNew,
      warnings: loaded.warnings,
      timeResolution: adapter.timeResolution,
      bulk: plan !== null && fallback === null,
      seconds: (Date.now() - started) / 1000,
      sameFileBefore: (
        await store.all<{ ingest_id: number }>(
          `SELECT ingest_id FROM ingests WHERE sha256 = ? AND status = 'done' ORDER BY ingest_id`,
          [loaded.sha256],
        )
      ).map((r) => r.ingest_id),
    };
    if (report.rowsRead !== report.rowsStored + report.rowsDuplicate + report.rowsRejected) {
      throw new Error(
        `counts do not reconcile: read ${report.rowsRead} != stored ${report.rowsStored} + duplicate ${report.rowsDuplicate} + rejected ${report.rowsRejected}`,
      );
    }
    await store.run(
      `UPDATE ingests SET status = 'done', finished_at = now()::TIMESTAMP, platform = ?, sha256 = ?, rows_read = ?, rows_stored = ?,
         rows_duplicate = ?, rows_rejected = ?, posts_new = ?, accounts_new = ?, warnings = ?::JSON, message = ? WHERE ingest_id = ?`,
      [
        platforms,
        loaded.sha256,
        report.rowsRead,
        report.rowsStored,
        report.rowsDuplicate,
        report.rowsRejected,
        report.postsNew,
        accountsNew,
        JSON.stringify(report.warnings),
        fallback ? `read row by row: ${fallback}` : plan ? 'read in bulk by DuckDB' : null,
        ingestId,
      ],
    );
    await store.run('COMMIT');
    lap('commit');
    return report;
  } catch (err) {
    staging?.discard();
    await loader?.idle().catch(() => {});
    throw await abandonIngest(
      store,
      ingestId,
      err,
      options.signal,
      `interrupted: nothing from ${source.name} was stored; run the same command again to ingest it`,
    );
  } finally {
    options.signal?.removeEventListener('abort', abort);
    rmSync(dir, { recursive: true, force: true });
    // The scratch folder beside the store goes too once empty (DuckDB also spills there).
    rmdirIfEmpty(`${store.path}.tmp`);
  }
}

/** Marks an ingest failed or interrupted with its reason; never throws (the caller is already failing). */
/** The --max-field-mb option, checked (`fallback`: the kind of input's default). */
export function maxFieldMbOption(value: number | undefined, fallback: number): number {
  const mb = value ?? fallback;
  if (!Number.isFinite(mb) || mb <= 0)
    throw new UsageError(`invalid --max-field-mb "${value}": expecting a positive number of MiB`);
  return mb;
}

/** The --timezone option as a resolver of local times; an unknown zone is a usage error. */
export function timezoneOption(timezone: string | undefined): ReturnType<typeof zoneResolver> {
  try {
    return zoneResolver(timezone);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Ends an ingest that failed or was stopped (posts, documents and entities alike): rolls its
 * transaction back, records it as failed or interrupted with the message, and returns the error to
 * throw (`interruptedMessage` when the signal stopped it).
 */
export async function abandonIngest(
  store: Store,
  ingestId: number,
  err: unknown,
  signal: AbortSignal | undefined,
  interruptedMessage: string,
): Promise<unknown> {
  await store.run('ROLLBACK').catch(() => {});
  const interrupted = signal?.aborted === true;
  const error = interrupted ? new InterruptedError(interruptedMessage) : err;
  await markIngestEnded(
    store,
    ingestId,
    interrupted ? 'interrupted' : 'failed',
    error instanceof Error ? error.message : String(error),
  );
  return error;
}

export async function markIngestEnded(
  store: Store,
  ingestId: number,
  status: 'failed' | 'interrupted',
  message: string,
): Promise<void> {
  await store
    .run(`UPDATE ingests SET status = ?, finished_at = now()::TIMESTAMP, message = ? WHERE ingest_id = ?`, [
      status,
      message,
      ingestId,
    ])
    .catch(() => {});
}

/** Removes a folder when it is empty (the scratch folder beside a store). */
export function rmdirIfEmpty(path: string): void {
  try {
    if (readdirSync(path).length === 0) rmdirSync(path);
  } catch {
    /* absent or in use: nothing to tidy */
  }
}

/**
 * Removes the staging folders of earlier ingests that are no longer running: a killed process
 * (kill -9) leaves its staged batches behind, and the next ingest would otherwise never reclaim them.
 */
async function removeStaleStaging(store: Store, ingestId: number): Promise<void> {
  const tmp = `${store.path}.tmp`;
  let names: string[];
  try {
    names = readdirSync(tmp).filter((n) => /^ingest-\d+$/.test(n) && n !== `ingest-${ingestId}`);
  } catch {
    return;
  }
  if (!names.length) return;
  const running = new Set(
    (await store.all<{ ingest_id: number }>(`SELECT ingest_id FROM ingests WHERE status = 'running'`)).map(
      (r) => `ingest-${r.ingest_id}`,
    ),
  );
  for (const name of names) if (!running.has(name)) rmSync(join(tmp, name), { recursive: true, force: true });
}

/** What either path leaves for the common finish: posts and staged accounts in the open transaction. */
interface Loaded {
  sha256: string;
  rowsRead: number;
  rejected: number;
  warnings: WarningCount[];
}

/** The first line of a CSV head as fields (quotes handled like any record). */
function headerFields(head: string): string[] {
  let fields: string[] = [];
  new CsvParser({ maxFieldChars: 1 << 20, maxRecordChars: 1 << 22 }).parse(
    head.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0]!,
    true,
    {
      record: (f) => {
        if (!fields.length) fields = f;
      },
      reject: () => {},
    },
  );
  return fields;
}

function formatContext(options: IngestOptions, zone: ReturnType<typeof zoneResolver>): FormatContext {
  const seen = new Map<string, number>();
  return {
    platform: options.platform?.trim().toLowerCase() || undefined,
    zone,
    options: options.formatOptions ?? {},
    occurrence(key) {
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      return n === 1 ? key : `${key}#${n}`;
    },
  };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('interrupted');
}

/** Loads staged batches into the store one at a time, while the reader prepares the next. */
class Loader {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown = null;

  constructor(
    private readonly store: Store,
    private readonly ingestId: number,
    private readonly maxLineBytes: number,
  ) {}

  add(batch: StagedBatch): void {
    const file = batch.file;
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failure) return;
        if (batch.kind === 'posts') await loadPosts(this.store, file, this.ingestId, this.maxLineBytes);
        else await loadRejects(this.store, file, this.ingestId, this.maxLineBytes);
      } catch (err) {
        this.failure ??= err;
      } finally {
        this.pending--;
        rmSync(file, { force: true });
      }
    });
  }

  /** Waits until at most `max` batches are waiting (backpressure for the reader). */
  async drain(max: number): Promise<void> {
    while (this.pending > max) await this.chain;
    if (this.failure) throw this.failure;
  }

  async idle(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }
}

/** Streams the file through its framing and the adapter into the staging sink; returns the sha256. */
async function readAll(
  source: SourceInfo,
  adapter: FormatAdapter,
  sink: Staging,
  ctx: FormatContext,
  maxFieldChars: number,
  options: IngestOptions,
  loader: Loader,
): Promise<string> {
  const rc = { options, loader, maxFieldChars };
  const progress = (diskBytes: number) =>
    rc.options.onProgress?.({
      file: source.name,
      phase: 'read',
      diskBytes,
      totalBytes: source.bytes,
      rows: sink.rowsRead,
      rejected: sink.rejected,
    });

  if (source.container === 'parquet') {
    const map = valueMapper(adapter, ctx, sink);
    const sha256 = await sha256File(source.path);
    await readParquetRows(source.path, async (row, line, total) => {
      map(row, line);
      if (line % 50_000 === 0 || line === total) {
        progress(Math.round((source.bytes * line) / Math.max(total, 1)));
        checkAbort(rc.options.signal);
        await rc.loader.drain(1);
      }
    });
    return sha256;
  }

  const stream = readText(source);
  const framing = adapter.framing;
  // A JSON record whose text is longer than the field limit may hold an over-long string: such a
  // record is rejected like a CSV row with a long field (staged, it could exceed the loader's line limit).
  const longField = (value: unknown, rawLength: number, line: number, raw: () => string): boolean => {
    if (rawLength <= rc.maxFieldChars) return false;
    const found = firstStringOver(value, rc.maxFieldChars, '');
    if (!found) return false;
    sink.reject(line, fieldTooLong(found.path || '(the record)', found.length, rc.maxFieldChars), raw());
    return true;
  };
  const maxRecordChars = Math.max(rc.maxFieldChars * 8, 64 * 1024 * 1024);
  if (framing === 'csv') {
    const parser = new CsvParser({
      maxFieldChars: rc.maxFieldChars,
      maxRecordChars,
      delimiter: adapter.delimiter?.(source),
    });
    let mapper: ((fields: string[], line: number, sink: RowSink) => void) | null = null;
    let width = 0;
    let rest = '';
    const csvSink = {
      record(fields: string[], line: number, text: string, start: number, end: number) {
        if (!mapper) {
          mapper = adapter.csv!(fields, ctx);
          width = fields.length;
          return;
        }
        if (fields.length !== width) {
          // A trailing empty field from a trailing delimiter is tolerated.
          if (!(fields.length === width + 1 && fields[width] === '')) {
            sink.reject(
              line,
              `expected ${width} fields, found ${fields.length}`,
              trimEol(text.slice(start, end)),
            );
            return;
          }
        }
        mapRow(
          () => mapper!(fields, line, sink),
          line,
          () => trimEol(text.slice(start, end)),
          sink,
        );
      },
      reject(reason: string, line: number, raw: string) {
        sink.reject(line, reason, raw);
      },
    };
    for await (const chunk of stream.chunks) {
      const text = rest ? rest + chunk.text : chunk.text;
      const used = parser.parse(text, false, csvSink);
      rest = used < text.length ? text.slice(used) : '';
      progress(chunk.diskBytes);
      checkAbort(rc.options.signal);
      await rc.loader.drain(1);
    }
    if (rest) parser.parse(rest, true, csvSink);
    if (!mapper) throw new FormatError(`${source.name} has no header line`);
  } else if (framing === 'jsonl') {
    const map = valueMapper(adapter, ctx, sink);
    let rest = '';
    let line = 1;
    let skipping = false;
    const handle = (raw: string, lineNo: number) => {
      const body = raw.trim();
      if (body === '') return;
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch (err) {
        sink.reject(lineNo, `invalid JSON: ${(err as Error).message}`, body);
        return;
      }
      if (longField(value, body.length, lineNo, () => body)) return;
      map(value, lineNo, body);
    };
    for await (const chunk of stream.chunks) {
      const text = rest ? rest + chunk.text : chunk.text;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        if (skipping) skipping = false;
        else if (nl - start > maxRecordChars)
          sink.reject(
            line,
            `line longer than ${maxRecordChars.toLocaleString('en')} characters`,
            text.slice(start, start + 4096),
          );
        else handle(text.slice(start, nl), line);
        start = nl + 1;
        line++;
      }
      rest = text.slice(start);
      if (!skipping && rest.length > maxRecordChars) {
        sink.reject(
          line,
          `line longer than ${maxRecordChars.toLocaleString('en')} characters`,
          rest.slice(0, 4096),
        );
        skipping = true;
      }
      if (skipping) rest = '';
      progress(chunk.diskBytes);
      checkAbort(rc.options.signal);
      await rc.loader.drain(1);
    }
    if (rest && !skipping) handle(rest, line);
  } else {
    const map = valueMapper(adapter, ctx, sink);
    const scanner = new JsonScanner(adapter.json?.arrayKey ?? null);
    const jsonSink = {
      element(value: unknown, line: number, context: Record<string, unknown>, rawLength: number) {
        if (longField(value, rawLength, line, () => JSON.stringify(value, bigintSafe))) return;
        map(value, line, undefined, context);
      },
      reject(reason: string, line: number, raw: string) {
        sink.reject(line, reason, raw);
      },
    };
    for await (const chunk of stream.chunks) {
      scanner.feed(chunk.text, false, jsonSink);
      if (scanner.buffered > 512 * 1024 * 1024) {
        throw new InputError(
          `${source.name}: one JSON object over 512 MB cannot be read whole; convert the file to JSON Lines (one object per line)`,
        );
      }
      progress(chunk.diskBytes);
      checkAbort(rc.options.signal);
      await rc.loader.drain(1);
    }
    scanner.feed('', true, jsonSink);
    if (!scanner.complete && !scanner.truncated)
      sink.warn('truncated-json', 'the JSON document ends before it is closed (truncated file?)', 0);
  }
  if (stream.invalid.count > 0) {
    sink.warnings.set('invalid-utf8', {
      code: 'invalid-utf8',
      message: `invalid UTF-8 byte sequences replaced by U+FFFD (first near byte ${stream.invalid.firstOffset}); pass --encoding if the file is not UTF-8`,
      count: stream.invalid.count,
      firstLine: 0,
    });
  }
  return stream.sha256();
}

/** The first string in a parsed JSON value longer than `max` characters, with its key path. */
function firstStringOver(value: unknown, max: number, path: string): { path: string; length: number } | null {
  if (typeof value === 'string') return value.length > max ? { path, length: value.length } : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    const found = firstStringOver(
      v,
      max,
      Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
    );
    if (found) return found;
  }
  return null;
}

function trimEol(s: string): string {
  return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Runs one mapper call; a RowError or any failure on odd data rejects the row with its raw text. */
function mapRow(run: () => void, line: number, raw: () => string, sink: RowSink): void {
  try {
    run();
  } catch (err) {
    if (err instanceof LockstepError) throw err;
    const reason =
      err instanceof RowError ? err.message : `could not map the row: ${(err as Error).message ?? err}`;
    sink.reject(line, reason, raw());
  }
}

function valueMapper(adapter: FormatAdapter, ctx: FormatContext, sink: RowSink) {
  if (!adapter.value) throw new FormatError(`format ${adapter.name} cannot read JSON or Parquet records`);
  const map = adapter.value(ctx);
  return (value: unknown, line: number, raw?: string, context?: Record<string, unknown>) =>
    mapRow(
      () => map(value, line, sink, context),
      line,
      () => raw ?? JSON.stringify(value, bigintSafe),
      sink,
    );
}
