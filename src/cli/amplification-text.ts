/** The terminal view of amplification: per kind of item, the most manufactured ones with small charts. */
import type { AmplificationResult, AmplifiedItem, ItemKind } from '../forensics/amplification.js';
import { bar, sparkline } from './charts.js';
import { terminalSafe } from './detection-text.js';
import { n, pct, table } from './text.js';

const TITLES: Record<ItemKind, string> = {
  hashtag: 'Hashtags',
  link: 'Links',
  domain: 'Domains',
  'text-family': 'Near-duplicate text families',
};

function minutes(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Flagged posts per bucket over the whole span of the data (buckets without posts are blanks). */
function flaggedSeries(item: AmplifiedItem, buckets: string[]): string {
  const byT = new Map(item.series.map((p) => [p.t.slice(0, 13), p.flaggedPosts]));
  return sparkline(buckets.map((b) => byT.get(b) ?? 0));
}

/** Bucket keys (`YYYY-MM-DDTHH`, hours or days) from start to end of the data. */
export function bucketKeys(start: string | null, end: string | null, bucket: 'day' | 'hour'): string[] {
  if (!start || !end) return [];
  const step = bucket === 'day' ? 86_400_000 : 3_600_000;
  const floor = (t: number) => t - (t % step);
  const out: string[] = [];
  for (let t = floor(Date.parse(start)); t <= Date.parse(end) && out.length < 400; t += step)
    out.push(new Date(t).toISOString().slice(0, 13));
  return out;
}

export function amplificationText(
  r: AmplificationResult,
  span: { start: string | null; end: string | null },
  top: number,
): string {
  const out: string[] = [];
  out.push(
    `Flagged: ${n(r.flagged.accounts)} accounts in ${n(r.flagged.sets)} clusters, ${n(r.flagged.withItems)} of them posted a measured item. Shares are of the collected data, not of the platform (docs/forensics/amplification.md).`,
  );
  const buckets = bucketKeys(span.start, span.end, r.parameters.bucket);
  for (const k of r.kinds) {
    const items = r.items.filter((i) => i.kind === k.kind).slice(0, top);
    out.push(
      '',
      `${TITLES[k.kind]}: ${n(k.items)} in the data, ${n(k.eligible)} with at least ${r.parameters.minPosts} posts and ${r.parameters.minAccounts} accounts are ranked; the flagged clusters made ${n(k.flaggedPosts)} of ${n(k.posts)} uses (${pct(k.posts ? k.flaggedPosts / k.posts : 0)})`,
    );
    if (!items.length) continue;
    out.push(
      table(
        items.map((i) => [
          i.kindRank,
          terminalSafe(i.label, 42),
          i.posts,
          i.accounts,
          `${bar(i.postShare, 10)} ${pct(i.postShare)} (>= ${pct(i.postShareLower)})`,
          pct(i.accountShare),
          i.clusters.top.map((c) => c.cluster).join(' ') || '-',
          i.firstSeen.flagged
            ? 'a flagged account'
            : i.leadSeconds === null
              ? 'others only'
              : `others, ${minutes(i.leadSeconds)} earlier`,
          i.pileIn ? `${i.pileIn.accounts} accts, 90% in ${minutes(i.pileIn.secondsTo90)}` : '-',
          flaggedSeries(i, buckets),
        ]),
        [
          '#',
          'item',
          'posts',
          'accounts',
          'posts by flagged clusters',
          'of accounts',
          'clusters',
          'first posted by',
          'pile-in',
          `flagged posts per ${r.parameters.bucket}`,
        ],
      ),
    );
  }
  return out.join('\n');
}
