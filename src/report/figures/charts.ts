/**
 * The figures of the workbench and the report, as SVG trees (svg.ts): the 7 x 24 week, counts over
 * time (a histogram, or coordinated against the rest), the signal mix and the network. Each takes
 * plain numbers and returns one `<svg>` with a viewBox, so it scales to its container.
 */
import { COLORS, compact, DAY_MS, isoDay, linear, niceMax, ramp, timeTicks } from './scales.js';
import { h, type SvgInput, type SvgNode } from './svg.js';

/** ISO weekdays, Monday first (the order of every 7 x 24 table). */
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A figure's root: its own coordinates (it scales to its container), a role and a label for screen readers. */
const figureRoot = (width: number, height: number, label: string, ...children: SvgInput[]): SvgNode =>
  h(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label },
    ...children,
  );

const FONT = { 'font-family': 'system-ui, sans-serif', 'font-size': 11, fill: COLORS.muted };

/**
 * A week of activity: 7 rows (Monday first, ISO) by 24 hours, darker for more posts; each cell's
 * tooltip gives its count. `label` names the clock ("UTC", "UTC+03:30").
 */
export function weekHeatmap(week: number[][], label: string, title?: string): SvgNode {
  const cell = 18;
  const left = 34;
  const top = title ? 30 : 14;
  const width = left + 24 * cell + 6;
  const height = top + 7 * cell + 24;
  const max = Math.max(1, ...week.flat());
  const cells = week.flatMap((row, d) =>
    row.map((n, hour) =>
      h(
        'rect',
        {
          x: left + hour * cell,
          y: top + d * cell,
          width: cell - 2,
          height: cell - 2,
          rx: 2,
          fill: ramp(n / max),
        },
        h(
          'title',
          {},
          `${WEEKDAYS[d]} ${String(hour).padStart(2, '0')}:00-${String(hour).padStart(2, '0')}:59 ${label}: ${n} posts`,
        ),
      ),
    ),
  );
  return figureRoot(
    width,
    height,
    title ?? `posts by hour of the week, ${label}`,
    title && h('text', { ...FONT, x: 0, y: 14, fill: COLORS.ink, 'font-weight': 600 }, title),
    WEEKDAYS.map((d, i) => h('text', { ...FONT, x: 0, y: top + i * cell + cell * 0.68 }, d)),
    [0, 6, 12, 18].map((hour) =>
      h(
        'text',
        { ...FONT, x: left + hour * cell + (cell - 2) / 2, y: top + 7 * cell + 14, 'text-anchor': 'middle' },
        String(hour),
      ),
    ),
    h('text', { ...FONT, x: width - 6, y: top + 7 * cell + 14, 'text-anchor': 'end' }, label),
    cells,
  );
}

export interface TimePoint {
  /** ISO date or time of the bucket's start. */
  t: string;
  /** Coordinated (or the only series). */
  a: number;
  /** The rest (0 for a plain histogram). */
  b: number;
}

/**
 * An event on a time axis: a `point` (a document) in a strip above the bars, with the interval its
 * time may lie in drawn as a bar when it is wider than a dot; or a dashed `line` across the plot (the
 * earliest observed post). The label is the tooltip.
 */
export interface TimeMarker {
  kind: 'point' | 'line';
  /** UTC ms, and the interval the time lies in when it is uncertain. */
  at: number;
  from?: number;
  to?: number;
  color: string;
  label: string;
}

function timeMarker(
  m: TimeMarker,
  x: (t: number) => number,
  top: number,
  base: number,
  strip: number,
): SvgNode {
  if (m.kind === 'line')
    return h(
      'g',
      {},
      h('title', {}, m.label),
      h('line', {
        x1: x(m.at),
        x2: x(m.at),
        y1: top - strip,
        y2: base,
        stroke: m.color,
        'stroke-width': 1.5,
        'stroke-dasharray': '4 3',
      }),
    );
  const cy = top - strip / 2 - 2;
  const x0 = x(m.from ?? m.at);
  const x1 = x(m.to ?? m.at);
  return h(
    'g',
    {},
    h('title', {}, m.label),
    x1 - x0 > 4 &&
      h('line', {
        x1: x0,
        x2: x1,
        y1: cy,
        y2: cy,
        stroke: m.color,
        'stroke-width': 3,
        'stroke-opacity': 0.35,
      }),
    h('line', { x1: x(m.at), x2: x(m.at), y1: cy, y2: base, stroke: m.color, 'stroke-opacity': 0.25 }),
    h('circle', { cx: x(m.at), cy, r: 4, fill: m.color, stroke: '#fff', 'stroke-width': 1 }),
  );
}

/** Bin widths tried, smallest first: an hour, a day, a week, about a month, a quarter, a year. */
const BINS = [3_600_000, DAY_MS, 7 * DAY_MS, 30 * DAY_MS, 91 * DAY_MS, 365 * DAY_MS];

/**
 * Counts over time as bars: one series (a histogram, e.g. accounts created per day), or two
 * stacked (coordinated in colour at the bottom, the rest in grey above). Buckets are merged into
 * wider bins when there would be more than `maxBins`.
 */
export function timeBars(
  points: TimePoint[],
  options: {
    title?: string;
    unit: string;
    stacked: boolean;
    minBin?: number;
    maxBins?: number;
    width?: number;
    /** Events on the same time axis (which it widens to hold them). */
    markers?: TimeMarker[];
  },
): SvgNode {
  const width = options.width ?? 560;
  const markers = options.markers ?? [];
  const strip = markers.some((m) => m.kind === 'point') ? 16 : 0;
  const height = 170 + strip;
  const left = 40;
  const right = 8;
  const top = (options.title ? 28 : 10) + 12 + strip;
  const bottom = 22;
  const times = points.map((p) => Date.parse(p.t.length === 10 ? `${p.t}T00:00:00Z` : p.t));
  const span = [...times, ...markers.flatMap((m) => [m.at, m.from ?? m.at, m.to ?? m.at])];
  const lo0 = Math.min(...span);
  const hi0 = Math.max(...span);
  const maxBins = options.maxBins ?? 90;
  const bin = BINS.find((w) => w >= (options.minBin ?? 0) && (hi0 - lo0) / w + 1 <= maxBins) ?? BINS.at(-1)!;
  const lo = Math.floor(lo0 / bin) * bin;
  const n = span.length ? Math.floor((hi0 - lo) / bin) + 1 : 0;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  points.forEach((p, i) => {
    const k = Math.floor((times[i]! - lo) / bin);
    a[k]! += p.a;
    b[k]! += p.b;
  });
  const max = niceMax(Math.max(1, ...Array.from(a, (v, i) => v + b[i]!)));
  const x = linear(lo, lo + Math.max(1, n) * bin, left, width - right);
  const y = linear(0, max, height - bottom, top);
  const barW = Math.max(1, (width - left - right) / Math.max(1, n) - (n > 60 ? 0.5 : 1.5));
  const binLabel =
    bin === 3_600_000
      ? 'hour'
      : bin === DAY_MS
        ? 'day'
        : bin === 7 * DAY_MS
          ? 'week'
          : bin === 30 * DAY_MS
            ? '30 days'
            : bin === 91 * DAY_MS
              ? 'quarter'
              : 'year';
  const bars = Array.from({ length: n }, (_, i) => {
    const x0 = x(lo + i * bin);
    const when =
      bin < DAY_MS
        ? new Date(lo + i * bin).toISOString().slice(0, 13).replace('T', ' ') + 'h'
        : isoDay(lo + i * bin);
    const tip = options.stacked
      ? `${when} (${binLabel}): ${a[i]} ${options.unit} by coordinated accounts, ${b[i]} by the rest`
      : `${when} (${binLabel}): ${a[i]} ${options.unit}`;
    return h(
      'g',
      {},
      h('title', {}, tip),
      a[i]! > 0 &&
        h('rect', {
          x: x0,
          y: y(a[i]!),
          width: barW,
          height: y(0) - y(a[i]!),
          fill: options.stacked ? COLORS.coordinated : COLORS.bar,
        }),
      b[i]! > 0 &&
        h('rect', {
          x: x0,
          y: y(a[i]! + b[i]!),
          width: barW,
          height: y(a[i]!) - y(a[i]! + b[i]!),
          fill: COLORS.rest,
        }),
    );
  });
  const yTicks = Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max];
  return figureRoot(
    width,
    height,
    options.title ?? `${options.unit} per ${binLabel}`,
    options.title && h('text', { ...FONT, x: 0, y: 14, fill: COLORS.ink, 'font-weight': 600 }, options.title),
    yTicks.map((v) => [
      h('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: COLORS.grid }),
      h('text', { ...FONT, x: left - 4, y: y(v) + 4, 'text-anchor': 'end' }, compact(v)),
    ]),
    bars,
    markers.map((m) => timeMarker(m, x, top, y(0), strip)),
    n > 0 &&
      timeTicks(lo, lo + n * bin, 6)
        .filter((t) => x(t.t) >= left + 12 && x(t.t) <= width - right - 24)
        .map((t) => h('text', { ...FONT, x: x(t.t), y: height - 6, 'text-anchor': 'middle' }, t.label)),
    h(
      'text',
      { ...FONT, x: width - right, y: top - 6, 'text-anchor': 'end' },
      `${options.unit} per ${binLabel}`,
    ),
  );
}

/** An item's posts over time, by flagged clusters (red, below) and everyone else (grey, above). */
export function coordinatedBars(
  series: { t: string; posts: number; flaggedPosts: number }[],
  options: { title?: string; by?: 'day' | 'hour'; width?: number; markers?: TimeMarker[] } = {},
): SvgNode {
  return timeBars(
    series.map((p) => ({ t: p.t, a: p.flaggedPosts, b: p.posts - p.flaggedPosts })),
    {
      title: options.title,
      unit: 'posts',
      stacked: true,
      width: options.width,
      markers: options.markers,
      maxBins: options.by === 'hour' ? 240 : 120,
      minBin: options.by === 'hour' ? 3_600_000 : 86_400_000,
    },
  );
}

/** The share of each signal in a cluster's co-actions, as one stacked bar with a legend. */
export function signalMix(
  signals: { signal: string; share: number }[],
  colors: Record<string, string>,
): SvgNode {
  const width = 420;
  let x = 0;
  const parts = signals.filter((s) => s.share > 0);
  const bars = parts.map((s) => {
    const w = s.share * width;
    const r = h(
      'rect',
      { x, y: 0, width: Math.max(0.5, w), height: 12, fill: colors[s.signal] ?? COLORS.bar },
      h('title', {}, `${s.signal}: ${Math.round(s.share * 100)}%`),
    );
    x += w;
    return r;
  });
  const legend = parts.map((s, i) =>
    h(
      'g',
      {},
      h('rect', {
        x: (i % 3) * 140,
        y: 20 + Math.floor(i / 3) * 16,
        width: 10,
        height: 10,
        fill: colors[s.signal] ?? COLORS.bar,
      }),
      h(
        'text',
        { ...FONT, x: (i % 3) * 140 + 14, y: 29 + Math.floor(i / 3) * 16 },
        `${s.signal} ${Math.round(s.share * 100)}%`,
      ),
    ),
  );
  const height = 24 + Math.ceil(parts.length / 3) * 16;
  return figureRoot(width, height, 'signal mix', bars, legend);
}

/** Colours of the signals (fixed, so that every figure agrees). */
export const SIGNAL_COLORS: Record<string, string> = {
  'shared-object': '#4a6fa5',
  'shared-link': '#2f8f83',
  'shared-hashtag': '#c98a2b',
  'reply-target': '#8a5aa8',
  'mention-target': '#b06a8f',
  'near-duplicate': '#b03a48',
  'shared-media': '#6b8e23',
  synchrony: '#7a7f87',
};

export interface NetworkFigureInput {
  clusters: { id: string; x: number; y: number; r: number; color: string }[];
  nodes: { key: string; x: number; y: number; cluster: string; size: number; label: string }[];
  edges: { source: string; target: string }[];
}

/** The network as the report draws it: discs of clusters, members as dots, edges as faint lines. */
export function networkFigure(input: NetworkFigureInput, size = 640): SvgNode {
  const pad = 24;
  const xs = input.clusters.flatMap((c) => [c.x - c.r, c.x + c.r]);
  const ys = input.clusters.flatMap((c) => [c.y - c.r, c.y + c.r]);
  const [x0, x1, y0, y1] = [Math.min(...xs, 0), Math.max(...xs, 1), Math.min(...ys, 0), Math.max(...ys, 1)];
  const scale = (size - 2 * pad) / Math.max(x1 - x0, y1 - y0);
  const width = Math.round((x1 - x0) * scale + 2 * pad);
  const height = Math.round((y1 - y0) * scale + 2 * pad);
  const sx = (x: number) => pad + (x - x0) * scale;
  // The layout's y grows upwards (as in sigma); SVG's grows downwards.
  const sy = (y: number) => height - pad - (y - y0) * scale;
  const at = new Map(input.nodes.map((n) => [n.key, n]));
  const color = new Map(input.clusters.map((c) => [c.id, c.color]));
  const maxSize = Math.max(1, ...input.nodes.map((n) => n.size));
  return figureRoot(
    width,
    height,
    'network of clustered accounts',
    input.clusters.map((c) =>
      h('circle', {
        cx: sx(c.x),
        cy: sy(c.y),
        r: c.r * scale + 3,
        fill: c.color,
        'fill-opacity': 0.07,
        stroke: c.color,
        'stroke-opacity': 0.35,
      }),
    ),
    h(
      'g',
      { stroke: '#8a94a0', 'stroke-opacity': 0.25, 'stroke-width': 0.6 },
      input.edges.map((e) => {
        const s = at.get(e.source);
        const t = at.get(e.target);
        return s && t ? h('line', { x1: sx(s.x), y1: sy(s.y), x2: sx(t.x), y2: sy(t.y) }) : null;
      }),
    ),
    input.nodes.map((n) =>
      h(
        'circle',
        {
          cx: sx(n.x),
          cy: sy(n.y),
          r: 1.6 + 3.4 * Math.sqrt(n.size / maxSize),
          fill: color.get(n.cluster) ?? COLORS.bar,
        },
        h('title', {}, n.label),
      ),
    ),
    input.clusters.map((c) =>
      h(
        'text',
        {
          ...FONT,
          x: sx(c.x),
          y: sy(c.y + c.r) - 6,
          'text-anchor': 'middle',
          fill: COLORS.ink,
          'font-weight': 600,
        },
        c.id,
      ),
    ),
  );
}
