/** Options and state shared by the CLI commands. */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { FormatError, InputError, StoreError } from '../core/errors.js';
import { DEFAULT_STORE, Store, type StoreOptions } from '../store/store.js';

export const dbOption = () =>
  new Option('--db <path>', 'investigation store (a DuckDB file)').default(DEFAULT_STORE);

/** Aborted on Ctrl-C or SIGTERM: long work rolls back and stops. */
export const interrupt = new AbortController();

export function parseIntOption(name: string) {
  return (value: string): number => {
    const parsed = Number(value.replace(/[_,]/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`invalid ${name} "${value}": expecting a non-negative number`);
    return Math.round(parsed);
  };
}

/** A positive number (fractions allowed), e.g. `--max-field-mb 2.5`. */
export function parsePositiveOption(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${name} expects a positive number`);
    return parsed;
  };
}

/** Opens a store that must already exist (commands that read one never create it). */
export async function openExistingStore(path: string, options?: StoreOptions): Promise<Store> {
  if (!existsSync(path))
    throw new StoreError(
      `no store at ${path}; ingest some data first (lockstep ingest FILE) or choose one with --db`,
    );
  return Store.open(path, options);
}

/**
 * What a command that reads many files does when one fails: a file that cannot be read (InputError,
 * FormatError) is reported in one line naming it and the others go on, unless it is the only one;
 * anything else (store, usage, Ctrl-C) stops the command. Returns when the command may go on.
 */
export function skipBadFile(err: unknown, file: string, files: number, failures: string[]): void {
  if ((err instanceof InputError || err instanceof FormatError) && !err.message.includes(basename(file)))
    err.message = `${file}: ${err.message}`;
  if (!(err instanceof InputError || err instanceof FormatError) || files === 1) throw err;
  failures.push(file);
  process.stderr.write(`lockstep: ${err.message}\n`);
}

/** The closing line and exit code when some files of a many-file command failed. */
export function reportBadFiles(failures: string[], files: number, verb: string): void {
  if (!failures.length) return;
  process.stderr.write(`lockstep: ${failures.length} of ${files} files could not be ${verb} (see above)\n`);
  process.exitCode = 3;
}
