/**
 * The workbench API (src/server) through hono's `app.request()`, on a small simulated store: the
 * token on every route, the loopback Host check, hard limits and pages, 4xx answers with messages,
 * the evidence against the store, static files that cannot escape their folder, the Run view's jobs,
 * the Echo view's routes (traced once per run in the background; passages at the stored offsets).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceEchoes } from '../../src/echo/index.js';
import type { WorkbenchApp } from '../../src/server/app.js';
import { startServer } from '../../src/server/index.js';
import type {
  AccountResponse,
  AccountsResponse,
  ClusterResponse,
  ClustersResponse,
  EchoDocumentsResponse,
  EchoPassagesResponse,
  EchoStatusResponse,
  EchoTalkingPointResponse,
  EchoTalkingPointsResponse,
  EvidenceResponse,
  GraphResponse,
  HealthResponse,
  Job,
  MembersResponse,
  OverviewResponse,
  PostsResponse,
} from '../../src/server/types.js';
import { Store } from '../../src/store/store.js';
import { apiHelpers, HOST, testApp } from '../helpers/api.js';
import { scratch } from '../helpers/store.js';
import { demoStore } from '../helpers/workbench.js';

let tmp: ReturnType<typeof scratch>;
let store: Store;
let wb: WorkbenchApp;
let web: string;

function make(options: { token?: string | null; store?: Store; maxUploadBytes?: number } = {}): WorkbenchApp {
  return testApp({ ...options, store: options.store ?? store, dir: tmp.dir, webRoot: web });
}

const { call, get, refused } = apiHelpers(() => wb);

beforeAll(async () => {
  tmp = scratch();
  store = await demoStore(tmp.dir, undefined, { documents: true });
  // A stand-in for the built app: the API tests do not need the real bundle.
  web = join(tmp.dir, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'SECRET');
  wb = make();
}, 240_000);

afterAll(async () => {
  await wb?.jobs.idle();
  await wb?.echo.close();
  store?.close();
  tmp?.cleanup();
});

describe('access', () => {
  it('needs the token on every API route when there is one, and compares it exactly', async () => {
    const locked = make({ token: 'correct-horse-battery-staple' });
    const routes = [
      '/api/health',
      '/api/overview',
      '/api/clusters',
      '/api/clusters/C1',
      '/api/clusters/C1/members',
      '/api/clusters/C1/evidence',
      '/api/graph',
      '/api/accounts?q=a',
      '/api/amplification',
      '/api/amplification/series?key=x',
      '/api/signals',
      '/api/jobs',
      '/api/exports/clusters.csv',
      '/api/echo',
      '/api/echo/talking-points',
      '/api/echo/talking-points/tp:1',
      '/api/echo/passages?tp=tp:1&doc=d',
      '/api/echo/documents',
      '/api/no-such-route',
    ];
    for (const path of routes) {
      expect((await call(locked, path)).status, path).toBe(401);
      expect(
        (await call(locked, path, { headers: { authorization: 'Bearer wrong-horse-battery-staple' } }))
          .status,
      ).toBe(401);
    }
    for (const [method, path] of [
      ['POST', '/api/detect'],
      ['POST', '/api/ingest?name=x.csv'],
      ['DELETE', '/api/jobs/abc'],
    ] as const)
      expect((await call(locked, path, { method, body: method === 'POST' ? '{}' : undefined })).status).toBe(
        401,
      );
    const message = await refused('/api/overview', 401, {}, locked);
    expect(message).toMatch(/token/);
    const ok = await call(locked, '/api/health', {
      headers: { authorization: 'Bearer correct-horse-battery-staple' },
    });
    expect(ok.status).toBe(200);
    expect((ok.body as HealthResponse).tokenRequired).toBe(true);
    // The app shell itself holds no data and loads without the token.
    expect((await call(locked, '/')).status).toBe(200);
  });

  it('generates a token when listening beyond loopback, and enforces it over HTTP', async () => {
    const server = await startServer({ store, host: '0.0.0.0', port: 0, webRoot: null });
    try {
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(server.url).toContain(`#token=${server.token}`);
      expect((await fetch(`${server.origin}/api/health`)).status).toBe(401);
      const ok = await fetch(`${server.origin}/api/health`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(ok.status).toBe(200);
    } finally {
      await server.close();
    }
    const local = await startServer({ store, port: 0, webRoot: null });
    try {
      expect(local.token).toBeNull();
      expect((await fetch(`${local.origin}/api/health`)).status).toBe(200);
    } finally {
      await local.close();
    }
    await expect(startServer({ store, port: 0, token: 'short' })).rejects.toThrow(/token/);
  });

  it('refuses other Host names on loopback (DNS rebinding) and requests from other sites', async () => {
    const r = await wb.app.request('http://attacker.example/api/overview', {
      headers: { host: 'attacker.example' },
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toMatch(/127\.0\.0\.1:8080/);
    await refused('/api/overview', 403, { headers: { origin: 'http://attacker.example' } });
    // A sandboxed frame sends Origin "null"; a form on another site is cross-site.
    await refused('/api/detect', 403, { method: 'POST', body: '{}', headers: { origin: 'null' } });
    await refused('/api/ingest?name=x.csv', 403, {
      method: 'POST',
      body: 'a,b',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect((await call(wb, '/api/jobs')).body).toEqual({ jobs: [] });
    expect((await call(wb, '/api/overview', { headers: { origin: `http://${HOST}` } })).status).toBe(200);
  });

  it('sends a strict Content-Security-Policy and no-sniff on every response', async () => {
    for (const path of ['/', '/api/health', '/api/no-such-route']) {
      const r = await call(wb, path);
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
      expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves only the files of the built app, never a path outside it', async () => {
    expect((await call(wb, '/assets/app.js')).text).toBe('console.log(1)');
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/..%2f..%2fsecret.txt',
    ]) {
      const r = await call(wb, path);
      expect(r.text, path).not.toContain('SECRET');
    }
    expect((await call(wb, '/assets/missing.js')).status).toBe(404);
    // Any other path is the app (it routes in the fragment).
    expect((await call(wb, '/clusters/C1')).text).toContain('<title>app</title>');
  });
});

describe('reads', () => {
  it('gives the overview: volumes, ingests, the latest run and its ranked clusters', async () => {
    const o = await get<OverviewResponse>('/api/overview');
    const posts = await store.value<number>('SELECT count(*) FROM posts');
    expect(o.store.posts).toBe(posts);
    expect(o.store.name).toBe('demo.duckdb');
    expect(o.ingests[0]!.rowsRead).toBe(
      o.ingests[0]!.rowsStored + o.ingests[0]!.rowsDuplicate + o.ingests[0]!.rowsRejected,
    );
    expect(o.run?.runId).toBe(1);
    expect(o.clusters.length).toBe(o.run!.clusters);
    expect(o.clusters.length).toBeGreaterThan(2);
    expect(o.clusters[0]!.id).toBe('C1');
  });

  it('pages every list with a total, and pages join up to the whole', async () => {
    const all = await get<MembersResponse>('/api/clusters/C1/members?limit=1000');
    expect(all.total).toBe(all.items.length);
    const pieces: string[] = [];
    for (let offset = 0; offset < all.total; offset += 3) {
      const page = await get<MembersResponse>(`/api/clusters/C1/members?offset=${offset}&limit=3`);
      expect(page.total).toBe(all.total);
      expect(page.items.length).toBe(Math.min(3, all.total - offset));
      pieces.push(...page.items.map((m) => m.key));
    }
    expect(pieces).toEqual(all.items.map((m) => m.key));
    const clusters = await get<ClustersResponse>('/api/clusters?limit=2&offset=1');
    expect(clusters.items.map((c) => c.id)).toEqual(['C2', 'C3']);
    const beyond = await get<ClustersResponse>('/api/clusters?offset=9999');
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBeGreaterThan(0);
  });

  it('refuses limits above each route maximum, and other bad parameters, with a 400 and a message', async () => {
    expect(await refused('/api/clusters?limit=501', 400)).toMatch(/limit.*1 to 500/);
    expect(await refused('/api/clusters/C1/members?limit=100000', 400)).toMatch(/limit/);
    expect(await refused('/api/clusters/C1/evidence?limit=0', 400)).toMatch(/limit/);
    expect(await refused('/api/accounts?limit=101', 400)).toMatch(/limit/);
    expect(await refused('/api/graph?limit=20001', 400)).toMatch(/limit/);
    expect(await refused('/api/clusters?offset=-1', 400)).toMatch(/offset/);
    expect(await refused('/api/overview?run=abc', 400)).toMatch(/run/);
    expect(await refused('/api/graph?minConfidence=certain', 400)).toMatch(/low, medium, high/);
    expect(await refused('/api/graph?signals=shared-object,telepathy', 400)).toMatch(/signals/);
    expect(await refused('/api/graph?from=yesterday', 400)).toMatch(/ISO-8601/);
    expect(await refused('/api/amplification?by=week', 400)).toMatch(/day, hour/);
    expect(await refused('/api/amplification/series?kind=hashtag', 400)).toMatch(/key/);
    expect(await refused(`/api/clusters?q=${'x'.repeat(300)}`, 400)).toMatch(/200 characters/);
    expect(await refused('/api/exports/secret.txt', 404)).toMatch(/export/);
  });

  it('answers 404 with a message for what does not exist', async () => {
    expect(await refused('/api/overview?run=99', 404)).toMatch(/run 99/);
    expect(await refused('/api/clusters/C999', 404)).toMatch(/C999/);
    expect(await refused('/api/accounts/twitter/no-such-account', 404)).toMatch(/no account/);
    expect(await refused('/api/jobs/nope', 404)).toMatch(/job/);
    expect(await refused('/api/nothing/here', 404)).toMatch(/no such API route/);
  });

  it('shows the evidence exactly as the store holds the posts', async () => {
    const ev = await get<EvidenceResponse>('/api/clusters/C1/evidence?limit=1000');
    expect(ev.items.length).toBeGreaterThan(3);
    for (const row of ev.items) {
      const stored = (
        await store.all<{ text: string | null; t: string; account_id: string }>(
          `SELECT text, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS t, account_id FROM posts WHERE platform = ? AND post_id = ?`,
          [row.platform, row.postId],
        )
      )[0]!;
      expect(row.text).toBe(stored.text);
      expect(row.createdAt).toBe(stored.t);
      expect(row.accountId).toBe(stored.account_id);
      expect(ev.groups[row.item]).toBeDefined();
    }
    // Search narrows the rows to those that contain the words.
    const word = ev.items[0]!.text!.split(/\s+/)
      .find((w) => w.length > 5)!
      .toLowerCase();
    const found = await get<EvidenceResponse>(
      `/api/clusters/C1/evidence?limit=1000&q=${encodeURIComponent(word)}`,
    );
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.length).toBeLessThanOrEqual(ev.items.length);
    for (const r of found.items)
      expect([r.text, r.handle, r.object, ...r.urls].join(' ').toLowerCase()).toContain(word);
  });

  it('gives a cluster with its fingerprint and creation dates, and an account with its activity', async () => {
    const c = await get<ClusterResponse>('/api/clusters/C1');
    expect(c.rhythm?.hourOfWeekUtc.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(c.creation.reduce((a, d) => a + d.accounts, 0) + c.undated).toBe(c.cluster.size);
    const members = await get<MembersResponse>('/api/clusters/C1/members?limit=1');
    const m = members.items[0]!;
    const a = await get<AccountResponse>(`/api/accounts/${m.platform}/${encodeURIComponent(m.accountId)}`);
    const posts = await store.value<number>(
      'SELECT count(*) FROM posts WHERE platform = ? AND account_id = ?',
      [m.platform, m.accountId],
    );
    expect(a.account.posts).toBe(posts);
    expect(a.timeline.reduce((s, d) => s + d.posts, 0)).toBe(posts);
    expect(a.rhythm.hourOfWeekUtc.flat().reduce((s, v) => s + v, 0)).toBe(posts);
    expect(a.cluster?.id).toBe('C1');
    expect(a.coActors.length).toBeGreaterThan(0);
    expect(a.coActors.every((x) => x.cluster === 'C1')).toBe(true);
    const page = await get<PostsResponse>(
      `/api/accounts/${m.platform}/${encodeURIComponent(m.accountId)}/posts?limit=5`,
    );
    expect(page.total).toBe(posts);
    expect(page.items.length).toBe(Math.min(5, posts!));
    expect([...page.items].sort((x, y) => y.createdAt.localeCompare(x.createdAt))).toEqual(page.items);
    const search = await get<AccountsResponse>(
      `/api/accounts?q=${encodeURIComponent(`@${m.handle!.slice(0, 6)}`)}`,
    );
    expect(search.items.some((x) => x.key === m.key)).toBe(true);
  });

  it('draws the graph with filters and a node limit that keeps the strongest', async () => {
    const g = await get<GraphResponse>('/api/graph');
    const o = await get<OverviewResponse>('/api/overview');
    expect(g.nodes.length).toBe(o.run!.accountsInClusters);
    expect(g.truncated).toBe(false);
    expect(g.edges.length).toBeGreaterThan(0);
    expect(
      g.edges.every(([s, t]) => g.nodes[s] && g.nodes[t] && g.nodes[s]!.cluster === g.nodes[t]!.cluster),
    ).toBe(true);
    // Every drawn edge is a significant pair of the run, with its weight.
    const run = (
      await store.all<{ result: string }>(
        'SELECT CAST(result AS VARCHAR) AS result FROM detections WHERE run_id = 1',
      )
    )[0]!;
    const pairs = new Map<string, number>(
      (JSON.parse(run.result).edges as { source: string; target: string; weight: number }[]).map((e) => [
        `${e.source} ${e.target}`,
        e.weight,
      ]),
    );
    for (const [s, t, w] of g.edges)
      expect(pairs.get(`${g.nodes[s]!.key} ${g.nodes[t]!.key}`)).toBeCloseTo(w, 1);
    const cut = await get<GraphResponse>('/api/graph?limit=5');
    expect(cut.nodes.length).toBe(5);
    expect(cut.truncated).toBe(true);
    expect(cut.total.nodes).toBe(g.nodes.length);
    const high = await get<GraphResponse>('/api/graph?minConfidence=high');
    expect(high.clusters.every((c) => c.confidence === 'high')).toBe(true);
    const tags = await get<GraphResponse>('/api/graph?signals=shared-hashtag');
    expect(tags.edges.length).toBeGreaterThan(0);
    const bit = 1 << tags.signals.indexOf('shared-hashtag');
    expect(tags.edges.every(([, , , mask]) => (mask & bit) !== 0)).toBe(true);
    // Each account's strongest pairs only: with one per account, at most one edge per account.
    const sparse = await get<GraphResponse>('/api/graph?perNode=1');
    expect(sparse.edges.length).toBeGreaterThan(0);
    expect(sparse.edges.length).toBeLessThanOrEqual(sparse.nodes.length);
    expect(sparse.total.edges).toBe(g.total.edges);
    expect(await refused('/api/graph?perNode=51', 400)).toMatch(/perNode/);
    const none = await get<GraphResponse>('/api/graph?from=2030-01-01');
    expect(none.nodes).toEqual([]);
  });

  it('downloads the exports of a run, the CSV formula-safe with a BOM', async () => {
    const csv = await call(wb, '/api/exports/members.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(
      /attachment; filename="lockstep-run1-members.csv"/,
    );
    const bytes = new Uint8Array(
      await (
        await wb.app.request(`http://${HOST}/api/exports/members.csv`, { headers: { host: HOST } })
      ).arrayBuffer(),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.text.split('\r\n')[0]).toMatch(/^cluster,rank,key,platform,account_id,/);
    const gexf = await call(wb, '/api/exports/clusters.gexf');
    expect(gexf.text).toContain('<gexf');
  });
});

/** Asks for the run's echo tracing until it is no longer computing. */
async function echoSettled(app = wb, query = ''): Promise<EchoStatusResponse> {
  for (let i = 0; i < 1200; i++) {
    const s = await get<EchoStatusResponse>(`/api/echo${query}`, app);
    if (s.state !== 'computing') return s;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the echo tracing did not finish in 2 minutes');
}

describe('echo', () => {
  let status: EchoStatusResponse;

  it('traces the echoes of a run once, in the background: computing (202 on the other routes), then ready', async () => {
    const first = await get<EchoStatusResponse>('/api/echo');
    expect(first.state).toBe('computing');
    expect(first.run).toBe(1);
    expect(first.documents).toBe(await store.value<number>('SELECT count(*) FROM documents'));
    const pending = await call(wb, '/api/echo/talking-points');
    expect([200, 202]).toContain(pending.status);
    if (pending.status === 202) expect((pending.body as EchoStatusResponse).state).toBe('computing');
    status = await echoSettled();
    expect(status.state).toBe('ready');
    const s = status.summary!;
    // The same result as the library's call (lockstep echo), counted as it says.
    const direct = await traceEchoes(store, { run: 1 });
    expect(s.echoes).toBe(direct.echoes.length);
    expect(s.echoes).toBeGreaterThan(5);
    expect(s.echoedTalkingPoints).toBe(direct.talkingPoints.length);
    expect(Object.values(s.byStatus).reduce((a, b) => a + b, 0)).toBe(s.echoes);
    expect(s.byTier.lexical + s.byTier.semantic).toBe(s.echoes);
    expect(s.documentsEchoing).toBe(new Set(direct.echoes.map((e) => e.document.docId)).size);
    expect(s.limits.join(' ')).toMatch(/earliest post observed/);
    // Computed once: asking again finds the same tracing.
    const again = await get<EchoStatusResponse>('/api/echo');
    expect(again.seconds).toBe(status.seconds);
  });

  it('ranks the talking points, sorts, searches and pages them within hard limits', async () => {
    const all = await get<EchoTalkingPointsResponse>('/api/echo/talking-points?limit=500');
    expect(all.total).toBe(status.summary!.echoedTalkingPoints);
    expect(all.items.map((r) => r.documents)).toEqual(
      [...all.items.map((r) => r.documents)].sort((a, b) => b - a),
    );
    const pages: string[] = [];
    for (let offset = 0; offset < all.total; offset += 3)
      pages.push(
        ...(
          await get<EchoTalkingPointsResponse>(`/api/echo/talking-points?limit=3&offset=${offset}`)
        ).items.map((r) => r.id),
      );
    expect(pages).toEqual(all.items.map((r) => r.id));
    const byPosts = await get<EchoTalkingPointsResponse>('/api/echo/talking-points?sort=posts');
    expect(byPosts.items.map((r) => r.posts)).toEqual(
      [...byPosts.items.map((r) => r.posts)].sort((a, b) => b - a),
    );
    const byFirst = await get<EchoTalkingPointsResponse>('/api/echo/talking-points?sort=first');
    const firsts = byFirst.items.map((r) => Date.parse(r.firstSeen!.time.at));
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    const word = all.items[0]!.label.split(/\s+/).find((w) => /^\p{L}{5,}$/u.test(w))!;
    const found = await get<EchoTalkingPointsResponse>(
      `/api/echo/talking-points?q=${encodeURIComponent(word)}`,
    );
    expect(found.items.map((r) => r.id)).toContain(all.items[0]!.id);
    expect(found.total).toBeLessThanOrEqual(all.total);
    expect(await refused('/api/echo/talking-points?limit=501', 400)).toMatch(/limit.*1 to 500/);
    expect(await refused('/api/echo/talking-points?sort=loudest', 400)).toMatch(/sort/);
    expect(await refused('/api/echo/talking-points?run=9', 404)).toMatch(/no detection run 9/);
  });

  it('gives one talking point with its timeline and its echoing documents in time order', async () => {
    const top = (await get<EchoTalkingPointsResponse>('/api/echo/talking-points?limit=1')).items[0]!;
    const d = await get<EchoTalkingPointResponse>(`/api/echo/talking-points/${encodeURIComponent(top.id)}`);
    expect(d.talkingPoint.id).toBe(top.id);
    expect(d.echoes.total).toBe(top.documents);
    const times = d.echoes.items.filter((e) => e.document.time).map((e) => Date.parse(e.document.time!.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The timeline: posts per day add up to the talking point's posts; every dated document is a step.
    expect(d.cascade.series.reduce((a, x) => a + x.posts, 0)).toBe(d.talkingPoint.posts);
    expect(d.timelineDocumentsLeftOut).toBe(0);
    const steps = d.cascade.steps.filter((x) => x.kind === 'document').map((x) => x.id);
    expect(steps.sort()).toEqual(
      d.echoes.items
        .filter((e) => e.document.time)
        .map((e) => e.document.docId)
        .sort(),
    );
    expect(d.cascade.steps[0]!.kind === 'first-post' || d.cascade.steps[0]!.kind === 'document').toBe(true);
    // The earliest observed post is the family's earliest post in the store, by that account.
    const first = d.talkingPoint.firstSeen!;
    const handle = await store.value<string>(
      'SELECT handle FROM accounts WHERE platform = ? AND account_id = ?',
      [first.platform, first.accountId],
    );
    expect(d.handles[`${first.platform}:${first.accountId}`]).toBe(handle);
    for (const status of ['echo', 'precedes', 'uncertain', 'undated'] as const) {
      const part = await get<EchoTalkingPointResponse>(
        `/api/echo/talking-points/${encodeURIComponent(top.id)}?status=${status}`,
      );
      expect(part.echoes.items.every((e) => e.status === status)).toBe(true);
      expect(part.echoes.total).toBe(top.byStatus[status]);
    }
    expect(await refused(`/api/echo/talking-points/${encodeURIComponent(top.id)}?limit=1001`, 400)).toMatch(
      /1 to 1000/,
    );
    expect(
      await refused(`/api/echo/talking-points/${encodeURIComponent(top.id)}?status=origin`, 400),
    ).toMatch(/status/);
    expect(await refused('/api/echo/talking-points/tp:0', 404)).toMatch(/talking point/);
  });

  it('gives an echo with its passages at their offsets in both texts, as the store holds them', async () => {
    const points = await get<EchoTalkingPointsResponse>('/api/echo/talking-points?limit=500');
    let checked = 0;
    for (const tp of points.items.slice(0, 4)) {
      const d = await get<EchoTalkingPointResponse>(`/api/echo/talking-points/${encodeURIComponent(tp.id)}`);
      for (const e of d.echoes.items) {
        const p = await get<EchoPassagesResponse>(
          `/api/echo/passages?tp=${encodeURIComponent(tp.id)}&doc=${encodeURIComponent(e.document.docId)}`,
        );
        const stored = await store.value<string>('SELECT text FROM documents WHERE doc_id = ?', [
          e.document.docId,
        ]);
        expect(p.document.textOffset).toBe(0);
        expect(p.document.text).toBe(stored);
        expect(p.document.textLength).toBe(stored!.length);
        const postText = await store.value<string>('SELECT text FROM posts WHERE post_id = ?', [
          p.variant.firstSeen!.postId,
        ]);
        expect(p.variant.text).toBe(postText);
        expect(p.echo.passages.length).toBe(e.passages);
        for (const x of p.echo.passages) {
          expect(x.docEnd).toBeGreaterThan(x.docStart);
          expect(stored!.slice(x.docStart, x.docEnd)).toBe(x.docText);
          expect(p.variant.text.slice(x.tpStart, x.tpEnd)).toBe(x.tpText);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3);
    expect(await refused('/api/echo/passages?tp=tp:1', 400)).toMatch(/missing tp or doc/);
    const tp = points.items[0]!.id;
    expect(await refused(`/api/echo/passages?tp=${encodeURIComponent(tp)}&doc=no-such-doc`, 404)).toMatch(
      /does not echo/,
    );
    expect(await refused(`/api/echo/passages?tp=x&doc=${'d'.repeat(2001)}`, 400)).toMatch(/at most 2000/);
  });

  it('lists the documents, all or those with an echo, searchable and paged within limits', async () => {
    const total = (await store.value<number>('SELECT count(*) FROM documents'))!;
    const all = await get<EchoDocumentsResponse>('/api/echo/documents?limit=500');
    expect(all.total).toBe(total);
    expect(all.items).toHaveLength(Math.min(500, total));
    expect(all.state).toBe('ready');
    const echoing = await get<EchoDocumentsResponse>('/api/echo/documents?echoing=true&limit=500');
    expect(echoing.total).toBe(status.summary!.documentsEchoing);
    expect(echoing.items.every((d) => d.echoes!.length > 0)).toBe(true);
    expect(all.items.filter((d) => d.echoes!.length > 0).length).toBe(echoing.total);
    const outlet = all.items[0]!.outlet!;
    const found = await get<EchoDocumentsResponse>(`/api/echo/documents?q=${encodeURIComponent(outlet)}`);
    expect(found.total).toBe(
      await store.value<number>('SELECT count(*) FROM documents WHERE contains(lower(outlet), lower(?))', [
        outlet,
      ]),
    );
    const page = await get<EchoDocumentsResponse>('/api/echo/documents?limit=7&offset=7');
    expect(page.items.map((d) => d.docId)).toEqual(all.items.slice(7, 14).map((d) => d.docId));
    const past = await get<EchoDocumentsResponse>('/api/echo/documents?offset=100000');
    expect(past).toMatchObject({ items: [], total });
    expect(await refused('/api/echo/documents?limit=501', 400)).toMatch(/1 to 500/);
    expect(await refused('/api/echo/documents?echoing=maybe', 400)).toMatch(/echoing/);
  });

  it('says how to add documents when the store has none', async () => {
    const empty = await Store.open(join(tmp.dir, 'empty.duckdb'));
    try {
      const app = make({ store: empty });
      const s = await get<EchoStatusResponse>('/api/echo', app);
      expect(s.state).toBe('no-documents');
      expect(s.documents).toBe(0);
      expect(s.message).toMatch(/lockstep ingest-docs FILE --db empty\.duckdb/);
      expect(await refused('/api/echo/talking-points', 404, {}, app)).toMatch(/ingest-docs/);
      expect(await refused('/api/echo/passages?tp=a&doc=b', 404, {}, app)).toMatch(/ingest-docs/);
      const docs = await get<EchoDocumentsResponse>('/api/echo/documents', app);
      expect(docs).toMatchObject({ items: [], total: 0, state: 'no-documents' });
    } finally {
      empty.close();
    }
  });
});

describe('jobs', () => {
  async function finished(app: WorkbenchApp, job: Job): Promise<Job> {
    await app.jobs.idle();
    return ((await call(app, `/api/jobs/${job.id}`)).body as { job: Job }).job;
  }

  it('refuses bad detection parameters before starting anything', async () => {
    expect(await refused('/api/detect', 400, { method: 'POST', body: '{not json' })).toMatch(/JSON/);
    expect(await refused('/api/detect', 400, { method: 'POST', body: '{"signals":["telepathy"]}' })).toMatch(
      /telepathy/,
    );
    expect(await refused('/api/detect', 400, { method: 'POST', body: '{"fdr":7}' })).toMatch(/fdr/);
    expect(await refused('/api/detect', 400, { method: 'POST', body: '{"minClusterSize":"x"}' })).toMatch(
      /minClusterSize/,
    );
    expect(await refused('/api/detect', 400, { method: 'POST', body: '{"turbo":true}' })).toMatch(/turbo/);
    expect(
      await refused('/api/detect', 400, {
        method: 'POST',
        body: '{"signals":["shared-link"],"signalOptions":{"shared-link":{"level":"planet"}}}',
      }),
    ).toMatch(/level/);
    expect((await get<{ jobs: Job[] }>('/api/jobs')).jobs).toEqual([]);
  });

  it('runs a detection from the Run view with progress, and saves it as a new run', async () => {
    const started = await call(wb, '/api/detect', {
      method: 'POST',
      body: JSON.stringify({
        signals: ['shared-object', 'shared-hashtag'],
        windows: { 'shared-hashtag': 120 },
        seed: 3,
      }),
    });
    expect(started.status).toBe(202);
    const job = (started.body as { job: Job }).job;
    expect(job.state).toBe('running');
    // One job at a time.
    expect(await refused('/api/detect', 400, { method: 'POST', body: '{}' })).toMatch(/already running/);
    const done = await finished(wb, job);
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    expect(done.log.some((l) => /co-actions|clusters/.test(l))).toBe(true);
    expect(done.result?.runId).toBe(2);
    const o = await get<OverviewResponse>('/api/overview');
    expect(o.run?.runId).toBe(2);
    expect(o.run?.params.signals['shared-hashtag'].window).toBe(120);
    expect(o.run?.params.signals['shared-hashtag'].windowSource).toBe('user');
    expect(o.runs.map((r) => r.runId)).toEqual([2, 1]);
    // Run 1 is still readable.
    expect((await get<OverviewResponse>('/api/overview?run=1')).run?.runId).toBe(1);
  });

  it('ingests an uploaded file and reports its counts; refuses an upload over the limit', async () => {
    const csv = [
      'tweetid,userid,user_screen_name,tweet_text,tweet_time,is_retweet,hashtags,urls',
      '9000000001,8000000001,upload_one,Hello from an upload #uploaded,2024-06-10 10:00,False,[uploaded],[]',
      '9000000002,8000000002,upload_two,Hello again #uploaded,2024-06-10 10:01,False,[uploaded],[]',
      'not,a,valid,row',
    ].join('\n');
    const r = await call(wb, '/api/ingest?name=../../etc/uploads.csv', { method: 'POST', body: csv });
    expect(r.status).toBe(202);
    const done = await finished(wb, (r.body as { job: Job }).job);
    expect(done.error).toBeNull();
    const ingest = done.result!.ingest!;
    expect(ingest.fileName).toBe('uploads.csv');
    expect(ingest.rowsRead).toBe(ingest.rowsStored + ingest.rowsDuplicate + ingest.rowsRejected);
    expect(ingest.rowsStored).toBe(2);
    // New posts: the run's echo tracing is traced again.
    expect((await get<EchoStatusResponse>('/api/echo?run=1')).state).toBe('computing');
    expect((await echoSettled(wb, '?run=1')).state).toBe('ready');
    const small = make({ maxUploadBytes: 100 });
    expect(await refused('/api/ingest?name=big.csv', 413, { method: 'POST', body: csv }, small)).toMatch(
      /upload limit/,
    );
    expect(
      await refused('/api/ingest?name=x.csv&format=nonsense', 400, { method: 'POST', body: csv }),
    ).toMatch(/format/);
  });

  it('answers a failed ingest as a failed job with the one-line reason', async () => {
    const r = await call(wb, '/api/ingest?name=picture.png', {
      method: 'POST',
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    });
    const done = await finished(wb, (r.body as { job: Job }).job);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/\w/);
    expect(done.error).not.toMatch(/internal error/);
  });

  it('refuses jobs on a read-only store', async () => {
    const path = store.path;
    const copy = join(tmp.dir, 'copy.duckdb');
    await store.run(`ATTACH '${copy}' AS copy; COPY FROM DATABASE demo TO copy; DETACH copy;`);
    const readOnly = await Store.open(copy, { readOnly: true });
    try {
      const ro = make({ store: readOnly });
      expect((await get<HealthResponse>('/api/health', ro)).writable).toBe(false);
      expect(await refused('/api/detect', 400, { method: 'POST', body: '{}' }, ro)).toMatch(/read-only/);
      expect(await refused('/api/ingest?name=a.csv', 400, { method: 'POST', body: 'a,b' }, ro)).toMatch(
        /read-only/,
      );
      expect((await get<OverviewResponse>('/api/overview', ro)).run).not.toBeNull();
    } finally {
      readOnly.close();
    }
    expect(store.path).toBe(path);
  });
});
