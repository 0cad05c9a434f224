/**
 * Posting cadence on hand-built stores: a scheduler posting every 10 minutes is flagged periodic, a
 * cron job firing at :00 clockwork, people with heavy-tailed gaps are not flagged, accounts with few
 * posts are counted and not judged; the same at minute resolution. Then the simulated month, which
 * has no scheduler: nobody flagged, and the operations' order bursts make them burstier than organic
 * sets of the same sizes.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { type Cadence, cadenceFingerprints } from '../../src/forensics/cadence.js';
import { loadAccountSets } from '../../src/forensics/sets.js';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';
import { type SimulatedSets, simulatedSets } from './accounts-sim.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

const START = Date.parse('2024-06-03T00:00:00Z');

/** Post times (ms) of the hand-built accounts. */
function timelines(): Map<string, number[]> {
  const rng = new Rng(7);
  const t = new Map<string, number[]>();
  // A scheduler: every 10 minutes for two days, a few runs skipped, a few seconds of latency.
  const bot: number[] = [];
  for (let i = 0; i < 288; i++) if (!rng.chance(0.05)) bot.push(START + i * 600_000 + rng.int(0, 3000));
  t.set('bot', bot);
  // A cron job at :00 of random minutes of the working day.
  t.set(
    'cron',
    Array.from(
      { length: 40 },
      (_, d) => START + Math.floor(d / 4) * 86_400_000 + rng.int(8 * 60, 18 * 60) * 60_000,
    ),
  );
  // People: sessions of quick posts separated by long, heavy-tailed gaps.
  for (let h = 0; h < 40; h++) {
    const times: number[] = [];
    let now = START + rng.int(0, 86_400_000);
    const n = rng.int(15, 120);
    for (let i = 0; i < n; i++) {
      now += rng.chance(0.6) ? rng.lognormal(120_000, 1) : rng.pareto(1_800_000, 1.2);
      times.push(Math.round(now));
    }
    t.set(`h${h}`, times);
  }
  t.set(
    'few',
    [0, 1, 2, 3, 4].map((i) => START + i * 600_000),
  );
  return t;
}

async function handBuilt(name: string, minute: boolean): Promise<Store> {
  const store = await Store.open(join(tmp.dir, name), { memoryLimit: '1GB', threads: 2 });
  const rows: string[] = [];
  for (const [id, times] of timelines()) {
    await store.run(`INSERT INTO accounts (platform, account_id, handle) VALUES ('x', '${id}', '${id}')`);
    for (const [i, ms] of times.entries()) {
      const at = minute ? Math.floor(ms / 60_000) * 60_000 : Math.floor(ms / 1000) * 1000;
      rows.push(`('x', '${id}-${i}', '${id}', make_timestamp(${at}::BIGINT * 1000), 'post', 0)`);
    }
  }
  await store.run(`INSERT INTO accounts (platform, account_id, handle) VALUES ('x', 'silent', 'silent')`);
  await store.run(
    `INSERT INTO posts (platform, post_id, account_id, created_at, kind, ingest_id) VALUES ${rows.join(',')}`,
  );
  const ref = (accountId: string) => ({ platform: 'x', accountId });
  await loadAccountSets(store, [
    { id: 'bots', accounts: ['bot', 'cron', 'few', 'silent'].map(ref) },
    { id: 'people', accounts: ['h0', 'h1', 'h2', 'h3', 'h4'].map(ref) },
  ]);
  return store;
}

describe('at second resolution', () => {
  let store: Store;
  let fp: Map<string, Cadence>;
  beforeAll(async () => {
    store = await handBuilt('seconds.duckdb', false);
    fp = await cadenceFingerprints(store);
  });
  afterAll(() => store.close());

  it('flags the 10-minute scheduler as periodic and the cron job as clockwork', () => {
    const bots = fp.get('bots')!;
    expect(bots).toMatchObject({ resolution: 'second', members: 4, noPosts: 1, tooFewPosts: 1, judged: 2 });
    expect(bots.scripted).toBe(2);
    const bot = bots.examples.find((e) => e.accountId === 'bot')!;
    expect(bot.rules).toContain('periodic');
    expect(bot.modalInterval).toBeGreaterThanOrEqual(600);
    expect(bot.modalInterval).toBeLessThanOrEqual(603);
    expect(bot.modalShare).toBeGreaterThan(0.85);
    expect(bot.burstiness).toBeLessThan(-0.5);
    const cron = bots.examples.find((e) => e.accountId === 'cron')!;
    expect(cron.rules).toEqual(['clockwork']);
    expect(cron.secondShare).toBe(1);
  });

  it('does not flag people, whose gaps are bursty', () => {
    const people = fp.get('people')!;
    expect(people).toMatchObject({ judged: 5, scripted: 0, examples: [] });
    expect(people.medianBurstiness).toBeGreaterThan(0.2);
    expect(people.population.judged).toBe(35);
    expect(people.population.scripted).toBe(0);
    expect(people.burstinessHistogram.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('tests the scripted count against the population', () => {
    expect(fp.get('bots')!.scriptedLog10P).toBeLessThan(-1.5);
    expect(fp.get('people')!.scriptedLog10P).toBe(0);
  });
});

describe('at minute resolution', () => {
  let store: Store;
  let fp: Map<string, Cadence>;
  beforeAll(async () => {
    store = await handBuilt('minutes.duckdb', true);
    fp = await cadenceFingerprints(store);
  });
  afterAll(() => store.close());

  it('still flags the scheduler (intervals of 9-11 minutes), not the cron job or people', () => {
    const bots = fp.get('bots')!;
    expect(bots.resolution).toBe('minute');
    expect(bots.examples.map((e) => e.accountId)).toEqual(['bot']);
    expect(bots.examples[0]!.rules).toContain('periodic');
    expect(bots.examples[0]!.secondShare).toBeNull();
    expect(fp.get('people')!.scripted).toBe(0);
    expect(fp.get('people')!.population.scripted).toBe(0);
  });
});

describe('on a simulated month (100k posts, seed 2), which has no scheduler', () => {
  let sim: SimulatedSets;
  let fp: Map<string, Cadence>;
  beforeAll(async () => {
    sim = await simulatedSets(join(tmp.dir, 'sim'), 100_000, 2);
    await loadAccountSets(sim.store, sim.sets);
    fp = await cadenceFingerprints(sim.store);
  }, 120_000);
  afterAll(() => sim?.store.close());

  it('flags nobody, counts accounts with too few posts, and finds the operations burstier', () => {
    for (const s of sim.sets) {
      const c = fp.get(s.id)!;
      expect(c.scripted, s.id).toBe(0);
      expect(c.judged + c.tooFewPosts + c.noPosts).toBe(c.members);
    }
    expect(fp.get('op1')!.population.scripted).toBe(0);
    for (const op of sim.operations) {
      const a = fp.get(op.id)!;
      const o = fp.get(`org-${op.id}`)!;
      if (a.judged < 10 || o.judged < 10) continue;
      expect(a.medianBurstiness!, op.id).toBeGreaterThan(o.medianBurstiness!);
    }
  });
});
