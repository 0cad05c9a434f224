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
 *
 * Everything a request needs is prepared once per run, per cluster: its nodes with their positions,
 * its edges in rank order with their signals as a bit mask, how many pairs carry each mask, and
 * each member's mask (the signals of all its pairs). A request then only walks the kept clusters.
 */
import type { Confidence } from '../detect/types.js';
import { CLUSTER_PALETTE } from '../report/exports/index.js';
import { type NetworkLayout, networkLayout } from '../report/layout.js';
import { SIGNAL_NAMES } from '../signals/index.js';
import type { SignalName } from '../signals/types.js';
import type { LoadedRun } from './runs.js';
import type { GraphNode, GraphResponse } from './types.js';

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
const maskOf = (signals: readonly SignalName[]) => signals.reduce((m, s) => m | (1 << SIGNAL_BIT.get(s)!), 0);

/** Cluster colour: the exports' palette (Paul Tol's muted scheme), by the cluster's rank. */
export function clusterColor(index: number): string {
  const c = CLUSTER_PALETTE[index % CLUSTER_PALETTE.length]!;
  return `#${((c.r << 16) | (c.g << 8) | c.b).toString(16).padStart(6, '0')}`;
}

interface PreparedEdge {
  source: string;
  target: string;
  weight: number;
  mask: number;
  /** The edge's best rank among its two ends' pairs (0: the strongest pair of one of them). */
  rank: number;
}

interface PreparedCluster {
  nodes: GraphNode[];
  /** Each member's signals: the union of its pairs' masks. */
  nodeMask: Map<string, number>;
  /** Pairs ranked below MAX_PER_NODE at one end at least, strongest first. */
  edges: PreparedEdge[];
  /** All the cluster's pairs, counted by signal mask. */
  pairsByMask: Map<number, number>;
  /** Signals with co-actions among the members. */
  mask: number;
}

interface PreparedGraph {
  layout: NetworkLayout;
  clusters: Map<string, PreparedCluster>;
}

const prepared = new WeakMap<LoadedRun, PreparedGraph>();

export function prepareGraph(run: LoadedRun): PreparedGraph {
  const done = prepared.get(run);
  if (done) return done;
  const clusters = new Map<string, PreparedCluster>();
  for (const c of run.result.clusters)
    clusters.set(c.id, {
      nodes: [],
      nodeMask: new Map(),
      edges: [],
      pairsByMask: new Map(),
      mask: maskOf(c.signals.filter((s) => s.coActions > 0).map((s) => s.signal)),
    });
  // Each pair's rank at both its ends, by weight.
  const byNode = new Map<string, PreparedEdge[]>();
  for (const e of run.result.edges) {
    const c = run.clusterOf.get(e.source);
    if (!c || run.clusterOf.get(e.target) !== c) continue;
    const p = clusters.get(c)!;
    const edge: PreparedEdge = {
      source: e.source,
      target: e.target,
      weight: Math.round(e.weight * 100) / 100,
      mask: maskOf(e.signals),
      rank: MAX_PER_NODE,
    };
    p.pairsByMask.set(edge.mask, (p.pairsByMask.get(edge.mask) ?? 0) + 1);
    for (const k of [e.source, e.target]) {
      p.nodeMask.set(k, (p.nodeMask.get(k) ?? 0) | edge.mask);
      const list = byNode.get(k);
      if (list) list.push(edge);
      else byNode.set(k, [edge]);
    }
  }
  for (const list of byNode.values()) {
    list.sort((a, b) => b.weight - a.weight);
    for (let i = 0; i < Math.min(list.length, MAX_PER_NODE); i++) list[i]!.rank = Math.min(list[i]!.rank, i);
  }
  const kept = new Set<PreparedEdge>();
  for (const list of byNode.values()) for (const e of list) if (e.rank < MAX_PER_NODE) kept.add(e);
  for (const e of kept) clusters.get(run.clusterOf.get(e.source)!)!.edges.push(e);
  for (const p of clusters.values()) p.edges.sort((a, b) => b.weight - a.weight);
  const layout = networkLayout({
    clusters: run.result.clusters,
    edges: [...kept].filter((e) => e.rank < DEFAULT_PER_NODE),
  });
  for (const c of run.result.clusters) {
    const p = clusters.get(c.id)!;
    for (const m of c.members) {
      const at = layout.nodes.get(m.key)!;
      p.nodes.push({
        key: m.key,
        platform: m.platform,
        accountId: m.accountId,
        handle: m.handle,
        cluster: c.id,
        posts: m.posts,
        strength: m.strength,
        x: at.x,
        y: at.y,
      });
    }
  }
  const graph = { layout, clusters };
  prepared.set(run, graph);
  return graph;
}

export function graphOf(run: LoadedRun, f: GraphFilter): GraphResponse {
  const { layout, clusters: prepped } = prepareGraph(run);
  const discs = new Map(layout.clusters.map((d) => [d.id, d]));
  const from = f.from ? Date.parse(f.from) : Number.NEGATIVE_INFINITY;
  const to = f.to ? Date.parse(f.to) : Number.POSITIVE_INFINITY;
  const wanted = f.signals ? maskOf(f.signals) : -1;
  const nodes: GraphNode[] = [];
  const shownClusters: GraphResponse['clusters'] = [];
  const clusterEdges: PreparedEdge[][] = [];
  let totalNodes = 0;
  let totalEdges = 0;
  run.result.clusters.forEach((c, index) => {
    const p = prepped.get(c.id)!;
    if (
      RANK[c.confidence] < RANK[f.minConfidence] ||
      Date.parse(c.last) < from ||
      Date.parse(c.first) > to ||
      !(p.mask & wanted)
    )
      return;
    for (const [mask, n] of p.pairsByMask) if (mask & wanted) totalEdges += n;
    // With a signal filter, only the members with a pair of that signal.
    const members = wanted === -1 ? p.nodes : p.nodes.filter((n) => (p.nodeMask.get(n.key) ?? 0) & wanted);
    totalNodes += members.length;
    const room = f.maxNodes - nodes.length;
    if (room <= 0 || !members.length) return;
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
    for (const n of members.slice(0, room)) nodes.push(n);
    clusterEdges.push(p.edges);
  });
  const index = new Map(nodes.map((n, i) => [n.key, i]));
  const edges: GraphResponse['edges'] = [];
  for (const list of clusterEdges)
    for (const e of list) {
      if (e.rank >= f.perNode || !(e.mask & wanted)) continue;
      const s = index.get(e.source);
      const t = index.get(e.target);
      if (s !== undefined && t !== undefined) edges.push([s, t, e.weight, e.mask]);
    }
  return {
    nodes,
    edges,
    signals: SIGNAL_NAMES,
    clusters: shownClusters,
    total: { nodes: totalNodes, edges: totalEdges },
    truncated: nodes.length < totalNodes,
  };
}
