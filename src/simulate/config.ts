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
    /** Monthly posts per organic account: log-normal median and sigma (heavy tail). */
    postsMedian: number;
    postsSigma: number;
    /** Kinds of organic posts. */
    mix: { post: number; repost: number; reply: number; quote: number };
    languages: Record<Lang, number>;
    /** Share of posts with a hashtag, a link, an image. */
    hashtagRate: number;
    urlRate: number;
    mediaRate: number;
    /** Journalists (targets of reply swarms) and influencers (sources of viral posts), per 1M posts. */
    journalists: number;
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
  /** How operation sizes follow corpus size: `sqrt` (size x sqrt(posts / 1M), at least 8) or a factor. */
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
    postsMedian: 14,
    postsSigma: 1.25,
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

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K];
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
  const config = merge(merge(DEFAULTS, preset.config), overrides);
  if (Array.isArray(overrides.operations))
    config.operations = overrides.operations.map((o) => op(o as OperationConfig));
  validate(config);
  return config;
}

function validate(c: SimulationConfig): void {
  const bad = (name: string, expect: string) => {
    throw new UsageError(`invalid simulation setting \`${name}\`: expecting ${expect}`);
  };
  if (!Number.isInteger(c.posts) || c.posts < 1000) bad('posts', 'an integer of at least 1000');
  if (!Number.isInteger(c.seed)) bad('seed', 'an integer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(c.start) || Number.isNaN(Date.parse(c.start)))
    bad('start', 'a date such as 2024-06-03');
  if (!Number.isInteger(c.days) || c.days < 1 || c.days > 366) bad('days', 'an integer from 1 to 366');
  const mix = c.organic.mix;
  if ([mix.post, mix.repost, mix.reply, mix.quote].some((x) => x < 0))
    bad('organic.mix', 'non-negative weights');
  for (const o of c.operations) {
    if (!o.id) bad('operations[].id', 'a name');
    if (!(o.accounts >= 2)) bad(`operations.${o.id}.accounts`, 'at least 2');
    for (const t of Object.keys(o.tactics))
      if (!TACTICS.includes(t as Tactic))
        bad(`operations.${o.id}.tactics`, `tactics among ${TACTICS.join(', ')}`);
    for (const l of o.languages)
      if (!LANGS.includes(l)) bad(`operations.${o.id}.languages`, `languages among ${LANGS.join(', ')}`);
    if (o.shift[0] >= o.shift[1]) bad(`operations.${o.id}.shift`, '[start, end] hours with start < end');
    if (!o.workdays.length) bad(`operations.${o.id}.workdays`, 'at least one day');
  }
}

/** Accounts of an operation at this corpus size. */
export function operationSize(c: SimulationConfig, o: OperationConfig): number {
  const factor = c.operationScale === 'sqrt' ? Math.sqrt(c.posts / 1_000_000) : c.operationScale;
  return Math.max(8, Math.round(o.accounts * factor));
}
