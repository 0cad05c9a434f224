/**
 * `lockstep entities ...` and `lockstep map` as a user meets them: the built command on the real
 * NCRI extracts of the FARA and Sunlight records (../shared/data/influence/), the one-line errors,
 * the JSON shapes the workbench reads, and a yente-shaped match.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstep, oneLine } from '../helpers/cli.js';
import { SHARED, scratch } from '../helpers/store.js';

const DATA = join(SHARED, 'influence');
const tmp = scratch();
const db = join(tmp.dir, 'e.duckdb');
const run = (...args: string[]) => lockstep(tmp.dir, ...args);
afterAll(() => tmp.cleanup());

beforeAll(async () => {
  const r = await run(
    'entities',
    'import',
    join(DATA, 'fara_doj', 'FARA_All_Registrants.csv.gz'),
    join(DATA, 'fara_doj', 'FARA_All_ForeignPrincipals.csv.gz'),
    join(DATA, 'fara_sunlight', 'payments2013-12-19.csv.gz'),
    '--db',
    db,
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(
    /FARA_All_ForeignPrincipals\.csv\.gz: fara \(dataset us_fara\), read 17,358 = stored 17,358 \+ duplicate 0 \+ rejected 0/,
  );
  expect(r.stdout).toMatch(/warning: rows with unescaped quotes inside fields/);
  expect(r.stdout).toMatch(/^Resolved [\d,]+ party records/m);
}, 600_000);

describe('lockstep entities', () => {
  it('shows an entity with its agents, payments and sources, as text and as JSON', async () => {
    const text = await run('entities', 'show', 'National Council of Resistance of Iran', '--db', db);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/represented by\s+Mukasey, Michael B\.\s+6727\s+2019-09-26/);
    expect(text.stdout).toMatch(/2013-03-05\s+to\s+Rosemont Associates, LLC\s+USD 34,975\.00/);
    const json = await run(
      'entities',
      'show',
      'National Council of Resistance of Iran',
      '--db',
      db,
      '--json',
    );
    const view = JSON.parse(json.stdout);
    expect(view.paymentTotals).toContainEqual({
      direction: 'out',
      period: '2013',
      currency: 'USD',
      total: 239975,
      payments: 2,
    });
    expect(view.representations[0].record.sources[0]).toMatchObject({
      dataset: 'us_fara',
      file: expect.stringMatching(/\.csv\.gz$/),
    });
  });

  it('matches in the shape of yente /match', async () => {
    const query = tmp.file(
      'q.json',
      JSON.stringify({
        queries: {
          a: { schema: 'LegalEntity', properties: { name: ['Rosemont Associates LLC'] } },
          b: { schema: 'Person', properties: { name: ['Michael Mukasey'] } },
        },
      }),
    );
    const r = await run('entities', 'match', '--query', query, '--db', db, '--top', '2');
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout);
    const a = body.responses.a.results[0];
    expect(a).toMatchObject({ caption: 'Rosemont Associates, LLC', match: true, schema: 'Organization' });
    expect(a.properties.registrationNumber).toContain('6161');
    expect(a.features.name_similarity).toBeGreaterThan(0.9);
    expect(body.responses.b.results[0].properties.registrationNumber).toEqual(['6727']);
  });

  it('records judgements and applies them', async () => {
    const view = JSON.parse(
      (await run('entities', 'show', 'Rosemont Associates, LLC', '--db', db, '--json')).stdout,
    );
    expect(view.members.length).toBeGreaterThan(1);
    const r = await run('entities', 'judge', view.members[0], view.members[1], 'different', '--db', db);
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse((await run('entities', 'show', view.members[0], '--db', db, '--json')).stdout);
    expect(after.members).not.toContain(view.members[1]);
  });

  it('finds paths and prints them with their records', async () => {
    const r = await run(
      'map',
      '--from',
      'National Council of Resistance of Iran',
      '--to',
      'fara-reg-6727',
      '--db',
      db,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const { paths } = JSON.parse(r.stdout);
    expect(paths[0].hops).toHaveLength(1);
    expect(paths[0].hops[0]).toMatchObject({
      label: 'Representation (FARA registered agent)',
      date: '2019-09-26',
    });
  });

  it('exports FtM lines, graphs and CSV', async () => {
    const r = await run(
      'entities',
      'export',
      '--db',
      db,
      '--ftm',
      'out/e.ftm.json',
      '--gexf',
      'out/e.gexf',
      '--csv',
      'out/csv',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/all valid against the FtM model/);
    expect(readFileSync(join(tmp.dir, 'out', 'csv', 'payments.csv'), 'utf8')).toMatch(/34975,USD,2013-03-05/);
  });

  it('says what to do in one line when something is wrong', async () => {
    const cases: [string[], number, RegExp][] = [
      [['entities', 'import', 'missing.csv', '--db', db], 3, /no such file/],
      [['entities', 'show', 'Nobody Anywhere Ltd Zzqx', '--db', db], 2, /no entity named/],
      [['entities', 'judge', 'fara-reg-6161', 'fara-reg-6727', 'maybe', '--db', db], 2, /invalid judgement/],
      [
        [
          'entities',
          'match',
          '--query',
          tmp.file('bad.json', '{"queries": {"x": {"schema": "Spaceship"}}}'),
          '--db',
          db,
        ],
        2,
        /unknown schema/,
      ],
      [['map', '--from', 'fara-reg-6161', '--to', 'fara-reg-6161', '--db', db], 2, /same node/],
      [['entities', 'export', '--db', db], 2, /nothing to export/],
      [['entities', 'import', tmp.file('x.csv', 'a,b\n1,2\n'), '--db', db], 4, /not an entity file/],
    ];
    for (const [args, code, message] of cases) {
      const r = await run(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(oneLine(r.stderr)).toMatch(message);
    }
  });
});
