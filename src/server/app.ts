/**
 * The workbench's HTTP API and web app (`lockstep serve`): a hono app over the same library calls
 * the CLI makes. Every response body is typed in ./types.ts.
 *
 * Security (docs/workbench.md, "Security model"):
 * - With a token, every /api route needs `Authorization: Bearer TOKEN` (compared in constant time).
 *   `lockstep serve` requires one whenever it listens beyond the loopback interface.
 * - On loopback, the Host header must name the loopback address the server listens on, so that a
 *   web page cannot reach it through DNS rebinding; a request whose Origin is another site is refused.
 * - Every response forbids scripts, styles, frames and connections from anywhere but the server
 *   itself (Content-Security-Policy), and the app renders data as text only.
 * - Lists are pages with a per-route maximum; bad parameters get a 4xx `{ error }` that says what to do.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { InterruptedError, LockstepError, NotFoundError, StoreError, UsageError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { DETECT_DEFAULTS, type DetectOptions, resolveDetectOptions } from '../detect/params.js';
import type { EchoResult } from '../echo/types.js';
import { ITEM_KINDS } from '../forensics/amplification.js';
import { formatNames } from '../ingest/formats/index.js';
import { csvDocument } from '../report/csv.js';
import { CSV_FILES, csvTables, toGexf, toGraphml } from '../report/exports/index.js';
import { SIGNAL_NAMES, SIGNALS } from '../signals/index.js';
import type { SignalName } from '../signals/types.js';
import { type StoreStatus, storeStatus } from '../store/status.js';
import type { Store } from '../store/store.js';
import { accountDetail, accountPosts, searchAccounts } from './accounts.js';
import { AMPLIFICATION_TOP, AmplificationCache, amplificationResponse, itemSeries } from './amplification.js';
import { clusterDetail, clusterEvidence, clusterList, clusterMembers } from './clusters.js';
import { EchoCache, echoRoutes } from './echo.js';
import { DEFAULT_PER_NODE, graphOf, MAX_PER_NODE, prepareGraph } from './graph.js';
import { InfluenceService, registerInfluenceRoutes } from './influence.js';
import { Jobs } from './jobs.js';
import { choiceParam, intParam, listParam, pageParams, type Query, textParam, timeParam } from './params.js';
import { Queue } from './queue.js';
import { Runs, runInfo } from './runs.js';
import { StaticFiles } from './static.js';
import type {
  DetectRequest,
  HealthResponse,
  JobStarted,
  OverviewResponse,
  SignalsResponse,
} from './types.js';

export interface AppOptions {
  store: Store;
  /** Required on every /api route when set. */
  token: string | null;
  /** Host headers accepted (e.g. `127.0.0.1:8080`); null accepts any (the token protects). */
  allowedHosts: Set<string> | null;
  /** The built web app (dist/web); null serves the API only. */
  webRoot: string | null;
  /** Where uploaded files are kept (they are the ingests' provenance). */
  uploadDir: string;
  /** Largest upload accepted, in bytes. */
  maxUploadBytes: number;
  /**
   * A report of a run, for the download route (report/html.ts); absent, the route is 404. `echo` is
   * the run's echo tracing as the Echo view computed it (null: the store has no documents).
   */
  report?: (store: Store, runId: number, extras: { echo: EchoResult | null }) => Promise<string>;
}

/** The policy every response carries: nothing from outside the server, no inline script. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Page sizes: default and maximum per list. */
const LIMITS = {
  clusters: [50, 500],
  members: [100, 1000],
  evidence: [200, 1000],
  posts: [50, 500],
  accounts: [25, 100],
  graphNodes: [5000, 20000],
} as const;

const CONFIDENCES = ['low', 'medium', 'high'] as const;
const BUCKETS = ['day', 'hour'] as const;
const EXPORTS = ['clusters.gexf', 'clusters.graphml', ...CSV_FILES, 'result.json', 'report.html'] as const;

export interface WorkbenchApp {
  app: Hono;
  jobs: Jobs;
  amplification: AmplificationCache;
  echo: EchoCache;
  runs: Runs;
  /** The influence layer's index, graph and connection (./influence.ts). */
  influence: InfluenceService;
  /** Lays out the latest run and starts its amplification, so that the first visit finds them ready. */
  warm(): Promise<void>;
}

export function createApp(options: AppOptions): WorkbenchApp {
  const { store } = options;
  const queue = new Queue();
  const read = <T>(work: (s: Store) => Promise<T>) => queue.run(() => work(store));
  const runs = new Runs(read);
  const amplificationCache = new AmplificationCache(store);
  const echoCache = new EchoCache(store);
  // The store's summary (a few scans of the posts) changes only when a job of this server ingests or
  // detects: a store open for writing here cannot be written by another process, nor one open
  // read-only (DuckDB allows one writer, or readers only).
  let status: Promise<StoreStatus> | null = null;
  const storeSummary = () => {
    status ??= read(storeStatus);
    status.catch(() => {
      status = null;
    });
    return status;
  };
  const influence = new InfluenceService(store);
  const jobs = new Jobs(store, () => {
    status = null;
    influence.invalidate();
  });
  const files = new StaticFiles(options.webRoot);
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
  });

  app.use('/api/*', async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (options.allowedHosts && !options.allowedHosts.has(host.toLowerCase()))
      return fail(c, 403, `this server answers only as ${[...options.allowedHosts][0]}; open that address`);
    // Another site's page may send requests here (a form, a sandboxed frame with Origin "null"):
    // refused, so that no page can start a job or upload data into the investigation (CSRF).
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    if ((origin && hostOf(origin) !== host.toLowerCase()) || site === 'cross-site' || site === 'same-site')
      return fail(c, 403, 'requests from other web sites are refused');
    if (options.token && !tokenMatches(c.req.header('authorization'), options.token))
      return fail(
        c,
        401,
        'this workbench needs its access token: open the URL lockstep serve printed, or send Authorization: Bearer TOKEN',
      );
    c.header('Cache-Control', 'no-store');
    await next();
  });

  app.get('/api/health', (c) =>
    c.json<HealthResponse>({
      ok: true,
      version: VERSION,
      tokenRequired: !!options.token,
      writable: !store.readOnly,
    }),
  );

  app.get('/api/overview', async (c) => {
    const q = query(c);
    const runId = intParam(q, 'run', undefined, 1, 2 ** 31);
    const status = await storeSummary();
    const run = await runs.maybe(runId);
    const body: OverviewResponse = {
      store: {
        name: basename(store.path),
        posts: status.posts,
        accounts: status.accounts,
        first: status.first,
        last: status.last,
        platforms: status.platforms,
        rejects: status.rejects,
      },
      ingests: status.ingests.slice(-50).reverse(),
      ingestsTotal: status.ingests.length,
      run: run ? runInfo(run) : null,
      runs: status.detections
        .map((d) => ({ runId: d.runId, createdAt: d.createdAt, clusters: d.clusters }))
        .reverse(),
      clusters: run ? run.rows.slice(0, 50) : [],
    };
    return c.json(body);
  });

  app.get('/api/clusters', async (c) => {
    const q = query(c);
    const run = await runs.get(intParam(q, 'run', undefined, 1, 2 ** 31));
    return c.json(clusterList(run, textParam(q, 'q'), pageParams(q, ...LIMITS.clusters)));
  });

  app.get('/api/clusters/:id', async (c) => {
    const run = await runs.get(intParam(query(c), 'run', undefined, 1, 2 ** 31));
    return c.json(await read((s) => clusterDetail(s, run, c.req.param('id'))));
  });

  app.get('/api/clusters/:id/members', async (c) => {
    const q = query(c);
    const run = await runs.get(intParam(q, 'run', undefined, 1, 2 ** 31));
    const page = pageParams(q, ...LIMITS.members);
    return c.json(await read((s) => clusterMembers(s, run, c.req.param('id'), textParam(q, 'q'), page)));
  });

  app.get('/api/clusters/:id/evidence', async (c) => {
    const q = query(c);
    const run = await runs.get(intParam(q, 'run', undefined, 1, 2 ** 31));
    return c.json(
      clusterEvidence(run, c.req.param('id'), textParam(q, 'q'), pageParams(q, ...LIMITS.evidence)),
    );
  });

  app.get('/api/graph', async (c) => {
    const q = query(c);
    const run = await runs.get(intParam(q, 'run', undefined, 1, 2 ** 31));
    return c.json(
      graphOf(run, {
        signals: listParam(q, 'signals', SIGNAL_NAMES),
        minConfidence: choiceParam(q, 'minConfidence', CONFIDENCES, 'low'),
        from: timeParam(q, 'from'),
        to: timeParam(q, 'to'),
        maxNodes: intParam(q, 'limit', LIMITS.graphNodes[0], 1, LIMITS.graphNodes[1]),
        perNode: intParam(q, 'perNode', DEFAULT_PER_NODE, 0, MAX_PER_NODE),
      }),
    );
  });

  app.get('/api/accounts', async (c) => {
    const q = query(c);
    const page = pageParams(q, ...LIMITS.accounts);
    return c.json(await read((s) => searchAccounts(s, textParam(q, 'q'), page)));
  });

  app.get('/api/accounts/:platform/:accountId', async (c) => {
    const run = await runs.maybe(intParam(query(c), 'run', undefined, 1, 2 ** 31));
    return c.json(
      await read((s) => accountDetail(s, c.req.param('platform'), c.req.param('accountId'), run)),
    );
  });

  app.get('/api/accounts/:platform/:accountId/posts', async (c) => {
    const q = query(c);
    const page = pageParams(q, ...LIMITS.posts);
    const range = { from: timeParam(q, 'from'), to: timeParam(q, 'to') };
    return c.json(
      await read((s) => accountPosts(s, c.req.param('platform'), c.req.param('accountId'), page, range)),
    );
  });

  app.get('/api/amplification', async (c) => {
    const q = query(c);
    const run = await runs.get(intParam(q, 'run', undefined, 1, 2 ** 31));
    const by = choiceParam(q, 'by', BUCKETS, 'day');
    const kinds = listParam(q, 'kinds', ITEM_KINDS);
    const top = intParam(q, 'top', AMPLIFICATION_TOP, 1, AMPLIFICATION_TOP);
    const families = kinds?.includes('text-family') ?? false;
    return c.json(amplificationResponse(await amplificationCache.get(run, by, families), kinds, top, by));
  });

  app.get('/api/amplification/series', async (c) => {
    const q = query(c);
    const run = await runs.get(intParam(q, 'run', undefined, 1, 2 ** 31));
    const kind = choiceParam(q, 'kind', ['hashtag', 'link', 'domain'] as const, 'hashtag');
    const key = textParam(q, 'key', 2000);
    if (!key) throw new UsageError('missing key: the hashtag, link or domain to show');
    const by = choiceParam(q, 'by', BUCKETS, 'day');
    return c.json(await read((s) => itemSeries(s, run, kind, key, by)));
  });

  const echo = echoRoutes(app, {
    store,
    cache: echoCache,
    runs,
    read,
    version: async () => {
      const s = await storeSummary();
      return `${s.ingests.length}:${s.posts}`;
    },
  });

  app.get('/api/signals', (c) =>
    c.json<SignalsResponse>({
      signals: SIGNALS.map((s) => ({
        name: s.name,
        title: s.title,
        description: s.description,
        enabledByDefault: s.enabledByDefault,
        defaultWindow: s.defaultWindow,
        options: s.options,
      })),
      defaults: {
        minParticipation: DETECT_DEFAULTS.minParticipation,
        fdr: DETECT_DEFAULTS.fdr,
        minClusterSize: DETECT_DEFAULTS.minClusterSize,
        crowdCap: DETECT_DEFAULTS.crowdCap,
        seed: DETECT_DEFAULTS.seed,
      },
      formats: formatNames(),
    }),
  );

  app.get('/api/jobs', (c) => c.json({ jobs: jobs.list() }));
  app.get('/api/jobs/:id', (c) => {
    const job = jobs.get(c.req.param('id'));
    if (!job) throw new NotFoundError('no such job; GET /api/jobs lists them');
    return c.json({ job });
  });
  app.delete('/api/jobs/:id', (c) => {
    const job = jobs.get(c.req.param('id'));
    if (!job) throw new NotFoundError('no such job; GET /api/jobs lists them');
    jobs.cancel(job.id);
    return c.json({ job });
  });

  app.post('/api/detect', async (c) => {
    const text = await c.req.text();
    if (text.length > 64 * 1024)
      throw new UsageError('the detection request is too large (at most 64 KB of JSON)');
    let body: DetectRequest;
    try {
      body = text.trim() ? (JSON.parse(text) as DetectRequest) : {};
    } catch {
      throw new UsageError('the detection request is not valid JSON');
    }
    const options = detectOptions(body);
    resolveDetectOptions(options); // every bad value is refused here, before the job starts
    return c.json<JobStarted>({ job: jobs.detect(options) }, 202);
  });

  app.post('/api/ingest', async (c) => {
    const q = query(c);
    const name = safeName(textParam(q, 'name', 255) ?? 'upload');
    const format = q.get('format') || undefined;
    if (format && !formatNames().includes(format))
      throw new UsageError(
        `invalid format "${format.slice(0, 40)}": expecting one of ${formatNames().join(', ')}`,
      );
    const platform = textParam(q, 'platform', 40);
    if (platform && !/^[a-z0-9_-]+$/i.test(platform))
      throw new UsageError('invalid platform: expecting a name of letters, digits, - or _');
    if (store.readOnly)
      throw new UsageError(
        'the store is open read-only (lockstep serve --read-only); restart without it to ingest',
      );
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > options.maxUploadBytes) return fail(c, 413, tooLarge(options.maxUploadBytes));
    const body = c.req.raw.body;
    if (!body) throw new UsageError('the upload is empty: send the file as the request body');
    // A folder per upload keeps the user's file name, which the ingest records.
    const folder = join(
      options.uploadDir,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`,
    );
    mkdirSync(folder, { recursive: true });
    const path = join(folder, name);
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(size > options.maxUploadBytes ? new UsageError(tooLarge(options.maxUploadBytes)) : null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as import('node:stream/web').ReadableStream),
        limit,
        createWriteStream(path),
      );
    } catch (err) {
      rmSync(path, { force: true });
      if (err instanceof UsageError) return fail(c, 413, err.message);
      throw err;
    }
    if (size === 0) throw new UsageError('the upload is empty: send the file as the request body');
    return c.json<JobStarted>({ job: jobs.ingest(path, name, { format, platform }) }, 202);
  });

  app.get('/api/exports/:file', async (c) => {
    const file = c.req.param('file') as (typeof EXPORTS)[number];
    if (!EXPORTS.includes(file))
      throw new NotFoundError(`no export "${file.slice(0, 40)}"; one of ${EXPORTS.join(', ')}`);
    const run = await runs.get(intParam(query(c), 'run', undefined, 1, 2 ** 31));
    const name = `lockstep-run${run.runId}-${file}`;
    const result = run.result;
    let body: string;
    let type: string;
    if (file === 'clusters.gexf' || file === 'clusters.graphml') {
      body = file === 'clusters.gexf' ? toGexf(result) : toGraphml(result);
      type = 'application/xml; charset=utf-8';
    } else if (file === 'result.json') {
      body = JSON.stringify(result, null, 1);
      type = 'application/json; charset=utf-8';
    } else if (file === 'report.html') {
      if (!options.report) throw new NotFoundError('reports are not available from this server');
      const echoes = await echo.result(run);
      body = await read((s) => options.report!(s, run.runId, { echo: echoes }));
      type = 'text/html; charset=utf-8';
    } else {
      const table = csvTables(result).find((t) => t.name === file)!;
      body = csvDocument(table.header, table.rows);
      type = 'text/csv; charset=utf-8';
    }
    c.header('Content-Disposition', `attachment; filename="${name}"`);
    c.header('Content-Type', type);
    return c.body(body);
  });

  registerInfluenceRoutes(app, influence, runs);

  app.all('/api/*', (c) =>
    fail(c, 404, `no such API route: ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 100)}`),
  );

  app.get('*', (c) => {
    const file = files.lookup(new URL(c.req.url).pathname);
    if (!file)
      return files.available
        ? c.text('not found', 404)
        : c.text('the web app is not built: run npm run build (the API is at /api)', 404);
    c.header('Content-Type', file.type);
    c.header('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(file.body as Uint8Array<ArrayBuffer>);
  });

  app.onError((err, c) => {
    if (err instanceof NotFoundError) return fail(c, 404, err.message);
    if (err instanceof InterruptedError) return fail(c, 409, err.message);
    if (err instanceof StoreError) return fail(c, 503, err.message);
    if (err instanceof LockstepError) return fail(c, 400, err.message);
    if (process.env.LOCKSTEP_DEBUG) console.error(err);
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return fail(
      c,
      500,
      `internal error: ${message} (this is a bug; rerun with LOCKSTEP_DEBUG=1 and report it)`,
    );
  });

  return {
    app,
    jobs,
    amplification: amplificationCache,
    echo: echoCache,
    runs,
    influence,
    async warm() {
      const run = await runs.maybe();
      if (run) {
        prepareGraph(run);
        await amplificationCache.get(run, 'day', false);
        await echo.warm(run);
      }
      await influence.prepare();
    },
  };
}

function fail(c: Context, status: ContentfulStatusCode, error: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error }, status);
}

const query = (c: Context): Query => new URL(c.req.url).searchParams;

function hostOf(origin: string): string {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return '';
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** An uploaded file's name as kept on disk: its last path part, letters, digits, `._-` only. */
function safeName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  const clean = last
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(-120);
  return clean || 'upload';
}

const tooLarge = (max: number) =>
  `the file is larger than the upload limit (${Math.round(max / 2 ** 20)} MB); ingest it with lockstep ingest, or restart serve with a larger --max-upload`;

/** The request body as detection options (types are checked here, values by resolveDetectOptions). */
function detectOptions(body: DetectRequest): DetectOptions {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new UsageError('the detection request must be a JSON object');
  const known = [
    'signals',
    'windows',
    'signalOptions',
    'minParticipation',
    'fdr',
    'minClusterSize',
    'crowdCap',
    'seed',
  ];
  const extra = Object.keys(body).filter((k) => !known.includes(k));
  if (extra.length)
    throw new UsageError(
      `unknown detection parameter "${extra[0]!.slice(0, 40)}"; known: ${known.join(', ')}`,
    );
  const numberOrUndefined = (name: string, v: unknown) => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') throw new UsageError(`invalid ${name}: expecting a number`);
    return v;
  };
  const signals = body.signals;
  if (signals !== undefined) {
    if (!Array.isArray(signals) || !signals.length)
      throw new UsageError('invalid signals: expecting a non-empty list of signal names');
    const unknown = signals.find((s) => !SIGNAL_NAMES.includes(s as SignalName));
    if (unknown !== undefined)
      throw new UsageError(
        `unknown signal "${String(unknown).slice(0, 40)}"; use one of ${SIGNAL_NAMES.join(', ')}`,
      );
  }
  const signalOptions = body.signalOptions;
  if (
    signalOptions !== undefined &&
    (typeof signalOptions !== 'object' ||
      signalOptions === null ||
      Object.values(signalOptions).some((o) => typeof o !== 'object' || o === null || Array.isArray(o)))
  )
    throw new UsageError('invalid signalOptions: expecting { "signal-name": { "option": value } }');
  const windows: Partial<Record<SignalName, number>> = {};
  for (const [name, v] of Object.entries(body.windows ?? {})) {
    if (!SIGNAL_NAMES.includes(name as SignalName))
      throw new UsageError(`a window for an unknown signal "${name.slice(0, 40)}"`);
    const w = numberOrUndefined(`window of ${name}`, v);
    if (w !== undefined) windows[name as SignalName] = w;
  }
  return {
    signals: signals as SignalName[] | undefined,
    windows,
    signalOptions,
    minParticipation: numberOrUndefined('minParticipation', body.minParticipation),
    fdr: numberOrUndefined('fdr', body.fdr),
    minClusterSize: numberOrUndefined('minClusterSize', body.minClusterSize),
    crowdCap: numberOrUndefined('crowdCap', body.crowdCap),
    seed: numberOrUndefined('seed', body.seed),
  };
}
