/**
 * The Lockstep error family. Every failure a user can cause or meet is one of these classes; each
 * carries a one-line message that says what to do and maps to a CLI exit code. Anything else that
 * reaches the CLI is a bug and is reported as such.
 *
 * Modelled on graphology's `GraphError` family: tests assert the class, never the wording.
 */
export class LockstepError extends Error {
  /** Process exit code used by the CLI. */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command or API was called wrongly (bad flag, bad option value). */
export class UsageError extends LockstepError {
  override readonly exitCode = 2;
}

/** An input file cannot be read as posts at all (missing, a directory, an image, empty, truncated). */
export class InputError extends LockstepError {
  override readonly exitCode = 3;
}

/** The input's format could not be recognised or does not fit the format asked for. */
export class FormatError extends LockstepError {
  override readonly exitCode = 4;
}

/** The investigation store cannot be opened or written (locked by another process, not a store). */
export class StoreError extends LockstepError {
  override readonly exitCode = 5;
}

/** The user interrupted the work (Ctrl-C); nothing half-done was kept. */
export class InterruptedError extends LockstepError {
  override readonly exitCode = 130;
}

/** Formats a byte count for messages: 1536 -> "1.5 KB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** What was asked for does not exist: a cluster, an account, a saved run (HTTP 404 in the workbench API). */
export class NotFoundError extends UsageError {}
