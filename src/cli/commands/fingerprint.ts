import { basename } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import { loadDetection } from '../../detect/saved.js';
import {
  type Fingerprint,
  type FingerprintedCluster,
  type FingerprintedResult,
  fingerprint,
  fingerprintClusters,
} from '../../forensics/index.js';
import type { Rhythm } from '../../forensics/rhythm.js';
import { readAccountsFile } from '../../forensics/sets.js';
import { writeFileAtomic } from '../../report/exports/files.js';
import { writeFingerprintCsv } from '../../report/exports/fingerprints.js';
import { terminalSafe } from '../detection-text.js';
import { fingerprintDetail, fingerprintTable } from '../fingerprint-text.js';
import { StageProgress } from '../progress.js';
import { dbOption, openExistingStore, parseIntOption } from '../shared.js';

interface Shown {
  id: string;
  size: number;
  fingerprint: Fingerprint;
}

export function registerFingerprint(program: Command): void {
  program
    .command('fingerprint')
    .description(
      "an operation's fingerprint: working rhythm and likely time zone, creation batches, identity templates, cadence",
    )
    .addOption(dbOption())
    .option(
      '--cluster <id>',
      'one cluster of the saved detection, in detail (default: a table of all clusters)',
    )
    .option('--accounts <file>', 'your own account list instead: one id, platform:id or @handle per line')
    .option('--run <n>', 'the saved detection run to read (default: the latest)', parseIntOption('--run'))
    .option('--out <file.json>', 'write the fingerprints as JSON')
    .option(
      '--csv <dir>',
      'write fingerprints.csv, hour_of_week.csv, creation_batches.csv and handle_templates.csv to a folder',
    )
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep fingerprint                      all clusters of the latest detection\n  lockstep fingerprint --cluster c2          one cluster with its activity heatmaps\n  lockstep fingerprint --accounts list.txt   accounts you chose, against everyone else\n\nThe statistics are explained in docs/forensics/.',
    )
    .action(async (opts) => {
      if (opts.cluster && opts.accounts) throw new UsageError('give --cluster or --accounts, not both');
      const store = await openExistingStore(opts.db);
      const progress = new StageProgress(process.stderr, opts.quiet);
      try {
        let shown: Shown[];
        let population: { rhythm: Rhythm };
        let detail = false;
        if (opts.accounts) {
          const { set, unknown } = await readAccountsFile(store, opts.accounts, basename(opts.accounts));
          if (unknown.length)
            console.error(
              `note: ${unknown.length} of the listed accounts are not in the store and were left out (e.g. ${unknown
                .slice(0, 3)
                .map((u) => terminalSafe(u, 40))
                .join(', ')})`,
            );
          const f = await fingerprint(store, [set], { onStage: progress.stage });
          shown = [{ id: set.id, size: set.accounts.length, fingerprint: f.sets.get(set.id)! }];
          population = f.population;
          detail = true;
        } else {
          const saved = await loadDetection(store, opts.run);
          const result = saved.result as Partial<FingerprintedResult> & typeof saved.result;
          // Runs saved with --no-fingerprint are fingerprinted now.
          const full =
            result.population && result.clusters.every((c) => 'fingerprint' in c)
              ? (result as FingerprintedResult)
              : await fingerprintClusters(store, result, { onStage: progress.stage });
          let clusters: FingerprintedCluster[] = full.clusters;
          if (opts.cluster) {
            clusters = clusters.filter((c) => c.id === opts.cluster);
            if (!clusters.length)
              throw new UsageError(
                `no cluster "${terminalSafe(opts.cluster, 40)}" in detection run ${saved.runId}; its clusters are ${
                  full.clusters
                    .slice(0, 12)
                    .map((c) => c.id)
                    .join(', ') || 'none'
                }`,
              );
            detail = true;
          }
          shown = clusters.map((c) => ({ id: c.id, size: c.size, fingerprint: c.fingerprint }));
          population = full.population;
          if (!detail)
            console.log(`Detection run ${saved.runId} (${saved.createdAt}): ${shown.length} clusters\n`);
        }
        progress.done();
        const written: string[] = [];
        if (opts.out)
          written.push(
            writeFileAtomic(
              opts.out,
              `${JSON.stringify({ sets: shown.map((s) => ({ id: s.id, size: s.size, fingerprint: s.fingerprint })), population }, null, 1)}\n`,
            ),
          );
        if (opts.csv) written.push(...writeFingerprintCsv(shown, opts.csv));
        if (!shown.length) console.log('No cluster in this detection run.');
        else if (detail)
          for (const s of shown) console.log(fingerprintDetail(s.id, s.fingerprint, population));
        else {
          console.log(fingerprintTable(shown));
          console.log(
            '\nOne cluster in detail, with its activity heatmaps: lockstep fingerprint --cluster ID',
          );
        }
        if (written.length) console.log(`\nWritten: ${written.join(', ')}`);
      } finally {
        progress.done();
        store.close();
      }
    });
}
