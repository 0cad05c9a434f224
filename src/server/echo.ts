/**
 * Echo tracing for the workbench (the Echo view): the library's `traceEchoes`, the same call as
 * `lockstep echo`, over a run's flagged clusters, computed once per run and store state in the
 * background on a connection of its own, and kept. It takes seconds to minutes on a large store;
 * its heavy parts (text families, the document scan) run in worker threads, so the server keeps
 * answering. Until it is done, `GET /api/echo` says `computing` (stage, progress) and the other echo
 * routes answer 202 with the same body. Types in ./echo-types.ts; docs/workbench.md lists the routes.
 */
import { basename } from 'node:path';
import type { Context, Hono } from 'hono';
import { InterruptedError, NotFoundError, UsageError } from '../core/errors.js';
import { documentRefs, traceEchoes } from '../echo/index.js';
import type { Echo, EchoResult, TalkingPoint } from '../echo/types.js';
import type { Store } from '../store/store.js';
import {
  ECHO_SORTS,
  type EchoDocumentRow,
  type EchoDocumentsResponse,
  type EchoListItem,
  type EchoPassagesResponse,
  type EchoSort,
  type EchoStatus,
  type EchoStatusResponse,
  type EchoTalkingPointResponse,
  type EchoTalkingPointRow,
  type EchoTalkingPointsResponse,
} from './echo-types.js';
import { choiceParam, intParam, pageOf, pageParams, type Query, textParam } from './params.js';
import type { LoadedRun, Runs } from './runs.js';

/** Page sizes: default and maximum. */
const LIMITS = { talkingPoints: [50, 500], echoes: [100, 1000], documents: [50, 500] } as const;
/** Tracings kept (each holds a run's echoes with their passages). */
const KEEP = 4;
/** A document's text is sent whole up to this many characters, else the part around its passages. */
export const MAX_DOCUMENT_CHARS = 200_000;
const EXCERPT_CHARS = 240;
/** Documents drawn on a talking point's timeline at most (the earliest; its echoes are paged). */
export const MAX_TIMELINE_DOCUMENTS = 10_000;
const STATUSES: EchoStatus[] = ['echo', 'precedes', 'uncertain', 'undated'];

/** A run's echoes, indexed for the routes. */
interface EchoIndex {
  result: EchoResult;
  rows: EchoTalkingPointRow[];
  sorted: Map<EchoSort, EchoTalkingPointRow[]>;
  /** Lower-cased label and wordings, for the search. */
  search: Map<string, string>;
  talkingPoints: Map<string, EchoResult['talkingPoints'][number]>;
  echoesOf: Map<string, Echo[]>;
  byDoc: Map<string, Echo[]>;
  byPair: Map<string, Echo>;
}

interface Tracing {
  run: number | null;
  state: 'queued' | 'computing' | 'ready' | 'failed';
  startedAt: number | null;
  seconds: number;
  stage: string | null;
  progress: number | null;
  index: EchoIndex | null;
  failure: unknown;
  done: Promise<EchoIndex>;
  controller: AbortController;
}

const pair = (tp: string, doc: string) => `${tp}\u0000${doc}`;
const clip = (text: string, max: number) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
const counts = () => ({ echo: 0, precedes: 0, uncertain: 0, undated: 0 }) as Record<EchoStatus, number>;

function rowOf(tp: EchoResult['talkingPoints'][number], echoes: Echo[]): EchoTalkingPointRow {
  const byStatus = counts();
  for (const e of echoes) byStatus[e.status]++;
  return {
    id: tp.id,
    kind: tp.kind,
    label: tp.label,
    lang: tp.lang,
    posts: tp.posts,
    accounts: tp.accounts,
    flaggedPosts: tp.flaggedPosts,
    flaggedShare: tp.flaggedShare,
    clusters: tp.clusters.slice(0, 5),
    firstSeen: tp.firstSeen,
    firstSeenFlagged: tp.firstSeenFlagged,
    documents: echoes.length,
    byStatus,
    bestScore: Math.max(0, ...echoes.map((e) => e.score)),
    firstEcho: tp.firstEcho,
  };
}

const firstSeenMs = (r: EchoTalkingPointRow) =>
  r.firstSeen ? Date.parse(r.firstSeen.time.at) : Number.POSITIVE_INFINITY;
const ORDER: Record<EchoSort, (a: EchoTalkingPointRow, b: EchoTalkingPointRow) => number> = {
  documents: () => 0, // the result's own order: most echoed first
  posts: (a, b) => b.posts - a.posts,
  flagged: (a, b) => b.flaggedShare - a.flaggedShare || b.flaggedPosts - a.flaggedPosts,
  first: (a, b) => firstSeenMs(a) - firstSeenMs(b),
};

function indexOf(result: EchoResult): EchoIndex {
  const echoesOf = new Map<string, Echo[]>();
  const byDoc = new Map<string, Echo[]>();
  const byPair = new Map<string, Echo>();
  const push = (m: Map<string, Echo[]>, k: string, e: Echo) => {
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
  };
  for (const e of result.echoes) {
    push(echoesOf, e.talkingPoint, e);
    push(byDoc, e.document.docId, e);
    byPair.set(pair(e.talkingPoint, e.document.docId), e);
  }
  const rows = result.talkingPoints.map((tp) => rowOf(tp, echoesOf.get(tp.id) ?? []));
  return {
    result,
    rows,
    sorted: new Map(ECHO_SORTS.map((s) => [s, [...rows].sort(ORDER[s])])),
    search: new Map(
      result.talkingPoints.map((tp) => [
        tp.id,
        [tp.id, tp.label, ...tp.variants.map((v) => v.text)].join('\n').toLowerCase(),
      ]),
    ),
    talkingPoints: new Map(result.talkingPoints.map((tp) => [tp.id, tp])),
    echoesOf,
    byDoc,
    byPair,
  };
}

/** Tracings by run and store state; one computes at a time (each holds a connection and both cores). */
export class EchoCache {
  private readonly tracings = new Map<string, Tracing>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store) {}

  /**
   * The tracing of `run` (null: no detection saved, talking points from all posts) for the store as
   * of `version`, started when new. Tracings of another store version are stopped and forgotten.
   */
  get(run: number | null, version: string): Tracing {
    const key = `${run ?? 'all'}@${version}`;
    let t = this.tracings.get(key);
    if (t) return t;
    for (const [k, old] of this.tracings)
      if (!k.endsWith(`@${version}`)) {
        old.controller.abort();
        this.tracings.delete(k);
      }
    t = this.start(run);
    this.tracings.set(key, t);
    while (this.tracings.size > KEEP) {
      const [k, old] = this.tracings.entries().next().value!;
      old.controller.abort();
      this.tracings.delete(k);
    }
    return t;
  }

  /** Stops every tracing under way and waits until none holds a connection. */
  async close(): Promise<void> {
    for (const t of this.tracings.values()) t.controller.abort();
    await this.tail;
  }

  private start(run: number | null): Tracing {
    const t = {
      run,
      state: 'queued',
      startedAt: null,
      seconds: 0,
      stage: 'waiting for another echo tracing to finish',
      progress: null,
      index: null,
      failure: null,
      controller: new AbortController(),
    } as Omit<Tracing, 'done'> as Tracing;
    t.done = this.tail.then(() => this.compute(t));
    this.tail = t.done.catch(() => undefined);
    t.done.then(
      (index) => {
        t.index = index;
        t.state = 'ready';
        t.stage = null;
        t.progress = null;
      },
      (err: unknown) => {
        t.failure = err;
        t.state = 'failed';
      },
    );
    return t;
  }

  private async compute(t: Tracing): Promise<EchoIndex> {
    const signal = t.controller.signal;
    if (signal.aborted) throw new InterruptedError('echo tracing stopped; open the Echo view again');
    t.state = 'computing';
    t.startedAt = performance.now();
    t.stage = 'starting';
    const connection = await this.store.connect();
    try {
      const result = await traceEchoes(connection, t.run === null ? { from: 'all' } : { run: t.run }, {
        signal,
        onStage: (s) => {
          if (!s.done) {
            t.stage = s.name;
            t.progress = null;
          }
        },
        onProgress: (fraction) => {
          t.progress = fraction;
        },
      });
      return indexOf(result);
    } finally {
      connection.close();
      t.seconds = (performance.now() - t.startedAt) / 1000;
    }
  }
}

export interface EchoRouteDeps {
  store: Store;
  cache: EchoCache;
  runs: Runs;
  /** Work on the server's shared connection (queued). */
  read: <T>(work: (s: Store) => Promise<T>) => Promise<T>;
  /** A key that changes whenever a job of the server changes the store (new posts or runs). */
  version: () => Promise<string>;
}

const query = (c: Context): Query => new URL(c.req.url).searchParams;

/** Registers the echo routes; returns what the app needs to warm and to reuse the result (the report). */
export function echoRoutes(app: Hono, deps: EchoRouteDeps) {
  const noDocuments = () =>
    `no documents in this store: stop the workbench, add statements or articles with lockstep ingest-docs FILE --db ${basename(deps.store.path)}, and start it again (docs/echo.md)`;

  /** The run asked for (or the latest, or none), the store's documents and the run's tracing. */
  async function tracingOf(q: Query) {
    const run = await deps.runs.maybe(intParam(q, 'run', undefined, 1, 2 ** 31));
    const documents = (await deps.read((s) => s.value<number>('SELECT count(*) FROM documents'))) ?? 0;
    const tracing = documents ? deps.cache.get(run?.runId ?? null, await deps.version()) : null;
    return { run: run?.runId ?? null, documents, tracing };
  }

  function status(run: number | null, documents: number, t: Tracing | null): EchoStatusResponse {
    const seconds = t
      ? t.state === 'computing' && t.startedAt !== null
        ? (performance.now() - t.startedAt) / 1000
        : t.seconds
      : 0;
    return {
      state: !documents ? 'no-documents' : t!.state === 'queued' ? 'computing' : t!.state,
      run,
      documents,
      stage: t?.stage ?? null,
      progress: t?.progress ?? null,
      seconds: Math.round(seconds * 10) / 10,
      message: !documents
        ? noDocuments()
        : t?.state === 'failed'
          ? t.failure instanceof Error
            ? t.failure.message.split('\n')[0]!
            : String(t.failure)
          : null,
      summary: t?.index ? summaryOf(t.index) : null,
    };
  }

  /** The run's echoes, or the answer to give instead (202 while computing); throws when there are none. */
  async function ready(c: Context): Promise<{ index: EchoIndex; run: number | null } | Response> {
    const { run, documents, tracing } = await tracingOf(query(c));
    if (!documents) throw new NotFoundError(noDocuments());
    if (tracing!.state === 'failed') throw tracing!.failure;
    if (!tracing!.index) return c.json(status(run, documents, tracing), 202);
    return { index: tracing!.index, run };
  }

  app.get('/api/echo', async (c) => {
    const { run, documents, tracing } = await tracingOf(query(c));
    return c.json<EchoStatusResponse>(status(run, documents, tracing));
  });

  app.get('/api/echo/talking-points', async (c) => {
    const q = query(c);
    const sort = choiceParam(q, 'sort', ECHO_SORTS, 'documents');
    const text = textParam(q, 'q')?.toLowerCase();
    const page = pageParams(q, ...LIMITS.talkingPoints);
    const r = await ready(c);
    if (r instanceof Response) return r;
    const rows = r.index.sorted.get(sort)!;
    const found = text ? rows.filter((row) => r.index.search.get(row.id)!.includes(text)) : rows;
    return c.json<EchoTalkingPointsResponse>({ ...pageOf(found, page), run: r.run, sort });
  });

  app.get('/api/echo/talking-points/:id', async (c) => {
    const q = query(c);
    const status = choiceParam(q, 'status', [...STATUSES, 'all'] as const, 'all');
    const page = pageParams(q, ...LIMITS.echoes);
    const r = await ready(c);
    if (r instanceof Response) return r;
    const id = c.req.param('id');
    const tp = r.index.talkingPoints.get(id);
    if (!tp)
      throw new NotFoundError(
        `no echoed talking point "${id.slice(0, 60)}" in this run's echo tracing; GET /api/echo/talking-points lists them`,
      );
    const all = r.index.echoesOf.get(id) ?? [];
    const echoes = pageOf(status === 'all' ? all : all.filter((e) => e.status === status), page);
    const items: EchoListItem[] = echoes.items.map(({ passages, ...e }) => ({
      ...e,
      passages: passages.length,
      excerpt: clip(passages[0]?.docText ?? '', EXCERPT_CHARS),
    }));
    const full = r.index.result.cascades.find((x) => x.talkingPoint === id) ?? {
      talkingPoint: id,
      series: [],
      steps: [],
    };
    const documents = full.steps.filter((x) => x.kind === 'document');
    const drawn = new Set(documents.slice(0, MAX_TIMELINE_DOCUMENTS));
    const cascade = { ...full, steps: full.steps.filter((x) => x.kind !== 'document' || drawn.has(x)) };
    const accounts = [
      ...postAccounts(tp),
      ...items.flatMap((e) => (e.source?.kind === 'post' && e.source.who ? [e.source.who] : [])),
    ];
    return c.json<EchoTalkingPointResponse>({
      run: r.run,
      talkingPoint: tp,
      row: r.index.rows.find((x) => x.id === id)!,
      cascade,
      timelineDocumentsLeftOut: documents.length - drawn.size,
      echoes: { ...echoes, items },
      handles: await deps.read((s) => handlesOf(s, accounts)),
    });
  });

  app.get('/api/echo/passages', async (c) => {
    const q = query(c);
    const tpId = textParam(q, 'tp', 200);
    const docId = textParam(q, 'doc', 2000);
    if (!tpId || !docId)
      throw new UsageError(
        'missing tp or doc: the talking point id and the document id of an echo (GET /api/echo/talking-points/ID lists its echoes)',
      );
    const r = await ready(c);
    if (r instanceof Response) return r;
    const echo = r.index.byPair.get(pair(tpId, docId));
    if (!echo)
      throw new NotFoundError(
        `document "${docId.slice(0, 60)}" does not echo talking point "${tpId.slice(0, 60)}" in this run's echo tracing`,
      );
    const tp = r.index.talkingPoints.get(tpId)!;
    const stored = await deps.read(async (s) => {
      const rowid = await s.value<number>('SELECT rowid FROM documents WHERE doc_id = ?', [docId]);
      return rowid === undefined || rowid === null ? null : (await documentRefs(s, [rowid])).get(rowid);
    });
    if (!stored) throw new NotFoundError(`document "${docId.slice(0, 60)}" is no longer in the store`);
    const { text, ...ref } = stored;
    const [from, to] = textWindow(text.length, echo);
    const variant = tp.variants[echo.variant]!;
    const accounts = [
      ...postAccounts(tp),
      ...(echo.source?.kind === 'post' && echo.source.who ? [echo.source.who] : []),
    ];
    return c.json<EchoPassagesResponse>({
      run: r.run,
      echo,
      talkingPoint: r.index.rows.find((x) => x.id === tpId)!,
      variant: { ...variant, index: echo.variant },
      document: { ...ref, text: text.slice(from, to), textOffset: from, textLength: text.length },
      handles: await deps.read((s) => handlesOf(s, accounts)),
    });
  });

  app.get('/api/echo/documents', async (c) => {
    const q = query(c);
    const page = pageParams(q, ...LIMITS.documents);
    const text = textParam(q, 'q')?.toLowerCase();
    const echoing = choiceParam(q, 'echoing', ['true', 'false'] as const, 'false') === 'true';
    const { run, documents, tracing } = await tracingOf(q);
    const index = tracing?.index ?? null;
    if (echoing && documents && !index) {
      if (tracing?.state === 'failed') throw tracing.failure;
      return c.json(status(run, documents, tracing), 202);
    }
    const where: string[] = [];
    const params: string[] = [];
    if (text) {
      where.push(
        `(${['title', 'author', 'outlet', 'doc_id'].map((col) => `contains(lower(coalesce(${col}, '')), ?)`).join(' OR ')})`,
      );
      params.push(text, text, text, text);
    }
    if (echoing) {
      where.push(`doc_id IN (SELECT unnest(from_json(?, '["VARCHAR"]')))`);
      params.push(JSON.stringify([...index!.byDoc.keys()]));
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { total, rows } = await deps.read(async (s) => {
      // One scan for the page and the total (counted again only for a page past the end).
      const ids = await s.all<{ r: number; total: number }>(
        `SELECT rowid AS r, count(*) OVER () AS total FROM documents ${clause}
         ORDER BY coalesce(published_at, collected_at) NULLS LAST, doc_id LIMIT ${page.limit} OFFSET ${page.offset}`,
        params,
      );
      const total = ids.length
        ? ids[0]!.total
        : ((await s.value<number>(`SELECT count(*) FROM documents ${clause}`, params)) ?? 0);
      const refs = await documentRefs(
        s,
        ids.map((x) => x.r),
      );
      return { total, rows: ids.map((x) => refs.get(x.r)!) };
    });
    const items: EchoDocumentRow[] = rows.map(({ text: body, ...ref }) => ({
      ...ref,
      chars: body.length,
      excerpt: clip(body, EXCERPT_CHARS),
      echoes: index
        ? (index.byDoc.get(ref.docId) ?? []).map((e) => ({
            talkingPoint: e.talkingPoint,
            label: clip(index.talkingPoints.get(e.talkingPoint)!.label, 90),
            score: e.score,
            status: e.status,
          }))
        : null,
    }));
    return c.json<EchoDocumentsResponse>({
      items,
      total,
      offset: page.offset,
      limit: page.limit,
      state: status(run, documents, tracing).state,
    });
  });

  return {
    /** Starts the run's tracing when the store has documents (lockstep serve, at start). */
    async warm(run: LoadedRun | null): Promise<void> {
      const documents = (await deps.read((s) => s.value<number>('SELECT count(*) FROM documents'))) ?? 0;
      if (documents) await deps.cache.get(run?.runId ?? null, await deps.version()).done;
    },
    /** The run's echo result for the report: null when the store has no documents (waits while computing). */
    async result(run: LoadedRun): Promise<EchoResult | null> {
      const documents = (await deps.read((s) => s.value<number>('SELECT count(*) FROM documents'))) ?? 0;
      if (!documents) return null;
      return (await deps.cache.get(run.runId, await deps.version()).done).result;
    },
  };
}

function summaryOf(index: EchoIndex): EchoStatusResponse['summary'] {
  const r = index.result;
  const byStatus = counts();
  for (const e of r.echoes) byStatus[e.status]++;
  const lexical = r.echoes.filter((e) => e.tier === 'lexical').length;
  const p = r.parameters as {
    thresholds: Record<string, number>;
    minScore?: number;
    lexical: { minPassage: number; minShared: number; minWords: number };
    semantic: { provider: string | null; minCosine: number };
  };
  return {
    data: r.data,
    talkingPoints: r.stats.talkingPoints,
    echoedTalkingPoints: r.talkingPoints.length,
    echoes: r.echoes.length,
    documentsEchoing: index.byDoc.size,
    byStatus,
    byTier: { lexical, semantic: r.echoes.length - lexical },
    thresholds: p.thresholds,
    minScore: p.minScore ?? null,
    lexical: p.lexical,
    semantic: { provider: p.semantic.provider, minCosine: p.semantic.minCosine },
    limits: r.limits,
  };
}

/** The accounts a talking point names: its first posts and its wordings' first posts. */
function postAccounts(tp: TalkingPoint): string[] {
  return [tp.firstSeen, tp.firstSeenFlagged, ...tp.variants.map((v) => v.firstSeen)].flatMap((p) =>
    p ? [`${p.platform}:${p.accountId}`] : [],
  );
}

/** Handles by `platform:accountId`. */
async function handlesOf(store: Store, keys: string[]): Promise<Record<string, string | null>> {
  const wanted = [...new Set(keys)];
  if (!wanted.length) return {};
  const rows = await store.all<{ k: string; handle: string | null }>(
    `SELECT a.platform || ':' || a.account_id AS k, a.handle FROM accounts a
     WHERE a.platform || ':' || a.account_id IN (SELECT unnest(from_json(?, '["VARCHAR"]')))`,
    [JSON.stringify(wanted)],
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.handle]));
}

/** The part of a long document sent: all of it, or MAX_DOCUMENT_CHARS around its passages. */
function textWindow(length: number, echo: Echo): [number, number] {
  if (length <= MAX_DOCUMENT_CHARS) return [0, length];
  const first = Math.min(...echo.passages.map((p) => p.docStart));
  const from = Math.max(0, Math.min(first - 20_000, length - MAX_DOCUMENT_CHARS));
  return [from, from + MAX_DOCUMENT_CHARS];
}
