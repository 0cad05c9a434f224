import { writeFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import { detect } from '../../detect/index.js';
import { DETECT_DEFAULTS, type DetectOptions } from '../../detect/params.js';
import { SIGNAL_NAMES } from '../../signals/index.js';
import type { OptionValue, SignalName } from '../../signals/types.js';
import { Store } from '../../store/store.js';
import { detectionSummary } from '../detection-text.js';
import { StageProgress } from '../progress.js';
import { dbOption, interrupt, parseIntOption, parsePositiveOption } from '../shared.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('find clusters of accounts that act in lockstep, with significance and evidence')
    .addOption(dbOption())
    .option('--signals <names>', `comma-separated signals to run (default: all): ${SIGNAL_NAMES.join(', ')}`)
    .option(
      '--window <seconds|signal=seconds>',
      'co-action window for all signals, or for one (repeatable); default: estimated from the data',
      collect,
    )
    .option(
      '--signal-option <signal.option=value>',
      'a signal option, e.g. shared-link.level=domain (repeatable; see docs/method.md)',
      collect,
    )
    .option(
      '--min-participation <n>',
      'co-actions (distinct post pairs) a pair needs',
      parseIntOption('--min-participation'),
      DETECT_DEFAULTS.minParticipation,
    )
    .option(
      '--fdr <q>',
      'false discovery rate of the pair tests',
      parsePositiveOption('--fdr'),
      DETECT_DEFAULTS.fdr,
    )
    .option(
      '--crowd-cap <n>',
      'windows with more actions on one object are not expanded into pairs',
      parseIntOption('--crowd-cap'),
      DETECT_DEFAULTS.crowdCap,
    )
    .option(
      '--min-cluster-size <n>',
      'smallest cluster reported',
      parseIntOption('--min-cluster-size'),
      DETECT_DEFAULTS.minClusterSize,
    )
    .option('--seed <n>', 'seed of the clustering', parseIntOption('--seed'), DETECT_DEFAULTS.seed)
    .option('--out <file.json>', 'write the full result (parameters, clusters, evidence, edges) as JSON')
    .option('--top <n>', 'clusters shown in the terminal', parseIntOption('--top'), 10)
    .option('-q, --quiet', 'no progress display')
    .action(async (opts) => {
      const options: DetectOptions = {
        signals: opts.signals
          ? (opts.signals
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean) as SignalName[])
          : undefined,
        ...parseWindows(opts.window),
        signalOptions: parseSignalOptions(opts.signalOption),
        minParticipation: opts.minParticipation,
        fdr: opts.fdr,
        crowdCap: opts.crowdCap,
        minClusterSize: opts.minClusterSize,
        seed: opts.seed,
      };
      const store = await Store.open(opts.db);
      const progress = new StageProgress(process.stderr, opts.quiet);
      try {
        const result = await detect(store, options, {
          onStage: progress.stage,
          onProgress: progress.progress,
          signal: interrupt.signal,
        });
        progress.done();
        if (opts.out) writeFileSync(opts.out, `${JSON.stringify(result, null, 1)}\n`);
        console.log(detectionSummary(result, opts.top));
        if (opts.out) console.log(`\nResult written to ${opts.out}`);
      } finally {
        progress.done();
        store.close();
      }
    });
}

/** `--window 60` (every signal) and `--window shared-link=120` (one signal; repeatable). */
function parseWindows(values: string[] | undefined): Pick<DetectOptions, 'window' | 'windows'> {
  const out: Pick<DetectOptions, 'window' | 'windows'> = {};
  for (const v of values ?? []) {
    const [name, seconds] = v.includes('=') ? v.split('=', 2) : [null, v];
    const w = Number(seconds);
    if (!seconds || !Number.isFinite(w) || w < 0)
      throw new UsageError(`invalid --window "${v}": expecting seconds, e.g. 60 or shared-link=120`);
    if (name === null) out.window = w;
    else {
      if (!SIGNAL_NAMES.includes(name as SignalName))
        throw new UsageError(
          `invalid --window "${v}": unknown signal "${name}" (signals: ${SIGNAL_NAMES.join(', ')})`,
        );
      out.windows = { ...out.windows, [name]: w };
    }
  }
  return out;
}

/** `--signal-option shared-link.level=domain` (repeatable). */
function parseSignalOptions(values: string[] | undefined): DetectOptions['signalOptions'] {
  if (!values?.length) return undefined;
  const out: Partial<Record<SignalName, Record<string, OptionValue>>> = {};
  for (const v of values) {
    const m = /^([a-z-]+)\.([a-z-]+)=(.*)$/.exec(v);
    if (!m)
      throw new UsageError(
        `invalid --signal-option "${v}": expecting signal.option=value, e.g. shared-link.level=domain`,
      );
    const [, signal, option, value] = m as unknown as [string, SignalName, string, string];
    out[signal] = { ...out[signal], [option]: value };
  }
  return out;
}
