/**
 * A staging CSV written in pieces and handed to DuckDB's reader in batches (appending value by value
 * through the Node bindings costs about 20 µs a value; see docs/architecture.md). Every text value
 * is quoted; null is an unquoted empty field, which DuckDB reads back as NULL.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH = 1 << 20;

export class StagingFile {
  private fd: number | null = null;
  private buffer = '';
  private part = 0;
  private current = '';
  private rows = 0;

  constructor(private readonly base: string) {}

  /** Appends one record. */
  line(values: readonly (string | null)[]): void {
    let out = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (i) out += ',';
      if (v === null || v === undefined) continue;
      out += v.indexOf('"') >= 0 ? `"${v.replaceAll('"', '""')}"` : `"${v}"`;
    }
    this.buffer += `${out}\n`;
    this.rows++;
    if (this.buffer.length >= FLUSH) this.flush();
  }

  private flush(): void {
    if (this.fd === null) {
      this.current = `${this.base}.${++this.part}`;
      this.fd = openSync(this.current, 'w');
    }
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  /** Closes the current file and returns its path, or null when nothing was written since the last take. */
  take(): string | null {
    if (this.rows === 0) return null;
    this.flush();
    closeSync(this.fd!);
    this.fd = null;
    this.rows = 0;
    return this.current;
  }
}
