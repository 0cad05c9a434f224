/** Terminal views of the influence layer: an entity page, paths between two nodes. */
import type { InfluencePath } from '../entities/query/map.js';
import type { EntityView } from '../entities/query/show.js';
import type { Source } from '../entities/query/sources.js';
import { n, table } from './text.js';

const src = (s: Source | undefined) => (s ? `${s.file}:${s.row ?? '?'}${s.url ? ` ${s.url}` : ''}` : '-');
const money = (x: number | null, c: string | null) =>
  x === null
    ? '-'
    : `${c ?? ''} ${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`.trim();
const clip = (s: string | null | undefined, k: number) =>
  !s ? '' : s.length > k ? `${s.slice(0, k - 1)}…` : s;

export function entityText(v: EntityView, sources = false): string {
  const out: string[] = [`${v.caption}  [${v.schema}, ${v.id}]`];
  if (v.members.length > 1) out.push(`merged from ${v.members.length} records: ${v.members.join(', ')}`);
  const facts = (title: string, list: EntityView['names']) => {
    if (!list.length) return;
    out.push('', `${title}:`);
    for (const f of list)
      out.push(
        `  ${f.prop.padEnd(18)} ${clip(f.value, 90)}${sources ? `   <- ${f.sources.map(src).join('; ')}` : `   (${f.sources.length} source${f.sources.length === 1 ? '' : 's'}: ${[...new Set(f.sources.map((s) => s.dataset))].join(', ')})`}`,
      );
  };
  facts('Names', v.names);
  facts('Identifiers', v.identifiers);
  facts(
    'Other facts',
    v.properties
      .filter((p) => ['country', 'address', 'position', 'status', 'website', 'notes'].includes(p.prop))
      .slice(0, 12),
  );
  if (v.representations.length) {
    out.push(
      '',
      `Representations (${n(v.totals.representations)}; agent = registered to act for the client):`,
    );
    out.push(
      table(
        v.representations.map((r) => [
          r.role === 'client' ? 'represented by' : 'represents',
          clip(r.other.caption, 60),
          r.registrationNumbers.join(', ') || '-',
          r.startDate ?? '-',
          r.endDate ?? (r.startDate ? 'active' : '-'),
          src(r.record.sources[0]),
        ]),
        ['', 'party', 'registration', 'from', 'to', 'source'],
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  if (v.payments.length) {
    out.push('', `Payments (${n(v.totals.payments)}):`);
    out.push(
      table(
        v.payments.map((p) => [
          p.date ?? '-',
          p.direction === 'in' ? 'from' : 'to',
          clip(p.other?.caption ?? '(no payee named)', 45),
          money(p.amount, p.currency),
          clip(p.purpose, 40),
          src(p.record.sources[0]),
        ]),
        ['date', '', 'party', 'amount', 'purpose', 'source'],
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    out.push(
      `  totals: ${v.paymentTotals.map((t) => `${t.direction} ${t.period} ${money(t.total, t.currency)} (${t.payments})`).join('; ')}`,
    );
  }
  if (v.contacts.length) {
    const types = new Map<string, number>();
    for (const c of v.contacts) types.set(c.type ?? 'unknown', (types.get(c.type ?? 'unknown') ?? 0) + 1);
    out.push(
      '',
      `Contacts and meetings (${n(v.totals.contacts)}: ${[...types].map(([t, k]) => `${t} ${k}`).join(', ')}):`,
    );
    out.push(
      table(
        v.contacts
          .slice(0, 25)
          .map((c) => [
            c.date ?? '-',
            c.type ?? '-',
            clip(c.organizer.map((o) => o.caption).join(', '), 30),
            clip(c.involved.map((o) => o.caption).join(', '), 50),
            clip(
              c.officials
                .map((o) => `${o.member.caption}${o.kind === 'office-of' ? ' (office)' : ''}`)
                .join(', '),
              30,
            ),
            src(c.record.sources[0]),
          ]),
        ['date', 'type', 'by', 'with', 'official', 'source'],
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    if (v.contacts.length > 25) out.push(`  ... ${n(v.contacts.length - 25)} more (--json lists all)`);
  }
  if (v.links.length) {
    out.push('', `Other links (${n(v.totals.links)}):`);
    for (const l of v.links.slice(0, 20))
      out.push(
        `  ${l.schema}${l.role ? ` (${clip(l.role, 40)})` : ''} ${l.direction === 'out' ? '->' : '<-'} ${clip(l.other.caption, 50)}  ${l.startDate ?? ''}  ${src(l.record.sources[0])}`,
      );
  }
  if (v.accounts.length) {
    out.push('', 'Linked accounts:');
    for (const a of v.accounts)
      out.push(
        `  ${a.platform}:${a.handle ? `@${a.handle}` : a.accountId}${a.clusters.length ? `  in clusters ${a.clusters.join(', ')}` : ''}`,
      );
  }
  if (v.documents.length) {
    out.push('', 'Documents:');
    for (const d of v.documents.slice(0, 20))
      out.push(`  ${d.date ?? '-'}  ${d.role}  ${clip(d.title, 70)}  ${d.url ?? d.id}`);
  }
  out.push(
    '',
    'A record shows that something was filed or reported, not why; a contact is not an influence.',
  );
  return out.join('\n');
}

export function pathsText(paths: InfluencePath[]): string {
  if (!paths.length)
    return 'no path found within the hop limit (raise --max-hops, or import the records that connect them)';
  const out: string[] = [];
  paths.forEach((p, i) => {
    out.push(
      `${i + 1}. ${p.hops.length} hop${p.hops.length === 1 ? '' : 's'}, strength ${p.strength.toFixed(2)}, latest ${p.latest ?? 'undated'}${p.timeOrdered ? ', in time order' : ''}`,
    );
    out.push(`   ${p.nodes[0]!.label}`);
    for (const h of p.hops)
      out.push(
        `     -[${h.label}${h.date ? ` ${h.date}` : ''}${h.source ? ` | ${src(h.source)}` : ''}]-> ${h.to.label}`,
      );
  });
  return out.join('\n');
}
