/**
 * The campaign simulator keeps its promises: deterministic per seed, the volume asked for, every
 * export format readable by its ingest with ground truth in the ids that ingest stores, ground truth
 * consistent with the data (office hours, working days, creation batches, handle templates), and hard
 * negatives that are actually hard (big fast cascades, identical petitions over days, an open campaign
 * posting within the hour, edited copy-paste storms, camouflage, quiet sleepers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerSimulate } from '../../src/cli/commands/simulate.js';
import { UsageError } from '../../src/core/errors.js';
import {
  DEFAULTS,
  type OperationTruth,
  resolveConfig,
  type SimulateOptions,
  type SimulationResult,
  simulate,
  writerFormats,
} from '../../src/simulate/index.js';
import type { Store } from '../../src/store/store.js';
import { parseCsv } from '../helpers/csv.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

const FORMATS = ['io-archive', 'ira', 'xapi', 'telegram', 'bluesky', 'coortweet', 'cnt', 'german-elections'];
const HOUR = 3_600_000;

interface Event {
  kind: string;
  id: string;
  lang: string;
  start: string;
  accounts: number;
  text?: string;
}
interface Truth {
  format: string;
  seed: number;
  posts: number;
  accounts: number;
  labels: { organic: number; operation: number };
  posts_by_source: Record<string, number>;
  operations: OperationTruth[];
  open_coordination: { campaigns: Event[] };
  hard_negatives: Event[];
  orders: { operation: string; tactic: string; participants: number }[];
  config: { posts: number; hardNegatives: { cascadesPerDay: number } };
}
interface AccountRow {
  account_id: string;
  handle: string;
  label: string;
  operation: string;
  role: string;
  creation_batch: string;
  clock_utc_offset_minutes: string;
  group: string;
  claimed_location: string;
  posts: string;
}

function readTruth(dir: string): { truth: Truth; accounts: AccountRow[] } {
  const truth = JSON.parse(readFileSync(join(dir, 'ground_truth.json'), 'utf8')) as Truth;
  const [header, ...rows] = parseCsv(readFileSync(join(dir, 'ground_truth_accounts.csv'), 'utf8'));
  const accounts = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])) as unknown);
  return { truth, accounts: accounts as AccountRow[] };
}

/** A regular expression for handles made from a template ({first} {last} {word} {Word}, d a digit). */
function templateRegex(template: string): RegExp {
  const parts = template
    .split(/(\{\w+\}|d)/)
    .filter(Boolean)
    .map((p) =>
      p === 'd' ? '\\d' : /^\{\w+\}$/.test(p) ? '[A-Za-z]*' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return new RegExp(`^${parts.join('')}$`);
}

describe('campaign simulator', () => {
  const tmp = scratch();
  let runs = 0;
  const run = (options: Omit<SimulateOptions, 'out'>): SimulationResult & { dir: string } => {
    const dir = join(tmp.dir, `run${++runs}`);
    return { ...simulate({ out: dir, ...options }), dir };
  };
  afterAll(() => tmp.cleanup());

  it('is deterministic: the same seed and config give byte-identical files, another seed does not', () => {
    const options = { format: 'io-archive', posts: 20_000, seed: 42, postTruth: true };
    const a = run(options);
    const b = run(options);
    const c = run({ ...options, seed: 43 });
    const names = ['ground_truth.json', 'ground_truth_accounts.csv', 'ground_truth_posts.csv'];
    const bytes = (r: { dir: string; files: string[] }) =>
      [...r.files, ...names.map((n) => join(r.dir, n))].map((f) => readFileSync(f));
    const [fa, fb, fc] = [bytes(a), bytes(b), bytes(c)];
    fa.forEach((buf, i) => {
      expect(buf.equals(fb[i]!), names[i - 1] ?? 'corpus').toBe(true);
      expect(buf.equals(fc[i]!)).toBe(false);
    });
    expect(a.posts).toBe(b.posts);
  });

  it('writes the number of posts asked for, within 10%', () => {
    for (const [posts, seed] of [
      [20_000, 1],
      [35_000, 2],
      [60_000, 3],
    ] as const) {
      const r = run({ format: 'cnt', posts, seed });
      expect(Math.abs(r.posts / posts - 1), `${posts} posts, seed ${seed}: wrote ${r.posts}`).toBeLessThan(
        0.1,
      );
      expect(readTruth(r.dir).truth.posts).toBe(r.posts);
      // The corpus holds exactly that many rows (cnt: one line per post, no multi-line fields).
      expect(readFileSync(r.files[0]!, 'utf8').trimEnd().split('\n').length - 1).toBe(r.posts);
    }
  });

  describe('every export format', () => {
    it('lists the eight writers', () => {
      expect(writerFormats().sort()).toEqual([...FORMATS].sort());
    });

    for (const format of FORMATS) {
      it(`${format}: ingests without rejects, reconciles, and holds the truth's accounts and posts`, async () => {
        const sim = run({ format, posts: 20_000, seed: 11, postTruth: true });
        const { truth, accounts } = readTruth(sim.dir);
        expect(truth.format).toBe(format);
        const { store, report } = await ingestInto(sim.dir, sim.files[0]!, { format });
        try {
          expect(report.format).toBe(format);
          expect(report.rowsRejected).toBe(0);
          expect(reconciles(report)).toBe(true);
          // Rows can exceed posts (X API pages repeat referenced tweets in `includes`, the multi-modal
          // layout writes a row per hashtag x URL), but the posts stored are the posts written.
          expect(report.postsNew).toBe(sim.posts);
          const counts = new Map(
            (
              await store.all<{ account_id: string; n: number }>(
                `SELECT account_id, count(*)::INTEGER AS n FROM posts GROUP BY account_id`,
              )
            ).map((r) => [r.account_id, r.n]),
          );
          expect(accounts.length).toBe(truth.accounts);
          const missing = accounts.filter((a) => !counts.has(a.account_id)).map((a) => a.account_id);
          expect(missing.slice(0, 5), `${missing.length} truth accounts not in the store`).toEqual([]);
          const miscounted = accounts.filter((a) => counts.get(a.account_id) !== Number(a.posts));
          expect(miscounted.slice(0, 3)).toEqual([]);
          expect(counts.size).toBe(accounts.length);
          expect(accounts.filter((a) => a.label === 'operation').length).toBe(truth.labels.operation);
          // ground_truth_posts.csv names posts by the ids the store holds (IRA rows have no ids).
          const [, ...postRows] = parseCsv(readFileSync(join(sim.dir, 'ground_truth_posts.csv'), 'utf8'));
          if (format === 'ira') expect(postRows).toEqual([]);
          else {
            expect(postRows.length).toBe(sim.posts);
            const ids = new Set(
              (await store.all<{ post_id: string }>(`SELECT post_id FROM posts`)).map((r) => r.post_id),
            );
            expect(postRows.filter(([id]) => !ids.has(id!)).slice(0, 3)).toEqual([]);
          }
        } finally {
          store.close();
        }
      });
    }
  });

  describe('a 50k-post month (X API format)', () => {
    let store: Store;
    let truth: Truth;
    let accounts: AccountRow[];
    const q = <T>(sql: string) => store.all<T>(sql);

    beforeAll(async () => {
      const sim = run({ format: 'xapi', posts: 50_000, seed: 3, postTruth: true });
      ({ truth, accounts } = readTruth(sim.dir));
      ({ store } = await ingestInto(sim.dir, sim.files[0]!, { format: 'xapi' }));
      const csv = (name: string) =>
        `read_csv('${join(sim.dir, name)}', header = true, all_varchar = true, delim = ',', quote = '"')`;
      await store.run(`CREATE TABLE truth_posts AS SELECT * FROM ${csv('ground_truth_posts.csv')}`);
      await store.run(`CREATE TABLE truth_accounts AS SELECT * FROM ${csv('ground_truth_accounts.csv')}`);
      // Posts with their source and author's truth, and the time on the author's clock.
      await store.run(`CREATE TABLE p AS
        SELECT posts.*, t.source, a.label, a.operation, a.role,
          a.clock_utc_offset_minutes::INTEGER AS clock,
          posts.created_at + to_minutes(a.clock_utc_offset_minutes::INTEGER) AS local_time
        FROM posts JOIN truth_posts t USING (post_id) JOIN truth_accounts a ON a.account_id = posts.account_id`);
    });
    afterAll(() => store?.close());

    it('labels every stored post', async () => {
      const [row] = await q<{ posts: number; labelled: number }>(
        `SELECT (SELECT count(*) FROM posts)::INTEGER AS posts, (SELECT count(*) FROM p)::INTEGER AS labelled`,
      );
      expect(row!.labelled).toBe(row!.posts);
      expect(row!.posts).toBe(truth.posts);
      // Every simulated account keeps its own id (two accounts drawing one id would merge).
      expect(new Set(accounts.map((a) => a.account_id)).size).toBe(accounts.length);
      const [stored] = await q<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM accounts`);
      expect(stored!.n).toBe(accounts.length);
    });

    describe('ground truth agrees with the data', () => {
      it('lists every operation account, each of which posts', async () => {
        expect(truth.operations.map((o) => o.id)).toEqual(['op1', 'op2', 'op3', 'op4', 'op5', 'op6']);
        for (const o of truth.operations) {
          const mine = accounts.filter((a) => a.operation === o.id);
          expect(mine.length, o.id).toBe(o.accounts);
          expect(mine.every((a) => a.label === 'operation' && Number(a.posts) > 0)).toBe(true);
          expect(mine.filter((a) => a.role === 'sleeper').length).toBe(o.sleepers);
          expect(mine.reduce((s, a) => s + Number(a.posts), 0)).toBe(o.posts);
          expect(o.creation_batches.reduce((s, b) => s + b.count, 0)).toBe(o.accounts);
        }
        const [row] = await q<{ n: number }>(
          `SELECT count(DISTINCT account_id)::INTEGER AS n FROM p WHERE label = 'operation'`,
        );
        expect(row!.n).toBe(truth.labels.operation);
      });

      it("puts operations' posts on working days, mostly inside the shift, fewer at lunch", async () => {
        for (const o of truth.operations) {
          const rows = await q<{ hour: number; weekday: number; source: string }>(
            `SELECT hour(local_time) + minute(local_time) / 60 + second(local_time) / 3600 AS hour,
               dayofweek(local_time) AS weekday, source FROM p WHERE operation = '${o.id}'`,
          );
          expect(
            rows.every((r) => o.workdays.includes(r.weekday)),
            `${o.id} posts on a day off`,
          ).toBe(true);
          const inShift = (r: { hour: number }) => r.hour >= o.shift[0] - 1 && r.hour <= o.shift[1] + 1;
          const share = rows.filter(inShift).length / rows.length;
          expect(
            share,
            `${o.id}: ${(100 * share).toFixed(1)}% inside the shift +/- 1 h`,
          ).toBeGreaterThanOrEqual(0.9);
          // Orders run inside the shift (an operator's burst lasts well under an hour).
          const orders = rows.filter((r) => !r.source.endsWith(':camouflage'));
          expect(orders.length).toBeGreaterThan(0);
          expect(orders.filter((r) => !inShift(r))).toEqual([]);
          if (o.id === 'op1') {
            // Some camouflage is written off-shift (no operation is perfectly punctual)...
            expect(share).toBeLessThan(1);
            // ...and lunch is quiet: its hourly rate is well under the rest of the shift's.
            const lunch = rows.filter((r) => r.hour >= o.lunch[0] && r.hour < o.lunch[1]).length;
            const work = rows.filter((r) => r.hour >= o.shift[0] && r.hour < o.shift[1]).length - lunch;
            const perHour = work / (o.shift[1] - o.shift[0] - (o.lunch[1] - o.lunch[0]));
            expect(lunch / (o.lunch[1] - o.lunch[0])).toBeLessThan(0.4 * perHour);
          }
        }
      });

      it("spreads organic activity over the day and the world's time zones", async () => {
        const hours = await q<{ h: number; n: number }>(
          `SELECT hour(created_at) AS h, count(*)::INTEGER AS n FROM p WHERE label = 'organic' GROUP BY 1`,
        );
        const total = hours.reduce((s, r) => s + r.n, 0);
        expect(hours.length).toBe(24);
        expect(Math.max(...hours.map((r) => r.n)) / total).toBeLessThan(0.08);
        expect(Math.min(...hours.map((r) => r.n)) / total).toBeGreaterThan(0.01);
        const organic = accounts.filter((a) => a.label === 'organic');
        const zones = new Map<string, number>();
        for (const a of organic)
          zones.set(a.clock_utc_offset_minutes, (zones.get(a.clock_utc_offset_minutes) ?? 0) + 1);
        expect(zones.size).toBeGreaterThanOrEqual(10);
        expect(Math.max(...zones.values()) / organic.length).toBeLessThan(0.4);
        // Each ordinary account keeps its own rhythm: the busy ones post at many hours of the day.
        const [busy] = await q<{ accounts: number; hours: number }>(`SELECT count(*)::INTEGER AS accounts,
            median(h)::DOUBLE AS hours FROM (SELECT account_id, count(DISTINCT hour(created_at)) AS h
            FROM p WHERE role = 'regular' GROUP BY 1 HAVING count(*) >= 30)`);
        expect(busy!.accounts).toBeGreaterThan(50);
        expect(busy!.hours).toBeGreaterThanOrEqual(12);
      });

      it("creates each operation's accounts in batches on working days, within hours of the batch start", async () => {
        const created = new Map(
          (
            await q<{ account_id: string; created_at: Date }>(`SELECT account_id, created_at FROM accounts`)
          ).map((r) => [r.account_id, r.created_at.getTime()]),
        );
        for (const o of truth.operations) {
          expect(o.creation_batches.length).toBe(
            DEFAULTS.operations.find((x) => x.id === o.id)!.creationBatches,
          );
          for (const b of o.creation_batches) {
            const start = Date.parse(b.start);
            const local = new Date(start + o.operator_utc_offset_minutes * 60_000);
            expect(local.toISOString().slice(0, 10)).toBe(b.date);
            expect(o.workdays).toContain(local.getUTCDay());
            expect(local.getUTCHours() + local.getUTCMinutes() / 60).toBeCloseTo(o.shift[0], 5);
          }
          const shiftMs = (o.shift[1] - o.shift[0]) * HOUR;
          for (const a of accounts.filter((x) => x.operation === o.id)) {
            const batch = o.creation_batches[Number(a.creation_batch)]!;
            const after = created.get(a.account_id)! - Date.parse(batch.start);
            expect(
              after,
              `${o.id} ${a.handle} made ${(after / HOUR).toFixed(1)} h after its batch`,
            ).toBeGreaterThanOrEqual(0);
            expect(after).toBeLessThan(Math.min(6 * HOUR, shiftMs));
          }
        }
        // Organic accounts were made over the years, not in bursts.
        const days = new Set(
          accounts
            .filter((a) => a.label === 'organic')
            .map((a) => new Date(created.get(a.account_id)!).toISOString().slice(0, 10)),
        );
        expect(days.size).toBeGreaterThan(1000);
      });

      it("gives each operation's accounts handles that follow its template", () => {
        for (const o of truth.operations) {
          const re = templateRegex(o.handle_template);
          const handles = accounts.filter((a) => a.operation === o.id).map((a) => a.handle);
          expect(
            handles.filter((h) => !re.test(h)),
            `${o.id}: ${o.handle_template}`,
          ).toEqual([]);
          expect(new Set(handles.map((h) => h.toLowerCase())).size).toBe(handles.length);
        }
      });
    });

    describe('hard negatives look like the real thing', () => {
      it('viral cascades: hundreds of distinct retweeters within 30 minutes, more than any order', async () => {
        const cascades = await q<{ source: string; retweeters: number; retweeters30: number }>(`
          SELECT o.source, count(DISTINCT r.account_id)::INTEGER AS retweeters,
            (count(DISTINCT r.account_id) FILTER (WHERE r.created_at <= o.created_at + INTERVAL 30 MINUTE))::INTEGER AS retweeters30
          FROM p o JOIN p r ON r.ref_post_id = o.post_id AND r.kind = 'repost' AND r.source = o.source
          WHERE o.source LIKE 'cascade:%' AND o.kind = 'post'
          GROUP BY o.source ORDER BY retweeters30 DESC`);
        const events = truth.hard_negatives.filter((e) => e.kind === 'cascade');
        expect(cascades.length).toBe(events.length);
        const top = cascades[0]!;
        expect(top.retweeters30).toBeGreaterThanOrEqual(250);
        expect(cascades.filter((c) => c.retweeters30 >= 150).length).toBeGreaterThanOrEqual(3);
        // Most of a cascade's retweets come within the half hour.
        expect(top.retweeters30 / top.retweeters).toBeGreaterThan(0.85);
        // The ground truth's count matches the data (retweets and the odd reply).
        const event = events.find((e) => e.id === top.source)!;
        expect(event.accounts).toBeGreaterThanOrEqual(top.retweeters);
        expect(top.retweeters).toBeGreaterThan(0.85 * event.accounts);
        // Bigger than any operation's order: co-retweet counts alone cannot tell them apart.
        expect(top.retweeters30).toBeGreaterThan(Math.max(...truth.orders.map((o) => o.participants)));
      });

      it('petitions: identical text from many accounts spread over several days', async () => {
        const petitions = truth.hard_negatives.filter((e) => e.kind === 'petition');
        expect(petitions.length).toBe(3);
        let largest = 0;
        for (const e of petitions) {
          const [row] = await q<{
            accounts: number;
            posts: number;
            texts: number;
            days: number;
            text: string;
          }>(
            `SELECT count(DISTINCT account_id)::INTEGER AS accounts, count(*)::INTEGER AS posts,
               count(DISTINCT text)::INTEGER AS texts, count(DISTINCT created_at::DATE)::INTEGER AS days,
               any_value(text) AS text
             FROM p WHERE source = '${e.id}'`,
          );
          expect(row!.texts).toBe(1);
          expect(row!.text).toBe(e.text);
          expect(row!.accounts).toBe(row!.posts);
          expect(row!.accounts).toBe(e.accounts);
          expect(row!.accounts).toBeGreaterThanOrEqual(5);
          expect(row!.days).toBeGreaterThanOrEqual(3);
          largest = Math.max(largest, row!.accounts);
        }
        expect(largest).toBeGreaterThanOrEqual(20);
      });

      it('the open campaign: members post within an hour of each other', async () => {
        const [campaign] = truth.open_coordination.campaigns;
        const rows = await q<{ account_id: string; created_at: Date; role: string }>(
          `SELECT account_id, created_at, role FROM p WHERE source = '${campaign!.id}'`,
        );
        const members = rows.filter((r) => r.role !== 'organiser');
        expect(new Set(members.map((r) => r.account_id)).size).toBeGreaterThanOrEqual(10);
        const times = members.map((r) => r.created_at.getTime());
        expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(HOUR);
        const organiser = accounts.filter((a) => a.role === 'organiser');
        expect(organiser).toHaveLength(1);
        expect(accounts.filter((a) => a.group === campaign!.id).length).toBe(campaign!.accounts);
      });

      it('copy-paste storms carry small edits; Persian ones mix in Arabic-keyboard letters', async () => {
        const storms = await q<{ op: string; posts: number; texts: number }>(
          `SELECT split_part(source, ':', 1) AS op, count(*)::INTEGER AS posts, count(DISTINCT text)::INTEGER AS texts
           FROM p WHERE source LIKE 'op%:copy-paste:%' GROUP BY 1 ORDER BY 1`,
        );
        expect(storms.map((s) => s.op)).toEqual(['op1', 'op4', 'op6']);
        for (const s of storms) {
          expect(s.texts, s.op).toBeGreaterThan(1);
          expect(s.texts, s.op).toBeLessThan(s.posts);
        }
        // Within one order: a shared text that several accounts post unchanged, and edited variants.
        const orders = await q<{ posts: number; texts: number; top: number }>(`
          SELECT sum(n)::INTEGER AS posts, count(*)::INTEGER AS texts, max(n)::INTEGER AS top
          FROM (SELECT source, text, count(*) AS n FROM p WHERE source LIKE 'op1:copy-paste:%' GROUP BY ALL)
          GROUP BY source HAVING sum(n) >= 10`);
        expect(orders.length).toBeGreaterThan(5);
        expect(orders.every((o) => o.texts >= 2 && o.top >= 2)).toBe(true);
        const [fa] = await q<{ posts: number; arabic: number; persian: number }>(`
          SELECT count(*)::INTEGER AS posts,
            count(*) FILTER (WHERE regexp_matches(text, '[يك]'))::INTEGER AS arabic,
            count(*) FILTER (WHERE regexp_matches(text, '[یک]'))::INTEGER AS persian
          FROM p WHERE source LIKE 'op1:copy-paste:%' AND lang = 'fa'`);
        expect(fa!.posts).toBeGreaterThan(50);
        expect(fa!.arabic).toBeGreaterThan(0);
        expect(fa!.arabic).toBeLessThan(0.5 * fa!.posts);
        expect(fa!.persian).toBeGreaterThan(0.5 * fa!.posts);
      });

      it('operation accounts retweet viral posts too (camouflage)', async () => {
        const rows = await q<{ operation: string; n: number }>(`
          SELECT r.operation, count(*)::INTEGER AS n FROM p r JOIN p o ON r.ref_post_id = o.post_id
          WHERE r.label = 'operation' AND r.kind = 'repost' AND o.source LIKE 'cascade:%' AND o.kind = 'post'
          GROUP BY 1`);
        expect(rows.length).toBeGreaterThanOrEqual(4);
        expect(rows.reduce((s, r) => s + r.n, 0)).toBeGreaterThanOrEqual(50);
        const [camouflage] = await q<{ share: number }>(
          `SELECT avg((source LIKE '%:camouflage')::INTEGER)::DOUBLE AS share FROM p WHERE label = 'operation'`,
        );
        expect(camouflage!.share).toBeGreaterThan(0.3);
      });

      it('sleepers post little', () => {
        const posts = (role: string) =>
          accounts
            .filter((a) => a.label === 'operation' && a.role === role)
            .map((a) => Number(a.posts))
            .sort((x, y) => x - y);
        const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
        const sleepers = posts('sleeper');
        expect(sleepers.length).toBeGreaterThan(20);
        expect(median(sleepers)).toBeLessThanOrEqual(10);
        expect(median(sleepers)).toBeLessThan(median(posts('amplifier')) / 3);
      });

      it('news outlets post their own articles, and readers share them with identical texts', async () => {
        const [row] = await q<{ outlets: number; shares: number; texts: number }>(`
          SELECT (SELECT count(DISTINCT account_id) FROM p WHERE role = 'outlet' AND source = 'organic')::INTEGER AS outlets,
            count(*)::INTEGER AS shares, count(DISTINCT text)::INTEGER AS texts
          FROM p WHERE source = 'share-button' AND role <> 'outlet'`);
        expect(row!.outlets).toBe(10);
        expect(row!.shares).toBeGreaterThan(3 * row!.texts);
      });
    });
  });

  describe('scenarios and settings', () => {
    it('the organic scenario has no operation at all', () => {
      const r = run({ format: 'cnt', posts: 20_000, seed: 5, scenario: 'organic' });
      const { truth, accounts } = readTruth(r.dir);
      expect(truth.operations).toEqual([]);
      expect(truth.labels.operation).toBe(0);
      expect(accounts.every((a) => a.label === 'organic' && a.operation === '')).toBe(true);
      expect(Object.keys(truth.posts_by_source).filter((k) => k.startsWith('op'))).toEqual([]);
      expect(Math.abs(r.posts / 20_000 - 1)).toBeLessThan(0.1);
    });

    it('the easy scenario has operations but no hard negatives', () => {
      const r = run({ format: 'cnt', posts: 20_000, seed: 5, scenario: 'easy' });
      const { truth } = readTruth(r.dir);
      expect(truth.operations).toHaveLength(6);
      expect(truth.hard_negatives).toEqual([]);
      expect(truth.open_coordination.campaigns).toEqual([]);
      const sources = Object.keys(truth.posts_by_source);
      for (const kind of ['cascade', 'news', 'petition', 'campaign', 'share-button', 'syndication'])
        expect(sources).not.toContain(kind);
    });

    it('--config overrides knobs (and a config file sets posts and seed)', async () => {
      const dir = join(tmp.dir, 'cli');
      const file = tmp.file(
        'sim.json',
        JSON.stringify({
          posts: 25_000,
          seed: 9,
          hardNegatives: { cascadesPerDay: 0 },
          operations: [
            { id: 'solo', name: 'A single test operation', accounts: 150, tactics: { 'retweet-ring': 1 } },
          ],
        }),
      );
      const program = new Command().exitOverride();
      registerSimulate(program);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await program.parseAsync(['simulate', '--out', dir, '--format', 'cnt', '--config', file, '-q'], {
          from: 'user',
        });
      } finally {
        log.mockRestore();
      }
      const { truth, accounts } = readTruth(dir);
      expect(truth.seed).toBe(9);
      expect(truth.config.posts).toBe(25_000);
      expect(Math.abs(truth.posts / 25_000 - 1)).toBeLessThan(0.1);
      expect(truth.operations.map((o) => [o.id, o.tactics])).toEqual([['solo', ['retweet-ring']]]);
      expect(new Set(accounts.filter((a) => a.label === 'operation').map((a) => a.operation))).toEqual(
        new Set(['solo']),
      );
      expect(truth.hard_negatives.filter((e) => e.kind === 'cascade')).toEqual([]);
      expect(truth.posts_by_source.cascade).toBeUndefined();
      expect(truth.posts_by_source['solo:retweet-ring']).toBeGreaterThan(0);
    });

    it('rejects invalid settings with a one-line UsageError naming the setting', () => {
      const cases: [Parameters<typeof resolveConfig>[1], RegExp][] = [
        [{ hardNegatives: { cascadeShare: 2 } }, /`hardNegatives\.cascadeShare`/],
        [{ organic: { postsSigma: -1 } }, /`organic\.postsSigma`/],
        [{ organic: { languages: { en: 0, fa: 0, ar: 0, ru: 0, es: 0 } } }, /`organic\.languages`/],
        [{ days: 0 }, /`days`/],
        [{ start: 'June' }, /`start`/],
        [{ posts: 500 }, /`posts`/],
        [{ operations: [{ id: 'x', name: 'y', shift: [18, 9] }] }, /`operations\.x\.shift`/],
        [{ operations: [{ id: 'x', name: 'y', tactics: { spam: 1 } as never }] }, /`operations\.x\.tactics`/],
        [{ operations: [{ id: 'x', name: 'y', workdays: [7] }] }, /`operations\.x\.workdays`/],
        [
          { operations: [{ id: 'x', name: 'y', operatorOffsetMinutes: 2000 }] },
          /`operations\.x\.operatorOffsetMinutes`/,
        ],
        [{ hardNegative: {} } as never, /unknown simulation setting `hardNegative`/],
        [{ organic: { languages: { de: 1 } } } as never, /`organic\.languages\.de`/],
        [{ operations: [{ id: 'x', name: 'y', shfit: [9, 17] }] } as never, /`operations\.x\.shfit`/],
      ];
      for (const [overrides, name] of cases) {
        let error: unknown;
        try {
          resolveConfig('default', overrides);
        } catch (err) {
          error = err;
        }
        expect(error, JSON.stringify(overrides)).toBeInstanceOf(UsageError);
        expect((error as Error).message).toMatch(name);
        expect((error as Error).message).not.toContain('\n');
      }
      expect(() => resolveConfig('nightmare')).toThrow(UsageError);
      // Too few posts for six operations, the outlets' feeds and an organic crowd: said, not overshot.
      expect(() => run({ posts: 2_000 })).toThrow(/`posts`: expecting at least 5,000/);
      expect(() => run({ posts: 20_000, format: 'csv' })).toThrow(UsageError);
    });
  });
});
