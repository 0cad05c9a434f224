/**
 * Network: the clustered accounts drawn with sigma (WebGL), coloured by cluster and sized by
 * activity, laid out by the server (clusters as separate discs). Hover an account to see it and its
 * co-actors, click it to open it; click a cluster's name to open the cluster. Filters go to the
 * server, which keeps the answer within the node limit.
 */
import Graph from 'graphology';
import { useEffect, useMemo, useRef, useState } from 'react';
import Sigma from 'sigma';
import { EdgeLineProgram } from 'sigma/rendering';
import type { GraphResponse, SignalName } from '../../../src/server/types';
import { qs, useApi } from '../api';
import { Badge, Data, ErrorBox, Loading, num } from '../components';
import { href, navigate } from '../router';

declare global {
  interface Window {
    /** Set when the network has been drawn: what, and how long after the page started (for tests and the benchmark). */
    __lockstepNetwork?: { nodes: number; edges: number; drawnAt: number };
  }
}

export function NetworkView({ run }: { run?: number }) {
  const [signals, setSignals] = useState<SignalName[]>([]);
  const [minConfidence, setMinConfidence] = useState<'low' | 'medium' | 'high'>('low');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const g = useApi<GraphResponse>(
    `/api/graph${qs({ run, signals: signals.join(','), minConfidence, from, to, limit: 20000 })}`,
  );
  return (
    <div className="view network">
      <div className="net-bar">
        <h1>Network</h1>
        <label>
          confidence{' '}
          <select
            value={minConfidence}
            onChange={(e) => setMinConfidence(e.target.value as typeof minConfidence)}
          >
            <option value="low">all</option>
            <option value="medium">medium and high</option>
            <option value="high">high only</option>
          </select>
        </label>
        <label>
          active from <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          to <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <details className="signal-filter">
          <summary>{signals.length ? `signals: ${signals.length}` : 'all signals'}</summary>
          <div>
            {(g.data?.signals ?? []).map((s) => (
              <label key={s}>
                <input
                  type="checkbox"
                  checked={signals.includes(s)}
                  onChange={(e) =>
                    setSignals(e.target.checked ? [...signals, s] : signals.filter((x) => x !== s))
                  }
                />{' '}
                {s}
              </label>
            ))}
            <button type="button" onClick={() => setSignals([])}>
              all
            </button>
          </div>
        </details>
        {g.data && (
          <span className="hint">
            {num(g.data.nodes.length)}
            {g.data.truncated ? ` of ${num(g.data.total.nodes)}` : ''} accounts; lines: each account's 10
            strongest of {num(g.data.total.edges)} significant pairs
          </span>
        )}
      </div>
      {g.error && <ErrorBox error={g.error} />}
      {!g.data && !g.error && <Loading what="the network" />}
      {g.data &&
        (g.data.nodes.length ? (
          <Canvas data={g.data} />
        ) : (
          <p className="none">No cluster matches these filters.</p>
        ))}
    </div>
  );
}

function Canvas({ data }: { data: GraphResponse }) {
  const container = useRef<HTMLDivElement>(null);
  const labels = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{ key: string; x: number; y: number } | null>(null);
  const [focusCluster, setFocusCluster] = useState<string | null>(null);
  const nodeByKey = useMemo(() => new Map(data.nodes.map((n) => [n.key, n])), [data]);
  const colors = useMemo(() => new Map(data.clusters.map((c) => [c.id, c.color])), [data]);
  const state = useRef({
    hovered: null as string | null,
    neighbours: new Set<string>(),
    cluster: null as string | null,
  });

  useEffect(() => {
    const el = container.current!;
    const graph = new Graph({ type: 'undirected', multi: false });
    const maxPosts = Math.max(1, ...data.nodes.map((n) => n.posts));
    for (const n of data.nodes)
      graph.addNode(n.key, {
        x: n.x,
        y: n.y,
        size: 2.5 + 7 * Math.sqrt(n.posts / maxPosts),
        color: colors.get(n.cluster) ?? '#888',
        label: n.handle ? `@${n.handle}` : n.accountId,
        cluster: n.cluster,
      });
    // The server sends each pair once: no duplicate check, and no per-edge attributes (the reducer
    // styles them), which keeps building the graph of thousands of accounts quick.
    for (const [s, t] of data.edges) graph.addEdge(data.nodes[s]!.key, data.nodes[t]!.key);
    const renderer = new Sigma(graph, el, {
      renderEdgeLabels: false,
      // Room above the top clusters for their names.
      stagePadding: 40,
      labelRenderedSizeThreshold: 9,
      labelFont: 'system-ui, sans-serif',
      labelSize: 12,
      labelColor: { color: '#1f2933' },
      defaultEdgeColor: '#c9d0d8',
      // One-pixel lines: cheaper than sigma's default rectangles in software WebGL, and as legible here.
      defaultEdgeType: 'line',
      edgeProgramClasses: { line: EdgeLineProgram },
      zIndex: true,
      hideEdgesOnMove: data.edges.length > 20000,
      nodeReducer: (node, attrs) => {
        const s = state.current;
        if (s.hovered && node !== s.hovered && !s.neighbours.has(node))
          return { ...attrs, color: '#e4e7eb', label: '', zIndex: 0 };
        if (s.cluster && attrs.cluster !== s.cluster)
          return { ...attrs, color: '#e4e7eb', label: '', zIndex: 0 };
        if (s.hovered === node) return { ...attrs, highlighted: true, zIndex: 2 };
        return { ...attrs, zIndex: 1 };
      },
      edgeReducer: (edge, attrs) => {
        const s = state.current;
        if (s.hovered && !graph.extremities(edge).includes(s.hovered)) return { ...attrs, hidden: true };
        if (s.hovered) return { ...attrs, color: '#5b6b7d', size: 1.2 };
        if (s.cluster && graph.getNodeAttribute(graph.source(edge), 'cluster') !== s.cluster)
          return { ...attrs, hidden: true };
        return attrs;
      },
    });
    // Cluster names over their discs: our own elements (ids as text), moved after each frame.
    const placeLabels = () => {
      const box = labels.current;
      if (!box) return;
      for (const child of Array.from(box.children) as HTMLElement[]) {
        const c = data.clusters[Number(child.dataset.i)]!;
        const p = renderer.graphToViewport({ x: c.x, y: c.y + c.r });
        child.style.transform = `translate(${Math.round(p.x)}px, ${Math.round(p.y) - 22}px) translateX(-50%)`;
      }
    };
    let first = true;
    renderer.on('afterRender', () => {
      placeLabels();
      if (first) {
        first = false;
        window.__lockstepNetwork = { nodes: graph.order, edges: graph.size, drawnAt: performance.now() };
        el.dataset.drawn = 'true';
      }
    });
    renderer.on('enterNode', ({ node }) => {
      state.current.hovered = node;
      state.current.neighbours = new Set(graph.neighbors(node));
      const p = renderer.graphToViewport(graph.getNodeAttributes(node) as { x: number; y: number });
      setHover({ key: node, x: p.x, y: p.y });
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on('leaveNode', () => {
      state.current.hovered = null;
      state.current.neighbours = new Set();
      setHover(null);
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on('clickNode', ({ node }) => {
      const n = nodeByKey.get(node)!;
      navigate(href(['accounts', n.platform, n.accountId]));
    });
    placeLabels();
    (el as HTMLDivElement & { __sigma?: Sigma }).__sigma = renderer;
    return () => {
      renderer.kill();
      delete el.dataset.drawn;
    };
  }, [data, colors, nodeByKey]);

  useEffect(() => {
    state.current.cluster = focusCluster;
    (container.current as (HTMLDivElement & { __sigma?: Sigma }) | null)?.__sigma?.refresh({
      skipIndexation: true,
    });
  }, [focusCluster]);

  const hovered = hover ? nodeByKey.get(hover.key) : null;
  return (
    <div className="net-wrap">
      <div className="net-canvas" ref={container} data-testid="network" />
      <div className="net-labels" ref={labels}>
        {data.clusters.map((c, i) => (
          <a
            key={c.id}
            data-i={i}
            className="net-label"
            href={href(['clusters', c.id])}
            onMouseEnter={() => setFocusCluster(c.id)}
            onMouseLeave={() => setFocusCluster(null)}
          >
            <Data text={c.id} />
          </a>
        ))}
      </div>
      {hovered && hover && (
        <div
          className="net-tip"
          style={{ transform: `translate(${Math.round(hover.x + 14)}px, ${Math.round(hover.y + 10)}px)` }}
        >
          <b>
            <Data text={hovered.handle ? `@${hovered.handle}` : hovered.accountId} />
          </b>
          <div>
            cluster <Data text={hovered.cluster} /> · {num(hovered.posts)} posts · strength{' '}
            {Math.round(hovered.strength * 100)}%
          </div>
          <div className="none">click to open the account</div>
        </div>
      )}
      <aside className="net-side">
        <h3>Clusters</h3>
        <ul>
          {data.clusters.map((c) => (
            <li
              key={c.id}
              onMouseEnter={() => setFocusCluster(c.id)}
              onMouseLeave={() => setFocusCluster(null)}
            >
              <span className="swatch" style={{ background: c.color }} />
              <a href={href(['clusters', c.id])}>
                <Data text={c.id} />
              </a>{' '}
              <span className="none">{num(c.size)}</span> <Badge confidence={c.confidence} />
            </li>
          ))}
        </ul>
        <p className="hint">Dot size: posts. Lines: significant pairs. Hover a cluster to isolate it.</p>
      </aside>
    </div>
  );
}
