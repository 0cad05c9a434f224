/**
 * Ingest of documents: statements, speeches, press releases, articles, transcripts. The second
 * corpus of echo tracing (src/echo/), stored in the `documents` table.
 *
 * Two kinds of input:
 * - a file of records (JSON Lines, a JSON array, CSV, Parquet; gzip allowed), one document a record,
 *   fields found by their usual names or through a column mapping (`--map` / `--col`, as for posts);
 * - a folder of `.txt`, `.md` and `.html` files, one document a file, with an optional sidecar
 *   metadata file (`metadata.jsonl`, `metadata.json` or `metadata.csv` in the folder, or `--metadata`)
 *   whose `file` column names each document's file. HTML is reduced to its main text (html.ts):
 *   nothing is fetched, nothing runs.
 *
 * The rules are the posts' (ingest/pipeline.ts): one `ingests` row per attempt with the file's
 * sha256; a record that cannot be stored goes to `rejects` with its file, line and reason; counts
 * reconcile (rows read = stored + duplicate + rejected); everything happens in one transaction, so
 * Ctrl-C or a crash keeps nothing; ingesting the same input again stores nothing new (a document
 * whose id is stored, or repeats earlier in the input, is a duplicate). Dates are kept as intervals
 * with their precision (dates.ts); the collected time is kept beside the published one.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { TextDecoder } from 'node:util';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import type { Store } from '../../store/store.js';
import { contentKey, pathValue } from '../formats/fields.js';
import { readMappingFile } from '../formats/generic.js';
import { normalizeLang } from '../normalize/lang.js';
import { normalizeText } from '../normalize/text.js';
import type { zoneResolver } from '../normalize/time.js';
import { canonicalUrl } from '../normalize/url.js';
import { abandonIngest, maxFieldMbOption, timezoneOption } from '../pipeline.js';
import { inspectSource } from '../source.js';
import { MAX_REJECT_RAW, type WarningCount } from '../staging.js';
import { type DocumentTime, parseDocumentTime } from './dates.js';
import { htmlToText, markdownToText } from './html.js';
import { framingOf, readRecords } from './records.js';

/** Fields of a document a mapping may name. */
export const DOCUMENT_FIELDS = [
  'doc_id',
  'text',
  'title',
  'published_at',
  'collected_at',
  'author',
  'outlet',
  'url',
  'lang',
  'kind',
  'file',
] as const;
export type DocumentField = (typeof DOCUMENT_FIELDS)[number];

/**
 * Column names recognised without a mapping (case-insensitive), in order of preference. `file` is
 * only read from a folder's sidecar metadata.
 */
export const DOCUMENT_ALIASES: Record<DocumentField, string[]> = {
  doc_id: ['doc_id', 'document_id', 'id'],
  text: ['text', 'body', 'content', 'transcript', 'full_text'],
  title: ['title', 'headline'],
  published_at: ['published_at', 'published', 'date', 'publish_date', 'published_time', 'datetime'],
  collected_at: ['collected_at', 'collected', 'retrieved_at', 'crawled_at', 'scraped_at', 'accessed'],
  author: ['author', 'speaker', 'byline'],
  outlet: ['outlet', 'publisher', 'source', 'site', 'institution', 'organisation', 'organization'],
  url: ['url', 'link', 'source_url'],
  lang: ['lang', 'language'],
  kind: ['kind', 'type', 'genre'],
  file: ['file', 'path', 'filename'],
};

/** Which column (CSV, Parquet) or dotted path (JSON) holds each field; unnamed fields use the aliases. */
export interface DocumentMapping {
  columns: Partial<Record<DocumentField, string>>;
}

/** Document files read from a folder. */
export const DOCUMENT_EXTENSIONS = ['.txt', '.md', '.markdown', '.html', '.htm'];
/** Sidecar metadata files looked for in a folder, in this order. */
export const SIDECAR_NAMES = ['metadata.jsonl', 'metadata.json', 'metadata.csv'];

export interface DocumentIngestOptions {
  mapping?: DocumentMapping;
  /** A folder's sidecar metadata file (default: the first of SIDECAR_NAMES in the folder). */
  metadata?: string;
  /** Time zone of zone-less dates (IANA name or offset). Without it their interval spans every offset. */
  timezone?: string;
  /** Text encoding of the input (default: detected; UTF-8). */
  encoding?: string;
  /** Values for documents that do not give them (`--author`, `--outlet`, `--lang`, `--kind`). */
  defaults?: Partial<Record<'author' | 'outlet' | 'lang' | 'kind', string>>;
  /** Longest text accepted, in MiB (default 8); longer documents are rejected. */
  maxFieldMb?: number;
  onProgress?: (p: { file: string; done: number; total: number; rows: number }) => void;
  signal?: AbortSignal;
}

export interface DocumentIngestReport {
  ingestId: number;
  path: string;
  fileName: string;
  /** `documents-jsonl`, `documents-json`, `documents-csv`, `documents-parquet` or `documents-folder`. */
  format: string;
  sha256: string;
  bytes: number;
  rowsRead: number;
  rowsStored: number;
  rowsDuplicate: number;
  rowsRejected: number;
  warnings: WarningCount[];
  seconds: number;
  /** Earlier completed ingests of input with the same sha256. */
  sameFileBefore: number[];
}

/** Reads a mapping file (`--map`) merged with `--col field=column` flags. */
export function loadDocumentMapping(
  file: string | undefined,
  cols: string[] = [],
): DocumentMapping | undefined {
  if (!file && cols.length === 0) return undefined;
  let mapping: DocumentMapping = { columns: {} };
  if (file) {
    mapping = readMappingFile(file) as DocumentMapping;
    if (!mapping || typeof mapping.columns !== 'object' || mapping.columns === null)
      throw new UsageError(
        `the mapping file ${file} needs a "columns" object, e.g. {"columns": {"text": "body"}}`,
      );
  }
  for (const c of cols) {
    const m = /^([a-z_]+)=(.+)$/.exec(c);
    if (!m) throw new UsageError(`invalid --col "${c}"; write field=column, e.g. --col text=body`);
    mapping.columns[m[1] as DocumentField] = m[2]!;
  }
  for (const [field, column] of Object.entries(mapping.columns)) {
    if (!(DOCUMENT_FIELDS as readonly string[]).includes(field))
      throw new UsageError(`unknown document field "${field}"; fields are ${DOCUMENT_FIELDS.join(', ')}`);
    if (typeof column !== 'string' || column.trim() === '')
      throw new UsageError(`the column mapping gives ${field} no column name (write "${field}": "column")`);
  }
  return mapping;
}

/** One document ready to store. */
interface DocumentRow {
  docId: string;
  title: string | null;
  text: string;
  author: string | null;
  outlet: string | null;
  url: string | null;
  lang: string | null;
  kind: string | null;
  published: DocumentTime | null;
  publishedRaw: string | null;
  collected: number | null;
  extra: Record<string, unknown> | null;
  file: string;
  line: number;
}

/** A row that could not be read; RowProblem messages become the reject's reason. */
class RowProblem extends Error {}

/**
 * Stages documents, rejects and warnings for one ingest; writes documents to a staging CSV as they
 * come, so memory stays flat however many documents there are.
 */
class DocumentSink {
  rowsRead = 0;
  rejected = 0;
  readonly warnings = new Map<string, WarningCount>();
  readonly rejects: { file: string; line: number; reason: string; raw: string; truncated: boolean }[] = [];
  private readonly fd: number;
  private pending = '';
  private readonly seen = new Map<string, number>();
  private closed = false;

  constructor(readonly stagingFile: string) {
    this.fd = openSync(stagingFile, 'w');
  }

  warn(code: string, message: string, line: number): void {
    const w = this.warnings.get(code);
    if (w) w.count++;
    else this.warnings.set(code, { code, message, count: 1, firstLine: line });
  }

  reject(file: string, line: number, reason: string, raw: string): void {
    this.rowsRead++;
    this.rejected++;
    const truncated = raw.length > MAX_REJECT_RAW;
    this.rejects.push({ file, line, reason, raw: truncated ? raw.slice(0, MAX_REJECT_RAW) : raw, truncated });
  }

  /** A content key with the number of times the same content was seen in this input (`#2`). */
  occurrence(key: string): string {
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n === 1 ? key : `${key}#${n}`;
  }

  add(d: DocumentRow): void {
    this.rowsRead++;
    const p = d.published;
    const fields = [
      q(d.docId),
      q(d.title),
      q(d.text),
      q(normalizeText(d.text)),
      q(d.author),
      q(d.outlet),
      q(d.url),
      q(d.lang),
      q(d.kind),
      p ? String(p.at) : '',
      p ? String(p.earliest) : '',
      p ? String(p.latest) : '',
      p ? p.precision : '',
      d.collected === null ? '' : String(d.collected),
      q(d.extra ? JSON.stringify(d.extra) : null),
      q(d.file),
      String(d.line),
    ];
    this.pending += `${fields.join(',')}\n`;
    if (this.pending.length > 1 << 22) this.flush();
  }

  flush(): void {
    if (this.pending) writeSync(this.fd, this.pending);
    this.pending = '';
  }

  /** Closes the staging file once (a second close could close a descriptor reused by DuckDB). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    closeSync(this.fd);
  }
}

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/g;
/** Quotes a staged value; null is an unquoted empty field, read back as NULL. */
function q(s: string | null | undefined): string {
  if (s === null || s === undefined) return '';
  const clean = s.replace(CONTROL, ' ');
  return `"${clean.replaceAll('"', '""')}"`;
}

const STAGE_COLUMNS = `{'doc_id': 'VARCHAR', 'title': 'VARCHAR', 'text': 'VARCHAR', 'text_norm': 'VARCHAR',
  'author': 'VARCHAR', 'outlet': 'VARCHAR', 'url': 'VARCHAR', 'lang': 'VARCHAR', 'kind': 'VARCHAR',
  'published_ms': 'BIGINT', 'earliest_ms': 'BIGINT', 'latest_ms': 'BIGINT', 'precision': 'VARCHAR',
  'collected_ms': 'BIGINT', 'extra': 'VARCHAR', 'source_file': 'VARCHAR', 'source_line': 'BIGINT'}`;

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

const asText = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.trim() === '' ? null : s;
};

/** Resolves each field to a column of the record: the mapping's, else the first alias present. */
function fieldGetter(mapping: DocumentMapping | undefined) {
  const cache = new Map<string, Map<DocumentField, string | null>>();
  return (value: Record<string, unknown>, field: DocumentField): unknown => {
    const named = mapping?.columns[field];
    if (named) return pathValue(value, named);
    const keys = Object.keys(value);
    const signature = keys.join('\x1f');
    let resolved = cache.get(signature);
    if (!resolved) {
      resolved = new Map();
      const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
      for (const f of DOCUMENT_FIELDS) {
        const alias = DOCUMENT_ALIASES[f].find((a) => lower.has(a));
        resolved.set(f, alias ? lower.get(alias)! : null);
      }
      if (cache.size < 64) cache.set(signature, resolved);
    }
    const column = resolved.get(field);
    return column ? value[column] : undefined;
  };
}

/** Ingests a file of document records or a folder of document files. */
export async function ingestDocuments(
  store: Store,
  path: string,
  options: DocumentIngestOptions = {},
): Promise<DocumentIngestReport> {
  const started = Date.now();
  const maxFieldMb = maxFieldMbOption(options.maxFieldMb, 8);
  const zone = timezoneOption(options.timezone);
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    /* inspectSource says what is wrong */
  }
  const full = resolve(path);
  const source = folder ? null : await inspectSource(path, options.encoding);
  const format = folder ? 'documents-folder' : `documents-${framingOf(source!)}`;
  const bytes = folder ? folderBytes(full) : source!.bytes;
  const ingestId = ((await store.value<number>(`SELECT coalesce(max(ingest_id), 0) FROM ingests`)) ?? 0) + 1;
  await store.run(
    `INSERT INTO ingests (ingest_id, path, file_name, bytes, format, platform, options, status, started_at, time_resolution, tool_version)
     VALUES (?, ?, ?, ?, ?, 'documents', ?::JSON, 'running', now()::TIMESTAMP, NULL, ?)`,
    [
      ingestId,
      full,
      basename(full),
      bytes,
      format,
      JSON.stringify({ ...options, onProgress: undefined, signal: undefined }),
      VERSION,
    ],
  );
  const dir = join(`${store.path}.tmp`, `docs-${ingestId}`);
  mkdirSync(dir, { recursive: true });
  const sink = new DocumentSink(join(dir, 'documents.csv'));
  const abort = () => store.connection.interrupt();
  options.signal?.addEventListener('abort', abort);
  const checkAbort = () => {
    if (options.signal?.aborted) throw new InterruptedError('interrupted');
  };
  const ctx: MapContext = {
    get: fieldGetter(options.mapping),
    mapping: options.mapping,
    zone,
    zoneKnown: !!options.timezone,
    defaults: options.defaults ?? {},
    maxChars: Math.round(maxFieldMb * 1024 * 1024),
    sink,
  };
  try {
    let sha256: string;
    if (folder) sha256 = await readFolder(full, options, ctx, checkAbort);
    else {
      const name = source!.name;
      const read = await readRecords(
        source!,
        {
          record: (value, line, raw) => mapRecord(ctx, value, name, line, raw, null),
          reject: (line, reason, raw) => sink.reject(name, line, reason, raw),
          progress: (done) => {
            options.onProgress?.({ file: name, done, total: source!.bytes, rows: sink.rowsRead });
            checkAbort();
          },
        },
        ctx.maxChars,
      );
      sha256 = read.sha256;
      if (read.invalidUtf8 > 0)
        sink.warn(
          'invalid-utf8',
          'invalid UTF-8 byte sequences replaced by U+FFFD; pass --encoding if the file is not UTF-8',
          0,
        );
    }
    sink.close();
    if (sink.rowsRead === 0) sink.warn('no-rows', 'the input holds no documents to ingest', 0);
    checkAbort();
    await store.run('BEGIN TRANSACTION');
    await store.run(`INSERT INTO documents SELECT doc_id, title, text, text_norm, author, outlet, url, lang, kind,
        epoch_ms(published_ms), epoch_ms(earliest_ms), epoch_ms(latest_ms), precision, epoch_ms(collected_ms),
        extra::JSON, ${ingestId}, source_file, source_line
      FROM read_csv(${sqlString(sink.stagingFile)}, header = false, auto_detect = false, columns = ${STAGE_COLUMNS},
        delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, max_line_size = ${ctx.maxChars * 8 + (1 << 20)},
        buffer_size = ${Math.max(ctx.maxChars * 16, 32 << 20)}, strict_mode = true)`);
    for (const r of sink.rejects)
      await store.run(`INSERT INTO rejects VALUES (?, ?, ?, ?, ?, ?)`, [
        ingestId,
        r.file,
        r.line,
        r.reason,
        r.raw,
        r.truncated,
      ]);
    // A document whose id is stored already, or repeats earlier in this input, is a duplicate; the
    // first one stored wins.
    await store.run(`DELETE FROM documents WHERE rowid IN (
      SELECT rowid FROM (
        SELECT rowid, ingest_id, row_number() OVER (PARTITION BY doc_id ORDER BY ingest_id, source_line, rowid) AS k
        FROM documents WHERE doc_id IN (SELECT doc_id FROM documents WHERE ingest_id = ${ingestId}))
      WHERE k > 1 AND ingest_id = ${ingestId})`);
    const stored =
      (await store.value<number>(`SELECT count(*) FROM documents WHERE ingest_id = ?`, [ingestId])) ?? 0;
    const report: DocumentIngestReport = {
      ingestId,
      path: full,
      fileName: basename(full),
      format,
      sha256,
      bytes,
      rowsRead: sink.rowsRead,
      rowsStored: stored,
      rowsDuplicate: sink.rowsRead - sink.rejected - stored,
      rowsRejected: sink.rejected,
      warnings: [...sink.warnings.values()],
      seconds: 0,
      sameFileBefore: (
        await store.all<{ ingest_id: number }>(
          `SELECT ingest_id FROM ingests WHERE sha256 = ? AND status = 'done' ORDER BY ingest_id`,
          [sha256],
        )
      ).map((r) => r.ingest_id),
    };
    if (report.rowsDuplicate < 0)
      throw new Error(
        `counts do not reconcile: read ${report.rowsRead}, stored ${stored}, rejected ${sink.rejected}`,
      );
    report.seconds = (Date.now() - started) / 1000;
    await store.run(
      `UPDATE ingests SET status = 'done', finished_at = now()::TIMESTAMP, sha256 = ?, rows_read = ?, rows_stored = ?,
         rows_duplicate = ?, rows_rejected = ?, posts_new = 0, accounts_new = 0, warnings = ?::JSON WHERE ingest_id = ?`,
      [
        sha256,
        report.rowsRead,
        report.rowsStored,
        report.rowsDuplicate,
        report.rowsRejected,
        JSON.stringify(report.warnings),
        ingestId,
      ],
    );
    await store.run('COMMIT');
    return report;
  } catch (err) {
    throw await abandonIngest(
      store,
      ingestId,
      err,
      options.signal,
      `interrupted: nothing from ${basename(full)} was stored; run the same command again to ingest it`,
    );
  } finally {
    sink.close();
    options.signal?.removeEventListener('abort', abort);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface MapContext {
  get: (value: Record<string, unknown>, field: DocumentField) => unknown;
  mapping: DocumentMapping | undefined;
  zone: ReturnType<typeof zoneResolver>;
  zoneKnown: boolean;
  defaults: Partial<Record<'author' | 'outlet' | 'lang' | 'kind', string>>;
  maxChars: number;
  sink: DocumentSink;
}

/** What a document file itself says (an HTML page's metadata, a folder path as id). */
interface FileFacts {
  text: string;
  docId: string;
  title?: string | null;
  published?: string | null;
  author?: string | null;
  outlet?: string | null;
  lang?: string | null;
  url?: string | null;
}

/**
 * Maps one record (or one folder file with its metadata record) to a document; a record that
 * cannot be stored is rejected with its reason.
 */
function mapRecord(
  ctx: MapContext,
  value: Record<string, unknown>,
  file: string,
  line: number,
  raw: () => string,
  facts: FileFacts | null,
): void {
  try {
    ctx.sink.add(toDocument(ctx, value, file, line, facts));
  } catch (err) {
    if (!(err instanceof RowProblem)) throw err;
    ctx.sink.reject(file, line, err.message, raw());
  }
}

function toDocument(
  ctx: MapContext,
  value: Record<string, unknown>,
  file: string,
  line: number,
  facts: FileFacts | null,
): DocumentRow {
  const field = (f: DocumentField) => asText(ctx.get(value, f));
  const text = facts?.text ?? field('text');
  if (!text || text.trim() === '') throw new RowProblem(facts ? 'the file holds no text' : 'empty text');
  if (text.length > ctx.maxChars)
    throw new RowProblem(
      `text of ${text.length.toLocaleString('en')} characters is longer than the limit of ${ctx.maxChars.toLocaleString('en')} (--max-field-mb)`,
    );
  const time = (f: 'published_at' | 'collected_at', rawValue: string | null): DocumentTime | null => {
    if (!rawValue) return null;
    const t = parseDocumentTime(rawValue, ctx.zone, ctx.zoneKnown);
    if (!t) throw new RowProblem(`unreadable ${ctx.mapping?.columns[f] ?? f} "${rawValue.slice(0, 40)}"`);
    return t;
  };
  const publishedRaw = field('published_at') ?? facts?.published ?? null;
  const published = time('published_at', publishedRaw);
  const collected = time('collected_at', field('collected_at'));
  if (!published && !collected)
    ctx.sink.warn(
      'no-date',
      'documents without a published or collected date: their precedence is unknown',
      line,
    );
  else if (published?.zoneless)
    ctx.sink.warn(
      'zoneless-date',
      'dates without a time zone: their interval spans every UTC offset (pass --timezone if you know it)',
      line,
    );
  const url = field('url') ?? facts?.url ?? null;
  const author = field('author') ?? facts?.author ?? ctx.defaults.author ?? null;
  const outlet = field('outlet') ?? facts?.outlet ?? ctx.defaults.outlet ?? null;
  const langRaw = field('lang') ?? facts?.lang ?? ctx.defaults.lang ?? null;
  const lang = normalizeLang(langRaw);
  if (langRaw && !lang)
    ctx.sink.warn('unknown-lang', 'language labels not recognised; stored as unknown', line);
  const docId =
    field('doc_id') ??
    facts?.docId ??
    ctx.sink.occurrence(`c:${contentKey(normalizeText(text), author, outlet, publishedRaw)}`);
  // Fields without a column of their own are kept, as for posts.
  const used = new Set(
    DOCUMENT_FIELDS.map((f) => ctx.mapping?.columns[f])
      .filter((c): c is string => !!c)
      .map((c) => c.split('.')[0]!),
  );
  for (const f of DOCUMENT_FIELDS)
    for (const alias of DOCUMENT_ALIASES[f])
      for (const k of Object.keys(value)) if (k.toLowerCase() === alias) used.add(k);
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    if (!used.has(k) && v !== null && v !== undefined && v !== '') extra[k] = v;
  return {
    docId,
    title: field('title') ?? facts?.title ?? null,
    text,
    author,
    outlet,
    url: url ? (canonicalUrl(url)?.url ?? url) : null,
    lang,
    kind: field('kind') ?? ctx.defaults.kind ?? null,
    published,
    publishedRaw,
    collected: collected?.at ?? null,
    extra: Object.keys(extra).length ? extra : null,
    file,
    line,
  };
}

/** Document files under a folder (sorted, so the same folder reads the same way), relative paths. */
function documentFiles(root: string): { files: string[]; skipped: number } {
  const files: string[] = [];
  let skipped = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (DOCUMENT_EXTENSIONS.includes(extname(entry.name).toLowerCase()))
        files.push(relative(root, path));
      else if (!SIDECAR_NAMES.includes(entry.name)) skipped++;
    }
  };
  walk(root);
  return { files: files.map((f) => f.split(sep).join('/')), skipped };
}

function folderBytes(root: string): number {
  let total = 0;
  for (const f of documentFiles(root).files) total += statSync(join(root, f)).size;
  return total;
}

/** Reads a folder's documents with their sidecar metadata; returns a sha256 over names and contents. */
async function readFolder(
  root: string,
  options: DocumentIngestOptions,
  ctx: MapContext,
  checkAbort: () => void,
): Promise<string> {
  const { files, skipped } = documentFiles(root);
  if (skipped)
    ctx.sink.warn('skipped-files', `files that are not .txt, .md or .html were not read (${skipped})`, 0);
  const metadataPath =
    options.metadata ?? SIDECAR_NAMES.map((n) => join(root, n)).find((p) => statIsFile(p)) ?? null;
  const metadata = new Map<string, { value: Record<string, unknown>; line: number }>();
  if (metadataPath) {
    const source = await inspectSource(metadataPath);
    const metaName = basename(metadataPath);
    await readRecords(
      source,
      {
        record: (value, line) => {
          const f = asText(ctx.get(value, 'file'));
          if (!f) {
            ctx.sink.warn(
              'metadata-without-file',
              `${metaName}: metadata rows without a file name were not used`,
              line,
            );
            return;
          }
          const key = f.replaceAll('\\', '/').replace(/^\.\//, '');
          if (metadata.has(key))
            ctx.sink.warn(
              'metadata-repeated',
              `${metaName}: a file named twice; the first row is used`,
              line,
            );
          else metadata.set(key, { value, line });
        },
        reject: (line, reason) =>
          ctx.sink.warn(
            'metadata-unreadable',
            `${metaName}: unreadable metadata rows (${reason.split(':')[0]})`,
            line,
          ),
        progress: () => {},
      },
      ctx.maxChars,
    );
  }
  const hash = createHash('sha256');
  const decoder = new TextDecoder(options.encoding ?? 'utf-8', { fatal: !options.encoding });
  const used = new Set<string>();
  let done = 0;
  for (const rel of files) {
    const buf = readFileSync(join(root, rel));
    hash.update(rel).update('\0').update(buf).update('\0');
    done += buf.length;
    const meta = metadata.get(rel) ?? metadata.get(basename(rel));
    if (meta) used.add(metadata.get(rel) ? rel : basename(rel));
    const value = meta?.value ?? {};
    let content: string;
    try {
      content = decoder.decode(buf);
    } catch {
      ctx.sink.reject(
        rel,
        1,
        'not UTF-8 text; pass --encoding (windows-1252, utf-16le, ...)',
        buf.subarray(0, 4096).toString('latin1'),
      );
      continue;
    }
    content = content.replace(/^\ufeff/, '');
    const ext = extname(rel).toLowerCase();
    let facts: FileFacts;
    if (ext === '.html' || ext === '.htm') {
      const page = htmlToText(content);
      facts = { ...page, docId: rel };
    } else {
      const text =
        ext === '.txt'
          ? content.replace(/\r\n?/g, '\n').trim()
          : markdownToText(content.replace(/\r\n?/g, '\n'));
      facts = { text, docId: rel };
    }
    mapRecord(ctx, value, rel, 1, () => content, facts);
    options.onProgress?.({ file: rel, done, total: done, rows: ctx.sink.rowsRead });
    checkAbort();
  }
  const unused = [...metadata.keys()].filter((k) => !used.has(k)).length;
  if (unused)
    ctx.sink.warn(
      'metadata-without-document',
      `metadata rows naming files that are not in the folder (${unused})`,
      0,
    );
  return hash.digest('hex');
}

function statIsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
