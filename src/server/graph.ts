/**
 * The Network view's graph: the run's clustered accounts and significant edges, laid out once per
 * run (report/layout.ts) and filtered per request by signal, confidence and time. A node limit keeps
 * the answer bounded: clusters are taken in rank order, and the last one that does not fit keeps
 * its strongest members.
 */
import type { Confidence } from '../detect/types.js';
import { CLUSTER_PALETTE } from '../report/exports/index.js';
import { type NetworkLayout, networkLayout } from '../report/layout.js';
import type { SignalName } from '../signals/types.js';
import type { LoadedRun } from './runs.js';
import type { GraphEdge, GraphNode, GraphResponse } from './types.js';

export interface GraphFilter {
  signals?: SignalName[];
  minConfidence: Confidence;
  /** ISO times: clusters active (first..last co-action) in the range. */
  from?: string;
  to?: string;
  maxNodes: number;
  maxEdges: number;
}

const RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

/** Cluster colour: the exports' palette (Paul Tol's muted scheme), by the cluster's rank. */
export function clusterColor(index: number): string {
  const c = CLUSTER_PALETTE[index % CLUSTER_PALETTE.length]!;
  return `#${((c.r << 16) | (c.g << 8) | c.b).toString(16).padStart(6, '0')}`;
}

const layouts = new WeakMap<LoadedRun, NetworkLayout>();

export function runLayout(run: LoadedRun): NetworkLayout {
  let layout = layouts.get(run);
  if (!layout) {
    layout = networkLayout(run.result);
    layouts.set(run, layout);
  }
  return layout;
}

export function graphOf(run: LoadedRun, f: GraphFilter): GraphResponse {
  const layout = runLayout(run);
  const discs = new Map(layout.clusters.map((d) => [d.id, d]));
  const from = f.from ? Date.parse(f.from) : Number.NEGATIVE_INFINITY;
  const to = f.to ? Date.parse(f.to) : Number.POSITIVE_INFINITY;
  const wanted = f.signals ? new Set(f.signals) : null;
  const result = run.result;
  const clusters = result.clusters
    .map((c, index) => ({ c, index }))
    .filter(
      ({ c }) =>
        RANK[c.confidence] >= RANK[f.minConfidence] &&
        Date.parse(c.last) >= from &&
        Date.parse(c.first) <= to &&
        (!wanted || c.signals.some((s) => wanted.has(s.signal) && s.coActions > 0)),
    );
  // Edges of the kept clusters with a wanted signal; with a signal filter, only members with one.
  const keptClusters = new Set(clusters.map(({ c }) => c.id));
  let edges = result.edges.filter((e) => {
    const c = run.clusterOf.get(e.source);
    return (
      c !== undefined &&
      keptClusters.has(c) &&
      run.clusterOf.get(e.target) === c &&
      (!wanted || e.signals.some((s) => wanted.has(s)))
    );
  });
  const touched = wanted ? new Set(edges.flatMap((e) => [e.source, e.target])) : null;
  const nodes: GraphNode[] = [];
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
  const shown = new Set(nodes.map((n) => n.key));
  const totalEdges = edges.length;
  edges = edges.filter((e) => shown.has(e.source) && shown.has(e.target));
  if (edges.length > f.maxEdges) edges = [...edges].sort((a, b) => b.weight - a.weight).slice(0, f.maxEdges);
  return {
    nodes,
    edges: edges.map(
      (e): GraphEdge => ({
        source: e.source,
        target: e.target,
        coActions: e.coActions,
        weight: e.weight,
        log10P: e.log10P,
        signals: e.signals,
      }),
    ),
    clusters: shownClusters,
    total: { nodes: total, edges: totalEdges },
    truncated: nodes.length < total || edges.length < totalEdges,
  };
}
