/**
 * Import of one entity file, end to end, with the guarantees of post ingest (ingest/pipeline.ts):
 * - provenance: an `ingests` row per file (path, sha256, format, dataset, counts, warnings), and on
 *   every statement its dataset, file, record, cited URL and record date; the record itself is kept
 *   in `entity_records`;
 * - counts reconcile: records read = stored + duplicate + rejected, checked before COMMIT;
 * - nothing lost silently: unreadable records go to `rejects` with file, line and reason; values that
 *   cannot be cleaned (a date that is not one) are counted warnings, and the record stays readable;
 * - atomic and idempotent: one transaction per file; importing the same bytes into the same
 *   dataset again stores nothing (every record is a duplicate).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import { abandonIngest, rmdirIfEmpty } from '../../ingest/pipeline.js';
import type { Store } from '../../store/store.js';
import { cleanDate, cleanValue, propertyOf, schemaOf } from '../model.js';
import { rebuildDerived } from '../tables.js';
import { chooseEntityFormat } from './formats/index.js';
import { loadFtmNative } from './native.js';
import { openEntitySource } from './source.js';
import { StagingFile } from './staging.js';
import type { DraftRecord, EntityInput, RecordSink } from './types.js';

export interface EntityImportOptions {
  /** Format name (`lockstep entities formats`); detected from the content when absent. */
  format?: string;
  /** Dataset name carried by every statement; the format's default when absent. */
  dataset?: string;
  /** Text encoding, when detection guesses wrong. */
  encoding?: string;
  /** Let DuckDB read clean FtM streams in bulk (default true; see native.ts). */
  bulk?: boolean;
  /** Format options (`mapping`: the parsed FtM mapping of the `mapping` format). */
  formatOptions?: Record<string, unknown>;
  onProgress?: (p: { file: string; diskBytes: number; totalBytes: number; records: number }) => void;
  signal?: AbortSignal;
}

export interface WarningCount {
  code: string;
  message: string;
  count: number;
  firstLine: number;
}

export interface EntityImportReport {
  ingestId: number;
  path: string;
  fileName: string;
  format: string;
  dataset: string;
  sha256: string;
  bytes: number;
  recordsRead: number;
  recordsStored: number;
  recordsDuplicate: number;
  recordsRejected: number;
  statementsNew: number;
  entitiesTouched: number;
  warnings: WarningCount[];
  seconds: number;
  /** True when DuckDB read the file in bulk (native.ts). */
  bulk: boolean;
}

const BATCH = 200_000;

export async function importEntities(
  store: Store,
  path: string,
  options: EntityImportOptions = {},
): Promise<EntityImportReport> {
  const started = Date.now();
  const opened = await openEntitySource(path, options.encoding);
  const format = chooseEntityFormat(opened.probe, options.format);
  // A format whose files are not UTF-8 (FARA bulk: Windows-1252) is reopened with its encoding.
  const source =
    !options.encoding &&
    format.encoding &&
    opened.encoding !== format.encoding &&
    opened.encoding === 'windows-1252'
      ? await openEntitySource(path, format.encoding)
      : opened;
  const dataset = options.dataset?.trim() || format.dataset;
  if (!/^[A-Za-z0-9_.-]+$/.test(dataset))
    throw new UsageError(`invalid --dataset "${dataset}": use letters, digits, '_', '-' or '.'`);
  const ingestId = ((await store.value<number>(`SELECT coalesce(max(ingest_id), 0) FROM ingests`)) ?? 0) + 1;
  await store.run(
    `INSERT INTO ingests (ingest_id, path, file_name, bytes, format, platform, options, status, started_at, tool_version)
     VALUES (?, ?, ?, ?, ?, 'entities', ?::JSON, 'running', now()::TIMESTAMP, ?)`,
    [
      ingestId,
      source.path,
      source.name,
      source.bytes,
      format.name,
      JSON.stringify({ dataset, encoding: source.encoding, format: options.format ?? null }),
      VERSION,
    ],
  );
  const dir = join(`${store.path}.tmp`, `entities-${ingestId}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const abort = () => store.connection.interrupt();
  options.signal?.addEventListener('abort', abort);
  const staging = new Staging(store, dir, ingestId, dataset, source.name, format.keepRecords !== false);
  try {
    await store.run('BEGIN TRANSACTION');
    // The bulk path for clean FtM streams (native.ts); anything unusual falls back to the general path.
    let bulk: { records: number; sha256: string } | null = null;
    let fallback: string | null = null;
    if (
      format.name === 'ftm' &&
      source.probe.container === 'text' &&
      source.encoding === 'utf-8' &&
      !options.encoding &&
      options.bulk !== false
    ) {
      try {
        options.onProgress?.({ file: source.name, diskBytes: 0, totalBytes: source.bytes, records: 0 });
        bulk = await loadFtmNative(store, source.path, source.gzip, ingestId, dataset);
      } catch (err) {
        if (options.signal?.aborted) throw err;
        await store.run('ROLLBACK');
        await store.run('SET preserve_insertion_order = false');
        await store.run('BEGIN TRANSACTION');
        fallback = String((err as Error).message ?? err).split('\n')[0]!;
      }
    }
    if (bulk) {
      staging.read = bulk.records;
    } else {
      let input: EntityInput = source.input();
      if (input.kind === 'text') {
        const chunks = input.chunks;
        const report = (diskBytes: number) =>
          options.onProgress?.({
            file: source.name,
            diskBytes,
            totalBytes: source.bytes,
            records: staging.read,
          });
        input = {
          ...input,
          chunks: (async function* () {
            for await (const chunk of chunks) {
              if (options.signal?.aborted) throw new InterruptedError('interrupted');
              yield chunk;
              report(chunk.diskBytes);
              await staging.flushIfFull();
            }
          })(),
        };
      }
      await format.read(input, staging.sink, {
        dataset,
        fileName: source.name,
        options: options.formatOptions ?? {},
      });
      await staging.finish();
    }
    if (options.signal?.aborted) throw new InterruptedError('interrupted');
    const sha256 = bulk ? bulk.sha256 : source.sha256();
    const counts = await settle(store, ingestId, sha256, dataset, staging.read - staging.rejected);
    const report: EntityImportReport = {
      ingestId,
      path: source.path,
      fileName: source.name,
      format: format.name,
      dataset,
      sha256,
      bytes: source.bytes,
      recordsRead: staging.read,
      recordsStored: counts.stored,
      recordsDuplicate: counts.duplicate,
      recordsRejected: staging.rejected,
      statementsNew: counts.statements,
      entitiesTouched: counts.entities,
      warnings: [...staging.warnings.values()],
      seconds: (Date.now() - started) / 1000,
      bulk: bulk !== null,
    };
    if (report.recordsRead !== report.recordsStored + report.recordsDuplicate + report.recordsRejected)
      throw new Error(
        `counts do not reconcile: read ${report.recordsRead} != stored ${report.recordsStored} + duplicate ${report.recordsDuplicate} + rejected ${report.recordsRejected}`,
      );
    await store.run(
      `UPDATE ingests SET status = 'done', finished_at = now()::TIMESTAMP, sha256 = ?, rows_read = ?, rows_stored = ?,
         rows_duplicate = ?, rows_rejected = ?, warnings = ?::JSON, message = ? WHERE ingest_id = ?`,
      [
        sha256,
        report.recordsRead,
        report.recordsStored,
        report.recordsDuplicate,
        report.recordsRejected,
        JSON.stringify(report.warnings),
        `${report.statementsNew} statements about ${report.entitiesTouched} entities (dataset ${dataset}); ${bulk ? 'read in bulk by DuckDB' : fallback ? `read record by record: ${fallback}` : 'read record by record'}`,
        ingestId,
      ],
    );
    await store.run('COMMIT');
    return report;
  } catch (err) {
    throw await abandonIngest(
      store,
      ingestId,
      err,
      options.signal,
      `interrupted: nothing from ${source.name} was stored; run the same command again`,
    );
  } finally {
    options.signal?.removeEventListener('abort', abort);
    rmSync(dir, { recursive: true, force: true });
    rmdirIfEmpty(`${store.path}.tmp`);
  }
}

/**
 * De-duplicates against earlier imports of the same bytes into the same dataset, removes what the
 * duplicates staged, rebuilds the derived tables for the touched ids and applies referents.
 */
async function settle(
  store: Store,
  ingestId: number,
  sha256: string,
  dataset: string,
  accepted: number,
): Promise<{ stored: number; duplicate: number; statements: number; entities: number }> {
  const prior = (
    await store.all<{ ingest_id: number }>(
      `SELECT ingest_id FROM ingests WHERE sha256 = ? AND status = 'done' AND platform = 'entities'
       AND json_extract_string(options, '$.dataset') = ?`,
      [sha256, dataset],
    )
  ).map((r) => r.ingest_id);
  if (prior.length) {
    await store.run(`DELETE FROM statements s WHERE s.ingest_id = ${ingestId} AND EXISTS (
      SELECT 1 FROM statements p WHERE p.ingest_id IN (${prior.join(',')}) AND p.entity_id = s.entity_id
        AND p.prop = s.prop AND p.value = s.value AND p.dataset = s.dataset AND p.source_row IS NOT DISTINCT FROM s.source_row)`);
    await store.run(`DELETE FROM entity_records r WHERE r.ingest_id = ${ingestId}
      AND r.source_row NOT IN (SELECT DISTINCT source_row FROM statements WHERE ingest_id = ${ingestId})`);
    await store.run(`DELETE FROM entity_judgements WHERE origin = 'referents:${ingestId}'`);
  }
  const stored =
    (await store.value<number>(
      `SELECT count(DISTINCT source_row) FROM statements WHERE ingest_id = ${ingestId}`,
    )) ?? 0;
  const statements =
    (await store.value<number>(`SELECT count(*) FROM statements WHERE ingest_id = ${ingestId}`)) ?? 0;
  await store.run(
    `CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT entity_id FROM statements WHERE ingest_id = ${ingestId}`,
  );
  const entities = (await store.value<number>(`SELECT count(*) FROM touched`)) ?? 0;
  // A first import touches every id: the derived tables are built from the whole table, without joins.
  const first = !Number(
    await store.value(
      `SELECT count(*) FROM (SELECT 1 FROM statements WHERE ingest_id <> ${ingestId} LIMIT 1)`,
    ),
  );
  if (entities) await rebuildDerived(store, first);
  return { stored, duplicate: accepted - stored, statements, entities };
}

/** The record sink: cleans drafts into staged statements, keeps rejects and warnings, loads in batches. */
class Staging {
  read = 0;
  rejected = 0;
  readonly warnings = new Map<string, WarningCount>();
  private readonly statements: StagingFile;
  private readonly records: StagingFile;
  private readonly rejects: StagingFile;
  private referents: [string, string][] = [];
  private pendingRows = 0;

  constructor(
    private readonly store: Store,
    dir: string,
    private readonly ingestId: number,
    private readonly dataset: string,
    private readonly fileName: string,
    private readonly keepRecords: boolean,
  ) {
    this.statements = new StagingFile(join(dir, 'statements.csv'));
    this.records = new StagingFile(join(dir, 'records.csv'));
    this.rejects = new StagingFile(join(dir, 'rejects.csv'));
  }

  warn(code: string, message: string, row: number): void {
    const w = this.warnings.get(code);
    if (w) w.count++;
    else this.warnings.set(code, { code, message, count: 1, firstLine: row });
  }

  readonly sink: RecordSink = {
    record: (r) => this.addRecord(r),
    reject: (row, reason, raw) => {
      this.read++;
      this.rejected++;
      this.rejects.line([this.fileName, String(row), reason, raw.slice(0, 1 << 20)]);
      this.pendingRows++;
    },
    warn: (code, message, row) => this.warn(code, message, row),
    referent: (canonical, referent) => this.referents.push([canonical, referent]),
  };

  private addRecord(r: DraftRecord): void {
    this.read++;
    this.pendingRows++;
    const recordDate = r.recordDate ? cleanDate(r.recordDate) : null;
    if (r.recordDate && !recordDate) this.warn('invalid-date', 'record dates that could not be read', r.row);
    const lines: (string | null)[][] = [];
    const seen = new Set<string>();
    for (const e of r.entities) {
      const schema = schemaOf(e.schema);
      if (!schema || schema.abstract) {
        this.rejectRecord(r, `unknown or abstract FtM schema "${e.schema}"`);
        return;
      }
      if (!e.id) {
        this.rejectRecord(r, `an entity of schema ${e.schema} has no id`);
        return;
      }
      const base = `${e.id}\u0000id`;
      if (!seen.has(base)) {
        seen.add(base);
        lines.push(this.line(e.id, schema.name, 'id', 'id', e.id, null, r, recordDate));
      }
      for (const [name, values] of Object.entries(e.properties)) {
        const prop = propertyOf(schema, name);
        if (!prop) {
          if (values.some((v) => v))
            this.warn(
              'unknown-property',
              `properties the FtM model does not have (e.g. ${schema.name}.${name}); values kept in the record only`,
              r.row,
            );
          continue;
        }
        for (const v of values) {
          if (v === null || v === undefined || v === '') continue;
          const cleaned = prop.type.name === 'entity' ? { value: v.trim() } : cleanValue(prop, v);
          if ('error' in cleaned) {
            if (cleaned.error !== 'empty')
              this.warn(
                `invalid-${prop.type.name}`,
                `${prop.type.name} values that could not be cleaned (${cleaned.error})`,
                r.row,
              );
            continue;
          }
          const key = `${e.id}\u0000${name}\u0000${cleaned.value}`;
          if (seen.has(key)) continue;
          seen.add(key);
          lines.push(
            this.line(
              e.id,
              schema.name,
              name,
              prop.type.name,
              cleaned.value,
              cleaned.value === v ? null : v,
              r,
              recordDate,
            ),
          );
        }
      }
    }
    if (lines.length === 0) {
      this.rejectRecord(r, 'the record names no entity');
      return;
    }
    for (const l of lines) this.statements.line(l);
    if (this.keepRecords) this.records.line([String(r.row), r.raw.slice(0, 1 << 20)]);
  }

  private rejectRecord(r: DraftRecord, reason: string): void {
    this.read--;
    this.pendingRows--;
    this.sink.reject(r.row, reason, r.raw);
  }

  private line(
    id: string,
    schema: string,
    prop: string,
    type: string,
    value: string,
    original: string | null,
    r: DraftRecord,
    recordDate: string | null,
  ): (string | null)[] {
    return [
      id,
      schema,
      prop,
      type,
      value,
      original,
      this.dataset,
      String(r.row),
      r.sourceUrl ?? null,
      recordDate,
    ];
  }

  async flushIfFull(): Promise<void> {
    if (this.pendingRows >= BATCH) await this.load();
  }

  async finish(): Promise<void> {
    await this.load();
    for (let i = 0; i < this.referents.length; i += 10_000) {
      const values = this.referents
        .slice(i, i + 10_000)
        .map(([a, b]) => `('${a.replaceAll("'", "''")}', '${b.replaceAll("'", "''")}')`)
        .join(', ');
      await this.store.run(
        `INSERT INTO entity_judgements SELECT a, b, 'same', 'referents:${this.ingestId}', NULL, now()::TIMESTAMP FROM (VALUES ${values}) v(a, b)`,
      );
    }
  }

  private async load(): Promise<void> {
    this.pendingRows = 0;
    const id = this.ingestId;
    const s = this.statements.take();
    if (s)
      await this.store.run(`INSERT INTO statements SELECT entity_id, schema, prop, prop_type, value, original_value, dataset, ${id},
          source_row, source_url, record_date FROM ${reader(s, "{'entity_id': 'VARCHAR', 'schema': 'VARCHAR', 'prop': 'VARCHAR', 'prop_type': 'VARCHAR', 'value': 'VARCHAR', 'original_value': 'VARCHAR', 'dataset': 'VARCHAR', 'source_row': 'BIGINT', 'source_url': 'VARCHAR', 'record_date': 'VARCHAR'}")}`);
    const r = this.records.take();
    if (r)
      await this.store.run(
        `INSERT INTO entity_records SELECT ${id}, source_row, raw FROM ${reader(r, "{'source_row': 'BIGINT', 'raw': 'VARCHAR'}")}`,
      );
    const j = this.rejects.take();
    if (j)
      await this.store.run(
        `INSERT INTO rejects SELECT ${id}, file_name, line, reason, raw, false FROM ${reader(j, "{'file_name': 'VARCHAR', 'line': 'BIGINT', 'reason': 'VARCHAR', 'raw': 'VARCHAR'}")}`,
      );
  }
}

function reader(file: string, columns: string): string {
  return `read_csv('${file.replaceAll("'", "''")}', header = false, auto_detect = false, columns = ${columns},
    delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, max_line_size = ${8 << 20},
    strict_mode = true)`;
}
