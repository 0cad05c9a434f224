/**
 * `simulate`: a month of realistic activity with planted operations and a ground-truth file, written
 * in any supported export format. Deterministic per (config, seed). See docs/simulator.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { VERSION } from '../core/version.js';
import { type DeepPartial, resolveConfig, type SimulationConfig } from './config.js';
import { simulateDocuments, TemplateObserver, writeDocuments } from './documents.js';
import { Engine, type EventRecord, type OrderRecord } from './engine.js';
import type { SimAccount } from './model.js';
import { buildPopulation } from './population.js';
import { type CorpusWriter, WRITERS } from './writers.js';

export type { SimulationConfig } from './config.js';
export { DEFAULTS, resolveConfig, SCENARIOS } from './config.js';

export interface SimulateOptions {
  out: string;
  format?: string;
  posts?: number;
  seed?: number;
  scenario?: string;
  /** Overrides of any knob (deep-merged over the scenario). */
  config?: DeepPartial<SimulationConfig>;
  gzip?: boolean;
  /** Also write the source of every post (post_truth.csv). */
  postTruth?: boolean;
  onProgress?: (posts: number, day: number, days: number) => void;
  /** Also write this many documents (statements, articles) that echo the operations' messages (documents.ts). */
  documents?: number;
}

export interface OperationTruth {
  id: string;
  name: string;
  tactics: string[];
  operator_zone: string;
  operator_utc_offset_minutes: number;
  workdays: number[];
  shift: [number, number];
  lunch: [number, number];
  languages: string[];
  persona: string;
  accounts: number;
  sleepers: number;
  /** Operators' local date, UTC time the first account was made, accounts of the batch in the corpus. */
  creation_batches: { date: string; start: string; count: number }[];
  handle_template: string;
  hashtags: string[];
  sites: string[];
  posts: number;
  orders: number;
}

export interface SimulationResult {
  format: string;
  files: string[];
  truthFile: string;
  accountsFile: string;
  posts: number;
  accounts: number;
  seconds: number;
  bySource: Record<string, number>;
  operations: OperationTruth[];
  /** documents.jsonl and its ground truth, when `documents` was asked for. */
  documents: { file: string; truthFile: string; count: number } | null;
}

export function writerFormats(): string[] {
  return Object.keys(WRITERS);
}

export function simulate(options: SimulateOptions): SimulationResult {
  const started = Date.now();
  const format = options.format ?? 'io-archive';
  const makeWriter = WRITERS[format];
  if (!makeWriter)
    throw new UsageError(`the simulator cannot write "${format}"; use one of ${writerFormats().join(', ')}`);
  const overrides: DeepPartial<SimulationConfig> = { ...options.config };
  if (options.posts !== undefined) overrides.posts = options.posts;
  if (options.seed !== undefined) overrides.seed = options.seed;
  const config = resolveConfig(options.scenario ?? 'default', overrides);
  const dir = resolve(options.out);
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(config.seed);
  const population = buildPopulation(config, rng.fork('population'));
  const writer: CorpusWriter = makeWriter(dir, options.gzip ?? false);
  const postsBy = new Map<SimAccount, number>();
  const bySourceCount = new Map<string, number>();
  const operationIds = new Set(config.operations.map((o) => o.id));
  const truthLines: string[] = options.postTruth ? ['post_id,account_id,source\n'] : [];
  let posts = 0;
  let lastDay = -1;
  const start = Date.parse(`${config.start}T00:00:00Z`);
  const observer = options.documents ? new TemplateObserver() : null;
  const engine = new Engine(config, population, rng.fork('engine'), (post) => {
    observer?.observe(post);
    // Count only what the format wrote: CooRTweet files hold reposts only, and the truth files listed
    // accounts (and counted posts) that the corpus does not contain.
    if (!writer.write(post)) return;
    posts++;
    // Tally by process: organic, cascade, news, petition, campaign, syndication, share-button, op1:copy-paste, ...
    // (by operation id, not an "op" prefix: an operation named "solo" was tallied as one source).
    const parts = post.source.split(':');
    const key = operationIds.has(parts[0]!) ? `${parts[0]}:${parts[1]}` : parts[0]!;
    bySourceCount.set(key, (bySourceCount.get(key) ?? 0) + 1);
    postsBy.set(post.account, (postsBy.get(post.account) ?? 0) + 1);
    if (options.postTruth) {
      const id = writer.postId(post);
      if (id) truthLines.push(`${id},${writer.accountId(post.account)},${post.source}\n`);
    }
    const day = Math.floor((post.time - start) / 86_400_000);
    if (day !== lastDay) {
      lastDay = day;
      options.onProgress?.(posts, day, config.days);
    }
  });
  engine.run();
  writer.close();
  let documents: SimulationResult['documents'] = null;
  if (observer) {
    const sim = simulateDocuments(observer.uses(), {
      count: options.documents!,
      seed: config.seed,
      start,
      days: config.days,
    });
    documents = { ...writeDocuments(dir, sim), count: sim.documents.length };
  }

  const accountsFile = join(dir, 'ground_truth_accounts.csv');
  const rows = [
    'account_id,handle,label,operation,role,creation_batch,clock_utc_offset_minutes,group,claimed_location,posts',
  ];
  const field = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  for (const a of population.accounts) {
    const n = postsBy.get(a) ?? 0;
    if (n === 0) continue;
    rows.push(
      [
        writer.accountId(a),
        a.handle,
        a.label,
        a.operation ?? '',
        a.role,
        a.batch ?? '',
        a.offset,
        a.group ?? '',
        a.location,
        n,
      ]
        .map((v) => field(String(v)))
        .join(','),
    );
  }
  writeFileSync(accountsFile, `${rows.join('\n')}\n`);
  if (options.postTruth) writeFileSync(join(dir, 'ground_truth_posts.csv'), truthLines.join(''));

  const operations = population.operations.map((op): OperationTruth => {
    const o = op.config;
    return {
      id: o.id,
      name: o.name,
      tactics: Object.entries(o.tactics)
        .filter(([, w]) => (w ?? 0) > 0)
        .map(([t]) => t),
      operator_zone: o.operatorZone,
      operator_utc_offset_minutes: o.operatorOffsetMinutes,
      workdays: o.workdays,
      shift: o.shift,
      lunch: o.lunch,
      languages: o.languages,
      persona: o.persona,
      accounts: op.accounts.filter((a) => postsBy.has(a)).length,
      sleepers: op.sleepers.filter((a) => postsBy.has(a)).length,
      creation_batches: op.batches.map((b, i) => ({
        date: b.date,
        start: new Date(b.start).toISOString(),
        count: op.accounts.filter((a) => a.batch === i && postsBy.has(a)).length,
      })),
      handle_template: o.handleTemplate,
      hashtags: op.hashtags,
      sites: op.sites,
      posts: op.accounts.reduce((s, a) => s + (postsBy.get(a) ?? 0), 0),
      orders: engine.orders.filter((r) => r.operation === o.id).length,
    };
  });
  const bySource = Object.fromEntries([...bySourceCount].sort((a, b) => b[1] - a[1]));
  const truthFile = join(dir, 'ground_truth.json');
  const truth = {
    generator: `lockstep ${VERSION} simulate`,
    format,
    platform: config.platform,
    seed: config.seed,
    scenario: options.scenario ?? 'default',
    span: {
      start: new Date(start).toISOString(),
      end: new Date(start + config.days * 86_400_000).toISOString(),
    },
    posts,
    accounts: postsBy.size,
    labels: {
      organic: [...postsBy.keys()].filter((a) => a.label === 'organic').length,
      operation: [...postsBy.keys()].filter((a) => a.label === 'operation').length,
    },
    posts_by_source: bySource,
    operations,
    open_coordination: {
      note: 'Authentic, open coordination: real accounts acting together in the open. Detectors should find it coordinated; the report should not call it deceptive.',
      campaigns: engine.events.filter((e) => e.kind === 'campaign'),
      syndicated_outlets: population.syndicated.map((g) => ({
        group: g[0]!.group,
        accounts: g.map((a) => writer.accountId(a)),
      })),
    },
    hard_negatives: engine.events.filter((e): e is EventRecord => e.kind !== 'campaign'),
    orders: engine.orders satisfies OrderRecord[],
    config,
  };
  writeFileSync(truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  return {
    format,
    files: writer.files,
    truthFile,
    accountsFile,
    posts,
    accounts: postsBy.size,
    seconds: (Date.now() - started) / 1000,
    bySource,
    operations,
    documents,
  };
}
