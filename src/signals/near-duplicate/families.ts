/**
 * Text families: groups of posts whose texts are the same text up to small edits, posted by at least
 * two accounts. The near-duplicate signal's shared object (see docs/signals/near-duplicate.md).
 *
 * 1. In the store: posts of kind post, reply and quote (a repost carries someone else's text) are
 *    grouped by a 64-bit hash of their normalised text, so a petition posted identically 20,000
 *    times is one distinct text. Distinct texts cross to JavaScript as UTF-8, a few large strings
 *    at a time (values crossing one by one cost microseconds each).
 * 2. Each distinct text is masked (links, mentions, everything but letters and digits removed:
 *    shingles.ts), cut into character shingles and sketched by one-permutation MinHash (minhash.ts).
 *    Texts that differ only in masked parts get equal sketches and join in the first band.
 * 3. LSH banding, with bands that make pairs 0.1 above the threshold candidates 98% of the time;
 *    candidates are verified on the whole sketch and joined in a union-find (lsh.ts). Both the
 *    sketching and the banding run in worker threads when there are many texts.
 * 4. Back in the store, the texts of every component (and every exact duplicate) are mapped to
 *    their posts; a family keeps the posts of components posted by two or more accounts and is
 *    named by its earliest post's rowid (ties: the smallest rowid).
 *
 * The result is the TEMP table `text_family(pr BIGINT, family BIGINT)`, one row per post in a family.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DuckDBBlobValue } from '@duckdb/node-api';
import { InterruptedError, UsageError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { type ClusterOptions, type ClusterStats, chooseBands, clusterSketches, UnionFind } from './lsh.js';
import { REPEATED, RecordSketcher, SHORT, type SketchParams } from './records.js';
import type { WorkerInput, WorkerReply, WorkerRequest } from './records-worker.js';

export interface TextFamilyOptions {
  /**
   * Estimated Jaccard similarity of the two texts' shingle sets at which they join one family
   * (texts also join through a chain of such pairs).
   */
  threshold: number;
  /** Texts with fewer letters and digits than this, once masked, are left out. */
  minChars: number;
  /** Shingle length in characters (code points) of the masked text. */
  shingleSize: number;
  /** MinHash sketch size (one-permutation bins), a power of two. */
  permutations: number;
  /** Seeds every hash: the same seed gives the same families. */
  seed: number;
}

/**
 * The defaults, defined once (the signal's descriptor reads them); the figures behind them are in
 * docs/signals/near-duplicate.md:
 * - threshold 0.5: 99% of the simulator's edited copies are at least 0.67 similar to their original
 *   (0.60 to another copy); on a simulated month, pair precision / recall against the truth are
 *   0.9998 / 0.9997 at 0.5, and 0.4 lets ten times more organic posts into families;
 * - minChars 24: about four words; shorter texts ("thank you so much") are repeated by
 *   unrelated people far too often to say anything;
 * - shingleSize 5: short enough that one edit changes few shingles, long enough that shingles
 *   are rarely shared by chance (3-grams are shared by most texts of a language);
 * - permutations 128: the estimate's standard deviation at similarity 0.5 is 0.044, so a pair 0.1
 *   above the threshold passes the verification 99% of the time (94% with 64); 128 bytes a text.
 */
export const TEXT_FAMILY_DEFAULTS: TextFamilyOptions = {
  threshold: 0.5,
  minChars: 24,
  shingleSize: 5,
  permutations: 128,
  seed: 1,
};

/**
 * The lowest threshold: below it texts share fewer than half of their shingles (no longer a copy
 * with edits), and the bands that would find such pairs (3 rows or fewer) make most texts of a
 * language candidates of each other.
 */
export const MIN_THRESHOLD = 0.3;

export interface TextFamilyStats {
  /** Posts considered (kind post, reply or quote, with a text). */
  texts: number;
  /** Distinct texts left out because they are shorter than `minChars` once masked. */
  shortTexts: number;
  /** Distinct normalised texts among the posts considered. */
  distinctTexts: number;
  /** Pairs of texts compared on their whole sketch after meeting in an LSH bucket. */
  candidatePairs: number;
  families: number;
  postsInFamilies: number;
  seconds: number;
}

export interface TextFamilyHooks {
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
  /**
   * Threads that sketch and compare texts. Default: one per core when there are many texts
   * (100,000 or more) and the compiled worker is there (not when running from TypeScript sources).
   * Any number gives the same families.
   */
  threads?: number;
}

const KINDS = `kind IN ('post', 'reply', 'quote')`;
/** Distinct texts per string crossing from DuckDB. */
const CHUNK = 262_144;
/** Members of an LSH bucket each text is compared with, at most. */
const REPRESENTATIVES = 8;
/** Texts below which worker threads do not pay for their start-up. */
const PARALLEL_MIN_TEXTS = 100_000;
/** The compiled worker; absent when running from TypeScript sources (tests), then all runs here. */
const WORKER_FILE = fileURLToPath(new URL('./records-worker.js', import.meta.url));

function validate(o: TextFamilyOptions): void {
  const check = (name: string, value: number, ok: boolean, expect: string) => {
    if (!ok) throw new UsageError(`invalid near-duplicate option ${name}: ${value}; expecting ${expect}`);
  };
  check(
    'threshold',
    o.threshold,
    o.threshold >= MIN_THRESHOLD && o.threshold <= 1,
    `a number from ${MIN_THRESHOLD} to 1`,
  );
  check('minChars', o.minChars, Number.isInteger(o.minChars) && o.minChars >= 1, 'a whole number from 1');
  check(
    'shingleSize',
    o.shingleSize,
    Number.isInteger(o.shingleSize) && o.shingleSize >= 1 && o.shingleSize <= 32,
    'a whole number from 1 to 32',
  );
  check(
    'permutations',
    o.permutations,
    Number.isInteger(Math.log2(o.permutations)) && o.permutations >= 8 && o.permutations <= 1024,
    'a power of two from 8 to 1024',
  );
  check('seed', o.seed, Number.isInteger(o.seed), 'a whole number');
}

export async function buildTextFamilies(
  store: Store,
  options: TextFamilyOptions,
  hooks: TextFamilyHooks = {},
): Promise<TextFamilyStats> {
  validate(options);
  const t0 = performance.now();
  const progress = hooks.onProgress ?? (() => {});
  const checkAbort = () => {
    if (hooks.signal?.aborted) throw new InterruptedError('text families interrupted; nothing was kept');
  };
  try {
    return await build(store, options, hooks.threads, progress, checkAbort, t0);
  } finally {
    await store.run(
      'DROP TABLE IF EXISTS nd_text; DROP TABLE IF EXISTS nd_key; DROP TABLE IF EXISTS nd_member',
    );
  }
}

async function build(
  store: Store,
  o: TextFamilyOptions,
  threads: number | undefined,
  progress: (fraction: number, label: string) => void,
  checkAbort: () => void,
  t0: number,
): Promise<TextFamilyStats> {
  await store.run('DROP TABLE IF EXISTS text_family');
  progress(0, 'grouping identical texts');
  await store.run(`CREATE OR REPLACE TEMP TABLE nd_text AS
    SELECT hash(text_norm) AS h, any_value(text_norm) AS t, count(*) AS n
    FROM posts WHERE ${KINDS} AND text_norm IS NOT NULL GROUP BY h`);
  const summary = (
    await store.all<{
      distinct: number;
      posts: number;
      lo: number | string | null;
      hi: number | string | null;
    }>(
      `SELECT count(*) AS distinct, coalesce(sum(n), 0) AS posts, min(rowid) AS lo, max(rowid) AS hi FROM nd_text`,
    )
  )[0]!;
  const distinct = summary.distinct;
  // Rowids of a table made inside a transaction start at 2^55: keep them exact as BigInt.
  const lo = BigInt(summary.lo ?? 0);
  if (distinct > 0 && BigInt(summary.hi ?? 0) - lo + 1n !== BigInt(distinct))
    throw new Error(`nd_text rowids are not contiguous (${summary.lo}..${summary.hi} for ${distinct} rows)`);
  checkAbort();

  // One sketch row per distinct text (its rowid - lo), shared with the worker threads.
  const K = o.permutations;
  const params: SketchParams = { size: K, shingleSize: o.shingleSize, minChars: o.minChars, seed: o.seed };
  const workers = Math.max(1, Math.min(threads ?? availableParallelism(), 16));
  const parallel =
    workers > 1 && (threads !== undefined || distinct >= PARALLEL_MIN_TEXTS) && existsSync(WORKER_FILE);
  const Memory = parallel ? SharedArrayBuffer : ArrayBuffer;
  const sketchBuffer = new Memory(distinct * K);
  const stateBuffer = new Memory(distinct);
  const pool = parallel
    ? new WorkerPool(workers, {
        params,
        sketches: sketchBuffer as SharedArrayBuffer,
        state: stateBuffer as SharedArrayBuffer,
      })
    : null;
  const local = pool
    ? null
    : new RecordSketcher(params, new Uint8Array(sketchBuffer), new Uint8Array(stateBuffer));
  let n: number;
  let items: Int32Array;
  let uf: UnionFind;
  let stats: ClusterStats;
  try {
    const chunks = Math.ceil(distinct / CHUNK);
    for (let attempt = 0; ; attempt++) {
      // A newline inside a text would cut its record in two. Normalisation turns newlines into
      // spaces, but the counts are checked and, should one slip through, every text is read (and
      // every row sketched) again with newlines replaced.
      const text = attempt === 0 ? 't' : `replace(t, chr(10), ' ')`;
      let aligned = true;
      let done = 0;
      const finished = () => progress(0.05 + (0.6 * ++done) / chunks, 'sketching texts');
      // One query a chunk (a rowid range): a single GROUP BY over all chunks would hold every
      // text twice in DuckDB's memory (1.1 GB more at 10M posts).
      for (let c = 0; c < chunks; c++) {
        const from = lo + BigInt(c * CHUNK);
        const reader = await store.connection.runAndReadAll(
          `SELECT count(*) AS m,
             encode(string_agg(concat(rowid - ${lo}, chr(9),
                                      CASE WHEN strlen(t) < ${o.minChars} THEN ''
                                           WHEN n > 1 THEN ' ' || ${text} ELSE ${text} END),
                               chr(10))) AS s
           FROM nd_text WHERE rowid BETWEEN ${from} AND ${from + BigInt(CHUNK - 1)}`,
        );
        const [m, s] = reader.getColumns();
        const count = Number(m![0]);
        const bytes = (s![0] as DuckDBBlobValue).bytes;
        if (pool)
          await pool.submit(bytes, (records) => {
            aligned &&= records === count;
            finished();
          });
        else {
          aligned &&= local!.sketch(bytes) === count;
          finished();
        }
        checkAbort();
      }
      await pool?.drain();
      if (aligned) break;
      if (attempt > 0) throw new Error('distinct texts and their sketches are out of step');
    }
    // The texts are sketched: only their hashes are needed from here on.
    await store.run(`CREATE OR REPLACE TEMP TABLE nd_key AS SELECT (rowid - ${lo})::BIGINT AS i, h FROM nd_text;
      DROP TABLE nd_text`);

    const sketches = new Uint8Array(sketchBuffer);
    const state = new Uint8Array(stateBuffer);
    n = 0;
    for (let t = 0; t < distinct; t++) if (state[t] !== SHORT) n++;
    items = new Int32Array(new Memory(4 * n));
    for (let t = 0, i = 0; t < distinct; t++) if (state[t] !== SHORT) items[i++] = t;

    const cluster: ClusterOptions = {
      ...chooseBands(o.threshold, K),
      threshold: o.threshold,
      representatives: REPRESENTATIVES,
      seed: o.seed,
    };
    uf = new UnionFind(n);
    let scanned = 0;
    const onBand = () => {
      progress(0.65 + (0.25 * ++scanned) / cluster.bands, 'comparing texts');
      checkAbort();
    };
    stats = pool
      ? await pool.cluster(items, cluster, uf, onBand)
      : clusterSketches(sketches, K, items, cluster, uf, onBand);
  } finally {
    await pool?.close();
  }
  const state = new Uint8Array(stateBuffer);

  // Texts of a component of two or more texts, or posted more than once, may make a family.
  const members: number[] = [];
  const groups: number[] = [];
  for (let i = 0; i < n; i++) {
    if (uf.setSize(i) === 1 && state[items[i]!] !== REPEATED) continue;
    members.push(items[i]!);
    groups.push(items[uf.find(i)]!);
  }
  progress(0.9, 'naming families');
  await store.run(
    members.length
      ? `CREATE OR REPLACE TEMP TABLE nd_member AS
         SELECT t.h, m.g FROM nd_key t JOIN (
           SELECT unnest(string_split($1, ','))::BIGINT AS i, unnest(string_split($2, ','))::BIGINT AS g
         ) m ON t.i = m.i`
      : `CREATE OR REPLACE TEMP TABLE nd_member (h UBIGINT, g BIGINT)`,
    members.length ? [members.join(','), groups.join(',')] : [],
  );
  await store.run(`CREATE OR REPLACE TEMP TABLE text_family AS
    WITH fp AS (
      SELECT p.rowid AS pr, p.platform, p.account_id, p.created_at, m.g
      FROM posts p JOIN nd_member m ON hash(p.text_norm) = m.h
      WHERE p.kind IN ('post', 'reply', 'quote') AND p.text_norm IS NOT NULL),
    fam AS (
      SELECT g, min({c: created_at, r: pr}).r AS family FROM fp GROUP BY g
      HAVING count(DISTINCT (platform, account_id)) >= 2)
    SELECT fp.pr::BIGINT AS pr, fam.family::BIGINT AS family FROM fp JOIN fam USING (g)`);
  const result = (
    await store.all<{ families: number; posts: number }>(
      `SELECT count(DISTINCT family) AS families, count(*) AS posts FROM text_family`,
    )
  )[0]!;
  progress(1, 'text families');
  return {
    texts: summary.posts,
    shortTexts: distinct - n,
    distinctTexts: distinct,
    candidatePairs: stats.candidatePairs,
    families: result.families,
    postsInFamilies: result.posts,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Worker threads sharing the sketches (SharedArrayBuffers). Sketching: each chunk's bytes are copied
 * once into a transferable buffer (DuckDB owns the one it returned); at most two chunks wait per
 * worker, so memory stays bounded while DuckDB delivers the next chunk. Comparing: the bands are
 * dealt out in turn, and the pairs each band verifies come back to be joined here.
 */
class WorkerPool {
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private readonly sketched = new Map<number, { worker: number; done: (records: number) => void }>();
  private bandsLeft = 0;
  private onBand: ((m: Extract<WorkerReply, { kind: 'band' }>) => void) | null = null;
  private nextId = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(count: number, input: WorkerInput) {
    // Workers inherit the process's flags; `--input-type` (of `node -e`) would stop them loading a file.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    this.workers = Array.from(
      { length: count },
      () => new Worker(WORKER_FILE, { workerData: input, execArgv }),
    );
    this.inFlight = this.workers.map(() => 0);
    this.workers.forEach((w) => {
      w.on('message', (m: WorkerReply) => {
        if (m.kind === 'sketched') {
          const cb = this.sketched.get(m.id)!;
          this.sketched.delete(m.id);
          this.inFlight[cb.worker]!--;
          cb.done(m.records);
        } else if (m.kind === 'band') {
          try {
            this.onBand?.(m);
          } catch (err) {
            this.failure ??= err as Error;
          }
        } else this.bandsLeft--;
        this.notify();
      });
      w.on('error', (err) => {
        this.failure ??= err;
        this.notify();
      });
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async waitUntil(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.failure) throw this.failure;
  }

  /** Queues a chunk on the least busy worker, waiting while every worker has two. */
  async submit(bytes: Uint8Array, done: (records: number) => void): Promise<void> {
    await this.waitUntil(() => Math.min(...this.inFlight) < 2);
    const worker = this.inFlight.indexOf(Math.min(...this.inFlight));
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    const id = this.nextId++;
    this.sketched.set(id, { worker, done });
    this.inFlight[worker]!++;
    const message: WorkerRequest = { kind: 'sketch', id, bytes: copy };
    this.workers[worker]!.postMessage(message, [copy.buffer]);
  }

  /** Waits for every queued chunk. */
  async drain(): Promise<void> {
    await this.waitUntil(() => this.sketched.size === 0);
  }

  /**
   * Scans the bands in the workers (band b in worker b mod workers) and joins the pairs they verify
   * in `uf`. `onBand` is called after each band and may throw to stop.
   */
  async cluster(
    items: Int32Array,
    options: ClusterOptions,
    uf: UnionFind,
    onBand: () => void,
  ): Promise<ClusterStats> {
    const stats: ClusterStats = { candidatePairs: 0, joinedPairs: 0 };
    if (items.length < 2) return stats;
    this.onBand = (m) => {
      stats.candidatePairs += m.compared;
      stats.joinedPairs += m.pairs.length / 2;
      for (let j = 0; j < m.pairs.length; j += 2) uf.union(m.pairs[j]!, m.pairs[j + 1]!);
      onBand();
    };
    this.workers.forEach((w, k) => {
      const bands: number[] = [];
      for (let b = k; b < options.bands; b += this.workers.length) bands.push(b);
      if (bands.length === 0) return;
      this.bandsLeft++;
      const message: WorkerRequest = {
        kind: 'bands',
        id: this.nextId++,
        bands,
        items: items.buffer as SharedArrayBuffer,
        options,
      };
      w.postMessage(message);
    });
    await this.waitUntil(() => this.bandsLeft === 0);
    return stats;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
