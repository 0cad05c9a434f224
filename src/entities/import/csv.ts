/**
 * CSV records for the entity importers, through the same streaming RFC 4180 parser posts use
 * (ingest/framing/csv.ts), plus one repair that public-record CSVs need: the DOJ FARA files quote
 * every field but do not double the quotes inside them (`"... Republic of China ("TITA")",...`).
 * When a record of such a file does not parse to the header's width, its raw text is split again on
 * the `","` separators between fully quoted fields; if that gives exactly the header's width the
 * record is kept, with a counted `repaired-quotes` warning, else it is rejected with the reason.
 */
import { CsvParser } from '../../ingest/framing/csv.js';
import type { DraftRecord, EntityInput, RecordSink } from './types.js';

export type RowMapper = (row: Record<string, string>, line: number, raw: string) => DraftRecord | null;

export interface CsvReadOptions {
  /** Called with the header; returns the mapper of each row (or throws a FormatError). */
  header(fields: string[]): RowMapper;
  /** Try the quote repair on rows of the wrong width (files that quote every field). */
  repairQuotes?: boolean;
  /** Keep rows with more fields than the header; the extra ones are named `_5`, `_6`, ... (1-based). */
  allowExtraColumns?: boolean;
  delimiter?: string;
}

const MAX_FIELD = 1 << 20;

/** Splits a record whose fields are all quoted on `","`, undoing doubled quotes; null when it is not such a record. */
export function splitQuotedRecord(raw: string): string[] | null {
  const text = raw.replace(/\r?\n$/, '').replace(/\r$/, '');
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') return null;
  return text
    .slice(1, -1)
    .split('","')
    .map((f) => f.replaceAll('""', '"'));
}

export async function readCsv(input: EntityInput, sink: RecordSink, options: CsvReadOptions): Promise<void> {
  if (input.kind !== 'text') throw new Error('readCsv needs a text input');
  const parser = new CsvParser({
    maxFieldChars: MAX_FIELD,
    maxRecordChars: 64 * MAX_FIELD,
    delimiter: options.delimiter,
  });
  let header: string[] | null = null;
  let mapper: RowMapper | null = null;
  const emit = (fields: string[], line: number, raw: string) => {
    const row: Record<string, string> = {};
    header!.forEach((h, i) => {
      row[h] = fields[i] ?? '';
    });
    for (let i = header!.length; i < fields.length; i++) row[`_${i + 1}`] = fields[i]!;
    let record: DraftRecord | null;
    try {
      record = mapper!(row, line, raw);
    } catch (err) {
      if ((err as Error).name === 'FormatError') throw err;
      sink.reject(line, `could not map the row: ${(err as Error).message}`, raw);
      return;
    }
    if (record) sink.record(record);
  };
  const repair = (line: number, raw: string, why: string) => {
    const fields = options.repairQuotes ? splitQuotedRecord(raw) : null;
    if (fields && fields.length === header!.length) {
      sink.warn(
        'repaired-quotes',
        'rows with unescaped quotes inside fields, read by splitting on "," between quoted fields',
        line,
      );
      emit(fields, line, raw);
      return;
    }
    const after = fields ? `; splitting on "," between quoted fields gives ${fields.length}` : '';
    sink.reject(line, `${why}${after}, expected ${header!.length} fields (unescaped quotes?)`, raw);
  };
  const csvSink = {
    record(fields: string[], line: number, text: string, start: number, end: number) {
      const raw = text.slice(start, end).replace(/\r?\n$/, '');
      if (!header) {
        header = fields.map((f) => f.replace(/^\ufeff/, '').trim());
        mapper = options.header(header);
        return;
      }
      if (
        fields.length === header.length ||
        (fields.length === header.length + 1 && fields.at(-1) === '') ||
        (options.allowExtraColumns && fields.length > header.length)
      )
        emit(fields, line, raw);
      else repair(line, raw, `${fields.length} fields`);
    },
    reject(reason: string, line: number, raw: string) {
      if (!header) {
        sink.reject(line, reason, raw);
        return;
      }
      repair(line, raw, reason);
    },
  };
  let rest = '';
  for await (const chunk of input.chunks) {
    const text = rest ? rest + chunk.text : chunk.text;
    const used = parser.parse(text, false, csvSink);
    rest = used < text.length ? text.slice(used) : '';
  }
  if (rest) parser.parse(rest, true, csvSink);
}

/** The first line of a CSV head, as fields (for format detection). */
export function headerOf(head: string): string[] {
  let fields: string[] = [];
  const first = head.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
  new CsvParser({ maxFieldChars: MAX_FIELD, maxRecordChars: MAX_FIELD }).parse(first, true, {
    record: (f) => {
      if (!fields.length) fields = f.map((x) => x.trim());
    },
    reject: () => {},
  });
  return fields;
}
