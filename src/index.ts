/**
 * Lockstep's library API: everything the CLI does is a call here, so every capability is scriptable.
 *
 * ```ts
 * import { openStore, ingestFile, ingestDocuments, detect, fingerprintClusters, amplification, clusterSet, traceEchoes, simulate, writeExports } from 'lockstep';
 *
 * const corpus = simulate({ out: 'sim', posts: 100_000, seed: 1 });
 * const store = await openStore('investigation.duckdb');
 * const report = await ingestFile(store, corpus.files[0]);
 * const result = await fingerprintClusters(store, await detect(store));
 * console.log(report.rowsStored, result.clusters.map((c) => [c.id, c.size, c.fingerprint.rhythm.offset.label]));
 * const manufactured = await amplification(store, { sets: result.clusters.map(clusterSet), top: 10 });
 * writeExports(result, { gexf: 'clusters.gexf', csvDir: 'tables' });
 * await ingestDocuments(store, 'statements.jsonl');
 * const echoes = await traceEchoes(store, { sets: result.clusters.map(clusterSet) });
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
export { DETECT_DEFAULTS, type DetectHooks, type DetectOptions, detect } from './detect/index.js';
export { isFlagged, loadDetection, type SavedDetection, saveDetection } from './detect/saved.js';
export type * from './detect/types.js';
export {
  ECHO_DEFAULTS,
  type EchoHooks,
  type EchoInput,
  type EchoOptions,
  traceEchoes,
} from './echo/index.js';
export { compareTexts, type LexicalMatch } from './echo/lexical.js';
export { lagText } from './echo/precedence.js';
export { RankIndex } from './echo/rank.js';
export { HttpEmbeddings } from './echo/semantic/http.js';
export { cosine, type EmbeddingProvider, embeddingProvider } from './echo/semantic/index.js';
export { OnnxEmbeddings } from './echo/semantic/onnx.js';
export { ECHO_THRESHOLDS } from './echo/thresholds.js';
export type * from './echo/types.js';
// The influence layer (docs/influence.md): FollowTheMoney entities, resolution, links, queries, exports.
export { ENTITY_FORMATS } from './entities/import/formats/index.js';
export { loadFtmMapping } from './entities/import/formats/mapping.js';
export {
  type EntityImportOptions,
  type EntityImportReport,
  importEntities,
} from './entities/import/pipeline.js';
export { type LinkCounts, linkLayers } from './entities/link/index.js';
export { FTM_MODEL, FTM_VERSION, validateEntity } from './entities/model.js';
export {
  type InfluencePath,
  influenceGraph,
  MAP_DEFAULTS,
  mapPaths,
  timeline,
} from './entities/query/map.js';
export type { EntityView } from './entities/query/show.js';
export { showEntity } from './entities/query/show.js';
export { scoreSimulatedInfluence } from './entities/query/simulated.js';
export {
  type InfluenceViewData,
  influenceView,
  type WhoIsBehind,
  whoIsBehind,
} from './entities/query/views.js';
export { evaluateMatching } from './entities/resolve/evaluate.js';
export { judge, RESOLVE_DEFAULTS, resolveEntities, reviewCandidates } from './entities/resolve/index.js';
export {
  MATCH_DEFAULTS,
  Matcher,
  matchEntities,
  matchIndex,
  parseMatchRequest,
} from './entities/resolve/match.js';
export {
  AMPLIFICATION_DEFAULTS,
  type AmplificationInput,
  type AmplificationOptions,
  type AmplificationResult,
  type AmplifiedItem,
  amplification,
} from './forensics/amplification.js';
export {
  type AccountRef,
  type AccountSet,
  clusterSet,
  type Fingerprint,
  type FingerprintedCluster,
  type FingerprintedResult,
  type FingerprintResult,
  fingerprint,
  fingerprintClusters,
} from './forensics/index.js';
export { accountRhythm } from './forensics/rhythm.js';
export { readAccountsFile } from './forensics/sets.js';
export { htmlToText } from './ingest/documents/html.js';
export {
  DOCUMENT_FIELDS,
  type DocumentIngestOptions,
  type DocumentIngestReport,
  type DocumentMapping,
  ingestDocuments,
  loadDocumentMapping,
} from './ingest/documents/index.js';
export { type ColumnMapping, loadMapping, MAPPABLE_FIELDS } from './ingest/formats/generic.js';
export { FORMATS, findFormat, formatNames } from './ingest/formats/index.js';
export type { FormatAdapter, FormatContext, RowSink } from './ingest/formats/types.js';
export { normalizeLang } from './ingest/normalize/lang.js';
export { normalizeTag, normalizeText } from './ingest/normalize/text.js';
export { parseTimestamp, zoneResolver } from './ingest/normalize/time.js';
export { canonicalUrl } from './ingest/normalize/url.js';
export { type IngestOptions, type IngestProgress, type IngestReport, ingestFile } from './ingest/pipeline.js';
export { csvCell, csvRow } from './report/csv.js';
export { writeEchoCsv } from './report/exports/echo.js';
export {
  type ExportTargets,
  toGexf,
  toGraphml,
  writeCsvExports,
  writeExports,
} from './report/exports/index.js';
export { exportFtm, influenceGexf, influenceGraphml, writeInfluenceCsv } from './report/exports/influence.js';
export { type ReportOptions, reportHtml } from './report/html/index.js';
export { networkLayout } from './report/layout.js';
export { printPdf } from './report/pdf.js';
export { createApp, isLoopback, type RunningServer, type ServeOptions, startServer } from './server/index.js';
export type * as Api from './server/types.js';
export { SIGNALS, signalByName } from './signals/index.js';
export type { OptionValue, SignalDescriptor, SignalName, SignalOption } from './signals/types.js';
export {
  type DocumentTruth,
  simulateDocuments,
  TemplateObserver,
  type TemplateUse,
  writeDocuments,
} from './simulate/documents.js';
export {
  DEFAULTS as SIMULATION_DEFAULTS,
  resolveConfig,
  SCENARIOS,
  type SimulateOptions,
  type SimulationConfig,
  type SimulationResult,
  simulate,
} from './simulate/index.js';
export { type InfluenceTruth, simulateInfluence } from './simulate/influence.js';
export { listRejects, type RejectRow, type StoreStatus, storeStatus } from './store/status.js';
export { DEFAULT_STORE, Store, type StoreOptions } from './store/store.js';

import { Store, type StoreOptions } from './store/store.js';

/** Opens (or creates) an investigation store. */
export function openStore(path?: string, options?: StoreOptions): Promise<Store> {
  return Store.open(path, options);
}
