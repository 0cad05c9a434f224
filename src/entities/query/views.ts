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
 * Every edge, timeline entry and hop names its record and that record's source (dataset, file, row,
 * URL, date); links found by matching carry their evidence instead (`linkEvidence`).
 */
import { fetchFields } from '../../store/bulk.js';
import type { Store } from '../../store/store.js';
import {
  type Hop,
  type InfluenceGraph,
  type InfluencePath,
  influenceGraph,
  mapPaths,
  nodeLabels,
} from './map.js';
import { type EntityView, type ShowOptions, showEntity } from './show.js';
import { inList, refs, type Source } from './sources.js';

/**
 * The columns of the layered layout, left to right: the operation's accounts (and its clusters),
 * the sites it pushes, organisations (principals, fronts, clients), agents (registered agents,
 * lobbyists, advocates who made contacts), officials, and their statements and articles.
 */
export const TIERS = ['accounts', 'sites', 'organisations', 'agents', 'officials', 'documents'] as const;
export type Tier = (typeof TIERS)[number];

/** FtM schemata of documents (statements, articles, pages). */
export const DOCUMENT_SCHEMATA = new Set(['Article', 'Document', 'PlainText', 'HyperText', 'Page', 'Pages']);

export interface GraphNodeView {
  key: string;
  kind: string;
  label: string;
  /** 0 the entity itself, 1 its direct relations, 2 the relations of those. */
  layer: number;
  /** Its column in the layered layout (see `TIERS`). */
  tier: Tier;
}

export interface GraphEdgeView {
  from: string;
  to: string;
  label: string;
  date: string | null;
  strength: number;
  record: string;
  /** The record's first source (null for links between layers, whose evidence `linkEvidence` reads). */
  source: Source | null;
}

export interface TimelineEntry {
  date: string;
  label: string;
  other: string;
  record: string;
  source: Source | null;
}

export interface MoneyFlow {
  payer: string;
  beneficiary: string;
  period: string;
  currency: string;
  total: number;
  payments: number;
  /** The Payment records summed (their sources are in `entity.payments`). */
  records: string[];
}

export interface InfluenceViewData {
  entity: EntityView;
  graph: { nodes: GraphNodeView[]; edges: GraphEdgeView[]; truncated: boolean };
  timeline: TimelineEntry[];
  flows: MoneyFlow[];
}

export const VIEW_LIMITS = { nodes: 300 };

export async function influenceView(
  store: Store,
  nameOrId: string,
  options: ShowOptions = {},
): Promise<InfluenceViewData> {
  const entity = await showEntity(store, nameOrId, options);
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
            source: g.sourceIds[e] ? (g.firstSource.get(g.sourceIds[e]!) ?? null) : null,
          });
        }
      frontier = next;
    }
  }
  const keys = [...nodes.keys()].map((i) => g.keys[i]!);
  const labels = await nodeLabels(store, g, keys);
  const tiers = await nodeTiers(store, keys);
  const graphNodes = [...nodes].map(([i, layer]) => {
    const k = g.keys[i]!;
    return {
      key: k,
      kind: k.slice(0, k.indexOf(':')),
      layer,
      tier: tiers.get(k)!,
      label: labels.get(k) ?? k,
    };
  });
  const seen = new Set<string>();
  const uniqueEdges = edges.filter((e) => {
    const k = `${e.record}|${e.from}|${e.to}`;
    if (seen.has(k) || !nodes.has(g.node(e.from)) || !nodes.has(g.node(e.to))) return false;
    seen.add(k);
    return true;
  });
  const source = (r: { sources: Source[] }) => r.sources[0] ?? null;
  const events = [
    ...entity.representations.map((r) => ({
      date: r.startDate,
      label: r.role === 'client' ? 'represented by' : 'represents',
      other: r.other.caption,
      record: r.record.id,
      source: source(r.record),
    })),
    ...entity.payments.map((p) => ({
      date: p.date,
      label: `${p.direction === 'in' ? 'paid by' : 'paid'} ${p.currency ?? ''} ${p.amount ?? '?'}`,
      other: p.other?.caption ?? '',
      record: p.record.id,
      source: source(p.record),
    })),
    ...entity.contacts.map((c) => ({
      date: c.date,
      label: c.type ?? 'contact',
      other: c.involved.map((i) => i.caption).join(', '),
      record: c.record.id,
      source: source(c.record),
    })),
    ...entity.links.map((l) => ({
      date: l.startDate,
      label: l.schema,
      other: l.other.caption,
      record: l.record.id,
      source: source(l.record),
    })),
  ]
    .filter((e): e is TimelineEntry => !!e.date)
    .sort((a, b) => a.date.localeCompare(b.date));
  const flows = new Map<string, MoneyFlow>();
  for (const p of entity.payments) {
    if (p.amount === null) continue;
    const payer = p.direction === 'out' ? entity.caption : (p.other?.caption ?? '?');
    const beneficiary = p.direction === 'out' ? (p.other?.caption ?? '(no payee named)') : entity.caption;
    const period = p.date?.slice(0, 4) ?? 'undated';
    const currency = p.currency ?? '?';
    const k = `${payer}|${beneficiary}|${period}|${currency}`;
    const f = flows.get(k) ?? { payer, beneficiary, period, currency, total: 0, payments: 0, records: [] };
    flows.set(k, f);
    f.total = Math.round((f.total + p.amount) * 100) / 100;
    f.payments++;
    f.records.push(p.record.id);
  }
  return {
    entity,
    graph: { nodes: graphNodes, edges: uniqueEdges, truncated },
    timeline: events,
    flows: [...flows.values()].sort((a, b) => a.period.localeCompare(b.period) || b.total - a.total),
  };
}

/** How a party is reached from a cluster: through its accounts, a site it pushes, or a statement that echoes it. */
export type BehindVia = 'accounts' | 'sites' | 'echo';

export interface BehindParty {
  id: string;
  caption: string;
  schema: string;
  /** Someone is registered to represent this party (a FARA or LDA client): a principal. */
  principal: boolean;
  /**
   * The first link of the path: the cluster's own accounts, a site it pushes, or a statement that
   * echoes it (then the party is reached through the speaker's other records: the weakest kind,
   * since officials meet many agents).
   */
  via: BehindVia;
  /** The strongest path from the cluster to the party, every hop with its record and source. */
  path: InfluencePath;
}

export interface BehindEcho {
  /** The document's node key (`entity:ID` for an FtM document, `document:doc:ID` for the echo stage's). */
  key: string;
  document: string;
  speaker: string | null;
  date: string | null;
  hops: Hop[];
}

export interface WhoIsBehind {
  cluster: string;
  parties: BehindParty[];
  /** Statements or articles that echo the cluster, with their speakers. */
  echoes: BehindEcho[];
  /** Entities within reach that were not examined (beyond `WHO_IS_BEHIND_CANDIDATES`). */
  unexamined: number;
  limits: string[];
}

export const WHO_IS_BEHIND_LIMITS = [
  'A path connects records; it does not show that anyone directed the accounts or caused a statement.',
  'Public records are incomplete: FARA and LDA filings are self-reported, late or missing; unregistered advocates appear only where someone recorded them.',
  'Names are matched, not proven: every merged entity lists the records it was merged from, and judgements can undo a merge.',
  'A website or account link says who runs a site or account according to a record, not who wrote each post.',
];

/** Entities within reach of a cluster that get a path of their own, nearest first. */
export const WHO_IS_BEHIND_CANDIDATES = 300;

const PARTY_SCHEMATA = new Set(['Person', 'Organization', 'Company', 'LegalEntity', 'PublicBody']);

const notThroughClusters =
  (echo: boolean) =>
  (record: string, to: string): boolean =>
    !to.startsWith('cluster:') && (echo || !record.startsWith('link:echo:'));

function viaOf(path: InfluencePath): BehindVia {
  if (path.hops.some((h) => h.record.startsWith('link:echo:'))) return 'echo';
  return path.hops[0]?.record.startsWith('link:pushes:') ? 'sites' : 'accounts';
}

/** The parties within reach of a cluster (see the header), strongest first. */
export async function whoIsBehind(store: Store, clusterId: string, maxHops = 4): Promise<WhoIsBehind> {
  const g = await influenceGraph(store);
  const start = `cluster:${clusterId.replace(/^cluster:/, '')}`;
  const none = { cluster: clusterId, parties: [], echoes: [], unexamined: 0, limits: WHO_IS_BEHIND_LIMITS };
  if (!g.has(start)) return none;
  // Entities and documents reachable within maxHops, breadth first (nearest first).
  const depth = new Map<number, number>([[g.node(start), 0]]);
  let frontier = [g.node(start)];
  for (let d = 1; d <= maxHops && frontier.length; d++) {
    const next: number[] = [];
    for (const a of frontier)
      for (const [b] of g.neighbours(a))
        if (!depth.has(b)) {
          depth.set(b, d);
          // Another cluster is an end: what lies behind it is that cluster's, not this one's.
          if (!g.keys[b]!.startsWith('cluster:')) next.push(b);
        }
    frontier = next.slice(0, 2_000);
  }
  const reached = [...depth.keys()]
    .map((i) => g.keys[i]!)
    .filter((k) => k.startsWith('entity:') || k.startsWith('document:'));
  const keys = reached.slice(0, WHO_IS_BEHIND_CANDIDATES);
  const ids = keys.filter((k) => k.startsWith('entity:')).map((k) => k.slice(7));
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
  const echoes: BehindEcho[] = [];
  for (const key of keys) {
    const id = key.startsWith('entity:') ? key.slice(7) : null;
    const ref = id ? entityRefs.get(id) : null;
    const isDocument = !id || DOCUMENT_SCHEMATA.has(ref?.schema ?? '');
    if (!isDocument && !(ref && PARTY_SCHEMATA.has(ref.schema))) continue;
    // Through the cluster's accounts and sites if any path is, else through an echoing statement;
    // never through another cluster (what lies behind that one is its own).
    const to = id ?? key;
    const path =
      (await mapPaths(store, start, to, { maxHops, limit: 1 }, notThroughClusters(false)))[0] ??
      (await mapPaths(store, start, to, { maxHops, limit: 1 }, notThroughClusters(true)))[0];
    if (!path) continue;
    if (isDocument) {
      const speaker =
        (await store.value<string>(
          `SELECT e.caption FROM entity_links l JOIN entities e ON e.entity_id = l.entity_id WHERE l.kind = 'speaker' AND l.target_id = ? LIMIT 1`,
          [id ?? key.slice('document:'.length)],
        )) ?? null;
      echoes.push({ key, document: path.nodes.at(-1)!.label, speaker, date: path.latest, hops: path.hops });
    } else if (ref)
      parties.push({
        id: id!,
        caption: ref.caption,
        schema: ref.schema,
        principal: principals.has(id!),
        via: viaOf(path),
        path,
      });
  }
  const rank: Record<BehindVia, number> = { accounts: 0, sites: 0, echo: 1 };
  parties.sort(
    (a, b) =>
      rank[a.via] - rank[b.via] ||
      Number(b.principal) - Number(a.principal) ||
      b.path.strength - a.path.strength ||
      a.caption.localeCompare(b.caption),
  );
  return {
    cluster: clusterId,
    parties,
    echoes,
    unexamined: reached.length - keys.length,
    limits: WHO_IS_BEHIND_LIMITS,
  };
}

/**
 * The column of each node in the layered layout (`TIERS`): clusters and accounts, domains, documents
 * by their kind; entities by their records: an official holds a `position` or a PEP/government topic,
 * or is the Member of Congress a contact was linked to; an agent represents someone (FtM
 * `Representation` agent) or organised a contact; any other party is an organisation. The sets are
 * read once per graph (a few bulk reads), so a query is a lookup in memory.
 */
export async function nodeTiers(store: Store, keys: readonly string[]): Promise<Map<string, Tier>> {
  const out = new Map<string, Tier>();
  const g = await influenceGraph(store);
  const sets = await tierSets(store, g);
  for (const k of keys) {
    const kind = k.slice(0, k.indexOf(':'));
    const id = k.slice(kind.length + 1);
    out.set(
      k,
      kind === 'cluster' || kind === 'account'
        ? 'accounts'
        : kind === 'domain'
          ? 'sites'
          : kind === 'document' || sets.documents.has(id)
            ? 'documents'
            : sets.accounts.has(id)
              ? 'accounts'
              : sets.officials.has(id)
                ? 'officials'
                : sets.agents.has(id)
                  ? 'agents'
                  : 'organisations',
    );
  }
  return out;
}

interface TierSets {
  officials: Set<string>;
  agents: Set<string>;
  documents: Set<string>;
  accounts: Set<string>;
}

const TIER_SETS = new WeakMap<InfluenceGraph, Promise<TierSets>>();

/** The canonical ids of officials, agents, documents and user accounts, for the graph `g` of `store`. */
function tierSets(store: Store, g: InfluenceGraph): Promise<TierSets> {
  let sets = TIER_SETS.get(g);
  if (!sets) {
    const read = async (sql: string) =>
      new Set((await fetchFields(store, sql, ['id'])).map(([id]) => g.canonical.get(id!) ?? id!));
    sets = (async () => ({
      officials: await read(
        `SELECT entity_id AS id FROM statements WHERE prop = 'position' OR (prop = 'topics' AND (value LIKE 'role.pep%' OR value LIKE 'gov%'))
         UNION SELECT target_id FROM entity_links WHERE kind = 'official'`,
      ),
      agents: await read(
        `SELECT source_id AS id FROM entity_edges WHERE rel_schema = 'Representation' AND target_prop = 'client'
         UNION SELECT target_id FROM entity_edges WHERE rel_schema = 'Event' AND target_prop = 'organizer'`,
      ),
      documents: await read(
        `SELECT entity_id AS id FROM entities WHERE schema IN (${inList([...DOCUMENT_SCHEMATA])})`,
      ),
      accounts: await read(`SELECT entity_id AS id FROM entities WHERE schema = 'UserAccount'`),
    }))();
    TIER_SETS.set(g, sets);
    sets.catch(() => TIER_SETS.delete(g));
  }
  return sets;
}

/** A link between layers as its evidence says (a handle, a URL, shares and dates, the rule that matched). */
export interface LinkEvidence {
  kind: string;
  score: number | null;
  /** The evidence as `key: value` pairs (nested values as JSON). */
  facts: [string, string][];
}

/**
 * The evidence of the link records among `records` (`link:KIND:FROM:TO`, as hops and edges name
 * them); membership records (`detection:RUN:CLUSTER`) say which detection run holds the account.
 */
export async function linkEvidence(
  store: Store,
  records: readonly string[],
): Promise<Map<string, LinkEvidence>> {
  const out = new Map<string, LinkEvidence>();
  const links = [...new Set(records.filter((r) => r.startsWith('link:')))];
  for (let i = 0; i < links.length; i += 500) {
    for (const r of await store.all<{
      record: string;
      kind: string;
      score: number | null;
      evidence: string | null;
    }>(
      `SELECT 'link:' || kind || ':' || entity_id || ':' || target_id AS record, kind, max(score) AS score,
         any_value(CAST(evidence AS VARCHAR)) AS evidence
       FROM entity_links WHERE 'link:' || kind || ':' || entity_id || ':' || target_id IN (${inList(links.slice(i, i + 500))})
       GROUP BY ALL`,
    )) {
      const facts: [string, string][] = [];
      flatten(r.evidence ? (JSON.parse(r.evidence) as unknown) : null, 'evidence', facts);
      out.set(r.record, { kind: r.kind, score: r.score, facts });
    }
  }
  for (const r of records) {
    const m = /^detection:(\d+):(.+)$/.exec(r);
    if (m)
      out.set(r, {
        kind: 'member',
        score: null,
        facts: [
          ['detection run', m[1]!],
          ['cluster', m[2]!],
        ],
      });
  }
  return out;
}

/** Evidence JSON as `key: value` facts: nested objects by dotted keys, shares to three decimals. */
function flatten(v: unknown, key: string, out: [string, string][]): void {
  if (v === null || v === undefined) return;
  if (typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, key === 'evidence' ? k : `${key}.${k}`, out);
  } else if (typeof v === 'number') out.push([key, String(Number.isInteger(v) ? v : Number(v.toFixed(3)))]);
  else out.push([key, typeof v === 'string' ? v : JSON.stringify(v)]);
}

/**
 * Clusters of the latest saved detection that have influence links: a site they push, a statement
 * that echoes them, or a member account linked to an entity. Read from the graph in memory.
 */
export async function clustersWithInfluence(store: Store): Promise<string[]> {
  const g = await influenceGraph(store);
  return clustersLinked(g);
}

function clustersLinked(g: InfluenceGraph): string[] {
  const out: string[] = [];
  for (let i = 0; i < g.keys.length; i++) {
    const key = g.keys[i]!;
    if (!key.startsWith('cluster:')) continue;
    let linked = false;
    for (const [b, e] of g.neighbours(i)) {
      if (!g.records[e]!.startsWith('detection:')) linked = true;
      else
        for (const [c, f] of g.neighbours(b))
          if (c !== i && !g.records[f]!.startsWith('detection:')) linked = true;
      if (linked) break;
    }
    if (linked) out.push(key.slice('cluster:'.length));
  }
  return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
