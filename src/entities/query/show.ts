/**
 * One entity, the way an investigator reads it: its names and identifiers with their sources; its
 * representations (registered agents and clients, with registration numbers and dates); payments in
 * and out with totals per year and currency; contacts and meetings; memberships, employment and
 * other links; linked accounts, the detected clusters those accounts are in, and documents. Every
 * relationship carries its record and the source rows it was read from.
 *
 * The JSON shape (`EntityView`) is the contract for the workbench's "Influence" view and the
 * report's "Who is behind it" section.
 */
import type { Store } from '../../store/store.js';
import { type DocumentRef, documentLinks } from '../link/documents.js';
import {
  canonicalIds,
  type EntityRef,
  findEntity,
  inList,
  membersOf,
  rawRecords,
  refs,
  type Source,
  type SourceRow,
  sourcesOf,
  toSource,
} from './sources.js';

export interface Fact {
  prop: string;
  value: string;
  sources: Source[];
}

export interface RelationRecord {
  /** The relationship entity (a Representation, a Payment, an Event, ...). */
  id: string;
  schema: string;
  sources: Source[];
  /** The first source record as read (a CSV row, a JSON line), for the evidence. */
  raw: string | null;
}

export interface Representation {
  /** `agent`: this entity represents `other`; `client`: `other` represents this entity. */
  role: 'agent' | 'client';
  other: EntityRef;
  /** Registration numbers of the agent (FARA) the relationship was filed under. */
  registrationNumbers: string[];
  roleText: string | null;
  startDate: string | null;
  endDate: string | null;
  record: RelationRecord;
}

export interface PaymentView {
  direction: 'in' | 'out';
  other: EntityRef | null;
  amount: number | null;
  currency: string | null;
  date: string | null;
  purpose: string | null;
  /** Notes of the source (e.g. a Sunlight date that is the end of the reporting period). */
  note: string | null;
  record: RelationRecord;
}

export interface PaymentTotal {
  direction: 'in' | 'out';
  period: string;
  currency: string;
  total: number;
  payments: number;
}

export interface ContactView {
  date: string | null;
  /** meeting | phone | email | other | unknown, as the source records it. */
  type: string | null;
  title: string | null;
  /** This entity's part: it organised the contact (the registrant) or was involved. */
  role: 'organizer' | 'involved';
  organizer: EntityRef[];
  involved: EntityRef[];
  description: string | null;
  /** Members of Congress the contacted people are linked to (contacts -> officials). */
  officials: { contact: string; member: EntityRef; kind: string }[];
  record: RelationRecord;
}

export interface LinkView {
  schema: string;
  role: string | null;
  direction: 'out' | 'in';
  other: EntityRef;
  startDate: string | null;
  endDate: string | null;
  record: RelationRecord;
}

export interface AccountLink {
  platform: string;
  accountId: string;
  handle: string | null;
  score: number | null;
  evidence: unknown;
  /** Clusters of the latest saved detection that hold this account. */
  clusters: string[];
}

export interface EntityView {
  id: string;
  schema: string;
  caption: string;
  /** Source ids merged into this entity by resolution. */
  members: string[];
  names: Fact[];
  identifiers: Fact[];
  properties: Fact[];
  representations: Representation[];
  payments: PaymentView[];
  paymentTotals: PaymentTotal[];
  contacts: ContactView[];
  links: LinkView[];
  accounts: AccountLink[];
  documents: DocumentRef[];
  /** Counts before the lists were cut to `limit`. */
  totals: { representations: number; payments: number; contacts: number; links: number };
}

const NAME_PROPS = new Set([
  'name',
  'alias',
  'previousName',
  'weakAlias',
  'abbreviation',
  'firstName',
  'lastName',
]);
const ID_TYPES = new Set(['identifier']);

export interface ShowOptions {
  /** Longest list of each kind (contacts, payments, ...); totals are computed over all. */
  limit?: number;
}

/** The view of the entity a name or id means (see `findEntity`). */
export async function showEntity(
  store: Store,
  nameOrId: string,
  options: ShowOptions = {},
): Promise<EntityView> {
  const limit = options.limit ?? 200;
  const id = await findEntity(store, nameOrId);
  const members = await membersOf(store, id);
  const me = (await refs(store, [id])).get(id) ?? { id, caption: id, schema: 'Thing' };

  // Facts with their sources.
  const stmts = await store.all<SourceRow & { prop: string; prop_type: string; value: string }>(
    `SELECT s.prop, s.prop_type, s.value, s.dataset, i.file_name, s.source_row, s.source_url, s.record_date, s.ingest_id
     FROM statements s JOIN ingests i USING (ingest_id)
     WHERE s.entity_id IN (${inList(members)}) AND s.prop <> 'id' AND s.prop_type <> 'entity'
     ORDER BY s.prop, s.value, s.ingest_id, s.source_row`,
  );
  const facts = new Map<string, Fact>();
  for (const s of stmts) {
    const key = `${s.prop}\u0000${s.value}`;
    const f = facts.get(key) ?? { prop: s.prop, value: s.value, sources: [] };
    facts.set(key, f);
    if (f.sources.length < 20) f.sources.push(toSource(s));
  }
  const all = [...facts.values()];
  const types = new Map(stmts.map((s) => [s.prop, s.prop_type]));
  const names = all.filter((f) => NAME_PROPS.has(f.prop));
  const identifiers = all.filter((f) => ID_TYPES.has(types.get(f.prop) ?? ''));
  const properties = all.filter((f) => !NAME_PROPS.has(f.prop) && !ID_TYPES.has(types.get(f.prop) ?? ''));

  // Relationships: every edge row touching a member.
  const edges = await store.all<{
    rel_id: string;
    rel_schema: string;
    source_prop: string;
    source_id: string;
    target_prop: string;
    target_id: string;
    start_date: string | null;
    end_date: string | null;
  }>(
    `SELECT * FROM entity_edges WHERE source_id IN (${inList(members)}) OR target_id IN (${inList(members)})`,
  );
  // Events reach their other participants through the event's own rows.
  const eventIds = [...new Set(edges.filter((e) => e.rel_schema === 'Event').map((e) => e.rel_id))];
  const eventRows = eventIds.length
    ? await store.all<{ rel_id: string; target_prop: string; target_id: string }>(
        `SELECT rel_id, target_prop, target_id FROM entity_edges WHERE rel_id IN (${inList(eventIds)})`,
      )
    : [];
  const relIds = [...new Set(edges.map((e) => e.rel_id))];
  const relProps = await propsOf(store, relIds, [
    'amount',
    'currency',
    'date',
    'startDate',
    'endDate',
    'purpose',
    'summary',
    'role',
    'keywords',
    'name',
    'description',
    'recordId',
  ]);
  const sources = await sourcesOf(store, relIds);
  const firstSources = [...sources.values()].map((s) => s[0]!).filter(Boolean);
  const raws = await rawRecords(store, firstSources);
  const record = (rel: string, schema: string): RelationRecord => {
    const src = sources.get(rel) ?? [];
    const first = src[0];
    return {
      id: rel,
      schema,
      sources: src,
      raw: first ? (raws.get(`${first.ingestId}:${first.row}`) ?? null) : null,
    };
  };
  const otherIds = [
    ...new Set([...edges.flatMap((e) => [e.source_id, e.target_id]), ...eventRows.map((r) => r.target_id)]),
  ];
  const canon = await canonicalIds(store, otherIds);
  const refMap = await refs(store, [...new Set(canon.values())]);
  const ref = (raw: string): EntityRef => {
    const c = canon.get(raw) ?? raw;
    return refMap.get(c) ?? { id: c, caption: c, schema: 'Thing' };
  };
  const isMe = (x: string) => members.includes(x);
  const ownRefs = new Map(
    (
      await store.all<{ entity_id: string; caption: string | null; schema: string }>(
        `SELECT entity_id, caption, schema FROM entities WHERE entity_id IN (${inList(members)})`,
      )
    ).map((r) => [r.entity_id, { id: r.entity_id, caption: r.caption ?? r.entity_id, schema: r.schema }]),
  );
  const prop = (rel: string, p: string) => relProps.get(rel)?.get(p)?.[0] ?? null;

  const representations: Representation[] = [];
  const payments: PaymentView[] = [];
  const links: LinkView[] = [];
  const seenRel = new Set<string>();
  // Registration numbers of agents (their FARA number), for the representation rows.
  const agentIds = [
    ...new Set(edges.filter((e) => e.rel_schema === 'Representation').map((e) => e.source_id)),
  ];
  const regNumbers = await propsOf(store, agentIds, ['registrationNumber']);
  for (const e of edges) {
    if (e.rel_schema === 'Event' || seenRel.has(`${e.rel_id}:${e.source_id}:${e.target_id}`)) continue;
    seenRel.add(`${e.rel_id}:${e.source_id}:${e.target_id}`);
    // A relationship between two of the entity's own records (NCRI's U.S. office registered as
    // NCRI's agent) is listed from the client's side, naming the agent record.
    const self = isMe(e.source_id) && isMe(e.target_id);
    const out = isMe(e.source_id) && !self;
    const otherRaw = out ? e.target_id : e.source_id;
    if (self && e.rel_schema !== 'Representation') continue;
    if (e.rel_schema === 'Representation') {
      representations.push({
        role: out ? 'agent' : 'client',
        other: self ? (ownRefs.get(otherRaw) ?? ref(otherRaw)) : ref(otherRaw),
        registrationNumbers: regNumbers.get(e.source_id)?.get('registrationNumber') ?? [],
        roleText: prop(e.rel_id, 'role'),
        startDate: e.start_date,
        endDate: e.end_date,
        record: record(e.rel_id, e.rel_schema),
      });
    } else if (e.rel_schema === 'Payment') {
      const amount = prop(e.rel_id, 'amount');
      payments.push({
        direction: out ? 'out' : 'in',
        other: ref(otherRaw),
        amount: amount === null ? null : Number(amount),
        currency: prop(e.rel_id, 'currency'),
        date: prop(e.rel_id, 'date') ?? e.start_date,
        purpose: prop(e.rel_id, 'purpose'),
        note: prop(e.rel_id, 'summary'),
        record: record(e.rel_id, e.rel_schema),
      });
    } else if (e.source_prop !== '') {
      links.push({
        schema: e.rel_schema,
        role: prop(e.rel_id, 'role'),
        direction: out ? 'out' : 'in',
        other: ref(otherRaw),
        startDate: e.start_date,
        endDate: e.end_date,
        record: record(e.rel_id, e.rel_schema),
      });
    }
  }
  // Payments that name this entity on one side only (a disbursement without a payee) are still its payments.
  const ids = await payerOnly(store, members);
  if (ids.length) {
    const p2 = await propsOf(store, ids, ['amount', 'currency', 'date', 'purpose', 'summary', 'description']);
    const s2 = await sourcesOf(store, ids);
    const r2 = await rawRecords(store, [...s2.values()].map((s) => s[0]!).filter(Boolean));
    for (const rel of ids) {
      const g = (p: string) => p2.get(rel)?.get(p)?.[0] ?? null;
      const src = s2.get(rel) ?? [];
      payments.push({
        direction: 'out',
        other: null,
        amount: g('amount') === null ? null : Number(g('amount')),
        currency: g('currency'),
        date: g('date'),
        purpose: [g('purpose'), g('description')].filter(Boolean).join('; ') || null,
        note: g('summary'),
        record: {
          id: rel,
          schema: 'Payment',
          sources: src,
          raw: src[0] ? (r2.get(`${src[0].ingestId}:${src[0].row}`) ?? null) : null,
        },
      });
    }
  }

  // Contacts and meetings (Events): organizer and involved parties, with official links.
  const officials = await officialLinks(
    store,
    eventRows.map((r) => r.target_id),
  );
  const contacts: ContactView[] = eventIds.map((ev) => {
    const rows = eventRows.filter((r) => r.rel_id === ev);
    const organizer = rows.filter((r) => r.target_prop === 'organizer').map((r) => r.target_id);
    const involved = rows.filter((r) => r.target_prop === 'involved').map((r) => r.target_id);
    return {
      date: prop(ev, 'date') ?? prop(ev, 'startDate'),
      type: prop(ev, 'keywords'),
      title: prop(ev, 'name'),
      role: organizer.some(isMe) ? 'organizer' : 'involved',
      organizer: organizer.map(ref),
      involved: involved.map(ref),
      description: prop(ev, 'description'),
      officials: involved.flatMap((i) =>
        (officials.get(i) ?? []).map((o) => ({ contact: ref(i).caption, member: o.member, kind: o.kind })),
      ),
      record: record(ev, 'Event'),
    };
  });

  const byDate = <T extends { date?: string | null; startDate?: string | null }>(a: T, b: T) =>
    (a.date ?? a.startDate ?? '').localeCompare(b.date ?? b.startDate ?? '');
  representations.sort(
    (a, b) =>
      (a.startDate ?? '').localeCompare(b.startDate ?? '') || a.other.caption.localeCompare(b.other.caption),
  );
  payments.sort(byDate);
  contacts.sort(byDate);
  links.sort(byDate);
  return {
    id,
    schema: me.schema,
    caption: me.caption,
    members,
    names,
    identifiers,
    properties,
    representations: representations.slice(0, limit),
    payments: payments.slice(0, limit),
    paymentTotals: totals(payments),
    contacts: contacts.slice(0, limit),
    links: links.slice(0, limit),
    accounts: await accountLinks(store, members),
    documents: await documentLinks(store, members),
    totals: {
      representations: representations.length,
      payments: payments.length,
      contacts: contacts.length,
      links: links.length,
    },
  };
}

const PAYER_ONLY = new WeakMap<Store, { version: string; byPayer: Map<string, string[]> }>();

/**
 * Payments that name a payer and no payee (no edge row), of the payers `members`. Finding them is
 * a lookup by value over every statement (tens of ms at millions of statements), so the store's
 * payer-only payments are read once, by payer, and kept until the statements or edges change.
 */
async function payerOnly(store: Store, members: string[]): Promise<string[]> {
  const version = JSON.stringify(
    await store.all(
      `SELECT (SELECT count(*) FROM statements) AS s, (SELECT count(*) FROM entity_edges) AS e, (SELECT max(ingest_id) FROM ingests) AS i`,
    ),
  );
  let cached = PAYER_ONLY.get(store);
  if (cached?.version !== version) {
    const byPayer = new Map<string, string[]>();
    for (const r of await store.all<{ payer: string; entity_id: string }>(
      `SELECT DISTINCT value AS payer, entity_id FROM statements WHERE prop = 'payer'
       AND entity_id NOT IN (SELECT rel_id FROM entity_edges WHERE rel_schema = 'Payment') ORDER BY entity_id`,
    ))
      byPayer.set(r.payer, [...(byPayer.get(r.payer) ?? []), r.entity_id]);
    cached = { version, byPayer };
    PAYER_ONLY.set(store, cached);
  }
  return [...new Set(members.flatMap((m) => cached.byPayer.get(m) ?? []))];
}

/** Totals per direction, year and currency. */
export function totals(payments: PaymentView[]): PaymentTotal[] {
  const acc = new Map<string, PaymentTotal>();
  for (const p of payments) {
    if (p.amount === null || !Number.isFinite(p.amount)) continue;
    const period = p.date?.slice(0, 4) ?? 'undated';
    const currency = p.currency ?? '?';
    const key = `${p.direction}|${period}|${currency}`;
    const t = acc.get(key) ?? { direction: p.direction, period, currency, total: 0, payments: 0 };
    acc.set(key, t);
    t.total = Math.round((t.total + p.amount) * 100) / 100;
    t.payments++;
  }
  return [...acc.values()].sort(
    (a, b) =>
      a.direction.localeCompare(b.direction) ||
      a.period.localeCompare(b.period) ||
      a.currency.localeCompare(b.currency),
  );
}

/** Property values of entities: id -> prop -> values. */
export async function propsOf(
  store: Store,
  ids: readonly string[],
  props: string[],
): Promise<Map<string, Map<string, string[]>>> {
  const out = new Map<string, Map<string, string[]>>();
  if (!ids.length) return out;
  const rows = await store.all<{ entity_id: string; prop: string; vals: string[] }>(
    `SELECT entity_id, prop, list(DISTINCT value ORDER BY value) AS vals FROM statements
     WHERE entity_id IN (${inList(ids)}) AND prop IN (${inList(props)}) GROUP BY ALL`,
  );
  for (const r of rows) {
    const m = out.get(r.entity_id) ?? new Map<string, string[]>();
    out.set(r.entity_id, m);
    m.set(r.prop, r.vals);
  }
  return out;
}

/** Contact -> official links of these contact ids. */
async function officialLinks(
  store: Store,
  contactIds: string[],
): Promise<Map<string, { member: EntityRef; kind: string }[]>> {
  const out = new Map<string, { member: EntityRef; kind: string }[]>();
  if (!contactIds.length) return out;
  const rows = await store.all<{ entity_id: string; target_id: string; kind: string }>(
    `SELECT entity_id, target_id, json_extract_string(evidence, '$.kind') AS kind FROM entity_links
     WHERE kind = 'official' AND entity_id IN (${inList([...new Set(contactIds)])})`,
  );
  const canon = await canonicalIds(
    store,
    rows.map((r) => r.target_id),
  );
  const r2 = await refs(store, [...new Set(canon.values())]);
  for (const r of rows) {
    const c = canon.get(r.target_id) ?? r.target_id;
    const list = out.get(r.entity_id) ?? [];
    out.set(r.entity_id, list);
    list.push({ member: r2.get(c) ?? { id: c, caption: c, schema: 'Person' }, kind: r.kind });
  }
  return out;
}

/** Accounts in the post store linked to the entity, with the clusters of the latest detection that hold them. */
async function accountLinks(store: Store, members: string[]): Promise<AccountLink[]> {
  const rows = await store.all<{
    target_id: string;
    score: number | null;
    evidence: string | null;
    handle: string | null;
  }>(
    `SELECT l.target_id, max(l.score) AS score, any_value(CAST(l.evidence AS VARCHAR)) AS evidence, any_value(a.handle) AS handle
     FROM entity_links l LEFT JOIN accounts a ON a.platform || ':' || a.account_id = l.target_id
     WHERE l.kind = 'account' AND l.entity_id IN (${inList(members)}) GROUP BY l.target_id ORDER BY l.target_id`,
  );
  if (!rows.length) return [];
  const run = await store.value<number>(`SELECT max(run_id) FROM detections`);
  const clusters = run
    ? await store.all<{ key: string; cluster_id: string }>(
        `SELECT platform || ':' || account_id AS key, cluster_id FROM detection_members WHERE run_id = ? AND platform || ':' || account_id IN (${inList(rows.map((r) => r.target_id))})`,
        [run],
      )
    : [];
  return rows.map((r) => {
    const cut = r.target_id.indexOf(':');
    return {
      platform: r.target_id.slice(0, cut),
      accountId: r.target_id.slice(cut + 1),
      handle: r.handle,
      score: r.score,
      evidence: r.evidence ? JSON.parse(r.evidence) : null,
      clusters: clusters.filter((c) => c.key === r.target_id).map((c) => c.cluster_id),
    };
  });
}
