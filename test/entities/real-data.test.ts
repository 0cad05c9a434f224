/**
 * The influence layer on the real public records in `../shared/data/influence/` (see its README for
 * provenance): every file imports with reconciled counts, and the checks of issue 8 hold on the
 * real data. One store holds everything; the blocks below read it in order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFtmMapping } from '../../src/entities/import/formats/mapping.js';
import { type EntityImportReport, importEntities } from '../../src/entities/import/pipeline.js';
import { linkLayers } from '../../src/entities/link/index.js';
import { mapPaths } from '../../src/entities/query/map.js';
import { showEntity } from '../../src/entities/query/show.js';
import { findEntity, membersOf } from '../../src/entities/query/sources.js';
import { evaluateMatching } from '../../src/entities/resolve/evaluate.js';
import { resolveEntities } from '../../src/entities/resolve/index.js';
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

/** CSV rows of a ground-truth file as objects (the files quote fields with commas). */
function readCsvObjects(path: string): Record<string, string>[] {
  const text = readFileSync(path, 'utf8').trim().split('\n');
  const parse = (l: string) => {
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (const c of l) {
      if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) {
        out.push(cur);
        cur = '';
      } else cur += c;
    }
    out.push(cur);
    return out;
  };
  const header = parse(text[0]!);
  return text.slice(1).map((l) => Object.fromEntries(parse(l).map((v, i) => [header[i]!, v])));
}

describe('resolution on the real records', () => {
  let resolved: Awaited<ReturnType<typeof resolveEntities>>;
  beforeAll(async () => {
    resolved = await resolveEntities(store);
    await linkLayers(store);
  }, 600_000);

  it('merges the spellings of the National Council of Resistance of Iran, and only those', async () => {
    expect(resolved.clusters).toBeGreaterThan(1000);
    const ncri = await findEntity(store, 'National Council of Resistance of Iran');
    const members = await membersOf(store, ncri);
    const names = await store.all<{ caption: string }>(
      `SELECT DISTINCT caption FROM entities WHERE entity_id IN (${members.map((m) => `'${m}'`).join(', ')})`,
    );
    const captions = names.map((n) => n.caption);
    for (const spelling of [
      'National Council of Resistance of Iran',
      'National Council of Resistance of Iran (NCRI)',
      'National Council of Resistance of Iran-U.S. Representative Office',
      'National Council of Resistance of-Iran - U.S. Representative Office',
    ])
      expect(captions).toContain(spelling);
    expect(captions.every((c) => /National Council of Resistance of.?Iran/.test(c))).toBe(true);
    const roumanians = await findEntity(store, 'National Council of Resistance of Free Roumanians');
    expect(roumanians).not.toBe(ncri);
    expect(await membersOf(store, roumanians)).not.toContain(members[0]);
  });

  it("lists NCRI's registered agents with registration numbers and dates, its payments to Rosemont and Rosemont's contacts", async () => {
    const v = await showEntity(store, 'National Council of Resistance of Iran');
    const agents = v.representations.filter((r) => r.role === 'client');
    // The registration (a DOJ row with its dates); Sunlight's client list names the same agents undated.
    const agent = (re: RegExp) => agents.find((r) => re.test(r.other.caption) && r.startDate);
    expect(agent(/Rosemont Associates/)).toMatchObject({
      registrationNumbers: expect.arrayContaining(['6161']),
      startDate: '2013-04-05',
    });
    expect(agent(/Joseph, Robert|Robert G\. Joseph/)).toMatchObject({
      registrationNumbers: ['6626'],
      startDate: '2019-01-08',
    });
    expect(agent(/Mukasey/)).toMatchObject({ registrationNumbers: ['6727'], startDate: '2019-09-26' });
    expect(agent(/BGR Government Affairs/)).toMatchObject({
      registrationNumbers: ['5430'],
      startDate: '2021-06-28',
      endDate: '2022-06-09',
    });
    for (const a of [agent(/Rosemont/), agent(/Mukasey/)])
      expect(a!.record.sources[0]!.file).toMatch(/FARA|Foreign_Principals|Registrants/);
    const toRosemont = v.payments.filter(
      (p) => p.direction === 'out' && /Rosemont/.test(p.other?.caption ?? ''),
    );
    expect(toRosemont.map((p) => p.amount).sort((a, b) => a! - b!)).toEqual([34_975, 205_000]);
    for (const p of toRosemont) {
      expect(p.currency).toBe('USD');
      expect(p.record.sources[0]!.file).toBe('payments2013-12-19.csv.gz');
      expect(p.record.raw).toMatch(/^National Council of Resistance of Iran,(34975|205000)\.00,/);
    }
    const rosemont = await showEntity(store, 'Rosemont Associates, LLC');
    const contacts2013 = rosemont.contacts.filter(
      (c) => c.date?.startsWith('2013') && c.involved.some((i) => i.id === v.id),
    );
    expect(contacts2013.length).toBeGreaterThan(50);
    const menendez = contacts2013.find(
      (c) =>
        c.date === '2013-04-17' && c.type === 'phone' && c.involved.some((i) => /Menndez/.test(i.caption)),
    );
    expect(menendez?.officials.map((o) => o.member.caption)).toContain('Robert Menendez');
    expect(menendez?.record.sources[0]?.url).toMatch(/6161-Supplemental-Statement-20131202/);
  });

  it('matches Sunlight registrant spellings to the DOJ registrants by name (dev pairs)', async () => {
    const pairs = readCsvObjects(
      join(DATA, 'ground_truth', 'sunlight_registrant_to_doj_registration.dev.csv'),
    );
    const e = await evaluateMatching(
      store,
      pairs.map((p) => ({
        name: p.sunlight_registrant_name!,
        expected: `fara-reg-${p.registration_number}`,
      })),
      'fara-reg-',
    );
    expect(e.queries).toBe(165);
    // The issue's target: top-1 >= 0.95 at precision >= 0.97 (docs/influence.md has the figures).
    expect(e.top1).toBeGreaterThanOrEqual(0.95);
    expect(e.precision).toBeGreaterThanOrEqual(0.97);
    expect(e.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('links contacted people to Members of Congress', async () => {
    const truth = readCsvObjects(join(DATA, 'ground_truth', 'sunlight_contact_to_legislator.csv')).filter(
      (r) => r.contact_name_has_member_last_name === 'yes',
    );
    const links = new Map(
      (
        await store.all<{ entity_id: string; target_id: string }>(
          `SELECT entity_id, target_id FROM entity_links WHERE kind = 'official'`,
        )
      ).map((l) => [l.entity_id, l.target_id]),
    );
    let right = 0;
    let linked = 0;
    for (const t of truth) {
      const got = links.get(`sunlight-contact-${t.sunlight_contact_id}`);
      if (!got) continue;
      linked++;
      if (got === `us-congress-${t.bioguide_id}`) right++;
    }
    expect(truth.length).toBe(404);
    expect(right / truth.length).toBeGreaterThanOrEqual(0.95);
    expect(right / linked).toBeGreaterThanOrEqual(0.99);
  });

  it('finds paths from NCRI to a senator its agent contacted, with dates and sources', async () => {
    const paths = await mapPaths(store, 'National Council of Resistance of Iran', 'us-congress-M000639', {
      maxHops: 4,
    });
    expect(paths.length).toBeGreaterThan(0);
    const viaRosemont = paths.find((p) => p.nodes.some((n) => /Rosemont/.test(n.label)));
    expect(viaRosemont).toBeDefined();
    for (const h of viaRosemont!.hops) expect(h.record).toBeTruthy();
    expect(viaRosemont!.hops.some((h) => h.date?.startsWith('2013'))).toBe(true);
  });
});
