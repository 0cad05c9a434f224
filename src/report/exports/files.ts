/**
 * Writing export files so that a reader never sees half a file: the text goes to a temporary file
 * beside the target (same folder, so the same file system), is flushed to disk, then renamed over
 * the target: rename(2) replaces it in one step. An interrupted export leaves the previous file, or
 * none, never a truncated one. Content may be one string or a sequence of pieces, written as they
 * come, so a large graph never has to exist as one string.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../core/errors.js';

/** Pieces are gathered up to this many characters before each write. */
const WRITE_CHARS = 1 << 20;

const fsCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** Creates a folder and its parents; throws `UsageError` when it cannot be created. */
export function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(
      `cannot create the folder ${dir} (${fsCode(error) ?? String(error)}); choose another location`,
    );
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Writes `content` as UTF-8 to `path` atomically, creating the parent folders; returns `path`. File
 * system failures become `UsageError`; an error thrown while producing the content is rethrown as
 * is, and leaves nothing behind.
 */
export function writeFileAtomic(path: string, content: string | Iterable<string>): string {
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    // Does not exist yet: the usual case.
  }
  if (isFolder) throw new UsageError(`${path} is a folder; give a file path for the export`);
  const dir = dirname(path);
  ensureFolder(dir);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx');
    if (typeof content === 'string') writeAll(fd, content);
    else {
      let pending: string[] = [];
      let size = 0;
      for (const piece of content) {
        pending.push(piece);
        size += piece.length;
        if (size >= WRITE_CHARS) {
          writeAll(fd, pending.join(''));
          pending = [];
          size = 0;
        }
      }
      writeAll(fd, pending.join(''));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    const code = fsCode(error);
    if (code) throw new UsageError(`cannot write ${path} (${code}); choose a writable location`);
    throw error;
  }
  return path;
}
