/**
 * Detection settings: a public defaults object, then the user's values resolved against it and
 * validated with messages that name the setting (as sigma's `resolveSettings` / `validateSettings`).
 */
import { UsageError } from '../core/errors.js';
import { resolveOptions, SIGNALS, signalByName } from '../signals/index.js';
import type { OptionValue, SignalDescriptor, SignalName } from '../signals/types.js';

export interface DetectOptions {
  /** Signals to run (default: every signal enabled by default). */
  signals?: SignalName[];
  /** Co-action window in seconds for every signal; absent: estimated from the data per signal. */
  window?: number;
  /** Per-signal windows (seconds), over `window`. */
  windows?: Partial<Record<SignalName, number>>;
  /** Signal options, e.g. `{ 'shared-link': { level: 'domain' } }`. */
  signalOptions?: Partial<Record<SignalName, Record<string, OptionValue>>>;
  minParticipation?: number;
  fdr?: number;
  crowdCap?: number;
  minClusterSize?: number;
  neighbours?: number;
  seed?: number;
  /** Evidence items kept per cluster. */
  evidence?: number;
}

export const DETECT_DEFAULTS = {
  /** Co-actions (distinct post pairs) a pair needs (CooRTweet's `min_participation` plays the same part). */
  minParticipation: 2,
  /** Benjamini-Hochberg false discovery rate over all tested pairs. */
  fdr: 0.01,
  /** Windows of one object with more actions than this are not expanded into pairs. */
  crowdCap: 200,
  minClusterSize: 3,
  /** Significant edges kept per account (its strongest) when clustering. */
  neighbours: 30,
  seed: 1,
  evidence: 5,
  /** Bounds of an estimated window (seconds): never below the data's time resolution. */
  windowMin: 10,
  windowMax: 900,
};

export interface ResolvedSignal {
  /** Index of the signal in this run (its bit in edge signal masks). */
  sid: number;
  descriptor: SignalDescriptor;
  options: Record<string, OptionValue>;
  /** The user's window, if any; the estimate fills in the rest at run time. */
  userWindow: number | null;
}

export interface ResolvedDetectOptions {
  signals: ResolvedSignal[];
  minParticipation: number;
  fdr: number;
  crowdCap: number;
  minClusterSize: number;
  neighbours: number;
  seed: number;
  evidence: number;
}

export function resolveDetectOptions(o: DetectOptions = {}): ResolvedDetectOptions {
  const names = o.signals?.length
    ? [...new Set(o.signals)]
    : SIGNALS.filter((s) => s.enabledByDefault).map((s) => s.name);
  const descriptors = names.map((n) => signalByName(n));
  for (const name of Object.keys(o.signalOptions ?? {}))
    if (!names.includes(name as SignalName))
      throw new UsageError(`options given for signal "${name}", which is not run; add it to --signals`);
  const windows = o.windows ?? {};
  for (const name of Object.keys(windows))
    if (!names.includes(name as SignalName))
      throw new UsageError(`a window given for signal "${name}", which is not run; add it to --signals`);
  const signals = descriptors.map((descriptor, sid): ResolvedSignal => {
    const w = windows[descriptor.name] ?? o.window;
    if (w !== undefined) check(`window of ${descriptor.name}`, w, 0, 7 * 86_400, 'seconds');
    return {
      sid,
      descriptor,
      options: resolveOptions(descriptor, o.signalOptions?.[descriptor.name]),
      userWindow: w ?? null,
    };
  });
  const d = DETECT_DEFAULTS;
  const r: ResolvedDetectOptions = {
    signals,
    minParticipation: o.minParticipation ?? d.minParticipation,
    fdr: o.fdr ?? d.fdr,
    crowdCap: o.crowdCap ?? d.crowdCap,
    minClusterSize: o.minClusterSize ?? d.minClusterSize,
    neighbours: o.neighbours ?? d.neighbours,
    seed: o.seed ?? d.seed,
    evidence: o.evidence ?? d.evidence,
  };
  check('min-participation', r.minParticipation, 1, 1_000_000, 'co-actions', true);
  check('fdr', r.fdr, Number.MIN_VALUE, 1, '');
  check('crowd-cap', r.crowdCap, 2, 100_000, 'actions', true);
  check('min-cluster-size', r.minClusterSize, 2, 1_000_000, 'accounts', true);
  check('neighbours', r.neighbours, 1, 10_000, 'edges', true);
  check('seed', r.seed, -(2 ** 31), 2 ** 32 - 1, '', true);
  check('evidence', r.evidence, 0, 1000, 'items', true);
  return r;
}

function check(name: string, v: number, lo: number, hi: number, unit: string, integer = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v)))
    throw new UsageError(
      `invalid ${name}: ${v}; expecting ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}${unit ? ` ${unit}` : ''}`,
    );
}
