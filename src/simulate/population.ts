/**
 * Who is in the simulated month: organic accounts (with heavy-tailed activity, home time zones,
 * influencers, journalists, news outlets), open groups (an outlet's syndicated accounts, a campaign's
 * organiser) and the planted operations' accounts (created in batches during the operators' office
 * hours, with templated handles and bios and personas that claim to live elsewhere).
 */
import { UsageError } from '../core/errors.js';
import { Alias, type Rng } from '../core/random.js';
import {
  LANGS,
  type Lang,
  type OperationConfig,
  operationSize,
  type Persona,
  type SimulationConfig,
  type Tactic,
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
  /** Creation batches: the operators' local date, the UTC time the first account was made. */
  batches: { date: string; start: number }[];
}

export interface Population {
  accounts: SimAccount[];
  organic: SimAccount[];
  byLang: Record<Lang, SimAccount[]>;
  /** Activity-weighted draws of organic accounts per language. */
  pickers: Record<Lang, Alias>;
  /**
   * Draws for viral retweeters: weights grow with the square root of activity, because a viral post
   * reaches occasional users too (retweeting it only needs being online), not only the heavy posters.
   */
  viralPickers: Record<Lang, Alias>;
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

/** Camouflage posts a sleeper writes per working day. */
export const SLEEPER_CAMOUFLAGE = 0.1;
/** Log-scale sigma of viral cascade sizes around `cascadeShare` (a heavy tail: a few go very big). */
export const CASCADE_SIGMA = 1;
/** Posts a month per news outlet, and per account of a syndicated outlet, at 1M posts (scaled by sqrt). */
const OUTLET_MONTHLY = 200;
const SYNDICATED_DAILY = 14;

/** Days off of an organic account: Friday in Iran and the Gulf (and Saturday there), else the weekend. */
export function isDayOff(persona: Persona, weekday: number): boolean {
  return persona === 'iran'
    ? weekday === 5
    : persona === 'gulf'
      ? weekday === 5 || weekday === 6
      : weekday === 0 || weekday === 6;
}

/** Local weekday of day d of the month (the month starts at UTC midnight of `start`). */
export function weekdayOf(start: number, d: number): number {
  return new Date(start + d * DAY).getUTCDay();
}

const langShares = (c: SimulationConfig): Record<Lang, number> => {
  const total = LANGS.reduce((s, l) => s + (c.organic.languages[l] ?? 0), 0);
  return Object.fromEntries(LANGS.map((l) => [l, (c.organic.languages[l] ?? 0) / total])) as Record<
    Lang,
    number
  >;
};

/**
 * Expected posts an organic account adds through events. A cascade, news event or petition happens
 * in one language (chosen with the language shares p) and reaches a share of that language's
 * accounts, so per account it adds share x sum(p^2) posts, not share: counting it as `share` (as
 * before) overestimated events threefold and left corpora ~5% short of `posts`.
 */
function eventPostsPerAccount(c: SimulationConfig): number {
  const h = c.hardNegatives;
  const p = langShares(c);
  const concentration = LANGS.reduce((s, l) => s + p[l] ** 2, 0);
  return (
    h.cascadesPerDay * c.days * h.cascadeShare * Math.exp(CASCADE_SIGMA ** 2 / 2) * concentration +
    h.newsEvents * h.newsShare * concentration +
    h.petitions * h.petitionShare * concentration +
    h.campaigns * h.campaignShare * p.en +
    p.en * h.shareButtonArticles * c.days * h.shareButtonShare * Math.exp(0.245)
  );
}

/** Posts of events that do not grow with the organic population (origins, outlets' own posts). */
function fixedEventPosts(c: SimulationConfig): number {
  const h = c.hardNegatives;
  const scale = Math.sqrt(c.posts / 1_000_000);
  return (
    h.cascadesPerDay * c.days +
    h.newsEvents * 4 +
    h.campaigns * 2 +
    h.shareButtonArticles * c.days +
    h.syndicatedOutlets * 3 * SYNDICATED_DAILY * c.days * scale +
    NEWS_SITES.length * OUTLET_MONTHLY * Math.exp(0.045) * (c.days / 30) * scale
  );
}

/** Working days of an operation in the month (its operators' local calendar). */
export function workdaysIn(c: SimulationConfig, o: OperationConfig): number {
  const start = Date.parse(`${c.start}T00:00:00Z`);
  let n = 0;
  for (let d = 0; d < c.days; d++) if (o.workdays.includes(weekdayOf(start, d))) n++;
  return n;
}

/** Expected posts of an operation in the month. */
function operationPosts(c: SimulationConfig, o: OperationConfig, size: number): number {
  const workdays = workdaysIn(c, o);
  const active = workdays * (o.ordersPerDay * o.participation + o.camouflagePerDay);
  const sleeper = workdays * (o.ordersPerDay * o.sleeperJoin + SLEEPER_CAMOUFLAGE);
  const perAccount = (1 - o.sleeperShare) * active + o.sleeperShare * sleeper;
  // Retweet rings and link laundering add a seed post per order, reply swarms the journalist's post.
  const weights = Object.entries(o.tactics) as [Tactic, number][];
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const seeded = weights.reduce((s, [t, w]) => s + (t === 'copy-paste' || t === 'hashtag-order' ? 0 : w), 0);
  return size * perAccount + workdays * o.ordersPerDay * (seeded / total);
}

/** Operations write at most this share of a corpus (small corpora shrink them below 8 accounts). */
const MAX_OPERATION_SHARE = 0.4;

/** Posts left for organic accounts' routine and events once operations and fixed events are planned. */
function organicBudget(c: SimulationConfig): { budget: number; operation: Map<string, number> } {
  const operation = new Map(c.operations.map((o) => [o.id, operationSize(c, o)]));
  const opPosts = () => c.operations.reduce((s, o) => s + operationPosts(c, o, operation.get(o.id)!), 0);
  // Operations keep at least 8 accounts each, so in a small corpus they would crowd out organic
  // activity (and the corpus would be twice the posts asked for): shrink them to fit, down to 2.
  const planned = opPosts();
  if (planned > MAX_OPERATION_SHARE * c.posts) {
    const factor = (MAX_OPERATION_SHARE * c.posts) / planned;
    for (const [id, size] of operation) operation.set(id, Math.max(2, Math.round(size * factor)));
  }
  return { budget: c.posts - opPosts() - fixedEventPosts(c), operation };
}

/** Fewest organic accounts: enough for every language to have influencers, journalists and a crowd. */
const MIN_ORGANIC = 200;

export function planSizes(c: SimulationConfig): {
  organic: number;
  operation: Map<string, number>;
  /** Expected routine posts of all organic accounts together (their `monthly` is scaled to it). */
  routine: number;
} {
  const meanMonthly = c.organic.postsMedian * Math.exp(c.organic.postsSigma ** 2 / 2) * (c.days / 30);
  const plan = (posts: number) => {
    const { budget, operation } = organicBudget({ ...c, posts });
    const organic = Math.round(budget / (meanMonthly + eventPostsPerAccount(c)));
    return { operation, organic, fits: budget >= 0.3 * posts && organic >= MIN_ORGANIC };
  };
  const { organic, operation, fits } = plan(c.posts);
  // Too few posts for the operations, the fixed events (cascade origins, outlets' and syndicated
  // feeds' posts) and a minimal organic population: say so instead of writing far more posts than
  // asked for (a 5k-post corpus used to come out at 14k).
  if (!fits) {
    let need = Math.ceil(c.posts / 1000) * 1000;
    while (need < 1e9 && !plan(need).fits) need += 1000;
    throw new UsageError(
      `invalid simulation setting \`posts\`: expecting at least ${need.toLocaleString('en-US')} with these operations and hard negatives, or fewer of them`,
    );
  }
  return { organic, operation, routine: organic * meanMonthly };
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

/** Days of the month weighted by an account's activity (days off count `weekendFactor`). */
function activeDays(c: SimulationConfig, start: number, a: SimAccount): number {
  let n = 0;
  for (let wd = 0; wd < 7; wd++) {
    let days = 0;
    for (let d = wd; d < c.days; d += 7) days++;
    n += days * (isDayOff(a.persona, weekdayOf(start, wd)) ? a.weekendFactor : 1);
  }
  return n;
}

export function buildPopulation(c: SimulationConfig, rng: Rng): Population {
  const start = Date.parse(`${c.start}T00:00:00Z`);
  const sizes = planSizes(c);
  const accounts: SimAccount[] = [];
  const handles = new Set<string>();
  // A taken handle is drawn again from its template (an operation's handles keep their pattern), and
  // only after 20 tries gets a numeric suffix.
  const uniqueHandle = (make: () => string) => {
    const clean = (h: string) => h.replace(/[^A-Za-z0-9_]/g, '').slice(0, 15);
    let handle = clean(make());
    for (let i = 0; i < 20 && (!handle || handles.has(handle.toLowerCase())); i++) handle = clean(make());
    if (!handle) handle = `user${rng.int(1000, 9999)}`;
    while (handles.has(handle.toLowerCase())) handle = `${handle.slice(0, 11)}${rng.int(10, 9999)}`;
    handles.add(handle.toLowerCase());
    return handle;
  };
  // Snowflakes carry 22 random bits per millisecond; two accounts created in the same millisecond
  // could still draw the same id, which would merge them in every export.
  const ids = new Set<string>();
  const uniqueId = (time: number) => {
    let id = snowflake(rng, time);
    while (ids.has(id)) id = snowflake(rng, time);
    ids.add(id);
    return id;
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
    const created = start - DAY * Math.floor(30 + rng.next() ** 0.7 * 5000) + rng.int(0, DAY - 1);
    const bio = rng.chance(0.3)
      ? ''
      : rng.sample(BIO_PARTS[lang], rng.int(1, 3)).join(' | ') +
        (rng.chance(0.3) ? ` ${rng.pick(EMOJI)}` : '');
    const repostShare = Math.min(0.9, Math.max(0, rng.normal(c.organic.mix.repost, 0.15)));
    const rest = 1 - repostShare;
    const base = c.organic.mix.post + c.organic.mix.reply + c.organic.mix.quote || 1;
    const a: SimAccount = {
      idx: accounts.length,
      id: uniqueId(created),
      handle: uniqueHandle(() => fillHandle(rng, rng.pick(ORGANIC_HANDLES), first, last)),
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
      createdAt: created,
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
    a.handle = uniqueHandle(() => site.split('.')[0]!);
    a.name = site.split('.')[0]!.replace(/^\w/, (x) => x.toUpperCase());
    a.url = `https://${site}`;
    a.followers = Math.round(rng.lognormal(300_000, 0.8));
    a.verified = true;
    // Outlets post their own articles every day (scaled like the syndicated feeds).
    a.monthly = rng.lognormal(OUTLET_MONTHLY, 0.3) * (c.days / 30) * Math.sqrt(c.posts / 1_000_000);
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
      a.handle = uniqueHandle(() => `${base.slice(0, 9)}_${suffix}`);
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
  // The routine volume is planned from the mean of the activity distribution, but a heavy tail makes
  // the sum over a few thousand accounts swing by +/-10% (and influencers and journalists are boosted):
  // scale every account's expected routine so the total meets the plan, keeping who is busy.
  let expected = 0;
  for (const a of all) expected += (a.monthly / c.days) * activeDays(c, start, a);
  if (expected > 0) for (const a of all) a.monthly *= sizes.routine / expected;
  const pickers = {} as Record<Lang, Alias>;
  const viralPickers = {} as Record<Lang, Alias>;
  for (const lang of LANGS) {
    byLang[lang] = all.filter((a) => a.lang === lang);
    pickers[lang] = new Alias(byLang[lang].length ? byLang[lang].map((a) => a.monthly + 1) : [1]);
    viralPickers[lang] = new Alias(
      byLang[lang].length ? byLang[lang].map((a) => Math.sqrt(a.monthly + 1)) : [1],
    );
  }

  const operations = c.operations.map((o, i) =>
    buildOperation(
      o,
      i,
      sizes.operation.get(o.id)!,
      rng.fork(o.id),
      accounts,
      { uniqueHandle, uniqueId },
      start,
    ),
  );
  return {
    accounts,
    organic: all,
    byLang,
    pickers,
    viralPickers,
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
  unique: { uniqueHandle: (make: () => string) => string; uniqueId: (time: number) => string },
  start: number,
): OperationState {
  const { uniqueHandle, uniqueId } = unique;
  // Creation batches: distinct working days between 200 and 20 days before the month; in each, the
  // accounts are made one after another from the start of the operators' shift. The mean gap shrinks
  // for big batches so a batch fits in the shift (a fixed 4-minute gap made a 1M-post corpus's
  // batches run ~9 hours, into the operators' night).
  const candidates: number[] = [];
  for (let back = 20; back <= 200; back++) {
    const day = start - DAY * back;
    if (o.workdays.includes(new Date(day).getUTCDay())) candidates.push(day);
  }
  const batchDays = rng.sample(candidates, Math.max(1, o.creationBatches)).sort((a, b) => a - b);
  const batchOf = Array.from({ length: size }, () => rng.int(0, batchDays.length - 1)).sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (const b of batchOf) counts.set(b, (counts.get(b) ?? 0) + 1);
  const shiftMinutes = (o.shift[1] - o.shift[0]) * 60;
  const batchStart = (b: number) => batchDays[b]! + (o.shift[0] * 60 - o.operatorOffsetMinutes) * 60_000;
  const cursor = new Map<number, number>();
  const ops: SimAccount[] = [];
  const nCore = Math.max(1, Math.round(size * o.coreShare));
  const nSleep = Math.round(size * o.sleeperShare);
  for (let i = 0; i < size; i++) {
    const batch = batchOf[i]!;
    const gap = Math.min(4, (0.7 * shiftMinutes) / counts.get(batch)!) * 60_000;
    const created = (cursor.get(batch) ?? batchStart(batch)) + rng.exponential(gap);
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
      id: uniqueId(created),
      handle: uniqueHandle(() => fillHandle(rng, o.handleTemplate, first, last)),
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
      start: batchStart(i),
    })),
  };
}
