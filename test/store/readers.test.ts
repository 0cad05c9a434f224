/**
 * Several processes (or stores in one process) may read one store at once, e.g. a benchmark and a
 * detection run. Each reader spills to a folder of its own, removed when it closes: with one shared
 * spill folder, concurrent readers overwrote each other's spill files ("Could not read enough bytes").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseBytes, Store } from '../../src/store/store.js';
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

it('lends memory from DuckDB to work held in JavaScript, and restores the limit even on failure', async () => {
  const store = await Store.open(join(tmp.dir, 'lend.duckdb'), { memoryLimit: '1GiB' });
  const limit = () => store.value<string>(`SELECT current_setting('memory_limit')`);
  const before = await limit();
  expect(before).toBe('1.0 GiB');
  expect(await store.lendMemory(256 * 2 ** 20, limit)).toBe('768.0 MiB');
  // At most half the limit is lent.
  expect(await store.lendMemory(2 ** 40, limit)).toBe('512.0 MiB');
  await expect(
    store.lendMemory(2 ** 20, async () => {
      throw new Error('the work failed');
    }),
  ).rejects.toThrow('the work failed');
  expect(await limit()).toBe(before);
  store.close();
  expect(parseBytes('3GB')).toBe(3e9);
  expect(parseBytes('2.5 GiB')).toBe(2.5 * 2 ** 30);
  expect(parseBytes('512MB')).toBe(512e6);
  expect(parseBytes('lots')).toBeNaN();
});
