/**
 * Opening an input file: refusing what is not a post export with a one-line reason, undoing gzip,
 * choosing the text encoding, hashing the bytes (sha256, for provenance) and streaming decoded text
 * with byte positions for progress.
 */

import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { PassThrough, pipeline, Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createGunzip, gunzipSync } from 'node:zlib';
import { InputError } from '../core/errors.js';

export interface SourceInfo {
  path: string;
  name: string;
  /** Size on disk (compressed size for .gz). */
  bytes: number;
  gzip: boolean;
  /** Container kind sniffed from the first bytes. */
  container: 'text' | 'parquet';
  /** Encoding used to decode text (`utf-8` unless detected or asked otherwise). */
  encoding: string;
  /** The first decoded characters, for format detection. */
  head: string;
}

/** What to pass instead, for files that are not an export at all. */
const PASS_EXPORT = 'pass a CSV, JSON, JSONL or Parquet export of posts (gzip allowed)';

/** Magic numbers of files people drop on a tool by mistake, with what to do instead. */
const MAGIC: { bytes: number[]; what: string; hint: string; offset?: number }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image', hint: PASS_EXPORT },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image', hint: PASS_EXPORT },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image', hint: PASS_EXPORT },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document', hint: PASS_EXPORT },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'an old Microsoft Office file (.xls, .doc)',
    hint: 'save the sheet as CSV first',
  },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive', hint: 'unzip it and pass the files inside' },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed', hint: 'decompress it, or recompress it with gzip' },
  {
    bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a],
    what: 'xz-compressed',
    hint: 'decompress it, or recompress it with gzip',
  },
  {
    bytes: [0x28, 0xb5, 0x2f, 0xfd],
    what: 'zstd-compressed',
    hint: 'decompress it, or recompress it with gzip',
  },
  {
    bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65],
    what: 'an SQLite database',
    hint: 'export a table to CSV first',
  },
  // The DuckDB magic follows an 8-byte checksum.
  {
    bytes: [0x44, 0x55, 0x43, 0x4b],
    offset: 8,
    what: 'a DuckDB database',
    hint: 'to open a store, use --db',
  },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an executable program', hint: PASS_EXPORT },
];

const HEAD_BYTES = 256 * 1024;

function startsWith(buf: Uint8Array, bytes: number[], offset = 0): boolean {
  return bytes.every((b, i) => buf[offset + i] === b);
}

/** Length of an incomplete UTF-8 sequence at the end of `buf` (0-3 bytes). */
export function incompleteTail(buf: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Inspects a file and returns what it is, or throws an InputError that says what to do.
 * `encoding` forces a text encoding (any WHATWG label: `windows-1252`, `latin1`, `utf-16le`).
 */
export async function inspectSource(path: string, encoding?: string): Promise<SourceInfo> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    throw unreadable(path, err);
  }
  if (info.isDirectory())
    throw new InputError(`${path} is a directory; pass the files inside it (for example ${path}/*.csv)`);
  if (!info.isFile())
    throw new InputError(`${path} is not a regular file (a device or pipe); save the data to a file first`);
  if (info.size === 0)
    throw new InputError(`${path} is empty (0 bytes); nothing to ingest (check that the export finished)`);

  const raw = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
  try {
    const handle = await open(path, 'r');
    try {
      await handle.read(raw, 0, raw.length, 0);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw unreadable(path, err);
  }
  const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
  let head: Buffer = raw;
  if (gzip) {
    try {
      head = gunzipSync(raw, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate the cut-off end of the sample */ });
    } catch {
      throw new InputError(`${path}: gzip data is corrupt at the start; re-download or re-compress the file`);
    }
    if (head.length === 0) {
      // Nothing decompressed: an empty gzip file, or one cut off before its first block ended.
      let complete = false;
      try {
        complete = raw.length === info.size && gunzipSync(raw).length === 0;
      } catch {}
      throw new InputError(
        complete
          ? `${path} is an empty gzip file; nothing to ingest`
          : `${path}: gzip data is truncated or corrupt; nothing from this file was stored. Re-download or re-compress it`,
      );
    }
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    // ZIP containers of office documents: unzipping them helps nobody.
    const inside = head.subarray(0, 4096).toString('latin1');
    if (/\.(xlsx|ods)$/i.test(path) || /\bxl\/|opendocument\.spreadsheet/.test(inside))
      throw new InputError(
        `${path} is a spreadsheet workbook, not a post export; save the sheet as CSV first`,
      );
  }
  for (const m of MAGIC) {
    if (startsWith(head, m.bytes, m.offset))
      throw new InputError(`${path} is ${m.what}, not a post export; ${m.hint}`);
  }
  const name = basename(path);
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) {
    return { path, name, bytes: info.size, gzip, container: 'parquet', encoding: 'binary', head: '' };
  }
  const chosen = encoding ?? sniffEncoding(head, path);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(chosen);
  } catch {
    throw new InputError(
      `unknown encoding "${chosen}"; use a label such as utf-8, windows-1252, latin1 or utf-16le`,
    );
  }
  const text = decoder.decode(
    head.subarray(0, head.length - (chosen === 'utf-8' ? incompleteTail(head) : 0)),
  );
  if (text.trim() === '')
    throw new InputError(
      `${path} holds only blank space; nothing to ingest (check that the export finished)`,
    );
  if (/[\x00-\x08\x0e-\x1f]/.test(text.slice(0, 4096).replace(/\x1b/g, '')) && chosen === 'utf-8') {
    const binary = (text.slice(0, 4096).match(/[\x00-\x08\x0e-\x1f]/g) ?? []).length;
    if (binary > 8)
      throw new InputError(
        `${path} looks like a binary file, not text; pass a CSV, JSON or JSONL export (gzip allowed)`,
      );
  }
  return { path, name, bytes: info.size, gzip, container: 'text', encoding: chosen, head: text };
}

/** The encoding the bytes declare by a byte-order mark, or show by UTF-16's zero bytes; null otherwise. */
export function declaredEncoding(head: Uint8Array): string | null {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return 'utf-8';
  if (startsWith(head, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(head, [0xfe, 0xff])) return 'utf-16be';
  // UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
  const sample = head.subarray(0, Math.min(head.length, 512));
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? evenZero++ : oddZero++;
  if (oddZero > sample.length / 4 && evenZero === 0) return 'utf-16le';
  if (evenZero > sample.length / 4 && oddZero === 0) return 'utf-16be';
  return null;
}

function sniffEncoding(head: Buffer, path: string): string {
  const declared = declaredEncoding(head);
  if (declared) return declared;
  const body = head.subarray(0, head.length - incompleteTail(head));
  if (!isUtf8(body)) {
    const sample = body.subarray(0, 4096);
    let control = 0;
    for (const b of sample) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) control++;
    if (control > 8) throw new InputError(`${path} looks like a binary file, not text; ${PASS_EXPORT}`);
    const offset = firstInvalidUtf8(body);
    const byte = body[offset]!.toString(16).toUpperCase().padStart(2, '0');
    throw new InputError(
      `${path} is not UTF-8 (byte 0x${byte} at offset ${offset}); if it is Windows-1252 or Latin-1, pass --encoding windows-1252`,
    );
  }
  return 'utf-8';
}

/**
 * Offset of the first byte that starts an invalid UTF-8 sequence (`buf.length` when there is none).
 * One linear pass; each sequence is checked by `isUtf8`, so overlong forms and surrogates count too.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (need === 0 || i + need > buf.length || !isUtf8(buf.subarray(i, i + need))) return i;
    i += need;
  }
  return buf.length;
}

/** An InputError for a file that cannot be opened or read. */
function unreadable(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new InputError(
      `${path}: no such file; check the path (relative paths start in the current folder)`,
    );
  if (code === 'EACCES' || code === 'EPERM')
    return new InputError(
      `${path}: permission denied; make the file readable (chmod +r) or copy it elsewhere`,
    );
  return new InputError(
    `${path} cannot be read (${code ?? (err as Error).message}); check the file and try again`,
  );
}

export interface TextChunk {
  text: string;
  /** Bytes of the file on disk consumed so far (compressed bytes for .gz), for progress. */
  diskBytes: number;
}

export interface TextStream {
  chunks: AsyncIterable<TextChunk>;
  /** sha256 of the file's bytes on disk; complete once `chunks` is exhausted. */
  sha256(): string;
  /** Invalid byte sequences replaced by U+FFFD while decoding, with the first offset seen. */
  invalid: { count: number; firstOffset: number };
}

/** Streams the decoded text of a file inspected by `inspectSource`. */
export function readText(source: SourceInfo, chunkBytes = 4 * 1024 * 1024): TextStream {
  const hash = createHash('sha256');
  const invalid = { count: 0, firstOffset: -1 };
  let diskBytes = 0;
  async function* generate(): AsyncGenerator<TextChunk> {
    // Hash and count the bytes on disk before any decompression.
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        diskBytes += chunk.length;
        done(null, chunk);
      },
    });
    const file = createReadStream(source.path, { highWaterMark: chunkBytes });
    const bytes = new PassThrough({ highWaterMark: chunkBytes });
    // Errors anywhere (read failure, corrupt gzip) reach the consumer through `bytes`.
    const failed = (err: Error | null) => {
      if (err) bytes.destroy(err);
    };
    if (source.gzip) pipeline(file, meter, createGunzip({ chunkSize: 1024 * 1024 }), bytes, failed);
    else pipeline(file, meter, bytes, failed);
    const utf8 = source.encoding === 'utf-8';
    const decoder = new TextDecoder(source.encoding);
    let carry: Buffer | null = null;
    let decoded = 0;
    try {
      for await (const chunk of bytes as AsyncIterable<Buffer>) {
        let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
        if (utf8) {
          const tail = incompleteTail(buf);
          carry = tail ? Buffer.from(buf.subarray(buf.length - tail)) : null;
          buf = tail ? buf.subarray(0, buf.length - tail) : buf;
          if (!isUtf8(buf)) noteInvalid(buf, decoded);
        }
        decoded += buf.length;
        const text = decoder.decode(buf, { stream: !utf8 });
        if (text.length > 0) yield { text, diskBytes };
      }
      const rest = (carry ? decoder.decode(carry) : '') + decoder.decode();
      if (carry && utf8) noteInvalid(carry, decoded);
      if (rest.length > 0) yield { text: rest, diskBytes };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (
        source.gzip &&
        (code === 'Z_BUF_ERROR' ||
          code === 'Z_DATA_ERROR' ||
          /unexpected end|incorrect header|invalid/i.test(String(err)))
      ) {
        throw new InputError(
          `${source.path}: gzip data is truncated or corrupt after ${decoded.toLocaleString('en')} decompressed bytes; nothing from this file was stored. Re-download or re-compress it`,
        );
      }
      throw err;
    } finally {
      bytes.destroy();
    }
  }
  function noteInvalid(buf: Buffer, offset: number) {
    const text = new TextDecoder('utf-8').decode(buf);
    const original = (buf.toString('latin1').match(/\xef\xbf\xbd/g) ?? []).length;
    const replaced = (text.match(/\uFFFD/g) ?? []).length - original;
    if (replaced <= 0) return;
    // The offset of the first bad byte itself, not of the chunk holding it.
    if (invalid.firstOffset < 0)
      invalid.firstOffset = offset + Math.min(firstInvalidUtf8(buf), buf.length - 1);
    invalid.count += replaced;
  }
  let digest: string | undefined;
  return { chunks: generate(), sha256: () => (digest ??= hash.digest('hex')), invalid };
}
