/**
 * What an entity importer is: a format that recognises its files and turns each source record (a
 * CSV row, a JSON line, an XML filing) into FollowTheMoney entity drafts. The pipeline
 * (pipeline.ts) cleans the drafts against the model, turns them into statements with provenance
 * and keeps the counts: records read = stored + duplicate + rejected.
 */

/** An entity as an importer builds it: an id, an FtM schema and raw property values (cleaned later). */
export interface EntityDraft {
  id: string;
  schema: string;
  properties: Record<string, readonly (string | null | undefined)[]>;
}

/** One source record and the entities it states. */
export interface DraftRecord {
  /** Where the record starts in the file: physical line (CSV, JSON Lines) or ordinal (XML filings). */
  row: number;
  /** The record as read, kept as the evidence behind its statements. */
  raw: string;
  entities: EntityDraft[];
  /** The public document the record cites (a FARA filing PDF, an API URL). */
  sourceUrl?: string | null;
  /** The date the record bears (filing, payment, contact date), any form `cleanDate` reads. */
  recordDate?: string | null;
}

export interface RecordSink {
  record(record: DraftRecord): void;
  reject(row: number, reason: string, raw: string): void;
  /** A counted oddity in a stored record (a repaired row, a date that could not be read). */
  warn(code: string, message: string, row: number): void;
  /** An FtM stream's referent: a source id merged into `canonical` (kept as a 'same' judgement). */
  referent(canonical: string, referent: string): void;
}

/** A decoded text input: chunks of text and, for progress, the bytes of the file read so far. */
export interface TextInput {
  kind: 'text';
  name: string;
  chunks: AsyncIterable<{ text: string; diskBytes: number }>;
}

/** The members of a ZIP archive, each decoded to text (LDA bulk downloads). */
export interface ZipInput {
  kind: 'zip';
  name: string;
  members: { name: string; text: string }[];
}

export type EntityInput = TextInput | ZipInput;

/** What format detection sees: the file name, the decoded start, the container. */
export interface Probe {
  name: string;
  head: string;
  container: 'text' | 'zip';
  /** Names of the members, for a ZIP archive. */
  members: string[];
}

export interface ReadContext {
  /** The dataset name every statement carries (`--dataset`, else the format's default). */
  dataset: string;
  /** The file's name, for ids that must not collide across files. */
  fileName: string;
  /** Format options: the mapping of the `mapping` format. */
  options: Record<string, unknown>;
}

export interface EntityFormat {
  name: string;
  title: string;
  /** Where such files come from, for `lockstep entities formats` and the docs. */
  source: string;
  /** Dataset name used when the user gives none. */
  dataset: string;
  /** The text encoding this format's files use when they are not UTF-8 (FARA bulk: Windows-1252). */
  encoding?: string;
  /**
   * Keep each source record's text in `entity_records` (default true). False for FtM streams: a
   * line is one entity and its statements hold all of it, so keeping the line would store it twice.
   */
  keepRecords?: boolean;
  detect(probe: Probe): boolean;
  read(input: EntityInput, sink: RecordSink, ctx: ReadContext): Promise<void>;
}
