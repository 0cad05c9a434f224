import { existsSync } from 'node:fs';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { FormatError, InputError, UsageError } from '../../core/errors.js';
import { ENTITY_FORMATS } from '../../entities/import/formats/index.js';
import { loadFtmMapping } from '../../entities/import/formats/mapping.js';
import { type EntityImportReport, importEntities } from '../../entities/import/pipeline.js';
import { Store } from '../../store/store.js';
import { duration, Progress } from '../progress.js';
import { dbOption, interrupt } from '../shared.js';
import { n, table } from '../text.js';

/** One import's summary line, with its warnings and where the rejects are. */
export function importSummary(r: EntityImportReport): string {
  const lines = [
    `${r.fileName}: ${r.format} (dataset ${r.dataset}), read ${n(r.recordsRead)} = stored ${n(r.recordsStored)} + duplicate ${n(r.recordsDuplicate)} + rejected ${n(r.recordsRejected)}; ${n(r.statementsNew)} statements about ${n(r.entitiesTouched)} entities in ${duration(r.seconds)} [ingest #${r.ingestId}]`,
  ];
  for (const w of r.warnings)
    lines.push(
      `  warning: ${w.message}: ${n(w.count)}${w.firstLine ? ` (first at record ${w.firstLine})` : ''}`,
    );
  if (r.recordsRejected)
    lines.push(
      `  ${n(r.recordsRejected)} rejected record(s) kept aside: lockstep rejects --ingest ${r.ingestId}`,
    );
  return lines.join('\n');
}

/**
 * The files to import: a mapping YAML given as a file stands for the tables its queries name
 * (`csv_url`, relative to the YAML), each read with that mapping.
 */
function expandMappings(files: string[], mappingPath?: string) {
  const out: { file: string; mapping?: ReturnType<typeof loadFtmMapping> }[] = [];
  const given = mappingPath ? loadFtmMapping(mappingPath) : undefined;
  for (const file of files) {
    if (/\.ya?ml$/i.test(file)) {
      const mapping = loadFtmMapping(file);
      const tables = [...new Set(mapping.queries.flatMap((q) => q.csvUrls))];
      if (!tables.length)
        throw new UsageError(
          `${file} names no table (csv_url); pass the table with --mapping ${file} TABLE.csv`,
        );
      for (const t of tables) {
        const path = resolvePath(dirname(file), t);
        if (!existsSync(path)) throw new InputError(`${file}: the table ${t} is not at ${path}`);
        out.push({ file: path, mapping });
      }
    } else out.push({ file, mapping: given });
  }
  return out;
}

export function registerEntities(program: Command): void {
  const entities = program
    .command('entities')
    .description('the influence layer: FollowTheMoney entities (import, resolve, match, show, export)');

  entities
    .command('import')
    .description(
      'import entity records (FtM, FARA, Sunlight FARA, LDA, congress-legislators, any table via an FtM mapping)',
    )
    .argument('<files...>', 'files to import (format detected from content; .gz and .zip accepted)')
    .addOption(dbOption())
    .option(
      '--format <name>',
      `entity format (detected when absent): ${ENTITY_FORMATS.map((f) => f.name).join(', ')}`,
    )
    .option('--dataset <name>', "dataset name every statement carries (default: the format's)")
    .option('--mapping <file.yml>', 'an FtM mapping (the YAML of `ftm map`) to read any CSV table with')
    .option('--encoding <label>', 'text encoding when detection is wrong (windows-1252, utf-16le, ...)')
    .option('--json', 'print the import reports as JSON')
    .option('-q, --quiet', 'no progress display')
    .action(async (files, opts) => {
      const inputs = expandMappings(files, opts.mapping);
      const store = await Store.open(opts.db);
      const progress = new Progress(process.stderr, opts.quiet || opts.json);
      const reports: EntityImportReport[] = [];
      const failures: string[] = [];
      try {
        for (const { file, mapping } of inputs) {
          progress.start();
          try {
            const report = await importEntities(store, file, {
              format: mapping ? 'mapping' : opts.format,
              dataset: opts.dataset ?? mapping?.dataset,
              encoding: opts.encoding,
              formatOptions: mapping ? { mapping } : {},
              signal: interrupt.signal,
              onProgress: (p) =>
                progress.update({ label: p.file, done: p.diskBytes, total: p.totalBytes, rows: p.records }),
            });
            progress.done();
            reports.push(report);
            if (!opts.json) console.log(importSummary(report));
          } catch (err) {
            progress.done();
            if (
              (err instanceof InputError || err instanceof FormatError) &&
              !err.message.includes(basename(file))
            )
              err.message = `${file}: ${err.message}`;
            if (!(err instanceof InputError || err instanceof FormatError) || inputs.length === 1) throw err;
            failures.push(file);
            process.stderr.write(`lockstep: ${err.message}\n`);
          }
        }
      } finally {
        store.close();
      }
      if (opts.json) console.log(JSON.stringify(reports, null, 2));
      if (failures.length) {
        process.stderr.write(
          `lockstep: ${failures.length} of ${inputs.length} files could not be imported (see above)\n`,
        );
        process.exitCode = 3;
      }
    });

  entities
    .command('formats')
    .description('list the entity formats Lockstep reads, with their sources')
    .action(() => {
      console.log(
        table(
          ENTITY_FORMATS.map((f) => [f.name, f.title, f.source]),
          ['format', 'what', 'source'],
        ),
      );
    });
}
