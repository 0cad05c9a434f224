import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type IngestOptions, type IngestReport, ingestFile } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/store.js';

/** Where the shared evaluation data lives (beside the checkout). */
export const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** A scratch folder removed after the test file. */
export function scratch(): {
  dir: string;
  file(name: string, content: string | Buffer, gzip?: boolean): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-test-'));
  return {
    dir,
    file(name, content, gzip = false) {
      const path = join(dir, name);
      writeFileSync(path, gzip ? gzipSync(content) : content);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a fresh store in `dir`, ingests `file`, returns the report and the open store. */
export async function ingestInto(
  dir: string,
  file: string,
  options: IngestOptions = {},
  storeName = 'test.duckdb',
): Promise<{ store: Store; report: IngestReport }> {
  const store = await Store.open(join(dir, storeName), { memoryLimit: '1GB', threads: 2 });
  const report = await ingestFile(store, file, options);
  return { store, report };
}

/** Asserts the reconciliation identity every ingest must satisfy. */
export function reconciles(r: IngestReport): boolean {
  return r.rowsRead === r.rowsStored + r.rowsDuplicate + r.rowsRejected;
}
