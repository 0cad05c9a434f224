/**
 * What a format adapter is. One adapter per real export format; it only maps the format's fields
 * onto canonical records. Reading bytes, framing records, normalising, de-duplicating, counting and
 * storing are the pipeline's job, the same for every format.
 */
import type { RawAccount, RawPost } from '../../core/types.js';
import type { NativePlan } from '../native.js';
import type { ZoneResolver } from '../normalize/time.js';
import type { SourceInfo } from '../source.js';

/** How records are cut out of the file. */
export type Framing = 'csv' | 'jsonl' | 'json' | 'parquet';

/** Where an adapter's posts go. */
export interface RowSink {
  post(post: RawPost, line: number): void;
  account(account: RawAccount): void;
  /** A row that cannot be stored, kept aside with the reason. */
  reject(line: number, reason: string, raw: string): void;
  /** An oddity in a stored row, counted per code and shown in the ingest summary. */
  warn(code: string, message: string, line: number): void;
}

/** Thrown by a row mapper for a row that cannot be stored; the pipeline keeps the raw row. */
export class RowError extends Error {}

export interface FormatContext {
  /** Platform given with `--platform`, overriding the format's default. */
  platform: string | undefined;
  /** Resolves zone-less wall times (`--timezone`, default UTC). */
  zone: ZoneResolver;
  /** Format-specific options (`--object-kind` for CooRTweet files, the column mapping for generic). */
  options: Record<string, unknown>;
  /**
   * Key for a post in a format without post ids: the content key plus the number of times the
   * same content was already seen in this file (`#2`, `#3`), so identical rows stay distinct and a
   * re-ingest of the same file produces the same keys.
   */
  occurrence(key: string): string;
}

/** Maps one CSV record (fields in header order) or one JSON value. */
export type RecordMapper<T> = (record: T, line: number, sink: RowSink) => void;

export interface JsonFraming {
  /**
   * Key of the arrays whose elements are records (Telegram: `messages`), or null for the elements of
   * a top-level array (a whole top-level object is then one record).
   */
  arrayKey: string | null;
}

export interface FormatAdapter {
  /** Name used by `--format`. */
  name: string;
  /** One line for help and the docs. */
  title: string;
  framing: Framing;
  /** Platform when the data does not say and `--platform` is not given. */
  platform: string;
  /** The finest time unit the format records (minute for the X archive and IRA data). */
  timeResolution: 'second' | 'minute';
  /**
   * `union`: rows sharing a post key are parts of one post (the German-elections file has a row per
   * URL, hashtag and image of a post); their lists are merged. Default: a repeated key is a duplicate.
   */
  merge?: 'union';
  /** Needs rows in file order (content keys with occurrence numbers). */
  sequential?: boolean;
  json?: JsonFraming;
  /** CSV field separator when it is not a comma (detected from the file). */
  delimiter?(source: SourceInfo): string;
  /** When the framing depends on the file (X API data comes as JSON Lines or as whole JSON pages). */
  framingFor?(source: SourceInfo): Framing;
  /** Score 0..1 that the sniffed head of the file is this format (CSV: the header line). */
  detect(head: string, source: SourceInfo): number;
  /**
   * Bulk path (ingest/native.ts): SQL that reads this CSV format inside DuckDB exactly as `csv` reads
   * it, or null when the header does not suit it (the general path then handles the file).
   */
  native?(header: string[], ctx: FormatContext): NativePlan | null;
  /** CSV: given the header, returns the row mapper, or throws a FormatError for a missing column. */
  csv?(header: string[], ctx: FormatContext): RecordMapper<string[]>;
  /** JSON, JSONL and Parquet: returns the mapper for one parsed value. `context` carries enclosing scalars. */
  value?(
    ctx: FormatContext,
  ): (value: unknown, line: number, sink: RowSink, context?: Record<string, unknown>) => void;
}
