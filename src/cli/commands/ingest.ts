import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { OBJECT_KINDS } from '../../ingest/formats/coortweet.js';
import { loadMapping } from '../../ingest/formats/generic.js';
import { FORMATS, formatNames } from '../../ingest/formats/index.js';
import { type IngestReport, ingestFile } from '../../ingest/pipeline.js';
import { listRejects } from '../../store/status.js';
import { Store } from '../../store/store.js';
import { Progress } from '../progress.js';
import {
  dbOption,
  interrupt,
  parseIntOption,
  parsePositiveOption,
  reportBadFiles,
  skipBadFile,
} from '../shared.js';
import { ingestSummary, n, table } from '../text.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'load post exports into the investigation store (format detected from content; .gz accepted)',
    )
    .argument('<files...>', 'files to ingest (CSV, JSON, JSONL, Parquet; gzip allowed)')
    .addOption(dbOption())
    .addOption(
      new Option('--format <name>', `input format (detected when absent): ${formatNames().join(', ')}`),
    )
    .option(
      '--platform <name>',
      'platform of the posts when the data does not say (twitter, telegram, facebook, ...)',
    )
    .option('--map <mapping.json>', 'column mapping for any other export (see docs/user-guide.md)')
    .option('--col <field=column...>', 'map one field to a column, e.g. --col created_at=time (repeatable)')
    .option(
      '--timezone <zone>',
      'time zone of timestamps without one (IANA name or +03:00); default UTC with a warning',
    )
    .option('--encoding <label>', 'text encoding when not UTF-8 (windows-1252, latin1, utf-16le, ...)')
    .addOption(new Option('--object-kind <kind>', 'CooRTweet files: what object_id is').choices(OBJECT_KINDS))
    .option(
      '--max-field-mb <mb>',
      'longest field accepted, in MiB (longer rows are rejected)',
      parsePositiveOption('--max-field-mb'),
      1,
    )
    .option('--json', 'print the ingest reports as JSON')
    .option('-q, --quiet', 'no progress display')
    .action(async (files, opts) => {
      const mapping = loadMapping(opts.map, opts.col ?? [], opts.platform);
      const store = await Store.open(opts.db);
      const progress = new Progress(process.stderr, opts.quiet || opts.json);
      const reports: IngestReport[] = [];
      const failures: string[] = [];
      try {
        for (const file of files) {
          progress.start();
          try {
            const report = await ingestFile(store, file, {
              format: opts.format,
              platform: opts.platform,
              timezone: opts.timezone,
              encoding: opts.encoding,
              maxFieldMb: opts.maxFieldMb,
              formatOptions: { objectKind: opts.objectKind, mapping },
              signal: interrupt.signal,
              onProgress: (p) =>
                progress.update(
                  {
                    label: p.phase === 'commit' ? `${p.file}: committing` : p.file,
                    done: p.diskBytes,
                    total: p.totalBytes,
                    rows: p.rows,
                    note: p.rejected ? `${n(p.rejected)} rejected` : undefined,
                  },
                  p.phase === 'commit',
                ),
            });
            progress.done();
            reports.push(report);
            if (!opts.json) console.log(ingestSummary(report));
          } catch (err) {
            progress.done();
            // A bad file does not stop the others (named in the message: a missing column does not say which file).
            skipBadFile(err, file, files.length, failures);
          }
        }
      } finally {
        store.close();
      }
      if (opts.json) console.log(JSON.stringify(reports, null, 2));
      reportBadFiles(failures, files.length, 'ingested');
    });

  program
    .command('rejects')
    .description('list the rows that could not be stored, with file, line and reason')
    .addOption(dbOption())
    .option('--ingest <id>', 'only this ingest', parseIntOption('--ingest'))
    .option('--limit <n>', 'rows to show', parseIntOption('--limit'), 50)
    .option('--offset <n>', 'rows to skip', parseIntOption('--offset'), 0)
    .option('--json', 'print as JSON Lines, with the raw rows')
    .action(async (opts) => {
      const store = await Store.open(opts.db);
      try {
        const rows = await listRejects(store, {
          ingestId: opts.ingest,
          limit: opts.limit,
          offset: opts.offset,
        });
        if (opts.json) {
          for (const r of rows) console.log(JSON.stringify(r));
        } else if (rows.length === 0) {
          console.log('no rejected rows');
        } else {
          console.log(
            table(
              rows.map((r) => [
                `#${r.ingestId}`,
                `${r.fileName}:${r.line ?? '?'}`,
                r.reason,
                (r.raw ?? '').replace(/\s+/g, ' ').slice(0, 60),
              ]),
              ['ingest', 'where', 'reason', 'raw (start)'],
            ),
          );
        }
      } finally {
        store.close();
      }
    });

  program
    .command('formats')
    .description('list the input formats Lockstep reads')
    .action(() => {
      console.log(table(FORMATS.map((f) => [f.name, f.title])));
    });
}
