/**
 * `lockstep detect --compat coortweet|cnt`: the peer-compatibility modes of src/detect/compat/ on
 * the command line (docs/compat.md). Instead of Lockstep's own detection, the store's posts go
 * through a peer tool's exact procedure and the peer's own files are written, so that they can be
 * compared with `diff`:
 * - `coortweet`: CooRTweet 2.1.3 `detect_groups` + `generate_coordinated_network` (Righetti &
 *   Balluff), files as `data.table::fwrite` writes them;
 * - `cnt`: the co-retweet network of QUT Digital Observatory's coordination-network-toolkit (Graham
 *   et al.), the edge CSV of its `compute_networks ... compute co_retweet --output_format csv`.
 *
 * Options are named after the peers' parameters (`--time-window` for `time_window`, ...), with the
 * peers' defaults. Every option a mode does not read is refused, so that no setting is silently
 * ignored. All files are written under temporary names and renamed together at the end: an error or
 * Ctrl-C leaves the folder as it was.
 */
import { accessSync, constants, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InterruptedError, UsageError } from '../../core/errors.js';
import {
  CNT_EDGE_CSV,
  CNT_FILE,
  COORTWEET_FILES,
  COORTWEET_OBJECTS,
  type CoortweetObject,
  cntCoRetweet,
  cntNodes,
  coortweetDetectGroups,
  edgeCsvColumns,
  NODE_CSV,
  writeCsvFile,
} from '../../detect/compat/index.js';
import { ensureFolder } from '../../report/exports/files.js';
import type { Store } from '../../store/store.js';
import { StageProgress } from '../progress.js';
import { interrupt, openExistingStore } from '../shared.js';
import { n } from '../text.js';

export const COMPAT_MODES = ['coortweet', 'cnt'] as const;
export type CompatMode = (typeof COMPAT_MODES)[number];

/** The peers' own defaults (CooRTweet's function arguments; the toolkit's command line). */
export const COMPAT_DEFAULTS = {
  coortweet: { object: 'shared-object', timeWindow: 10, minParticipation: 2, edgeWeight: 0.5, subgraph: 0 },
  cnt: { timeWindow: 1, minEdgeWeight: 2 },
} as const;

/** What `detect` hands over: its parsed options (commander attribute names). */
export interface CompatCliOptions {
  db: string;
  quiet?: boolean;
  compat?: string;
  outDir?: string;
  platform?: string;
  timeWindow?: string;
  object?: string;
  minParticipation: number;
  edgeWeight?: string;
  subgraph?: string;
  objects?: boolean;
  minEdgeWeight?: string;
  keepLoops?: boolean;
}

/** Where each option's value came from (commander's `getOptionValueSource`), and its flag. */
export interface OptionSources {
  getOptionValueSource(key: string): string | undefined;
  readonly options: readonly { attributeName(): string; long?: string | undefined }[];
}

/** Options only the compatibility modes read. */
const COMPAT_ONLY = [
  'compat',
  'outDir',
  'platform',
  'timeWindow',
  'object',
  'edgeWeight',
  'subgraph',
  'objects',
  'minEdgeWeight',
  'keepLoops',
];

/** The options each mode reads; any other one given is refused. */
const READS: Record<CompatMode, readonly string[]> = {
  coortweet: [
    'db',
    'quiet',
    'compat',
    'outDir',
    'platform',
    'timeWindow',
    'object',
    'minParticipation',
    'edgeWeight',
    'subgraph',
    'objects',
    'keepLoops',
  ],
  cnt: ['db', 'quiet', 'compat', 'outDir', 'platform', 'timeWindow', 'minEdgeWeight', 'keepLoops'],
};

/** What to use instead, for the refused options a user is likely to reach for. */
const INSTEAD: Record<CompatMode, Record<string, string>> = {
  coortweet: {
    window: 'use --time-window',
    signals: 'choose what is shared with --object',
    minEdgeWeight: 'CooRTweet filters edges with --edge-weight, a quantile of the edge weights',
  },
  cnt: {
    window: 'use --time-window',
    signals: 'the toolkit pairs retweets only (for other objects use --compat coortweet --object ...)',
    minParticipation: "use --min-edge-weight (the toolkit's min_edge_weight)",
    edgeWeight: "use --min-edge-weight, a count (the toolkit's min_edge_weight)",
  },
};

const TOOL: Record<CompatMode, string> = {
  coortweet: 'CooRTweet 2.1.3',
  cnt: 'coordination-network-toolkit co-retweet',
};

/** What `object_id` is for each `--object`. */
const OBJECT_ID: Record<CoortweetObject, string> = {
  'shared-object': 'the reposted post',
  'shared-link': 'each link',
  'shared-domain': "each link's domain",
  'shared-hashtag': 'each hashtag',
  'shared-media': 'each media item',
  'reply-target': 'the post replied to',
};

const given = (sources: OptionSources, key: string): boolean => {
  const source = sources.getOptionValueSource(key);
  return source !== undefined && source !== 'default';
};

const flagOf = (sources: OptionSources, key: string): string =>
  sources.options.find((o) => o.attributeName() === key)?.long ?? key;

/** True when `detect` was asked for a compatibility run (or given one of its options). */
export function wantsCompat(sources: OptionSources): boolean {
  return COMPAT_ONLY.some((key) => given(sources, key));
}

interface CoortweetRun {
  mode: 'coortweet';
  object: CoortweetObject;
  timeWindow: number;
  minParticipation: number;
  edgeWeight: number;
  subgraph: boolean;
  objects: boolean;
  removeLoops: boolean;
}

interface CntRun {
  mode: 'cnt';
  timeWindow: number;
  minEdgeWeight: number;
  loops: boolean;
}

type Run = (CoortweetRun | CntRun) & { outDir: string; platform: string | undefined };

/** An option's number, `fallback` when not given, NaN when it is not a number (`Number('')` is 0). */
const number = (value: string | undefined, fallback: number): number =>
  value === undefined ? fallback : value.trim() ? Number(value) : Number.NaN;

function seconds(value: string | undefined, fallback: number): number {
  const s = number(value, fallback);
  if (!Number.isFinite(s) || s < 0)
    throw new UsageError(`invalid --time-window "${value}": expecting a number of seconds >= 0, e.g. 60`);
  return s;
}

/** Checks the options against the mode and resolves them with the peer's defaults. */
function resolveCompat(opts: CompatCliOptions, sources: OptionSources): Run {
  if (opts.compat === undefined) {
    const flags = COMPAT_ONLY.filter((k) => given(sources, k)).map((k) => flagOf(sources, k));
    throw new UsageError(
      `${flags.join(', ')} appl${flags.length === 1 ? 'ies' : 'y'} only to peer-compatibility runs: add --compat coortweet or --compat cnt (see docs/compat.md)`,
    );
  }
  const mode = opts.compat as CompatMode;
  if (!COMPAT_MODES.includes(mode))
    throw new UsageError(
      `unknown --compat mode "${opts.compat}"; use coortweet (CooRTweet 2.1.3) or cnt (coordination-network-toolkit co-retweet)`,
    );
  for (const o of sources.options) {
    const key = o.attributeName();
    if (!given(sources, key) || READS[mode].includes(key)) continue;
    const instead = INSTEAD[mode][key];
    throw new UsageError(
      `${o.long} does not apply to --compat ${mode} (${TOOL[mode]}); ${instead ?? `it reads ${READS[mode].map((k) => flagOf(sources, k)).join(', ')}`}`,
    );
  }
  if (!opts.outDir)
    throw new UsageError(`--compat ${mode} writes the peer's files: give the folder with --out-dir DIR`);
  if (opts.platform !== undefined && !opts.platform.trim())
    throw new UsageError('invalid --platform "": give a platform name such as twitter or facebook');
  const common = { outDir: opts.outDir, platform: opts.platform };
  if (mode === 'cnt') {
    const d = COMPAT_DEFAULTS.cnt;
    const minEdgeWeight = number(opts.minEdgeWeight, d.minEdgeWeight);
    if (!Number.isInteger(minEdgeWeight) || minEdgeWeight < 0)
      throw new UsageError(
        `invalid --min-edge-weight "${opts.minEdgeWeight}": expecting a whole number >= 0, e.g. 2`,
      );
    return {
      mode,
      ...common,
      timeWindow: seconds(opts.timeWindow, d.timeWindow),
      minEdgeWeight,
      loops: Boolean(opts.keepLoops),
    };
  }
  const d = COMPAT_DEFAULTS.coortweet;
  const object = (opts.object ?? d.object) as CoortweetObject;
  if (!COORTWEET_OBJECTS.includes(object))
    throw new UsageError(`unknown --object "${opts.object}"; use one of ${COORTWEET_OBJECTS.join(', ')}`);
  const edgeWeight = number(opts.edgeWeight, d.edgeWeight);
  if (!(edgeWeight >= 0 && edgeWeight <= 1))
    throw new UsageError(
      `invalid --edge-weight "${opts.edgeWeight}": expecting a quantile between 0 and 1, e.g. 0.5 (edges must weigh more than that quantile of the weights)`,
    );
  const subgraph = opts.subgraph ?? String(d.subgraph);
  if (subgraph === '2' || subgraph === '3')
    throw new UsageError(
      `--subgraph ${subgraph} needs CooRTweet's fast_net (flag_speed_share), which Lockstep does not reproduce; use 0 (the whole network) or 1 (the edges above --edge-weight)`,
    );
  if (subgraph !== '0' && subgraph !== '1')
    throw new UsageError(
      `invalid --subgraph "${subgraph}": use 0 (the whole network) or 1 (the edges above --edge-weight)`,
    );
  return {
    mode,
    ...common,
    object,
    timeWindow: seconds(opts.timeWindow, d.timeWindow),
    minParticipation: given(sources, 'minParticipation') ? opts.minParticipation : d.minParticipation,
    edgeWeight,
    subgraph: subgraph === '1',
    objects: Boolean(opts.objects),
    removeLoops: !opts.keepLoops,
  };
}

/**
 * Files written under hidden temporary names in the output folder, then renamed into place all
 * together (`commit`); `discard` removes whatever is left of an unfinished run.
 */
class StagedFiles {
  private readonly staged: { temp: string; path: string }[] = [];

  constructor(private readonly dir: string) {}

  /** A temporary path for the file `name` of the folder. */
  temp(name: string): string {
    const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
    this.staged.push({ temp, path: join(this.dir, name) });
    return temp;
  }

  commit(): string[] {
    for (const f of this.staged) renameSync(f.temp, f.path);
    const written = this.staged.map((f) => f.path);
    this.staged.length = 0;
    return written;
  }

  discard(): void {
    for (const f of this.staged) rmSync(f.temp, { force: true });
  }
}

const rTrue = (b: boolean) => (b ? 'TRUE' : 'FALSE');
const short = (x: number) => String(Number(x.toPrecision(6)));
const onPlatform = (platform: string | undefined) => (platform === undefined ? '' : ` on ${platform}`);

/** Posts and shares of each kind (on the platform asked for), to refuse a run that has nothing to pair. */
async function checkInput(store: Store, run: Run, db: string): Promise<void> {
  const params = run.platform === undefined ? [] : [run.platform];
  const [counts] = await store.all<Record<string, number>>(
    `SELECT count(*) AS posts,
      count(*) FILTER (WHERE kind = 'repost' AND ref_post_id IS NOT NULL) AS "shared-object",
      coalesce(sum(len(urls)), 0) AS "shared-link", coalesce(sum(len(domains)), 0) AS "shared-domain",
      coalesce(sum(len(hashtags)), 0) AS "shared-hashtag", coalesce(sum(len(media)), 0) AS "shared-media",
      count(*) FILTER (WHERE reply_to_post_id IS NOT NULL) AS "reply-target"
    FROM posts ${run.platform === undefined ? '' : 'WHERE platform = ?'}`,
    params,
  );
  const c = counts!;
  if (!c.posts) {
    if (run.platform === undefined)
      throw new UsageError(`the store ${db} holds no posts; ingest some data first (lockstep ingest FILE)`);
    const platforms = await store.all<{ platform: string }>(
      'SELECT DISTINCT platform FROM posts ORDER BY platform',
    );
    throw new UsageError(
      `the store ${db} holds no posts on platform "${run.platform}"; ${platforms.length ? `its platforms: ${platforms.map((p) => p.platform).join(', ')}` : 'ingest some data first (lockstep ingest FILE)'}`,
    );
  }
  const object: CoortweetObject = run.mode === 'coortweet' ? run.object : 'shared-object';
  if (c[object]) return;
  const others = COORTWEET_OBJECTS.filter((o) => c[o]).map((o) => `${o} ${n(c[o])}`);
  const has = others.length ? `the store has: ${others.join(', ')}` : 'its posts share nothing';
  throw new UsageError(
    run.mode === 'cnt'
      ? `no reposts in the store${onPlatform(run.platform)}, and the toolkit's co-retweet network pairs retweets; ${has} (for those, use --compat coortweet --object ...)`
      : `nothing to pair: the store${onPlatform(run.platform)} holds no shares for --object ${object} (object_id = ${OBJECT_ID[object]}); choose another --object (${has})`,
  );
}

/**
 * Runs `lockstep detect --compat ...`: checks the options, runs the peer's procedure over the store,
 * writes the peer's files to `--out-dir` and prints a short summary with the effective parameters.
 */
export async function detectCompat(opts: CompatCliOptions, sources: OptionSources): Promise<void> {
  const run = resolveCompat(opts, sources);
  const store = await openExistingStore(opts.db);
  const progress = new StageProgress(process.stderr, opts.quiet);
  const files = new StagedFiles(run.outDir);
  // Ctrl-C stops the running query too (DuckDB checks for it while it works).
  const stopQuery = () => store.connection.interrupt();
  const stopped = () =>
    new InterruptedError(`interrupted: nothing was written to ${run.outDir}; run the same command again`);
  interrupt.signal.addEventListener('abort', stopQuery);
  const step = async <T>(name: string, work: () => Promise<T> | T, note?: (r: T) => string): Promise<T> => {
    if (interrupt.signal.aborted) throw stopped();
    progress.stage({ name, done: false });
    const started = performance.now();
    const result = await work();
    progress.stage({ name, done: true, seconds: (performance.now() - started) / 1000, note: note?.(result) });
    return result;
  };
  try {
    await checkInput(store, run, opts.db);
    ensureFolder(run.outDir);
    try {
      accessSync(run.outDir, constants.W_OK);
    } catch {
      throw new UsageError(`cannot write to ${run.outDir}; choose a writable folder with --out-dir`);
    }
    const summary =
      run.mode === 'coortweet'
        ? await coortweet(store, run, files, step)
        : await cnt(store, run, files, step);
    const written = files.commit();
    progress.done();
    console.log(`${summary.join('\n')}\nWritten: ${written.join(', ')}`);
  } catch (err) {
    throw interrupt.signal.aborted ? stopped() : err;
  } finally {
    interrupt.signal.removeEventListener('abort', stopQuery);
    files.discard();
    progress.done();
    store.close();
  }
}

type Step = <T>(name: string, work: () => Promise<T> | T, note?: (r: T) => string) => Promise<T>;

async function coortweet(store: Store, run: CoortweetRun & Run, files: StagedFiles, step: Step) {
  const pairs = await step(
    'detect_groups',
    () =>
      coortweetDetectGroups(store, {
        object: run.object,
        timeWindow: run.timeWindow,
        minParticipation: run.minParticipation,
        removeLoops: run.removeLoops,
        platform: run.platform,
      }),
    (p) => `${n(p.count)} pairs`,
  );
  try {
    await step('writing the pairs', () => pairs.writeCsv(files.temp(COORTWEET_FILES.pairs)));
    const net = await step(
      'generate_coordinated_network',
      () => pairs.network({ edgeWeight: run.edgeWeight, subgraph: run.subgraph, objects: run.objects }),
      (r) => `${n(r.edges.length)} edges`,
    );
    const [edgeFile, nodeFile] = run.subgraph
      ? [COORTWEET_FILES.subgraphEdges, COORTWEET_FILES.subgraphNodes]
      : [COORTWEET_FILES.edges, COORTWEET_FILES.nodes];
    writeCsvFile(files.temp(edgeFile), 'fwrite', edgeCsvColumns(run.objects), net.edges);
    writeCsvFile(files.temp(nodeFile), 'fwrite', NODE_CSV, net.nodes);
    const components = new Set(net.nodes.map((v) => v.component)).size;
    const above = net.edges.filter((e) => e.weight_threshold === 1).length;
    const threshold = Number.isNaN(net.weightThreshold)
      ? 'no edges, so no weight threshold'
      : `${run.subgraph ? `kept the ${n(net.edges.length)}` : `weight_threshold = 1 on ${n(above)}`} of the ${n(net.totalEdges)} edges with weight > ${short(net.weightThreshold)}, the ${run.edgeWeight} quantile of the edge weights`;
    return [
      `${TOOL.coortweet}, object_id = ${OBJECT_ID[run.object]} (--object ${run.object})${onPlatform(run.platform)}: raw co-action counts, no significance test (docs/compat.md)`,
      `detect_groups(time_window = ${run.timeWindow}, min_participation = ${run.minParticipation}, remove_loops = ${rTrue(run.removeLoops)}): ${n(pairs.count)} coordinated share pairs`,
      `generate_coordinated_network(edge_weight = ${run.edgeWeight}, subgraph = ${run.subgraph ? 1 : 0}, objects = ${rTrue(run.objects)}): ${n(net.nodes.length)} nodes, ${n(net.edges.length)} edges, ${n(components)} components`,
      `  ${threshold}`,
    ];
  } finally {
    await pairs.drop();
  }
}

async function cnt(store: Store, run: CntRun & Run, files: StagedFiles, step: Step) {
  const edges = await step(
    'co_retweet',
    () =>
      cntCoRetweet(store, {
        timeWindow: run.timeWindow,
        minEdgeWeight: run.minEdgeWeight,
        loops: run.loops,
        platform: run.platform,
      }),
    (r) => `${n(r.length)} edges`,
  );
  writeCsvFile(files.temp(CNT_FILE), 'python-quote-all', CNT_EDGE_CSV, edges);
  const loops = edges.filter((e) => e.source === e.target).length;
  const count = (k: number, what: string) => `${n(k)} ${what}${k === 1 ? '' : 's'}`;
  return [
    `${TOOL.cnt}${onPlatform(run.platform)}: raw co-action counts, no significance test (docs/compat.md)`,
    `compute co_retweet --time_window ${run.timeWindow} --min_edge_weight ${run.minEdgeWeight}${run.loops ? ' --include_self_loops' : ''}: ${count(edges.length, 'directed edge')}${run.loops ? ` (${count(loops, 'self-loop')})` : ''} among ${count(cntNodes(edges).length, 'account')}`,
  ];
}
