/**
 * Coordination detection: from the store's posts to clusters of accounts that act in lockstep, with
 * their statistics and evidence. The stages, each in its own file:
 *
 *   actions.ts       every signal's actions (signals/), with compact keys
 *   window.ts        each signal's window: the user's, or estimated from the data (CooRnet)
 *   pairs.ts         co-actions by bucketed equality joins; crowds; exposure for the null model
 *   significance.ts  pairs tested against the null model, Benjamini-Hochberg
 *   cluster.ts       fused graph, Louvain, trimming
 *   summary.ts       cluster statistics, score, confidence, pattern
 *   evidence.ts      the members' posts, side by side
 *
 * Everything runs inside the store (DuckDB temporary tables, dropped at the end); only the graph
 * for clustering and the final clusters come into JavaScript.
 */
import { InterruptedError, UsageError } from '../core/errors.js';
import { collectGarbage } from '../core/memory.js';
import { VERSION } from '../core/version.js';
import type { SignalName } from '../signals/types.js';
import type { Store } from '../store/store.js';
import { collectActions, createAccountKeys, createActionTable } from './actions.js';
import { clusterAccounts } from './cluster.js';
import { collectEvidence } from './evidence.js';
import { coActionUnits, createPairTables, pairAccounts, walkMemory } from './pairs.js';
import { DETECT_DEFAULTS, type DetectOptions, resolveDetectOptions } from './params.js';
import { testPairs } from './significance.js';
import { describeClusters, describeData, describeInputs, stable } from './summary.js';
import type { DetectionResult, SignalParams, SignalStats } from './types.js';
import { estimateWindow } from './window.js';

export interface DetectHooks {
  /** A stage starts (`done` false) or ends (`done` true, with its seconds and a short note). */
  onStage?: (stage: { name: string; done: boolean; seconds?: number; note?: string }) => void;
  /** Progress inside a long stage, 0..1. */
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

const TEMP_TABLES = [
  'det_accounts',
  'det_actions',
  'det_units',
  'det_signal_units',
  'det_local_events',
  'det_local_accounts',
  'det_local_units',
  'det_exposure',
  'det_exposure_total',
  'det_pairs',
  'det_pair_signals',
  'det_local_pairs',
  'det_tested',
  'det_edges',
  'det_communities',
  'det_attach',
  'det_members',
  'det_group_tests',
  'det_bursts',
  'text_family',
];

export async function detect(
  store: Store,
  options: DetectOptions = {},
  hooks: DetectHooks = {},
): Promise<DetectionResult> {
  const o = resolveDetectOptions(options);
  const t0 = performance.now();
  const stage = async <T>(name: string, work: () => Promise<T>, note?: (r: T) => string): Promise<T> => {
    if (hooks.signal?.aborted) throw new InterruptedError('detection interrupted; nothing was kept');
    hooks.onStage?.({ name, done: false });
    const started = performance.now();
    const result = await work();
    hooks.onStage?.({
      name,
      done: true,
      seconds: (performance.now() - started) / 1000,
      note: note?.(result),
    });
    return result;
  };
  const limits: string[] = [];
  try {
    const data = await stage('reading the store', async () =>
      describeData(store, await createAccountKeys(store)),
    );
    if (data.posts === 0)
      throw new UsageError('the store holds no posts; ingest some data first (lockstep ingest FILE)');
    const inputs = await describeInputs(store);
    const resolution = data.timeResolution === 'day' ? 86_400 : data.timeResolution === 'minute' ? 60 : 1;
    if (resolution > 1)
      limits.push(
        `Timestamps have ${data.timeResolution} resolution: windows are at least ${resolution} s and time differences are only known to within ${resolution} s.`,
      );

    await createActionTable(store);
    await createPairTables(store);
    const signals: Partial<Record<SignalName, SignalParams>> = {};
    const stats: Partial<Record<SignalName, SignalStats>> = {};
    const windows = new Map<number, number>();
    // Preparations first (the near-duplicate text families): their memory in JavaScript is given
    // back before the co-actions fill DuckDB's, so the two peaks do not add up.
    for (const s of o.signals) {
      if (!s.descriptor.prepare) continue;
      const notes = await stage(`${s.descriptor.name}: preparing`, () =>
        s.descriptor.prepare!({
          store,
          options: s.options,
          seed: o.seed,
          onProgress: hooks.onProgress,
          signal: hooks.signal,
        }),
      );
      limits.push(...notes);
    }
    // The preparations' arrays (near-duplicate sketches: 128 bytes a distinct text) are garbage now.
    collectGarbage();
    for (const s of o.signals) {
      const name = s.descriptor.name;
      const counted = await stage(
        `${name}: actions`,
        () => collectActions(store, s),
        (r) => `${r.actions.toLocaleString('en')} actions on ${r.objects.toLocaleString('en')} objects`,
      );
      const estimate = counted.actions ? await estimateWindow(store, s.sid) : null;
      const chosen =
        s.userWindow ??
        (estimate === null
          ? s.descriptor.defaultWindow
          : Math.min(DETECT_DEFAULTS.windowMax, Math.max(DETECT_DEFAULTS.windowMin, Math.round(estimate))));
      // Whole seconds, as the join uses them and the result reports them.
      const window = Math.round(Math.max(chosen, s.userWindow === null ? resolution : 0));
      windows.set(s.sid, window);
      signals[name] = {
        enabled: true,
        window,
        windowSource: s.userWindow !== null ? 'user' : estimate === null ? 'default' : 'estimated',
        windowEstimate: estimate,
        options: s.options,
      };
      const unitStats = counted.actions
        ? await stage(
            `${name}: co-actions (window ${window} s)`,
            () => coActionUnits(store, s.sid, window, o.crowdCap),
            (r) => `${r.units.toLocaleString('en')} units (account, object, window)`,
          )
        : { units: 0, crowdedWindows: 0, crowdedActions: 0 };
      stats[name] = {
        ...counted,
        pairs: 0,
        crowdedWindows: unitStats.crowdedWindows,
        crowdedActions: unitStats.crowdedActions,
        edges: 0,
      };
      if (unitStats.crowdedWindows > 0)
        limits.push(
          `${name}: ${unitStats.crowdedWindows.toLocaleString('en')} windows holding more than ${o.crowdCap} actions on one object (${unitStats.crowdedActions.toLocaleString('en')} actions, e.g. viral posts, trending tags) were not expanded into pairs; the test leaves them out of the co-actions and of the null model alike.`,
        );
    }
    // The walk holds its arrays in JavaScript: DuckDB runs within its limit less that much while it
    // runs (pairs.ts: walkMemory), and the arrays are collected as soon as it ends.
    const walkBytes = await walkMemory(store);
    const pairs = await stage(
      'co-actions: pairs of accounts',
      () => store.lendMemory(walkBytes, () => pairAccounts(store, o.minParticipation, hooks.onProgress)),
      (r) =>
        `account pairs: ${o.signals.map((s) => `${s.descriptor.name} ${(r.get(s.sid) ?? 0).toLocaleString('en')}`).join(', ')}`,
    );
    collectGarbage();
    for (const s of o.signals) stats[s.descriptor.name]!.pairs = pairs.get(s.sid) ?? 0;

    const sig = await stage(
      'testing pairs',
      () => testPairs(store, o.minParticipation, o.fdr, o.signals.length),
      (r) =>
        `${r.significantPairs.toLocaleString('en')} of ${r.pairsTested.toLocaleString('en')} pairs significant at FDR ${o.fdr}`,
    );
    for (const s of o.signals) {
      const n = await store.value<number>(`SELECT count(*) FROM det_edges WHERE sigs & ${1 << s.sid} <> 0`);
      stats[s.descriptor.name]!.edges = Number(n ?? 0);
    }
    const clustering = await stage(
      'clustering',
      () => clusterAccounts(store, { ...o, signals: o.signals.length }),
      (r) =>
        `${r.communities} communities, ${r.attached.toLocaleString('en')} accounts pass membership, ${r.clusters} clusters (${r.rejected} dropped as chance), ${r.accounts.toLocaleString('en')} accounts`,
    );
    const evidence = await stage('collecting evidence', () =>
      collectEvidence(store, o.signals, windows, o.evidence),
    );
    const { clusters, edges } = await stage('describing clusters', () =>
      describeClusters(store, o, evidence, windows),
    );
    const result: DetectionResult = {
      tool: { name: 'lockstep', version: VERSION },
      createdAt: new Date().toISOString(),
      params: {
        signals: signals as Record<SignalName, SignalParams>,
        minParticipation: o.minParticipation,
        fdr: o.fdr,
        crowdCap: o.crowdCap,
        minClusterSize: o.minClusterSize,
        neighbours: o.neighbours,
        seed: o.seed,
      },
      inputs,
      data,
      stats: {
        signals: stats,
        pairsTested: sig.pairsTested,
        significantPairs: sig.significantPairs,
        pThreshold: Number.isFinite(sig.logThreshold) ? Math.exp(stable(sig.logThreshold)) : 0,
        accountsInClusters: clustering.accounts,
        seconds: (performance.now() - t0) / 1000,
      },
      clusters,
      edges,
      limits,
    };
    return result;
  } finally {
    for (const t of TEMP_TABLES) await store.run(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
  }
}

export { DETECT_DEFAULTS, type DetectOptions, resolveDetectOptions } from './params.js';
export type * from './types.js';
