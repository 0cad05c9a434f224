/**
 * Opening an entity file: gzip and ZIP undone, the text encoding chosen (UTF-8, UTF-16 with or
 * without a byte-order mark, and Windows-1252 for files that are not valid UTF-8, as the DOJ FARA
 * bulk files are), the sha256 of the bytes on disk for provenance.
 *
 * Text files stream through `ingest/source.ts` (the same reader posts use). ZIP archives (the
 * Senate's LDA bulk downloads) are small and read whole: the central directory lists the members,
 * each is inflated with zlib (PKWARE APPNOTE 4.3.12 for the directory, 4.4.5 for methods 0 and 8).
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { TextDecoder } from 'node:util';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { InputError } from '../../core/errors.js';
import { declaredEncoding, incompleteTail, inspectSource, readText } from '../../ingest/source.js';
import type { EntityInput, Probe } from './types.js';

export interface OpenedSource {
  path: string;
  name: string;
  bytes: number;
  gzip: boolean;
  probe: Probe;
  encoding: string;
  /** The input to read; call once. */
  input(): EntityInput;
  /** sha256 of the file on disk; complete once the input has been read. */
  sha256(): string;
}

const HEAD = 256 * 1024;

/** Chooses an encoding: a byte-order mark or UTF-16's zero bytes, else UTF-8 when valid, else Windows-1252. */
export function sniffEncoding(bytes: Uint8Array): string {
  return (
    declaredEncoding(bytes) ??
    (isUtf8(bytes.subarray(0, bytes.length - incompleteTail(bytes))) ? 'utf-8' : 'windows-1252')
  );
}

export async function openEntitySource(path: string, encoding?: string): Promise<OpenedSource> {
  // inspectSource refuses directories, empty files, images and the like with a one-line reason;
  // ZIP archives and non-UTF-8 text are handled here first.
  let head: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(Math.min(HEAD, fstatSync(fd).size));
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    await inspectSource(path); // throws the right one-line error (missing, a directory, ...)
    throw new InputError(`${path} cannot be read; check the file and try again`);
  }
  if (head.length === 0) await inspectSource(path); // "empty (0 bytes)"
  const name = basename(path);
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  let body = head;
  if (gzip) {
    try {
      body = gunzipSync(head, { finishFlush: 2 });
    } catch {
      throw new InputError(`${path}: gzip data is corrupt at the start; re-download or re-compress the file`);
    }
  }
  if (body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04)
    return openZip(path, gzip);
  const chosen = encoding ?? sniffEncoding(body);
  const source = await inspectSource(path, chosen);
  const stream = readText(source);
  return {
    path,
    name,
    bytes: source.bytes,
    gzip: source.gzip,
    encoding: chosen,
    probe: { name, head: source.head.replace(/^\ufeff/, ''), container: 'text', members: [] },
    input: () => ({ kind: 'text', name, chunks: stream.chunks }),
    sha256: () => stream.sha256(),
  };
}

function openZip(path: string, gzip: boolean): OpenedSource {
  const onDisk = readFileSync(path);
  const sha = createHash('sha256').update(onDisk).digest('hex');
  const data = gzip ? gunzipSync(onDisk) : onDisk;
  const members = readZip(data, path).map((m) => {
    const enc = sniffEncoding(m.bytes);
    let text = new TextDecoder(enc).decode(m.bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { name: m.name, text };
  });
  const name = basename(path);
  return {
    path,
    name,
    bytes: onDisk.length,
    gzip,
    encoding: 'zip',
    probe: {
      name,
      head: members[0]?.text.slice(0, HEAD) ?? '',
      container: 'zip',
      members: members.map((m) => m.name),
    },
    input: () => ({ kind: 'zip', name, members }),
    sha256: () => sha,
  };
}

/** The file members of a ZIP archive, inflated. */
export function readZip(data: Buffer, path: string): { name: string; bytes: Buffer }[] {
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 65_557); i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw new InputError(`${path}: ZIP archive is truncated (no central directory); re-download it`);
  const count = data.readUInt16LE(eocd + 10);
  let offset = data.readUInt32LE(eocd + 16);
  const out: { name: string; bytes: Buffer }[] = [];
  for (let k = 0; k < count; k++) {
    if (data.readUInt32LE(offset) !== 0x02014b50)
      throw new InputError(`${path}: ZIP central directory is corrupt; re-download it`);
    const method = data.readUInt16LE(offset + 10);
    const compressed = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const local = data.readUInt32LE(offset + 42);
    const name = data.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const raw = data.subarray(start, start + compressed);
    let bytes: Buffer;
    if (method === 0) bytes = raw;
    else if (method === 8) bytes = inflateRawSync(raw);
    else
      throw new InputError(
        `${path}: member ${name} uses ZIP compression method ${method}; unzip it and import the files inside`,
      );
    out.push({ name, bytes });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
