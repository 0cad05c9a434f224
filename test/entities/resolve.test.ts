/**
 * The name matcher's rules, one by one, on real name pairs from the FARA, Sunlight and LDA records,
 * and judgements that survive re-import (nomenklatura's resolver contract).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importEntities } from '../../src/entities/import/pipeline.js';
import { judge, resolveEntities } from '../../src/entities/resolve/index.js';
import { phoneticKey, prepareName } from '../../src/entities/resolve/names.js';
import { compareNames, prepareRecord, scorePair, type TokenStats } from '../../src/entities/resolve/score.js';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';

/** Flat statistics: every token equally rare, so the rules show without corpus weights. */
const flat: TokenStats = { documents: 1000, df: () => 1 };
const name = (a: string, b: string) => compareNames(prepareName(a), prepareName(b), flat).score;

describe('names', () => {
  it('ignores name order, punctuation and honorifics', () => {
    expect(name('Olivia Goumbri', 'Goumbri, Olivia')).toBe(1);
    expect(name("Mr. Lulzi'm Basha", 'Lulzim Basha')).toBe(1);
    expect(name('Rep. Ted Poe', 'Ted Poe')).toBe(1);
  });
  it('treats company forms as weak evidence', () => {
    expect(name('Ruder Finn Inc', 'Ruder Finn, Inc.')).toBe(1);
    expect(name('Ryberg and Smith, L.L.C.', 'Ryberg and Smith, LLC')).toBe(1);
    expect(name('Bryan Cave LLP', 'Bryan Cave')).toBeCloseTo(0.99, 2);
    expect(name('Bryan Cave LLP', 'Bryan Cave, LLC')).toBeCloseTo(0.98, 2);
    expect(name('Bryan Cave LLP', 'Bryan Cave, LLP')).toBeGreaterThan(name('Bryan Cave LLP', 'Bryan Cave'));
  });
  it('accepts initials, typos and names written together', () => {
    expect(name('Robert G. Joseph', 'Joseph, Robert')).toBeGreaterThan(0.8);
    expect(name('Myrmidon Groyp LLC', 'Myrmidon Group, LLC')).toBeGreaterThan(0.9);
    expect(name('Visit Denmark', 'VisitDenmark')).toBeCloseTo(0.98, 2);
  });
  it('meets Persian and Arabic names in Latin letters', () => {
    expect(phoneticKey(prepareName('محمد').tokens[0]!)).toBe(phoneticKey('mohammad'));
    expect(name('Mojahedin', 'Mujahideen')).toBeCloseTo(0.9, 6);
    expect(name('Hossein Mousavian', 'Hussein Musavian')).toBeGreaterThanOrEqual(0.89);
    expect(name('حسین موسویان', 'Hossein Mousavian')).toBeGreaterThanOrEqual(0.85);
  });
  it('explains acronyms and sets branch qualifiers aside', () => {
    expect(
      name('National Council of Resistance of Iran (NCRI)', 'National Council of Resistance of Iran'),
    ).toBeGreaterThanOrEqual(0.9);
    expect(
      name(
        'National Council of Resistance of Iran - U.S. Representative Office (NCRI-US)',
        'National Council of Resistance of Iran',
      ),
    ).toBeGreaterThanOrEqual(0.9);
    expect(name('Jamaica Tourist Board, Chicago', 'Jamaica Tourist Board, Florida')).toBeGreaterThanOrEqual(
      0.9,
    );
    // A different country's council is not a branch: the distinctive words differ.
    expect(
      name('National Council of Resistance of Free Roumanians', 'National Council of Resistance of Iran'),
    ).toBeLessThan(0.8);
    // A person's "Last, First" comma is not a qualifier.
    expect(name('Mukasey, Michael B.', 'Mukasey, Jane')).toBeLessThan(0.8);
  });
});

describe('entity scores', () => {
  const rec = (schema: string, props: Record<string, string[]>) =>
    prepareRecord(props.name![0]!, schema, props);
  it('never merges a person with an organisation', () => {
    expect(
      scorePair(
        rec('Person', { name: ['Joseph Robert'] }),
        rec('Organization', { name: ['Joseph Robert'] }),
        flat,
      ),
    ).toEqual({ score: 0, features: { schema_mismatch: 1 } });
  });
  it('weighs identifiers, countries and birth dates, and names them', () => {
    const shared = scorePair(
      rec('LegalEntity', { name: ['Rosemont'], registrationNumber: ['6161'] }),
      rec('Organization', { name: ['Rosemont Associates, LLC'], registrationNumber: ['6161'] }),
      flat,
    );
    expect(shared.score).toBeGreaterThanOrEqual(0.95);
    expect(shared.features.identifier_match).toBe(1);
    const countries = scorePair(
      rec('Organization', { name: ['National Council of Resistance'], country: ['ro'] }),
      rec('Organization', { name: ['National Council of Resistance'], country: ['ir'] }),
      flat,
    );
    expect(countries.features.country_mismatch).toBe(1);
    expect(countries.score).toBeLessThan(0.8);
    const bioguide = scorePair(
      rec('Person', { name: ['Mike Rogers'], idNumber: ['bioguide:R000572'] }),
      rec('Person', { name: ['Mike Rogers'], idNumber: ['bioguide:R000575'] }),
      flat,
    );
    expect(bioguide.features.identifier_mismatch).toBe(1);
    expect(bioguide.score).toBeLessThan(0.5);
  });
});

describe('judgements', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());
  it('are applied by every resolve and survive re-import', async () => {
    const file = tmp.file(
      'people.ftm.json',
      [
        { id: 'a', schema: 'Person', properties: { name: ['Olivia Goumbri'] } },
        { id: 'b', schema: 'Person', properties: { name: ['Goumbri, Olivia'] } },
        { id: 'c', schema: 'Person', properties: { name: ['Jane Doe'] } },
        { id: 'd', schema: 'Person', properties: { name: ['J. Doe'] } },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const store = await Store.open(join(tmp.dir, 'j.duckdb'), { memoryLimit: '1GB', threads: 2 });
    try {
      await importEntities(store, file);
      await resolveEntities(store);
      const canon = async (id: string) =>
        (await store.value<string>(`SELECT canonical_id FROM entity_canonical WHERE entity_id = ?`, [id])) ??
        id;
      expect(await canon('a')).toBe(await canon('b'));
      expect(await canon('c')).not.toBe(await canon('d'));
      await judge(store, 'a', 'b', 'different');
      await judge(store, 'c', 'd', 'same');
      await resolveEntities(store);
      expect(await canon('a')).not.toBe(await canon('b'));
      expect(await canon('c')).toBe(await canon('d'));
      // Importing the file again (and a new copy of it) changes nothing the user decided.
      await importEntities(store, file);
      await importEntities(store, file, { dataset: 'copy' });
      await resolveEntities(store);
      expect(await canon('a')).not.toBe(await canon('b'));
      expect(await canon('c')).toBe(await canon('d'));
    } finally {
      store.close();
    }
  });
});
