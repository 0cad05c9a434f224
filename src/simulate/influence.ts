/**
 * The influence layer of a simulated month, with its ground truth: for every planted operation, a
 * principal that funds two front organisations (whose sites are the operation's affiliated sites,
 * the ones its accounts push; the first also runs the operation's busiest account), a registered agent paid to represent it and an unregistered
 * advocate paid by a front, the agent's and advocate's meetings with officials, and one official's
 * later statement that repeats the operation's campaign hashtag (an echo). Decoys make the map
 * earn its precision: agents of principals that run no operation, meeting the same officials; a
 * hub official who meets every agent and never echoes; officials whose statements use stock
 * phrases and an organic trending hashtag.
 *
 * Everything is written as FollowTheMoney entities (`influence.ftm.json`, read by `lockstep
 * entities import`) so the simulated layer goes through the same importer, resolver and linker as
 * real records. Names are invented; sites and statement URLs use the reserved `.example` domain.
 * Deterministic per seed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Rng } from '../core/random.js';
import type { SimulationResult } from './index.js';
import { FIRST, LAST } from './lexicon.js';

export interface InfluenceOptions {
  seed?: number;
  /** Principals that run no operation (their agents are decoys). */
  decoyPrincipals?: number;
  /** Officials in the pool (two per operation are met; the rest are met by decoys or nobody). */
  officials?: number;
}

interface Named {
  id: string;
  name: string;
}

export interface PrincipalTruth {
  operation: string;
  principal: Named;
  fronts: (Named & { site: string })[];
  /** The operation account the first front runs (its handle). */
  frontAccount: string | null;
  agent: Named & { registration: string; start: string };
  advocate: Named;
  payments: { id: string; from: string; to: string; amount: number; date: string }[];
  meetings: { id: string; date: string; by: string; official: string }[];
  /** Officials whose statement repeats the operation's hashtag after the meeting. */
  echoes: { official: string; document: string; date: string; hashtag: string }[];
  /** Officials the agent met who never echoed (a meeting is not an influence). */
  metWithoutEcho: string[];
}

export interface InfluenceTruth {
  principals: PrincipalTruth[];
  decoys: {
    principals: Named[];
    agents: Named[];
    /** The official every agent meets, who never echoes. */
    hubOfficial: Named;
    /** Statements with stock phrases and an organic hashtag, and their speakers. */
    stockStatements: { document: string; official: string; hashtag: string }[];
  };
  officials: Named[];
}

export interface InfluenceResult {
  file: string;
  truthFile: string;
  truth: InfluenceTruth;
  entities: number;
}

const PRINCIPAL_NAMES = [
  'Meridian Policy Council',
  'Horizon Civic Foundation',
  'Northgate Heritage Institute',
  'Bluewater Accord Society',
  'Crestline Public Forum',
  'Silverleaf Action Network',
  'Ironwood Democracy Trust',
  'Amberfield Renewal League',
];
const FIRMS = [
  'Brightline Strategies LLC',
  'Capitol Bridge Partners LLC',
  'Keystone Advocacy Group Inc.',
  'Harbor Point Consulting LLC',
  'Summit Ridge Public Affairs LLC',
  'Lantern Street Associates Inc.',
  'Granite Hill Government Relations LLC',
  'Northstar Counsel PLLC',
  'Redwood Square Advisors LLC',
  'Bayline Policy Group Inc.',
];
const STOCK = [
  'We stand for transparency and accountability, and I will keep working for the families I serve.',
  'Our commitment to our allies and to the rule of law is unwavering.',
  'I met with constituents today to discuss jobs, health care and the future of our communities.',
];

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const siteName = (site: string) =>
  `${site
    .replace(/\.example$/, '')
    .replace(
      /(news|now|dispatch|report|wire|desk|herald|media|insight|perspective|awakening|frontier)/g,
      ' $1',
    )
    .replace(/^(the|real|open|daily|fresh|citizen|regional|peoples|patriot|independent|voiceofthe)/, '$1 ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ')} Media Group`;

/** Writes the influence layer of `sim` beside its corpus; returns the file, the truth and its path. */
export function simulateInfluence(sim: SimulationResult, options: InfluenceOptions = {}): InfluenceResult {
  const dir = dirname(sim.truthFile);
  const corpusTruth = JSON.parse(readFileSync(sim.truthFile, 'utf8')) as {
    span: { start: string; end: string };
    orders: { operation: string; start: string; hashtag: string | null }[];
    hard_negatives: { hashtag?: string; accounts?: number }[];
  };
  const rng = new Rng(options.seed ?? 11);
  const start = Date.parse(corpusTruth.span.start);
  const end = Date.parse(corpusTruth.span.end);
  const DAY = 86_400_000;
  const entities: Record<string, unknown>[] = [];
  const add = (
    id: string,
    schema: string,
    properties: Record<string, (string | number | null | undefined)[]>,
  ) => {
    const props: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(properties)) {
      const vals = v.filter((x) => x !== null && x !== undefined && x !== '').map(String);
      if (vals.length) props[k] = vals;
    }
    entities.push({ id, schema, properties: props });
  };
  const people = new Set<string>();
  const person = (prefix: string): Named => {
    for (;;) {
      const name = `${rng.pick(FIRST.us)} ${rng.pick(LAST.us)}`;
      if (people.has(name)) continue;
      people.add(name);
      return { id: `sim-${prefix}-${people.size}`, name };
    }
  };
  // Officials.
  const officials: Named[] = [];
  const officialCount = Math.max(options.officials ?? 0, sim.operations.length * 2 + 3);
  for (let i = 0; i < officialCount; i++) {
    const o = person('official');
    officials.push(o);
    add(o.id, 'Person', {
      name: [o.name],
      position: [rng.chance(0.3) ? 'Senator' : 'Representative'],
      topics: ['role.pep'],
      country: ['us'],
    });
  }
  const hub = officials[officials.length - 1]!;
  let payment = 0;
  let meeting = 0;
  let statement = 0;
  const pay = (from: string, to: string, amount: number, t: number, purpose: string) => {
    const id = `sim-payment-${++payment}`;
    add(id, 'Payment', {
      payer: [from],
      beneficiary: [to],
      amount: [amount],
      currency: ['USD'],
      date: [day(t)],
      purpose: [purpose],
    });
    return { id, from, to, amount, date: day(t) };
  };
  const meet = (by: string, official: Named, client: string, t: number) => {
    const id = `sim-meeting-${++meeting}`;
    add(id, 'Event', {
      name: [`meeting with ${official.name}`],
      date: [day(t)],
      organizer: [by],
      involved: [official.id, client],
      keywords: ['meeting'],
    });
    return { id, date: day(t), by, official: official.id };
  };
  const say = (official: Named, text: string, t: number) => {
    const id = `sim-statement-${++statement}`;
    add(id, 'Article', {
      title: [`Statement by ${official.name}`],
      author: [official.name],
      publisher: ['Capitol Record'],
      publishedAt: [day(t)],
      bodyText: [text],
      sourceUrl: [`https://statements.example/${id}`],
    });
    return id;
  };

  // The accounts of each operation (ground_truth_accounts.csv): a front runs the busiest one.
  const opAccounts = new Map<string, { handle: string; posts: number }[]>();
  const rows = readFileSync(sim.accountsFile, 'utf8').trim().split('\n');
  const header = rows[0]!.split(',');
  const [hi, oi, ri, pi] = ['handle', 'operation', 'role', 'posts'].map((c) => header.indexOf(c));
  for (const line of rows.slice(1)) {
    const f = line.split(',');
    const op = f[oi!];
    if (!op || f[ri!] === 'sleeper') continue;
    opAccounts.set(op, [...(opAccounts.get(op) ?? []), { handle: f[hi!]!, posts: Number(f[pi!]) }]);
  }
  const platform =
    (JSON.parse(readFileSync(sim.truthFile, 'utf8')) as { platform?: string }).platform ?? 'twitter';

  const principals: PrincipalTruth[] = [];
  let registration = 7000;
  sim.operations.forEach((op, k) => {
    const orders = corpusTruth.orders.filter((o) => o.operation === op.id);
    const firstOrder = orders.length ? Math.min(...orders.map((o) => Date.parse(o.start))) : start + 5 * DAY;
    const tagged = orders.find((o) => o.hashtag)?.hashtag ?? op.hashtags[0];
    const principal = { id: `sim-principal-${op.id}`, name: PRINCIPAL_NAMES[k % PRINCIPAL_NAMES.length]! };
    add(principal.id, 'Organization', {
      name: [principal.name],
      country: [rng.pick(['ir', 'ru', 'ae', 'cn', 've'])],
    });
    const fronts = op.sites.map((site, i) => {
      const f = { id: `sim-front-${op.id}-${i + 1}`, name: siteName(site), site };
      add(f.id, 'Organization', { name: [f.name], website: [`https://${site}`] });
      return f;
    });
    const busiest = (opAccounts.get(op.id) ?? []).sort(
      (a, b) => b.posts - a.posts || a.handle.localeCompare(b.handle),
    )[0];
    if (busiest)
      add(`sim-front-account-${op.id}`, 'UserAccount', {
        username: [busiest.handle],
        service: [platform],
        owner: [fronts[0]!.id],
      });
    const agentStart = start - rng.int(60, 120) * DAY;
    const agent = {
      id: `sim-agent-${op.id}`,
      name: FIRMS[k % FIRMS.length]!,
      registration: String(++registration),
      start: day(agentStart),
    };
    add(agent.id, 'Company', {
      name: [agent.name],
      registrationNumber: [agent.registration],
      country: ['us'],
    });
    add(`sim-representation-${op.id}`, 'Representation', {
      agent: [agent.id],
      client: [principal.id],
      role: ['FARA registered agent'],
      startDate: [agent.start],
    });
    const advocate = person('advocate');
    add(advocate.id, 'Person', { name: [advocate.name] });
    const payments = [
      ...fronts.map((f) =>
        pay(principal.id, f.id, rng.int(20, 90) * 1000, start - rng.int(20, 50) * DAY, 'grant'),
      ),
      pay(principal.id, agent.id, rng.int(50, 250) * 1000, agentStart + rng.int(1, 10) * DAY, 'retainer'),
      pay(fronts[0]!.id, advocate.id, rng.int(5, 30) * 1000, start - rng.int(5, 15) * DAY, 'speaking fee'),
    ];
    // Two officials met by the agent: the first later echoes the hashtag, the second does not.
    const [echoing, silent] = [officials[2 * k]!, officials[2 * k + 1]!];
    const meetAt = Math.max(start, firstOrder - rng.int(2, 6) * DAY);
    const meetings = [
      meet(agent.id, echoing, principal.id, meetAt),
      meet(agent.id, silent, principal.id, meetAt + rng.int(1, 3) * DAY),
      meet(advocate.id, echoing, principal.id, meetAt + rng.int(1, 4) * DAY),
      meet(agent.id, hub, principal.id, meetAt + DAY),
    ];
    const echoAt = Math.min(end - DAY, firstOrder + rng.int(4, 10) * DAY);
    const document = say(
      echoing,
      `${echoing.name}: the people deserve answers. That is why I am standing with them: #${tagged}. ${rng.pick(STOCK)}`,
      echoAt,
    );
    principals.push({
      operation: op.id,
      principal,
      fronts,
      frontAccount: busiest?.handle ?? null,
      agent,
      advocate,
      payments,
      meetings,
      echoes: [{ official: echoing.id, document, date: day(echoAt), hashtag: tagged ?? '' }],
      metWithoutEcho: [silent.id, hub.id],
    });
  });

  // Decoys: principals without an operation, whose agents meet the same officials.
  const decoyPrincipals: Named[] = [];
  const decoyAgents: Named[] = [];
  for (let d = 0; d < (options.decoyPrincipals ?? 2); d++) {
    const p = {
      id: `sim-decoy-principal-${d + 1}`,
      name: PRINCIPAL_NAMES[(sim.operations.length + d) % PRINCIPAL_NAMES.length]!,
    };
    const a = { id: `sim-decoy-agent-${d + 1}`, name: FIRMS[(sim.operations.length + d) % FIRMS.length]! };
    decoyPrincipals.push(p);
    decoyAgents.push(a);
    add(p.id, 'Organization', { name: [p.name] });
    add(a.id, 'Company', { name: [a.name], registrationNumber: [String(++registration)] });
    add(`sim-decoy-representation-${d + 1}`, 'Representation', {
      agent: [a.id],
      client: [p.id],
      role: ['FARA registered agent'],
      startDate: [day(start - 90 * DAY)],
    });
    pay(p.id, a.id, rng.int(40, 120) * 1000, start - 30 * DAY, 'retainer');
    for (const o of [...officials.slice(0, 2 * sim.operations.length).filter((_, i) => i % 2 === d % 2), hub])
      meet(a.id, o, p.id, start + rng.int(1, 25) * DAY);
  }
  // Stock statements with an organic trending hashtag (a cascade or news tag of the month, or a generic one).
  const organicTag = corpusTruth.hard_negatives.find((h) => h.hashtag)?.hashtag ?? 'MondayMotivation';
  const stockStatements = [hub, ...officials.slice(2 * sim.operations.length, officialCount - 1)].map((o) => {
    const document = say(o, `${rng.pick(STOCK)} #${organicTag}`, start + rng.int(5, 25) * DAY);
    return { document, official: o.id, hashtag: organicTag };
  });

  const truth: InfluenceTruth = {
    principals,
    decoys: { principals: decoyPrincipals, agents: decoyAgents, hubOfficial: hub, stockStatements },
    officials,
  };
  const file = join(dir, 'influence.ftm.json');
  writeFileSync(file, `${entities.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const truthFile = join(dir, 'ground_truth_influence.json');
  writeFileSync(truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  return { file, truthFile, truth, entities: entities.length };
}
