/**
 * Rhythm: when an account set is active, whether that looks like office work, and the UTC offset
 * its operators most likely live in (issue 4, part 1; statistics explained in docs/forensics/rhythm.md).
 *
 * Data: one GROUP BY pass over posts gives, per set and for the population (every account of the
 * store in no set), the number of posts in each quarter-hour of the UTC week (7 x 96 bins, Monday
 * first, ISO). Minute-resolution timestamps fall into their quarter-hour; nothing finer is used.
 *
 * Offset model (maximum likelihood, local time t of the day in quarter-hours):
 *
 *   p(t) = pi * Office(t; start, length, lunch) + (1 - pi) * Human(t)
 *
 * `Human` is the daily cycle of people posting in their own time: quiet from about 02:00 to 06:00,
 * rising through the morning, highest in the evening. That is the shape of hourly tweet volume in
 * large multi-country samples (Golder & Macy 2011, Science 333:1878) and the basis of time-zone
 * inference from posting times in the literature. `Office` is a shift with a lunch dip, the
 * signature takedown reports describe for troll farms and marketing firms (e.g. the Internet
 * Research Agency's posting on Saint Petersburg working hours, and the workday shifts in Stanford
 * Internet Observatory and DFRLab analyses of state-linked operations). The office part alone only
 * fixes the shift in UTC (start minus offset), so the offset comes from the human part (off-shift
 * evening posts, the empty night) and, when there is none, from a weak prior on the local start of
 * a shift (9:00 +- 1 h, the common office start). The offset is searched on a 15-minute grid from
 * -12:00 to +14:00; the shift's start, length and lunch break and the mixture weight are profiled out.
 *
 * Prolific accounts: the model is fitted to the members' posts with each account's total winsorised
 * at Tukey's far-out fence of the set (Q3 + 3 IQR of posts per member; its posts are scaled down to
 * that total), so that two heavy posters caught in a cluster of quiet accounts cannot move the
 * estimate on their own. The 7 x 24 tables stay the raw counts.
 *
 * Interval: profile likelihood. Posts are not independent (an operation's accounts post together
 * on orders, a person posts in sessions), so the log-likelihood is divided by the Pearson dispersion
 * of the fit, chi2 / df (quasi-likelihood, McCullagh & Nelder 1989, Generalized Linear Models, ch. 9),
 * and the 95% interval is every offset whose scaled deficit is within chi2(1, 0.95) = 3.84 of the best.
 *
 * Office-hours verdict: in local days at the estimated offset, the share of activity a workday shift
 * explains beyond the human cycle (same mixture over the week, the shift only on the five working
 * days), the ratio of activity on workdays to the best pair of consecutive days off, and a
 * quasi-likelihood ratio test of "shift + human" against "human only". Office-like when the shift
 * explains most of the activity, days off are at most half as busy as workdays, and the test is
 * significant at 0.001. People's own weekends change their activity far less than that.
 */
import { UsageError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { SETS_TABLE } from './sets.js';
import { zoneOffsetMinutes, zoneOfLocation } from './timezones.js';

const Q = 96; // quarter-hours a day
const WEEK = 7 * Q;
const MIN_OFFSET = -720;
const MAX_OFFSET = 840;
const CHI2_1_95 = 3.841;
const CHI2_1_999 = 10.828;

/** ISO weekday names, index 0 = Monday (the order of every 7 x 24 table here). */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export interface RhythmOptions {
  /**
   * Relative activity of people per local hour 0..23 (the human daily cycle). The default follows
   * published hourly tweet-volume curves: lowest at 03-05, a morning rise, highest around 20-21.
   */
  humanHours: number[];
  /** Prior on the local start of a work shift, hours: mean and standard deviation. */
  shiftStartMean: number;
  shiftStartSd: number;
  /** Local shift starts searched, hours [first, last] (15-minute steps). */
  shiftStartRange: [number, number];
  /** Shift lengths searched, hours. */
  shiftLengths: number[];
  /** Hours from shift start to a one-hour lunch break; `null` = no break. */
  lunchAfter: (number | null)[];
  /** Share of the shift's intensity that the lunch break removes. */
  lunchDepth: number;
  /**
   * Minutes added on each side of the statistical interval: the timing of the human daily cycle
   * differs between countries and groups by about an hour (later evenings in southern Europe and
   * the Gulf), a systematic error no amount of posts removes.
   */
  systematicMinutes: number;
  /** Width of the "working hours" window for the concentration statistic, hours. */
  windowHours: number;
  /** Fewer posts than this: no verdict and no confidence. */
  minPosts: number;
  /** Office-like needs at least this share of activity explained by the workday shift. */
  minOfficeShare: number;
  /** Office-like needs workdays at least this many times as busy as the days off. */
  minWeekendRatio: number;
  /** Located accounts needed before saying whether locations contradict the estimate. */
  minLocated: number;
  /** Distinct population locations resolved (most frequent first); the rest count as unresolved. */
  maxPopulationLocations: number;
}

export const RHYTHM_DEFAULTS: RhythmOptions = {
  humanHours: [
    0.55, 0.35, 0.22, 0.15, 0.13, 0.17, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.95, 0.9, 0.9, 0.95, 1, 1.05,
    1.1, 1.15, 1.15, 1, 0.8,
  ],
  shiftStartMean: 9,
  shiftStartSd: 1,
  shiftStartRange: [7, 11],
  shiftLengths: [7, 8, 9, 10],
  lunchAfter: [null, 3, 3.5, 4, 4.5, 5],
  lunchDepth: 0.9,
  systematicMinutes: 60,
  windowHours: 9,
  minPosts: 100,
  minOfficeShare: 0.5,
  minWeekendRatio: 2,
  minLocated: 5,
  maxPopulationLocations: 20_000,
};

/** The operators' (or people's) most likely UTC offset. */
export interface OffsetEstimate {
  /** Most likely UTC offset in minutes (15-minute grid, -720 to +840); null without posts. */
  minutes: number | null;
  /** The same as text, e.g. `UTC+05:00`. */
  label: string | null;
  /** 95% interval [low, high] in minutes: profile quasi-likelihood, widened by `systematicMinutes` each side. */
  interval: [number, number] | null;
  /** Plain-language confidence: high (interval at most 3 h wide), medium (at most 5 h), low, or none (too few posts). */
  confidence: 'high' | 'medium' | 'low' | 'none';
  /** What the estimate rests on: a shift plus off-shift human activity, or the human cycle alone. */
  basis: 'office shift and human rhythm' | 'human daily rhythm' | 'none';
  /** Pearson dispersion of the fit (chi2 / df, at least 1): how much burstier than Poisson the posts are. */
  dispersion: number;
  /** The fitted shift in local hours (decimal), when the shift explains at least a tenth of the activity. */
  shift: { start: number; end: number; lunch: [number, number] | null } | null;
}

export interface OfficeHours {
  /** Share of activity explained by a workday shift beyond the human cycle (0..1): the score. */
  officeShare: number;
  /** Office-like: see `verdict`. */
  officeLike: boolean;
  verdict: 'office hours' | 'not office hours' | 'insufficient data';
  /** Local days off: the least active pair of consecutive days (ISO weekday names). */
  daysOff: [string, string];
  /** Mean posts per workday / mean posts per day off (local days; 0.5 added to each count). */
  weekendRatio: number;
  /** Share of all posts in the densest `windowHours`-hour window of the local day. */
  concentration: number;
  /** Local start hour of that window. */
  windowStart: number;
  /** 1 - (least active hour in the middle of the window) / (mean hour of the window); lunch breaks make it large. */
  middayDip: number;
  /** Quasi-likelihood ratio statistic, shift + human against human only (chi2 with 1 df under no shift). */
  lrt: number;
}

export interface LocationZones {
  /** Accounts with a non-empty stated location. */
  withLocation: number;
  /** Accounts whose location the gazetteer maps to a time zone. */
  located: number;
  /** located / accounts. */
  locatedShare: number;
  /** Implied UTC offsets (minutes, at the data's middle date), most common first (at most 5). */
  top: { offsetMinutes: number; accounts: number; zones: string[] }[];
  /** Share of located accounts whose offset lies in the estimate's interval widened by an hour. */
  agreeingShare: number | null;
  /** Whether most located accounts claim a zone outside that range; null below `minLocated`. */
  contradicts: boolean | null;
}

/** A set's (or the population's) rhythm. Plain JSON: numbers, strings, arrays. */
export interface Rhythm {
  posts: number;
  /** Accounts in the set (the population: accounts of the store in no set). */
  accounts: number;
  /** Posts per [ISO weekday 0 = Monday][hour], UTC. */
  hourOfWeekUtc: number[][];
  /** The same in local time at the estimated offset. */
  hourOfWeekLocal: number[][];
  offset: OffsetEstimate;
  officeHours: OfficeHours;
  locations: LocationZones;
}

export interface RhythmResult {
  sets: Map<string, Rhythm>;
  population: Rhythm;
}

// ------------------------------------------------------------------------------------ the model

/** Human daily cycle at quarter-hour resolution (linear between hour midpoints), summing to 1. */
function humanCurve(hours: number[]): Float64Array {
  if (hours.length !== 24 || hours.some((h) => !(h > 0)))
    throw new UsageError('invalid `humanHours`: expecting 24 positive numbers, one per local hour');
  const out = new Float64Array(Q);
  for (let t = 0; t < Q; t++) {
    const x = (t + 0.5) / 4 - 0.5;
    const h0 = Math.floor(x);
    const f = x - h0;
    out[t] = hours[(h0 + 24) % 24]! * (1 - f) + hours[(h0 + 25) % 24]! * f;
  }
  return normalise(out);
}

function normalise(a: Float64Array): Float64Array {
  let s = 0;
  for (const v of a) s += v;
  for (let i = 0; i < a.length; i++) a[i]! /= s;
  return a;
}

interface Shape {
  length: number; // quarter-hours
  lunch: number | null; // quarter-hours after the start
}

/** Office template over the local day for a shift starting at quarter-hour `start`, summing to 1. */
function officeCurve(start: number, shape: Shape, depth: number): Float64Array {
  const out = new Float64Array(Q);
  for (let i = 0; i < shape.length; i++) {
    const inLunch = shape.lunch !== null && i >= shape.lunch && i < shape.lunch + 4;
    out[(start + i) % Q] = inLunch ? 1 - depth : 1;
  }
  return normalise(out);
}

/** Counts as sparse (index, count) lists: fits touch only the non-empty bins. */
interface Sparse {
  idx: Int32Array;
  n: Float64Array;
  total: number;
}

function sparse(counts: ArrayLike<number>): Sparse {
  const idx: number[] = [];
  const n: number[] = [];
  let total = 0;
  for (let i = 0; i < counts.length; i++)
    if (counts[i]! > 0) {
      idx.push(i);
      n.push(counts[i]!);
      total += counts[i]!;
    }
  return { idx: Int32Array.from(idx), n: Float64Array.from(n), total };
}

/** A curve written twice, so that `curve[i + shift]` needs no modulo (i, shift < its period). */
function twice(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length * 2);
  out.set(a);
  out.set(a, a.length);
  return out;
}

/**
 * max over pi in [0, 1) of sum n log(pi O + (1 - pi) H), data in UTC bins, curves in local bins
 * (local = utc + shift; curves written `twice`). Concave in pi: Newton steps inside a bracket.
 */
function fitMixture(
  data: Sparse,
  office: Float64Array,
  human: Float64Array,
  shift: number,
): { ll: number; pi: number } {
  const { idx, n } = data;
  const m = idx.length;
  let ll0 = 0;
  let g0 = 0;
  for (let j = 0; j < m; j++) {
    const t = idx[j]! + shift;
    const h = human[t]!;
    ll0 += n[j]! * Math.log(h);
    g0 += (n[j]! * (office[t]! - h)) / h;
  }
  if (g0 <= 0) return { ll: ll0, pi: 0 };
  // The derivative falls from g0 > 0 to -infinity near pi = 1 (when some posts fall outside the
  // shift): Newton steps kept inside a shrinking bracket [a, b] around its root.
  let a = 0;
  let b = 1;
  let pi = 0.5;
  for (let it = 0; it < 30; it++) {
    let g = 0;
    let hs = 0;
    for (let j = 0; j < m; j++) {
      const t = idx[j]! + shift;
      const h = human[t]!;
      const d = office[t]! - h;
      const r = d / (h + pi * d);
      g += n[j]! * r;
      hs += n[j]! * r * r;
    }
    if (g > 0) a = pi;
    else b = pi;
    let next = hs > 0 ? pi + g / hs : (a + b) / 2;
    if (!(next > a && next < b)) next = (a + b) / 2;
    if (Math.abs(next - pi) < 1e-5 || b - a < 1e-5) {
      pi = next;
      break;
    }
    pi = next;
  }
  pi = Math.min(pi, 1 - 1e-9);
  let ll = 0;
  for (let j = 0; j < m; j++) {
    const t = idx[j]! + shift;
    ll += n[j]! * Math.log(human[t]! + pi * (office[t]! - human[t]!));
  }
  return ll > ll0 ? { ll, pi } : { ll: ll0, pi: 0 };
}

/** `UTC+05:30` for 330 minutes. */
export function offsetLabel(minutes: number): string {
  const a = Math.abs(minutes);
  return `UTC${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

interface Fit {
  offset: number; // minutes
  start: number; // local quarter-hour
  shape: Shape;
  pi: number;
  interval: [number, number];
  dispersion: number;
}

/** Maximum (penalised quasi-) likelihood offset, shift and interval from a daily UTC profile. */
function fitOffset(daily: Float64Array, o: RhythmOptions, human: Float64Array): Fit | null {
  const data = sparse(daily);
  if (data.total === 0) return null;
  const depth = o.lunchDepth;
  const human2 = twice(human);
  const startLo = Math.round(o.shiftStartRange[0] * 4);
  const startHi = Math.round(o.shiftStartRange[1] * 4);
  const prior = (s: number) => -((s / 4 - o.shiftStartMean) ** 2) / (2 * o.shiftStartSd ** 2);
  const shapes: Shape[] = [];
  for (const len of o.shiftLengths)
    for (const l of o.lunchAfter)
      if (l === null || l + 1 <= len)
        shapes.push({ length: Math.round(len * 4), lunch: l === null ? null : Math.round(l * 4) });
  if (!shapes.length)
    throw new UsageError('invalid `shiftLengths`: expecting lengths longer than the lunch offsets');
  const templates = new Map<string, Float64Array>();
  const template = (s: number, sh: Shape) => {
    const key = `${s}/${sh.length}/${sh.lunch}`;
    let t = templates.get(key);
    if (!t) {
      t = twice(officeCurve(s, sh, depth));
      templates.set(key, t);
    }
    return t;
  };
  const shiftOf = (offset: number) => (((offset / 15) % Q) + Q) % Q;

  // 1. Coarse: whole-hour offsets, half-hour starts, a few shapes.
  const coarseShapes = shapes.filter(
    (s) => (s.length === 32 || s.length === 36) && (s.lunch === null || s.lunch === 16),
  );
  const coarse = coarseShapes.length ? coarseShapes : shapes;
  let best = { score: -Infinity, offset: 0, start: startLo, shape: coarse[0]!, pi: 0 };
  for (let off = MIN_OFFSET; off <= MAX_OFFSET; off += 60)
    for (let s = startLo; s <= startHi; s += 2)
      for (const sh of coarse) {
        const f = fitMixture(data, template(s, sh), human2, shiftOf(off));
        const score = f.ll + prior(s);
        if (score > best.score) best = { score, offset: off, start: s, shape: sh, pi: f.pi };
      }
  // 2. Shape at the coarse optimum (the shift's UTC position held, start +- 30 min).
  for (let ds = -2; ds <= 2; ds++) {
    const s = best.start + ds;
    if (s < startLo || s > startHi) continue;
    for (const sh of shapes) {
      const f = fitMixture(data, template(s, sh), human2, shiftOf(best.offset));
      const score = f.ll + prior(s);
      if (score > best.score) best = { score, offset: best.offset, start: s, shape: sh, pi: f.pi };
    }
  }
  // 3. Profile over every offset at 15 minutes, start at 15 minutes, the chosen shape.
  const nOff = (MAX_OFFSET - MIN_OFFSET) / 15 + 1;
  const nStart = startHi - startLo + 1;
  const ll = new Float64Array(nOff * nStart);
  const pis = new Float64Array(nOff * nStart);
  let top = -Infinity;
  let topAt = 0;
  for (let k = 0; k < nOff; k++)
    for (let j = 0; j < nStart; j++) {
      const f = fitMixture(data, template(startLo + j, best.shape), human2, shiftOf(MIN_OFFSET + k * 15));
      ll[k * nStart + j] = f.ll;
      pis[k * nStart + j] = f.pi;
      if (f.ll + prior(startLo + j) > top) {
        top = f.ll + prior(startLo + j);
        topAt = k * nStart + j;
      }
    }
  // Pearson dispersion of the best fit over the 96 bins (parameters: offset, start, length, lunch, pi).
  const k0 = Math.floor(topAt / nStart);
  const s0 = startLo + (topAt % nStart);
  const off0 = shiftOf(MIN_OFFSET + k0 * 15);
  const tpl = template(s0, best.shape);
  const pi0 = pis[topAt]!;
  let chi2 = 0;
  for (let u = 0; u < Q; u++) {
    const t = (u + off0) % Q;
    const mu = data.total * (human[t]! + pi0 * (tpl[t]! - human[t]!));
    chi2 += (daily[u]! - mu) ** 2 / mu;
  }
  const dispersion = Math.max(1, chi2 / (Q - 5));
  // Scaled profile with the prior; the estimate and the interval around it.
  const profile = new Float64Array(nOff);
  const argStart = new Int32Array(nOff);
  for (let k = 0; k < nOff; k++) {
    let m = -Infinity;
    for (let j = 0; j < nStart; j++) {
      const v = ll[k * nStart + j]! / dispersion + prior(startLo + j);
      if (v > m) {
        m = v;
        argStart[k] = j;
      }
    }
    profile[k] = m;
  }
  let kBest = 0;
  for (let k = 1; k < nOff; k++) if (profile[k]! > profile[kBest]!) kBest = k;
  const cut = profile[kBest]! - CHI2_1_95 / 2;
  let lo = kBest;
  let hi = kBest;
  while (lo > 0 && profile[lo - 1]! >= cut) lo--;
  while (hi < nOff - 1 && profile[hi + 1]! >= cut) hi++;
  const j = argStart[kBest]!;
  return {
    offset: MIN_OFFSET + kBest * 15,
    start: startLo + j,
    shape: best.shape,
    pi: pis[kBest * nStart + j]!,
    interval: [
      Math.max(MIN_OFFSET, MIN_OFFSET + lo * 15 - o.systematicMinutes),
      Math.min(MAX_OFFSET, MIN_OFFSET + hi * 15 + o.systematicMinutes),
    ],
    dispersion,
  };
}

/** Office-hours statistics in local days at offset `offset`. */
function officeStats(
  week: Float64Array,
  fit: Fit | null,
  o: RhythmOptions,
  human: Float64Array,
  posts: number,
): OfficeHours {
  const k = fit ? (((fit.offset / 15) % WEEK) + WEEK) % WEEK : 0;
  const local = new Float64Array(WEEK);
  for (let u = 0; u < WEEK; u++) local[(u + k) % WEEK] = week[u]!;
  const perDay = Array.from({ length: 7 }, (_, d) =>
    local.subarray(d * Q, (d + 1) * Q).reduce((a, b) => a + b, 0),
  );
  let off = 0;
  for (let d = 1; d < 7; d++)
    if (perDay[d]! + perDay[(d + 1) % 7]! < perDay[off]! + perDay[(off + 1) % 7]!) off = d;
  const offCount = perDay[off]! + perDay[(off + 1) % 7]!;
  const weekendRatio = (posts - offCount + 0.5) / 5 / ((offCount + 0.5) / 2);
  // Densest window of the pooled local day, and the dip in its middle.
  const daily = new Float64Array(Q);
  for (let u = 0; u < WEEK; u++) daily[u % Q]! += local[u]!;
  const w = Math.round(o.windowHours * 4);
  let bestSum = -1;
  let bestStart = 0;
  for (let s = 0; s < Q; s++) {
    let sum = 0;
    for (let i = 0; i < w; i++) sum += daily[(s + i) % Q]!;
    if (sum > bestSum) {
      bestSum = sum;
      bestStart = s;
    }
  }
  let minHour = Infinity;
  for (let i = 8; i + 4 <= w - 8; i++) {
    let sum = 0;
    for (let j = 0; j < 4; j++) sum += daily[(bestStart + i + j) % Q]!;
    minHour = Math.min(minHour, sum);
  }
  const meanHour = (bestSum / w) * 4;
  const middayDip = meanHour > 0 && Number.isFinite(minHour) ? Math.max(0, 1 - minHour / meanHour) : 0;
  // Shift + human over the local week: the shift only on the five days outside the days off.
  let officeShare = 0;
  let lrt = 0;
  if (fit && posts > 0) {
    const day = officeCurve(fit.start, fit.shape, o.lunchDepth);
    const officeWeek = new Float64Array(WEEK);
    const humanWeek = new Float64Array(WEEK);
    for (let d = 0; d < 7; d++) {
      const working = d !== off && d !== (off + 1) % 7;
      for (let t = 0; t < Q; t++) {
        officeWeek[d * Q + t] = working ? day[t]! / 5 : 0;
        humanWeek[d * Q + t] = human[t]! / 7;
      }
    }
    const data = sparse(local);
    const f = fitMixture(data, twice(officeWeek), twice(humanWeek), 0);
    officeShare = f.pi;
    let ll0 = 0;
    for (let j = 0; j < data.idx.length; j++) ll0 += data.n[j]! * Math.log(humanWeek[data.idx[j]!]!);
    lrt = (2 * (f.ll - ll0)) / fit.dispersion;
  }
  const enough = posts >= o.minPosts;
  const officeLike =
    enough && officeShare >= o.minOfficeShare && weekendRatio >= o.minWeekendRatio && lrt >= CHI2_1_999;
  return {
    officeShare: round(officeShare, 3),
    officeLike,
    verdict: !enough ? 'insufficient data' : officeLike ? 'office hours' : 'not office hours',
    daysOff: [WEEKDAYS[off]!, WEEKDAYS[(off + 1) % 7]!],
    weekendRatio: round(weekendRatio, 2),
    concentration: round(posts > 0 ? bestSum / posts : 0, 3),
    windowStart: bestStart / 4,
    middayDip: round(middayDip, 3),
    lrt: round(lrt, 1),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function hourOfWeek(week: Float64Array, shiftQuarters: number): number[][] {
  const out = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (let u = 0; u < WEEK; u++) {
    const l = (((u + shiftQuarters) % WEEK) + WEEK) % WEEK;
    out[Math.floor(l / Q)]![Math.floor((l % Q) / 4)]! += week[u]!;
  }
  return out;
}

/** Stated locations (location string -> accounts) compared with an estimate. */
function locationZones(
  locations: { location: string; accounts: number }[],
  accounts: number,
  at: Date,
  offset: OffsetEstimate,
  o: RhythmOptions,
): LocationZones {
  let withLocation = 0;
  let located = 0;
  let agreeing = 0;
  const byOffset = new Map<number, { accounts: number; zones: Map<string, number> }>();
  for (const { location, accounts: n } of locations) {
    if (!location.trim()) continue;
    withLocation += n;
    const zone = zoneOfLocation(location);
    if (!zone) continue;
    located += n;
    const minutes = zoneOffsetMinutes(zone, at);
    const e = byOffset.get(minutes) ?? { accounts: 0, zones: new Map() };
    e.accounts += n;
    e.zones.set(zone, (e.zones.get(zone) ?? 0) + n);
    byOffset.set(minutes, e);
    if (offset.interval && minutes >= offset.interval[0] - 60 && minutes <= offset.interval[1] + 60)
      agreeing += n;
  }
  const top = [...byOffset.entries()]
    .sort((a, b) => b[1].accounts - a[1].accounts || a[0] - b[0])
    .slice(0, 5)
    .map(([offsetMinutes, e]) => ({
      offsetMinutes,
      accounts: e.accounts,
      zones: [...e.zones.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([z]) => z),
    }));
  const agreeingShare = located > 0 && offset.interval ? agreeing / located : null;
  return {
    withLocation,
    located,
    locatedShare: round(accounts > 0 ? located / accounts : 0, 3),
    top,
    agreeingShare: agreeingShare === null ? null : round(agreeingShare, 3),
    contradicts: located >= o.minLocated && agreeingShare !== null ? agreeingShare < 0.5 : null,
  };
}

/**
 * A rhythm from posts per quarter-hour of the UTC week (672 bins, bin = ISO weekday index * 96 +
 * hour * 4 + minute / 15), with the stated locations of its accounts. Exported for synthetic tests
 * and for callers that count posts themselves.
 */
export function rhythmFromCounts(
  utcWeek: ArrayLike<number>,
  accounts: number,
  locations: { location: string; accounts: number }[] = [],
  at: Date = new Date(),
  options: Partial<RhythmOptions> = {},
  fitWeek: ArrayLike<number> = utcWeek,
): Rhythm {
  const o = { ...RHYTHM_DEFAULTS, ...options };
  if (utcWeek.length !== WEEK || fitWeek.length !== WEEK)
    throw new UsageError(`invalid counts: expecting ${WEEK} quarter-hours of the week`);
  const human = humanCurve(o.humanHours);
  const week = Float64Array.from(utcWeek);
  // The model is fitted to `fitWeek`: the same posts with prolific accounts weighted down.
  const weighted = Float64Array.from(fitWeek);
  const daily = new Float64Array(Q);
  let posts = 0;
  let fitPosts = 0;
  for (let u = 0; u < WEEK; u++) {
    daily[u % Q]! += weighted[u]!;
    posts += week[u]!;
    fitPosts += weighted[u]!;
  }
  const fit = fitOffset(daily, o, human);
  const enough = posts >= o.minPosts;
  const width = fit ? fit.interval[1] - fit.interval[0] : Infinity;
  const offset: OffsetEstimate = {
    minutes: fit?.offset ?? null,
    label: fit ? offsetLabel(fit.offset) : null,
    interval: fit?.interval ?? null,
    confidence: !fit || !enough ? 'none' : width <= 180 ? 'high' : width <= 300 ? 'medium' : 'low',
    basis: !fit ? 'none' : fit.pi >= 0.5 ? 'office shift and human rhythm' : 'human daily rhythm',
    dispersion: round(fit?.dispersion ?? 1, 2),
    shift:
      fit && fit.pi >= 0.1
        ? {
            start: fit.start / 4,
            end: (fit.start + fit.shape.length) / 4,
            lunch:
              fit.shape.lunch === null
                ? null
                : [(fit.start + fit.shape.lunch) / 4, (fit.start + fit.shape.lunch + 4) / 4],
          }
        : null,
  };
  return {
    posts,
    accounts,
    hourOfWeekUtc: hourOfWeek(week, 0),
    hourOfWeekLocal: hourOfWeek(week, fit ? fit.offset / 15 : 0),
    offset,
    officeHours: officeStats(weighted, fit, o, human, fitPosts),
    locations: locationZones(locations, accounts, at, offset, o),
  };
}

// ------------------------------------------------------------------------------------ the store

/** Quarter-hour of the UTC week (ISO weekday, Monday = 0) of a TIMESTAMP column, in SQL. */
const BIN_SQL = (col: string) =>
  `((isodow(${col}) - 1) * ${Q} + hour(${col}) * 4 + minute(${col}) // 15)::SMALLINT`;

function parseBins(s: string | null | undefined): Float64Array {
  return parseWeightedBins(s).posts;
}

/** `bin:posts:weighted,...` (the weighted count optional) into the two tables of the week. */
function parseWeightedBins(s: string | null | undefined): { posts: Float64Array; weighted: Float64Array } {
  const posts = new Float64Array(WEEK);
  const weighted = new Float64Array(WEEK);
  if (!s) return { posts, weighted };
  for (const item of s.split(',')) {
    const [bin, n, w] = item.split(':').map(Number) as [number, number, number | undefined];
    posts[bin]! += n;
    weighted[bin]! += w ?? n;
  }
  return { posts, weighted };
}

function parseLocations(s: string | null | undefined): { location: string; accounts: number }[] {
  if (!s) return [];
  return (JSON.parse(s) as { l: string | null; n: number }[]).map((r) => ({
    location: r.l ?? '',
    accounts: Number(r.n),
  }));
}

/** The middle of the posts' time span: stated locations' offsets are taken at this date (DST). */
async function middleDate(store: Store): Promise<Date> {
  const r = await store.all<{ lo: number | null; hi: number | null }>(
    'SELECT epoch_ms(min(created_at)) AS lo, epoch_ms(max(created_at)) AS hi FROM posts',
  );
  const { lo, hi } = r[0] ?? { lo: null, hi: null };
  return lo === null || hi === null ? new Date() : new Date((Number(lo) + Number(hi)) / 2);
}

/**
 * Rhythm of every set in `fp_sets` (see sets.ts, `loadAccountSets`) and of the population. Two
 * passes over posts' columns in SQL (the bins of the members and of everyone), then small strings.
 */
export async function rhythmFingerprints(
  store: Store,
  options: Partial<RhythmOptions> = {},
): Promise<RhythmResult> {
  const o = { ...RHYTHM_DEFAULTS, ...options };
  const at = await middleDate(store);
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_rhythm_members AS
    SELECT DISTINCT platform, account_id FROM ${SETS_TABLE}`);
  // Members' posts per account and bin; everyone else's per bin only (platform and account NULL).
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_rhythm_bins AS
    SELECT m.platform, m.account_id, ${BIN_SQL('p.created_at')} AS bin, count(*) AS n
    FROM posts p LEFT JOIN fp_rhythm_members m ON p.platform = m.platform AND p.account_id = m.account_id
    GROUP BY ALL`);
  const setRows = await store.all<{
    set_id: string;
    accounts: number;
    bins: string | null;
    locs: string | null;
  }>(
    `WITH s AS (SELECT DISTINCT set_id, platform, account_id FROM ${SETS_TABLE}),
    acc AS (SELECT s.set_id, s.platform, s.account_id, sum(b.n) AS total FROM fp_rhythm_bins b
            JOIN s ON b.platform = s.platform AND b.account_id = s.account_id GROUP BY ALL),
    fence AS (SELECT set_id, quantile_cont(total, 0.75) + 3 * (quantile_cont(total, 0.75) - quantile_cont(total, 0.25)) AS cap
              FROM acc GROUP BY set_id),
    b AS (SELECT acc.set_id, b.bin, sum(b.n)::BIGINT AS n, sum(b.n * least(1.0, f.cap / acc.total)) AS w
          FROM fp_rhythm_bins b
          JOIN acc ON b.platform = acc.platform AND b.account_id = acc.account_id
          JOIN fence f ON f.set_id = acc.set_id GROUP BY ALL),
    l AS (SELECT s.set_id, coalesce(a.location, '') AS l, count(*) AS n FROM s
          LEFT JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id GROUP BY ALL)
    SELECT set_id,
      (SELECT count(*) FROM s s2 WHERE s2.set_id = ids.set_id) AS accounts,
      (SELECT string_agg(bin || ':' || n || ':' || round(w, 6), ',') FROM b WHERE b.set_id = ids.set_id) AS bins,
      (SELECT to_json(list({'l': l, 'n': n}))::VARCHAR FROM l WHERE l.set_id = ids.set_id) AS locs
    FROM (SELECT DISTINCT set_id FROM s) ids`,
  );
  const popBins = await store.value<string>(
    `SELECT string_agg(bin || ':' || n, ',') FROM fp_rhythm_bins WHERE platform IS NULL`,
  );
  const pop = await store.all<{ accounts: number; locs: string | null }>(
    `WITH p AS (SELECT a.location FROM accounts a ANTI JOIN fp_rhythm_members m
                ON a.platform = m.platform AND a.account_id = m.account_id),
    l AS (SELECT location AS l, count(*) AS n FROM p WHERE coalesce(trim(location), '') <> ''
          GROUP BY ALL ORDER BY n DESC LIMIT ${Math.max(0, Math.floor(o.maxPopulationLocations))})
    SELECT (SELECT count(*) FROM p) AS accounts, (SELECT to_json(list({'l': l, 'n': n}))::VARCHAR FROM l) AS locs`,
  );
  await store.run('DROP TABLE IF EXISTS fp_rhythm_bins');
  await store.run('DROP TABLE IF EXISTS fp_rhythm_members');
  const sets = new Map<string, Rhythm>();
  for (const r of setRows) {
    const { posts, weighted } = parseWeightedBins(r.bins);
    sets.set(r.set_id, rhythmFromCounts(posts, Number(r.accounts), parseLocations(r.locs), at, o, weighted));
  }
  const p = pop[0];
  const population = rhythmFromCounts(
    parseBins(popBins),
    Number(p?.accounts ?? 0),
    parseLocations(p?.locs),
    at,
    o,
  );
  return { sets, population };
}

/** Rhythm of one account (its hour-of-week table, offset and office-hours statistics). */
export async function accountRhythm(
  store: Store,
  platform: string,
  accountId: string,
  options: Partial<RhythmOptions> = {},
): Promise<Rhythm> {
  const at = await middleDate(store);
  const bins = await store.value<string>(
    `SELECT string_agg(bin || ':' || n, ',') FROM (
       SELECT ${BIN_SQL('created_at')} AS bin, count(*) AS n FROM posts
       WHERE platform = ? AND account_id = ? GROUP BY ALL)`,
    [platform, accountId],
  );
  const location = await store.value<string>(
    'SELECT location FROM accounts WHERE platform = ? AND account_id = ?',
    [platform, accountId],
  );
  return rhythmFromCounts(parseBins(bins), 1, location ? [{ location, accounts: 1 }] : [], at, options);
}
