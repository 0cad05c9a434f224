/**
 * Detection results kept in the investigation store (tables `detections` and `detection_members`),
 * so that the commands and views that read findings (fingerprint, amplification, the workbench) do
 * not run detection again. The latest run is the default everywhere.
 */
import { UsageError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { Cluster, DetectionResult } from './types.js';

/** A cluster counts as flagged when it shows no sign of open, authentic coordination. */
export const isFlagged = (c: Pick<Cluster, 'openIndicators'>): boolean => c.openIndicators.length === 0;

/** Saves a result; returns its run id. */
export async function saveDetection(store: Store, result: DetectionResult): Promise<number> {
  const runId = ((await store.value<number>('SELECT max(run_id) FROM detections')) ?? 0) + 1;
  const members = result.clusters.flatMap((c) =>
    c.members.map((m) => [c.id, m.platform, m.accountId, String(m.strength), String(isFlagged(c))]),
  );
  await store.run('BEGIN TRANSACTION');
  try {
    await store.run(`INSERT INTO detections VALUES (?, now()::TIMESTAMP, ?, ?, CAST(? AS JSON))`, [
      runId,
      result.tool.version,
      result.clusters.length,
      JSON.stringify(result),
    ]);
    await store.run(
      `INSERT INTO detection_members
       SELECT ?, r[1], r[2], r[3], CAST(r[4] AS DOUBLE), CAST(r[5] AS BOOLEAN)
       FROM (SELECT unnest(CAST(? AS VARCHAR[][])) AS r)`,
      [runId, JSON.stringify(members)],
    );
    await store.run('COMMIT');
  } catch (err) {
    await store.run('ROLLBACK');
    throw err;
  }
  return runId;
}

export interface SavedDetection {
  runId: number;
  createdAt: string;
  result: DetectionResult;
}

/** The saved run `runId`, or the latest; a one-line error when there is none. */
export async function loadDetection(store: Store, runId?: number): Promise<SavedDetection> {
  const rows = await store.all<{ run_id: number; created_at: string; result: string }>(
    `SELECT run_id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, CAST(result AS VARCHAR) AS result
     FROM detections ${runId === undefined ? '' : 'WHERE run_id = ?'} ORDER BY run_id DESC LIMIT 1`,
    runId === undefined ? [] : [runId],
  );
  const row = rows[0];
  if (!row)
    throw new UsageError(
      runId === undefined
        ? 'no detection saved in this store; run lockstep detect first'
        : `no detection run ${runId} in this store (lockstep status lists them)`,
    );
  return { runId: row.run_id, createdAt: row.created_at, result: JSON.parse(row.result) as DetectionResult };
}
