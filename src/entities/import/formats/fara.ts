/**
 * US Department of Justice FARA records (efile.fara.gov): the bulk CSVs (registrants, foreign
 * principals; Windows-1252, CRLF, every field quoted, some quotes inside fields not doubled) and
 * the "Browse Filings" lists (UTF-8, addresses with literal `&nbsp;`).
 *
 * Mapping to FtM:
 * - a registrant (the agent) is one entity per registration number, `fara-reg-<number>`, with the
 *   number as `registrationNumber`;
 * - a foreign principal has no id in FARA: one entity per (name, country) spelling,
 *   `fara-fp-<hash>`; spelling variants are merged later by resolution, never here;
 * - each (registration, principal) row is a `Representation` (agent -> client) with the principal's
 *   registration and termination dates, role "FARA registered agent";
 * - political contributions (browse lists) are `Payment`s from the donor (the registrant, or the
 *   short-form agent named) to the candidate or committee.
 * Every statement cites the registration's public page on efile.fara.gov.
 */
import { FormatError } from '../../../core/errors.js';
import { headerOf, readCsv } from '../csv.js';
import type { DraftRecord, EntityDraft, EntityFormat } from '../types.js';
import { hashId, idName, nameParts, partySchema, unhtml } from './util.js';

const FARA_URL = (reg: string) =>
  `https://efile.fara.gov/ords/fara/f?p=1381:200:::NO:RP,200:P200_REG_NUMBER:${reg}`;

/** Column of a row under any of the spellings the DOJ files use. */
function col(row: Record<string, string>, ...names: string[]): string {
  for (const n of names) {
    const v = row[n];
    if (v !== undefined && v.trim() !== '') return unhtml(v);
  }
  return '';
}

function registrant(reg: string, name: string, extra: Record<string, string[]> = {}): EntityDraft {
  const schema = partySchema(name);
  const parts = schema === 'Person' ? nameParts(name) : null;
  return {
    id: `fara-reg-${reg}`,
    schema,
    properties: {
      name: [name],
      registrationNumber: [reg],
      ...(parts ? { firstName: [parts.first], lastName: [parts.last] } : {}),
      ...extra,
    },
  };
}

export function foreignPrincipalId(name: string, country: string): string {
  return `fara-fp-${hashId(idName(name), idName(country))}`;
}

/** The entities of one DOJ row, whichever list it comes from. */
function faraRow(row: Record<string, string>, line: number, raw: string): DraftRecord | null {
  const reg = col(row, 'Registration Number', 'Registration #').replace(/\D/g, '');
  const regName = col(row, 'Registrant Name', 'Name', 'Registrant', 'Registration Name');
  const entities: EntityDraft[] = [];
  if (!reg) throw new Error('no registration number');
  const fpName = col(row, 'Foreign Principal');
  const regDate = col(row, 'Registration Date', 'RegistrationDate', 'Registrant Date');
  const termDate = col(row, 'Termination Date', 'TerminationDate');
  const address =
    col(row, 'Address 1', 'Address') + (col(row, 'Address 2') ? `, ${col(row, 'Address 2')}` : '');
  const place = [col(row, 'City'), col(row, 'State'), col(row, 'Zip')].filter(Boolean).join(' ');
  const fullAddress = [address, place].filter(Boolean).join(', ');
  const donor = col(row, 'Donor Name') || col(row, 'Short Form Name');
  const recipient = col(row, 'Political Organization or Candidate');
  if (fpName) {
    const country = col(row, 'Country/Location Represented', 'Country/LocationRepresented');
    const fpId = foreignPrincipalId(fpName, country);
    const fpStart = col(row, 'Foreign Principal Registration Date', 'Foreign PrincipalRegistration Date');
    const fpEnd = col(row, 'Foreign Principal Termination Date', 'Foreign PrincipalTermination Date');
    entities.push(registrant(reg, regName || `FARA registration ${reg}`));
    const fpSchema = partySchema(fpName);
    entities.push({
      id: fpId,
      schema: fpSchema === 'LegalEntity' ? 'Organization' : fpSchema,
      properties: { name: [fpName], country: [country], address: [fullAddress] },
    });
    entities.push({
      id: `fara-rep-${reg}-${hashId(fpId, fpStart)}`,
      schema: 'Representation',
      properties: {
        agent: [`fara-reg-${reg}`],
        client: [fpId],
        role: ['FARA registered agent'],
        startDate: [fpStart],
        endDate: [fpEnd],
        recordId: [`FARA ${reg}`],
        sourceUrl: [FARA_URL(reg)],
      },
    });
    return { row: line, raw, entities, sourceUrl: FARA_URL(reg), recordDate: fpStart || regDate };
  }
  if (recipient) {
    const date = col(row, 'Date Contributed');
    const amount = col(row, 'Amount');
    entities.push(registrant(reg, regName));
    let payer = `fara-reg-${reg}`;
    if (donor && !/^short form registrant$/i.test(donor)) {
      payer = `fara-agent-${reg}-${hashId(idName(donor))}`;
      const parts = nameParts(donor);
      entities.push({
        id: payer,
        schema: 'Person',
        properties: { name: [donor], ...(parts ? { firstName: [parts.first], lastName: [parts.last] } : {}) },
      });
      entities.push({
        id: `fara-emp-${reg}-${hashId(idName(donor))}`,
        schema: 'Employment',
        properties: {
          employee: [payer],
          employer: [`fara-reg-${reg}`],
          role: ['FARA short-form registrant'],
        },
      });
    }
    const recipientId = `us-committee-${hashId(idName(recipient))}`;
    entities.push({ id: recipientId, schema: 'Organization', properties: { name: [recipient] } });
    entities.push({
      id: `fara-contribution-${reg}-${hashId(String(line), payer, recipient, date, amount)}`,
      schema: 'Payment',
      properties: {
        payer: [payer],
        beneficiary: [recipientId],
        amount: [amount],
        currency: ['USD'],
        date: [date],
        purpose: [
          ['political contribution', col(row, 'Method'), col(row, 'Thing Of Value')]
            .filter(Boolean)
            .join('; '),
        ],
        sourceUrl: [FARA_URL(reg)],
      },
    });
    return { row: line, raw, entities, sourceUrl: FARA_URL(reg), recordDate: date };
  }
  if (!regName) throw new Error('no registrant name');
  const status = termDate ? [`terminated ${termDate}`] : regDate ? ['active'] : [];
  entities.push(
    registrant(reg, regName, {
      alias: [col(row, 'Business Name', 'BusinessName')],
      address: [fullAddress],
      status,
    }),
  );
  return { row: line, raw, entities, sourceUrl: FARA_URL(reg), recordDate: regDate };
}

const isFaraHeader = (h: string[]) =>
  (h.includes('Registration Number') || h.includes('Registration #')) &&
  (h.includes('Name') ||
    h.includes('Registrant') ||
    h.includes('Registrant Name') ||
    h.includes('Registration Name'));

export const faraFormat: EntityFormat = {
  name: 'fara',
  title: 'US DOJ FARA bulk CSVs and "Browse Filings" lists (registrants, foreign principals, contributions)',
  source:
    'efile.fara.gov Bulk Data and Browse Filings (mirrored by Howard-Center-Investigations/FARA_Archive)',
  dataset: 'us_fara',
  encoding: 'windows-1252',
  detect: (probe) => probe.container === 'text' && isFaraHeader(headerOf(probe.head)),
  async read(input, sink) {
    await readCsv(input, sink, {
      repairQuotes: true,
      header(fields) {
        if (!isFaraHeader(fields))
          throw new FormatError('not a FARA list: no "Registration Number" / "Registration #" column');
        return faraRow;
      },
    });
  },
};
