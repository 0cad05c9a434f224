/**
 * The simulated influence layer, end to end through the real importer, resolver and linker: every
 * planted principal's path from its clusters to the official who echoed it is found, through its
 * registered agent's meeting on the planted date, and no decoy official is linked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/index.js';
import { saveDetection } from '../../src/detect/saved.js';
import { importEntities } from '../../src/entities/import/pipeline.js';
import { linkLayers } from '../../src/entities/link/index.js';
import { mapPaths } from '../../src/entities/query/map.js';
import { type InfluenceScore, scoreSimulatedInfluence } from '../../src/entities/query/simulated.js';
import { resolveEntities } from '../../src/entities/resolve/index.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { simulate } from '../../src/simulate/index.js';
import { type InfluenceResult, simulateInfluence } from '../../src/simulate/influence.js';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';

const tmp = scratch();
let store: Store;
let layer: InfluenceResult;
let score: InfluenceScore;
afterAll(() => {
  store?.close();
  tmp.cleanup();
});

beforeAll(async () => {
  const sim = simulate({ out: join(tmp.dir, 'corpus'), posts: 50_000, seed: 7 });
  layer = simulateInfluence(sim);
  store = await Store.open(join(tmp.dir, 'sim.duckdb'), { memoryLimit: '1GB', threads: 2 });
  for (const f of sim.files) await ingestFile(store, f);
  await saveDetection(store, await detect(store));
  const r = await importEntities(store, layer.file);
  expect(r.recordsRejected).toBe(0);
  await resolveEntities(store);
  await linkLayers(store);
  score = await scoreSimulatedInfluence(store, layer.truth, sim.accountsFile);
}, 600_000);

describe('simulated influence layer', () => {
  it('is deterministic per seed', () => {
    const again = readFileSync(layer.file, 'utf8');
    const sim2 = simulate({ out: join(tmp.dir, 'corpus2'), posts: 50_000, seed: 7 });
    expect(readFileSync(simulateInfluence(sim2).file, 'utf8')).toBe(again);
  });

  it('links every echoing official to its operation, and no decoy', () => {
    expect(score.echoes.truth).toBe(layer.truth.principals.length);
    expect(score.echoes.recall).toBe(1);
    expect(score.echoes.precision).toBe(1);
    expect(score.echoes.decoysLinked).toBe(0);
  });

  it("finds each principal's path from its clusters through its agent's meeting, with the planted dates", () => {
    expect(score.paths.truth).toBe(layer.truth.principals.length);
    expect(score.paths.recall).toBe(1);
    expect(score.paths.withDecoyAgent).toBe(0);
  });

  it('orders the hops of a payment-representation-meeting chain in time', async () => {
    const p = layer.truth.principals[0]!;
    const paths = await mapPaths(store, p.principal.id, p.echoes[0]!.official, { maxHops: 3 });
    const chain = paths.find((x) => x.nodes.some((n) => n.label === p.agent.name));
    if (!chain) throw new Error('no path through the registered agent');
    expect(chain.hops.map((h) => h.label)).toEqual([
      'Representation (FARA registered agent)',
      'contact (meeting)',
    ]);
    expect(chain.hops[1]!.date).toBe(p.meetings[0]!.date);
    expect(chain.hops[0]!.source?.file).toBe('influence.ftm.json');
  });
});
