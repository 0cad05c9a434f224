/**
 * The influence layer on the real public records in `../shared/data/influence/` (see its README for
 * provenance): every file imports with reconciled counts, and the checks of issue 8 hold on the
 * real data. One store holds everything; the blocks below read it in order.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFtmMapping } from '../../src/entities/import/formats/mapping.js';
import { type EntityImportReport, importEntities } from '../../src/entities/import/pipeline.js';
import { Store } from '../../src/store/store.js';
import { SHARED, scratch } from '../helpers/store.js';

const DATA = join(SHARED, 'influence');
const tmp = scratch();
let store: Store;
const reports = new Map<string, EntityImportReport>();

/** Every file of the folder that holds records (not READMEs, licences, checksums, schemata, ground truth or extracts). */
function recordFiles(): string[] {
  return (readdirSync(DATA, { recursive: true }) as string[])
    .filter((f) => /\.(csv|gz|zip|json|ijson)$/.test(f))
    .filter(
      (f) => !/^(ground_truth|extracts)\//.test(f) && !f.includes('defaultModel') && !f.includes('schema_v'),
    )
    .sort();
}

beforeAll(async () => {
  store = await Store.open(join(tmp.dir, 'influence.duckdb'), { memoryLimit: '2GB', threads: 2 });
  for (const f of recordFiles()) {
    const mapping = f.endsWith('nomenklatura_donations.csv')
      ? loadFtmMapping(join(DATA, 'ftm', 'examples', 'nomenklatura_donations.yml'))
      : undefined;
    reports.set(
      f,
      await importEntities(
        store,
        join(DATA, f),
        mapping ? { format: 'mapping', dataset: mapping.dataset, formatOptions: { mapping } } : {},
      ),
    );
  }
}, 900_000);
afterAll(() => {
  store?.close();
  tmp.cleanup();
});

describe('import of every record file in shared/data/influence', () => {
  it('imports each file with reconciled counts and nothing unexplained', () => {
    expect(reports.size).toBe(recordFiles().length);
    expect(reports.size).toBe(33);
    for (const [f, r] of reports) {
      expect(r.recordsRead, f).toBe(r.recordsStored + r.recordsDuplicate + r.recordsRejected);
      expect(r.recordsRead, f).toBeGreaterThan(0);
    }
  });

  it('reads the DOJ foreign principals whole: 17,358 records, the malformed ones repaired', async () => {
    const fp = reports.get('fara_doj/FARA_All_ForeignPrincipals.csv.gz')!;
    expect(fp.format).toBe('fara');
    expect(fp.recordsRead).toBe(17_358);
    expect(fp.recordsStored + fp.recordsRejected).toBe(17_358);
    const repaired = fp.warnings.find((w) => w.code === 'repaired-quotes')?.count ?? 0;
    expect(repaired).toBeGreaterThanOrEqual(15);
    // A repaired row reads as the DOJ meant it: the quotes are part of the name.
    const tita = await store.value<string>(
      `SELECT value FROM statements WHERE prop = 'name' AND value LIKE '%("TITA")' AND ingest_id = ?`,
      [fp.ingestId],
    );
    expect(tita).toBe(
      'The International Trade Administration, Ministry of Economic Affairs of the Republic of China ("TITA")',
    );
    expect(reports.get('fara_doj/FARA_All_Registrants.csv.gz')!.recordsRead).toBe(6_929);
  });

  it('counts what the README counts in the other sources', () => {
    const count = (f: string) => reports.get(f)!.recordsRead;
    expect(count('fara_sunlight/contacts-by-contact2013-12-13.csv.gz')).toBe(19_625);
    expect(count('fara_sunlight/payments2013-12-19.csv.gz')).toBe(2_413);
    expect(count('fara_sunlight/disbursements2013-12-19.csv.gz')).toBe(2_896);
    expect(count('fara_sunlight/contributions2013-12-19.csv.gz')).toBe(5_165);
    expect(count('lda_senate/senate_lda_LD1_LD2_2007_2.zip')).toBe(3_189);
    expect(count('lda_senate/senate_lda_LD203_2019_3.zip')).toBe(16_625);
    expect(count('legislators/legislators-current.csv.gz')).toBe(537);
    expect(count('legislators/legislators-historical.csv.gz')).toBe(12_230);
    expect(count('ftm/examples/yente_zala_entities.ftm.json')).toBe(91);
    expect(count('ftm/examples/nomenklatura_donations.ijson')).toBe(474);
    // The Sunlight client list holds three lines of an unresolved git merge: rejected with their line.
    const clients = reports.get('fara_sunlight/clients2014-01-21-new.csv.gz')!;
    expect(clients.recordsRejected).toBe(3);
    expect(clients.recordsStored).toBe(660);
  });

  it('gives mapped rows the ids `ftm map` gives them', async () => {
    const mapped = reports.get('ftm/examples/nomenklatura_donations.csv')!;
    const ours = await store.all<{ entity_id: string }>(
      `SELECT DISTINCT entity_id FROM statements WHERE ingest_id = ?`,
      [mapped.ingestId],
    );
    const published = await store.all<{ entity_id: string }>(
      `SELECT DISTINCT entity_id FROM statements WHERE ingest_id = ?`,
      [reports.get('ftm/examples/nomenklatura_donations.ijson')!.ingestId],
    );
    expect(ours.map((r) => r.entity_id).sort()).toEqual(published.map((r) => r.entity_id).sort());
  });

  it('keeps the referents of OpenSanctions entities as judgements', async () => {
    const zala = reports.get('ftm/examples/yente_zala_entities.ftm.json')!;
    const n = await store.value<number>(`SELECT count(*) FROM entity_judgements WHERE origin = ?`, [
      `referents:${zala.ingestId}`,
    ]);
    expect(Number(n)).toBeGreaterThan(100);
  });

  it('stores nothing new when a file is imported again', async () => {
    const again = await importEntities(store, join(DATA, 'fara_doj', 'FARA_All_Registrants.csv.gz'));
    expect(again.recordsDuplicate).toBe(6_929);
    expect(again.statementsNew).toBe(0);
  });

  it('keeps the source of every statement', async () => {
    const orphans = await store.value<number>(
      `SELECT count(*) FROM statements s LEFT JOIN ingests i USING (ingest_id) WHERE i.ingest_id IS NULL OR s.dataset IS NULL OR s.source_row IS NULL`,
    );
    expect(Number(orphans)).toBe(0);
    const files = await store.value<number>(`SELECT count(DISTINCT ingest_id) FROM statements`);
    expect(Number(files)).toBe(33);
  });
});
