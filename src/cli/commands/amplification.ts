import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import { isFlagged, loadDetection } from '../../detect/saved.js';
import {
  AMPLIFICATION_DEFAULTS,
  amplification,
  ITEM_KINDS,
  type ItemKind,
} from '../../forensics/amplification.js';
import { clusterSet } from '../../forensics/index.js';
import { writeAmplificationCsv } from '../../report/exports/amplification.js';
import { writeFileAtomic } from '../../report/exports/files.js';
import { amplificationText } from '../amplification-text.js';
import { StageProgress } from '../progress.js';
import { dbOption, openExistingStore, parseIntOption } from '../shared.js';

export function registerAmplification(program: Command): void {
  program
    .command('amplification')
    .description(
      'how much of each hashtag, link, domain and text family the flagged clusters produced, and who posted it first',
    )
    .addOption(dbOption())
    .option('--run <n>', 'the saved detection run to read (default: the latest)', parseIntOption('--run'))
    .option('--top <n>', 'items shown per kind', parseIntOption('--top'), 10)
    .option('--kinds <list>', `comma-separated: ${ITEM_KINDS.join(', ')} (default: all)`)
    .option('--by <bucket>', 'time series per day or hour', 'day')
    .option('--rank-by <what>', 'rank by the share of posts or of accounts', 'posts')
    .option(
      '--min-posts <n>',
      'posts an item needs to be ranked',
      parseIntOption('--min-posts'),
      AMPLIFICATION_DEFAULTS.minPosts,
    )
    .option(
      '--min-accounts <n>',
      'accounts an item needs to be ranked',
      parseIntOption('--min-accounts'),
      AMPLIFICATION_DEFAULTS.minAccounts,
    )
    .option('--all-clusters', 'count clusters with open indicators too (default: flagged clusters only)')
    .option('--out <file.json>', 'write the result as JSON (the top items of each kind, in full)')
    .option(
      '--csv <dir>',
      'write amplification.csv (every item with its counts) and amplification_series.csv',
    )
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep amplification                        the most manufactured items of each kind\n  lockstep amplification --kinds hashtag --top 25 --by hour\n  lockstep amplification --csv amplification/   every item, for a spreadsheet\n\nDefinitions and caveats: docs/forensics/amplification.md.',
    )
    .action(async (opts) => {
      const kinds = (opts.kinds ?? ITEM_KINDS.join(','))
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const unknown = kinds.filter((k) => !ITEM_KINDS.includes(k as ItemKind));
      if (unknown.length || !kinds.length)
        throw new UsageError(`invalid --kinds "${opts.kinds}": expecting some of ${ITEM_KINDS.join(', ')}`);
      if (opts.by !== 'day' && opts.by !== 'hour')
        throw new UsageError(`invalid --by "${opts.by}": expecting day or hour`);
      if (opts.rankBy !== 'posts' && opts.rankBy !== 'accounts')
        throw new UsageError(`invalid --rank-by "${opts.rankBy}": expecting posts or accounts`);
      const store = await openExistingStore(opts.db);
      const progress = new StageProgress(process.stderr, opts.quiet);
      try {
        const saved = await loadDetection(store, opts.run);
        const clusters = saved.result.clusters.filter((c) => opts.allClusters || isFlagged(c));
        progress.stage({ name: 'amplification', done: false });
        const result = await amplification(store, {
          sets: clusters.map(clusterSet),
          kinds: kinds as ItemKind[],
          top: Math.max(1, opts.top),
          bucket: opts.by,
          rankBy: opts.rankBy,
          minPosts: Math.max(1, opts.minPosts),
          minAccounts: Math.max(1, opts.minAccounts),
        });
        progress.stage({ name: 'amplification', done: true, seconds: result.stats.seconds });
        progress.done();
        const written: string[] = [];
        if (opts.out)
          written.push(
            writeFileAtomic(opts.out, `${JSON.stringify({ run: saved.runId, ...result }, null, 1)}\n`),
          );
        if (opts.csv) written.push(...(await writeAmplificationCsv(store, result, opts.csv)));
        console.log(
          `Detection run ${saved.runId}: ${clusters.length} of ${saved.result.clusters.length} clusters counted as flagged${opts.allClusters ? ' (--all-clusters)' : ' (clusters with open indicators left out; --all-clusters counts them)'}\n`,
        );
        console.log(amplificationText(result, saved.result.data.span, opts.top));
        if (written.length) console.log(`\nWritten: ${written.join(', ')}`);
      } finally {
        progress.done();
        store.close();
      }
    });
}
