/**
 * The bulk path for FtM streams (entities/import/native.ts) against the general path: the same
 * file stored both ways gives the same statements, entities, relationships and referents, and
 * files the bulk path must not read alone (values to clean, blank lines) take the general path.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importEntities } from '../../src/entities/import/pipeline.js';
import { Store } from '../../src/store/store.js';
import { SHARED, scratch } from '../helpers/store.js';

const FTM = join(SHARED, 'influence', 'ftm', 'examples');
const tmp = scratch();
afterAll(() => tmp.cleanup());

async function both(file: string) {
  const out: { bulk: boolean; message: string; tables: unknown[] }[] = [];
  for (const bulk of [true, false]) {
    const store = await Store.open(join(tmp.dir, `${bulk}-${Math.random()}.duckdb`), {
      memoryLimit: '1GB',
      threads: 2,
    });
    try {
      const r = await importEntities(store, file, { bulk });
      out.push({
        bulk: r.bulk,
        message: String(await store.value(`SELECT message FROM ingests`)),
        tables: await Promise.all(
          [
            `SELECT entity_id, schema, prop, prop_type, value, original_value, dataset, source_row, source_url, record_date FROM statements ORDER BY ALL`,
            `SELECT * FROM entities ORDER BY entity_id`,
            `SELECT * FROM entity_edges ORDER BY ALL`,
            `SELECT left_id, right_id, judgement FROM entity_judgements ORDER BY ALL`,
          ].map((q) => store.all(q)),
        ),
      });
    } finally {
      store.close();
    }
  }
  return out;
}

describe('bulk FtM import', () => {
  it('stores a clean stream exactly as the general path does', async () => {
    const [bulk, general] = await both(join(FTM, 'nomenklatura_donations.ijson'));
    expect(bulk!.bulk).toBe(true);
    expect(general!.bulk).toBe(false);
    expect(bulk!.tables).toEqual(general!.tables);
  });

  it('squeezes white space in names as the general path does, keeping the original', async () => {
    const file = tmp.file(
      'spaces.ftm.json',
      `${[
        { id: 'a', schema: 'Person', properties: { name: ['Olivia  Goumbri '], country: ['us'] } },
        {
          id: 'b',
          schema: 'Payment',
          properties: { payer: ['a'], beneficiary: ['c'], amount: ['100'], date: ['2013-03-05'] },
        },
        {
          id: 'c',
          schema: 'Company',
          properties: { name: ['Rosemont\tAssociates'] },
          referents: ['c-old', 'c'],
        },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    const [bulk, general] = await both(file);
    expect(bulk!.bulk).toBe(true);
    expect(bulk!.tables).toEqual(general!.tables);
    expect(JSON.stringify(bulk!.tables[0])).toContain('"original_value":"Olivia  Goumbri "');
  });

  it('leaves files with values to clean, or blank lines, to the general path', async () => {
    const [bulk, general] = await both(join(FTM, 'yente_zala_entities.ftm.json'));
    expect(bulk!.bulk).toBe(false);
    expect(bulk!.message).toMatch(/read record by record: \d+ values need cleaning/);
    expect(bulk!.tables).toEqual(general!.tables);
    const blank = tmp.file(
      'blank.ftm.json',
      `${JSON.stringify({ id: 'x', schema: 'Person', properties: { name: ['X'] } })}\n\n`,
    );
    const [b2] = await both(blank);
    expect(b2!.message).toMatch(/blank lines/);
  });
});
