/**
 * The influence layer in the workbench (docs/influence.md, docs/workbench.md "Influence"): entity
 * search, one entity's view (layered graph, timeline, money flows, every fact's source), paths
 * between two endpoints, and "who is behind" a cluster.
 *
 * `match` and `map` need an in-memory index of the store's parties and a graph of every layer
 * (seconds to build at a million entities; entities/resolve/match.ts, entities/query/map.ts). Both are
 * cached per open `Store` object, so the service keeps one connection of its own for all influence
 * queries: the index and graph are built once there, at start-up (`prepare`, called by the server's
 * warm-up or by the first request), and again after a job of this server changes the store. While
 * they are being built, the data routes answer 503 with a "preparing" message and the status route
 * says what is being built; the other views keep their own connection and queue.
 *
 * Lookups by entity id in a store of millions of statements scan the whole table (DuckDB has no
 * index there, and the rows are in import order, so its zone maps cannot skip anything): 100 ms
 * and more per query at 5M statements. So the service's connection also holds copies of
 * `statements` and `entities` sorted by entity id, as temporary tables of the same names: DuckDB
 * resolves a name to the connection's temporary table first, so every influence query on this
 * connection reads the sorted copy, where zone maps skip all but a row group or two (a few ms).
 * The copies are made with the index and graph, and again after a job changes the store.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { LockstepError, NotFoundError, UsageError } from '../core/errors.js';
import { findNode, influenceGraph, mapPaths, nodeLabels } from '../entities/query/map.js';
import { inList } from '../entities/query/sources.js';
import {
  clustersWithInfluence,
  influenceView,
  type LinkEvidence,
  linkEvidence,
  nodeTiers,
  type Tier,
  type WhoIsBehind,
  whoIsBehind,
} from '../entities/query/views.js';
import { matchEntities, matchIndex } from '../entities/resolve/match.js';
import type { Store } from '../store/store.js';
import { intParam, pageOf, pageParams, type Query, textParam } from './params.js';
import { Queue } from './queue.js';
import type { Runs } from './runs.js';
import type {
  EntitySearchResponse,
  EntitySearchResult,
  InfluenceEntityResponse,
  InfluencePathsResponse,
  InfluenceStatusResponse,
  WhoIsBehindResponse,
} from './types.js';

/** What the view says when the store holds no entities. */
export const NO_ENTITIES =
  'this store has no entities yet: add public records (FARA, lobbying registers, FtM streams) with lockstep entities import FILE --db STORE, then restart lockstep serve';

/** Limits of the influence routes: search results, list lengths of an entity's page, path search. */
export const INFLUENCE_LIMITS = {
  search: [10, 50],
  lists: [200, 500],
  maxHops: [6, 8],
  paths: [5, 20],
  parties: [50, 300],
  echoes: 100,
} as const;

/** The index and graph are being built: the data routes answer 503 until they are ready. */
class PreparingError extends LockstepError {}

type Phase = InfluenceStatusResponse['state'];

export class InfluenceService {
  private connection: Promise<Store> | null = null;
  private readonly queue = new Queue();
  private preparing: Promise<void> | null = null;
  private phase: Phase | 'idle' = 'idle';
  private stage: string | null = null;
  private startedAt = 0;
  private error: string | null = null;
  private counts = { entities: 0, relationships: 0, links: 0 };
  private runId: number | null = null;
  private clusters: string[] = [];
  private timings = {
    copySeconds: null as number | null,
    indexSeconds: null as number | null,
    graphSeconds: null as number | null,
  };
  /** "Who is behind" of each cluster, computed once per preparation (dozens of path searches). */
  private readonly behind = new Map<string, Promise<WhoIsBehind>>();

  constructor(private readonly store: Store) {}

  /** Builds the match index and the graph once (again after `invalidate`); resolves when ready. */
  prepare(): Promise<void> {
    this.preparing ??= this.queue.run(() => this.buildLayer());
    return this.preparing;
  }

  /** The store changed (a job of this server finished): rebuild in the background. */
  invalidate(): void {
    this.preparing = null;
    this.behind.clear();
    void this.prepare();
  }

  status(): InfluenceStatusResponse {
    if (this.phase === 'idle') void this.prepare();
    const phase = this.phase === 'idle' ? 'preparing' : this.phase;
    return {
      state: phase,
      stage: phase === 'preparing' ? this.stage : null,
      seconds: phase === 'preparing' ? Math.round((performance.now() - this.startedAt) / 100) / 10 : null,
      ...this.counts,
      runId: this.runId,
      clusters: this.clusters,
      build: this.timings,
      error: this.error,
      hint: phase === 'empty' ? NO_ENTITIES : null,
    };
  }

  /** Runs `work` on the service's connection once the layer is ready (404 without entities, 503 while preparing). */
  async use<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.phase === 'idle') void this.prepare();
    if (this.phase === 'empty') throw new NotFoundError(NO_ENTITIES);
    if (this.phase === 'failed')
      throw new LockstepError(`the influence layer could not be prepared: ${this.error}`);
    if (this.phase !== 'ready') {
      const s = this.status();
      throw new PreparingError(
        `the influence index is being built (${s.stage ?? 'starting'}, ${s.seconds ?? 0} s so far); try again in a moment`,
      );
    }
    return this.queue.run(async () => work(await this.conn()));
  }

  /** "Who is behind" a cluster of the latest run, kept until the store changes. */
  whoIsBehind(cluster: string): Promise<WhoIsBehind> {
    let result = this.behind.get(cluster);
    if (!result) {
      result = this.use((s) => whoIsBehind(s, cluster));
      this.behind.set(cluster, result);
      result.catch(() => this.behind.delete(cluster));
      while (this.behind.size > 50) this.behind.delete(this.behind.keys().next().value!);
    }
    return result;
  }

  get latestRun(): number | null {
    return this.runId;
  }

  hasCluster(id: string): boolean {
    return this.clusters.includes(id);
  }

  /** Closes the connection after the work in hand; waits at most a second (a build may be running). */
  async close(): Promise<void> {
    const c = this.connection;
    this.connection = null;
    if (!c) return;
    const closed = this.queue.run(async () => (await c).close());
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  private conn(): Promise<Store> {
    this.connection ??= this.store.connect();
    return this.connection;
  }

  private async buildLayer(): Promise<void> {
    this.phase = 'preparing';
    this.error = null;
    this.startedAt = performance.now();
    try {
      const c = await this.conn();
      this.stage = 'counting entities';
      const [counts] = await c.all<{
        entities: number;
        relationships: number;
        links: number;
        run: number | null;
      }>(
        `SELECT (SELECT count(*) FROM entities) AS entities, (SELECT count(DISTINCT rel_id) FROM entity_edges) AS relationships,
           (SELECT count(*) FROM entity_links) AS links, (SELECT max(run_id) FROM detections) AS run`,
      );
      this.counts = {
        entities: Number(counts!.entities),
        relationships: Number(counts!.relationships),
        links: Number(counts!.links),
      };
      this.runId = counts!.run === null ? null : Number(counts!.run);
      if (!this.counts.entities) {
        this.clusters = [];
        this.phase = 'empty';
        return;
      }
      this.stage = 'copies of the statements sorted for lookups';
      let t = performance.now();
      const db = (await c.value<string>('SELECT current_database()'))!.replaceAll('"', '""');
      for (const table of ['statements', 'entities']) {
        await c.run(`DROP TABLE IF EXISTS temp.main.${table}`);
        await c.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM "${db}".main.${table} ORDER BY entity_id`);
      }
      this.timings.copySeconds = Math.round(performance.now() - t) / 1000;
      this.stage = 'name index (for search)';
      t = performance.now();
      await matchIndex(c);
      this.timings.indexSeconds = Math.round(performance.now() - t) / 1000;
      this.stage = 'graph of every layer (for paths)';
      t = performance.now();
      await influenceGraph(c);
      await nodeTiers(c, []); // the officials and agents, read once with the graph
      this.timings.graphSeconds = Math.round(performance.now() - t) / 1000;
      this.clusters = await clustersWithInfluence(c);
      this.phase = 'ready';
    } catch (err) {
      this.phase = 'failed';
      this.error = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    } finally {
      this.stage = null;
    }
  }
}

const query = (url: string): Query => new URL(url).searchParams;

function fail(c: Context, status: ContentfulStatusCode, error: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error }, status);
}

/** The influence routes (under /api/influence; the token and host checks of app.ts apply). */
export function registerInfluenceRoutes(app: Hono, influence: InfluenceService, runs: Runs): void {
  // 503 while the index is built; everything else goes to the app's error handler.
  const guarded =
    (handler: (c: Context) => Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      try {
        return await handler(c);
      } catch (err) {
        if (!(err instanceof PreparingError)) throw err;
        c.header('Retry-After', '2');
        return fail(c, 503, err.message);
      }
    };

  app.get('/api/influence', (c) => c.json<InfluenceStatusResponse>(influence.status()));

  app.get(
    '/api/influence/entities',
    guarded(async (c) => {
      const q = query(c.req.url);
      const text = textParam(q, 'q');
      if (!text) throw new UsageError('missing q: the name (or part of it) to search for');
      const limit = intParam(q, 'limit', INFLUENCE_LIMITS.search[0], 1, INFLUENCE_LIMITS.search[1]);
      const items = await influence.use((s) => searchEntities(s, text, limit));
      return c.json<EntitySearchResponse>({ query: text, items, limit });
    }),
  );

  app.get(
    '/api/influence/entities/:id',
    guarded(async (c) => {
      const id = c.req.param('id') ?? '';
      const limit = intParam(
        query(c.req.url),
        'limit',
        INFLUENCE_LIMITS.lists[0],
        1,
        INFLUENCE_LIMITS.lists[1],
      );
      const body = await influence.use(async (s) => {
        const exists = await s.value<number>(
          `SELECT count(*) FROM entities WHERE entity_id = ? OR entity_id IN (SELECT entity_id FROM entity_canonical WHERE canonical_id = ?)`,
          [id, id],
        );
        if (!exists)
          throw new NotFoundError(
            `no entity "${id.slice(0, 80)}" in this store; search by name (GET /api/influence/entities?q=)`,
          );
        const view = await influenceView(s, id, { limit });
        return {
          ...view,
          evidence: await evidenceOf(
            s,
            view.graph.edges.map((e) => e.record),
          ),
        };
      });
      return c.json<InfluenceEntityResponse>(body);
    }),
  );

  app.get(
    '/api/influence/paths',
    guarded(async (c) => {
      const q = query(c.req.url);
      const from = textParam(q, 'from', 300);
      const to = textParam(q, 'to', 300);
      if (!from || !to)
        throw new UsageError(
          'missing from or to: an entity name or id, a cluster (C3), an account (@handle), a domain or a document',
        );
      const maxHops = intParam(q, 'maxHops', INFLUENCE_LIMITS.maxHops[0], 1, INFLUENCE_LIMITS.maxHops[1]);
      const limit = intParam(q, 'limit', INFLUENCE_LIMITS.paths[0], 1, INFLUENCE_LIMITS.paths[1]);
      const body = await influence.use(async (s) => {
        const g = await influenceGraph(s);
        const [fromKey, toKey] = [await endpoint(s, from), await endpoint(s, to)];
        const paths = await mapPaths(s, argOf(fromKey), argOf(toKey), { maxHops, limit });
        const labels = await nodeLabels(
          s,
          g,
          [fromKey, toKey].filter((k) => g.has(k)),
        );
        return {
          from: { key: fromKey, label: labels.get(fromKey) ?? from, known: g.has(fromKey) },
          to: { key: toKey, label: labels.get(toKey) ?? to, known: g.has(toKey) },
          maxHops,
          paths,
          evidence: await evidenceOf(
            s,
            paths.flatMap((p) => p.hops.map((h) => h.record)),
          ),
          tiers: await tiersOf(
            s,
            paths.flatMap((p) => p.nodes.map((n) => n.key)),
          ),
        };
      });
      return c.json<InfluencePathsResponse>(body);
    }),
  );

  app.get(
    '/api/influence/clusters/:id',
    guarded(async (c) => {
      const q = query(c.req.url);
      const id = c.req.param('id') ?? '';
      const runId = intParam(q, 'run', undefined, 1, 2 ** 31);
      const page = pageParams(q, ...INFLUENCE_LIMITS.parties);
      await influence.use(async () => undefined); // 404 without entities, 503 while preparing
      const latest = influence.latestRun;
      if (latest === null)
        throw new NotFoundError(
          'no detection saved in this store yet; run one (Run view, or lockstep detect)',
        );
      if (runId !== undefined && runId !== latest)
        throw new UsageError(
          `the influence links join the clusters of the latest detection run (${latest}), not run ${runId}; open the cluster in run ${latest}`,
        );
      const run = await runs.get(latest);
      if (!run.byId.has(id))
        throw new NotFoundError(`no cluster "${id.slice(0, 40)}" in detection run ${latest}`);
      const who = await influence.whoIsBehind(id);
      const parties = pageOf(who.parties, page);
      const echoes = who.echoes.slice(0, INFLUENCE_LIMITS.echoes);
      const [evidence, tiers] = await influence.use(async (s) => [
        await evidenceOf(s, [
          ...parties.items.flatMap((p) => p.path.hops.map((h) => h.record)),
          ...echoes.flatMap((e) => e.hops.map((h) => h.record)),
        ]),
        await tiersOf(s, [
          ...parties.items.flatMap((p) => p.path.nodes.map((n) => n.key)),
          ...echoes.flatMap((e) => e.hops.flatMap((h) => [h.from.key, h.to.key])),
        ]),
      ]);
      return c.json<WhoIsBehindResponse>({
        cluster: who.cluster,
        runId: latest,
        parties,
        echoes,
        echoesTotal: who.echoes.length,
        unexamined: who.unexamined,
        limits: who.limits,
        evidence,
        tiers,
      });
    }),
  );
}

/** The graph key of what a user typed: an entity (by id or name), `C3`, `@handle`, a domain, `document:...`. */
async function endpoint(store: Store, text: string): Promise<string> {
  const g = await influenceGraph(store);
  const direct = g.entityKey(text);
  if (direct) return direct;
  try {
    return await findNode(store, text);
  } catch (err) {
    if (err instanceof UsageError) throw new NotFoundError(err.message);
    throw err;
  }
}

/** What `mapPaths` reads for a key: an entity's id, any other node's key. */
const argOf = (key: string) => (key.startsWith('entity:') ? key.slice('entity:'.length) : key);

async function tiersOf(store: Store, keys: string[]): Promise<Record<string, Tier>> {
  return Object.fromEntries(await nodeTiers(store, [...new Set(keys)]));
}

async function evidenceOf(store: Store, records: string[]): Promise<Record<string, LinkEvidence>> {
  return Object.fromEntries(await linkEvidence(store, records));
}

/**
 * Entities by name: the matcher's ranked results (the same scores as `lockstep entities match`),
 * then captions that contain the text (a part of a name the matcher would not score), shortest first.
 */
export async function searchEntities(
  store: Store,
  text: string,
  limit: number,
): Promise<EntitySearchResult[]> {
  const matched = await matchEntities(
    store,
    { q: { schema: 'LegalEntity', properties: { name: [text] } } },
    { limit, cutoff: 0.5 },
  );
  const out: EntitySearchResult[] = (matched.q?.results ?? []).map((r) => ({
    id: r.id,
    caption: r.caption,
    schema: r.schema,
    score: r.score,
    match: r.match,
  }));
  if (out.length < limit) {
    const seen = new Set(out.map((r) => r.id));
    const like = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = await store.all<{ id: string; caption: string; schema: string }>(
      `SELECT coalesce(c.canonical_id, e.entity_id) AS id, min(e.caption) AS caption, min(e.schema) AS schema
       FROM entities e LEFT JOIN entity_canonical c USING (entity_id)
       WHERE e.caption ILIKE ? ESCAPE '\\' ${seen.size ? `AND coalesce(c.canonical_id, e.entity_id) NOT IN (${inList([...seen])})` : ''}
       GROUP BY 1 ORDER BY NOT starts_with(lower(min(e.caption)), lower(?)), length(min(e.caption)), 1 LIMIT ?`,
      [like, text, limit - out.length],
    );
    for (const r of rows)
      out.push({ id: r.id, caption: r.caption, schema: r.schema, score: null, match: false });
  }
  return out;
}
