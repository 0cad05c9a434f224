/**
 * The Run view's background jobs: ingest an uploaded file, or detect (then fingerprint and save the
 * run, as `lockstep detect` does). Each job runs on a connection of its own, so the views keep
 * answering while it works; one job at a time, because a store has one writer. Progress is polled
 * (GET /api/jobs): the current stage, a count when there is one, a line per finished stage.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { LockstepError, UsageError } from '../core/errors.js';
import { detect } from '../detect/index.js';
import type { DetectOptions } from '../detect/params.js';
import { saveDetection } from '../detect/saved.js';
import { fingerprintClusters } from '../forensics/index.js';
import { ingestFile } from '../ingest/pipeline.js';
import type { Store } from '../store/store.js';
import type { Job } from './types.js';

/** Finished jobs kept for the list. */
const KEEP = 20;

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const seconds = (s: number | undefined) =>
  s === undefined ? '' : ` (${s < 10 ? s.toFixed(1) : Math.round(s)} s)`;

export class Jobs {
  private readonly jobs: Job[] = [];
  private readonly controllers = new Map<string, AbortController>();
  private running: Promise<void> | null = null;

  /** `onFinish` is called after every job, done or failed (the store may have changed). */
  constructor(
    private readonly store: Store,
    private readonly onFinish: () => void = () => undefined,
  ) {}

  list(): Job[] {
    return [...this.jobs].reverse();
  }

  get(id: string): Job | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  /** Asks a running job to stop; it rolls back (nothing half-done is kept). */
  cancel(id: string): boolean {
    const c = this.controllers.get(id);
    c?.abort();
    return !!c;
  }

  /** Ingests `path` (an uploaded file, removed afterwards only when nothing was stored from it). */
  ingest(path: string, name: string, options: { format?: string; platform?: string }): Job {
    return this.start('ingest', async (job, signal) => {
      job.stage = `reading ${name}`;
      const connection = await this.store.connect();
      try {
        const report = await ingestFile(connection, path, {
          ...options,
          signal,
          onProgress: (p) => {
            job.stage = p.phase === 'commit' ? 'saving into the store' : `reading ${name}`;
            job.progress = p.totalBytes
              ? { done: p.diskBytes, total: p.totalBytes, unit: 'bytes' }
              : { done: p.rows, total: null, unit: 'rows' };
          },
        });
        job.log.push(
          `${report.fileName}: ${report.format} (${report.platform}); read ${report.rowsRead} = stored ${report.rowsStored} + duplicate ${report.rowsDuplicate} + rejected ${report.rowsRejected}`,
        );
        for (const w of report.warnings) job.log.push(`warning: ${w.message}: ${w.count} rows`);
        job.result = { ingest: report };
      } catch (err) {
        rmSync(path, { force: true });
        throw err;
      } finally {
        connection.close();
      }
    });
  }

  /** Detects with `options`, fingerprints the clusters and saves the run. */
  detect(options: DetectOptions): Job {
    return this.start('detect', async (job, signal) => {
      const connection = await this.store.connect();
      const onStage = (s: { name: string; done: boolean; seconds?: number; note?: string }) => {
        if (!s.done) {
          job.stage = s.name;
          job.progress = null;
        } else job.log.push(`${s.name}${seconds(s.seconds)}${s.note ? `: ${s.note}` : ''}`);
      };
      try {
        const detected = await detect(connection, options, {
          signal,
          onStage,
          onProgress: (fraction) => {
            job.progress = { done: Math.round(fraction * 1000), total: 1000, unit: 'permille' };
          },
        });
        const result = await fingerprintClusters(connection, detected, { onStage });
        job.stage = 'saving the run';
        const runId = await saveDetection(connection, result);
        job.log.push(`saved as detection run ${runId}: ${result.clusters.length} clusters`);
        job.result = { runId, clusters: result.clusters.length };
      } finally {
        connection.close();
      }
    });
  }

  private start(kind: Job['kind'], work: (job: Job, signal: AbortSignal) => Promise<void>): Job {
    if (this.store.readOnly)
      throw new UsageError(
        'the store is open read-only (lockstep serve --read-only); restart without it to ingest or detect',
      );
    if (this.running)
      throw new UsageError('a job is already running; wait for it to finish (the Run view shows it)');
    const job: Job = {
      id: randomBytes(6).toString('hex'),
      kind,
      state: 'running',
      startedAt: now(),
      finishedAt: null,
      stage: null,
      progress: null,
      log: [],
      error: null,
      result: null,
    };
    this.jobs.push(job);
    while (this.jobs.length > KEEP) this.jobs.shift();
    const controller = new AbortController();
    this.controllers.set(job.id, controller);
    this.running = work(job, controller.signal)
      .then(() => {
        job.state = 'done';
      })
      .catch((err: unknown) => {
        job.state = 'failed';
        job.error =
          err instanceof LockstepError
            ? err.message
            : `internal error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (this is a bug; please report it)`;
      })
      .finally(() => {
        job.finishedAt = now();
        job.stage = null;
        this.controllers.delete(job.id);
        this.running = null;
        this.onFinish();
      });
    return job;
  }

  /** Stops every running job (the server is shutting down). */
  cancelAll(): void {
    for (const c of this.controllers.values()) c.abort();
  }

  /** Resolves when the running job (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }
}
