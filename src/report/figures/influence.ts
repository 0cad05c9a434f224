/**
 * The influence layer's figures, as SVG trees (svg.ts) shared by the workbench's Influence view and
 * the report's "Who is behind it": the layered graph (one column per layer, left to right: accounts,
 * sites, organisations, agents, officials, documents), money flows as bars, and a timeline of dated
 * records. Names from the data are text children only; a node carries its index (`data-node`), never
 * its id, so the app can open it without the data ever becoming an attribute.
 */
import { COLORS, linear, timeTicks } from './scales.js';
import { h, type SvgNode } from './svg.js';

/** The layers, left to right, with their headings (entities/query/views.ts `TIERS`). */
export const LAYERS = [
  ['accounts', 'clusters, accounts'],
  ['sites', 'sites'],
  ['organisations', 'organisations'],
  ['agents', 'agents'],
  ['officials', 'officials'],
  ['documents', 'statements'],
] as const;

export const LAYER_COLORS: Record<string, string> = {
  accounts: '#b03a48',
  sites: '#c98a2b',
  organisations: '#2f5d8a',
  agents: '#8a5aa8',
  officials: '#2f8f83',
  documents: '#6b7785',
};

const FONT = { 'font-family': 'system-ui, sans-serif', 'font-size': 11, fill: COLORS.muted };

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export interface LayeredNode {
  key: string;
  label: string;
  tier: string;
  /** Drawn with a heavier outline (the entity the page is about, a path's ends). */
  focus?: boolean;
}

export interface LayeredEdge {
  from: string;
  to: string;
  label: string;
  date: string | null;
}

/**
 * The nodes in columns by layer, at most `perColumn` per column (the most connected first, the focus
 * always), with every edge between drawn nodes as a curve; an edge's tooltip names its record's kind
 * and date. Columns with no node are left out; hidden nodes are counted under their column.
 */
export function layeredGraph(
  nodes: LayeredNode[],
  edges: LayeredEdge[],
  options: { perColumn?: number; title?: string } = {},
): SvgNode {
  const perColumn = options.perColumn ?? 14;
  const degree = new Map<string, number>();
  for (const e of edges) for (const k of [e.from, e.to]) degree.set(k, (degree.get(k) ?? 0) + 1);
  const columns = LAYERS.map(([tier, heading]) => {
    const all = nodes
      .map((n, index) => ({ ...n, index }))
      .filter((n) => n.tier === tier)
      .sort(
        (a, b) =>
          Number(!!b.focus) - Number(!!a.focus) ||
          (degree.get(b.key) ?? 0) - (degree.get(a.key) ?? 0) ||
          a.label.localeCompare(b.label),
      );
    return { tier, heading, shown: all.slice(0, perColumn), hidden: Math.max(0, all.length - perColumn) };
  }).filter((c) => c.shown.length);
  const colWidth = 200;
  const boxWidth = 150;
  const rowHeight = 30;
  const top = options.title ? 46 : 26;
  const rows = Math.max(1, ...columns.map((c) => c.shown.length + (c.hidden ? 1 : 0)));
  const width = Math.max(1, columns.length) * colWidth - (colWidth - boxWidth) + 8;
  const height = top + rows * rowHeight + 8;
  const at = new Map<string, { x: number; y: number; column: number }>();
  for (const [ci, c] of columns.entries())
    for (const [ri, n] of c.shown.entries())
      at.set(n.key, { x: 4 + ci * colWidth, y: top + ri * rowHeight, column: ci });
  const curves = edges.flatMap((e) => {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b || e.from === e.to) return [];
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    const ly = l.y + 11;
    const ry = r.y + 11;
    const d =
      l.column === r.column
        ? `M${l.x + boxWidth} ${ly} C${l.x + boxWidth + 30} ${ly} ${r.x + boxWidth + 30} ${ry} ${r.x + boxWidth} ${ry}`
        : `M${l.x + boxWidth} ${ly} C${l.x + boxWidth + 30} ${ly} ${r.x - 30} ${ry} ${r.x} ${ry}`;
    return [
      h(
        'path',
        { d, fill: 'none', stroke: '#8a94a0', 'stroke-opacity': 0.55, 'stroke-width': 1 },
        h('title', {}, `${e.label}${e.date ? `, ${e.date}` : ''}`),
      ),
    ];
  });
  const boxes = columns.flatMap((c) =>
    c.shown.map((n) => {
      const p = at.get(n.key)!;
      const color = LAYER_COLORS[c.tier] ?? COLORS.bar;
      return h(
        'g',
        { 'data-node': n.index },
        h('title', {}, n.label),
        h('rect', {
          x: p.x,
          y: p.y,
          width: boxWidth,
          height: 22,
          rx: 4,
          fill: '#fff',
          stroke: color,
          'stroke-width': n.focus ? 2.5 : 1,
        }),
        h('rect', { x: p.x, y: p.y, width: 4, height: 22, rx: 2, fill: color }),
        h(
          'text',
          { ...FONT, x: p.x + 9, y: p.y + 15, fill: COLORS.ink, 'font-weight': n.focus ? 600 : 400 },
          clip(n.label, 25),
        ),
      );
    }),
  );
  const headings = columns.map((c, ci) => [
    h(
      'text',
      {
        ...FONT,
        x: 4 + ci * colWidth,
        y: top - 10,
        fill: LAYER_COLORS[c.tier],
        'font-weight': 600,
      },
      c.heading,
    ),
    c.hidden > 0 &&
      h(
        'text',
        { ...FONT, x: 4 + ci * colWidth + 9, y: top + c.shown.length * rowHeight + 14 },
        `and ${c.hidden} more`,
      ),
  ]);
  return h(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': options.title ?? 'records linking the layers',
    },
    options.title && h('text', { ...FONT, x: 4, y: 14, fill: COLORS.ink, 'font-weight': 600 }, options.title),
    h('g', {}, curves),
    headings,
    boxes,
  );
}

export interface FlowBar {
  payer: string;
  beneficiary: string;
  period: string;
  currency: string;
  total: number;
}

const money = (currency: string, v: number) =>
  `${currency} ${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

/**
 * Money flows as horizontal bars, the largest first: one row per payer -> beneficiary and period,
 * each bar against the largest flow of its own currency (currencies are never compared).
 */
export function flowBars(flows: FlowBar[], options: { top?: number; width?: number } = {}): SvgNode {
  const rows = [...flows].sort((a, b) => b.total - a.total).slice(0, options.top ?? 12);
  const width = options.width ?? 640;
  const labelWidth = Math.round(width * 0.52);
  const rowHeight = 22;
  const max = new Map<string, number>();
  for (const f of rows) max.set(f.currency, Math.max(max.get(f.currency) ?? 0, f.total));
  const barMax = width - labelWidth - 120;
  return h(
    'svg',
    {
      viewBox: `0 0 ${width} ${rows.length * rowHeight + 8}`,
      width,
      height: rows.length * rowHeight + 8,
      role: 'img',
      'aria-label': 'payments by payer, beneficiary and period',
    },
    rows.map((f, i) => {
      const y = 4 + i * rowHeight;
      const w = Math.max(1, (f.total / (max.get(f.currency) || 1)) * barMax);
      return h(
        'g',
        {},
        h('title', {}, `${f.payer} -> ${f.beneficiary}, ${f.period}: ${money(f.currency, f.total)}`),
        h(
          'text',
          { ...FONT, x: labelWidth - 6, y: y + 14, 'text-anchor': 'end', fill: COLORS.ink },
          `${clip(`${f.payer} → ${f.beneficiary}`, Math.round(labelWidth / 6.2) - 7)} (${f.period})`,
        ),
        h('rect', { x: labelWidth, y: y + 3, width: w, height: 14, rx: 2, fill: COLORS.bar }),
        h('text', { ...FONT, x: labelWidth + w + 6, y: y + 14 }, money(f.currency, f.total)),
      );
    }),
  );
}

export interface TimelineMark {
  date: string;
  /** The row it is drawn on (the kind of record: payment, representation, contact, ...). */
  row: string;
  label: string;
}

/** Dated records as marks on one time axis, a row per kind of record; each mark's tooltip says what it is. */
export function recordTimeline(marks: TimelineMark[], options: { width?: number } = {}): SvgNode {
  const width = options.width ?? 640;
  const rowNames = [...new Set(marks.map((m) => m.row))];
  const left = 110;
  const rowHeight = 20;
  const top = 8;
  const height = top + rowNames.length * rowHeight + 22;
  const t = (d: string) => Date.parse(d.length === 4 ? `${d}-01-01` : d.length === 7 ? `${d}-01` : d);
  const times = marks.map((m) => t(m.date)).filter(Number.isFinite);
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const pad = Math.max(86_400_000, (hi - lo) * 0.03);
  const x = linear(lo - pad, hi + pad, left, width - 10);
  return h(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': 'dated records over time',
    },
    rowNames.map((r, i) => [
      h('text', { ...FONT, x: left - 8, y: top + i * rowHeight + 13, 'text-anchor': 'end' }, clip(r, 18)),
      h('line', {
        x1: left,
        x2: width - 10,
        y1: top + i * rowHeight + 9,
        y2: top + i * rowHeight + 9,
        stroke: COLORS.grid,
      }),
    ]),
    marks.map((m) => {
      const v = t(m.date);
      if (!Number.isFinite(v)) return null;
      return h(
        'circle',
        {
          cx: x(v),
          cy: top + rowNames.indexOf(m.row) * rowHeight + 9,
          r: 4.5,
          fill: COLORS.bar,
          'fill-opacity': 0.75,
        },
        h('title', {}, `${m.date}: ${m.label}`),
      );
    }),
    times.length > 0 &&
      timeTicks(lo - pad, hi + pad, 6).map((tick) =>
        h('text', { ...FONT, x: x(tick.t), y: height - 6, 'text-anchor': 'middle' }, tick.label),
      ),
  );
}
