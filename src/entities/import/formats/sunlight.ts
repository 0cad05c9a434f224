/**
 * The Sunlight Foundation's "Foreign Influence Explorer" transcriptions of FARA supplemental
 * statements (2010-2013; sunlightlabs/fara, `SUNLIGHT_FIELD_GUIDE_README.txt`):
 * - contacts (by contact, condensed, the bioguide sample) -> an `Event` per contact record
 *   (`Record ID`): organizer the registrant, involved the person or office contacted and the client;
 *   its type (meeting, phone, email, other, unknown) in `keywords`; the contacted person with title,
 *   office and agency;
 * - payments (client -> registrant), disbursements (registrant -> subcontractor) and political
 *   contributions (lobbyist or PAC -> recipient) -> `Payment` in USD;
 * - the client list -> `Representation` (registrant -> client).
 * A date ending in `*` is the end of the six-month reporting period, not the day of the event: it
 * is stored as that day and the entity says so in `summary`. The `Source` PDF's leading digits are
 * the DOJ registration number, stored as the registrant's `registrationNumber` so that resolution
 * can join Sunlight's spellings to the DOJ registrant. The `Affiliated Member CRP ID` is the
 * member's OpenSecrets id and is also put on contacts with the member's staff: it is kept as a note
 * on the contact (evidence for the contacts -> officials link), never as the contact's identifier.
 */
import { FormatError } from '../../../core/errors.js';
import { headerOf, type RowMapper, readCsv } from '../csv.js';
import type { EntityDraft, EntityFormat } from '../types.js';
import { hashId, idName, nameParts, partySchema } from './util.js';

const PERIOD_END = 'the date is the end of the six-month reporting period (Sunlight "*"), not the day itself';

const v = (row: Record<string, string>, name: string) => (row[name] ?? '').replace(/\s+/g, ' ').trim();

/** The DOJ registration number in a fara.gov document URL ("http://www.fara.gov/docs/6161-Supplemental-...pdf"). */
export function registrationFromUrl(url: string): string | null {
  return /\/(\d{1,5})-[^/]*$/.exec(url)?.[1] ?? null;
}

function registrant(name: string, source: string): EntityDraft {
  const reg = registrationFromUrl(source);
  return {
    id: `sunlight-registrant-${hashId(idName(name))}`,
    schema: partySchema(name) === 'Person' ? 'Person' : 'LegalEntity',
    properties: { name: [name], registrationNumber: reg ? [reg] : [] },
  };
}

function client(name: string, location = ''): EntityDraft {
  const schema = partySchema(name);
  return {
    id: `sunlight-client-${hashId(idName(name))}`,
    schema: schema === 'LegalEntity' ? 'Organization' : schema,
    properties: { name: [name], country: location ? [location] : [] },
  };
}

const periodEnd = (date: string) => (date.endsWith('*') ? [PERIOD_END] : []);

/** "Rep.  Chris Van Hollen, office: House, agency: Congress; " -> name, office, agency. */
export function parseRecipient(text: string): { name: string; office: string; agency: string } {
  const parts = text.replace(/;\s*$/, '').split(/,\s*(?=(?:office|agency):)/);
  const name = parts[0]!.replace(/\s+/g, ' ').trim();
  const office = /office:\s*([^,;]*)/.exec(text)?.[1]?.trim() ?? '';
  const agency = /agency:\s*([^,;]*)/.exec(text)?.[1]?.trim() ?? '';
  return { name, office, agency };
}

const contacts: RowMapper = (row, line, raw) => {
  const reg = registrant(v(row, 'Registrant'), v(row, 'Source'));
  const entities: EntityDraft[] = [reg];
  const date = v(row, 'Date');
  const recordId = v(row, 'Record ID') || hashId(String(line), raw);
  const involved: string[] = [];
  const clientName = v(row, 'Client');
  if (clientName) {
    const c = client(clientName, v(row, 'Client Location'));
    entities.push(c);
    involved.push(c.id);
  }
  let contactName = v(row, 'Contact Name');
  const condensed = v(row, 'Contact');
  if (!contactName && condensed) contactName = parseRecipient(condensed).name;
  if (contactName && !/^(unknown|n\/a)$/i.test(contactName)) {
    const title = v(row, 'Contact Title');
    const office = v(row, 'Contact Office') || (condensed ? parseRecipient(condensed).office : '');
    const agency = v(row, 'Contact Agency') || (condensed ? parseRecipient(condensed).agency : '');
    const crp = v(row, 'Affiliated Member CRP ID');
    const bioguide = v(row, 'Affiliated Member Bioguide ID');
    const schema = partySchema(contactName);
    const id = v(row, 'Contact ID')
      ? `sunlight-contact-${v(row, 'Contact ID')}`
      : `sunlight-contact-${hashId(idName(contactName), idName(office))}`;
    const notes = [
      office && `office: ${office}`,
      agency && `agency: ${agency}`,
      crp && `affiliated member CRP ID: ${crp}`,
      bioguide && `affiliated member bioguide ID: ${bioguide}`,
    ].filter(Boolean) as string[];
    const parts = schema === 'Person' ? nameParts(contactName) : null;
    entities.push({
      id,
      schema: schema === 'Person' ? 'Person' : 'LegalEntity',
      properties: {
        name: [contactName],
        ...(schema === 'Person' ? { position: [title] } : { description: [title] }),
        ...(parts ? { firstName: [parts.first], lastName: [parts.last] } : {}),
        notes: notes.length ? [notes.join('; ')] : [],
      },
    });
    involved.push(id);
  }
  const type = v(row, 'Type') || 'unknown';
  entities.push({
    id: `sunlight-contact-record-${recordId}`,
    schema: 'Event',
    properties: {
      name: [`${type} with ${contactName || 'an unnamed contact'}`],
      date: [date],
      organizer: [reg.id],
      involved,
      keywords: [type],
      description: [v(row, 'Description')],
      namesMentioned: v(row, 'Employees mentioned')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 2),
      summary: periodEnd(date),
      recordId: [v(row, 'Record ID')],
      sourceUrl: [v(row, 'Source')],
    },
  });
  return { row: line, raw, entities, sourceUrl: v(row, 'Source') || null, recordDate: date };
};

const payments: RowMapper = (row, line, raw) => {
  const reg = registrant(v(row, 'Registrant'), v(row, 'Source'));
  const c = client(v(row, 'Client'));
  const date = v(row, 'Date');
  const via = v(row, 'From subcontractor');
  return {
    row: line,
    raw,
    sourceUrl: v(row, 'Source') || null,
    recordDate: date,
    entities: [
      reg,
      c,
      {
        id: `sunlight-payment-${hashId(v(row, 'Client'), v(row, 'Amount'), date, v(row, 'Registrant'), v(row, 'Purpose'), v(row, 'Source'))}`,
        schema: 'Payment',
        properties: {
          payer: [c.id],
          beneficiary: [reg.id],
          amount: [v(row, 'Amount')],
          currency: ['USD'],
          date: [date],
          purpose: [v(row, 'Purpose')],
          description: via ? [`received through subcontractor ${via}`] : [],
          summary: periodEnd(date),
          sourceUrl: [v(row, 'Source')],
        },
      },
    ],
  };
};

const disbursements: RowMapper = (row, line, raw) => {
  const reg = registrant(v(row, 'Registrant'), v(row, 'Source'));
  const date = v(row, 'Date');
  const entities: EntityDraft[] = [reg];
  const to = v(row, 'To Subcontractor');
  let beneficiary: string[] = [];
  if (to) {
    const sub = {
      id: `sunlight-party-${hashId(idName(to))}`,
      schema: 'LegalEntity',
      properties: { name: [to] },
    };
    entities.push(sub);
    beneficiary = [sub.id];
  }
  const clientName = v(row, 'Client');
  entities.push({
    id: `sunlight-disbursement-${v(row, 'Record ID') || hashId(String(line), raw)}`,
    schema: 'Payment',
    properties: {
      payer: [reg.id],
      beneficiary,
      amount: [v(row, 'Amount')],
      currency: ['USD'],
      date: [date],
      purpose: [v(row, 'Purpose') || 'disbursement'],
      description: clientName ? [`disbursed on behalf of ${clientName}`] : [],
      namesMentioned: clientName ? [clientName] : [],
      summary: periodEnd(date),
      recordId: [v(row, 'Record ID')],
      sourceUrl: [v(row, 'Source')],
    },
  });
  return { row: line, raw, entities, sourceUrl: v(row, 'Source') || null, recordDate: date };
};

const contributions: RowMapper = (row, line, raw) => {
  const reg = registrant(v(row, 'Registrant'), v(row, 'Source'));
  const date = v(row, 'Date');
  const recipient = parseRecipient(v(row, 'Recipient'));
  const entities: EntityDraft[] = [reg];
  const recipientSchema = partySchema(recipient.name);
  const recipientId = `sunlight-recipient-${hashId(idName(recipient.name))}`;
  entities.push({
    id: recipientId,
    schema: recipientSchema === 'LegalEntity' ? 'LegalEntity' : recipientSchema,
    properties: {
      name: [recipient.name],
      notes: [
        [recipient.office && `office: ${recipient.office}`, recipient.agency && `agency: ${recipient.agency}`]
          .filter(Boolean)
          .join('; '),
      ],
    },
  });
  let payer = reg.id;
  const lobbyist = v(row, 'Contributing Lobbyist or PAC').replace(/;\s*$/, '');
  if (lobbyist) {
    const who = parseRecipient(lobbyist).name;
    payer = `sunlight-contributor-${hashId(idName(who))}`;
    const schema = partySchema(who);
    entities.push({
      id: payer,
      schema: schema === 'Organization' ? 'Organization' : 'LegalEntity',
      properties: { name: [who] },
    });
    entities.push({
      id: `sunlight-affiliation-${hashId(payer, reg.id)}`,
      schema: 'UnknownLink',
      properties: {
        subject: [payer],
        object: [reg.id],
        role: ['contributes as lobbyist or PAC of the registrant'],
      },
    });
  }
  entities.push({
    id: `sunlight-contribution-${v(row, 'Record ID') || hashId(String(line), raw)}`,
    schema: 'Payment',
    properties: {
      payer: [payer],
      beneficiary: [recipientId],
      amount: [v(row, 'Amount')],
      currency: ['USD'],
      date: [date],
      purpose: ['political contribution'],
      summary: periodEnd(date),
      recordId: [v(row, 'Record ID')],
      sourceUrl: [v(row, 'Source')],
    },
  });
  return { row: line, raw, entities, sourceUrl: v(row, 'Source') || null, recordDate: date };
};

const clients: RowMapper = (row, line, raw) => {
  const regName = v(row, 'Registrant name');
  const reg = (row._5 ?? '').trim();
  const r: EntityDraft = {
    id: `sunlight-registrant-${hashId(idName(regName))}`,
    schema: partySchema(regName) === 'Person' ? 'Person' : 'LegalEntity',
    properties: { name: [regName], registrationNumber: /^\d+$/.test(reg) ? [reg] : [] },
  };
  const c = client(v(row, 'Client name'), v(row, 'Location of Client'));
  return {
    row: line,
    raw,
    entities: [
      r,
      c,
      {
        id: `sunlight-client-rep-${hashId(r.id, c.id)}`,
        schema: 'Representation',
        properties: {
          agent: [r.id],
          client: [c.id],
          role: ['FARA registered agent (Sunlight client list)'],
          summary: [v(row, 'Description of service (when available)')],
        },
      },
    ],
  };
};

const KINDS: { columns: string[]; mapper: RowMapper }[] = [
  { columns: ['Contact Name', 'Record ID', 'Registrant'], mapper: contacts },
  { columns: ['Contact', 'Record ID', 'Registrant'], mapper: contacts },
  { columns: ['Client', 'Amount', 'From subcontractor'], mapper: payments },
  { columns: ['Amount', 'To Subcontractor', 'Registrant'], mapper: disbursements },
  { columns: ['Recipient', 'Contributing Lobbyist or PAC'], mapper: contributions },
  { columns: ['Client name', 'Registrant name', 'Location of Client'], mapper: clients },
];

const kindOf = (header: string[]) => KINDS.find((k) => k.columns.every((c) => header.includes(c)));

export const sunlightFormat: EntityFormat = {
  name: 'sunlight-fara',
  title: 'Sunlight Foundation FARA transcriptions: contacts, payments, disbursements, contributions, clients',
  source: 'sunlightlabs/fara (Foreign Influence Explorer, 2010-2013)',
  dataset: 'sunlight_fara',
  detect: (probe) => probe.container === 'text' && kindOf(headerOf(probe.head)) !== undefined,
  async read(input, sink) {
    await readCsv(input, sink, {
      allowExtraColumns: true,
      header(fields) {
        const kind = kindOf(fields);
        if (!kind)
          throw new FormatError('not a Sunlight FARA file: its columns match none of the known files');
        return kind.mapper;
      },
    });
  },
};
