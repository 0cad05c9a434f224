/**
 * The two shapes the other clients read (the contract for issue 5's workbench and HTML report):
 *
 * - `influenceView(store, nameOrId)` for the workbench's "Influence" view: the entity page
 *   (show.ts `EntityView`), its neighbourhood as a layered graph (`nodes` with their layer:
 *   0 the entity, 1 its direct relations, 2 theirs; `edges` with label, date, strength and record),
 *   its timeline (every dated relationship, in order) and its money flows (payer -> beneficiary per
 *   year and currency).
 * - `whoIsBehind(store, clusterId)` for the report's "Who is behind it" section: the parties within
 *   reach of a detected cluster (through the sites it pushes, the accounts it holds, the statements
 *   that echo it), each with its strongest path, and the principals among them (parties someone is
 *   registered to represent), with every hop's record and source, and the limits to print with it.
 *
 * Both are plain JSON (no class instances, dates as ISO strings), stable for the web app and the report.
 */
import type { Store } from '../../store/store.js';
import { type Hop, type InfluencePath, influenceGraph, mapPaths } from './map.js';
import { type EntityView, showEntity } from './show.js';
import { refs } from './sources.js';

export interface GraphNodeView {
  key: string;
  kind: string;
  label: string;
  /** 0 the entity itself, 1 its direct relations, 2 the relations of those. */
  layer: number;
}

export interface GraphEdgeView {
  from: string;
  to: string;
  label: string;
  date: string | null;
  strength: number;
  record: string;
}

export interface MoneyFlow {
  payer: string;
  beneficiary: string;
  period: string;
  currency: string;
  total: number;
  payments: number;
}

export interface InfluenceViewData {
  entity: EntityView;
  graph: { nodes: GraphNodeView[]; edges: GraphEdgeView[]; truncated: boolean };
  timeline: { date: string; label: string; other: string; record: string }[];
  flows: MoneyFlow[];
}

export const VIEW_LIMITS = { nodes: 300 };

export async function influenceView(store: Store, nameOrId: string): Promise<InfluenceViewData> {
  const entity = await showEntity(store, nameOrId);
  const g = await influenceGraph(store);
  const key = `entity:${entity.id}`;
  const nodes = new Map<number, number>();
  const edges: GraphEdgeView[] = [];
  let truncated = false;
  if (g.has(key)) {
    const start = g.node(key);
    nodes.set(start, 0);
    let frontier = [start];
    for (let layer = 1; layer <= 2 && frontier.length; layer++) {
      const next: number[] = [];
      for (const a of frontier)
        for (const [b, e] of g.neighbours(a)) {
          if (!nodes.has(b)) {
            if (nodes.size >= VIEW_LIMITS.nodes) {
              truncated = true;
              continue;
            }
            nodes.set(b, layer);
            next.push(b);
          }
          const [from, to] = g.ends(e);
          edges.push({
            from: g.keys[from]!,
            to: g.keys[to]!,
            label: g.labels[e]!,
            date: g.dates[e] ?? null,
            strength: g.strengths[e]!,
            record: g.records[e]!,
          });
        }
      frontier = next;
    }
  }
  const keys = [...nodes.keys()].map((i) => g.keys[i]!);
  const entityRefs = await refs(
    store,
    keys.filter((k) => k.startsWith('entity:')).map((k) => k.slice(7)),
  );
  const graphNodes = [...nodes].map(([i, layer]) => {
    const k = g.keys[i]!;
    const kind = k.slice(0, k.indexOf(':'));
    return {
      key: k,
      kind,
      layer,
      label: kind === 'entity' ? (entityRefs.get(k.slice(7))?.caption ?? k) : k.slice(kind.length + 1),
    };
  });
  const seen = new Set<string>();
  const uniqueEdges = edges.filter((e) => {
    const k = `${e.record}|${e.from}|${e.to}`;
    if (seen.has(k) || !nodes.has(g.node(e.from)) || !nodes.has(g.node(e.to))) return false;
    seen.add(k);
    return true;
  });
  const events = [
    ...entity.representations.map((r) => ({
      date: r.startDate,
      label: r.role === 'client' ? 'represented by' : 'represents',
      other: r.other.caption,
      record: r.record.id,
    })),
    ...entity.payments.map((p) => ({
      date: p.date,
      label: `${p.direction === 'in' ? 'paid by' : 'paid'} ${p.currency ?? ''} ${p.amount ?? '?'}`,
      other: p.other?.caption ?? '',
      record: p.record.id,
    })),
    ...entity.contacts.map((c) => ({
      date: c.date,
      label: c.type ?? 'contact',
      other: c.involved.map((i) => i.caption).join(', '),
      record: c.record.id,
    })),
    ...entity.links.map((l) => ({
      date: l.startDate,
      label: l.schema,
      other: l.other.caption,
      record: l.record.id,
    })),
  ]
    .filter((e): e is { date: string; label: string; other: string; record: string } => !!e.date)
    .sort((a, b) => a.date.localeCompare(b.date));
  const flows = new Map<string, MoneyFlow>();
  for (const p of entity.payments) {
    if (p.amount === null) continue;
    const payer = p.direction === 'out' ? entity.caption : (p.other?.caption ?? '?');
    const beneficiary = p.direction === 'out' ? (p.other?.caption ?? '(no payee named)') : entity.caption;
    const period = p.date?.slice(0, 4) ?? 'undated';
    const currency = p.currency ?? '?';
    const k = `${payer}|${beneficiary}|${period}|${currency}`;
    const f = flows.get(k) ?? { payer, beneficiary, period, currency, total: 0, payments: 0 };
    flows.set(k, f);
    f.total = Math.round((f.total + p.amount) * 100) / 100;
    f.payments++;
  }
  return {
    entity,
    graph: { nodes: graphNodes, edges: uniqueEdges, truncated },
    timeline: events,
    flows: [...flows.values()].sort((a, b) => a.period.localeCompare(b.period) || b.total - a.total),
  };
}

export interface BehindParty {
  id: string;
  caption: string;
  schema: string;
  /** Someone is registered to represent this party (a FARA or LDA client): a principal. */
  principal: boolean;
  /** The strongest path from the cluster to the party, every hop with its record and source. */
  path: InfluencePath;
}

export interface WhoIsBehind {
  cluster: string;
  parties: BehindParty[];
  /** Statements or articles that echo the cluster, with their speakers. */
  echoes: { document: string; speaker: string | null; date: string | null; hops: Hop[] }[];
  limits: string[];
}

export const WHO_IS_BEHIND_LIMITS = [
  'A path connects records; it does not show that anyone directed the accounts or caused a statement.',
  'Public records are incomplete: FARA and LDA filings are self-reported, late or missing; unregistered advocates appear only where someone recorded them.',
  'Names are matched, not proven: every merged entity lists the records it was merged from, and judgements can undo a merge.',
  'A website or account link says who runs a site or account according to a record, not who wrote each post.',
];

/** The parties within reach of a cluster (see the header), strongest first. */
export async function whoIsBehind(store: Store, clusterId: string, maxHops = 4): Promise<WhoIsBehind> {
  const g = await influenceGraph(store);
  const start = `cluster:${clusterId.replace(/^cluster:/, '')}`;
  if (!g.has(start)) return { cluster: clusterId, parties: [], echoes: [], limits: WHO_IS_BEHIND_LIMITS };
  // Entities reachable within maxHops, breadth first.
  const depth = new Map<number, number>([[g.node(start), 0]]);
  let frontier = [g.node(start)];
  for (let d = 1; d <= maxHops && frontier.length; d++) {
    const next: number[] = [];
    for (const a of frontier)
      for (const [b] of g.neighbours(a))
        if (!depth.has(b)) {
          depth.set(b, d);
          next.push(b);
        }
    frontier = next.slice(0, 2_000);
  }
  const entityKeys = [...depth.keys()].map((i) => g.keys[i]!).filter((k) => k.startsWith('entity:'));
  const ids = entityKeys.map((k) => k.slice(7));
  const entityRefs = await refs(store, ids);
  const principals = new Set(
    (
      await store.all<{ id: string }>(
        `SELECT DISTINCT coalesce(c.canonical_id, e.target_id) AS id FROM entity_edges e LEFT JOIN entity_canonical c ON c.entity_id = e.target_id
         WHERE e.rel_schema = 'Representation' AND e.target_prop = 'client'`,
      )
    ).map((r) => r.id),
  );
  const parties: BehindParty[] = [];
  const echoes: WhoIsBehind['echoes'] = [];
  for (const id of ids) {
    const ref = entityRefs.get(id);
    if (!ref) continue;
    const isDocument = ['Article', 'Document', 'PlainText', 'HyperText', 'Page', 'Pages'].includes(
      ref.schema,
    );
    const paths = await mapPaths(store, start, id, { maxHops, limit: 1 });
    const path = paths[0];
    if (!path) continue;
    if (isDocument) {
      const speaker =
        (await store.value<string>(
          `SELECT e.caption FROM entity_links l JOIN entities e ON e.entity_id = l.entity_id WHERE l.kind = 'speaker' AND l.target_id = ? LIMIT 1`,
          [id],
        )) ?? null;
      echoes.push({ document: ref.caption, speaker, date: path.latest, hops: path.hops });
    } else if (['Person', 'Organization', 'Company', 'LegalEntity', 'PublicBody'].includes(ref.schema))
      parties.push({ id, caption: ref.caption, schema: ref.schema, principal: principals.has(id), path });
  }
  parties.sort(
    (a, b) =>
      Number(b.principal) - Number(a.principal) ||
      b.path.strength - a.path.strength ||
      a.caption.localeCompare(b.caption),
  );
  return { cluster: clusterId, parties, echoes, limits: WHO_IS_BEHIND_LIMITS };
}
