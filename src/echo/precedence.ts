/**
 * Precedence: when a document stands against a talking point's earliest observed post. Both times
 * are intervals (types.ts `TimeSpan`): a post is known to the second or the minute; a document often
 * only to the day, in an unknown zone, or only by when it was collected. A lag is therefore a range,
 * and the order is only stated when the ranges do not overlap.
 *
 * The language is deliberate: the post is the *earliest observed* appearance in the data the user
 * gave, never "the origin". A collection starts somewhere, platforms delete posts, and the talking
 * point may come from a document nobody collected.
 */
import type { Lag, TimeSpan } from './types.js';

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** The lag of `doc` after `post` (seconds; positive when the document is later). */
export function lagOf(post: TimeSpan, doc: TimeSpan): Lag {
  const pAt = ms(post.at)!;
  const pLo = ms(post.earliest) ?? pAt;
  const pHi = ms(post.latest)!;
  const dAt = ms(doc.at)!;
  const dLo = ms(doc.earliest);
  const dHi = ms(doc.latest)!;
  const min = dLo === null ? null : (dLo - pHi) / 1000;
  const max = (dHi - pLo) / 1000;
  const order = min !== null && min > 0 ? 'after' : max < 0 ? 'before' : 'uncertain';
  return { seconds: (dAt - pAt) / 1000, min, max, order };
}

/** Whether `a` is certainly earlier than `b`, possibly earlier (overlapping), or not earlier. */
export function earlier(a: TimeSpan, b: TimeSpan): 'before' | 'uncertain' | null {
  const aHi = ms(a.latest)!;
  const bLo = ms(b.earliest);
  if (bLo !== null && aHi < bLo) return 'before';
  const aLo = ms(a.earliest);
  const bHi = ms(b.latest)!;
  if (aLo !== null && aLo > bHi) return null;
  return ms(a.at)! <= ms(b.at)! ? 'uncertain' : null;
}

/** A lag in words: "3 days after", "5 h before", "within the dates' uncertainty (-10 h .. +2 days)". */
export function lagText(lag: Lag): string {
  const span = (s: number) => {
    const a = Math.abs(s);
    if (a < 120) return `${Math.round(a)} s`;
    if (a < 7200) return `${Math.round(a / 60)} min`;
    if (a < 172_800) return `${(a / 3600).toFixed(a < 36_000 ? 1 : 0)} h`;
    return `${(a / 86_400).toFixed(a < 864_000 ? 1 : 0)} days`;
  };
  if (lag.order === 'after') return `${span(lag.seconds)} after`;
  if (lag.order === 'before') return `${span(lag.seconds)} before`;
  const lo = lag.min === null ? 'any time' : `${lag.min < 0 ? '-' : '+'}${span(lag.min)}`;
  return `order uncertain (${lo} .. ${lag.max < 0 ? '-' : '+'}${span(lag.max)})`;
}

/** A time with its precision: `2024-06-12 10:02 (minute)`, `2024-06-12 (day, zone unknown)`. */
export function timeLabel(t: TimeSpan): string {
  const at = t.at.replace('T', ' ').replace(/(:\d\d)?(\.\d+)?Z$/, '');
  if (t.basis === 'collected') return `${at} (collected; published before)`;
  const zoneless =
    t.earliest !== null &&
    Date.parse(t.latest) - Date.parse(t.earliest) > 25 * 3_600_000 &&
    t.precision !== 'month' &&
    t.precision !== 'year';
  if (t.precision === 'day') return `${at.slice(0, 10)} (day${zoneless ? ', zone unknown' : ''})`;
  if (t.precision === 'month') return `${at.slice(0, 7)} (month)`;
  if (t.precision === 'year') return `${at.slice(0, 4)} (year)`;
  return `${at}${zoneless ? ' (zone unknown, ±14 h)' : t.precision === 'minute' ? ' (minute)' : ''}`;
}

/**
 * A lag as a phrase against what it is measured from: "3.0 days after the earliest observed post",
 * "order uncertain (-10 h .. +2 days) against the earliest observed post". Never "origin".
 */
export function lagPhrase(lag: Lag, from = 'the earliest observed post'): string {
  return `${lagText(lag)}${lag.order === 'uncertain' ? ' against' : ''} ${from}`;
}
