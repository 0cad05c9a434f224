/**
 * A streaming RFC 4180 CSV parser that never gives up on a file because of one bad row.
 *
 * It is fed decoded text in chunks and calls back once per record with the fields and the physical
 * line the record starts on (1-based, counting the header), or once per unreadable record with a
 * reason. After an unreadable record it resynchronises at the next physical line, so a stray quote
 * costs one row, not the rest of the file. Lenient where common writers are lenient: a quote inside
 * an unquoted field is literal, `\r\n` and `\n` both end a record, blank lines are skipped.
 */

export interface CsvOptions {
  delimiter?: string;
  /** Longest field accepted, in characters; longer fields reject their row. */
  maxFieldChars: number;
  /** Longest record accepted; a quoted field still open after this many characters is malformed. */
  maxRecordChars: number;
}

export interface CsvSink {
  record(fields: string[], line: number, text: string, start: number, end: number): void;
  reject(reason: string, line: number, raw: string): void;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvParser {
  private readonly delim: string;
  private readonly delimCode: number;
  /** Line number of the next unconsumed character. */
  line = 1;

  constructor(private readonly options: CsvOptions) {
    this.delim = options.delimiter ?? ',';
    this.delimCode = this.delim.charCodeAt(0);
  }

  /**
   * Parses complete records from `text`; returns the offset of the first character not consumed
   * (the start of an incomplete record, to be prepended to the next chunk). With `final`, everything
   * is consumed.
   */
  parse(text: string, final: boolean, sink: CsvSink): number {
    let pos = 0;
    const len = text.length;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === LF) {
        pos++;
        this.line++;
        continue;
      }
      if (c === CR && (pos + 1 >= len ? final : text.charCodeAt(pos + 1) === LF)) {
        pos += pos + 1 < len ? 2 : 1;
        this.line++;
        continue;
      }
      const next = this.parseRecord(text, pos, final, sink);
      if (next < 0) {
        // Incomplete record: keep it for the next chunk unless it is already too long to be real.
        if (len - pos > this.options.maxRecordChars) {
          pos = this.resync(
            text,
            pos,
            final,
            sink,
            `unterminated quoted field: no closing quote within ${this.options.maxRecordChars.toLocaleString('en')} characters`,
          );
          if (pos < 0) return len;
          continue;
        }
        return pos;
      }
      pos = next;
    }
    return len;
  }

  /** Rejects the record starting at `start` and resumes after its first physical line. */
  private resync(text: string, start: number, final: boolean, sink: CsvSink, reason: string): number {
    const nl = text.indexOf('\n', start);
    if (nl < 0 && !final) return -1;
    const end = nl < 0 ? text.length : nl + 1;
    sink.reject(reason, this.line, text.slice(start, nl < 0 ? end : nl).replace(/\r$/, ''));
    this.line++;
    return end;
  }

  /** Parses one record at `start`; returns the offset after it, or -1 when more text is needed. */
  private parseRecord(text: string, start: number, final: boolean, sink: CsvSink): number {
    const len = text.length;
    const delim = this.delim;
    const maxField = this.options.maxFieldChars;
    const fields: string[] = [];
    let newlines = 0;
    let pos = start;
    let nl = text.indexOf('\n', pos);
    if (nl < 0 && !final) return -1;
    if (nl < 0) nl = len;
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        // Quoted field: find the closing quote, skipping doubled quotes.
        let q = pos + 1;
        let doubled = false;
        for (;;) {
          q = text.indexOf('"', q);
          if (q < 0) {
            if (!final) return -1;
            return this.resync(
              text,
              start,
              true,
              sink,
              'unterminated quoted field: the file ends inside quotes',
            );
          }
          if (q + 1 >= len && !final) return -1;
          if (text.charCodeAt(q + 1) === QUOTE) {
            doubled = true;
            q += 2;
            continue;
          }
          break;
        }
        let value = text.slice(pos + 1, q);
        if (doubled) value = value.replaceAll('""', '"');
        if (value.length > maxField) {
          return this.rejectRecord(
            text,
            start,
            q,
            final,
            sink,
            fieldTooLong(`${fields.length + 1}`, value.length, maxField),
          );
        }
        let k = value.indexOf('\n');
        while (k >= 0) {
          newlines++;
          k = value.indexOf('\n', k + 1);
        }
        fields.push(value);
        pos = q + 1;
        const after = pos < len ? text.charCodeAt(pos) : -1;
        if (after === this.delimCode) {
          pos++;
          if (nl < pos) {
            nl = text.indexOf('\n', pos);
            if (nl < 0) {
              if (!final) return -1;
              nl = len;
            }
          }
          continue;
        }
        if (after === LF || after === -1)
          return this.emit(fields, start, after === LF ? pos + 1 : pos, newlines, text, sink);
        if (after === CR && (pos + 1 >= len || text.charCodeAt(pos + 1) === LF)) {
          if (pos + 1 >= len && !final) return -1;
          return this.emit(fields, start, Math.min(pos + 2, len), newlines, text, sink);
        }
        // A quoted field that ran past the end of its line and then "closed" on a quote followed by
        // text is an unterminated quote that swallowed the rows after it: reject the record's first
        // line only and resume on the next, so the rows it swallowed are read on their own.
        if (value.includes('\n'))
          return this.resync(
            text,
            start,
            final,
            sink,
            `malformed quoting in field ${fields.length}: a quote opened on this line is not closed on it (unterminated quote)`,
          );
        return this.rejectRecord(
          text,
          start,
          pos,
          final,
          sink,
          `malformed quoting in field ${fields.length}: text after the closing quote`,
        );
      }
      // Unquoted field: ends at the next delimiter or at the end of the line.
      if (nl < pos) {
        nl = text.indexOf('\n', pos);
        if (nl < 0) {
          if (!final) return -1;
          nl = len;
        }
      }
      const d = text.indexOf(delim, pos);
      if (d >= 0 && d < nl) {
        if (d - pos > maxField)
          return this.rejectRecord(
            text,
            start,
            d,
            final,
            sink,
            fieldTooLong(`${fields.length + 1}`, d - pos, maxField),
          );
        fields.push(text.slice(pos, d));
        pos = d + 1;
        continue;
      }
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === CR) end--;
      if (end - pos > maxField)
        return this.rejectRecord(
          text,
          start,
          end,
          final,
          sink,
          fieldTooLong(`${fields.length + 1}`, end - pos, maxField),
        );
      fields.push(text.slice(pos, end));
      return this.emit(fields, start, nl < len ? nl + 1 : len, newlines, text, sink);
    }
  }

  private emit(
    fields: string[],
    start: number,
    end: number,
    newlines: number,
    text: string,
    sink: CsvSink,
  ): number {
    sink.record(fields, this.line, text, start, end);
    this.line += newlines + (text.charCodeAt(end - 1) === LF ? 1 : 0);
    return end;
  }

  /**
   * Rejects a record whose problem was found at `at`. The raw text kept is the record up to the end of
   * the physical line holding `at`; parsing resumes there.
   */
  private rejectRecord(
    text: string,
    start: number,
    at: number,
    final: boolean,
    sink: CsvSink,
    reason: string,
  ): number {
    const nl = text.indexOf('\n', at);
    if (nl < 0 && !final) return -1;
    const end = nl < 0 ? text.length : nl + 1;
    const raw = text.slice(start, nl < 0 ? end : nl).replace(/\r$/, '');
    let lines = 0;
    for (let k = raw.indexOf('\n'); k >= 0; k = raw.indexOf('\n', k + 1)) lines++;
    sink.reject(reason, this.line, raw);
    this.line += lines + (nl < 0 ? 0 : 1);
    return end;
  }
}

/** Reason for a row with a field over the limit (`field` is its number or, in JSON, its key path). */
export function fieldTooLong(field: string, length: number, max: number): string {
  const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;
  return `field ${field} is ${mb(length)} long, over the ${mb(max)} limit (raise it with --max-field-mb)`;
}
