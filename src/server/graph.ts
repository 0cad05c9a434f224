/**
 * The Network view's graph: the run's clustered accounts and their significant pairs, prepared once
 * per run and filtered per request by signal, confidence and time.
 *
 * Edges drawn: each account's `perNode` strongest pairs (by IDF weight), the same k-nearest-neighbour
 * sparsification detection uses before clustering (detect/cluster.ts). A dense cluster of a few
 * hundred accounts has tens of thousands of significant pairs; drawn all, they are a solid disc
 * that hides the structure, and megabytes to send. The layout (report/layout.ts) uses the same
 * edges. A node limit keeps the answer bounded: clusters are taken in rank order, and the last one
 * that does not fit keeps its strongest members.
 */
import type { Confidence, Edge } from '../detect/types.js';
import { CLUSTER_PALETTE } from '../report/exports/index.js';
import { type NetworkLayout, networkLayout } from '../report/layout.js';
import { SIGNAL_NAMES } from '../signals/index.js';
import type { SignalName } from '../signals/types.js';
import type { LoadedRun } from './runs.js';
import type { GraphResponse } from './types.js';

export interface GraphFilter {
  signals?: SignalName[];
  minConfidence: Confidence;
  /** ISO times: clusters active (first..last co-action) in the range. */
  from?: string;
  to?: string;
  maxNodes: number;
  /** Strongest pairs drawn per account. */
  perNode: number;
}

/** The most pairs per account a request may ask for (prepared once per run). */
export const MAX_PER_NODE = 50;
/** Pairs per account unless asked otherwise, and in the layout. */
export const DEFAULT_PER_NODE = 10;

const RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };
const SIGNAL_BIT = new Map(SIGNAL_NAMES.map((name, i) => [name, i]));

/** Cluster colour: the exports' palette (Paul Tol's muted scheme), by the cluster's rank. */
export function clusterColor(index: number): string {
  const c = CLUSTER_PALETTE[index % CLUSTER_PALETTE.length]!;
  return `#${((c.r << 16) | (c.g << 8) | c.b).toString(16).padStart(6, '0')}`;
}

interface PreparedGraph {
  layout: NetworkLayout;
  /** Within-cluster significant pairs per cluster (all of them, before any sparsification). */
  pairs: Map<string, Edge[]>;
  /** Within-cluster edges, each with its rank among both ends' pairs (the k in "k strongest"). */
  edges: { edge: Edge; cluster: string; rank: number }[];
}

const prepared = new WeakMap<LoadedRun, PreparedGraph>();

/** Each within-cluster edge's rank: the lower of its rank among its two ends' edges, by weight. */
function rankEdges(run: LoadedRun): PreparedGraph['edges'] {
  const byNode = new Map<string, Edge[]>();
  const out: PreparedGraph['edges'] = [];
  for (const e of run.result.edges) {
    const c = run.clusterOf.get(e.source);
    if (!c || run.clusterOf.get(e.target) !== c) continue;
    for (const k of [e.source, e.target]) {
      const list = byNode.get(k);
      if (list) list.push(e);
      else byNode.set(k, [e]);
    }
  }
  const rank = new Map<Edge, number>();
  for (const list of byNode.values()) {
    list.sort((a, b) => b.weight - a.weight || b.coActions - a.coActions);
    list.slice(0, MAX_PER_NODE).forEach((e, i) => {
      rank.set(e, Math.min(rank.get(e) ?? i, i));
    });
  }
  for (const [edge, r] of rank) out.push({ edge, cluster: run.clusterOf.get(edge.source)!, rank: r });
  return out.sort((a, b) => b.edge.weight - a.edge.weight);
}

export function prepareGraph(run: LoadedRun): PreparedGraph {
  let p = prepared.get(run);
  if (!p) {
    const edges = rankEdges(run);
    const layout = networkLayout({
      clusters: run.result.clusters,
      edges: edges.filter((e) => e.rank < DEFAULT_PER_NODE).map((e) => e.edge),
    });
    const pairs = new Map<string, Edge[]>();
    for (const e of run.result.edges) {
      const c = run.clusterOf.get(e.source);
      if (!c || run.clusterOf.get(e.target) !== c) continue;
      const list = pairs.get(c);
      if (list) list.push(e);
      else pairs.set(c, [e]);
    }
    p = { layout, edges, pairs };
    prepared.set(run, p);
  }
  return p;
}

export function graphOf(run: LoadedRun, f: GraphFilter): GraphResponse {
  const { layout, edges: ranked, pairs } = prepareGraph(run);
  const discs = new Map(layout.clusters.map((d) => [d.id, d]));
  const from = f.from ? Date.parse(f.from) : Number.NEGATIVE_INFINITY;
  const to = f.to ? Date.parse(f.to) : Number.POSITIVE_INFINITY;
  const wanted = f.signals ? new Set(f.signals) : null;
  const clusters = run.result.clusters
    .map((c, index) => ({ c, index }))
    .filter(
      ({ c }) =>
        RANK[c.confidence] >= RANK[f.minConfidence] &&
        Date.parse(c.last) >= from &&
        Date.parse(c.first) <= to &&
        (!wanted || c.signals.some((s) => wanted.has(s.signal) && s.coActions > 0)),
    );
  const kept = new Set(clusters.map(({ c }) => c.id));
  const matching = ranked.filter(
    (e) => kept.has(e.cluster) && (!wanted || e.edge.signals.some((s) => wanted.has(s))),
  );
  // With a signal filter, only the accounts with a pair of that signal.
  const touched = wanted ? new Set(matching.flatMap((e) => [e.edge.source, e.edge.target])) : null;
  const nodes: GraphResponse['nodes'] = [];
  const shownClusters: GraphResponse['clusters'] = [];
  let total = 0;
  for (const { c, index } of clusters) {
    const members = touched ? c.members.filter((m) => touched.has(m.key)) : c.members;
    total += members.length;
    const room = f.maxNodes - nodes.length;
    if (room <= 0 || !members.length) continue;
    const disc = discs.get(c.id)!;
    shownClusters.push({
      id: c.id,
      size: c.size,
      confidence: c.confidence,
      flagged: c.openIndicators.length === 0,
      color: clusterColor(index),
      x: disc.x,
      y: disc.y,
      r: disc.r,
    });
    // Members are listed strongest first: a cut keeps the strongest.
    for (const m of members.slice(0, room)) {
      const p = layout.nodes.get(m.key)!;
      nodes.push({
        key: m.key,
        platform: m.platform,
        accountId: m.accountId,
        handle: m.handle,
        cluster: c.id,
        posts: m.posts,
        strength: m.strength,
        x: p.x,
        y: p.y,
      });
    }
  }
  const index = new Map(nodes.map((n, i) => [n.key, i]));
  const edges: GraphResponse['edges'] = [];
  for (const { edge: e, rank } of matching) {
    if (rank >= f.perNode) continue;
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined) continue;
    let mask = 0;
    for (const name of e.signals) mask |= 1 << SIGNAL_BIT.get(name)!;
    edges.push([s, t, Math.round(e.weight * 100) / 100, mask]);
  }
  return {
    nodes,
    edges,
    signals: SIGNAL_NAMES,
    clusters: shownClusters,
    total: {
      nodes: total,
      edges: [...kept].reduce(
        (a, c) =>
          a + (pairs.get(c) ?? []).filter((e) => !wanted || e.signals.some((s) => wanted.has(s))).length,
        0,
      ),
    },
    truncated: nodes.length < total,
  };
}
