/**
 * The publishable report of a saved detection run (`lockstep report --out report.html`): one
 * self-contained HTML file that works offline, with the summary, the method and its effective
 * parameters, figures as inline SVG, a page per cluster with its evidence, the limits and how to
 * read the confidence, and the input files' hashes and the software version for reproduction.
 *
 * Everything from the data (post text, handles, names, bios, URLs) is escaped text: no data becomes
 * markup, a link or a resource. The file carries a Content-Security-Policy that allows no script,
 * no remote resource and no inline style but its own style sheet (by hash).
 */
import { createHash } from 'node:crypto';
import { VERSION } from '../../core/version.js';
import { isFlagged, loadDetection } from '../../detect/saved.js';
import type { EchoResult } from '../../echo/types.js';
import { type AmplificationResult, amplification } from '../../forensics/amplification.js';
import { clusterSet } from '../../forensics/index.js';
import { offsetLabel } from '../../forensics/rhythm.js';
import { SIGNALS } from '../../signals/index.js';
import { storeStatus } from '../../store/status.js';
import type { Store } from '../../store/store.js';
import { CLUSTER_PALETTE } from '../exports/index.js';
import {
  coordinatedBars,
  networkFigure,
  SIGNAL_COLORS,
  signalMix,
  timeBars,
  weekHeatmap,
} from '../figures/charts.js';
import { networkLayout } from '../layout.js';
import type { SavedResult } from '../result.js';
import { badge, figure, kpi, n, pct, section, table } from './blocks.js';
import { echoSection, traceForReport } from './echo.js';
import { whoIsBehindSection } from './influence.js';
import { type Child, dataText, el, type Html, trusted } from './markup.js';
import { REPORT_CSS } from './style.js';

export interface ReportOptions {
  /** The saved run (default: the latest). */
  runId?: number;
  /** Clusters given a page of their own (the best first; all are in the table). Default 25. */
  clusterPages?: number;
  /** Members listed on a cluster's page. Default 40. */
  members?: number;
  /** Items of each kind in the amplification tables. Default 10. */
  amplificationTop?: number;
  /** Skip the amplification section (it builds text families: seconds on a large store). */
  amplification?: boolean;
  /** Leave out the echo section (echo tracing takes seconds to minutes on a large store). */
  echo?: boolean;
  /** The run's echo tracing when already computed (the workbench's); null: the store has no documents. */
  echoResult?: EchoResult | null;
  /** Shown as the store in the header (default: the store file's name). */
  storeName?: string;
}

type SavedCluster = SavedResult['clusters'][number];

const dur = (s: number) =>
  s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
/** ISO UTC as `2024-06-03 14:31 UTC` (seconds when not zero). */
const when = (iso: string | null | undefined) =>
  iso ? `${iso.replace('T', ' ').replace(/:00(\.0+)?Z$|(\.\d+)?Z$/, '')} UTC` : '-';
const pText = (log10P: number) =>
  log10P > -4 ? `p = ${(10 ** log10P).toPrecision(2)}` : `p < 1e${Math.floor(log10P) + 1}`;
const hex = (i: number) => {
  const c = CLUSTER_PALETTE[i % CLUSTER_PALETTE.length]!;
  return `#${((c.r << 16) | (c.g << 8) | c.b).toString(16).padStart(6, '0')}`;
};
/** The report as one HTML document. */
export async function reportHtml(store: Store, options: ReportOptions = {}): Promise<string> {
  const saved = await loadDetection(store, options.runId);
  const result = saved.result as SavedResult;
  const status = await storeStatus(store);
  const flagged = result.clusters.filter(isFlagged);
  let amplified: AmplificationResult | null = null;
  if (options.amplification !== false && flagged.length) {
    const connection = await store.connect();
    try {
      amplified = await amplification(connection, {
        sets: flagged.map(clusterSet),
        top: options.amplificationTop ?? 10,
      });
    } finally {
      connection.close();
    }
  }
  const echoes =
    options.echo === false
      ? undefined
      : options.echoResult !== undefined
        ? options.echoResult
        : await traceForReport(store, saved.runId);
  const creation = await store.all<{ cluster_id: string; day: Date; accounts: number }>(
    `SELECT m.cluster_id, a.created_at::DATE AS day, count(*) AS accounts
     FROM detection_members m JOIN accounts a ON a.platform = m.platform AND a.account_id = m.account_id
     WHERE m.run_id = ? AND a.created_at IS NOT NULL GROUP BY ALL ORDER BY day`,
    [saved.runId],
  );
  const created = new Map<string, { t: string; a: number; b: number }[]>();
  for (const r of creation) {
    const list = created.get(r.cluster_id) ?? [];
    list.push({ t: r.day.toISOString().slice(0, 10), a: r.accounts, b: 0 });
    created.set(r.cluster_id, list);
  }
  const ctx: Ctx = {
    result,
    runId: saved.runId,
    createdAt: saved.createdAt,
    storeName: options.storeName ?? status.path.split(/[\\/]/).pop() ?? 'store',
    amplified,
    created,
    pages: Math.min(result.clusters.length, options.clusterPages ?? 25),
    members: options.members ?? 40,
    rejects: status.rejects.total,
  };
  const body = [
    header(ctx),
    summary(ctx),
    clustersTable(ctx),
    amplificationSection(ctx),
    await echoSection(store, echoes),
    await whoIsBehindSection(store, {
      runId: saved.runId,
      clusters: result.clusters.map((c) => c.id),
      anchorOf: (id) => {
        const i = result.clusters.findIndex((c) => c.id === id);
        return i >= 0 && i < ctx.pages ? anchor(i) : null;
      },
    }),
    method(ctx),
    limits(ctx),
    reproducibility(ctx),
    result.clusters.slice(0, ctx.pages).map((c, i) => clusterPage(ctx, c, i)),
    el(
      'footer',
      {},
      `Lockstep ${VERSION} (report generated ${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}) from detection run ${saved.runId} of ${ctx.storeName}. `,
      'Coordinated behaviour is a pattern in the data, not a finding about intent or identity.',
    ),
  ];
  const hash = createHash('sha256').update(REPORT_CSS).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>\n${el(
    'html',
    { lang: 'en' },
    el(
      'head',
      {},
      trusted('<meta charset="utf-8">'),
      trusted(`<meta http-equiv="Content-Security-Policy" content="${csp}">`),
      trusted('<meta name="referrer" content="no-referrer">'),
      trusted('<meta name="viewport" content="width=device-width, initial-scale=1">'),
      el('title', {}, `Coordinated behaviour report: ${ctx.storeName}, run ${saved.runId}`),
      trusted(`<style>${REPORT_CSS}</style>`),
    ),
    el('body', {}, body),
  )}\n`;
}

interface Ctx {
  result: SavedResult;
  runId: number;
  createdAt: string;
  storeName: string;
  amplified: AmplificationResult | null;
  created: Map<string, { t: string; a: number; b: number }[]>;
  pages: number;
  members: number;
  rejects: number;
}

/** The anchor of a cluster's page (by rank, since ids come from the result file). */
const anchor = (i: number) => `cluster-${i + 1}`;

function header(ctx: Ctx): Html {
  const d = ctx.result.data;
  return el(
    'header',
    {},
    el('h1', {}, 'Coordinated behaviour report'),
    el(
      'p',
      { class: 'sub' },
      `Store ${ctx.storeName} · detection run ${ctx.runId} of ${when(ctx.createdAt)} · Lockstep ${ctx.result.tool.version} · data from ${when(d.span.start)} to ${when(d.span.end)}`,
    ),
    el(
      'p',
      { class: 'note' },
      'This report measures behaviour. A cluster is a set of accounts that acted on the same posts, links, hashtags or texts within seconds or minutes of each other far more often than their own activity and the popularity of those things explain. It says ',
      el('b', {}, 'coordinated'),
      ', not guilty: open, authentic coordination (a campaign, an outlet\u2019s accounts, a live audience) also acts in lockstep, and the report marks the patterns it shows. It does not say who runs the accounts or why.',
    ),
    el(
      'nav',
      { class: 'toc' },
      el('b', {}, 'Contents: '),
      [
        ['summary', 'Summary'],
        ['clusters', 'Clusters'],
        ['amplification', 'Amplification'],
        ['echoes', 'Echoes'],
        ['behind', 'Who is behind it'],
        ['method', 'Method and parameters'],
        ['limits', 'Limits and confidence'],
        ['reproduce', 'Reproducibility'],
      ].map(([id, label], i) => [i ? ' · ' : '', el('a', { href: `#${id}` }, label)]),
    ),
  );
}

function summary(ctx: Ctx): Html {
  const r = ctx.result;
  const byConfidence = (c: string) => r.clusters.filter((x) => x.confidence === c).length;
  const flagged = r.clusters.filter(isFlagged);
  const flaggedAccounts = flagged.reduce((a, c) => a + c.size, 0);
  const layout = networkLayout(r);
  const index = new Map(r.clusters.map((c, i) => [c.id, i]));
  const net = networkFigure({
    clusters: layout.clusters.map((c) => ({ ...c, color: hex(index.get(c.id) ?? 0) })),
    nodes: r.clusters.flatMap((c) =>
      c.members.map((m) => ({
        key: m.key,
        ...layout.nodes.get(m.key)!,
        cluster: c.id,
        size: m.posts,
        label: `${m.handle ? `@${m.handle}` : m.accountId} (${c.id})`,
      })),
    ),
    edges:
      r.edges.length > 20_000 ? [...r.edges].sort((a, b) => b.weight - a.weight).slice(0, 20_000) : r.edges,
  });
  return section(
    'summary',
    'Summary',
    el(
      'div',
      { class: 'kpis' },
      kpi(n(r.data.posts), `posts by ${n(r.data.accounts)} accounts`),
      kpi(
        r.data.platforms.join(', ') || '-',
        `platform${r.data.platforms.length === 1 ? '' : 's'}, ${r.data.timeResolution} timestamps`,
      ),
      kpi(
        n(r.clusters.length),
        `clusters: ${byConfidence('high')} high, ${byConfidence('medium')} medium, ${byConfidence('low')} low confidence`,
      ),
      kpi(n(r.stats.accountsInClusters), 'accounts in clusters'),
      kpi(n(flaggedAccounts), `accounts in ${flagged.length} clusters with no sign of open coordination`),
      kpi(n(r.stats.significantPairs), `significant pairs of ${n(r.stats.pairsTested)} tested`),
    ),
    r.clusters.length
      ? el(
          'ul',
          {},
          r.clusters.slice(0, 8).map((c, i) =>
            el(
              'li',
              {},
              i < ctx.pages ? el('a', { href: `#${anchor(i)}` }, c.id) : c.id,
              ' ',
              badge(c.confidence),
              `: ${n(c.size)} accounts, ${c.days} day${c.days === 1 ? '' : 's'}, median ${dur(c.medianDeltaSeconds)} apart, mostly ${c.signals
                .slice(0, 2)
                .map((s) => `${s.signal} (${pct(s.share)})`)
                .join(' and ')}`,
              c.openIndicators.length
                ? el(
                    'span',
                    { class: 'open' },
                    ` · shows signs of open coordination: ${c.openIndicators.join(', ')}`,
                  )
                : '',
              c.fingerprint?.rhythm.offset.minutes != null
                ? ` · operators likely at ${offsetLabel(c.fingerprint.rhythm.offset.minutes)} (${c.fingerprint.rhythm.offset.confidence})`
                : '',
            ),
          ),
        )
      : el(
          'p',
          {},
          'No cluster passed the tests: nothing in this data acts in lockstep beyond what chance and popularity explain, under these parameters.',
        ),
    r.clusters.length > 0 &&
      figure(
        net,
        'Figure 1. The clustered accounts: one disc per cluster, a dot per account (larger: more posts), lines for significant pairs. Colours as in the GEXF export.',
      ),
  );
}

function clustersTable(ctx: Ctx): Html {
  const rows = ctx.result.clusters.slice(0, 500).map((c, i) => [
    i < ctx.pages ? el('a', { href: `#${anchor(i)}` }, c.id) : c.id,
    n(c.size),
    badge(c.confidence),
    c.score.toFixed(2),
    pText(c.log10P),
    `${c.days}`,
    dur(c.medianDeltaSeconds),
    c.signals
      .filter((s) => s.share >= 0.05)
      .map((s) => `${s.signal} ${pct(s.share)}`)
      .join(', '),
    c.openIndicators.length ? el('span', { class: 'open' }, c.openIndicators.join(', ')) : '-',
  ]);
  return section(
    'clusters',
    'Clusters',
    el(
      'p',
      {},
      'Ranked by score; clusters that show a sign of open coordination are listed after the others. Each of the first ',
      String(ctx.pages),
      ' has a page below with its fingerprint and evidence.',
    ),
    table(
      [
        'cluster',
        ['accounts', 'num'],
        'confidence',
        ['score', 'num'],
        ['group test', 'num'],
        ['days', 'num'],
        ['median gap', 'num'],
        'signals',
        'open indicators',
      ],
      rows,
    ),
    ctx.result.clusters.length > 500 &&
      el(
        'p',
        { class: 'sub' },
        `The first 500 of ${n(ctx.result.clusters.length)} clusters; clusters.csv lists them all.`,
      ),
  );
}

function amplificationSection(ctx: Ctx): Html {
  const a = ctx.amplified;
  if (!a)
    return section(
      'amplification',
      'Amplification',
      el(
        'p',
        {},
        ctx.result.clusters.filter(isFlagged).length
          ? 'Not computed for this report.'
          : 'No cluster is flagged (every cluster shows a sign of open coordination), so nothing is counted as manufactured.',
      ),
    );
  const kinds = a.kinds.map(
    (k) =>
      `${k.kind}s: ${n(k.flaggedPosts)} of ${n(k.posts)} uses (${pct(k.posts ? k.flaggedPosts / k.posts : 0)})`,
  );
  const label = (kind: string) =>
    ({
      hashtag: 'Hashtags',
      link: 'Links',
      domain: 'Sites (domains)',
      'text-family': 'Texts (near-duplicate families)',
    })[kind] ?? kind;
  const tables = a.kinds
    .filter((k) => a.items.some((i) => i.kind === k.kind))
    .map((k) =>
      el(
        'div',
        {},
        el('h3', {}, label(k.kind)),
        table(
          [
            '#',
            'item',
            ['posts', 'num'],
            ['accounts', 'num'],
            ['by flagged clusters', 'num'],
            ['lower bound', 'num'],
            'first posted by',
          ],
          a.items
            .filter((i) => i.kind === k.kind)
            .map((i) => [
              String(i.kindRank),
              i.kind === 'link' || i.kind === 'domain'
                ? el('span', { class: 'url' }, i.label)
                : dataText(i.label),
              n(i.posts),
              n(i.accounts),
              pct(i.postShare),
              pct(i.postShareLower),
              i.firstSeen.flagged
                ? 'a flagged account'
                : i.leadSeconds !== null
                  ? `another account, ${dur(i.leadSeconds)} before`
                  : 'another account',
            ]),
        ),
      ),
    );
  const top = a.items
    .filter((i) => i.kind === 'hashtag')
    .slice(0, 2)
    .concat(a.items.filter((i) => i.kind !== 'hashtag').slice(0, 1));
  return section(
    'amplification',
    'Amplification',
    el(
      'p',
      {},
      `How much of each hashtag, link, site and text the ${n(a.flagged.sets)} flagged clusters (${n(a.flagged.accounts)} accounts; clusters with signs of open coordination left out) produced, in this collection: `,
      kinds.join('; '),
      '. Items are ranked by the lower bound of the Wilson interval of the flagged share, so small items do not outrank large ones.',
    ),
    el(
      'div',
      { class: 'figrow' },
      top.map((i) =>
        figure(
          coordinatedBars(i.series, {
            title: i.label.length > 60 ? `${i.label.slice(0, 59)}…` : i.label,
            width: 470,
          }),
        ),
      ),
    ),
    top.length > 0 &&
      el('p', { class: 'sub' }, 'Posts over time: by flagged clusters (red) and by everyone else (grey).'),
    tables,
    el(
      'p',
      { class: 'note caveat' },
      'Shares are of the collected data, not of the platform: a collection built on a campaign\u2019s own hashtags over-represents it.',
    ),
  );
}

function method(ctx: Ctx): Html {
  const p = ctx.result.params;
  const s = ctx.result.stats;
  const rows = SIGNALS.map((d) => {
    const sp = p.signals[d.name];
    const st = s.signals[d.name];
    return [
      d.title,
      sp?.enabled ? 'yes' : 'no',
      sp?.enabled
        ? `${sp.window} s (${sp.windowSource}${sp.windowEstimate !== null && sp.windowSource === 'user' ? `; estimate ${sp.windowEstimate} s` : ''})`
        : '-',
      sp?.enabled
        ? Object.entries(sp.options)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '-'
        : '-',
      st ? n(st.actions) : '-',
      st ? n(st.pairs) : '-',
      st ? n(st.edges) : '-',
      d.description,
    ];
  });
  return section(
    'method',
    'Method and effective parameters',
    el(
      'p',
      {},
      'Every signal lists actions (an account acting on an object at a time). Two actions on the same object within the signal\u2019s window are a co-action. Each pair of accounts\u2019 co-actions are compared with a null model that keeps each account\u2019s activity and each object\u2019s popularity (a Poisson tail bound), the pairs are tested together with a Benjamini-Hochberg false discovery rate, the significant pairs form a graph, Louvain communities of that graph are tested again as groups, and each cluster comes with its evidence: the actual posts side by side. Windows left to the data are estimated per signal (CooRnet\u2019s method). Details: docs/method.md.',
    ),
    table(
      [
        'signal',
        'run',
        'window',
        'options',
        ['actions', 'num'],
        ['pairs', 'num'],
        ['edges', 'num'],
        'what counts',
      ],
      rows,
    ),
    table(
      ['parameter', 'value', 'meaning'],
      [
        [
          'min participation',
          String(p.minParticipation),
          'co-actions (distinct post pairs) a pair needs to be tested',
        ],
        [
          'false discovery rate',
          String(p.fdr),
          `Benjamini-Hochberg over ${n(s.pairsTested)} pairs; ${n(s.significantPairs)} significant (p <= ${s.pThreshold.toPrecision(3)})`,
        ],
        [
          'crowd cap',
          String(p.crowdCap),
          'windows of one object with more actions are set aside (not expanded into pairs)',
        ],
        ['min cluster size', String(p.minClusterSize), 'smaller clusters are not reported'],
        ['neighbours', String(p.neighbours), 'strongest significant edges kept per account for clustering'],
        ['seed', String(p.seed), 'seed of the clustering and of every hash'],
      ],
    ),
  );
}

function limits(ctx: Ctx): Html {
  return section(
    'limits',
    'Limits and how to read the confidence',
    table(
      ['confidence', 'rule', 'reading'],
      [
        [
          badge('high'),
          'group test log10 p \u2264 \u221210, active on 3 days or more, density \u2265 0.2',
          'repeated, dense, far beyond chance: the accounts act in lockstep',
        ],
        [
          badge('medium'),
          'log10 p \u2264 \u22124, on 2 days or more',
          'beyond chance, but sparse or short: read the evidence',
        ],
        [
          badge('low'),
          'anything else that passed the tests',
          'one burst or a thin signal: a lead, not a finding',
        ],
      ],
    ),
    el(
      'p',
      {},
      'The confidence is about coordination, not about deception or about who is behind it. The p-values are upper bounds that treat co-actions as independent; they rank and screen, they are not calibrated probabilities.',
    ),
    el('h3', {}, 'Open, authentic coordination'),
    el(
      'p',
      {},
      'Syndicated outlets, an organisation\u2019s several accounts, campaigns with a suggested text and hour, fans live-posting an event, press releases and share buttons also act in lockstep. Two patterns are marked on every cluster: ',
      el('b', {}, 'single-episode'),
      ' (all co-actions on one day) and ',
      el('b', {}, 'shared-name'),
      ' (the members present themselves under one name). Neither is a verdict either way.',
    ),
    el('h3', {}, 'What this run cannot see'),
    el(
      'ul',
      {},
      ctx.result.limits.map((l) => el('li', {}, l)),
      el(
        'li',
        {},
        'Coordination hidden in crowds larger than the crowd cap is not seen; paraphrased or translated texts escape the near-duplicate signal.',
      ),
      el(
        'li',
        {},
        'Accounts on different platforms are different accounts; identity across platforms is not inferred.',
      ),
      el(
        'li',
        {},
        'Fingerprints (time zone, creation batches, templates) compare each cluster with the rest of the store: in a collection that holds little besides the network, the baselines are weak. A VPN, a scheduler or shift work changes when posts appear.',
      ),
      ctx.rejects > 0 &&
        el(
          'li',
          {},
          `${n(ctx.rejects)} input rows could not be read and were kept aside (lockstep rejects lists them with file, line and reason).`,
        ),
    ),
  );
}

function reproducibility(ctx: Ctx): Html {
  const p = ctx.result.params;
  const enabled = Object.entries(p.signals).filter(([, s]) => s.enabled);
  const command = [
    'lockstep detect --db STORE',
    `--signals ${enabled.map(([k]) => k).join(',')}`,
    ...enabled.filter(([, s]) => s.windowSource === 'user').map(([k, s]) => `--window ${k}=${s.window}`),
    ...enabled.flatMap(([k, s]) =>
      Object.entries(s.options).map(([o, v]) => `--signal-option ${k}.${o}=${v}`),
    ),
    `--min-participation ${p.minParticipation} --fdr ${p.fdr} --crowd-cap ${p.crowdCap} --min-cluster-size ${p.minClusterSize} --seed ${p.seed}`,
  ].join(' ');
  return section(
    'reproduce',
    'Reproducibility',
    el(
      'p',
      {},
      `Made by Lockstep ${ctx.result.tool.version} on ${ctx.result.createdAt}; this report by Lockstep ${VERSION}. Given the same input files (below, with their SHA-256) and these parameters, detection gives the same clusters: every stage is deterministic and seeded.`,
    ),
    table(
      ['file', 'sha256', 'format', ['rows', 'num'], 'ingested'],
      ctx.result.inputs.map((f) => [
        dataText(f.file),
        el('span', { class: 'url' }, f.sha256 ?? '-'),
        f.format,
        n(f.rows),
        when(f.ingestedAt),
      ]),
    ),
    el(
      'p',
      {},
      'To run the same detection on a store made from these files (windows marked estimated are estimated again from the same data):',
    ),
    el('pre', {}, command),
    el(
      'p',
      { class: 'sub' },
      'The full result (every cluster, member, edge and evidence post) is in the store as this run, and exportable as JSON, GEXF, GraphML and CSV (lockstep report --gexf/--graphml/--csv, or the workbench).',
    ),
  );
}

function clusterPage(ctx: Ctx, c: SavedCluster, i: number): Html {
  const f = c.fingerprint;
  const r = f?.rhythm;
  const created = ctx.created.get(c.id) ?? [];
  const figures: Html[] = [];
  if (r) {
    figures.push(figure(weekHeatmap(r.hourOfWeekUtc, 'UTC', 'Posts by hour of the week (UTC)')));
    if (r.offset.minutes !== null && r.offset.minutes !== 0)
      figures.push(
        figure(
          weekHeatmap(
            r.hourOfWeekLocal,
            offsetLabel(r.offset.minutes),
            `The same at the estimated ${offsetLabel(r.offset.minutes)}`,
          ),
        ),
      );
  }
  if (created.length)
    figures.push(
      figure(
        timeBars(created, {
          title: 'Accounts created',
          unit: 'accounts',
          stacked: false,
          minBin: 86_400_000,
          width: 470,
        }),
      ),
    );
  const facts: Child[] = [];
  if (r) {
    facts.push(
      el(
        'li',
        {},
        `Working rhythm: ${r.officeHours.verdict}`,
        r.officeHours.verdict !== 'insufficient data'
          ? ` (a workday shift explains ${pct(r.officeHours.officeShare)} of the activity; workdays ${r.officeHours.weekendRatio.toFixed(1)}x as busy as ${r.officeHours.daysOff.join('/')})`
          : '',
      ),
      el(
        'li',
        {},
        r.offset.minutes === null
          ? 'Operators\u2019 time zone: too few posts to estimate.'
          : `Operators likely at ${offsetLabel(r.offset.minutes)}${r.offset.interval ? ` (95% interval ${offsetLabel(r.offset.interval[0])} to ${offsetLabel(r.offset.interval[1])})` : ''}, ${r.offset.confidence} confidence, from the ${r.offset.basis}.`,
        r.locations.contradicts ? ' Most stated locations point elsewhere.' : '',
      ),
    );
  }
  if (f) {
    const cr = f.creation;
    facts.push(
      el(
        'li',
        {},
        cr.dated
          ? `Created ${cr.first} to ${cr.last}; ${cr.batchCount} significant batch${cr.batchCount === 1 ? '' : 'es'} holding ${pct(cr.shareInBatches)} of the ${n(cr.dated)} dated accounts.`
          : 'No creation dates in the data.',
      ),
    );
    const t = f.identity.templates.find((x) => x.significant);
    if (t)
      facts.push(
        el(
          'li',
          {},
          `Handle shape ${t.template}: ${pct(t.share)} of members against ${pct(t.populationShare)} of the population (e.g. `,
          dataText(`@${t.example}`),
          ').',
        ),
      );
    if (f.cadence.judged)
      facts.push(
        el(
          'li',
          {},
          `Posting cadence: ${f.cadence.scripted} of ${f.cadence.judged} accounts with enough posts look scripted.`,
        ),
      );
  }
  const members = c.members.slice(0, ctx.members);
  return el(
    'section',
    { class: 'cluster', id: anchor(i) },
    el('h2', {}, `Cluster ${c.id} `, badge(c.confidence)),
    el(
      'p',
      { class: 'lead' },
      `${n(c.size)} accounts; ${n(c.observed)} co-actions among them against ${c.expected.toFixed(1)} expected by chance (${pText(c.log10P)}); active on ${c.days} day${c.days === 1 ? '' : 's'} from ${when(c.first)} to ${when(c.last)}; median gap ${dur(c.medianDeltaSeconds)}; density ${c.density.toFixed(2)}; score ${c.score.toFixed(2)}.`,
    ),
    c.openIndicators.length > 0 &&
      el('p', { class: 'note' }, `Signs of open coordination: ${c.openIndicators.join(', ')}.`),
    c.notes.length > 0 &&
      el(
        'ul',
        {},
        c.notes.map((x) => el('li', {}, x)),
      ),
    el('h3', {}, 'Signals'),
    figure(signalMix(c.signals, SIGNAL_COLORS)),
    facts.length > 0 && [el('h3', {}, 'Fingerprint'), el('ul', {}, facts)],
    figures.length > 0 && el('div', { class: 'figrow' }, figures),
    el('h3', {}, 'Evidence'),
    c.evidence.length
      ? c.evidence.map((e, k) =>
          el(
            'div',
            { class: 'evidence' },
            el(
              'h4',
              {},
              `${k + 1}. ${e.signal}: ${e.accounts} members on the ${e.objectLabel} `,
              dataText(e.object, e.signal === 'shared-link' ? 'url' : 'data'),
              ` within ${dur(e.spanSeconds)}`,
            ),
            table(
              [['time (UTC)', 'time'], ['after first', 'num'], 'account', 'post'],
              e.posts.map((p) => [
                p.createdAt.replace('T', ' ').replace('Z', ''),
                `+${dur(p.deltaSeconds)}`,
                dataText(p.handle ? `@${p.handle}` : p.accountId),
                [
                  dataText(p.text),
                  p.urls.length
                    ? [trusted('<br>'), p.urls.map((u) => el('span', { class: 'url' }, u, ' '))]
                    : null,
                ],
              ]),
            ),
          ),
        )
      : el('p', {}, 'No evidence kept for this cluster (detect --evidence 0).'),
    el(
      'h3',
      {},
      `Members (${members.length < c.size ? `the ${members.length} strongest of ${n(c.size)}` : n(c.size)})`,
    ),
    table(
      ['account', 'name', ['posts', 'num'], ['strength', 'num'], ['co-actions', 'num']],
      members.map((m) => [
        dataText(m.handle ? `@${m.handle}` : m.accountId),
        dataText(m.displayName),
        n(m.posts),
        pct(m.strength),
        n(m.coActions),
      ]),
    ),
  );
}
