/**
 * Identity templates against the simulator's ground truth (100k posts, seed 2): each operation's
 * handle template is its top, significantly enriched shape; organic sets of the same sizes have no
 * significant shape; operations' bios are near-duplicates far more often than the population's, and
 * their client mix diverges. Then a hand-built store: shapes, name + digits, shared URLs and
 * handle changes from account_versions.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Identity, identityFingerprints, renderShape } from '../../src/forensics/identity.js';
import { loadAccountSets } from '../../src/forensics/sets.js';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';
import { type SimulatedSets, simulatedSets } from './accounts-sim.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

/** The shape a simulator handle template makes: `{first}{last}dddd` -> `Aa Aa d4`. */
const expectedShape = (template: string) =>
  (template.match(/\{\w+\}|d+|./g) ?? [])
    .map((t) => (t === '{word}' ? 'a' : t.startsWith('{') ? 'Aa' : t[0] === 'd' ? `d${t.length}` : t))
    .join(' ');

describe('on a simulated month (100k posts, seed 2)', () => {
  let sim: SimulatedSets;
  let fp: Map<string, Identity>;
  beforeAll(async () => {
    sim = await simulatedSets(join(tmp.dir, 'sim'), 100_000, 2);
    await loadAccountSets(sim.store, sim.sets);
    fp = await identityFingerprints(sim.store);
  }, 120_000);
  afterAll(() => sim?.store.close());

  it("recovers each operation's handle template as its top, enriched shape", () => {
    for (const op of sim.operations) {
      const i = fp.get(op.id)!;
      const top = i.templates[0]!;
      const report = `${op.id} ${op.handle_template}: ${JSON.stringify(i.templates.slice(0, 2))}`;
      expect(top.template, report).toBe(expectedShape(op.handle_template));
      // Long names are cut to 15 characters (the shape can lose a word): most members keep it.
      expect(top.share, report).toBeGreaterThan(0.6);
      if (i.withHandle >= 8) expect(top.significant, report).toBe(true);
      expect(top.enrichment, report).toBeGreaterThan(3);
    }
  });

  it('finds no significant shape in organic sets, and their shapes are as common as in the population', () => {
    for (const s of sim.sets.filter((x) => x.id.startsWith('org-'))) {
      const i = fp.get(s.id)!;
      expect(
        i.templates.filter((t) => t.significant),
        s.id,
      ).toEqual([]);
      expect(i.nameDigits.log10P, s.id).toBeGreaterThan(-3);
    }
  });

  it("tells operations' templated bios and client mix from organic sets'", () => {
    const big = sim.operations.filter((op) => fp.get(op.id)!.bios.sampled >= 30);
    expect(big.length).toBeGreaterThanOrEqual(3);
    for (const op of big) {
      const b = fp.get(op.id)!.bios;
      const o = fp.get(`org-${op.id}`)!.bios;
      expect(b.nearPairRate, op.id).toBeGreaterThan(2 * b.populationNearPairRate);
      expect(b.nearPairRate, op.id).toBeGreaterThan(2 * o.nearPairRate);
      expect(b.nearExamples[0]!.near).toBeGreaterThan(1);
      expect(fp.get(op.id)!.clientDivergence, op.id).toBeGreaterThan(
        5 * fp.get(`org-${op.id}`)!.clientDivergence,
      );
    }
  });
});

describe('on a hand-built store', () => {
  let store: Store;
  let fp: Map<string, Identity>;
  beforeAll(async () => {
    store = await Store.open(join(tmp.dir, 'hand.duckdb'), { memoryLimit: '1GB', threads: 2 });
    const account = (id: string, handle: string, name: string, bio: string | null, url: string | null) =>
      `('x', '${id}', '${handle}', '${name}', ${bio === null ? 'NULL' : `'${bio}'`}, ${url === null ? 'NULL' : `'${url}'`})`;
    await store.run(`INSERT INTO accounts (platform, account_id, handle, display_name, bio, url) VALUES
      ${account('m1', 'DonnaMartin8301', 'Donna Martin', 'Proud Ohio patriot | Family first', 'https://www.site.example/x/')},
      ${account('m2', 'PaulSmith1234', 'Paul Smith', 'Proud Texas patriot | Family first!', 'http://site.example/x')},
      ${account('m3', 'AnnaLee5521', 'Anna Lee 🇺🇸', 'proud ohio PATRIOT - family first', null)},
      ${account('m4', 'birdweekend', 'Lisa Lewis', null, 'https://other.example')}`);
    // The population: 200 lower-case handles, one with the members' shape.
    await store.run(`INSERT INTO accounts (platform, account_id, handle, display_name, bio)
      SELECT 'x', 'p' || i, 'user_' || chr((97 + i % 26)::INTEGER) || chr((97 + (i // 26) % 26)::INTEGER), 'Someone ' || i, 'bio ' || chr((97 + i % 26)::INTEGER)
      FROM range(200) t(i)`);
    await store.run(
      `INSERT INTO accounts (platform, account_id, handle, display_name) VALUES ('x', 'p200', 'JohnDoe4444', 'John Doe')`,
    );
    await store.run(`INSERT INTO account_versions (platform, account_id, version_key, handle, display_name, first_observed) VALUES
      ('x', 'm1', 'a', 'donna_m', 'Donna', TIMESTAMP '2020-01-01'),
      ('x', 'm1', 'b', 'DonnaMartin8301', 'Donna Martin', TIMESTAMP '2021-01-01'),
      ('x', 'm2', 'a', 'PaulSmith1234', 'Paul', TIMESTAMP '2020-01-01'),
      ('x', 'm2', 'b', 'PaulSmith1234', 'Paul Smith', TIMESTAMP '2021-01-01'),
      ('x', 'p1', 'a', 'user_b', 'Someone 1', TIMESTAMP '2020-01-01')`);
    await store.run(`INSERT INTO posts (platform, post_id, account_id, created_at, kind, client, ingest_id) VALUES
      ('x', '1', 'm1', TIMESTAMP '2024-01-01 10:00', 'post', 'Buffer', 0),
      ('x', '2', 'm1', TIMESTAMP '2024-01-01 11:00', 'post', 'Buffer', 0),
      ('x', '3', 'm2', TIMESTAMP '2024-01-01 10:00', 'post', 'Buffer', 0),
      ('x', '4', 'p1', TIMESTAMP '2024-01-01 10:00', 'post', 'Twitter for iPhone', 0)`);
    const ids = ['m1', 'm2', 'm3', 'm4'];
    await loadAccountSets(store, [
      { id: 's', accounts: ids.map((accountId) => ({ platform: 'x', accountId })) },
    ]);
    fp = await identityFingerprints(store);
  });
  afterAll(() => store.close());

  it('generalises handles into shapes', () => {
    expect(renderShape('^^####')).toBe('Aa Aa d4');
    expect(renderShape('~_^#')).toBe('a _ Aa d1');
    const i = fp.get('s')!;
    expect(i.templates[0]).toMatchObject({ template: 'Aa Aa d4', count: 3, share: 0.75 });
    expect(i.templates[0]!.populationShare).toBeCloseTo(1.5 / 202, 6);
    expect(i.templates[1]).toMatchObject({ template: 'a', count: 1, example: 'birdweekend' });
  });

  it('flags name + digits handles, accents and emoji in the name aside', () => {
    expect(fp.get('s')!.nameDigits).toMatchObject({ count: 3, share: 0.75 });
  });

  it('groups bios and names the same after normalisation, and finds near-duplicate bios', () => {
    const b = fp.get('s')!.bios;
    expect(b.withText).toBe(3);
    expect(b.groups).toEqual([{ text: 'Proud Ohio patriot | Family first', count: 2 }]);
    expect(b.duplicated).toBe(2);
    expect(b.samePairRate).toBeCloseTo(2 / 6, 4);
    // Texas vs Ohio: 4 shared words of 6 (Jaccard 0.67); the exact pair 1.0.
    expect(b.nearPairRate).toBeCloseTo(1, 4);
    expect(fp.get('s')!.displayNames.groups).toEqual([]);
  });

  it('finds profile URLs shared by several members, whatever the scheme, www or trailing slash', () => {
    expect(fp.get('s')!.sharedUrls).toEqual([{ url: 'site.example/x', members: 2, population: 0 }]);
    expect(fp.get('s')!.sharedUrlMembers).toBe(2);
  });

  it('compares main clients with the population', () => {
    const i = fp.get('s')!;
    expect(i.withPosts).toBe(2);
    expect(i.clients).toEqual([{ client: 'Buffer', share: 1, populationShare: 0 }]);
    expect(i.clientDivergence).toBeCloseTo(1, 6);
  });

  it('counts handle and display-name changes from account_versions', () => {
    const c = fp.get('s')!.changes;
    expect(c).toMatchObject({ handleChanged: 1, nameChanged: 2 });
    expect(c.examples).toEqual([{ accountId: 'm1', handles: ['donna_m', 'DonnaMartin8301'] }]);
    expect(c.populationHandleChangedShare).toBe(0);
  });
});
