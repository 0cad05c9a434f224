/** A summary of what a store holds: volumes per platform, time span, ingests, warnings, rejects. */
import type { Store } from './store.js';

export interface PlatformSummary {
  platform: string;
  posts: number;
  accounts: number;
  first: string | null;
  last: string | null;
  kinds: Record<string, number>;
}

export interface IngestSummary {
  ingestId: number;
  fileName: string;
  path: string;
  format: string;
  platform: string | null;
  status: string;
  sha256: string | null;
  startedAt: string;
  finishedAt: string | null;
  rowsRead: number;
  rowsStored: number;
  rowsDuplicate: number;
  rowsRejected: number;
  postsNew: number;
  accountsNew: number;
  timeResolution: string | null;
  warnings: { code: string; message: string; count: number; firstLine: number }[];
  message: string | null;
}

export interface StoreStatus {
  path: string;
  posts: number;
  accounts: number;
  first: string | null;
  last: string | null;
  platforms: PlatformSummary[];
  ingests: IngestSummary[];
  rejects: { total: number; byReason: { reason: string; count: number }[] };
  /** Documents (statements, articles) stored by `lockstep ingest-docs`, for echo tracing. */
  documents: number;
  /** Detection runs saved by `lockstep detect`, latest last. */
  detections: { runId: number; createdAt: string; clusters: number; toolVersion: string | null }[];
}

const iso = (d: unknown) =>
  d instanceof Date
    ? d.toISOString().replace('.000Z', 'Z')
    : d === null || d === undefined
      ? null
      : String(d);

export async function storeStatus(store: Store): Promise<StoreStatus> {
  const platforms = await store.all<{ platform: string; posts: number; first: Date; last: Date }>(
    `SELECT platform, count(*) AS posts, min(created_at) AS first, max(created_at) AS last FROM posts GROUP BY platform ORDER BY posts DESC`,
  );
  const accounts = await store.all<{ platform: string; n: number }>(
    `SELECT platform, count(*) AS n FROM accounts GROUP BY platform`,
  );
  const kinds = await store.all<{ platform: string; kind: string; n: number }>(
    `SELECT platform, kind, count(*) AS n FROM posts GROUP BY ALL ORDER BY n DESC`,
  );
  const ingests = await store.all<Record<string, unknown>>(`SELECT * FROM ingests ORDER BY ingest_id`);
  const rejectsByReason = await store.all<{ reason: string; count: number }>(
    `SELECT regexp_replace(reason, '"[^"]*"', '"..."', 'g') AS reason, count(*) AS count FROM rejects GROUP BY 1 ORDER BY count DESC LIMIT 20`,
  );
  const accountMap = new Map(accounts.map((a) => [a.platform, a.n]));
  const summaries: PlatformSummary[] = platforms.map((p) => ({
    platform: p.platform,
    posts: p.posts,
    accounts: accountMap.get(p.platform) ?? 0,
    first: iso(p.first),
    last: iso(p.last),
    kinds: Object.fromEntries(kinds.filter((k) => k.platform === p.platform).map((k) => [k.kind, k.n])),
  }));
  for (const [platform, n] of accountMap) {
    if (!summaries.some((s) => s.platform === platform))
      summaries.push({ platform, posts: 0, accounts: n, first: null, last: null, kinds: {} });
  }
  const firsts = summaries
    .map((s) => s.first)
    .filter((x): x is string => !!x)
    .sort();
  const lasts = summaries
    .map((s) => s.last)
    .filter((x): x is string => !!x)
    .sort();
  return {
    path: store.path,
    posts: summaries.reduce((a, s) => a + s.posts, 0),
    accounts: summaries.reduce((a, s) => a + s.accounts, 0),
    first: firsts[0] ?? null,
    last: lasts[lasts.length - 1] ?? null,
    platforms: summaries,
    ingests: ingests.map((r) => ({
      ingestId: r.ingest_id as number,
      fileName: r.file_name as string,
      path: r.path as string,
      format: r.format as string,
      platform: (r.platform as string) ?? null,
      status: r.status as string,
      sha256: (r.sha256 as string) ?? null,
      startedAt: iso(r.started_at)!,
      finishedAt: iso(r.finished_at),
      rowsRead: r.rows_read as number,
      rowsStored: r.rows_stored as number,
      rowsDuplicate: r.rows_duplicate as number,
      rowsRejected: r.rows_rejected as number,
      postsNew: r.posts_new as number,
      accountsNew: r.accounts_new as number,
      timeResolution: (r.time_resolution as string) ?? null,
      warnings: r.warnings ? (JSON.parse(String(r.warnings)) as IngestSummary['warnings']) : [],
      message: (r.message as string) ?? null,
    })),
    rejects: {
      total: (await store.value<number>(`SELECT count(*) FROM rejects`)) ?? 0,
      byReason: rejectsByReason,
    },
    documents: await documentCount(store),
    detections: await savedDetections(store),
  };
}

export interface RejectRow {
  ingestId: number;
  fileName: string;
  line: number | null;
  reason: string;
  raw: string | null;
  rawTruncated: boolean;
}

export async function listRejects(
  store: Store,
  options: { ingestId?: number; limit?: number; offset?: number } = {},
): Promise<RejectRow[]> {
  const rows = await store.all<Record<string, unknown>>(
    `SELECT * FROM rejects ${options.ingestId ? 'WHERE ingest_id = ?' : ''} ORDER BY ingest_id, line LIMIT ${Math.max(1, Math.min(options.limit ?? 50, 100_000))} OFFSET ${Math.max(0, options.offset ?? 0)}`,
    options.ingestId ? [options.ingestId] : undefined,
  );
  return rows.map((r) => ({
    ingestId: r.ingest_id as number,
    fileName: r.file_name as string,
    line: (r.line as number) ?? null,
    reason: r.reason as string,
    raw: (r.raw as string) ?? null,
    rawTruncated: r.raw_truncated === true,
  }));
}

/** The saved detection runs (none in a store opened read-only before the table existed). */
async function savedDetections(store: Store): Promise<StoreStatus['detections']> {
  const exists = await store.value<number>(
    `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'detections' AND NOT temporary`,
  );
  if (!exists) return [];
  const rows = await store.all<{
    run_id: number;
    created_at: unknown;
    clusters: number;
    tool_version: string | null;
  }>(`SELECT run_id, created_at, clusters, tool_version FROM detections ORDER BY run_id`);
  return rows.map((r) => ({
    runId: r.run_id,
    createdAt: iso(r.created_at)!,
    clusters: r.clusters,
    toolVersion: r.tool_version,
  }));
}

/** Documents stored (0 in a store opened read-only before the table existed). */
async function documentCount(store: Store): Promise<number> {
  const exists = await store.value<number>(
    `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'documents' AND NOT temporary`,
  );
  return exists ? ((await store.value<number>('SELECT count(*) FROM documents')) ?? 0) : 0;
}
