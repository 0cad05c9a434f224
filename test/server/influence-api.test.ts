/**
 * The influence routes of the workbench API (src/server/influence.ts) on the demo's store with its
 * simulated influence layer (imported, resolved and linked as `lockstep demo` does): the token,
 * 503 while the index is built, 404 with how to add entities when there are none, hard limits and
 * 4xx messages, and what they answer checked against the store's own rows.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchApp } from '../../src/server/app.js';
import type {
  EntitySearchResponse,
  InfluenceEntityResponse,
  InfluencePathsResponse,
  InfluenceStatusResponse,
  WhoIsBehindResponse,
} from '../../src/server/types.js';
import { Store } from '../../src/store/store.js';
import { apiHelpers, testApp } from '../helpers/api.js';
import { scratch } from '../helpers/store.js';
import { demoStore } from '../helpers/workbench.js';

let tmp: ReturnType<typeof scratch>;
let store: Store;
let wb: WorkbenchApp;
const { call, get, refused } = apiHelpers(() => wb);

/** A principal of the store (someone is registered to represent it) and its registered agent. */
let principal: { id: string; caption: string };
let agent: { id: string; caption: string };

beforeAll(async () => {
  tmp = scratch();
  store = await demoStore(tmp.dir, undefined, { influence: true });
  wb = testApp({ store, dir: tmp.dir });
  await wb.influence.prepare();
  const [row] = await store.all<{
    client: string;
    client_caption: string;
    agent: string;
    agent_caption: string;
  }>(
    `SELECT e.target_id AS client, c.caption AS client_caption, e.source_id AS agent, a.caption AS agent_caption
     FROM entity_edges e JOIN entities c ON c.entity_id = e.target_id JOIN entities a ON a.entity_id = e.source_id
     WHERE e.rel_schema = 'Representation' AND e.target_prop = 'client' AND e.target_id LIKE 'sim-principal-%'
     ORDER BY e.target_id LIMIT 1`,
  );
  principal = { id: row!.client, caption: row!.client_caption };
  agent = { id: row!.agent, caption: row!.agent_caption };
}, 300_000);

afterAll(async () => {
  await wb?.influence.close();
  store?.close();
  tmp?.cleanup();
});

/** The date a relationship record (Payment, Representation, Event) states in the store. */
async function recordDate(record: string): Promise<string | null> {
  return (
    (await store.value<string>(
      `SELECT min(value) FROM statements WHERE entity_id = ? AND prop IN ('date', 'startDate')`,
      [record],
    )) ?? null
  );
}

describe('influence routes', () => {
  it('need the token when there is one', async () => {
    const locked = testApp({ store, dir: tmp.dir, token: 'correct-horse-battery-staple' });
    const auth = { headers: { authorization: 'Bearer correct-horse-battery-staple' } };
    for (const path of [
      '/api/influence',
      '/api/influence/entities?q=council',
      `/api/influence/entities/${principal.id}`,
      '/api/influence/paths?from=C1&to=C2',
      '/api/influence/clusters/C1',
    ]) {
      expect((await call(locked, path)).status, path).toBe(401);
      expect((await call(locked, path, { headers: { authorization: 'Bearer wrong' } })).status, path).toBe(
        401,
      );
    }
    expect((await call(locked, '/api/influence', auth)).status).toBe(200);
    await locked.influence.prepare();
    expect((await call(locked, '/api/influence/entities?q=council', auth)).status).toBe(200);
    await locked.influence.close();
  });

  it('answer 503 with a "preparing" message while the index is built, then the data', async () => {
    const fresh = testApp({ store, dir: tmp.dir });
    const r = await call(fresh, `/api/influence/entities/${principal.id}`);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('2');
    expect((r.body as { error: string }).error).toMatch(/being built.*try again/);
    expect((await get<InfluenceStatusResponse>('/api/influence', fresh)).state).toMatch(/preparing|ready/);
    await fresh.influence.prepare();
    const status = await get<InfluenceStatusResponse>('/api/influence', fresh);
    expect(status.state).toBe('ready');
    expect(status.build.indexSeconds).toBeGreaterThanOrEqual(0);
    expect(status.build.graphSeconds).toBeGreaterThanOrEqual(0);
    expect((await call(fresh, `/api/influence/entities/${principal.id}`)).status).toBe(200);
    await fresh.influence.close();
  });

  it('status counts the store and lists the clusters with influence links', async () => {
    const s = await get<InfluenceStatusResponse>('/api/influence');
    expect(s.state).toBe('ready');
    expect(s.entities).toBe(await store.value<number>('SELECT count(*) FROM entities'));
    expect(s.links).toBe(await store.value<number>('SELECT count(*) FROM entity_links'));
    expect(s.runId).toBe(1);
    // Every cluster holding an account that a record ties to an entity is listed.
    const held = await store.all<{ cluster_id: string }>(
      `SELECT DISTINCT m.cluster_id FROM detection_members m JOIN entity_links l
         ON l.kind = 'account' AND l.target_id = m.platform || ':' || m.account_id WHERE m.run_id = 1`,
    );
    expect(held.length).toBeGreaterThan(0);
    for (const h of held) expect(s.clusters).toContain(h.cluster_id);
  });

  it('search finds entities by name with the matcher, and by a part of a name', async () => {
    const words = principal.caption.split(' ');
    const reordered = await get<EntitySearchResponse>(
      `/api/influence/entities?q=${encodeURIComponent([...words].reverse().join(' '))}`,
    );
    expect(reordered.items[0]).toMatchObject({ id: principal.id, caption: principal.caption });
    expect(reordered.items[0]!.score).toBeGreaterThanOrEqual(0.7);
    const part = await get<EntitySearchResponse>(
      `/api/influence/entities?q=${encodeURIComponent(words[0]!.slice(0, 5))}&limit=50`,
    );
    expect(part.items.map((i) => i.id)).toContain(principal.id);
    expect(part.items.length).toBeLessThanOrEqual(50);
    await refused('/api/influence/entities', 400);
    expect(await refused('/api/influence/entities?q=x&limit=51', 400)).toMatch(/limit.*1 to 50/);
    await refused(`/api/influence/entities?q=${'x'.repeat(201)}`, 400);
  });

  it("an entity's view: its agent, payment totals and timeline are the store's records, each with its source", async () => {
    const v = await get<InfluenceEntityResponse>(`/api/influence/entities/${principal.id}`);
    expect(v.entity.caption).toBe(principal.caption);
    const rep = v.entity.representations.find((r) => r.other.id === agent.id);
    expect(rep?.role).toBe('client');
    expect(rep?.record.sources[0]).toMatchObject({
      dataset: 'simulated_influence',
      file: 'influence.ftm.json',
    });
    // Money out per year and currency, against the Payment statements that name it as payer.
    const paid = await store.all<{ period: string; currency: string; total: number; n: number }>(
      `WITH p AS (SELECT entity_id FROM statements WHERE prop = 'payer' AND value = ?)
       SELECT left(d.value, 4) AS period, c.value AS currency, sum(CAST(a.value AS DOUBLE)) AS total, count(*) AS n
       FROM p JOIN statements a ON a.entity_id = p.entity_id AND a.prop = 'amount'
       JOIN statements c ON c.entity_id = p.entity_id AND c.prop = 'currency'
       JOIN statements d ON d.entity_id = p.entity_id AND d.prop = 'date' GROUP BY ALL`,
      [principal.id],
    );
    expect(paid.length).toBeGreaterThan(0);
    for (const t of paid) {
      const flows = v.flows.filter(
        (f) => f.payer === principal.caption && f.period === t.period && f.currency === t.currency,
      );
      expect(flows.reduce((a, f) => a + f.total, 0)).toBeCloseTo(t.total, 2);
      expect(flows.reduce((a, f) => a + f.payments, 0)).toBe(Number(t.n));
    }
    // The timeline is in date order and every entry's date is its record's date.
    expect(v.timeline.map((t) => t.date)).toEqual([...v.timeline.map((t) => t.date)].sort());
    for (const t of v.timeline) {
      expect(t.source?.file).toBe('influence.ftm.json');
      expect(t.date).toBe(await recordDate(t.record));
    }
    // The layered graph: the entity on layer 0, its agent beside it, every edge between drawn nodes.
    const keys = new Set(v.graph.nodes.map((n) => n.key));
    expect(v.graph.nodes.find((n) => n.layer === 0)?.key).toBe(`entity:${principal.id}`);
    expect(v.graph.nodes.find((n) => n.key === `entity:${agent.id}`)?.tier).toBe('agents');
    for (const e of v.graph.edges) expect(keys.has(e.from) && keys.has(e.to)).toBe(true);
    expect(v.graph.nodes.length).toBeLessThanOrEqual(300);
  });

  it('an entity: 404 for an unknown id, 400 for a list limit beyond 500', async () => {
    expect(await refused('/api/influence/entities/no-such-entity', 404)).toMatch(/no entity/);
    await refused(`/api/influence/entities/${principal.id}?limit=501`, 400);
    expect(
      (await get<InfluenceEntityResponse>(`/api/influence/entities/${principal.id}?limit=1`)).entity.payments,
    ).toHaveLength(1);
  });

  it('paths: from a cluster to the official its principal met, every hop dated as its record', async () => {
    const s = await get<InfluenceStatusResponse>('/api/influence');
    // The official of the agent's first meeting.
    const official = await store.value<string>(
      `SELECT i.target_id FROM entity_edges o JOIN entity_edges i ON i.rel_id = o.rel_id AND i.target_prop = 'involved'
       JOIN statements p ON p.entity_id = i.target_id AND p.prop = 'position'
       WHERE o.rel_schema = 'Event' AND o.target_prop = 'organizer' AND o.target_id = ? ORDER BY o.start_date LIMIT 1`,
      [agent.id],
    );
    expect(official).toBeDefined();
    let found: InfluencePathsResponse | null = null;
    for (const cluster of s.clusters) {
      const r = await get<InfluencePathsResponse>(
        `/api/influence/paths?from=${cluster}&to=${official}&maxHops=6&limit=20`,
      );
      if (r.paths.some((p) => p.nodes.some((n) => n.key === `entity:${agent.id}`))) {
        found = r;
        break;
      }
    }
    expect(found, 'a path through the registered agent').not.toBeNull();
    for (const p of found!.paths) {
      expect(p.hops.length).toBeLessThanOrEqual(6);
      for (const h of p.hops) {
        if (h.source) expect(h.date).toBe(await recordDate(h.record));
        else if (h.record.startsWith('link:')) expect(found!.evidence[h.record]).toBeDefined();
      }
      for (const n of p.nodes) expect(found!.tiers[n.key]).toBeDefined();
    }
    expect(found!.to.label).toBe(
      await store.value('SELECT caption FROM entities WHERE entity_id = ?', [official!]),
    );
  });

  it('paths: 400 for missing ends, bad hops or the same node; 404 for unknown ends', async () => {
    await refused('/api/influence/paths?from=C1', 400);
    expect(await refused('/api/influence/paths?from=C1&to=C2&maxHops=9', 400)).toMatch(/maxHops.*1 to 8/);
    await refused('/api/influence/paths?from=C1&to=C2&maxHops=0', 400);
    await refused('/api/influence/paths?from=C1&to=C2&limit=21', 400);
    expect(await refused(`/api/influence/paths?from=${principal.id}&to=${principal.id}`, 400)).toMatch(
      /same/,
    );
    expect(await refused('/api/influence/paths?from=C1&to=Nobody%20Zzyzx%20Qwv', 404)).toMatch(/no entity/);
    expect(await refused('/api/influence/paths?from=%40no_such_handle_xyz&to=C1', 404)).toMatch(/no account/);
  });

  it('who is behind a cluster: principals reached through its accounts first, every hop sourced', async () => {
    const s = await get<InfluenceStatusResponse>('/api/influence');
    let principals = 0;
    for (const cluster of s.clusters) {
      const w = await get<WhoIsBehindResponse>(`/api/influence/clusters/${cluster}`);
      expect(w.runId).toBe(1);
      expect(w.limits.join(' ')).toMatch(/does not show that anyone directed/);
      const rank = w.parties.items.map((p) => (p.via === 'echo' ? 1 : 0));
      expect(rank).toEqual([...rank].sort());
      for (const p of w.parties.items) {
        expect(p.path.nodes[0]!.key).toBe(`cluster:${cluster}`);
        expect(p.path.nodes.at(-1)!.key).toBe(`entity:${p.id}`);
        // No path runs through another cluster.
        expect(p.path.nodes.slice(1).some((n) => n.kind === 'cluster')).toBe(false);
        for (const h of p.path.hops)
          if (h.source) expect(h.date).toBe(await recordDate(h.record));
          else expect(w.evidence[h.record]).toBeDefined();
        if (p.principal && p.via !== 'echo') principals++;
      }
    }
    expect(principals).toBeGreaterThan(0);
  });

  it('who is behind: pages with a limit, 400 for another run, 404 for an unknown cluster', async () => {
    const s = await get<InfluenceStatusResponse>('/api/influence');
    const c = s.clusters[0]!;
    const all = await get<WhoIsBehindResponse>(`/api/influence/clusters/${c}?limit=300`);
    const page = await get<WhoIsBehindResponse>(`/api/influence/clusters/${c}?offset=1&limit=1`);
    expect(page.parties.total).toBe(all.parties.total);
    if (all.parties.total > 1) expect(page.parties.items[0]!.id).toBe(all.parties.items[1]!.id);
    await refused(`/api/influence/clusters/${c}?limit=301`, 400);
    expect(await refused(`/api/influence/clusters/${c}?run=2`, 400)).toMatch(/latest detection run \(1\)/);
    expect(await refused('/api/influence/clusters/C999', 404)).toMatch(/no cluster/);
  });

  it('a store without entities: the status says how to add them, the data routes 404 with it', async () => {
    const empty = await Store.open(join(tmp.dir, 'empty.duckdb'));
    const app = testApp({ store: empty, dir: tmp.dir });
    try {
      await app.influence.prepare();
      const s = await get<InfluenceStatusResponse>('/api/influence', app);
      expect(s.state).toBe('empty');
      expect(s.hint).toMatch(/lockstep entities import/);
      for (const path of [
        '/api/influence/entities?q=x',
        '/api/influence/paths?from=a&to=b',
        '/api/influence/clusters/C1',
      ])
        expect(await refused(path, 404, {}, app)).toMatch(/lockstep entities import/);
    } finally {
      await app.influence.close();
      empty.close();
    }
  });
});
