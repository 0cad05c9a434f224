/**
 * Sites <-> organisations, and clusters -> the sites they push:
 * - `website`: a party's FtM `website` (or an FtM `Domain`-like URL) by host, `www.` aside, when the
 *   host appears in the store's posts;
 * - `pushes`: for the latest saved detection, each flagged cluster and each domain it posted,
 *   from the amplification measure (forensics/amplification.ts): the cluster's share of the
 *   domain's posts, ranked by its Wilson lower bound; a cluster pushes a domain when its own posts
 *   carry it at least `minPosts` times and the clusters' share is at least `minShare`. The evidence
 *   keeps the counts and the cluster's first post with the domain (its date orders the path).
 */
import { loadDetection } from '../../detect/saved.js';
import { amplification } from '../../forensics/amplification.js';
import { clusterSet } from '../../forensics/index.js';
import type { Store } from '../../store/store.js';

export const PUSH_DEFAULTS = { minPosts: 5, minShare: 0.2, top: 200 };

const host = (col: string) =>
  `regexp_replace(regexp_extract(lower(${col}), '^(?:[a-z]+://)?([^/:?#]+)', 1), '^www\\.', '')`;

export async function linkWebsites(store: Store): Promise<number> {
  await store.run(`DELETE FROM entity_links WHERE kind = 'website'`);
  const posts = Number(await store.value(`SELECT count(*) FROM (SELECT 1 FROM posts LIMIT 1)`));
  if (!posts) return 0;
  await store.run(
    `CREATE OR REPLACE TEMP TABLE post_domains AS SELECT DISTINCT unnest(domains) AS d FROM posts`,
  );
  await store.run(`INSERT INTO entity_links
    SELECT DISTINCT 'website', s.entity_id, 'domain', ${host('s.value')}, 0.9, json_object('website', s.value), now()::TIMESTAMP
    FROM statements s JOIN post_domains p ON p.d = ${host('s.value')}
    WHERE s.prop = 'website'`);
  return Number(await store.value(`SELECT count(*) FROM entity_links WHERE kind = 'website'`));
}

export async function linkPushedDomains(
  store: Store,
  options: Partial<typeof PUSH_DEFAULTS> = {},
): Promise<number> {
  const o = { ...PUSH_DEFAULTS, ...options };
  await store.run(`DELETE FROM entity_links WHERE kind = 'pushes'`);
  const saved = Number(await store.value(`SELECT count(*) FROM detections`));
  if (!saved) return 0;
  const { result } = await loadDetection(store);
  const flagged = result.clusters.filter((c) => c.openIndicators.length === 0);
  if (!flagged.length) return 0;
  const amp = await amplification(store, {
    sets: flagged.map(clusterSet),
    kinds: ['domain'],
    top: o.top,
    minPosts: o.minPosts,
    minAccounts: 2,
  });
  const values: string[] = [];
  for (const item of amp.items) {
    if (item.postShare < o.minShare) continue;
    for (const c of item.clusters.top) {
      if (c.posts < o.minPosts) continue;
      const evidence = {
        posts: c.posts,
        accounts: c.accounts,
        clusterShare: c.postShare,
        domainPosts: item.posts,
        flaggedShare: item.postShare,
        date: item.firstFlagged?.at?.slice(0, 10) ?? null,
        firstPost: item.firstFlagged,
      };
      values.push(
        `('pushes', 'cluster:${c.cluster.replaceAll("'", "''")}', 'domain', '${item.key.replaceAll("'", "''")}', ${Math.min(1, 0.5 + item.postShareLower / 2)}, '${JSON.stringify(evidence).replaceAll("'", "''")}'::JSON, now()::TIMESTAMP)`,
      );
    }
  }
  for (let i = 0; i < values.length; i += 1_000)
    await store.run(`INSERT INTO entity_links VALUES ${values.slice(i, i + 1_000).join(', ')}`);
  return values.length;
}
