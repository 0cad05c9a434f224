/**
 * Exports of the influence layer on real FtM files: the FollowTheMoney JSON Lines validate against
 * the model and load back unchanged; GEXF and GraphML carry entity nodes and their relationships;
 * CSV cells that could start a formula are neutralised.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importEntities } from '../../src/entities/import/pipeline.js';
import { validateEntity } from '../../src/entities/model.js';
import { resolveEntities } from '../../src/entities/resolve/index.js';
import {
  canonicalEntities,
  exportFtm,
  influenceGexf,
  influenceGraphml,
  writeChunks,
  writeInfluenceCsv,
} from '../../src/report/exports/influence.js';
import { Store } from '../../src/store/store.js';
import { SHARED, scratch } from '../helpers/store.js';

const FTM = join(SHARED, 'influence', 'ftm', 'examples');
const tmp = scratch();
afterAll(() => tmp.cleanup());

const open = (name: string) => Store.open(join(tmp.dir, name), { memoryLimit: '1GB', threads: 2 });
async function entitiesOf(store: Store) {
  const out = [];
  for await (const e of canonicalEntities(store))
    out.push({ id: e.id, schema: e.schema, properties: e.properties, referents: e.referents });
  return out;
}

describe('FtM JSON Lines export', () => {
  it('validates against the model and round-trips through import', async () => {
    const a = await open('a.duckdb');
    const file = join(tmp.dir, 'export.ftm.json');
    let first: Awaited<ReturnType<typeof entitiesOf>>;
    try {
      await importEntities(a, join(FTM, 'yente_zala_entities.ftm.json'));
      await importEntities(a, join(FTM, 'nomenklatura_donations.ijson'));
      // A formula-looking name, to check the CSV guard below.
      await importEntities(
        a,
        tmp.file(
          'odd.ftm.json',
          `${JSON.stringify({ id: 'odd', schema: 'Organization', properties: { name: ['=HYPERLINK("http://x")'], website: ['https://odd.example'] } })}\n`,
        ),
      );
      await resolveEntities(a);
      const r = await exportFtm(a, file);
      expect(r.invalid).toEqual([]);
      expect(r.dropped).toBe(0);
      expect(r.entities).toBeGreaterThan(500);
      first = await entitiesOf(a);
      const csv = await writeInfluenceCsv(a, join(tmp.dir, 'csv'));
      const entitiesCsv = readFileSync(csv.find((f) => f.endsWith('entities.csv'))!, 'utf8');
      expect(entitiesCsv).toContain(`"'=HYPERLINK(""http://x"")"`);
      const payments = readFileSync(csv.find((f) => f.endsWith('payments.csv'))!, 'utf8');
      expect(payments.trim().split('\n').length).toBe(291);
      const gexf = await writeChunks(join(tmp.dir, 'g.gexf'), influenceGexf(a));
      const graphml = await writeChunks(join(tmp.dir, 'g.graphml'), influenceGraphml(a));
      const g = readFileSync(gexf, 'utf8');
      expect(g).toMatch(
        /<node id="entity:[^"]+" label="Alexander Zakharov|<node id="entity:[^"]+" label="[^"]*Zakharov/,
      );
      expect((g.match(/<edge /g) ?? []).length).toBeGreaterThan(300);
      expect(readFileSync(graphml, 'utf8')).toContain('<data key="kind">entity</data>');
    } finally {
      a.close();
    }
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const e of lines) expect(validateEntity(e)).toEqual([]);
    // The OpenSanctions canonical ids and their referents survive.
    expect(lines.find((e) => e.id === 'NK-2Tbri3s6GgNtAwsSXh4qpL')?.referents.length).toBeGreaterThan(0);
    const b = await open('b.duckdb');
    try {
      const back = await importEntities(b, file);
      expect(back.recordsStored).toBe(lines.length);
      await resolveEntities(b);
      expect(await entitiesOf(b)).toEqual(first!);
    } finally {
      b.close();
    }
  });
});
