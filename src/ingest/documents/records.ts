/**
 * Records of a document file (JSON Lines, a JSON array, CSV or Parquet) cut out of the stream with
 * the ingest's own framing (ingest/framing/), each handed over as a plain object with its physical
 * line. Framing is chosen as for generic post files (generic.ts `framingFor`, `delimiter`).
 */
import { InputError } from '../../core/errors.js';
import { generic } from '../formats/generic.js';
import { CsvParser } from '../framing/csv.js';
import { JsonScanner } from '../framing/json.js';
import { readParquetRows, sha256File } from '../framing/parquet.js';
import { readText, type SourceInfo } from '../source.js';

export interface RecordSink {
  /** One record: its fields by column name (CSV) or its parsed value (JSON), and how to show it raw. */
  record(value: Record<string, unknown>, line: number, raw: () => string): void;
  /** A record that cannot be read (broken quoting, invalid JSON, a wrong field count). */
  reject(line: number, reason: string, raw: string): void;
  /** After each chunk: bytes of the file consumed, for progress and interruption. */
  progress(diskBytes: number): void;
}

export type DocumentFraming = 'csv' | 'jsonl' | 'json' | 'parquet';

export function framingOf(source: SourceInfo): DocumentFraming {
  return generic.framingFor!(source) as DocumentFraming;
}

/** Reads every record of `source`; returns the file's sha256 and the count of invalid UTF-8 sequences. */
export async function readRecords(
  source: SourceInfo,
  sink: RecordSink,
  maxFieldChars: number,
): Promise<{ sha256: string; invalidUtf8: number }> {
  const framing = framingOf(source);
  if (framing === 'parquet') {
    const sha256 = await sha256File(source.path);
    await readParquetRows(source.path, (row, line, total) => {
      sink.record(row, line, () => JSON.stringify(row));
      if (line % 10_000 === 0 || line === total) sink.progress(Math.round((source.bytes * line) / total));
    });
    return { sha256, invalidUtf8: 0 };
  }
  const stream = readText(source);
  const maxRecordChars = Math.max(maxFieldChars * 8, 64 * 1024 * 1024);
  if (framing === 'csv') {
    const parser = new CsvParser({ maxFieldChars, maxRecordChars, delimiter: generic.delimiter!(source) });
    let header: string[] | null = null;
    let rest = '';
    const csvSink = {
      record(fields: string[], line: number, text: string, start: number, end: number) {
        if (!header) {
          header = fields.map((f) => f.trim().replace(/^\ufeff/, ''));
          return;
        }
        const raw = () => text.slice(start, end).replace(/\r?\n$/, '');
        const trailingEmpty = fields.length === header.length + 1 && fields[header.length] === '';
        if (fields.length !== header.length && !trailingEmpty) {
          sink.reject(line, `expected ${header.length} fields, found ${fields.length}`, raw());
          return;
        }
        const value: Record<string, unknown> = {};
        header.forEach((h, i) => {
          if (h) value[h] = fields[i] === '' ? null : fields[i];
        });
        sink.record(value, line, raw);
      },
      reject(reason: string, line: number, raw: string) {
        sink.reject(line, reason, raw);
      },
    };
    for await (const chunk of stream.chunks) {
      const text = rest ? rest + chunk.text : chunk.text;
      const used = parser.parse(text, false, csvSink);
      rest = used < text.length ? text.slice(used) : '';
      sink.progress(chunk.diskBytes);
    }
    if (rest) parser.parse(rest, true, csvSink);
    if (!header) throw new InputError(`${source.name} has no header line`);
  } else if (framing === 'jsonl') {
    let rest = '';
    let line = 1;
    const handle = (body: string, at: number) => {
      const s = body.trim();
      if (s === '') return;
      let value: unknown;
      try {
        value = JSON.parse(s);
      } catch (err) {
        sink.reject(at, `invalid JSON: ${(err as Error).message}`, s);
        return;
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        sink.reject(at, 'not a JSON object', s);
        return;
      }
      sink.record(value as Record<string, unknown>, at, () => s);
    };
    for await (const chunk of stream.chunks) {
      const text = rest ? rest + chunk.text : chunk.text;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        handle(text.slice(start, nl), line++);
        start = nl + 1;
      }
      rest = text.slice(start);
      if (rest.length > maxRecordChars)
        throw new InputError(
          `${source.name}: line ${line} is longer than ${maxRecordChars.toLocaleString('en')} characters`,
        );
      sink.progress(chunk.diskBytes);
    }
    if (rest) handle(rest, line);
  } else {
    const scanner = new JsonScanner(null);
    const jsonSink = {
      element(value: unknown, line: number) {
        if (!value || typeof value !== 'object' || Array.isArray(value))
          sink.reject(line, 'not a JSON object', JSON.stringify(value).slice(0, 4096));
        else sink.record(value as Record<string, unknown>, line, () => JSON.stringify(value));
      },
      reject(reason: string, line: number, raw: string) {
        sink.reject(line, reason, raw);
      },
    };
    for await (const chunk of stream.chunks) {
      scanner.feed(chunk.text, false, jsonSink);
      sink.progress(chunk.diskBytes);
    }
    scanner.feed('', true, jsonSink);
  }
  return { sha256: stream.sha256(), invalidUtf8: stream.invalid.count };
}
