/**
 * Streaming extraction of records from one large JSON document, so that a multi-gigabyte Telegram
 * export or an array of X API pages never has to be parsed (or held) whole.
 *
 * The scanner walks the text once, tracking nesting, and cuts out the elements of every array held
 * under `arrayKey` (at any depth), or of the top-level array when `arrayKey` is null. Each element
 * is parsed on its own and handed over with the scalar fields of its enclosing objects seen so far
 * (a Telegram chat's `name`, `type` and `id`, which precede its `messages`). A top-level object
 * with no matching array is handed over whole.
 */

export interface JsonElementSink {
  /** `rawLength`: characters of the element's JSON text. */
  element(value: unknown, line: number, context: Record<string, unknown>, rawLength: number): void;
  reject(reason: string, line: number, raw: string): void;
}

interface Frame {
  kind: 'object' | 'array';
  /** Key under which this container sits in its parent object. */
  key: string | null;
  /** Scalars of this object seen so far. */
  scalars: Record<string, unknown>;
  expectKey: boolean;
  pendingKey: string | null;
  /** True when this array's elements are records. */
  target: boolean;
}

const WS = new Set([32, 9, 10, 13]);

export class JsonScanner {
  private stack: Frame[] = [];
  private line = 1;
  /** Records found, to decide at the end whether a lone top-level object is itself the record. */
  found = 0;
  private topLevelStart = -1;
  private done = false;
  private trailing = false;
  /** Set when the text ended inside a value (already rejected). */
  truncated = false;

  constructor(private readonly arrayKey: string | null) {}

  private buf = '';
  private pos = 0;

  /** Feeds the next chunk of the document (`final` on the last one). */
  feed(chunk: string, final: boolean, sink: JsonElementSink): void {
    this.buf = this.buf.length ? this.buf + chunk : chunk;
    this.pos = this.scan(this.buf, this.pos, final, sink);
    // Drop what is consumed, except a top-level object that may turn out to be the record itself.
    const wholeDocument = this.arrayKey === null && this.found === 0 && this.stack[0]?.kind === 'object';
    const keep = wholeDocument && this.topLevelStart >= 0 ? this.topLevelStart : this.pos;
    if (keep > 0) {
      this.buf = this.buf.slice(keep);
      this.pos -= keep;
      if (this.topLevelStart >= 0) this.topLevelStart -= keep;
    }
  }

  /** Characters held in memory (a whole top-level object is held until it closes). */
  get buffered(): number {
    return this.buf.length;
  }

  /** Scans from `start`; returns the offset of the first character not consumed. */
  private scan(text: string, start: number, final: boolean, sink: JsonElementSink): number {
    let pos = start;
    const len = text.length;
    while (pos < len && !this.done) {
      const c = text.charCodeAt(pos);
      if (WS.has(c)) {
        if (c === 10) this.line++;
        pos++;
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      if (top?.target && c !== 93 /* ] */ && c !== 44 /* , */) {
        // An element of a record array: cut it out whole.
        const end = valueEnd(text, pos);
        if (end < 0) {
          if (!final) return pos;
          sink.reject(
            'the file ends inside a JSON value (truncated?)',
            this.line,
            text.slice(pos, pos + 2000),
          );
          this.truncated = true;
          return len;
        }
        const raw = text.slice(pos, end);
        const startLine = this.line;
        this.line += countNewlines(raw);
        this.found++;
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch (err) {
          sink.reject(`invalid JSON: ${(err as Error).message}`, startLine, raw);
          pos = end;
          continue;
        }
        sink.element(value, startLine, this.context(), raw.length);
        pos = end;
        continue;
      }
      switch (c) {
        case 123: // {
        case 91: {
          // [
          const key = top && top.kind === 'object' ? top.pendingKey : null;
          const isArray = c === 91;
          if (this.stack.length === 0) this.topLevelStart = pos;
          const target =
            isArray && (this.arrayKey === null ? this.stack.length === 0 : key === this.arrayKey);
          this.stack.push({
            kind: isArray ? 'array' : 'object',
            key,
            scalars: {},
            expectKey: !isArray,
            pendingKey: null,
            target,
          });
          pos++;
          break;
        }
        case 125: // }
        case 93: {
          // ]
          this.stack.pop();
          const parent = this.stack[this.stack.length - 1];
          if (parent?.kind === 'object') {
            parent.pendingKey = null;
            parent.expectKey = false;
          }
          pos++;
          if (this.stack.length === 0) {
            this.finishTopLevel(text, pos, sink);
            this.done = true;
          }
          break;
        }
        case 44: // ,
          if (top?.kind === 'object') top.expectKey = true;
          pos++;
          break;
        case 58: // :
          pos++;
          break;
        default: {
          if (!top) {
            sink.reject('not a JSON document: expected { or [', this.line, text.slice(pos, pos + 200));
            this.done = true;
            return len;
          }
          // A scalar: a key (in an object expecting one) or a value.
          const end = valueEnd(text, pos);
          // Cut inside a value outside any record: no row is lost; the caller warns of truncation.
          if (end < 0) return final ? len : pos;
          const raw = text.slice(pos, end);
          this.line += countNewlines(raw);
          if (top.kind === 'object' && top.expectKey) {
            top.pendingKey = JSON.parse(raw) as string;
            top.expectKey = false;
          } else if (top.kind === 'object' && top.pendingKey !== null) {
            if (raw.length < 4096) {
              try {
                top.scalars[top.pendingKey] = JSON.parse(raw);
              } catch {
                /* malformed scalars outside records are ignored: they carry no posts */
              }
            }
            top.pendingKey = null;
          }
          pos = end;
        }
      }
    }
    if (this.done && !this.trailing && /\S/.test(text.slice(pos, pos + 4096))) {
      // Content after the top-level value (concatenated documents): not read, so kept as a reject.
      this.trailing = true;
      const at = pos + text.slice(pos).search(/\S/);
      sink.reject(
        'content after the end of the JSON document was not read (several documents in one file? use JSON Lines)',
        this.line,
        text.slice(at, at + 65536),
      );
    }
    return this.done ? len : pos;
  }

  /** Whether the document was complete (its top-level value closed). */
  get complete(): boolean {
    return this.done;
  }

  private context(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const frame of this.stack) Object.assign(out, frame.scalars);
    return out;
  }

  /** A top-level object with no record arrays is one record itself (a single X API page). */
  private finishTopLevel(text: string, end: number, sink: JsonElementSink): void {
    if (this.arrayKey !== null || this.found > 0 || this.topLevelStart < 0) return;
    const raw = text.slice(this.topLevelStart, end);
    try {
      sink.element(JSON.parse(raw), 1, {}, raw.length);
      this.found++;
    } catch (err) {
      sink.reject(`invalid JSON: ${(err as Error).message}`, 1, raw.slice(0, 2000));
    }
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) n++;
  return n;
}

/** End offset (exclusive) of the JSON value starting at `pos`, or -1 when the text ends first. */
function valueEnd(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (c === 34) return stringEnd(text, pos);
  if (c === 123 || c === 91) {
    let depth = 0;
    let i = pos;
    const len = text.length;
    while (i < len) {
      const ch = text.charCodeAt(i);
      if (ch === 34) {
        const e = stringEnd(text, i);
        if (e < 0) return -1;
        i = e;
        continue;
      }
      if (ch === 123 || ch === 91) depth++;
      else if (ch === 125 || ch === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // number, true, false, null: up to the next delimiter
  let i = pos;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 44 || ch === 125 || ch === 93 || ch === 58 || WS.has(ch)) return i;
    i++;
  }
  return -1;
}

function stringEnd(text: string, pos: number): number {
  let i = pos + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; k > pos && text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}
