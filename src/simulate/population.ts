/**
 * Who is in the simulated month: organic accounts (with heavy-tailed activity, home time zones,
 * influencers, journalists, news outlets), open groups (an outlet's syndicated accounts, a campaign's
 * organiser) and the planted operations' accounts (created in batches during the operators' office
 * hours, with templated handles and bios and personas that claim to live elsewhere).
 */
import {
  LANGS,
  type Lang,
  type OperationConfig,
  operationSize,
  type Persona,
  type SimulationConfig,
} from './config.js';
import {
  BIO_PARTS,
  CAUSES,
  CLIENTS,
  EMOJI,
  FIRST,
  FRONT_SITES,
  LAST,
  NATIVE_NAMES,
  NEWS_SITES,
  PERSONA_BIOS,
  PLACES,
  WORDS,
  ZONES,
} from './lexicon.js';
import type { Role, SimAccount } from './model.js';
import { Alias, type Rng } from './random.js';
import { fillHandle } from './text.js';

const DAY = 86_400_000;
/** Twitter's snowflake epoch (2010-11-04). */
const SNOWFLAKE_EPOCH = 1_288_834_974_657;

export interface OperationState {
  config: OperationConfig;
  accounts: SimAccount[];
  core: SimAccount[];
  active: SimAccount[];
  sleepers: SimAccount[];
  hashtags: string[];
  sites: string[];
  batches: { date: string; count: number }[];
}

export interface Population {
  accounts: SimAccount[];
  organic: SimAccount[];
  byLang: Record<Lang, SimAccount[]>;
  /** Activity-weighted draws of organic accounts per language. */
  pickers: Record<Lang, Alias>;
  influencers: Record<Lang, SimAccount[]>;
  journalists: Record<Lang, SimAccount[]>;
  outlets: SimAccount[];
  syndicated: SimAccount[][];
  operations: OperationState[];
}

function snowflake(rng: Rng, time: number): string {
  if (time < SNOWFLAKE_EPOCH) return String(rng.int(10_000_000, 230_000_000));
  return ((BigInt(Math.floor(time - SNOWFLAKE_EPOCH)) << 22n) | BigInt(rng.int(0, 4_194_303))).toString();
}

/** Expected posts an organic account adds through events (cascades, news, petitions, campaigns). */
function eventPostsPerAccount(c: SimulationConfig): number {
  const h = c.hardNegatives;
  const en = c.organic.languages.en / Object.values(c.organic.languages).reduce((a, b) => a + b, 0);
  return (
    h.cascadesPerDay * c.days * h.cascadeShare * Math.exp(0.32) +
    h.newsEvents * h.newsShare +
    h.petitions * h.petitionShare +
    h.campaigns * h.campaignShare * 1.4 +
    en * h.shareButtonArticles * c.days * h.shareButtonShare * Math.exp(0.245)
  );
}

/** Expected posts of one operation account in the month. */
function operationPostsPerAccount(o: OperationConfig, days: number): number {
  const workdays = (days * o.workdays.length) / 7;
  const active = workdays * (o.ordersPerDay * o.participation + o.camouflagePerDay);
  const sleeper = workdays * (o.ordersPerDay * o.sleeperJoin + 0.1);
  return (1 - o.sleeperShare) * active + o.sleeperShare * sleeper;
}

export function planSizes(c: SimulationConfig): { organic: number; operation: Map<string, number> } {
  const operation = new Map(c.operations.map((o) => [o.id, operationSize(c, o)]));
  let opPosts = 0;
  for (const o of c.operations) opPosts += operation.get(o.id)! * operationPostsPerAccount(o, c.days);
  const syndication = c.hardNegatives.syndicatedOutlets * 3 * 14 * c.days * Math.sqrt(c.posts / 1_000_000);
  const meanMonthly = c.organic.postsMedian * Math.exp(c.organic.postsSigma ** 2 / 2) * (c.days / 30);
  const organic = Math.max(
    200,
    Math.round((c.posts - opPosts - syndication) / (meanMonthly + eventPostsPerAccount(c))),
  );
  return { organic, operation };
}

function pickWeighted<T>(rng: Rng, items: [T, number][]): T {
  let r = rng.next() * items.reduce((a, [, w]) => a + w, 0);
  for (const [item, w] of items) {
    r -= w;
    if (r <= 0) return item;
  }
  return items[items.length - 1]![0];
}

const ORGANIC_HANDLES = [
  '{first}{last}',
  '{first}_{last}',
  '{first}{last}dd',
  '{word}{word}',
  'the{word}{first}',
  '{first}dd',
  '{last}{first}',
  '{first}_{word}',
  '{word}_{first}d',
];

export function buildPopulation(c: SimulationConfig, rng: Rng): Population {
  const start = Date.parse(`${c.start}T00:00:00Z`);
  const sizes = planSizes(c);
  const accounts: SimAccount[] = [];
  const handles = new Set<string>();
  const uniqueHandle = (h: string) => {
    let handle = h.replace(/[^A-Za-z0-9_]/g, '').slice(0, 15) || `user${rng.int(1000, 9999)}`;
    while (handles.has(handle.toLowerCase())) handle = `${handle.slice(0, 11)}${rng.int(10, 9999)}`;
    handles.add(handle.toLowerCase());
    return handle;
  };
  const langWeights = LANGS.map((l) => [l, c.organic.languages[l] ?? 0] as [Lang, number]);

  const organic = (role: Role, lang: Lang): SimAccount => {
    const [offset, , persona] = pickWeighted(
      rng,
      ZONES[lang].map((z) => [z, z[1]] as [[number, number, Persona], number]),
    );
    const first = rng.pick(FIRST[persona]);
    const last = rng.pick(LAST[persona]);
    const native = NATIVE_NAMES[lang];
    const name =
      native && rng.chance(0.6)
        ? `${rng.pick(native)}${rng.chance(0.5) ? '' : ` ${rng.pick(native)}`}`
        : `${first} ${last}`;
    const created = start - DAY * Math.floor(30 + rng.next() ** 0.7 * 5000);
    const bio = rng.chance(0.3)
      ? ''
      : rng.sample(BIO_PARTS[lang], rng.int(1, 3)).join(' | ') +
        (rng.chance(0.3) ? ` ${rng.pick(EMOJI)}` : '');
    const repostShare = Math.min(0.9, Math.max(0, rng.normal(c.organic.mix.repost, 0.15)));
    const rest = 1 - repostShare;
    const base = c.organic.mix.post + c.organic.mix.reply + c.organic.mix.quote || 1;
    const a: SimAccount = {
      idx: accounts.length,
      id: snowflake(rng, created),
      handle: uniqueHandle(fillHandle(rng, rng.pick(ORGANIC_HANDLES), first, last)),
      name,
      bio,
      location: rng.chance(0.35)
        ? ''
        : rng.chance(0.9)
          ? rng.pick(PLACES[persona])
          : rng.pick(['Earth', 'somewhere', 'here and there', '🌍', 'Planet Earth']),
      url: rng.chance(0.1)
        ? `https://${rng.pick(['linktr.ee', 'blog.example', 'about.example'])}/${rng.int(100, 99999)}`
        : null,
      createdAt: created + rng.int(0, DAY - 1),
      followers: Math.round(rng.lognormal(150, 1.4)),
      following: Math.round(rng.lognormal(250, 1)),
      lang,
      persona,
      offset,
      monthly: Math.min(3000, rng.lognormal(c.organic.postsMedian, c.organic.postsSigma)) * (c.days / 30),
      peakShift: rng.normal(0, 1.5),
      weekendFactor: rng.lognormal(1, 0.3),
      repostShare,
      replyShare: (rest * c.organic.mix.reply) / base,
      quoteShare: (rest * c.organic.mix.quote) / base,
      client: rng.pick(CLIENTS),
      verified: false,
      label: 'organic',
      role,
    };
    accounts.push(a);
    return a;
  };

  const byLang = { en: [], fa: [], ar: [], ru: [], es: [] } as Record<Lang, SimAccount[]>;
  for (let i = 0; i < sizes.organic; i++) {
    const a = organic('regular', pickWeighted(rng, langWeights));
    byLang[a.lang].push(a);
  }
  // Influencers: the most followed; journalists: reply-swarm targets.
  const influencers = { en: [], fa: [], ar: [], ru: [], es: [] } as Record<Lang, SimAccount[]>;
  const journalists = { en: [], fa: [], ar: [], ru: [], es: [] } as Record<Lang, SimAccount[]>;
  const nJournalists = Math.max(LANGS.length * 2, Math.round((c.organic.journalists * c.posts) / 1_000_000));
  for (const lang of LANGS) {
    const pool = byLang[lang];
    const nInf = Math.max(3, Math.round(pool.length * c.organic.influencerShare));
    for (const a of rng.sample(pool, nInf)) {
      a.role = 'influencer';
      a.followers = Math.round(rng.lognormal(80_000, 1.2));
      a.verified = rng.chance(0.6);
      a.monthly = Math.max(a.monthly, rng.lognormal(90, 0.5));
      influencers[lang].push(a);
    }
    const regulars = pool.filter((a) => a.role === 'regular');
    const nJ = Math.max(2, Math.round((nJournalists * pool.length) / Math.max(1, sizes.organic)));
    for (const a of rng.sample(regulars, nJ)) {
      a.role = 'journalist';
      a.followers = Math.round(rng.lognormal(12_000, 1));
      a.bio = `${lang === 'en' ? 'Journalist' : lang === 'es' ? 'Periodista' : lang === 'fa' ? 'خبرنگار' : lang === 'ar' ? 'صحفي' : 'Журналист'} | ${rng.pick(BIO_PARTS[lang])}`;
      a.monthly = Math.max(a.monthly, rng.lognormal(60, 0.4));
      a.repostShare = 0.15;
      journalists[lang].push(a);
    }
  }
  // News outlets (one account per site) and syndicated outlets (several accounts posting the same feed).
  const outlets: SimAccount[] = [];
  for (const site of NEWS_SITES) {
    const a = organic('outlet', 'en');
    a.handle = uniqueHandle(site.split('.')[0]!);
    a.name = site.split('.')[0]!.replace(/^\w/, (x) => x.toUpperCase());
    a.url = `https://${site}`;
    a.followers = Math.round(rng.lognormal(300_000, 0.8));
    a.verified = true;
    a.monthly = rng.lognormal(200, 0.3);
    a.repostShare = 0;
    a.client = 'SocialFlow';
    outlets.push(a);
  }
  const syndicated: SimAccount[][] = [];
  for (let g = 0; g < c.hardNegatives.syndicatedOutlets; g++) {
    const site = NEWS_SITES[g % NEWS_SITES.length]!;
    const base = site.split('.')[0]!;
    const group: SimAccount[] = [];
    for (const suffix of ['news', 'world', 'live']) {
      const a = organic('syndicated', 'en');
      a.handle = uniqueHandle(`${base.slice(0, 9)}_${suffix}`);
      a.name = `${base} ${suffix}`;
      a.url = `https://${site}`;
      a.monthly = 0;
      a.client = 'dlvr.it';
      a.group = `syndication:${site}`;
      group.push(a);
    }
    syndicated.push(group);
  }

  const all = accounts.filter((a) => a.role !== 'outlet' && a.role !== 'syndicated');
  const pickers = {} as Record<Lang, Alias>;
  for (const lang of LANGS) {
    byLang[lang] = all.filter((a) => a.lang === lang);
    pickers[lang] = new Alias(byLang[lang].length ? byLang[lang].map((a) => a.monthly + 1) : [1]);
  }

  const operations = c.operations.map((o, i) =>
    buildOperation(o, i, sizes.operation.get(o.id)!, rng.fork(o.id), accounts, uniqueHandle, start),
  );
  return {
    accounts,
    organic: all,
    byLang,
    pickers,
    influencers,
    journalists,
    outlets,
    syndicated,
    operations,
  };
}

function buildOperation(
  o: OperationConfig,
  index: number,
  size: number,
  rng: Rng,
  accounts: SimAccount[],
  uniqueHandle: (h: string) => string,
  start: number,
): OperationState {
  // Creation batches: days between 200 and 20 days before the month, accounts made one after another
  // from the start of the operators' shift.
  const batchDays = Array.from(
    { length: Math.max(1, o.creationBatches) },
    () => start - DAY * rng.int(20, 200),
  ).sort((a, b) => a - b);
  const batchOf = Array.from({ length: size }, () => rng.int(0, batchDays.length - 1)).sort((a, b) => a - b);
  const counts = new Map<number, number>();
  const cursor = new Map<number, number>();
  const ops: SimAccount[] = [];
  const nCore = Math.max(1, Math.round(size * o.coreShare));
  const nSleep = Math.round(size * o.sleeperShare);
  for (let i = 0; i < size; i++) {
    const batch = batchOf[i]!;
    counts.set(batch, (counts.get(batch) ?? 0) + 1);
    const shiftStart = batchDays[batch]! + (o.shift[0] * 60 - o.operatorOffsetMinutes) * 60_000;
    const created = (cursor.get(batch) ?? shiftStart) + rng.exponential(4 * 60_000);
    cursor.set(batch, created);
    const first = rng.pick(FIRST[o.persona]);
    const last = rng.pick(LAST[o.persona]);
    const lang = i % 4 === 3 && o.languages.length > 1 ? o.languages[1]! : o.languages[0]!;
    const role: Role = i < nCore ? 'core' : i < nCore + nSleep ? 'sleeper' : 'amplifier';
    const bio = rng
      .pick(PERSONA_BIOS)
      .replace('{place}', rng.pick(PLACES[o.persona]).split(',')[0]!)
      .replace('{cause}', rng.pick(CAUSES))
      .replace('{emoji}', rng.pick(EMOJI));
    const a: SimAccount = {
      idx: accounts.length,
      id: snowflake(rng, created),
      handle: uniqueHandle(fillHandle(rng, o.handleTemplate, first, last)),
      name: `${first} ${last}`,
      bio,
      location: rng.pick(PLACES[o.persona]),
      url: null,
      createdAt: Math.round(created),
      followers: Math.round(rng.lognormal(60, 1)),
      following: Math.round(rng.lognormal(400, 0.5)),
      lang,
      persona: o.persona,
      offset: o.operatorOffsetMinutes,
      monthly: 0,
      peakShift: 0,
      weekendFactor: 0,
      repostShare: 0,
      replyShare: 0,
      quoteShare: 0,
      client: rng.chance(0.8) ? 'Twitter Web App' : 'Twitter for Android',
      verified: false,
      label: 'operation',
      role,
      operation: o.id,
      batch,
      operator: Math.floor(i / Math.max(1, o.accountsPerOperator)),
    };
    accounts.push(a);
    ops.push(a);
  }
  const tagLang = o.languages[0]!;
  const hashtags = Array.from({ length: 6 }, () => {
    const w = WORDS[tagLang === 'en' || tagLang === 'es' ? tagLang : 'en'];
    return `${rng.pick(['Stand', 'Free', 'Save', 'Stop', 'Justice', 'Truth', 'Wake', 'Defend'])}${rng
      .pick(w)
      .replace(/[^\p{L}]/gu, '')
      .replace(/^\p{Ll}/u, (x) => x.toUpperCase())}${rng.chance(0.4) ? String(rng.int(1, 99)) : ''}`;
  });
  return {
    config: o,
    accounts: ops,
    core: ops.filter((a) => a.role === 'core'),
    active: ops.filter((a) => a.role !== 'sleeper'),
    sleepers: ops.filter((a) => a.role === 'sleeper'),
    hashtags,
    // Two affiliated sites per operation, distinct across operations.
    sites: [
      FRONT_SITES[(2 * index) % FRONT_SITES.length]!,
      FRONT_SITES[(2 * index + 1) % FRONT_SITES.length]!,
    ],
    batches: batchDays.map((d, i) => ({
      date: new Date(d).toISOString().slice(0, 10),
      count: counts.get(i) ?? 0,
    })),
  };
}
