/**
 * US Senate Lobbying Disclosure Act filings, in two real shapes:
 * - the Senate's bulk XML (discontinued 2020; UTF-16, one `<Filing>` per filing, values in
 *   attributes): LD-1/LD-2 registrations and reports, LD-203 contribution reports, alone or in the
 *   ZIP archives the Senate served;
 * - the LDA REST API's JSON (`/api/v1/filings/`, `/api/v1/contributions/`: a page `{results: [...]}`,
 *   a list, or one filing per line).
 * Both become the same FtM entities: the registrant (`senate-lda-registrant-<RegistrantID>`), the
 * client (`ClientID` is unique only within a registrant), the lobbyists as persons employed by the
 * registrant, a `Representation` per filing (registrant -> client, with the issues), a `Payment`
 * client -> registrant for the reported income, `UnknownLink`s "lobbied" to the government
 * entities named, and for LD-203 a `Payment` per contribution (lobbyist or registrant -> payee, the
 * honoree in `namesMentioned`).
 */
import type { EntityDraft, EntityFormat, RecordSink } from '../types.js';
import { hashId, idName, partySchema, readJson } from './util.js';

/** A filing in either shape, reduced to what the mapping needs. */
interface Filing {
  id: string;
  type: string;
  period: string;
  year: string;
  received: string;
  amount: string;
  url: string;
  registrant: { id: string; name: string; address: string; country: string; description: string };
  client: { id: string; name: string; country: string; description: string } | null;
  lobbyists: { name: string; position: string }[];
  issues: { code: string; text: string }[];
  government: string[];
  foreign: { name: string; country: string }[];
  affiliated: { name: string; country: string }[];
  contributions: {
    contributor: string;
    type: string;
    payee: string;
    honoree: string;
    amount: string;
    date: string;
  }[];
  lobbyist: string;
}

function entitiesOf(f: Filing): EntityDraft[] {
  const reg = `senate-lda-registrant-${f.registrant.id || hashId(idName(f.registrant.name))}`;
  const out: EntityDraft[] = [
    {
      id: reg,
      schema: partySchema(f.registrant.name) === 'Person' ? 'Person' : 'Organization',
      properties: {
        name: [f.registrant.name],
        address: [f.registrant.address],
        country: [f.registrant.country],
        description: [f.registrant.description],
        idNumber: f.registrant.id ? [`senate-lda-registrant:${f.registrant.id}`] : [],
      },
    },
  ];
  const lobbyistId = (name: string) => `senate-lda-lobbyist-${hashId(reg, idName(name))}`;
  for (const l of f.lobbyists) {
    out.push({
      id: lobbyistId(l.name),
      schema: 'Person',
      properties: { name: [l.name], position: [l.position] },
    });
    out.push({
      id: `senate-lda-employment-${hashId(reg, idName(l.name))}`,
      schema: 'Employment',
      properties: { employee: [lobbyistId(l.name)], employer: [reg], role: ['lobbyist'] },
    });
  }
  const when = f.received.slice(0, 10);
  if (f.client?.name) {
    const client = `senate-lda-client-${f.registrant.id}-${f.client.id || hashId(idName(f.client.name))}`;
    out.push({
      id: client,
      schema: partySchema(f.client.name) === 'Person' ? 'Person' : 'Organization',
      properties: { name: [f.client.name], country: [f.client.country], description: [f.client.description] },
    });
    out.push({
      id: `senate-lda-filing-${f.id}`,
      schema: 'Representation',
      properties: {
        agent: [reg],
        client: [client],
        role: [`lobbying registrant (${f.type})`],
        date: [when],
        summary: [f.issues.map((i) => (i.text ? `${i.code}: ${i.text}` : i.code)).join('; ')],
        description: [[f.period, f.year].filter(Boolean).join(' ')],
        recordId: [f.id],
        sourceUrl: [f.url],
      },
    });
    if (Number(f.amount) > 0)
      out.push({
        id: `senate-lda-income-${f.id}`,
        schema: 'Payment',
        properties: {
          payer: [client],
          beneficiary: [reg],
          amount: [f.amount],
          currency: ['USD'],
          date: [when],
          purpose: [`lobbying income reported for ${[f.period, f.year].filter(Boolean).join(' ')}`],
          recordId: [f.id],
          sourceUrl: [f.url],
        },
      });
    for (const g of f.government.filter((g) => g && g !== 'NONE')) {
      const body = `us-gov-${hashId(idName(g))}`;
      out.push({ id: body, schema: 'PublicBody', properties: { name: [g], country: ['us'] } });
      out.push({
        id: `senate-lda-lobbied-${hashId(f.id, body)}`,
        schema: 'UnknownLink',
        properties: {
          subject: [reg],
          object: [body],
          role: [`lobbied on behalf of ${f.client.name}`],
          date: [when],
        },
      });
    }
    for (const [kind, list] of [
      ['foreign entity with an interest in the lobbying', f.foreign],
      ['affiliated organisation', f.affiliated],
    ] as const) {
      for (const o of list.filter((o) => o.name)) {
        const id = `senate-lda-org-${hashId(idName(o.name), idName(o.country))}`;
        out.push({ id, schema: 'Organization', properties: { name: [o.name], country: [o.country] } });
        out.push({
          id: `senate-lda-link-${hashId(f.id, id)}`,
          schema: 'UnknownLink',
          properties: { subject: [id], object: [client], role: [kind], date: [when] },
        });
      }
    }
  }
  f.contributions.forEach((c, i) => {
    const who = c.contributor || f.lobbyist;
    let payer = reg;
    if (who && idName(who) !== idName(f.registrant.name)) {
      payer = lobbyistId(who);
      out.push({
        id: payer,
        schema: partySchema(who) === 'Organization' ? 'Organization' : 'Person',
        properties: { name: [who] },
      });
    }
    const payee = `us-committee-${hashId(idName(c.payee || c.honoree))}`;
    out.push({ id: payee, schema: 'Organization', properties: { name: [c.payee || c.honoree] } });
    out.push({
      id: `senate-lda-contribution-${f.id}-${i + 1}`,
      schema: 'Payment',
      properties: {
        payer: [payer],
        beneficiary: [payee],
        amount: [c.amount],
        currency: ['USD'],
        date: [c.date],
        purpose: [`political contribution (${c.type || 'LD-203'})`],
        namesMentioned: [c.honoree],
        description: [c.honoree ? `honoree: ${c.honoree}` : null],
        recordId: [f.id],
        sourceUrl: [f.url],
      },
    });
  });
  return out;
}

// --- the bulk XML ------------------------------------------------------------------------------

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(
          e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
        )
      : (XML_ENTITIES[e] ?? m),
  );

/** The elements of a filing's XML with their attributes, in document order. */
function elements(xml: string): { tag: string; attrs: Record<string, string> }[] {
  const out: { tag: string; attrs: Record<string, string> }[] = [];
  for (const m of xml.matchAll(/<([A-Za-z]+)((?:\s+[A-Za-z:]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([A-Za-z:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
      attrs[a[1]!] = decodeXml(a[2] ?? a[3] ?? '')
        .replace(/\s+/g, ' ')
        .trim();
    out.push({ tag: m[1]!, attrs });
  }
  return out;
}

function filingFromXml(xml: string): Filing {
  const els = elements(xml);
  const get = (tag: string) => els.find((e) => e.tag === tag)?.attrs ?? {};
  const all = (tag: string) => els.filter((e) => e.tag === tag).map((e) => e.attrs);
  const f = get('Filing');
  const r = get('Registrant');
  const c = get('Client');
  return {
    id: f.ID ?? '',
    type: f.Type ?? '',
    period: f.Period ?? '',
    year: f.Year ?? '',
    received: f.Received ?? '',
    amount: f.Amount ?? '',
    url: f.ID ? `https://lda.senate.gov/filings/public/filing/${f.ID.toLowerCase()}/print/` : '',
    registrant: {
      id: r.RegistrantID ?? '',
      name: r.RegistrantName ?? '',
      address: r.Address ?? '',
      country: r.RegistrantCountry ?? '',
      description: r.GeneralDescription ?? '',
    },
    client: c.ClientName
      ? {
          id: c.ClientID ?? '',
          name: c.ClientName,
          country: c.ClientCountry ?? '',
          description: c.GeneralDescription ?? '',
        }
      : null,
    lobbyists: all('Lobbyist')
      .filter((l) => l.LobbyistName)
      .map((l) => ({
        name: l.LobbyistName!,
        position: l.OfficialPosition && l.OfficialPosition !== 'N/A' ? l.OfficialPosition : '',
      })),
    issues: all('Issue').map((i) => ({ code: i.Code ?? '', text: i.SpecificIssue ?? '' })),
    government: all('GovernmentEntity').map((g) => g.GovEntityName ?? ''),
    foreign: all('Entity').map((e) => ({
      name: e.ForeignEntityName ?? e.Name ?? '',
      country: e.ForeignEntityCountry ?? e.Country ?? '',
    })),
    affiliated: all('Org').map((o) => ({
      name: o.AffiliatedOrgName ?? o.Name ?? '',
      country: o.AffiliatedOrgCountry ?? o.Country ?? '',
    })),
    contributions: all('Contribution').map((c) => ({
      contributor: c.Contributor ?? '',
      type: c.ContributionType ?? '',
      payee: c.Payee ?? '',
      honoree: c.Honoree ?? '',
      amount: c.Amount ?? '',
      date: c.ContributionDate ?? '',
    })),
    lobbyist: get('Lobbyist').LobbyistName ?? '',
  };
}

function readXmlText(text: string, member: string, first: number, sink: RecordSink): number {
  let row = first;
  for (const m of text.matchAll(/<Filing\b[\s\S]*?<\/Filing>|<Filing\b[^>]*\/>/g)) {
    row++;
    const raw = member ? `${member}: ${m[0]}` : m[0];
    try {
      const f = filingFromXml(m[0]);
      if (!f.registrant.name) {
        sink.reject(row, 'filing without a registrant name', raw);
        continue;
      }
      sink.record({ row, raw, entities: entitiesOf(f), sourceUrl: f.url, recordDate: f.received });
    } catch (err) {
      sink.reject(row, `could not read the filing: ${(err as Error).message}`, raw);
    }
  }
  return row;
}

export const ldaXmlFormat: EntityFormat = {
  name: 'lda-xml',
  title: 'US Senate LDA bulk XML (LD-1/LD-2 filings, LD-203 contributions; UTF-16; ZIP archives too)',
  source: 'senate.gov LDA bulk downloads (mirrored by wgetsnaps/senate-lda-*)',
  dataset: 'us_lda',
  detect: (probe) => /<PublicFilings\b|<Filing\b/.test(probe.head.slice(0, 8192)),
  async read(input, sink) {
    // Filings are numbered in document order across the archive's members (the record's row).
    if (input.kind === 'zip') {
      let row = 0;
      for (const m of input.members) row = readXmlText(m.text, m.name, row, sink);
      return;
    }
    let text = '';
    for await (const chunk of input.chunks) text += chunk.text;
    readXmlText(text, '', 0, sink);
  },
};

// --- the REST API's JSON -----------------------------------------------------------------------

type Json = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const personName = (p: Json) =>
  [p.first_name, p.middle_name, p.last_name, p.suffix].map(str).filter(Boolean).join(' ');

function filingFromApi(j: Json): Filing {
  const r = obj(j.registrant);
  const c = obj(j.client);
  const activities = arr(j.lobbying_activities);
  const lobbyists = new Map<string, string>();
  for (const a of activities)
    for (const l of arr(a.lobbyists)) lobbyists.set(personName(obj(l.lobbyist)), str(l.covered_position));
  const amount = str(j.income) || str(j.expenses);
  return {
    id: str(j.filing_uuid),
    type: str(j.filing_type_display || j.filing_type),
    period: str(j.filing_period_display || j.filing_period),
    year: str(j.filing_year),
    received: str(j.dt_posted),
    amount,
    url: str(j.filing_document_url || j.url),
    registrant: {
      id: str(r.id),
      name: str(r.name),
      address: [r.address_1, r.address_2, r.city, r.state, r.zip].map(str).filter(Boolean).join(', '),
      country: str(r.country),
      description: str(r.description),
    },
    client: c.name
      ? {
          id: str(c.client_id || c.id),
          name: str(c.name),
          country: str(c.country),
          description: str(c.general_description),
        }
      : null,
    lobbyists: [...lobbyists].filter(([n]) => n).map(([name, position]) => ({ name, position })),
    issues: activities.map((a) => ({
      code: str(a.general_issue_code_display || a.general_issue_code),
      text: str(a.description),
    })),
    government: activities.flatMap((a) => arr(a.government_entities).map((g) => str(g.name))),
    foreign: arr(j.foreign_entities).map((e) => ({ name: str(e.name), country: str(e.country) })),
    affiliated: arr(j.affiliated_organizations).map((e) => ({ name: str(e.name), country: str(e.country) })),
    contributions: arr(j.contribution_items).map((i) => ({
      contributor: str(i.contributor_name),
      type: str(i.contribution_type_display || i.contribution_type),
      payee: str(i.payee_name),
      honoree: str(i.honoree_name),
      amount: str(i.amount),
      date: str(i.date),
    })),
    lobbyist: personName(obj(j.lobbyist)),
  };
}

export const ldaApiFormat: EntityFormat = {
  name: 'lda-api',
  title: 'US Senate LDA REST API JSON (filings and contributions pages)',
  source: 'lda.senate.gov /api/v1/filings/ and /api/v1/contributions/',
  dataset: 'us_lda',
  detect: (probe) => /"filing_uuid"\s*:/.test(probe.head.slice(0, 65536)),
  async read(input, sink) {
    await readJson(input, sink, 'results', (value, line, raw) => {
      const j = obj(value);
      // A whole page on one line (JSON Lines of pages) is one record with all its filings.
      const filings = (Array.isArray(j.results) ? (j.results as Json[]) : [j]).map(filingFromApi);
      if (!filings.length || filings.some((f) => !f.id || !f.registrant.name)) {
        sink.reject(line, 'not an LDA filing (no filing_uuid or registrant name)', raw);
        return;
      }
      const f = filings[0]!;
      sink.record({
        row: line,
        raw,
        entities: filings.flatMap(entitiesOf),
        sourceUrl: f.url,
        recordDate: f.received,
      });
    });
  },
};
