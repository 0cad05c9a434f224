/** The terminal view of fingerprints: one line per cluster, and the detail of one set with charts. */
import type { Fingerprint } from '../forensics/index.js';
import { offsetLabel, type Rhythm } from '../forensics/rhythm.js';
import { bar, heatmap, sparkline } from './charts.js';
import { terminalSafe } from './detection-text.js';
import { n, pct, table } from './text.js';

const p10 = (log10P: number) => (log10P < -300 ? 'p < 1e-300' : `p ~ 1e${Math.round(log10P)}`);

/** `UTC+03:00 (+02:15..+04:00, medium)` or `-` without an estimate. */
export function zoneText(r: Rhythm): string {
  const o = r.offset;
  if (o.minutes === null) return '-';
  const range = o.interval
    ? ` (${offsetLabel(o.interval[0]).slice(3)}..${offsetLabel(o.interval[1]).slice(3)})`
    : '';
  return `${offsetLabel(o.minutes)}${range} ${o.confidence}`;
}

function statedText(r: Rhythm): string {
  const l = r.locations;
  const top = l.top[0];
  if (!top) return '-';
  const claim = `${offsetLabel(top.offsetMinutes)} ${pct(top.accounts / Math.max(1, l.located))}`;
  return l.contradicts ? `${claim}, contradicts` : claim;
}

/** One row per set: the headline of each statistic. */
export function fingerprintTable(rows: { id: string; size: number; fingerprint: Fingerprint }[]): string {
  return table(
    rows.map(({ id, size, fingerprint: f }) => [
      id,
      size,
      f.rhythm.officeHours.verdict === 'office hours'
        ? `office ${pct(f.rhythm.officeHours.officeShare)}, off ${f.rhythm.officeHours.daysOff.join('/')}`
        : f.rhythm.officeHours.verdict,
      zoneText(f.rhythm),
      statedText(f.rhythm),
      f.creation.batchCount ? `${f.creation.batchCount} (${pct(f.creation.shareInBatches)} of dated)` : '-',
      topTemplate(f),
      f.cadence.judged ? `${f.cadence.scripted}/${f.cadence.judged}` : '-',
    ]),
    [
      'set',
      'accounts',
      'working rhythm',
      'operators likely at',
      'stated zone',
      'creation batches',
      'handle template',
      'scripted',
    ],
  );
}

function topTemplate(f: Fingerprint): string {
  const t = f.identity.templates.find((x) => x.significant);
  return t ? `${t.template} ${pct(t.share)} (x${t.enrichment.toFixed(1)})` : '-';
}

/** Everything about one set, with the 7 x 24 heatmaps and small charts. */
export function fingerprintDetail(id: string, f: Fingerprint, population: { rhythm: Rhythm }): string {
  const out: string[] = [];
  const r = f.rhythm;
  const pr = population.rhythm;
  out.push(`${terminalSafe(id, 60)}: ${n(f.accounts)} accounts, ${n(r.posts)} posts`);
  out.push('', 'Rhythm (docs/forensics/rhythm.md)');
  out.push(
    `  ${r.officeHours.verdict}: the shift explains ${pct(r.officeHours.officeShare)} of the activity (population ${pct(pr.officeHours.officeShare)}); workdays ${r.officeHours.weekendRatio.toFixed(1)}x as busy as ${r.officeHours.daysOff.join('/')} (population ${pr.officeHours.weekendRatio.toFixed(1)}x); ${pct(r.officeHours.concentration)} of posts in the busiest 9 hours; midday dip ${pct(r.officeHours.middayDip)}`,
  );
  if (r.offset.minutes !== null) {
    const shift = r.offset.shift;
    out.push(
      `  operators most likely at ${zoneText(r)} confidence, from the ${r.offset.basis}${shift ? `; fitted shift ${hhmm(shift.start)}-${hhmm(shift.end)} local${shift.lunch ? `, lunch ${hhmm(shift.lunch[0])}-${hhmm(shift.lunch[1])}` : ''}` : ''}`,
    );
  }
  const l = r.locations;
  out.push(
    l.located
      ? `  stated locations: ${n(l.located)} of ${n(r.accounts)} accounts map to a time zone; ${l.top
          .slice(0, 3)
          .map((t) => `${offsetLabel(t.offsetMinutes)} ${n(t.accounts)} (${t.zones.slice(0, 2).join(', ')})`)
          .join(
            '; ',
          )}${l.contradicts === null ? '' : l.contradicts ? ' - most contradict the estimate' : ' - consistent with the estimate'}`
      : '  stated locations: none maps to a time zone',
  );
  out.push('', heatmap(r.hourOfWeekUtc, 'posts by hour of the week, UTC'));
  if (r.offset.minutes !== null)
    out.push(
      '',
      heatmap(
        r.hourOfWeekLocal,
        `the same in the operators' likely local time (${offsetLabel(r.offset.minutes)})`,
      ),
    );
  const hours = (m: number[][]) => m[0]!.map((_, h) => m.reduce((s, row) => s + row[h]!, 0));
  out.push(
    '',
    `  hour of day, UTC  ${sparkline(hours(r.hourOfWeekUtc))}  this set`,
    `                    ${sparkline(hours(pr.hourOfWeekUtc))}  population`,
  );

  const c = f.creation;
  out.push('', 'Account creation (docs/forensics/accounts.md)');
  out.push(
    `  ${n(c.dated)} dated of ${n(c.members)}${c.dated ? `, ${c.first} .. ${c.last}` : ''}; ${c.batchCount} batch${c.batchCount === 1 ? '' : 'es'} holding ${pct(c.shareInBatches)} of the dated; same-day pairs ${c.concentration.toFixed(1)}x the population's`,
  );
  for (const b of c.batches)
    out.push(
      `  ${b.start}${b.end !== b.start ? `..${b.end}` : ''}  ${String(b.count).padStart(5)} created, ${b.expected.toFixed(1)} expected  ${p10(b.log10P)}`,
    );

  const i = f.identity;
  out.push('', 'Identity');
  for (const t of i.templates.slice(0, 3))
    out.push(
      `  handle shape ${t.template.padEnd(12)} ${bar(t.share, 12)} ${pct(t.share)} of members vs ${pct(t.populationShare)} of the population (x${t.enrichment.toFixed(1)}${t.significant ? `, ${p10(t.log10P)}` : ', not significant'}), e.g. @${terminalSafe(t.example, 30)}`,
    );
  out.push(
    `  name + digits handles: ${pct(i.nameDigits.share)} vs ${pct(i.nameDigits.populationShare)}; identical bios: ${n(i.bios.duplicated)} members; near-duplicate bio pairs ${pct(i.bios.nearPairRate)} vs ${pct(i.bios.populationNearPairRate)}; identical display names: ${n(i.displayNames.duplicated)}`,
  );
  for (const g of i.bios.groups.slice(0, 2)) out.push(`    ${g.count} x bio "${terminalSafe(g.text, 70)}"`);
  if (i.sharedUrls.length)
    out.push(
      `  shared profile URLs: ${i.sharedUrls
        .slice(0, 3)
        .map((u) => `${terminalSafe(u.url, 50)} (${u.members})`)
        .join(', ')}`,
    );
  out.push(
    `  main client: ${i.clients
      .slice(0, 3)
      .map((x) => `${terminalSafe(x.client, 30)} ${pct(x.share)} (population ${pct(x.populationShare)})`)
      .join(', ')}; divergence from the population ${i.clientDivergence.toFixed(2)} (0 same, 1 disjoint)`,
  );
  if (i.changes.handleChanged || i.changes.nameChanged)
    out.push(
      `  profile changes: ${i.changes.handleChanged} changed handle, ${i.changes.nameChanged} changed display name`,
    );

  const k = f.cadence;
  out.push('', 'Cadence');
  out.push(
    k.judged
      ? `  ${n(k.judged)} accounts with enough posts (${k.tooFewPosts} with too few); burstiness median ${k.medianBurstiness?.toFixed(2)} (population ${k.population.medianBurstiness?.toFixed(2) ?? '-'}), -1 regular .. 1 bursty  ${sparkline(k.burstinessHistogram)}; scripted ${k.scripted} (${pct(k.scriptedShare)})`
      : `  no account has enough posts to judge (${k.tooFewPosts} with too few)`,
  );
  for (const e of k.examples.slice(0, 3))
    out.push(
      `    @${terminalSafe(e.handle ?? e.accountId, 30)}: ${e.posts} posts, ${e.rules.join(', ')}, modal gap ${e.modalInterval ?? '-'} s (${pct(e.modalShare)})`,
    );
  return out.join('\n');
}

const hhmm = (h: number) =>
  `${String(Math.floor(h)).padStart(2, '0')}:${String(Math.round((h % 1) * 60)).padStart(2, '0')}`;
