/**
 * Rhythm (docs/forensics/rhythm.md): the offset estimator on synthetic timestamps with known
 * clocks, and end to end on a simulated month (X archive CSV, minute timestamps) against the
 * simulator's ground truth: each planted operation's operators' UTC offset, organic sets of similar
 * size not office-like, and hour-of-week tables that reconcile with a direct count of the posts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/random.js';
import {
  accountRhythm,
  type Rhythm,
  rhythmFingerprints,
  rhythmFromCounts,
} from '../../src/forensics/rhythm.js';
import { type AccountSet, loadAccountSets } from '../../src/forensics/sets.js';
import { zoneOffsetMinutes, zoneOfLocation } from '../../src/forensics/timezones.js';
import { simulate } from '../../src/simulate/index.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, scratch } from '../helpers/store.js';

/** Uniform numbers in [0, 1) from the project's seeded generator. */
function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

/** Quarter-hour of the UTC week (Monday = 0) of an instant. */
function bin(ms: number): number {
  const d = new Date(ms);
  return ((d.getUTCDay() + 6) % 7) * 96 + d.getUTCHours() * 4 + Math.floor(d.getUTCMinutes() / 15);
}

const DAY = 86_400_000;
const MONDAY = Date.UTC(2024, 5, 3); // 2024-06-03, a Monday

/** A person's local hour: a cycle unlike the estimator's default (trough near 04:30, evening bump at 21:00). */
function personHour(r: () => number): number {
  for (;;) {
    const h = r() * 24;
    const w =
      (0.5 + 0.5 * Math.cos(((h - 16.5) / 24) * 2 * Math.PI) + 0.4 * Math.exp(-((h - 21) ** 2) / 4.5)) / 1.4;
    if (r() < w) return h;
  }
}

/**
 * Posts of a synthetic set over four weeks: `office` posts per workday inside [start, end) local with
 * a lunch hour at 10% intensity, `human` posts per day at `personHour`, clock at `offset` minutes.
 */
function synthetic(opts: {
  offset: number;
  seed: number;
  workdays?: number[]; // local ISO weekdays 0 = Monday
  shift?: [number, number];
  lunch?: number;
  office: number;
  human: number;
  humanOnDaysOff?: boolean;
}): { counts: number[]; times: number[] } {
  const r = rng(opts.seed);
  const workdays = opts.workdays ?? [0, 1, 2, 3, 4];
  const [s0, s1] = opts.shift ?? [9, 17.5];
  const lunch = opts.lunch ?? 13;
  const times: number[] = [];
  for (let d = 0; d < 28; d++) {
    const working = workdays.includes(d % 7);
    const at = (h: number) => MONDAY + d * DAY + h * 3_600_000 - opts.offset * 60_000;
    if (working)
      for (let i = 0; i < opts.office; i++) {
        let h = s0 + r() * (s1 - s0);
        while (h >= lunch && h < lunch + 1 && r() > 0.1) h = s0 + r() * (s1 - s0);
        // Minute resolution, as in X archives.
        times.push(Math.floor(at(h) / 60_000) * 60_000);
      }
    if (working || opts.humanOnDaysOff !== false)
      for (let i = 0; i < opts.human; i++) times.push(Math.floor(at(personHour(r)) / 60_000) * 60_000);
  }
  const counts = new Array<number>(672).fill(0);
  for (const t of times) counts[bin(t)]!++;
  return { counts, times };
}

describe('the estimator on synthetic timestamps', () => {
  test('an office at UTC+05:30 with evening posts is recovered and office-like', () => {
    const { counts } = synthetic({
      offset: 330,
      seed: 1,
      shift: [9.5, 18],
      lunch: 13.5,
      office: 120,
      human: 6,
      humanOnDaysOff: false,
    });
    const r = rhythmFromCounts(counts, 50);
    expect(Math.abs(r.offset.minutes! - 330)).toBeLessThanOrEqual(60);
    expect(r.offset.interval![0]).toBeLessThanOrEqual(330);
    expect(r.offset.interval![1]).toBeGreaterThanOrEqual(330);
    expect(r.officeHours.officeLike).toBe(true);
    expect(r.officeHours.daysOff).toEqual(['Sat', 'Sun']);
    expect(r.officeHours.concentration).toBeGreaterThan(0.8);
    expect(r.officeHours.middayDip).toBeGreaterThan(0.5);
    expect(r.offset.shift).not.toBeNull();
  });

  test('a late shift (10-19, lunch 14-15) is not mistaken for a 9:00 start an hour east', () => {
    const { counts } = synthetic({
      offset: 300,
      seed: 2,
      shift: [10, 19],
      lunch: 14,
      office: 150,
      human: 10,
      humanOnDaysOff: false,
    });
    const r = rhythmFromCounts(counts, 100);
    expect(Math.abs(r.offset.minutes! - 300)).toBeLessThan(60);
  });

  test('a Saturday-to-Wednesday week at UTC+03:30 has Thursday and Friday off', () => {
    const { counts } = synthetic({
      offset: 210,
      seed: 3,
      workdays: [5, 6, 0, 1, 2],
      shift: [8.5, 16.5],
      lunch: 12.5,
      office: 100,
      human: 5,
      humanOnDaysOff: false,
    });
    const r = rhythmFromCounts(counts, 60);
    expect(Math.abs(r.offset.minutes! - 210)).toBeLessThanOrEqual(60);
    expect(r.officeHours.daysOff).toEqual(['Thu', 'Fri']);
    expect(r.officeHours.officeLike).toBe(true);
  });

  test('people at UTC-03:00 are found from their night and are not office-like', () => {
    const { counts } = synthetic({ offset: -180, seed: 4, office: 0, human: 80 });
    const r = rhythmFromCounts(counts, 200);
    expect(Math.abs(r.offset.minutes! + 180)).toBeLessThanOrEqual(60);
    expect(r.offset.basis).toBe('human daily rhythm');
    expect(r.officeHours.officeLike).toBe(false);
    expect(r.officeHours.verdict).toBe('not office hours');
    expect(r.officeHours.weekendRatio).toBeLessThan(1.5);
  });

  test('the local table is the UTC table moved by the offset; too few posts give no verdict', () => {
    const { counts } = synthetic({ offset: 120, seed: 5, office: 0, human: 2 });
    const r = rhythmFromCounts(counts, 3);
    expect(r.officeHours.verdict).toBe('insufficient data');
    expect(r.offset.confidence).toBe('none');
    const shift = r.offset.minutes! / 60;
    const flat = (t: number[][]) => t.flat();
    const utc = flat(r.hourOfWeekUtc);
    const local = flat(r.hourOfWeekLocal);
    if (Number.isInteger(shift))
      for (let h = 0; h < 168; h++) expect(local[(h + shift + 168) % 168]).toBe(utc[h]);
    expect(local.reduce((a, b) => a + b, 0)).toBe(r.posts);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  test('stated locations resolve to zones, with the DST of the data', () => {
    expect(zoneOfLocation('Tehran, Iran')).toBe('Asia/Tehran');
    expect(zoneOfLocation('تهران')).toBe('Asia/Tehran');
    expect(zoneOfLocation('Atlanta, GA')).toBe('America/New_York');
    expect(zoneOfLocation('Москва')).toBe('Europe/Moscow');
    expect(zoneOfLocation('Bogotá, Colombia')).toBe('America/Bogota');
    expect(zoneOfLocation('USA')).toBeUndefined();
    expect(zoneOfLocation('Planet Earth')).toBeUndefined();
    expect(zoneOffsetMinutes('Europe/London', new Date('2024-01-15'))).toBe(0);
    expect(zoneOffsetMinutes('Europe/London', new Date('2024-07-15'))).toBe(60);
    expect(zoneOffsetMinutes('Asia/Kolkata', new Date('2024-07-15'))).toBe(330);
  });
});

describe('a simulated month', () => {
  const tmp = scratch();
  let store: Store;
  let truth: { id: string; offset: number; accounts: string[] }[];
  let organicSets: AccountSet[];
  let result: { sets: Map<string, Rhythm>; population: Rhythm };

  beforeAll(async () => {
    const sim = simulate({ out: tmp.dir, posts: 250_000, seed: 11 });
    store = (await ingestInto(tmp.dir, sim.files[0]!)).store;
    const file = join(tmp.dir, 'ground_truth_accounts.csv').replaceAll("'", "''");
    const rows = await store.all<{
      account_id: string;
      label: string;
      operation: string | null;
      posts: string;
    }>(`SELECT account_id, label, operation, posts FROM read_csv('${file}', all_varchar = true)`);
    const ops = JSON.parse(readFileSync(join(tmp.dir, 'ground_truth.json'), 'utf8')) as {
      operations: { id: string; operator_utc_offset_minutes: number }[];
    };
    truth = ops.operations.map((o) => ({
      id: o.id,
      offset: o.operator_utc_offset_minutes,
      accounts: rows.filter((r) => r.operation === o.id).map((r) => r.account_id),
    }));
    const organic = rows.filter((r) => r.label === 'organic' && Number(r.posts) > 0).map((r) => r.account_id);
    const r = rng(9);
    organicSets = Array.from({ length: 12 }, (_, i) => {
      const size = 100 + Math.floor(r() * 200);
      const pick = new Set<string>();
      while (pick.size < size) pick.add(organic[Math.floor(r() * organic.length)]!);
      return {
        id: `organic${i}`,
        accounts: [...pick].map((accountId) => ({ platform: 'twitter', accountId })),
      };
    });
    const sets: AccountSet[] = [
      ...truth.map((t) => ({
        id: t.id,
        accounts: t.accounts.map((accountId) => ({ platform: 'twitter', accountId })),
      })),
      ...organicSets,
    ];
    await loadAccountSets(store, sets);
    result = await rhythmFingerprints(store);
  }, 180_000);
  afterAll(() => {
    store?.close();
    tmp.cleanup();
  });

  test('timestamps have minute resolution', async () => {
    const r = await store.all<{ seconds: number; minutes: number }>(
      `SELECT count(*) FILTER (WHERE second(created_at) <> 0) AS seconds,
              count(DISTINCT minute(created_at)) AS minutes FROM posts`,
    );
    expect(Number(r[0]!.seconds)).toBe(0);
    expect(Number(r[0]!.minutes)).toBe(60);
  });

  test("operators' time zone within an hour for every operation of at least 50 accounts", () => {
    const big = truth.filter((t) => t.accounts.length >= 50);
    expect(big.length).toBeGreaterThanOrEqual(3);
    for (const t of big) {
      const r = result.sets.get(t.id)!;
      expect(Math.abs(r.offset.minutes! - t.offset), `${t.id}: ${r.offset.label}`).toBeLessThanOrEqual(60);
      expect(r.officeHours.officeLike, t.id).toBe(true);
    }
  });

  test('organic sets of similar size are not office-like', () => {
    for (const s of organicSets) {
      const r = result.sets.get(s.id)!;
      expect(r.officeHours.officeLike, s.id).toBe(false);
      expect(r.officeHours.officeShare, s.id).toBeLessThan(0.5);
    }
    expect(result.population.officeHours.officeLike).toBe(false);
  });

  test('personas claiming American or British places contradict the estimate', () => {
    const op1 = result.sets.get('op1')!;
    expect(op1.locations.located).toBeGreaterThan(0);
    expect(op1.locations.contradicts).toBe(true);
  });

  test('hour-of-week tables reconcile exactly with a direct count of the posts', async () => {
    const direct = await store.all<{ set_id: string; d: number; h: number; n: number }>(
      `SELECT coalesce(s.set_id, '') AS set_id, dayofweek(p.created_at) AS d, hour(p.created_at) AS h, count(*) AS n
       FROM posts p LEFT JOIN (SELECT DISTINCT set_id, platform, account_id FROM fp_sets) s
         ON p.platform = s.platform AND p.account_id = s.account_id
       GROUP BY ALL`,
    );
    const pop = (await store.value<number>(
      `SELECT count(*) FROM posts p ANTI JOIN fp_sets s ON p.platform = s.platform AND p.account_id = s.account_id`,
    ))!;
    const tables = new Map<string, number[][]>();
    for (const row of direct) {
      const t = tables.get(row.set_id) ?? Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
      // dayofweek: Sunday = 0; the tables: Monday = 0.
      t[(Number(row.d) + 6) % 7]![Number(row.h)]! += Number(row.n);
      tables.set(row.set_id, t);
    }
    for (const [id, r] of result.sets) expect(r.hourOfWeekUtc, id).toEqual(tables.get(id));
    expect(result.population.posts).toBe(Number(pop));
    // Organic random sets may share accounts, so the population table is checked against its own anti-join.
    const popTable = await store.all<{ d: number; h: number; n: number }>(
      `SELECT dayofweek(p.created_at) AS d, hour(p.created_at) AS h, count(*) AS n FROM posts p
       ANTI JOIN fp_sets s ON p.platform = s.platform AND p.account_id = s.account_id GROUP BY ALL`,
    );
    const expected = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (const row of popTable) expected[(Number(row.d) + 6) % 7]![Number(row.h)]! += Number(row.n);
    expect(result.population.hourOfWeekUtc).toEqual(expected);
  });

  test('one account: its table counts its posts', async () => {
    const id = truth[0]!.accounts[0]!;
    const r = await accountRhythm(store, 'twitter', id);
    const n = await store.value<number>(`SELECT count(*) FROM posts WHERE account_id = ?`, [id]);
    expect(r.posts).toBe(Number(n));
    expect(r.hourOfWeekUtc.flat().reduce((a, b) => a + b, 0)).toBe(Number(n));
  });
});
