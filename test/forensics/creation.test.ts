/**
 * Creation batches against the simulator's ground truth (100k posts, seed 2): every planted batch
 * of three or more accounts is found on its day with its exact count, and organic sets of the same
 * sizes show none. Then a hand-built store: creation times of day, undated members.
 *
 * Measured (this file's corpus): every batch of every operation found with its count, no batch in any
 * organic set. On the 1M-post bench corpus: 18/18 batches, none in 30 organic sets (docs/forensics/accounts.md).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Creation, creationFingerprints } from '../../src/forensics/creation.js';
import { loadAccountSets } from '../../src/forensics/sets.js';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';
import { type SimulatedSets, simulatedSets } from './accounts-sim.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe('on a simulated month (100k posts, seed 2)', () => {
  let sim: SimulatedSets;
  let fp: Map<string, Creation>;
  beforeAll(async () => {
    sim = await simulatedSets(join(tmp.dir, 'sim'), 100_000, 2);
    await loadAccountSets(sim.store, sim.sets);
    fp = await creationFingerprints(sim.store);
  }, 120_000);
  afterAll(() => sim?.store.close());

  it('finds every planted batch of three or more accounts, on its day, with its count', () => {
    let checked = 0;
    for (const op of sim.operations) {
      const c = fp.get(op.id)!;
      expect(c.resolution, 'the X archive gives creation dates only').toBe('day');
      expect(c.undated).toBe(0);
      for (const b of op.creation_batches.filter((x) => x.count >= 3)) {
        const batch = c.batches.find((x) => x.start <= b.date && b.date <= x.end);
        expect(batch, `${op.id} batch ${b.date} (${b.count} accounts)`).toBeDefined();
        expect(batch!.days.find((d) => d.date === b.date)?.count, `${op.id} ${b.date}`).toBe(b.count);
        expect(batch!.log10P).toBeLessThan(Math.log10(c.alpha / c.daysTested));
        checked++;
      }
      // Planted accounts are all made in batches: (nearly) every member falls in one.
      const inBig = op.creation_batches.filter((x) => x.count >= 3).reduce((a, x) => a + x.count, 0);
      expect(c.inBatches).toBeGreaterThanOrEqual(inBig);
      expect(c.concentration, op.id).toBeGreaterThan(50);
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('finds no batch in organic sets of the same sizes', () => {
    const organic = sim.sets.filter((s) => s.id.startsWith('org-'));
    for (const s of organic) {
      const c = fp.get(s.id)!;
      expect(c.batchCount, `${s.id}: ${JSON.stringify(c.batches)}`).toBe(0);
      expect(c.dated).toBe(s.accounts.length);
      expect(c.concentration).toBeLessThan(10);
    }
  });
});

describe('on a hand-built store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(join(tmp.dir, 'hand.duckdb'), { memoryLimit: '1GB', threads: 2 });
    // 400 population accounts spread over two years, one a day at 09:00; a set of 6 made within an
    // hour on 2023-03-15 plus two older ones; a member without a creation date; one not in the store.
    await store.run(`INSERT INTO accounts (platform, account_id, handle, created_at)
      SELECT 'x', 'p' || i, 'p' || i, TIMESTAMP '2022-01-01 09:00:00' + INTERVAL (i * 2) DAY FROM range(400) t(i)`);
    await store.run(`INSERT INTO accounts (platform, account_id, handle, created_at)
      SELECT 'x', 'b' || i, 'b' || i, TIMESTAMP '2023-03-15 10:00:00' + INTERVAL (i * 7) MINUTE FROM range(6) t(i)`);
    await store.run(`INSERT INTO accounts (platform, account_id, handle, created_at) VALUES
      ('x', 'o1', 'o1', TIMESTAMP '2022-05-02 12:00:00'), ('x', 'o2', 'o2', TIMESTAMP '2022-11-20 12:00:00'),
      ('x', 'u1', 'u1', NULL)`);
    const ids = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'o1', 'o2', 'u1', 'ghost'];
    await loadAccountSets(store, [
      { id: 's', accounts: ids.map((accountId) => ({ platform: 'x', accountId })) },
    ]);
  });
  afterAll(() => store.close());

  it('lists the batch with its first and last creation time, and counts undated members', async () => {
    const c = (await creationFingerprints(store)).get('s')!;
    expect(c).toMatchObject({
      members: 10,
      dated: 8,
      undated: 2,
      resolution: 'time',
      batchCount: 1,
      inBatches: 6,
    });
    expect(c.batches[0]).toMatchObject({
      start: '2023-03-15',
      end: '2023-03-15',
      count: 6,
      firstAt: '2023-03-15T10:00:00Z',
      lastAt: '2023-03-15T10:35:00Z',
    });
    expect(c.shareInBatches).toBeCloseTo(6 / 8, 3);
    expect(c.populationDated).toBe(400);
  });

  it('does not call two accounts on one day a batch when the population is dense there', async () => {
    // 40 population accounts on 2022-05-02: two members that day are what the population predicts.
    await store.run(`INSERT INTO accounts (platform, account_id, handle, created_at)
      SELECT 'x', 'd' || i, 'd' || i, TIMESTAMP '2022-05-02 08:00:00' FROM range(40) t(i)`);
    await store.run(
      `INSERT INTO accounts (platform, account_id, handle, created_at) VALUES ('x', 'o3', 'o3', TIMESTAMP '2022-05-02 18:00:00')`,
    );
    await loadAccountSets(store, [
      { id: 't', accounts: ['o1', 'o3', 'p5', 'p9'].map((accountId) => ({ platform: 'x', accountId })) },
    ]);
    const c = (await creationFingerprints(store)).get('t')!;
    expect(c.batchCount).toBe(0);
    expect(c.sameDayPairRate).toBeCloseTo(2 / 12, 3);
  });
});
