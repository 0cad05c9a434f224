/**
 * Saved detection runs as the workbench reads them: parsed once and kept (a run never changes once
 * saved), the latest run found again on every request (the Run view adds new ones), and each
 * cluster as a row of the ranked list.
 */
import { NotFoundError } from '../core/errors.js';
import { isFlagged, loadDetection } from '../detect/saved.js';
import type { Edge } from '../detect/types.js';
import { offsetLabel } from '../forensics/rhythm.js';
import type { SavedResult } from '../report/result.js';
import type { Store } from '../store/store.js';
import type { ClusterRow, RunInfo } from './types.js';

export type { SavedResult };

export interface LoadedRun {
  runId: number;
  createdAt: string;
  result: SavedResult;
  /** Clusters by id, and the cluster of each member key. */
  byId: Map<string, SavedResult['clusters'][number]>;
  clusterOf: Map<string, string>;
  /** Members' handles, and each member's significant edges. */
  handleOf: Map<string, string | null>;
  edgesOf: Map<string, Edge[]>;
  rows: ClusterRow[];
}

/** Runs kept parsed (the JSON of a large run is megabytes); the oldest is dropped first. */
const KEEP = 4;

export class Runs {
  private readonly cache = new Map<number, Promise<LoadedRun>>();

  constructor(private readonly read: <T>(work: (store: Store) => Promise<T>) => Promise<T>) {}

  /** The latest run's id, or null when none is saved. */
  async latestId(): Promise<number | null> {
    const id = await this.read((s) => s.value<number | null>('SELECT max(run_id) FROM detections'));
    return id ?? null;
  }

  /** Run `runId`, or the latest; NotFoundError when there is none. */
  async get(runId?: number): Promise<LoadedRun> {
    const id = runId ?? (await this.latestId());
    if (id === null)
      throw new NotFoundError('no detection saved in this store yet; run one (Run view, or lockstep detect)');
    let run = this.cache.get(id);
    if (!run) {
      run = this.load(id);
      this.cache.set(id, run);
      run.catch(() => this.cache.delete(id));
      while (this.cache.size > KEEP) this.cache.delete(this.cache.keys().next().value!);
    }
    return run;
  }

  /** Like `get`, but null when no run is saved yet. */
  async maybe(runId?: number): Promise<LoadedRun | null> {
    if (runId === undefined && (await this.latestId()) === null) return null;
    return this.get(runId);
  }

  private async load(runId: number): Promise<LoadedRun> {
    const saved = await this.read(async (s) => {
      const exists = await s.value<number>('SELECT count(*) FROM detections WHERE run_id = ?', [runId]);
      if (!exists)
        throw new NotFoundError(`no detection run ${runId} in this store; the Overview lists the saved runs`);
      return loadDetection(s, runId);
    });
    const result = saved.result as SavedResult;
    const byId = new Map(result.clusters.map((c) => [c.id, c]));
    const clusterOf = new Map<string, string>();
    const handleOf = new Map<string, string | null>();
    for (const c of result.clusters)
      for (const m of c.members) {
        clusterOf.set(m.key, c.id);
        handleOf.set(m.key, m.handle);
      }
    const edgesOf = new Map<string, Edge[]>();
    for (const e of result.edges)
      for (const k of [e.source, e.target]) {
        const list = edgesOf.get(k);
        if (list) list.push(e);
        else edgesOf.set(k, [e]);
      }
    return {
      runId,
      createdAt: saved.createdAt,
      result,
      byId,
      clusterOf,
      handleOf,
      edgesOf,
      rows: result.clusters.map(clusterRow),
    };
  }
}

export function clusterRow(c: SavedResult['clusters'][number]): ClusterRow {
  const rhythm = c.fingerprint?.rhythm;
  return {
    id: c.id,
    size: c.size,
    score: c.score,
    confidence: c.confidence,
    log10P: c.log10P,
    density: c.density,
    signals: c.signals,
    pattern: c.pattern,
    openIndicators: c.openIndicators,
    flagged: isFlagged(c),
    days: c.days,
    first: c.first,
    last: c.last,
    medianDeltaSeconds: c.medianDeltaSeconds,
    offsetLabel: rhythm?.offset.minutes == null ? null : offsetLabel(rhythm.offset.minutes),
    officeHours: rhythm ? rhythm.officeHours.verdict : null,
  };
}

export function runInfo(run: LoadedRun): RunInfo {
  const r = run.result;
  return {
    runId: run.runId,
    createdAt: run.createdAt,
    toolVersion: r.tool.version,
    clusters: r.clusters.length,
    accountsInClusters: r.stats.accountsInClusters,
    params: r.params,
    data: r.data,
    stats: r.stats,
    inputs: r.inputs,
    limits: r.limits,
  };
}

/** A cluster of the run, or NotFoundError. */
export function clusterOfRun(run: LoadedRun, id: string): SavedResult['clusters'][number] {
  const c = run.byId.get(id);
  if (!c) throw new NotFoundError(`no cluster "${id.slice(0, 40)}" in detection run ${run.runId}`);
  return c;
}
