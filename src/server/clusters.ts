/**
 * Cluster reads for the workbench: the ranked list, one cluster with its fingerprint and creation
 * dates, its members and its evidence, each list paged and searchable. Everything but the members'
 * profiles and creation dates comes from the saved run.
 */
import { listValue } from '@duckdb/node-api';
import type { Store } from '../store/store.js';
import { iso } from './accounts.js';
import { type PageParams, pageOf } from './params.js';
import { clusterOfRun, type LoadedRun } from './runs.js';
import type {
  ClusterResponse,
  ClustersResponse,
  EvidenceResponse,
  EvidenceRow,
  MemberRow,
  MembersResponse,
} from './types.js';

const has = (text: string | null | undefined, q: string) => !!text && text.toLowerCase().includes(q);

/** The run's clusters, ranked; `q` matches a cluster id or a member's handle or name (substring). */
export function clusterList(run: LoadedRun, q: string | undefined, page: PageParams): ClustersResponse {
  const needle = q?.toLowerCase().replace(/^@/, '');
  const rows = needle
    ? run.rows.filter((r) => {
        if (r.id.toLowerCase() === needle) return true;
        const c = run.byId.get(r.id)!;
        return c.members.some(
          (m) => has(m.handle, needle) || has(m.displayName, needle) || m.accountId === needle,
        );
      })
    : run.rows;
  return pageOf(rows, page);
}

export async function clusterDetail(store: Store, run: LoadedRun, id: string): Promise<ClusterResponse> {
  const c = clusterOfRun(run, id);
  const row = run.rows.find((r) => r.id === c.id)!;
  const days = await store.all<{ day: Date; accounts: number }>(
    `SELECT a.created_at::DATE AS day, count(*) AS accounts
     FROM detection_members m JOIN accounts a ON a.platform = m.platform AND a.account_id = m.account_id
     WHERE m.run_id = ? AND m.cluster_id = ? AND a.created_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
    [run.runId, c.id],
  );
  const dated = days.reduce((a, d) => a + d.accounts, 0);
  const { rhythm, ...fingerprint } = c.fingerprint ?? { rhythm: null };
  return {
    cluster: { ...row, notes: c.notes, observed: c.observed, expected: c.expected, pValue: c.pValue },
    run: { runId: run.runId, createdAt: run.createdAt },
    rhythm,
    populationRhythm: run.result.population?.rhythm ?? null,
    fingerprint: c.fingerprint ? (fingerprint as ClusterResponse['fingerprint']) : null,
    creation: days.map((d) => ({ day: iso(d.day)!.slice(0, 10), accounts: d.accounts })),
    undated: c.size - dated,
  };
}

/** Members, strongest first; `q` matches handle, name or id (substring). */
export async function clusterMembers(
  store: Store,
  run: LoadedRun,
  id: string,
  q: string | undefined,
  page: PageParams,
): Promise<MembersResponse> {
  const c = clusterOfRun(run, id);
  const needle = q?.toLowerCase().replace(/^@/, '');
  const members = needle
    ? c.members.filter((m) => has(m.handle, needle) || has(m.displayName, needle) || has(m.accountId, needle))
    : c.members;
  const shown = pageOf(members, page);
  const profiles = new Map<string, { created_at: unknown; followers: unknown }>();
  if (shown.items.length) {
    const rows = await store.all<{ k: string; created_at: unknown; followers: unknown }>(
      `SELECT platform || ':' || account_id AS k, created_at, followers FROM accounts
       WHERE platform || ':' || account_id IN (SELECT unnest(?::VARCHAR[]))`,
      [listValue(shown.items.map((m) => m.key))],
    );
    for (const r of rows) profiles.set(r.k, r);
  }
  const items: MemberRow[] = shown.items.map((m) => {
    const p = profiles.get(m.key);
    return {
      ...m,
      createdAt: iso(p?.created_at),
      followers: p?.followers === null || p?.followers === undefined ? null : Number(p.followers),
    };
  });
  return { ...shown, items };
}

/**
 * The evidence as rows: each item's posts side by side in time order, items strongest first; `q`
 * matches words in the text, the handle, the object or a URL (case-insensitive substring).
 */
export function clusterEvidence(
  run: LoadedRun,
  id: string,
  q: string | undefined,
  page: PageParams,
): EvidenceResponse {
  const c = clusterOfRun(run, id);
  const needle = q?.toLowerCase().replace(/^#/, '');
  const rows: EvidenceRow[] = [];
  c.evidence.forEach((e, item) => {
    for (const p of e.posts)
      rows.push({ ...p, item, signal: e.signal, objectLabel: e.objectLabel, object: e.object });
  });
  const matching = needle
    ? rows.filter(
        (r) =>
          has(r.text, needle) ||
          has(r.handle, needle) ||
          has(r.object, needle) ||
          r.urls.some((u) => has(u, needle)) ||
          r.postId === needle,
      )
    : rows;
  return {
    ...pageOf(matching, page),
    groups: c.evidence.map((e, item) => ({
      item,
      signal: e.signal,
      objectLabel: e.objectLabel,
      object: e.object,
      accounts: e.accounts,
      spanSeconds: e.spanSeconds,
    })),
  };
}
