/**
 * Timestamp parsing to UTC milliseconds.
 *
 * Accepted: ISO 8601 / RFC 3339 with `Z` or an offset (`2021-06-01T12:00:00.5+02:00`), the same
 * with a space instead of `T`, zone-less wall times (`2015-10-01 00:02`, `2015-10-01 00:02:00`,
 * `2013-05-16`), Twitter v1 dates (`Wed Oct 10 20:19:24 +0000 2018`) and epoch numbers (seconds,
 * milliseconds or microseconds, told apart by magnitude).
 *
 * A zone-less wall time is read in the ingest's time zone (`--timezone`, default UTC) and reported
 * as `zoneless`, so the caller can count a warning: a wrong zone silently shifts every
 * rhythm and time-window statistic downstream.
 */

export interface ParsedTime {
  ms: number;
  /** True when the text carried no zone or offset and the default zone was assumed. */
  zoneless: boolean;
}

/** Converts a wall-clock time (as if UTC) in some zone to true UTC. */
export type ZoneResolver = (wallMs: number) => number;

const UTC: ZoneResolver = (wallMs) => wallMs;

/** Earliest and latest plausible post times: 1990 and 2100. Outside that a value is a parse error. */
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/**
 * Returns a resolver for `--timezone`: `UTC`, a fixed offset (`+03:00`, `-0530`) or an IANA zone
 * (`Europe/Moscow`), or throws a RangeError naming the bad value.
 */
export function zoneResolver(zone: string | undefined): ZoneResolver {
  if (!zone || /^(utc|gmt|z)$/i.test(zone)) return UTC;
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (fixed) {
    const minutes = (Number(fixed[2]) * 60 + Number(fixed[3])) * (fixed[1] === '-' ? -1 : 1);
    return (wallMs) => wallMs - minutes * 60_000;
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RangeError(
      `unknown time zone "${zone}"; use an IANA name such as Europe/Moscow or an offset such as +03:00`,
    );
  }
  // Offset of the zone at a UTC instant, cached per hour (offsets change only on the hour or half hour
  // in practice, and a cache keeps millions of rows cheap).
  const cache = new Map<number, number>();
  const offsetAt = (utcMs: number): number => {
    const key = Math.floor(utcMs / 1_800_000);
    let offset = cache.get(key);
    if (offset === undefined) {
      const parts = format.formatToParts(new Date(key * 1_800_000));
      const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
      const wall = Date.UTC(
        get('year'),
        get('month') - 1,
        get('day'),
        get('hour'),
        get('minute'),
        get('second'),
      );
      offset = wall - key * 1_800_000;
      cache.set(key, offset);
    }
    return offset;
  };
  // Two passes resolve the offset at the wall time itself (correct except inside a DST gap).
  return (wallMs) => {
    const guess = wallMs - offsetAt(wallMs);
    return wallMs - offsetAt(guess);
  };
}

function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

function validDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return (
    y >= 0 &&
    mo >= 1 &&
    mo <= 12 &&
    d >= 1 &&
    d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() &&
    h >= 0 &&
    h <= 23 &&
    mi >= 0 &&
    mi <= 59 &&
    s >= 0 &&
    s <= 60
  );
}

/** Parses an epoch number given as seconds, milliseconds or microseconds (told apart by size). */
export function parseEpoch(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  const abs = Math.abs(value);
  let ms: number;
  if (abs < 1e11) ms = value * 1000;
  else if (abs < 1e14) ms = value;
  else ms = value / 1000;
  ms = Math.round(ms);
  return ms >= MIN_MS && ms <= MAX_MS ? ms : null;
}

/** Parses one timestamp; `null` when it cannot be read. */
export function parseTimestamp(input: string, zone: ZoneResolver = UTC): ParsedTime | null {
  const s = input.trim();
  if (s.length === 0) return null;
  const c0 = s.charCodeAt(0);
  // Epoch numbers.
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    if (s.length === 8 && c0 !== 45) {
      // 20210601 is a compact date, not an epoch.
      const y = digits(s, 0, 4);
      const mo = digits(s, 4, 2);
      const d = digits(s, 6, 2);
      if (validDate(y, mo, d, 0, 0, 0)) return finish(zone(Date.UTC(y, mo - 1, d)), true);
    }
    const ms = parseEpoch(Number(s));
    return ms === null ? null : { ms, zoneless: false };
  }
  // ISO 8601 family: YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:]MM]
  if (s.length >= 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    let h = 0;
    let mi = 0;
    let sec = 0;
    let frac = 0;
    let i = 10;
    if (s.length > 10) {
      const sep = s.charCodeAt(10);
      if (sep !== 84 && sep !== 116 && sep !== 32) return null; // T, t or space
      h = digits(s, 11, 2);
      if (s.charCodeAt(13) !== 58) return null;
      mi = digits(s, 14, 2);
      i = 16;
      if (s.charCodeAt(16) === 58) {
        sec = digits(s, 17, 2);
        i = 19;
        if (s.charCodeAt(19) === 46 || s.charCodeAt(19) === 44) {
          let j = 20;
          let scale = 100;
          while (j < s.length) {
            const c = s.charCodeAt(j) - 48;
            if (c < 0 || c > 9) break;
            frac += c * scale;
            scale /= 10;
            j++;
          }
          frac = Math.floor(frac);
          i = j;
        }
      }
    }
    if (!validDate(y, mo, d, h, mi, sec)) return null;
    const wall = Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59)) + frac;
    const rest = s.slice(i).trim();
    if (rest === '') return finish(zone(wall), true);
    if (rest === 'Z' || rest === 'z' || /^(UTC|GMT)$/i.test(rest) || rest === '+00' || rest === '+0000') {
      return finish(wall, false);
    }
    const off = /^([+-])(\d{2}):?(\d{2})?$/.exec(rest);
    if (!off) return null;
    const minutes = (Number(off[2]) * 60 + Number(off[3] ?? 0)) * (off[1] === '-' ? -1 : 1);
    return finish(wall - minutes * 60_000, false);
  }
  // Twitter v1: "Wed Oct 10 20:19:24 +0000 2018"
  const tw =
    /^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(s);
  if (tw) {
    const mo = MONTHS[tw[1]!.toLowerCase()];
    if (mo === undefined) return null;
    const [y, d, h, mi, sec] = [tw[9], tw[2], tw[3], tw[4], tw[5]].map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (!validDate(y, mo + 1, d, h, mi, sec)) return null;
    const minutes = (Number(tw[7]) * 60 + Number(tw[8])) * (tw[6] === '-' ? -1 : 1);
    return finish(Date.UTC(y, mo, d, h, mi, sec) - minutes * 60_000, false);
  }
  return null;
}

function finish(ms: number, zoneless: boolean): ParsedTime | null {
  return ms >= MIN_MS && ms <= MAX_MS ? { ms, zoneless } : null;
}

/** ISO-8601 UTC text for a time in ms: `2015-10-01T00:02:00Z` (milliseconds only when non-zero). */
export function isoUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}
