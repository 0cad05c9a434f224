/** Small scale and formatting helpers for the figures (linear scales, colour ramps, date ticks). */

export const linear =
  (d0: number, d1: number, r0: number, r1: number) =>
  (v: number): number =>
    d1 === d0 ? r0 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Light to dark blue (sequential), t in 0..1; 0 is the empty cell's colour. */
export function ramp(t: number): string {
  if (!(t > 0)) return '#f1f3f6';
  const a = [222, 235, 247];
  const b = [8, 48, 107];
  const k = Math.sqrt(Math.min(1, t));
  const c = a.map((x, i) => Math.round(x + (b[i]! - x) * k));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The colours the figures share: ink, grid, coordinated and the rest. */
export const COLORS = {
  ink: '#1f2933',
  muted: '#6b7785',
  grid: '#e3e7ec',
  coordinated: '#b03a48',
  rest: '#aab4c0',
  bar: '#4a6fa5',
};

export const DAY_MS = 86_400_000;

const dayOf = (iso: string): number => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Compact counts: 1234 -> 1.2k. */
export function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n));
}

/** Tick positions for a time axis from lo to hi (ms): about `count` round dates. */
export function timeTicks(lo: number, hi: number, count = 6): { t: number; label: string }[] {
  const span = Math.max(DAY_MS, hi - lo);
  const days = span / DAY_MS;
  const out: { t: number; label: string }[] = [];
  const month = (d: Date) => d.toISOString().slice(0, 7);
  if (days > 400) {
    const years = Math.max(1, Math.ceil(days / 365 / count));
    for (let y = new Date(lo).getUTCFullYear(); ; y += years) {
      const t = Date.UTC(y, 0, 1);
      if (t > hi) break;
      if (t >= lo) out.push({ t, label: String(y) });
    }
  } else if (days > 60) {
    const step = Math.max(1, Math.ceil(days / 30 / count));
    const d = new Date(lo);
    for (let m = d.getUTCFullYear() * 12 + d.getUTCMonth(); ; m += step) {
      const t = Date.UTC(Math.floor(m / 12), m % 12, 1);
      if (t > hi) break;
      if (t >= lo) out.push({ t, label: month(new Date(t)) });
    }
  } else {
    const step = Math.max(1, Math.ceil(days / count));
    for (let t = dayOf(new Date(lo).toISOString()); t <= hi; t += step * DAY_MS)
      if (t >= lo) out.push({ t, label: isoDay(t).slice(5) });
  }
  return out;
}
