import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import { detect } from '../../detect/index.js';
import { DETECT_DEFAULTS, type DetectOptions } from '../../detect/params.js';
import { saveDetection } from '../../detect/saved.js';
import { fingerprintClusters } from '../../forensics/index.js';
import { writeFileAtomic } from '../../report/exports/files.js';
import { writeExports } from '../../report/exports/index.js';
import { SIGNAL_NAMES } from '../../signals/index.js';
import type { OptionValue, SignalName } from '../../signals/types.js';
import { detectionSummary } from '../detection-text.js';
import { fingerprintTable } from '../fingerprint-text.js';
import { StageProgress } from '../progress.js';
import { dbOption, interrupt, openExistingStore, parseIntOption, parsePositiveOption } from '../shared.js';
import { detectCompat, wantsCompat } from './detect-compat.js';

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
      "co-actions (distinct post pairs) a pair needs; with --compat coortweet: shares an account needs (CooRTweet's min_participation)",
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
    .option('--gexf <file.gexf>', 'write the clusters as a GEXF graph for Gephi')
    .option('--graphml <file.graphml>', 'write the clusters as a GraphML graph')
    .option('--csv <dir>', 'write clusters.csv, members.csv, edges.csv and evidence.csv to a folder')
    .option('--top <n>', 'clusters shown in the terminal', parseIntOption('--top'), 10)
    .option('--no-fingerprint', "skip the clusters' fingerprints (rhythm, creation, identity, cadence)")
    .option('-q, --quiet', 'no progress display')
    .optionsGroup(
      'Peer compatibility: reproduce another tool exactly, instead of detecting (docs/compat.md):',
    )
    .option(
      '--compat <tool>',
      'coortweet (CooRTweet 2.1.3 detect_groups + generate_coordinated_network) or cnt (coordination-network-toolkit co-retweet)',
    )
    .option('--out-dir <dir>', "folder for the peer's files (required with --compat)")
    .option('--time-window <seconds>', "the peer's time_window (default: coortweet 10, cnt 1)")
    .option('--platform <name>', 'only the posts of this platform')
    .option(
      '--object <kind>',
      'coortweet: what object_id is: shared-object (reposted post, default), shared-link, shared-domain, shared-hashtag, shared-media, reply-target',
    )
    .option(
      '--edge-weight <q>',
      'coortweet: edge_weight, the quantile of edge weights an edge must exceed (default 0.5)',
    )
    .option(
      '--subgraph <0|1>',
      'coortweet: 0 = the whole network (default), 1 = only the edges above --edge-weight',
    )
    .option('--objects', "coortweet: list each edge's object ids (objects = TRUE)")
    .option('--min-edge-weight <n>', 'cnt: min_edge_weight, the weight an edge needs (default 2)')
    .option('--keep-loops', 'keep loops (coortweet: remove_loops = FALSE; cnt: --include_self_loops)')
    .action(async (opts, cmd) => {
      if (wantsCompat(cmd)) return detectCompat(opts, cmd);
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
      const store = await openExistingStore(opts.db);
      const progress = new StageProgress(process.stderr, opts.quiet);
      try {
        const detected = await detect(store, options, {
          onStage: progress.stage,
          onProgress: progress.progress,
          signal: interrupt.signal,
        });
        const fingerprinted = opts.fingerprint
          ? await fingerprintClusters(store, detected, { onStage: progress.stage })
          : null;
        const result = fingerprinted ?? detected;
        const runId = await saveDetection(store, result);
        progress.done();
        const written = opts.out ? [writeFileAtomic(opts.out, `${JSON.stringify(result, null, 1)}\n`)] : [];
        written.push(...writeExports(result, { gexf: opts.gexf, graphml: opts.graphml, csvDir: opts.csv }));
        console.log(detectionSummary(result, opts.top));
        if (fingerprinted?.clusters.length)
          console.log(
            `\nFingerprints (docs/forensics/; one cluster in detail: lockstep fingerprint --cluster ID):\n\n${fingerprintTable(
              fingerprinted.clusters
                .slice(0, opts.top)
                .map((c) => ({ id: c.id, size: c.size, fingerprint: c.fingerprint })),
            )}`,
          );
        console.log(
          `\nSaved in the store as detection run ${runId}: lockstep fingerprint and lockstep amplification read it.`,
        );
        if (written.length) console.log(`Written: ${written.join(', ')}`);
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
