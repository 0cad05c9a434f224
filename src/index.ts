/**
 * Lockstep's library API: everything the CLI does is a call here, so every capability is scriptable.
 *
 * ```ts
 * import { openStore, ingestFile, storeStatus, simulate } from 'lockstep';
 *
 * const corpus = simulate({ out: 'sim', posts: 100_000, seed: 1 });
 * const store = await openStore('investigation.duckdb');
 * const report = await ingestFile(store, corpus.files[0]);
 * console.log(report.rowsStored, (await storeStatus(store)).posts);
 * store.close();
 * ```
 */
export {
  FormatError,
  formatBytes,
  InputError,
  InterruptedError,
  LockstepError,
  StoreError,
  UsageError,
} from './core/errors.js';
export type { PostKind, RawAccount, RawPost } from './core/types.js';
export { VERSION } from './core/version.js';
export { type ColumnMapping, loadMapping, MAPPABLE_FIELDS } from './ingest/formats/generic.js';
export { FORMATS, findFormat, formatNames } from './ingest/formats/index.js';
export type { FormatAdapter, FormatContext, RowSink } from './ingest/formats/types.js';
export { normalizeLang } from './ingest/normalize/lang.js';
export { normalizeTag, normalizeText } from './ingest/normalize/text.js';
export { parseTimestamp, zoneResolver } from './ingest/normalize/time.js';
export { canonicalUrl } from './ingest/normalize/url.js';
export { type IngestOptions, type IngestProgress, type IngestReport, ingestFile } from './ingest/pipeline.js';
export {
  DEFAULTS as SIMULATION_DEFAULTS,
  resolveConfig,
  SCENARIOS,
  type SimulateOptions,
  type SimulationConfig,
  type SimulationResult,
  simulate,
} from './simulate/index.js';
export { listRejects, type RejectRow, type StoreStatus, storeStatus } from './store/status.js';
export { DEFAULT_STORE, Store, type StoreOptions } from './store/store.js';

import { Store, type StoreOptions } from './store/store.js';

/** Opens (or creates) an investigation store. */
export function openStore(path?: string, options?: StoreOptions): Promise<Store> {
  return Store.open(path, options);
}
