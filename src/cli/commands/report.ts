import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import { loadDetection } from '../../detect/saved.js';
import { writeFileAtomic } from '../../report/exports/files.js';
import { writeExports } from '../../report/exports/index.js';
import { reportHtml } from '../../report/html/index.js';
import { printPdf } from '../../report/pdf.js';
import { StageProgress } from '../progress.js';
import { dbOption, openExistingStore, parseIntOption } from '../shared.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write the publishable report of a saved detection run (HTML, PDF) and its Gephi/CSV exports',
    )
    .addOption(dbOption())
    .option('--run <n>', 'the saved detection run (default: the latest)', parseIntOption('--run'))
    .option('--out <report.html>', 'write the report as one self-contained HTML file (works offline)')
    .option('--pdf <report.pdf>', 'print the report to PDF with Chromium')
    .option('--gexf <file.gexf>', 'write the clusters as a GEXF graph for Gephi')
    .option('--graphml <file.graphml>', 'write the clusters as a GraphML graph')
    .option('--csv <dir>', 'write clusters.csv, members.csv, edges.csv and evidence.csv to a folder')
    .option(
      '--cluster-pages <n>',
      'clusters given a page of their own (all are in the table)',
      parseIntOption('--cluster-pages'),
      25,
    )
    .option('--no-amplification', 'leave out the amplification section (faster on a large store)')
    .option('--no-echo', 'leave out the echo section (echo tracing: faster on a large store)')
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep report --db case.duckdb --out report.html\n  lockstep report --db case.duckdb --run 2 --out report.html --pdf report.pdf --gexf clusters.gexf --csv tables/\n\nWhat is in it: docs/workbench.md#the-report.',
    )
    .action(async (opts) => {
      if (!opts.out && !opts.pdf && !opts.gexf && !opts.graphml && !opts.csv)
        throw new UsageError(
          'nothing to write: give --out report.html, --pdf report.pdf, --gexf, --graphml or --csv',
        );
      const store = await openExistingStore(opts.db, { readOnly: true });
      const progress = new StageProgress(process.stderr, opts.quiet);
      const written: string[] = [];
      try {
        const saved = await loadDetection(store, opts.run);
        written.push(
          ...writeExports(saved.result, { gexf: opts.gexf, graphml: opts.graphml, csvDir: opts.csv }),
        );
        if (opts.out || opts.pdf) {
          progress.stage({ name: 'report', done: false });
          const started = performance.now();
          const html = await reportHtml(store, {
            runId: saved.runId,
            clusterPages: opts.clusterPages,
            amplification: opts.amplification,
            echo: opts.echo,
          });
          progress.stage({ name: 'report', done: true, seconds: (performance.now() - started) / 1000 });
          if (opts.out) written.push(writeFileAtomic(opts.out, html));
          if (opts.pdf) {
            progress.stage({ name: 'printing the PDF with Chromium', done: false });
            const t = performance.now();
            written.push(await printPdf(html, opts.pdf));
            progress.stage({
              name: 'printing the PDF with Chromium',
              done: true,
              seconds: (performance.now() - t) / 1000,
            });
          }
        }
        progress.done();
        console.log(
          `Detection run ${saved.runId}: ${saved.result.clusters.length} clusters. Written: ${written.join(', ')}`,
        );
      } finally {
        progress.done();
        store.close();
      }
    });
}
