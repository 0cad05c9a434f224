/**
 * The network's layout, shared by the workbench's Network view and the report's figure: each cluster
 * is a disc of its own, discs packed apart so that clusters never overlap, members placed inside
 * their cluster's disc by ForceAtlas2 (Jacomy et al. 2014, PLoS ONE 9(6):e98679) over the cluster's
 * significant edges, started from a sunflower (strongest members in the middle). Deterministic: the
 * same result gives the same picture.
 *
 * Disc radius grows with the square root of the cluster's size, so that member density is about
 * the same in every cluster; the packing places discs by size on an outward spiral around the
 * largest, each at the first position where it overlaps no disc already placed.
 */
import { UndirectedGraph } from 'graphology';
import forceAtlas2Module from 'graphology-layout-forceatlas2';
import type { DetectionResult } from '../detect/types.js';

const forceAtlas2 = forceAtlas2Module as unknown as typeof forceAtlas2Module.default;

export interface LaidOutCluster {
  id: string;
  x: number;
  y: number;
  r: number;
}

export interface NetworkLayout {
  /** Position of each member (by account key). */
  nodes: Map<string, { x: number; y: number }>;
  clusters: LaidOutCluster[];
}

/** Radius of a cluster's disc per square root of its size. */
const UNIT = 10;
/** Space between discs, as a share of the smaller one's radius (at least twice `UNIT`, room for a name). */
const GAP = 0.35;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
/** ForceAtlas2 passes for a cluster, fewer for big ones (the Barnes-Hut pass costs n log n each). */
const iterationsFor = (n: number) => (n <= 200 ? 150 : n <= 2000 ? 60 : 25);

/** The pairs the layout pulls together: any with two ends and a weight. */
export type LayoutEdge = Pick<DetectionResult['edges'][number], 'source' | 'target' | 'weight'>;

export function networkLayout(result: {
  clusters: DetectionResult['clusters'];
  edges: LayoutEdge[];
}): NetworkLayout {
  const nodes = new Map<string, { x: number; y: number }>();
  const clusterOf = new Map<string, string>();
  for (const c of result.clusters) for (const m of c.members) clusterOf.set(m.key, c.id);
  const edgesByCluster = new Map<string, LayoutEdge[]>();
  for (const e of result.edges) {
    const c = clusterOf.get(e.source);
    if (!c || c !== clusterOf.get(e.target)) continue;
    const list = edgesByCluster.get(c);
    if (list) list.push(e);
    else edgesByCluster.set(c, [e]);
  }
  const discs = pack(result.clusters.map((c) => ({ id: c.id, r: UNIT * Math.sqrt(Math.max(1, c.size)) })));
  const discOf = new Map(discs.map((d) => [d.id, d]));
  for (const c of result.clusters) {
    const disc = discOf.get(c.id)!;
    const local = memberLayout(
      c.members.map((m) => m.key),
      edgesByCluster.get(c.id) ?? [],
    );
    for (const [key, p] of local) nodes.set(key, { x: disc.x + p.x * disc.r, y: disc.y + p.y * disc.r });
  }
  return { nodes, clusters: discs };
}

/** Members inside the unit disc: sunflower start, ForceAtlas2 on the cluster's edges, rescaled. */
function memberLayout(keys: string[], edges: LayoutEdge[]): Map<string, { x: number; y: number }> {
  const n = keys.length;
  const start = new Map<string, { x: number; y: number }>();
  keys.forEach((key, i) => {
    const rho = Math.sqrt((i + 0.5) / n);
    start.set(key, { x: rho * Math.cos(i * GOLDEN_ANGLE), y: rho * Math.sin(i * GOLDEN_ANGLE) });
  });
  if (n < 3 || !edges.length) return start;
  const graph = new UndirectedGraph();
  for (const key of keys) graph.addNode(key, { ...start.get(key)! });
  for (const e of edges)
    if (!graph.hasEdge(e.source, e.target)) graph.addEdge(e.source, e.target, { weight: e.weight });
  const positions = forceAtlas2(graph, {
    iterations: iterationsFor(n),
    getEdgeWeight: 'weight',
    settings: {
      ...forceAtlas2.inferSettings(graph),
      barnesHutOptimize: n > 400,
      gravity: 1,
      strongGravityMode: true,
    },
  });
  // Centre on the mean, scale the farthest member to 0.92 of the disc.
  let cx = 0;
  let cy = 0;
  for (const p of Object.values(positions)) {
    cx += p.x / n;
    cy += p.y / n;
  }
  let far = 0;
  for (const p of Object.values(positions)) far = Math.max(far, Math.hypot(p.x - cx, p.y - cy));
  const scale = far > 0 ? 0.92 / far : 1;
  const out = new Map<string, { x: number; y: number }>();
  for (const key of keys) {
    const p = positions[key]!;
    out.set(
      key,
      Number.isFinite(p.x) && Number.isFinite(p.y)
        ? { x: (p.x - cx) * scale, y: (p.y - cy) * scale }
        : start.get(key)!,
    );
  }
  separate([...out.values()]);
  return out;
}

/**
 * Pushes apart members closer than a share of the mean spacing in the disc: ForceAtlas2 stacks
 * accounts with the same neighbours on one spot, which hides how many there are. A grid of cells
 * one spacing wide finds the close pairs; a few passes, each moving both points of a pair half way.
 */
function separate(points: { x: number; y: number }[]): void {
  const min = 0.7 * Math.sqrt(Math.PI / Math.max(1, points.length));
  for (let pass = 0; pass < 30; pass++) {
    const grid = new Map<string, number[]>();
    points.forEach((p, i) => {
      const k = `${Math.floor(p.x / min)},${Math.floor(p.y / min)}`;
      const cell = grid.get(k);
      if (cell) cell.push(i);
      else grid.set(k, [i]);
    });
    let moved = false;
    points.forEach((p, i) => {
      const gx = Math.floor(p.x / min);
      const gy = Math.floor(p.y / min);
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (const j of grid.get(`${gx + dx},${gy + dy}`) ?? []) {
            if (j <= i) continue;
            const q = points[j]!;
            const d = Math.hypot(q.x - p.x, q.y - p.y);
            if (d >= min) continue;
            // Same spot: split along a direction fixed by the indices (deterministic).
            const ux = d > 0 ? (q.x - p.x) / d : Math.cos(i + j);
            const uy = d > 0 ? (q.y - p.y) / d : Math.sin(i + j);
            const push = (min - d) / 2;
            p.x -= ux * push;
            p.y -= uy * push;
            q.x += ux * push;
            q.y += uy * push;
            moved = true;
          }
    });
    // Everyone stays inside the disc.
    for (const p of points) {
      const r = Math.hypot(p.x, p.y);
      if (r > 0.96) {
        p.x *= 0.96 / r;
        p.y *= 0.96 / r;
      }
    }
    if (!moved) break;
  }
}

/** Discs packed largest first on a spiral; returns them in the input's order. */
function pack(discs: { id: string; r: number }[]): LaidOutCluster[] {
  const order = discs.map((d, i) => ({ ...d, i })).sort((a, b) => b.r - a.r || a.i - b.i);
  const placed: (LaidOutCluster & { i: number })[] = [];
  const gap = (a: number, b: number) => Math.max(2 * UNIT, GAP * Math.min(a, b));
  for (const d of order) {
    if (!placed.length) {
      placed.push({ id: d.id, x: 0, y: 0, r: d.r, i: d.i });
      continue;
    }
    const step = Math.max(UNIT / 2, d.r / 4);
    for (let t = 0; ; t++) {
      // Archimedean spiral: the radius grows by `step` per turn of about 2 pi / 0.35 steps.
      const angle = t * 0.35;
      const rho = placed[0]!.r + d.r + (step * angle) / (2 * Math.PI);
      const x = rho * Math.cos(angle);
      const y = rho * Math.sin(angle);
      if (placed.every((p) => Math.hypot(p.x - x, p.y - y) >= p.r + d.r + gap(p.r, d.r))) {
        placed.push({ id: d.id, x, y, r: d.r, i: d.i });
        break;
      }
    }
  }
  return placed.sort((a, b) => a.i - b.i).map(({ i: _, ...d }) => d);
}
