/**
 * Several processes (or stores in one process) may read one store at once, e.g. a benchmark and a
 * detection run. Each reader spills to a folder of its own, removed when it closes: with one shared
 * spill folder, concurrent readers overwrote each other's spill files ("Could not read enough bytes").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

it('gives each read-only store its own spill folder and removes it on close', async () => {
  const path = join(tmp.dir, 'shared.duckdb');
  (await Store.open(path)).close();
  const a = await Store.open(path, { readOnly: true, memoryLimit: '64MB' });
  const b = await Store.open(path, { readOnly: true, memoryLimit: '64MB' });
  const spillA = String(await a.value(`SELECT current_setting('temp_directory')`));
  const spillB = String(await b.value(`SELECT current_setting('temp_directory')`));
  expect(spillA).not.toBe(spillB);
  expect(spillA.startsWith(`${path}.tmp-read-`)).toBe(true);
  // Both spill at once: a sort far larger than the memory limit.
  const big = 'SELECT sum(hash(x + r)) FROM (SELECT x, random() AS r FROM range(4000000) t(x) ORDER BY r)';
  const [x, y] = await Promise.all([a.value(big), b.value(big)]);
  expect(x).toBeDefined();
  expect(y).toBeDefined();
  a.close();
  b.close();
  expect(existsSync(spillA)).toBe(false);
  expect(existsSync(spillB)).toBe(false);
}, 60_000);
