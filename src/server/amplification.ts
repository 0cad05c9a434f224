/**
 * Amplification for the workbench: the library's `amplification` (the same call as `lockstep
 * amplification`) over a run's flagged clusters, computed once per run and time bucket on a
 * connection of its own (seconds on a large store: text families are built) and kept; and the
 * volume over time of any one hashtag, link or domain, coordinated against the rest, read on demand.
 */
import { NotFoundError } from '../core/errors.js';
import { isFlagged } from '../detect/saved.js';
import {
  type AmplificationResult,
  amplification,
  ITEM_KINDS,
  type ItemKind,
} from '../forensics/amplification.js';
import { clusterSet } from '../forensics/index.js';
import { normalizeTag } from '../ingest/normalize/text.js';
import { canonicalUrl } from '../ingest/normalize/url.js';
import type { Store } from '../store/store.js';
import { iso } from './accounts.js';
import type { LoadedRun } from './runs.js';
import type { AmplificationResponse, ItemSeriesResponse } from './types.js';

/** Items of each kind kept per run (the view lists them; the overview shows the first ten). */
export const AMPLIFICATION_TOP = 25;
/** Runs' results kept. */
const KEEP = 8;

export class AmplificationCache {
  private readonly results = new Map<string, Promise<AmplificationResult>>();
  /** One computation at a time: each holds a connection and a few temporary tables. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store) {}

  /**
   * The run's amplification: the top items of each kind with their series by `by`. Hashtags, links
   * and domains are SQL in DuckDB (the server keeps answering meanwhile); near-duplicate text
   * families are built in JavaScript (MinHash, seconds on a large store, during which the server's
   * one thread is busy), so they are computed only when asked for (`families`).
   */
  get(run: LoadedRun, by: 'day' | 'hour', families: boolean): Promise<AmplificationResult> {
    const key = `${run.runId}:${by}:${families}`;
    let result = this.results.get(key);
    if (!result) {
      result = this.tail.then(() => this.compute(run, by, families));
      this.tail = result.catch(() => undefined);
      this.results.set(key, result);
      result.catch(() => this.results.delete(key));
      while (this.results.size > KEEP) this.results.delete(this.results.keys().next().value!);
    }
    return result;
  }

  private async compute(run: LoadedRun, by: 'day' | 'hour', families: boolean): Promise<AmplificationResult> {
    const connection = await this.store.connect();
    try {
      return await amplification(connection, {
        sets: run.result.clusters.filter(isFlagged).map(clusterSet),
        top: AMPLIFICATION_TOP,
        bucket: by,
        kinds: families ? [...ITEM_KINDS] : ITEM_KINDS.filter((k) => k !== 'text-family'),
      });
    } finally {
      connection.close();
    }
  }
}

export function amplificationResponse(
  result: AmplificationResult,
  kinds: ItemKind[] | undefined,
  top: number,
  by: 'day' | 'hour',
): AmplificationResponse {
  const wanted = new Set(kinds ?? ITEM_KINDS);
  return {
    kinds: result.kinds.filter((k) => wanted.has(k.kind)),
    items: result.items.filter((i) => wanted.has(i.kind) && i.kindRank <= top),
    flagged: { sets: result.flagged.sets, accounts: result.flagged.accounts },
    by,
  };
}

const LIST_COLUMN: Record<Exclude<ItemKind, 'text-family'>, string> = {
  hashtag: 'hashtags',
  link: 'urls',
  domain: 'domains',
};

/**
 * Posts per bucket carrying one hashtag, link or domain, and how many of them the run's flagged
 * clusters made. The key is normalised as ingest stores it (`#Tag` and `tag` are one hashtag).
 */
export async function itemSeries(
  store: Store,
  run: LoadedRun,
  kind: Exclude<ItemKind, 'text-family'>,
  raw: string,
  by: 'day' | 'hour',
): Promise<ItemSeriesResponse> {
  const key =
    kind === 'hashtag'
      ? normalizeTag(raw)
      : kind === 'link'
        ? (canonicalUrl(raw)?.url ?? raw)
        : (canonicalUrl(`http://${raw.replace(/^[a-z]+:\/\//i, '')}`)?.domain ?? raw.toLowerCase());
  const rows = await store.all<{ t: Date; posts: number; flagged: number }>(
    `WITH f AS (SELECT DISTINCT platform, account_id FROM detection_members WHERE run_id = ? AND flagged)
     SELECT date_trunc('${by}', p.created_at) AS t, count(*) AS posts,
            count(*) FILTER (WHERE f.account_id IS NOT NULL) AS flagged
     FROM posts p LEFT JOIN f ON f.platform = p.platform AND f.account_id = p.account_id
     WHERE list_contains(p.${LIST_COLUMN[kind]}, ?) GROUP BY 1 ORDER BY 1`,
    [run.runId, key],
  );
  if (!rows.length)
    throw new NotFoundError(`no post in this store carries the ${kind} "${raw.slice(0, 80)}"`);
  const series = rows.map((r) => ({ t: iso(r.t)!, posts: r.posts, flaggedPosts: r.flagged }));
  return {
    kind,
    key,
    label: kind === 'hashtag' ? `#${key}` : key,
    posts: series.reduce((a, s) => a + s.posts, 0),
    flaggedPosts: series.reduce((a, s) => a + s.flaggedPosts, 0),
    series,
    by,
  };
}
