/**
 * The report's "Who is behind it" section (docs/influence.md): for each cluster of the run that has
 * influence links, the parties that public records connect to it (entities/query/views.ts
 * `whoIsBehind`), the layered figure of their paths, every hop with its record, date and source (or
 * the evidence of a link found by matching), the statements that echo it, and the limits of public
 * records with the "a contact is not causation" reading. A store with no entities gets one line.
 */
import {
  type BehindParty,
  clustersWithInfluence,
  type LinkEvidence,
  linkEvidence,
  nodeTiers,
  WHO_IS_BEHIND_LIMITS,
  type WhoIsBehind,
  whoIsBehind,
} from '../../entities/query/views.js';
import type { Store } from '../../store/store.js';
import { layeredGraph } from '../figures/influence.js';
import { svgMarkup } from '../figures/svg.js';
import { table } from './blocks.js';
import { type Child, dataText, el, type Html, trusted } from './markup.js';

type Hop = BehindParty['path']['hops'][number];

export const NOT_CAUSATION =
  'A path shows that records connect two things, and when each record was made. It does not show that anyone directed the accounts, that a payment bought a meeting, or that a meeting caused a statement: a contact is not causation. Parties in many records (a law firm with a hundred clients, an official every lobbyist meets) connect to almost everything; read the records, not the count of paths.';

export interface BehindOptions {
  /** The report's detection run. */
  runId: number;
  /** The run's clusters in the report's order, and the anchor of those that have a page. */
  clusters: string[];
  anchorOf: (cluster: string) => string | null;
  /** Clusters given a "who is behind" part (the first in the report's order). Default 10. */
  maxClusters?: number;
  /** Parties with their hops written out, per group (the rest are listed). Default 8. */
  maxParties?: number;
}

const VIA: Record<BehindParty['via'], string> = {
  accounts: 'its accounts',
  sites: 'a site it pushes',
  echo: 'a statement that echoes it',
};

/** The section, or a one-line note when the store has no entities or the run is not the latest. */
export async function whoIsBehindSection(store: Store, options: BehindOptions): Promise<Html> {
  const section = (...children: Child[]) =>
    el('section', { id: 'behind' }, el('h2', {}, 'Who is behind it'), ...children);
  const entities = (await store.value<number>('SELECT count(*) FROM entities')) ?? 0;
  if (!Number(entities))
    return section(
      el(
        'p',
        { class: 'sub' },
        'Skipped: this store holds no entities. Public records (FARA filings, lobbying registers, payments, meetings, FtM streams) are added with lockstep entities import FILE --db STORE.',
      ),
    );
  const latest = await store.value<number>('SELECT max(run_id) FROM detections');
  if (latest !== options.runId)
    return section(
      el(
        'p',
        { class: 'sub' },
        `Skipped: the influence links join the clusters of the latest detection run (${latest}); this report is of run ${options.runId}. Write the report of run ${latest} (lockstep report --run ${latest}).`,
      ),
    );
  const linked = new Set(await clustersWithInfluence(store));
  const clusters = options.clusters.filter((c) => linked.has(c));
  if (!clusters.length)
    return section(
      el(
        'p',
        {},
        'No cluster of this run links to an entity in the store: no record ties its accounts or the sites it pushes to a party, and no statement in the store echoes it.',
      ),
      el('p', { class: 'note caveat' }, NOT_CAUSATION),
    );
  const shown = clusters.slice(0, options.maxClusters ?? 10);
  const parts: Html[] = [];
  for (const c of shown) parts.push(await clusterPart(store, await whoIsBehind(store, c), options));
  return section(
    el(
      'p',
      {},
      `Public records in this store (${Number(entities).toLocaleString('en')} entity records) connect ${clusters.length} of the run\u2019s clusters to parties: through the clusters\u2019 accounts (an account a record ties to a party), the sites they push (a party\u2019s website), and statements that repeat their hashtags or sites. For each, the parties within four records, principals (parties someone is registered to represent) first, each with its strongest path; every hop is one record with its date and source, or a link with the evidence it was found by. Each arrow points the way the record reads: payer \u2192 beneficiary, agent \u2192 client, organiser \u2192 participant, a party \u2192 the account or site it runs, a cluster \u2192 the site it pushes, a statement \u2192 the cluster it echoes.`,
    ),
    el('p', { class: 'note caveat' }, NOT_CAUSATION),
    clusters.length > shown.length &&
      el(
        'p',
        { class: 'sub' },
        `The first ${shown.length} of ${clusters.length} linked clusters (by rank); the workbench's Influence view shows every one.`,
      ),
    parts,
    el('h3', {}, 'Limits of public records'),
    el(
      'ul',
      {},
      WHO_IS_BEHIND_LIMITS.map((l) => el('li', {}, l)),
      el(
        'li',
        {},
        'FARA\u2019s foreign principals have no identifier, and the Sunlight transcriptions cover 2010-2013 only, hand-keyed; a record proves that something was filed, not that the filing is complete.',
      ),
    ),
  );
}

async function clusterPart(store: Store, who: WhoIsBehind, options: BehindOptions): Promise<Html> {
  const direct = who.parties.filter((p) => p.via !== 'echo');
  const throughEcho = who.parties.filter((p) => p.via === 'echo');
  const max = options.maxParties ?? 8;
  const written = [...direct.slice(0, max), ...throughEcho.slice(0, Math.ceil(max / 2))];
  const hops = [...written.flatMap((p) => p.path.hops), ...who.echoes.slice(0, 5).flatMap((e) => e.hops)];
  const evidence = await linkEvidence(
    store,
    hops.map((h) => h.record),
  );
  const tiers = await nodeTiers(store, [
    ...new Set(direct.slice(0, 30).flatMap((p) => p.path.nodes.map((n) => n.key))),
  ]);
  const nodes = new Map<string, { key: string; label: string; tier: string; focus: boolean }>();
  const edges = new Map<string, { from: string; to: string; label: string; date: string | null }>();
  for (const p of direct.slice(0, 30)) {
    for (const n of p.path.nodes)
      nodes.set(n.key, {
        key: n.key,
        label: n.label,
        tier: tiers.get(n.key) ?? 'organisations',
        focus: n.kind === 'cluster',
      });
    for (const h of p.path.hops)
      edges.set(`${h.record}|${h.from.key}|${h.to.key}`, {
        from: h.from.key,
        to: h.to.key,
        label: h.label,
        date: h.date,
      });
  }
  const anchor = options.anchorOf(who.cluster);
  const partyRow = (p: BehindParty) => [
    dataText(p.caption),
    p.schema,
    p.principal ? el('b', {}, 'principal') : '-',
    VIA[p.via],
    String(p.path.hops.length),
    p.path.strength.toFixed(3),
    p.path.latest ?? '-',
  ];
  const partyHead: (string | [string, string])[] = [
    'party',
    'schema',
    'registered client',
    'reached through',
    ['hops', 'num'],
    ['strength', 'num'],
    'latest record',
  ];
  return el(
    'div',
    { class: 'behind' },
    el('h3', {}, 'Cluster ', anchor ? el('a', { href: `#${anchor}` }, who.cluster) : who.cluster),
    direct.length > 0 &&
      el(
        'div',
        { class: 'figure' },
        trusted(svgMarkup(layeredGraph([...nodes.values()], [...edges.values()], { perColumn: 10 }))),
        el(
          'p',
          { class: 'sub' },
          `The records that connect cluster ${who.cluster} to the parties reached through its accounts and sites, by layer: clusters and accounts, sites, organisations, agents, officials, statements.`,
        ),
      ),
    direct.length > 0 && table(partyHead, direct.map(partyRow)),
    direct.slice(0, max).map((p) => pathBlock(p, evidence)),
    direct.length > max &&
      el('p', { class: 'sub' }, `${direct.length - max} more parties are listed above without their hops.`),
    throughEcho.length > 0 && [
      el('h4', {}, 'Connected only through a statement that echoes it'),
      el(
        'p',
        { class: 'sub' },
        'Reached through the speaker of a statement that repeats the cluster\u2019s hashtags or sites, and that speaker\u2019s other records (officials meet many agents): the weakest kind of connection.',
      ),
      table(partyHead, throughEcho.map(partyRow)),
      throughEcho.slice(0, Math.ceil(max / 2)).map((p) => pathBlock(p, evidence)),
    ],
    who.echoes.length > 0 && [
      el('h4', {}, 'Statements that echo it'),
      who.echoes
        .slice(0, 5)
        .map((e) =>
          el(
            'div',
            { class: 'evidence' },
            el(
              'h4',
              {},
              dataText(e.document),
              e.speaker ? [' said or written by ', dataText(e.speaker)] : '',
              e.date ? ` \u00b7 latest record ${e.date}` : '',
            ),
            hopTable(e.hops, evidence),
          ),
        ),
      who.echoes.length > 5 && el('p', { class: 'sub' }, `And ${who.echoes.length - 5} more statements.`),
    ],
    who.unexamined > 0 &&
      el(
        'p',
        { class: 'sub' },
        `${who.unexamined} more entities are within four records of the cluster and were not examined (the nearest 300 are).`,
      ),
  );
}

function pathBlock(p: BehindParty, evidence: Map<string, LinkEvidence>): Html {
  return el(
    'div',
    { class: 'evidence' },
    el(
      'h4',
      {},
      dataText(p.caption),
      ` (${p.schema}${p.principal ? ', principal' : ''}): ${p.path.hops.length} hops through ${VIA[p.via]}, strength ${p.path.strength.toFixed(3)}${p.path.timeOrdered ? ', dated records in time order' : ''}`,
    ),
    hopTable(p.path.hops, evidence),
  );
}

function hopTable(hops: Hop[], evidence: Map<string, LinkEvidence>): Html {
  return table(
    [['#', 'num'], 'from', 'record', 'to', ['date', 'time'], 'source or evidence'],
    hops.map((h, i) => [
      String(i + 1),
      dataText(h.from.label),
      [h.reversed ? '\u2190 ' : '', dataText(h.label), h.reversed ? '' : ' \u2192'],
      dataText(h.to.label),
      h.date ?? '-',
      hopSource(h, evidence),
    ]),
  );
}

/** A hop's record and source (dataset, file:row, date, the cited URL as text), or a link's evidence. */
function hopSource(h: Hop, evidence: Map<string, LinkEvidence>): Child {
  if (h.source) {
    const s = h.source;
    return [
      el('code', {}, h.record),
      ' ',
      dataText(
        `${s.dataset} \u00b7 ${s.row === null ? s.file : `${s.file}:${s.row}`}${s.date ? ` \u00b7 ${s.date}` : ''}`,
      ),
      s.url ? [' ', el('span', { class: 'url' }, s.url)] : null,
    ];
  }
  const ev = evidence.get(h.record);
  if (!ev) return el('code', {}, h.record);
  return [
    el('b', {}, ev.kind),
    ev.score !== null ? ` (score ${ev.score.toFixed(2)})` : '',
    ev.facts.map(([k, v]) => [
      ' \u00b7 ',
      `${k}: `,
      /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? el('span', { class: 'url' }, v) : dataText(v),
    ]),
  ];
}
