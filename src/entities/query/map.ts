/**
 * Paths across the layers: from a cluster of accounts to the domains it pushes, the organisations
 * behind those sites, their registered agents, the agents' contacts with officials, and the
 * officials' statements that echo the cluster (or any other two nodes). Each hop is one record
 * (a Representation, a Payment, a contact, a link with its evidence) with its date and source.
 *
 * Search is breadth-first from `from` over the layers' graph (`InfluenceGraph`, built once per store
 * and kept until the store changes), keeping at most `beam` partial paths per depth (the strongest),
 * up to `maxHops`. A path's strength is the product of its hops' strengths (a record 0.95, so that
 * longer chains weigh less; a link found by matching carries its score; two parties involved in one
 * contact 0.8); paths are ranked by strength, then by their latest date, then by length. A path is `timeOrdered` when its dated hops run forward in time (money before meetings
 * before statements): the order in which influence could have flowed, never proof that it did.
 */
import { breathe } from '../../core/breathe.js';
import { UsageError } from '../../core/errors.js';
import { fetchFields } from '../../store/bulk.js';
import type { Store } from '../../store/store.js';
import { withDefaults } from '../defaults.js';
import { DOCUMENT_COLUMNS, hasDocumentsTable } from '../link/documents.js';
import { findEntity, inList, refs, type Source } from './sources.js';

export const MAP_DEFAULTS = { maxHops: 6, limit: 10, beam: 400 };
export type MapOptions = Partial<typeof MAP_DEFAULTS>;

export type NodeKind = 'entity' | 'account' | 'cluster' | 'domain' | 'document';

export interface MapNode {
  key: string;
  kind: NodeKind;
  label: string;
}

export interface Hop {
  from: MapNode;
  to: MapNode;
  /** What links them: "Representation (FARA registered agent)", "Payment USD 34,975.00", "meeting", ... */
  label: string;
  /** The record's id (a relationship entity, a link, a cluster membership). */
  record: string;
  date: string | null;
  strength: number;
  source: Source | null;
  /**
   * The record reads from `to` to `from` (payer -> beneficiary, agent -> client, organiser ->
   * participant, a party -> the account or site it runs, a cluster -> the site it pushes).
   */
  reversed: boolean;
}

export interface InfluencePath {
  nodes: MapNode[];
  hops: Hop[];
  strength: number;
  latest: string | null;
  timeOrdered: boolean;
}

const kindOf = (key: string) => key.slice(0, key.indexOf(':')) as NodeKind;
const idOf = (key: string) => key.slice(key.indexOf(':') + 1);

/** The node a user means: `cluster:C3`, `domain:x.org`, `account:platform:id`, `@handle`, `doc:...`, or an entity name/id. */
export async function findNode(store: Store, text: string): Promise<string> {
  const t = text.trim();
  if (/^(cluster|domain|account|document):/.test(t)) return t;
  if (/^C\d+$/.test(t)) return `cluster:${t}`;
  if (t.startsWith('@')) {
    const row = await store.value<string>(
      `SELECT platform || ':' || account_id FROM accounts WHERE lower(handle) = lower(?) LIMIT 1`,
      [t.slice(1)],
    );
    if (!row) throw new UsageError(`no account @${t.slice(1)} in this store`);
    return `account:${row}`;
  }
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(t) && !t.includes(' ')) return `domain:${t.toLowerCase()}`;
  return `entity:${await findEntity(store, t)}`;
}

const LINK_LABEL: Record<string, string> = {
  account: 'operates the account',
  website: 'runs the website',
  official: 'is (or works for) the official',
  speaker: 'said or wrote',
  outlet: 'published',
  mention: 'named in posts',
  pushes: 'pushes the site',
  echo: 'echoes the talking point of',
};

/** Strength of a hop read from a record (a filing, a payment, a contact): below 1 so that longer paths weigh less. */
export const RECORD_STRENGTH = 0.95;
/** Strength of a hop between two parties of one contact, neither of whom made it (the client and the official). */
export const CO_PARTICIPANT_STRENGTH = 0.8;

/**
 * The graph of every layer in memory, in compressed sparse rows: nodes are canonical entities,
 * accounts, clusters (of the latest saved detection), domains and documents; each edge keeps its
 * record, label, date and strength. Built with a few bulk reads and kept per store until the store's
 * tables change, so that a query walks memory instead of issuing a query per node.
 */
export class InfluenceGraph {
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();
  private offsets = new Int32Array(0);
  private targets = new Int32Array(0);
  private edgeOf = new Int32Array(0);
  readonly labels: string[] = [];
  readonly records: string[] = [];
  readonly dates: (string | null)[] = [];
  readonly strengths: number[] = [];
  /** Relationship entity behind an edge, for its sources (null for links and memberships). */
  readonly sourceIds: (string | null)[] = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  /** Connected component of each node: two nodes in different components have no path. */
  private component = new Int32Array(0);
  /** Merged source ids and their canonical ids, to find a node by any of its records' ids. */
  readonly canonical = new Map<string, string>();
  /** Entity nodes' captions, and each relationship's first source, read once with the graph. */
  readonly captions = new Map<string, string>();
  readonly firstSource = new Map<string, Source>();

  node(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.keys.push(key);
      this.index.set(key, i);
    }
    return i;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  private pending: [number, number, number][] = [];
  addEdge(
    a: string,
    b: string,
    label: string,
    record: string,
    date: string | null,
    strength: number,
    sourceId: string | null,
  ): void {
    if (a === b) return;
    const e = this.labels.length;
    this.labels.push(label);
    this.records.push(record);
    this.dates.push(date);
    this.strengths.push(strength);
    this.sourceIds.push(sourceId);
    const x = this.node(a);
    const y = this.node(b);
    this.from.push(x);
    this.to.push(y);
    this.pending.push([x, y, e], [y, x, e]);
  }

  freeze(): void {
    const n = this.keys.length;
    this.offsets = new Int32Array(n + 1);
    for (const [x] of this.pending) this.offsets[x + 1]!++;
    for (let i = 0; i < n; i++) this.offsets[i + 1]! += this.offsets[i]!;
    const fill = this.offsets.slice(0, n);
    this.targets = new Int32Array(this.pending.length);
    this.edgeOf = new Int32Array(this.pending.length);
    for (const [x, y, e] of this.pending) {
      const k = fill[x]!++;
      this.targets[k] = y;
      this.edgeOf[k] = e;
    }
    this.pending = [];
    // Components by union-find over the edges (each edge once).
    const parent = new Int32Array(n).map((_, i) => i);
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x]!]!;
        x = parent[x]!;
      }
      return x;
    };
    for (let e = 0; e < this.from.length; e++) {
      const a = find(this.from[e]!);
      const b = find(this.to[e]!);
      if (a !== b) parent[b] = a;
    }
    this.component = new Int32Array(n);
    for (let i = 0; i < n; i++) this.component[i] = find(i);
  }

  /** Whether any path joins nodes `a` and `b`. */
  connected(a: number, b: number): boolean {
    return this.component[a] === this.component[b];
  }

  /** The node key of an entity id (a source id of a merged entity included), or null. */
  entityKey(id: string): string | null {
    const key = `entity:${this.canonical.get(id) ?? id}`;
    return this.has(key) ? key : null;
  }

  *neighbours(i: number): Generator<[number, number]> {
    for (let k = this.offsets[i]!; k < this.offsets[i + 1]!; k++) yield [this.targets[k]!, this.edgeOf[k]!];
  }

  /** The two ends of edge `e`, as the record reads (payer -> beneficiary, agent -> client). */
  ends(e: number): [number, number] {
    return [this.from[e]!, this.to[e]!];
  }

  get edgeCount(): number {
    return this.labels.length;
  }

  static async build(store: Store): Promise<InfluenceGraph> {
    const g = new InfluenceGraph();
    const canon = `(SELECT entity_id, canonical_id FROM entity_canonical)`;
    const meta = `(SELECT entity_id, min(value) FILTER (WHERE prop = 'amount') AS amount, min(value) FILTER (WHERE prop = 'currency') AS currency,
        min(value) FILTER (WHERE prop = 'role') AS role, min(value) FILTER (WHERE prop = 'keywords') AS kw
      FROM statements WHERE prop IN ('amount', 'currency', 'role', 'keywords') AND entity_id IN (SELECT DISTINCT rel_id FROM entity_edges) GROUP BY entity_id)`;
    const rows = await fetchFields(
      store,
      `SELECT e.rel_id, e.rel_schema, e.target_prop, coalesce(cs.canonical_id, e.source_id) AS s, coalesce(ct.canonical_id, e.target_id) AS t,
         e.start_date, m.amount, m.currency, m.role, m.kw, e.source_prop
       FROM entity_edges e LEFT JOIN ${canon} cs ON cs.entity_id = e.source_id LEFT JOIN ${canon} ct ON ct.entity_id = e.target_id
       LEFT JOIN ${meta} m ON m.entity_id = e.rel_id`,
      [
        'rel_id',
        'rel_schema',
        'target_prop',
        's',
        't',
        'start_date',
        'amount',
        'currency',
        'role',
        'kw',
        'source_prop',
      ],
    );
    const events = new Map<
      string,
      { date: string | null; kw: string; organizer: string[]; involved: string[] }
    >();
    let n = 0;
    for (const [rel, schema, targetProp, s, t, date, amount, currency, role, kw, sourceProp] of rows) {
      if (++n % 8192 === 0) await breathe(); // a server builds the graph while it answers
      const d = date || null;
      if (schema === 'Event') {
        const ev = events.get(rel!) ?? { date: d, kw: kw || 'unknown', organizer: [], involved: [] };
        events.set(rel!, ev);
        if (targetProp === 'organizer') ev.organizer.push(t!);
        else if (targetProp === 'involved') ev.involved.push(t!);
        continue;
      }
      if (sourceProp === '' && schema !== 'UserAccount') continue; // an entity's references to addresses, proofs, ...
      const label =
        schema === 'Payment'
          ? `Payment ${currency || ''} ${amount ? Number(amount).toLocaleString('en-US', { minimumFractionDigits: 2 }) : '?'}`
          : `${schema}${role ? ` (${role})` : ''}`;
      g.addEdge(`entity:${s}`, `entity:${t}`, label, rel!, d, RECORD_STRENGTH, rel!);
    }
    for (const [rel, ev] of events) {
      const label = `contact (${ev.kw})`;
      for (const o of ev.organizer)
        for (const i of ev.involved)
          g.addEdge(`entity:${o}`, `entity:${i}`, label, rel, ev.date, RECORD_STRENGTH, rel);
      for (let a = 0; a < ev.involved.length; a++)
        for (let b = a + 1; b < ev.involved.length; b++)
          g.addEdge(
            `entity:${ev.involved[a]}`,
            `entity:${ev.involved[b]}`,
            `${label}, both involved`,
            rel,
            ev.date,
            CO_PARTICIPANT_STRENGTH,
            rel,
          );
    }
    const links = await store.all<{
      kind: string;
      entity_id: string;
      target_kind: string;
      target_id: string;
      score: number | null;
      date: string | null;
      cid: string | null;
      tcid: string | null;
    }>(
      `SELECT l.kind, l.entity_id, l.target_kind, l.target_id, l.score, json_extract_string(l.evidence, '$.date') AS date,
         c.canonical_id AS cid, ct.canonical_id AS tcid
       FROM entity_links l LEFT JOIN entity_canonical c ON c.entity_id = l.entity_id
       LEFT JOIN entity_canonical ct ON ct.entity_id = l.target_id AND l.target_kind = 'entity'`,
    );
    for (const l of links) {
      const from = /^(cluster|domain|account|document):/.test(l.entity_id)
        ? l.entity_id
        : `entity:${l.cid ?? l.entity_id}`;
      const to =
        l.target_kind === 'entity' ? `entity:${l.tcid ?? l.target_id}` : `${l.target_kind}:${l.target_id}`;
      g.addEdge(
        from,
        to,
        LINK_LABEL[l.kind] ?? l.kind,
        `link:${l.kind}:${l.entity_id}:${l.target_id}`,
        l.date,
        l.score ?? 0.8,
        null,
      );
    }
    const run = await store.value<number>(`SELECT max(run_id) FROM detections`);
    if (run)
      for (const [cluster, key, strength] of await fetchFields(
        store,
        `SELECT cluster_id, platform || ':' || account_id AS k, strength FROM detection_members WHERE run_id = ${run}`,
        ['cluster_id', 'k', 'strength'],
      ))
        g.addEdge(
          `cluster:${cluster}`,
          `account:${key}`,
          'has the member',
          `detection:${run}:${cluster}`,
          null,
          Math.min(1, Math.max(0.5, Number(strength) || 0.9)),
          null,
        );
    for (const [id, canon] of await fetchFields(
      store,
      `SELECT entity_id, canonical_id FROM entity_canonical`,
      ['entity_id', 'canonical_id'],
    ))
      g.canonical.set(id!, canon!);
    for (const [id, caption] of await fetchFields(
      store,
      `SELECT coalesce(c.canonical_id, e.entity_id) AS id, min_by(e.caption, length(e.caption)) AS caption
       FROM entities e LEFT JOIN entity_canonical c USING (entity_id) WHERE e.caption IS NOT NULL GROUP BY 1`,
      ['id', 'caption'],
    ))
      if (g.has(`entity:${id}`)) g.captions.set(id!, caption!);
    for (const [id, dataset, file, row, url, date, ingest] of await fetchFields(
      store,
      `SELECT s.entity_id, arg_min(s.dataset, s.source_row) AS d, arg_min(i.file_name, s.source_row) AS f, min(s.source_row) AS r,
         arg_min(s.source_url, s.source_row) AS u, arg_min(s.record_date, s.source_row) AS t, arg_min(s.ingest_id, s.source_row) AS i
       FROM statements s JOIN ingests i USING (ingest_id)
       WHERE s.prop = 'id' AND s.entity_id IN (SELECT DISTINCT rel_id FROM entity_edges) GROUP BY s.entity_id`,
      ['entity_id', 'd', 'f', 'r', 'u', 't', 'i'],
    ))
      g.firstSource.set(id!, {
        dataset: dataset!,
        file: file!,
        row: row ? Number(row) : null,
        url: url || null,
        date: date || null,
        ingestId: Number(ingest),
      });
    g.freeze();
    return g;
  }
}

/** A cheap fingerprint of the tables the graph is built from, to know when a cached graph is stale. */
async function graphVersion(store: Store): Promise<string> {
  return JSON.stringify(
    await store.all(
      `SELECT (SELECT count(*) FROM entity_edges) AS e, (SELECT count(*) FROM entity_links) AS l,
       (SELECT count(*) FROM entity_canonical) AS c, (SELECT max(run_id) FROM detections) AS r,
       (SELECT max(ingest_id) FROM ingests) AS i`,
    ),
  );
}

const GRAPHS = new WeakMap<Store, { version: string; graph: InfluenceGraph }>();

/** The store's influence graph, built once and reused until the store changes. */
export async function influenceGraph(store: Store): Promise<InfluenceGraph> {
  const version = await graphVersion(store);
  const cached = GRAPHS.get(store);
  if (cached?.version === version) return cached.graph;
  const graph = await InfluenceGraph.build(store);
  GRAPHS.set(store, { version, graph });
  return graph;
}

/** What a node is called where it is shown: an entity's caption, `@handle (platform)`, `cluster C3`, a document's title. */
export async function nodeLabels(
  store: Store,
  g: InfluenceGraph,
  keys: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of keys) {
    const id = idOf(k);
    out.set(
      k,
      kindOf(k) === 'entity'
        ? (g.captions.get(id) ?? id)
        : kindOf(k) === 'cluster'
          ? `cluster ${id}`
          : kindOf(k) === 'account'
            ? `account ${id}`
            : `${kindOf(k)} ${id}`,
    );
  }
  const handles = keys.filter((k) => kindOf(k) === 'account').map(idOf);
  if (handles.length)
    for (const a of await store.all<{ key: string; handle: string }>(
      `SELECT platform || ':' || account_id AS key, handle FROM accounts WHERE platform || ':' || account_id IN (${inList(handles)}) AND handle IS NOT NULL`,
    ))
      out.set(`account:${a.key}`, `@${a.handle} (${a.key.split(':')[0]})`);
  const docs = keys.filter((k) => kindOf(k) === 'document').map(idOf);
  const docRefs = await refs(store, docs);
  for (const d of docs) if (docRefs.get(d)) out.set(`document:${d}`, `document "${docRefs.get(d)!.caption}"`);
  // Documents of the echo stage's table (`document:doc:<doc_id>`): their title.
  const tableDocs = docs.filter((d) => d.startsWith('doc:'));
  if (tableDocs.length && (await hasDocumentsTable(store))) {
    const c = DOCUMENT_COLUMNS;
    for (const d of await store.all<{ id: string; title: string | null }>(
      `SELECT ${c.id} AS id, ${c.title} AS title FROM ${c.table} WHERE ${c.id} IN (${inList(tableDocs.map((x) => x.slice(4)))})`,
    ))
      if (d.title) out.set(`document:doc:${d.id}`, `document "${d.title}"`);
  }
  return out;
}

/**
 * The strongest paths from `from` to `to` (see the header). `traverse`, when given, says which
 * edges a path may take (by the edge's record and the node it leads to).
 */
export async function mapPaths(
  store: Store,
  fromText: string,
  toText: string,
  options: MapOptions = {},
  traverse?: (record: string, toKey: string) => boolean,
): Promise<InfluencePath[]> {
  const o = withDefaults(MAP_DEFAULTS, options);
  if (!Number.isInteger(o.maxHops) || o.maxHops < 1 || o.maxHops > 10)
    throw new UsageError(`invalid --max-hops ${o.maxHops}: expecting 1 to 10`);
  const g = await influenceGraph(store);
  // Ids of the graph are found in memory; names and handles through the store.
  const fromKey = g.entityKey(fromText) ?? (await findNode(store, fromText));
  const toKey = g.entityKey(toText) ?? (await findNode(store, toText));
  if (fromKey === toKey) throw new UsageError('from and to are the same node');
  if (!g.has(fromKey) || !g.has(toKey)) return [];
  const from = g.node(fromKey);
  const to = g.node(toKey);
  if (!g.connected(from, to)) return [];
  type Partial = { nodes: number[]; edges: number[]; strength: number };
  let frontier: Partial[] = [{ nodes: [from], edges: [], strength: 1 }];
  const found: Partial[] = [];
  for (let depth = 0; depth < o.maxHops && frontier.length; depth++) {
    const next: Partial[] = [];
    for (const p of frontier) {
      const last = p.nodes[p.nodes.length - 1]!;
      for (const [y, e] of g.neighbours(last)) {
        if (p.nodes.includes(y) || (traverse && !traverse(g.records[e]!, g.keys[y]!))) continue;
        const q: Partial = {
          nodes: [...p.nodes, y],
          edges: [...p.edges, e],
          strength: p.strength * g.strengths[e]!,
        };
        if (y === to) found.push(q);
        else if (depth + 1 < o.maxHops) next.push(q);
      }
    }
    // The strongest partial paths, one per (predecessor, node), up to the beam.
    next.sort((a, b) => b.strength - a.strength);
    const seen = new Set<string>();
    frontier = [];
    for (const p of next) {
      const k = `${p.nodes[p.nodes.length - 2]}|${p.nodes[p.nodes.length - 1]}`;
      if (seen.has(k)) continue;
      seen.add(k);
      frontier.push(p);
      if (frontier.length >= o.beam) break;
    }
  }
  // One path per sequence of nodes: of parallel records between the same nodes, the strongest, then the latest.
  const latestOf = (p: Partial) =>
    p.edges
      .map((e) => g.dates[e] ?? '')
      .sort()
      .at(-1) ?? '';
  const best = new Map<string, Partial>();
  for (const p of found) {
    const k = p.nodes.join('|');
    const prev = best.get(k);
    if (!prev || p.strength > prev.strength || (p.strength === prev.strength && latestOf(p) > latestOf(prev)))
      best.set(k, p);
  }
  const ranked = [...best.values()]
    .sort(
      (a, b) =>
        b.strength - a.strength || latestOf(b).localeCompare(latestOf(a)) || a.edges.length - b.edges.length,
    )
    .slice(0, o.limit);
  const keys = [...new Set(ranked.flatMap((p) => p.nodes.map((i) => g.keys[i]!)))];
  const names = await nodeLabels(store, g, keys);
  const node = (i: number): MapNode => {
    const k = g.keys[i]!;
    return { key: k, kind: kindOf(k), label: names.get(k) ?? k };
  };
  return ranked.map((p) => {
    const hops: Hop[] = p.edges.map((e, i) => ({
      from: node(p.nodes[i]!),
      to: node(p.nodes[i + 1]!),
      label: g.labels[e]!,
      record: g.records[e]!,
      date: g.dates[e] ?? null,
      strength: g.strengths[e]!,
      source: g.sourceIds[e] ? (g.firstSource.get(g.sourceIds[e]!) ?? null) : null,
      reversed: g.ends(e)[0] !== p.nodes[i],
    }));
    const dates = hops.map((h) => h.date).filter((d): d is string => !!d);
    return {
      nodes: p.nodes.map(node),
      hops,
      strength: Math.round(p.strength * 1000) / 1000,
      latest: dates.length ? [...dates].sort().at(-1)! : null,
      timeOrdered: dates.length >= 2 && dates.every((d, i) => i === 0 || d >= dates[i - 1]!),
    };
  });
}

/** A timeline: the dated hops of paths, or of an entity's relationships, in order. */
export function timeline(paths: InfluencePath[]): Hop[] {
  const seen = new Set<string>();
  return paths
    .flatMap((p) => p.hops)
    .filter((h) => h.date && !seen.has(h.record) && seen.add(h.record))
    .sort((a, b) => a.date!.localeCompare(b.date!));
}
