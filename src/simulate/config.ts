/**
 * Every knob of the campaign simulator, with its default and what it models. Documented for users
 * in docs/simulator.md; `lockstep simulate --config file.json` overrides any subset (deep merge),
 * and `--scenario` picks a preset.
 */
import { UsageError } from '../core/errors.js';

export type Lang = 'en' | 'fa' | 'ar' | 'ru' | 'es';
export const LANGS: Lang[] = ['en', 'fa', 'ar', 'ru', 'es'];

export type Tactic = 'retweet-ring' | 'copy-paste' | 'hashtag-order' | 'link-laundering' | 'reply-swarm';
export const TACTICS: Tactic[] = [
  'retweet-ring',
  'copy-paste',
  'hashtag-order',
  'link-laundering',
  'reply-swarm',
];

/** Where an operation's personas claim to live (their `location` and names), not where operators sit. */
export type Persona = 'us' | 'uk' | 'iran' | 'gulf' | 'russia' | 'latam';
export const PERSONAS: Persona[] = ['us', 'uk', 'iran', 'gulf', 'russia', 'latam'];

export interface OperationConfig {
  id: string;
  /** A neutral descriptive name; demo data never names real actors. */
  name: string;
  /** Accounts at a 1M-post corpus; scaled by `operationScale`. */
  accounts: number;
  /** Tactics with relative weights: each daily order is one of them. */
  tactics: Partial<Record<Tactic, number>>;
  /** Languages the operation posts in (copy-paste templates exist in en, fa, ar, ru, es). */
  languages: Lang[];
  persona: Persona;
  /** Operators' UTC offset in minutes (Tehran +210, Moscow +180) and a zone label for the truth file. */
  operatorOffsetMinutes: number;
  operatorZone: string;
  /** Working days, 0 = Sunday ... 6 = Saturday (Iran's week is Saturday to Wednesday). */
  workdays: number[];
  /** Shift and lunch break in operators' local hours (decimal). */
  shift: [number, number];
  lunch: [number, number];
  /**
   * Share of camouflage posts written outside the shift on a working day (evenings, on a phone):
   * takedown reports describe office-hours posting as a strong pattern, not a perfect one.
   */
  offShiftShare: number;
  /** Orders per working day (Poisson mean). */
  ordersPerDay: number;
  /** Share of the active accounts that execute an order. */
  participation: number;
  /** Share of accounts that are sleepers: a few posts a month, joining an order now and then. */
  sleeperShare: number;
  /** Chance that a sleeper joins a given order. */
  sleeperJoin: number;
  /** Share of accounts that author the originals others amplify. */
  coreShare: number;
  /** Camouflage posts per account per working day (retweets of popular posts, generic chatter). */
  camouflagePerDay: number;
  /** Accounts each operator runs; an operator posts with them one after another. */
  accountsPerOperator: number;
  /** Seconds between two accounts of one operator within a burst. */
  gapSeconds: [number, number];
  /** Creation batches: accounts are created in this many bursts before the month starts. */
  creationBatches: number;
  /** Handle template: {first} {last} {word} {Word} and d (one digit each), e.g. "{first}{last}dddd". */
  handleTemplate: string;
  /** Up to this many small edits (synonyms, emoji, punctuation, typos, script variants) per copy. */
  maxEdits: number;
}

export interface SimulationConfig {
  /** Total posts to generate (the result lands within a few percent). */
  posts: number;
  seed: number;
  /** First day (UTC), ISO date; 30 days from there by default. June 2024 has no DST change. */
  start: string;
  days: number;
  platform: string;
  organic: {
    /** Monthly posts per organic account: log-normal median and sigma (heavy tail; zero-post accounts stay invisible). */
    postsMedian: number;
    postsSigma: number;
    /** Kinds of organic posts. */
    mix: { post: number; repost: number; reply: number; quote: number };
    languages: Record<Lang, number>;
    /** Share of posts with a hashtag, a link, an image. */
    hashtagRate: number;
    urlRate: number;
    mediaRate: number;
    /** Journalists (targets of reply swarms) per 1M posts, at least 2 per language. */
    journalists: number;
    /** Share of each language's accounts that are influencers (sources of viral posts), at least 3. */
    influencerShare: number;
  };
  /** Organic behaviour that fools naive co-action counting. */
  hardNegatives: {
    /** Viral posts per day, each retweeted by a share of its language's accounts within minutes. */
    cascadesPerDay: number;
    cascadeShare: number;
    cascadeDelayMedianMinutes: number;
    /** Breaking-news events per month: a hashtag and links posted by a share of accounts within hours. */
    newsEvents: number;
    newsShare: number;
    newsDelayMeanMinutes: number;
    /** Petitions per month: identical text posted by a share of accounts, spread over days. */
    petitions: number;
    petitionShare: number;
    /** Articles per day shared through share buttons (identical "title URL via @outlet" text), each by a share of English-language accounts over the day. */
    shareButtonArticles: number;
    shareButtonShare: number;
    /** Open, authentic campaigns per month: members post a toolkit text at a scheduled time. */
    campaigns: number;
    campaignShare: number;
    /** News outlets running three accounts each that post the same headlines automatically (8-20 a day per 1M posts). */
    syndicatedOutlets: number;
  };
  operations: OperationConfig[];
  /**
   * How operation sizes follow corpus size: `sqrt` (size x sqrt(posts / 1M), at least 8) or a factor;
   * shrunk (to at least 2) when operations would write more than 40% of the posts.
   */
  operationScale: 'sqrt' | number;
}

const IRAN_WEEK = [6, 0, 1, 2, 3];
const WEEK = [1, 2, 3, 4, 5];

function op(partial: Partial<OperationConfig> & Pick<OperationConfig, 'id' | 'name'>): OperationConfig {
  return {
    accounts: 100,
    tactics: { 'hashtag-order': 1 },
    languages: ['en'],
    persona: 'us',
    operatorOffsetMinutes: 180,
    operatorZone: 'UTC+03:00',
    workdays: WEEK,
    shift: [9, 17.5],
    lunch: [13, 14],
    offShiftShare: 0.04,
    ordersPerDay: 2,
    participation: 0.55,
    sleeperShare: 0.12,
    sleeperJoin: 0.08,
    coreShare: 0.08,
    camouflagePerDay: 1.2,
    accountsPerOperator: 20,
    gapSeconds: [25, 110],
    creationBatches: 3,
    handleTemplate: '{first}{last}dddd',
    maxEdits: 3,
    ...partial,
  };
}

export const DEFAULT_OPERATIONS: OperationConfig[] = [
  op({
    id: 'op1',
    name: 'Persian-language network with US personas',
    accounts: 400,
    tactics: { 'copy-paste': 3, 'hashtag-order': 2, 'reply-swarm': 1 },
    languages: ['fa', 'en'],
    persona: 'us',
    operatorOffsetMinutes: 210,
    operatorZone: 'Asia/Tehran (UTC+03:30)',
    workdays: IRAN_WEEK,
    shift: [8.5, 16.5],
    lunch: [12.5, 13.5],
    handleTemplate: '{first}{last}dddd',
  }),
  op({
    id: 'op2',
    name: 'Amplification network with link laundering',
    accounts: 250,
    tactics: { 'retweet-ring': 3, 'link-laundering': 2, 'hashtag-order': 1 },
    languages: ['en', 'ru'],
    persona: 'us',
    operatorOffsetMinutes: 180,
    operatorZone: 'Europe/Moscow (UTC+03:00)',
    handleTemplate: '{Word}{Word}ddd',
  }),
  op({
    id: 'op3',
    name: 'Commercial retweet ring',
    accounts: 150,
    tactics: { 'retweet-ring': 4, 'hashtag-order': 1 },
    languages: ['en'],
    persona: 'uk',
    operatorOffsetMinutes: 300,
    operatorZone: 'Asia/Karachi (UTC+05:00)',
    shift: [10, 19],
    lunch: [14, 15],
    handleTemplate: '{first}dddddddd',
    camouflagePerDay: 2,
  }),
  op({
    id: 'op4',
    name: 'Arabic-language hashtag network',
    accounts: 100,
    tactics: { 'copy-paste': 2, 'hashtag-order': 3 },
    languages: ['ar'],
    persona: 'gulf',
    operatorOffsetMinutes: 240,
    operatorZone: 'Asia/Dubai (UTC+04:00)',
    workdays: WEEK,
    handleTemplate: '{first}_{word}dd',
  }),
  op({
    id: 'op5',
    name: 'Sleeper network',
    accounts: 60,
    tactics: { 'hashtag-order': 2, 'link-laundering': 1 },
    languages: ['en'],
    persona: 'us',
    operatorOffsetMinutes: 480,
    operatorZone: 'Asia/Shanghai (UTC+08:00)',
    sleeperShare: 0.7,
    sleeperJoin: 0.12,
    ordersPerDay: 1.2,
    handleTemplate: '{first}{last}dd',
  }),
  op({
    id: 'op6',
    name: 'Reply swarm on journalists',
    accounts: 40,
    tactics: { 'reply-swarm': 4, 'copy-paste': 1 },
    languages: ['es', 'en'],
    persona: 'latam',
    operatorOffsetMinutes: -300,
    operatorZone: 'America/Bogota (UTC-05:00)',
    handleTemplate: '{word}_{word}dddd',
  }),
];

export const DEFAULTS: SimulationConfig = {
  posts: 100_000,
  seed: 1,
  start: '2024-06-03',
  days: 30,
  platform: 'twitter',
  organic: {
    // Pew Research Center (2019): the median user tweets twice a month and the most active tenth
    // write most tweets. A median of 14 (as before) made few, busy accounts: at 50k posts there were
    // ~1,000 organic accounts, too few for a viral post to draw hundreds of retweeters.
    postsMedian: 2,
    postsSigma: 1.6,
    mix: { post: 0.5, repost: 0.3, reply: 0.15, quote: 0.05 },
    languages: { en: 0.55, fa: 0.15, ar: 0.1, ru: 0.12, es: 0.08 },
    hashtagRate: 0.25,
    urlRate: 0.2,
    mediaRate: 0.08,
    journalists: 60,
    influencerShare: 0.01,
  },
  hardNegatives: {
    cascadesPerDay: 3,
    cascadeShare: 0.04,
    cascadeDelayMedianMinutes: 6,
    newsEvents: 8,
    newsShare: 0.05,
    newsDelayMeanMinutes: 45,
    petitions: 3,
    petitionShare: 0.02,
    shareButtonArticles: 6,
    shareButtonShare: 0.008,
    campaigns: 1,
    campaignShare: 0.01,
    syndicatedOutlets: 3,
  },
  operations: DEFAULT_OPERATIONS,
  operationScale: 'sqrt',
};

/** Presets for `--scenario`. */
export const SCENARIOS: Record<string, { description: string; config: DeepPartial<SimulationConfig> }> = {
  default: { description: 'organic month with every hard negative and six planted operations', config: {} },
  organic: {
    description: 'organic behaviour and hard negatives only, no operation (a null check)',
    config: { operations: [] },
  },
  easy: {
    description: 'planted operations without hard negatives (a sanity check, not a benchmark)',
    config: {
      hardNegatives: {
        cascadesPerDay: 0,
        newsEvents: 0,
        petitions: 0,
        shareButtonArticles: 0,
        campaigns: 0,
        syndicatedOutlets: 0,
      },
    },
  },
  hard: {
    description: 'bigger cascades and news bursts, more sleepers and camouflage',
    config: {
      hardNegatives: {
        cascadesPerDay: 6,
        cascadeShare: 0.08,
        newsEvents: 14,
        newsShare: 0.1,
        petitions: 6,
        campaigns: 2,
      },
      operations: DEFAULT_OPERATIONS.map((o) => ({
        ...o,
        sleeperShare: Math.min(0.8, o.sleeperShare * 2),
        camouflagePerDay: o.camouflagePerDay * 2,
      })),
    },
  },
};

/** Overrides: any subset of the knobs; list entries of objects (operations) may be partial too. */
export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (infer U)[]
    ? [U] extends [object]
      ? DeepPartial<U>[]
      : T[K]
    : T[K] extends object
      ? DeepPartial<T[K]>
      : T[K];
};

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (over === undefined) return base;
  if (Array.isArray(base) || Array.isArray(over) || typeof base !== 'object' || base === null)
    return over as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    if (v === undefined) continue;
    out[k] = k in out ? merge(out[k], v as DeepPartial<unknown>) : v;
  }
  return out as T;
}

/** Defaults, then the scenario, then the user's overrides; validated. */
export function resolveConfig(
  scenario = 'default',
  overrides: DeepPartial<SimulationConfig> = {},
): SimulationConfig {
  const preset = SCENARIOS[scenario];
  if (!preset)
    throw new UsageError(`unknown scenario "${scenario}"; use one of ${Object.keys(SCENARIOS).join(', ')}`);
  // A misspelt knob would otherwise be merged in and silently ignored.
  checkKeys(overrides, DEFAULTS, '');
  const config = merge(merge(DEFAULTS, preset.config), overrides);
  if (Array.isArray(overrides.operations))
    config.operations = overrides.operations.map((o) => op(o as OperationConfig));
  else if (overrides.operations !== undefined) bad('operations', 'a list of operations');
  validate(config);
  return config;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(name: string, expect: string): never {
  throw new UsageError(`invalid simulation setting \`${name}\`: expecting ${expect}`);
}

/** Every key of the user's overrides must be a knob (operations: an `OperationConfig` field). */
function checkKeys(over: unknown, base: unknown, path: string): void {
  if (!isObject(over)) bad(path || 'config', 'an object of settings');
  const known = base as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    const name = path ? `${path}.${k}` : k;
    if (!(k in known))
      throw new UsageError(`unknown simulation setting \`${name}\` (docs/simulator.md lists the settings)`);
    if (v === undefined) continue;
    if (k === 'operations' && path === '') {
      if (!Array.isArray(v)) bad('operations', 'a list of operations');
      const fields = op({ id: '', name: '' });
      v.forEach((o, i) => {
        if (!isObject(o)) bad(`operations[${i}]`, 'an object');
        const id = typeof o.id === 'string' && o.id ? o.id : `[${i}]`;
        for (const f of Object.keys(o))
          if (!(f in fields))
            throw new UsageError(
              `unknown simulation setting \`operations.${id}.${f}\` (docs/simulator.md lists the settings)`,
            );
      });
    } else if (isObject(known[k])) checkKeys(v, known[k], name);
  }
}

const RESERVED_IDS = ['organic', 'cascade', 'news', 'petition', 'campaign', 'syndication', 'share-button'];

function validate(c: SimulationConfig): void {
  const num = (name: string, v: unknown, lo: number, hi = Number.POSITIVE_INFINITY, integer = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v)))
      bad(
        name,
        `${integer ? 'an integer' : 'a number'} ${hi === Number.POSITIVE_INFINITY ? `of at least ${lo}` : `from ${lo} to ${hi}`}`,
      );
  };
  const share = (name: string, v: unknown) => num(name, v, 0, 1);
  const weights = (name: string, w: Record<string, unknown>, keys: readonly string[]) => {
    for (const k of Object.keys(w)) if (!keys.includes(k)) bad(name, `weights for ${keys.join(', ')}`);
    const values = Object.values(w);
    if (values.some((x) => typeof x !== 'number' || !(x >= 0)) || !values.some((x) => (x as number) > 0))
      bad(name, 'non-negative weights, at least one positive');
  };
  const hours = (name: string, h: unknown, strict: boolean) => {
    if (
      !Array.isArray(h) ||
      h.length !== 2 ||
      !h.every((x) => typeof x === 'number' && x >= 0 && x <= 24) ||
      (strict ? h[0] >= h[1] : h[0] > h[1])
    )
      bad(name, `[start, end] local hours from 0 to 24 with start ${strict ? '<' : '<='} end`);
  };
  num('posts', c.posts, 1000, Number.POSITIVE_INFINITY, true);
  num('seed', c.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  if (
    typeof c.start !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(c.start) ||
    Number.isNaN(Date.parse(c.start))
  )
    bad('start', 'a date such as 2024-06-03');
  num('days', c.days, 1, 366, true);
  if (typeof c.platform !== 'string' || !c.platform.trim())
    bad('platform', 'a platform name such as twitter');
  if (c.operationScale !== 'sqrt') num('operationScale', c.operationScale, 0);

  const g = c.organic;
  num('organic.postsMedian', g.postsMedian, 0.05, 3000);
  num('organic.postsSigma', g.postsSigma, 0, 3);
  weights('organic.mix', g.mix, ['post', 'repost', 'reply', 'quote']);
  weights('organic.languages', g.languages, LANGS);
  share('organic.hashtagRate', g.hashtagRate);
  share('organic.urlRate', g.urlRate);
  share('organic.mediaRate', g.mediaRate);
  num('organic.journalists', g.journalists, 0);
  share('organic.influencerShare', g.influencerShare);

  const h = c.hardNegatives;
  num('hardNegatives.cascadesPerDay', h.cascadesPerDay, 0, 1000);
  share('hardNegatives.cascadeShare', h.cascadeShare);
  num('hardNegatives.cascadeDelayMedianMinutes', h.cascadeDelayMedianMinutes, 0.1, 1440);
  num('hardNegatives.newsEvents', h.newsEvents, 0, 10_000, true);
  share('hardNegatives.newsShare', h.newsShare);
  num('hardNegatives.newsDelayMeanMinutes', h.newsDelayMeanMinutes, 0.1, 1440);
  num('hardNegatives.petitions', h.petitions, 0, 10_000, true);
  share('hardNegatives.petitionShare', h.petitionShare);
  num('hardNegatives.shareButtonArticles', h.shareButtonArticles, 0, 1000, true);
  share('hardNegatives.shareButtonShare', h.shareButtonShare);
  num('hardNegatives.campaigns', h.campaigns, 0, 10_000, true);
  share('hardNegatives.campaignShare', h.campaignShare);
  num('hardNegatives.syndicatedOutlets', h.syndicatedOutlets, 0, 100, true);

  if (!Array.isArray(c.operations)) bad('operations', 'a list of operations');
  const ids = new Set<string>();
  for (const o of c.operations) {
    if (typeof o.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(o.id))
      bad('operations[].id', 'a short name of letters, digits, - or _');
    if (ids.has(o.id)) bad(`operations.${o.id}.id`, 'a name no other operation has');
    // Post sources in the ground truth start with the operation id or the organic process's name.
    if (RESERVED_IDS.includes(o.id))
      bad(`operations.${o.id}.id`, `a name other than ${RESERVED_IDS.join(', ')}`);
    ids.add(o.id);
    const at = (k: string) => `operations.${o.id}.${k}`;
    if (typeof o.name !== 'string') bad(at('name'), 'a descriptive name');
    num(at('accounts'), o.accounts, 2);
    weights(at('tactics'), o.tactics, TACTICS);
    if (!Array.isArray(o.languages) || !o.languages.length || o.languages.some((l) => !LANGS.includes(l)))
      bad(at('languages'), `a list of languages among ${LANGS.join(', ')}`);
    if (!PERSONAS.includes(o.persona)) bad(at('persona'), `one of ${PERSONAS.join(', ')}`);
    // The engine writes day d once local day d + 1 is planned: clocks from UTC-12 to UTC+14.
    num(at('operatorOffsetMinutes'), o.operatorOffsetMinutes, -720, 840, true);
    if (
      !Array.isArray(o.workdays) ||
      !o.workdays.length ||
      o.workdays.some((d) => !Number.isInteger(d) || d < 0 || d > 6)
    )
      bad(at('workdays'), 'a list of weekdays from 0 (Sunday) to 6 (Saturday)');
    hours(at('shift'), o.shift, true);
    hours(at('lunch'), o.lunch, false);
    share(at('offShiftShare'), o.offShiftShare);
    num(at('ordersPerDay'), o.ordersPerDay, 0, 100);
    share(at('participation'), o.participation);
    share(at('sleeperShare'), o.sleeperShare);
    share(at('sleeperJoin'), o.sleeperJoin);
    share(at('coreShare'), o.coreShare);
    if (o.coreShare + o.sleeperShare > 1) bad(at('sleeperShare'), 'at most 1 - coreShare');
    num(at('camouflagePerDay'), o.camouflagePerDay, 0, 100);
    num(at('accountsPerOperator'), o.accountsPerOperator, 1, Number.POSITIVE_INFINITY, true);
    if (
      !Array.isArray(o.gapSeconds) ||
      o.gapSeconds.length !== 2 ||
      !o.gapSeconds.every((x) => typeof x === 'number' && x >= 0 && x <= 3600) ||
      o.gapSeconds[0] > o.gapSeconds[1]
    )
      bad(at('gapSeconds'), '[min, max] seconds from 0 to 3600 with min <= max');
    num(at('creationBatches'), o.creationBatches, 1, 100, true);
    if (typeof o.handleTemplate !== 'string' || !/[A-Za-z{]/.test(o.handleTemplate))
      bad(at('handleTemplate'), 'a template such as {first}{last}dddd');
    num(at('maxEdits'), o.maxEdits, 0, 20, true);
  }
}

/** Accounts of an operation at this corpus size. */
export function operationSize(c: SimulationConfig, o: OperationConfig): number {
  const factor = c.operationScale === 'sqrt' ? Math.sqrt(c.posts / 1_000_000) : c.operationScale;
  return Math.max(8, Math.round(o.accounts * factor));
}
