import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { ingestFile } from '../../ingest/pipeline.js';
import { simulate } from '../../simulate/index.js';
import { storeStatus } from '../../store/status.js';
import { Store } from '../../store/store.js';
import { Progress, simulationProgress } from '../progress.js';
import { interrupt, parseIntOption } from '../shared.js';
import { ingestSummary, n, statusText, table } from '../text.js';

/**
 * The README's main command: simulate a month of posts with planted operations, ingest it into a
 * fresh store and summarise it. Later stages (detection, fingerprints, the report) extend it.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run Lockstep end to end on built-in simulated data (no download, no server)')
    .option('--dir <dir>', 'folder for the demo corpus and store', 'lockstep-demo')
    .option('--posts <n>', 'posts to simulate', parseIntOption('--posts'), 50_000)
    .option('--seed <n>', 'random seed', parseIntOption('--seed'), 7)
    .option('--format <name>', 'export format to simulate and read back', 'io-archive')
    .action(async (opts) => {
      const dir = resolve(opts.dir);
      const shown = relative(process.cwd(), dir) || '.';
      rmSync(dir, { recursive: true, force: true });
      const progress = new Progress();
      console.log(
        `Lockstep demo: a simulated month of posts with planted influence operations (synthetic data, seed ${opts.seed})\n`,
      );
      const sim = simulate({
        out: join(dir, 'corpus'),
        format: opts.format,
        posts: opts.posts,
        seed: opts.seed,
        onProgress: simulationProgress(progress),
      });
      progress.done();
      console.log(
        `1. Simulated ${n(sim.posts)} posts by ${n(sim.accounts)} accounts in ${sim.format} format (${sim.seconds.toFixed(1)}s).`,
      );
      console.log(
        table(
          sim.operations.map((o) => [o.id, o.name, o.accounts, o.posts, o.operator_zone]),
          ['planted', 'operation', 'accounts', 'posts', 'operators work in'],
        )
          .split('\n')
          .map((l) => `   ${l}`)
          .join('\n'),
      );
      console.log(`   Ground truth: ${relative(process.cwd(), sim.truthFile)}\n`);
      const store = await Store.open(join(dir, 'demo.duckdb'));
      try {
        progress.start();
        for (const file of sim.files) {
          const report = await ingestFile(store, file, {
            signal: interrupt.signal,
            onProgress: (p) =>
              progress.update({
                label: `ingesting ${p.file}`,
                done: p.diskBytes,
                total: p.totalBytes,
                rows: p.rows,
              }),
          });
          progress.done();
          console.log(`2. Ingested: ${ingestSummary(report)}\n`);
        }
        console.log(`3. The store:\n`);
        console.log(
          statusText(await storeStatus(store))
            .split('\n')
            .map((l) => `   ${l}`)
            .join('\n'),
        );
      } finally {
        store.close();
      }
      console.log(
        `\nNext: lockstep status --db ${join(shown, 'demo.duckdb')}   |   lockstep ingest YOUR_FILE --db my.duckdb   |   lockstep --help`,
      );
    });
}
