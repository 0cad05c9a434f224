/**
 * A document's date as an interval. Statements and articles are dated far more loosely than posts:
 * a press release carries a day, an archive a month, a scraped page a wall-clock time with no zone.
 * Precedence ("the talking point was posted before the speech") is only as good as these dates, so
 * each one is kept with the interval it allows:
 *
 * - a time with a zone or offset: [t, t + its precision) (a second, or a minute when seconds are absent);
 * - a wall-clock time without a zone, when no `--timezone` was given: read as UTC (as posts are), but
 *   the interval is [t - 14 h, t + 12 h + precision), every UTC offset in use (-12:00 .. +14:00);
 * - a date (`2024-06-10`), a month (`2024-06`) or a year (`2024`): the whole day, month or year in the
 *   zone, widened the same way when the zone is unknown.
 */
import { parseTimestamp, type ZoneResolver } from '../normalize/time.js';

export type DatePrecision = 'second' | 'minute' | 'day' | 'month' | 'year';

export interface DocumentTime {
  /** The time as given, UTC ms (zone-less values read in the zone, or UTC). */
  at: number;
  earliest: number;
  latest: number;
  precision: DatePrecision;
  /** No zone in the value and no `--timezone`: the interval spans every UTC offset. */
  zoneless: boolean;
}

const HOUR = 3_600_000;
const SECOND = 1000;
/** UTC offsets in use run from -12:00 to +14:00. */
const EAST = 14 * HOUR;
const WEST = 12 * HOUR;

/**
 * Parses a document date; null when it cannot be read. `zone` resolves zone-less values; `zoneKnown`
 * says the user named the zone (`--timezone`), so zone-less values are exact in it.
 */
export function parseDocumentTime(raw: string, zone: ZoneResolver, zoneKnown: boolean): DocumentTime | null {
  const s = raw.trim();
  const coarse = /^(\d{4})(?:-(\d{2}))?$/.exec(s);
  let at: number;
  let end: number;
  let precision: DatePrecision;
  let zoneless: boolean;
  if (coarse) {
    const y = Number(coarse[1]);
    const m = coarse[2] ? Number(coarse[2]) : null;
    if (y < 1900 || y > 2100 || (m !== null && (m < 1 || m > 12))) return null;
    const wall = Date.UTC(y, (m ?? 1) - 1, 1);
    const wallEnd = m === null ? Date.UTC(y + 1, 0, 1) : Date.UTC(y, m, 1);
    at = zone(wall);
    end = zone(wallEnd);
    precision = m === null ? 'year' : 'month';
    zoneless = true;
  } else {
    const parsed = parseTimestamp(s, zone);
    if (!parsed) return null;
    at = parsed.ms;
    zoneless = parsed.zoneless;
    const timeOfDay = /\d{1,2}:\d{2}/.test(s) || /^-?\d+(\.\d+)?$/.test(s);
    if (!timeOfDay) {
      precision = 'day';
      end = at + 24 * HOUR;
    } else if (/\d{1,2}:\d{2}:\d{2}/.test(s) || /^-?\d+(\.\d+)?$/.test(s)) {
      precision = 'second';
      end = at + SECOND;
    } else {
      precision = 'minute';
      end = at + 60 * SECOND;
    }
  }
  const widen = zoneless && !zoneKnown;
  return {
    at,
    earliest: widen ? at - EAST : at,
    latest: (widen ? end + WEST : end) - 1,
    precision,
    zoneless: widen,
  };
}
