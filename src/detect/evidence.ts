/**
 * Stage 6: evidence. For each cluster, the co-action bursts that involve the most members (ties: the
 * rarest objects first), each shown as the members' actual posts in time order with their
 * timestamps and the seconds since the first one: what an investigator puts side by side.
 */
import type { Store } from '../store/store.js';
import type { ResolvedSignal } from './params.js';
import type { Evidence, EvidencePost } from './types.js';

const POSTS_PER_ITEM = 25;
/** Co-actions on one object within this many seconds (an hour, UTC) are one burst of evidence. */
const BURST = 3600;

interface Burst {
  c: number;
  rank: number;
  sid: number;
  ok: string;
  ep: number;
  accounts: number;
}

/** Evidence items per cluster index (`det_members.c`). */
export async function collectEvidence(
  store: Store,
  signals: ResolvedSignal[],
  windows: Map<number, number>,
  perCluster: number,
): Promise<Map<number, Evidence[]>> {
  const out = new Map<number, Evidence[]>();
  if (perCluster === 0) return out;
  // Bursts: (signal, object, hour) with the most members co-acting.
  await store.run(`CREATE OR REPLACE TEMP TABLE det_bursts AS
    WITH inside AS (
      SELECT x.c, e.sid, e.ok, e.t // ${BURST} AS ep, e.a1, e.a2, e.idf FROM det_local_events e
      JOIN det_members x ON x.ak = e.a1 JOIN det_members y ON y.ak = e.a2 AND y.c = x.c),
    bursts AS (
      SELECT c, sid, ok, ep, count(DISTINCT a) AS accounts, max(idf) AS idf
      FROM (SELECT c, sid, ok, ep, a1 AS a, idf FROM inside UNION ALL SELECT c, sid, ok, ep, a2, idf FROM inside)
      GROUP BY ALL),
    ranked AS (SELECT *, row_number() OVER (PARTITION BY c ORDER BY accounts DESC, idf DESC, ok, ep) AS rank FROM bursts)
    SELECT * FROM ranked WHERE rank <= ${perCluster}`);
  const bursts = await store.all<Burst>(
    `SELECT c, rank, sid::INTEGER AS sid, CAST(ok AS VARCHAR) AS ok, ep, accounts::INTEGER AS accounts FROM det_bursts`,
  );
  if (!bursts.length) return out;
  // The members' actions on each burst's object during its hour (and up to a window after it).
  const windowOf = `CASE b.sid ${signals.map((s) => `WHEN ${s.sid} THEN ${windows.get(s.sid) ?? 0}`).join(' ')} ELSE 0 END`;
  const rows = await store.all<{
    c: number;
    rank: number;
    pr: string | number;
    platform: string;
    post_id: string;
    account_id: string;
    handle: string | null;
    created_at: Date;
    kind: string;
    text: string | null;
    urls: string[] | null;
  }>(
    `WITH acts AS (
       SELECT b.c, b.rank, a.pr, a.t,
              row_number() OVER (PARTITION BY b.c, b.rank ORDER BY a.t, a.pr) AS i
       FROM det_bursts b
       JOIN det_actions a ON a.sid = b.sid AND a.ok = b.ok
         AND a.t >= b.ep * ${BURST} AND a.t < (b.ep + 1) * ${BURST} + ${windowOf}
       JOIN det_members m ON m.ak = a.ak AND m.c = b.c)
     SELECT acts.c, acts.rank, CAST(acts.pr AS VARCHAR) AS pr, p.platform, p.post_id, p.account_id, acc.handle,
            p.created_at, p.kind, p.text, p.urls
     FROM acts JOIN (SELECT rowid AS pr, * FROM posts) p ON p.pr = acts.pr
     LEFT JOIN accounts acc ON acc.platform = p.platform AND acc.account_id = p.account_id
     WHERE acts.i <= ${POSTS_PER_ITEM}
     ORDER BY acts.c, acts.rank, p.created_at, p.post_id`,
  );
  const objects = await objectValues(store, signals, bursts, rows);
  const byBurst = new Map<string, typeof rows>();
  for (const r of rows) {
    const key = `${r.c}/${r.rank}`;
    if (!byBurst.has(key)) byBurst.set(key, []);
    byBurst.get(key)!.push(r);
  }
  bursts.sort((a, b) => a.c - b.c || a.rank - b.rank);
  for (const b of bursts) {
    const posts = byBurst.get(`${b.c}/${b.rank}`) ?? [];
    if (!posts.length) continue;
    const signal = signals.find((s) => s.sid === b.sid)!;
    const t0 = posts[0]!.created_at.getTime();
    const items: EvidencePost[] = posts.map((p) => ({
      platform: p.platform,
      postId: p.post_id,
      accountId: p.account_id,
      handle: p.handle,
      createdAt: p.created_at.toISOString().replace('.000Z', 'Z'),
      deltaSeconds: Math.round((p.created_at.getTime() - t0) / 1000),
      kind: p.kind,
      text: p.text,
      urls: p.urls ?? [],
    }));
    if (!out.has(b.c)) out.set(b.c, []);
    out.get(b.c)!.push({
      signal: signal.descriptor.name,
      object: objects.get(`${b.sid}/${b.ok}`) ?? '',
      objectLabel: signal.descriptor.objectLabel,
      accounts: b.accounts,
      spanSeconds: items[items.length - 1]!.deltaSeconds,
      posts: items,
    });
  }
  return out;
}

/** The readable object of each burst (a URL, a tag, a post id), recovered from the signal's own SQL. */
async function objectValues(
  store: Store,
  signals: ResolvedSignal[],
  bursts: Burst[],
  rows: { pr: string | number }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const prs = [...new Set(rows.map((r) => String(r.pr)))];
  if (!prs.length) return out;
  for (const s of signals) {
    const wanted = new Set(bursts.filter((b) => b.sid === s.sid).map((b) => b.ok));
    if (!wanted.size) continue;
    const found = await store.all<{ ok: string; obj: string }>(
      `SELECT DISTINCT CAST(hash(obj) AS VARCHAR) AS ok, obj FROM (${s.descriptor.actionsSql(s.options)})
       WHERE pr IN (${prs.join(', ')})`,
    );
    const labels = s.descriptor.labelObjects
      ? await s.descriptor.labelObjects(
          store,
          found.filter((f) => wanted.has(f.ok)).map((f) => f.obj),
        )
      : null;
    for (const f of found) if (wanted.has(f.ok)) out.set(`${s.sid}/${f.ok}`, labels?.get(f.obj) ?? f.obj);
  }
  return out;
}
