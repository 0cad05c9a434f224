/**
 * Account sets for fingerprints: the lists a user gives (ids, platform:id, @handles, a CSV with an
 * account_id column) resolved against the store, and detection runs saved in and read back from it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { detect } from '../../src/detect/index.js';
import { loadDetection, saveDetection } from '../../src/detect/saved.js';
import { loadAccountSets, readAccountsFile } from '../../src/forensics/sets.js';
import { simulate } from '../../src/simulate/index.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, scratch } from '../helpers/store.js';

const tmp = scratch();
let store: Store;

beforeAll(async () => {
  const sim = simulate({ out: join(tmp.dir, 'sim'), posts: 20_000, seed: 3 });
  ({ store } = await ingestInto(tmp.dir, sim.files[0]!));
}, 120_000);
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('accounts files', () => {
  it('resolves ids, platform:id and @handles, and returns what is not in the store', async () => {
    const rows = await store.all<{ platform: string; account_id: string; handle: string }>(
      'SELECT platform, account_id, handle FROM accounts ORDER BY account_id LIMIT 3',
    );
    const [a, b, c] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    const file = tmp.file(
      'list.txt',
      `# suspects\n${a.account_id}\n\n${b.platform}:${b.account_id}\n@${c.handle.toUpperCase()}\nnobody-here\n${a.account_id}\n`,
    );
    const r = await readAccountsFile(store, file, 'list');
    expect(r.set.id).toBe('list');
    expect(r.set.accounts.map((x) => x.accountId).sort()).toEqual([a, b, c].map((x) => x.account_id).sort());
    expect(r.unknown).toEqual(['nobody-here']);
  });

  it('reads a CSV with an account_id column', async () => {
    const ids = await store.all<{ account_id: string }>(
      'SELECT account_id FROM accounts ORDER BY account_id LIMIT 4',
    );
    const file = tmp.file('list.csv', `handle,account_id\nx,${ids.map((r) => r.account_id).join('\ny,')}\n`);
    const r = await readAccountsFile(store, file, 'csv');
    expect(r.set.accounts).toHaveLength(4);
    expect(r.unknown).toEqual([]);
  });

  it('refuses an empty list or one with no account of the store, in one line', async () => {
    await expect(readAccountsFile(store, tmp.file('empty.txt', '# nothing\n'), 'e')).rejects.toThrow(
      UsageError,
    );
    await expect(readAccountsFile(store, tmp.file('none.txt', 'a\nb\n'), 'n')).rejects.toThrow(
      /none of the 2 accounts/,
    );
    await expect(readAccountsFile(store, join(tmp.dir, 'missing.txt'), 'm')).rejects.toThrow(/cannot read/);
  });

  it('loads sets with hostile ids as data', async () => {
    await loadAccountSets(store, [
      { id: "c1'); DROP TABLE posts; --", accounts: [{ platform: 'x', accountId: `1'"\\` }] },
    ]);
    expect(await store.all('SELECT * FROM fp_sets')).toEqual([
      { set_id: "c1'); DROP TABLE posts; --", platform: 'x', account_id: `1'"\\` },
    ]);
    expect(await store.value<number>('SELECT count(*) FROM posts')).toBeGreaterThan(0);
  });
});

describe('saved detections', () => {
  it('keeps each run with its members and reads the latest back by default', async () => {
    await expect(loadDetection(store)).rejects.toThrow(/run lockstep detect first/);
    const result = await detect(store, {});
    expect(result.clusters.length).toBeGreaterThan(1);
    const first = await saveDetection(store, result);
    const second = await saveDetection(store, { ...result, clusters: result.clusters.slice(0, 1) });
    expect(second).toBe(first + 1);
    expect((await loadDetection(store)).result.clusters).toHaveLength(1);
    expect((await loadDetection(store, first)).result).toEqual(result);
    const members = await store.value<number>('SELECT count(*) FROM detection_members WHERE run_id = ?', [
      first,
    ]);
    expect(members).toBe(result.clusters.reduce((s, c) => s + c.members.length, 0));
    await expect(loadDetection(store, 99)).rejects.toThrow(/no detection run 99/);
  }, 120_000);
});
