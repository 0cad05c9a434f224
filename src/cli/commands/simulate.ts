import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import { SCENARIOS, simulate, writerFormats } from '../../simulate/index.js';
import { simulateInfluence } from '../../simulate/influence.js';
import { Progress, simulationProgress } from '../progress.js';
import { parseIntOption } from '../shared.js';
import { n, table } from '../text.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate a month of realistic posts with planted operations and a ground-truth file')
    .requiredOption('--out <dir>', 'folder for the corpus and ground_truth.json')
    .addOption(
      new Option('--format <name>', 'export format to write').choices(writerFormats()).default('io-archive'),
    )
    // No commander defaults for --posts and --seed: a default would always override the `posts` and
    // `seed` of a --config file. The simulator's own defaults (100k, 1) apply when neither says.
    .option('--posts <n>', 'posts to generate, e.g. 100k, 1m (default: 100k)', parseIntOption('--posts'))
    .option('--seed <n>', 'random seed; same seed, same corpus (default: 1)', parseIntOption('--seed'))
    .addOption(
      new Option(
        '--scenario <name>',
        Object.entries(SCENARIOS)
          .map(([k, v]) => `${k}: ${v.description}`)
          .join('; '),
      ).default('default'),
    )
    .option('--config <file.json>', 'override any simulator knob (see docs/simulator.md)')
    .option('--gzip', 'gzip the corpus')
    .option('--post-truth', 'also write the source of every post (ground_truth_posts.csv)')
    .option(
      '--documents <n>',
      'also write N statements and articles, some echoing the operations (documents.jsonl, for lockstep echo)',
      parseIntOption('--documents'),
    )
    .option(
      '--influence',
      'also write the influence layer (influence.ftm.json: principals, agents, payments, meetings, statements; with its ground truth)',
    )
    .option('-q, --quiet', 'no progress display')
    .action((opts) => {
      let config: Record<string, unknown> | undefined;
      if (opts.config) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(opts.config, 'utf8'));
        } catch (err) {
          const reason = (err as Error).message.split('\n')[0];
          throw new UsageError(`cannot read the simulator config ${opts.config}: ${reason}`);
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new UsageError(
            `the simulator config ${opts.config} must be a JSON object of settings (see docs/simulator.md)`,
          );
        config = parsed as Record<string, unknown>;
      }
      const progress = new Progress(process.stderr, opts.quiet);
      const result = simulate({
        out: opts.out,
        format: opts.format,
        posts: opts.posts,
        seed: opts.seed,
        scenario: opts.scenario,
        config,
        gzip: opts.gzip,
        postTruth: opts.postTruth,
        documents: opts.documents || undefined,
        onProgress: simulationProgress(progress),
      });
      progress.done();
      console.log(
        `wrote ${n(result.posts)} posts from ${n(result.accounts)} accounts (${result.format}) in ${result.seconds.toFixed(1)}s`,
      );
      for (const f of result.files) console.log(`  corpus: ${f}`);
      console.log(`  ground truth: ${result.truthFile}, ${result.accountsFile}`);
      if (result.documents)
        console.log(
          `  documents: ${result.documents.file} (${n(result.documents.count)}), truth ${result.documents.truthFile}`,
        );
      if (opts.influence) {
        const influence = simulateInfluence(result);
        console.log(
          `  influence layer: ${influence.file} (${n(influence.entities)} FtM entities; truth ${influence.truthFile})`,
        );
      }
      console.log(
        table(
          result.operations.map((o) => [
            o.id,
            o.name,
            o.accounts,
            o.posts,
            o.operator_zone,
            o.tactics.join(', '),
          ]),
          ['operation', 'name', 'accounts', 'posts', 'operators', 'tactics'],
        ),
      );
    });
}
