/**
 * The coordination window of a signal, estimated from the data as CooRnet's
 * `estimate_coord_interval` does (Giglietto, Righetti, Rossi & Marino 2020): among objects acted on
 * more than once, take the quickest ones (second action within the `q` quantile of second-action
 * delays), and for each the time it took to gather more than a share `p` of its actions; the window
 * is the `p` quantile of those times. q = 0.1 and p = 0.5 are CooRnet's defaults.
 */
import type { Store } from '../store/store.js';

export const WINDOW_ESTIMATE = { q: 0.1, p: 0.5, minObjects: 20 };

/** Seconds, or null when fewer than `minObjects` objects were acted on more than once. */
export async function estimateWindow(store: Store, sid: number): Promise<number | null> {
  const { q, p, minObjects } = WINDOW_ESTIMATE;
  const [row] = await store.all<{ window: number | null; objects: number }>(
    `WITH ranked AS (
       SELECT ok, t - min(t) OVER w AS since_first,
              row_number() OVER (w ORDER BY t) AS rank, count(*) OVER w AS n
       FROM det_actions WHERE sid = ${sid}
       WINDOW w AS (PARTITION BY ok)),
     repeated AS (SELECT * FROM ranked WHERE n > 1),
     second AS (SELECT ok, since_first AS delay FROM repeated WHERE rank = 2),
     quick AS (SELECT ok FROM second WHERE delay <= (SELECT quantile_cont(delay, ${q}) FROM second)),
     reach AS (
       SELECT ok, min(since_first) AS seconds FROM repeated JOIN quick USING (ok)
       WHERE rank / n > ${p} GROUP BY ok)
     SELECT quantile_cont(seconds, ${p}) AS window, (SELECT count(*) FROM second)::BIGINT AS objects
     FROM reach`,
  );
  if (!row || row.objects < minObjects || row.window === null) return null;
  return row.window;
}
