/**
 * Documents that echo a cluster: a statement or article that repeats an item a flagged cluster
 * manufactured (a hashtag or a site the clusters made at least `minShare` of, measured by
 * forensics/amplification.ts), dated on or after the cluster's first post of it: who said it
 * first is part of the evidence. An organic trending hashtag, which no cluster manufactured, links
 * nothing, however many officials repeat it.
 *
 * Documents are the echo stage's (`documents` table, when the store has it) and FtM documents. This
 * is the influence layer's own, narrow echo test (exact campaign items); the echo stage (issue 6)
 * traces talking points in full (near-duplicate text, translations, precedence) on demand, and its
 * findings can feed the same `echo` links (see docs/influence.md, "Seams").
 */
import { loadDetection } from '../../detect/saved.js';
import { amplification } from '../../forensics/amplification.js';
import { clusterSet } from '../../forensics/index.js';
import { normalizeTag } from '../../ingest/normalize/text.js';
import { canonicalUrl } from '../../ingest/normalize/url.js';
import type { Store } from '../../store/store.js';
import { documentRows } from './documents.js';

export const ECHO_DEFAULTS = { minShare: 0.5, minPosts: 5, top: 500 };

interface Doc {
  id: string;
  date: string | null;
  text: string;
}

export async function linkEchoes(store: Store, options: Partial<typeof ECHO_DEFAULTS> = {}): Promise<number> {
  const o = { ...ECHO_DEFAULTS, ...options };
  await store.run(`DELETE FROM entity_links WHERE kind = 'echo'`);
  if (!Number(await store.value(`SELECT count(*) FROM detections`))) return 0;
  // Documents of the echo stage's table (node `document:doc:<id>`) and FtM documents (entities, by canonical id).
  const canonical = new Map(
    (
      await store.all<{ entity_id: string; canonical_id: string }>(
        `SELECT entity_id, canonical_id FROM entity_canonical`,
      )
    ).map((r) => [r.entity_id, r.canonical_id]),
  );
  const docs: Doc[] = (await documentRows(store)).map((d) => ({
    id: d.origin === 'documents' ? `document:${d.id}` : (canonical.get(d.id) ?? d.id),
    date: d.date,
    text: d.text ?? '',
  }));
  if (!docs.length) return 0;
  const { result } = await loadDetection(store);
  const flagged = result.clusters.filter((c) => c.openIndicators.length === 0);
  if (!flagged.length) return 0;
  const amp = await amplification(store, {
    sets: flagged.map(clusterSet),
    kinds: ['hashtag', 'domain'],
    top: o.top,
    minPosts: o.minPosts,
    minAccounts: 2,
  });
  const items = new Map<string, typeof amp.items>();
  for (const item of amp.items) {
    if (item.postShare < o.minShare) continue;
    const key = `${item.kind}:${item.key}`;
    items.set(key, [...(items.get(key) ?? []), item]);
  }
  const values: string[] = [];
  for (const d of docs) {
    if (!d.text) continue;
    const keys = new Set<string>();
    for (const m of d.text.matchAll(/[#＃]([\p{L}\p{N}_]+)/gu)) keys.add(`hashtag:${normalizeTag(m[1]!)}`);
    for (const m of d.text.matchAll(/\bhttps?:\/\/[^\s<>"']+/g)) {
      const host = canonicalUrl(m[0])?.domain;
      if (host) keys.add(`domain:${host}`);
    }
    for (const k of keys)
      for (const item of items.get(k) ?? []) {
        const first = item.firstFlagged?.at?.slice(0, 10) ?? null;
        // A statement before the cluster's first post of the item cannot echo it.
        if (d.date && first && d.date < first) continue;
        for (const c of item.clusters.top) {
          if (c.posts < o.minPosts) continue;
          const evidence = {
            item: k,
            date: d.date,
            clusterFirstPost: first,
            clusterPosts: c.posts,
            flaggedShare: item.postShare,
          };
          values.push(
            `('echo', '${d.id.replaceAll("'", "''")}', 'cluster', '${c.cluster.replaceAll("'", "''")}', ${item.postShare}, '${JSON.stringify(evidence).replaceAll("'", "''")}'::JSON, now()::TIMESTAMP)`,
          );
        }
      }
  }
  for (let i = 0; i < values.length; i += 1_000)
    await store.run(`INSERT INTO entity_links VALUES ${values.slice(i, i + 1_000).join(', ')}`);
  return values.length;
}
