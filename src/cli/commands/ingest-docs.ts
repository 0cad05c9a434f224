import { basename } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { FormatError, InputError } from '../../core/errors.js';
import {
  DOCUMENT_FIELDS,
  type DocumentIngestReport,
  ingestDocuments,
  loadDocumentMapping,
} from '../../ingest/documents/index.js';
import { Store } from '../../store/store.js';
import { duration, Progress } from '../progress.js';
import { dbOption, interrupt, parsePositiveOption } from '../shared.js';
import { n } from '../text.js';

/** One ingest of documents in a few lines: the reconciliation, then warnings and rejects. */
export function documentIngestSummary(r: DocumentIngestReport): string {
  const lines = [
    `${r.fileName}: ${r.format}, read ${n(r.rowsRead)} = stored ${n(r.rowsStored)} + duplicate ${n(r.rowsDuplicate)} + rejected ${n(r.rowsRejected)} documents in ${duration(r.seconds)} [ingest #${r.ingestId}]`,
  ];
  if (r.sameFileBefore.length)
    lines.push(
      `  note: the same input (sha256 ${r.sha256.slice(0, 12)}) was ingested before as #${r.sameFileBefore.join(', #')}`,
    );
  for (const w of r.warnings)
    lines.push(
      `  warning: ${w.message}: ${n(w.count)}${w.firstLine ? ` (first at line ${w.firstLine})` : ''}`,
    );
  if (r.rowsRejected)
    lines.push(`  ${n(r.rowsRejected)} rejected kept aside: lockstep rejects --ingest ${r.ingestId}`);
  return lines.join('\n');
}

export function registerIngestDocs(program: Command): void {
  program
    .command('ingest-docs')
    .description(
      'load statements, speeches, articles and transcripts (JSONL, JSON, CSV, Parquet, or a folder of .txt/.md/.html files) for echo tracing',
    )
    .argument('<paths...>', 'files of document records, or folders of document files')
    .addOption(dbOption())
    .option(
      '--map <mapping.json>',
      `column mapping, {"columns": {"text": "body", ...}}; fields: ${DOCUMENT_FIELDS.join(', ')}`,
    )
    .option('--col <field=column...>', 'map one field to a column, e.g. --col published_at=date (repeatable)')
    .option(
      '--metadata <file>',
      "a folder's sidecar metadata (default: metadata.jsonl, .json or .csv in the folder)",
    )
    .option(
      '--timezone <zone>',
      'time zone of dates without one (IANA name or +03:00); without it their interval spans every offset',
    )
    .option('--encoding <label>', 'text encoding when not UTF-8 (windows-1252, latin1, utf-16le, ...)')
    .option('--author <name>', 'author or speaker of documents that do not name one')
    .option('--outlet <name>', 'outlet of documents that do not name one')
    .option('--lang <code>', 'language of documents that do not give one')
    .option('--kind <kind>', 'kind of documents that do not give one (statement, speech, article, ...)')
    .option(
      '--max-field-mb <mb>',
      'longest document text accepted, in MiB',
      parsePositiveOption('--max-field-mb'),
      8,
    )
    .option('--json', 'print the ingest reports as JSON')
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep ingest-docs statements.jsonl\n  lockstep ingest-docs speeches.csv --col text=transcript --col published_at=delivered\n  lockstep ingest-docs press-releases/ --outlet "Ministry of X" --timezone Europe/Paris\n\nFormats, fields and dates: docs/echo.md.',
    )
    .action(async (paths, opts) => {
      const mapping = loadDocumentMapping(opts.map, opts.col ?? []);
      const store = await Store.open(opts.db);
      const progress = new Progress(process.stderr, opts.quiet || opts.json);
      const reports: DocumentIngestReport[] = [];
      const failures: string[] = [];
      try {
        for (const path of paths) {
          progress.start();
          try {
            const report = await ingestDocuments(store, path, {
              mapping,
              metadata: opts.metadata,
              timezone: opts.timezone,
              encoding: opts.encoding,
              maxFieldMb: opts.maxFieldMb,
              defaults: { author: opts.author, outlet: opts.outlet, lang: opts.lang, kind: opts.kind },
              signal: interrupt.signal,
              onProgress: (p) =>
                progress.update({ label: p.file, done: p.done, total: p.total, rows: p.rows }),
            });
            progress.done();
            reports.push(report);
            if (!opts.json) console.log(documentIngestSummary(report));
          } catch (err) {
            progress.done();
            if (
              (err instanceof InputError || err instanceof FormatError) &&
              !err.message.includes(basename(path))
            )
              err.message = `${path}: ${err.message}`;
            if (!(err instanceof InputError || err instanceof FormatError) || paths.length === 1) throw err;
            failures.push(path);
            process.stderr.write(`lockstep: ${err.message}\n`);
          }
        }
      } finally {
        store.close();
      }
      if (opts.json) console.log(JSON.stringify(reports, null, 2));
      if (failures.length) {
        process.stderr.write(
          `lockstep: ${failures.length} of ${paths.length} inputs could not be ingested (see above)\n`,
        );
        process.exitCode = 3;
      }
    });
}
