/**
 * End to end: the built web app in Debian's Chromium (playwright-core) against `startServer` on a
 * small simulated store with simulated documents. Each view is opened and checked against the store,
 * the network is clicked through to a cluster and an account, the Echo view's passages are checked
 * against the stored texts at their offsets, the Run view ingests a file and detects, and each view
 * is screenshot (into LOCKSTEP_SCREENSHOTS when set: `npm run screenshots` refreshes docs/workbench/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/index.js';
import type {
  EchoPassagesResponse,
  EchoStatusResponse,
  EchoTalkingPointResponse,
} from '../../src/server/types.js';
import { Store } from '../../src/store/store.js';
import { expectNoViolations, openBrowser, WEB_ROOT, watchedPage } from '../helpers/browser.js';
import { scratch } from '../helpers/store.js';
import { demoStore } from '../helpers/workbench.js';

let tmp: ReturnType<typeof scratch>;
let store: Store;
let server: RunningServer;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let page: Page;
let errors: string[];
let dialogs: string[];
let shots: string;

const nf = new Intl.NumberFormat('en');

async function open(fragment: string, ready: string): Promise<void> {
  await page.goto(`${server.origin}/#/${fragment}`);
  await page.waitForSelector(ready, { timeout: 30_000 });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

beforeAll(async () => {
  tmp = scratch();
  store = await demoStore(tmp.dir, undefined, { documents: true, influence: true });
  server = await startServer({ store, port: 0, webRoot: WEB_ROOT });
  browser = await openBrowser();
  ({ page, errors, dialogs } = await watchedPage(browser.context));
  shots = process.env.LOCKSTEP_SCREENSHOTS ?? join(tmp.dir, 'screenshots');
  mkdirSync(shots, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.workbench.jobs.idle();
  await server?.workbench.echo.close();
  await server?.close();
  store?.close();
  tmp?.cleanup();
});

describe('the workbench in Chromium', () => {
  it('Overview: the store, the ingests and the ranked clusters', async () => {
    await open('', 'table.clusters tbody tr');
    const posts = (await store.value<number>('SELECT count(*) FROM posts'))!;
    const clusters = (await store.value<number>('SELECT clusters FROM detections WHERE run_id = 1'))!;
    expect(await page.locator('.kpi b').first().textContent()).toBe(nf.format(posts));
    expect(await page.locator('table.clusters tbody tr').count()).toBe(Math.min(50, clusters));
    expect(await page.locator('table.clusters tbody tr').first().locator('td').first().textContent()).toBe(
      'C1',
    );
    await page.waitForSelector('.manufactured table');
    // The posts' file, the documents' file and the influence layer's entities file.
    expect(await page.locator('table.ingests tbody tr').count()).toBe(
      await store.value<number>('SELECT count(*) FROM ingests'),
    );
    expect(await page.locator('table.ingests tbody tr').count()).toBe(3);
    await shot('overview');
  });

  it('Network: draws every clustered account, opens a cluster and an account from the graph', async () => {
    await open('network', '[data-testid=network][data-drawn=true]');
    const accounts = (await store.value<number>('SELECT count(*) FROM detection_members WHERE run_id = 1'))!;
    const drawn = await page.evaluate(
      () => (window as unknown as { __lockstepNetwork?: { nodes: number; edges: number } }).__lockstepNetwork,
    );
    expect(drawn?.nodes).toBe(accounts);
    expect(drawn?.edges).toBeGreaterThan(0);
    await shot('network');

    // Hover then click an account: the WebGL canvas has no DOM node per account, so find where
    // sigma drew it. The strongest member of the largest cluster sits in the middle of its disc.
    const target = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=network]') as HTMLElement & {
        __sigma: {
          getGraph(): {
            nodes(): string[];
            getNodeAttributes(n: string): { x: number; y: number; cluster: string };
          };
          graphToViewport(p: { x: number; y: number }): { x: number; y: number };
        };
      };
      const graph = el.__sigma.getGraph();
      const byCluster = new Map<string, string[]>();
      for (const n of graph.nodes()) {
        const c = graph.getNodeAttributes(n).cluster;
        byCluster.set(c, [...(byCluster.get(c) ?? []), n]);
      }
      const node = [...byCluster.values()].sort((a, b) => b.length - a.length)[0]![0]!;
      const p = el.__sigma.graphToViewport(graph.getNodeAttributes(node));
      const box = el.getBoundingClientRect();
      return { node, x: box.left + p.x, y: box.top + p.y };
    });
    await page.mouse.move(target.x, target.y);
    await page.waitForSelector('.net-tip');
    const handle = await store.value<string>(
      `SELECT handle FROM accounts WHERE platform || ':' || account_id = ?`,
      [target.node],
    );
    expect(await page.locator('.net-tip b').textContent()).toBe(`@${handle}`);
    await page.mouse.click(target.x, target.y);
    await page.waitForSelector('.view.account .profile');
    const [platform, ...id] = target.node.split(':');
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain(`#/accounts/${platform}/${id.join(':')}`);

    // Back to the graph, then a cluster by its label.
    await open('network', '[data-testid=network][data-drawn=true]');
    await page.locator('.net-label', { hasText: /^C2$/ }).click();
    await page.waitForSelector('.view.cluster');
    expect(new URL(page.url()).hash).toBe('#/clusters/C2');
  });

  it('Cluster: the evidence shown is the posts in the store, searchable; members open accounts', async () => {
    await open('clusters/C1', '.ev-post');
    // The list is virtualised and renders again as its rows are measured: it is read once every
    // row shown is whole (a CI run once found a row without its text; a row that stays so fails).
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.ev-post')].every((el) => el.querySelector('.ev-text') !== null),
    );
    const rows = await page.locator('.ev-post').evaluateAll((els) =>
      els.map((el) => ({
        postId: el.querySelector('.ev-text')!.getAttribute('data-post-id')!,
        time: el.querySelector('.ev-time')!.textContent,
        text: el.querySelector('.ev-text > .data')?.textContent ?? null,
        account: el.querySelector('a')!.textContent,
      })),
    );
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      const stored = (
        await store.all<{ text: string | null; t: string; handle: string | null }>(
          `SELECT p.text, strftime(p.created_at, '%Y-%m-%d %H:%M:%S') AS t, a.handle FROM posts p
           JOIN accounts a USING (platform, account_id) WHERE p.post_id = ?`,
          [row.postId],
        )
      )[0]!;
      expect(row.text).toBe(stored.text);
      expect(row.time).toBe(stored.t);
      expect(row.account).toBe(`@${stored.handle}`);
    }
    await page.waitForSelector('.figure svg rect');
    await shot('cluster');

    const word = rows[0]!.text!.split(/\s+/).find((w) => /^[\p{L}]{6,}$/u.test(w))!;
    const all = rows.length;
    const matching = (await (
      await fetch(`${server.origin}/api/clusters/C1/evidence?limit=1000&q=${encodeURIComponent(word)}`)
    ).json()) as { total: number };
    expect(matching.total).toBeGreaterThan(0);
    await page.fill('.panel input[placeholder^="search text"]', word);
    await page.waitForSelector(`.evidence[data-rows="${matching.total}"]`);
    if (matching.total < all) expect(await page.locator('.ev-post').count()).toBeLessThan(all);
    await page.locator('table.members tbody a').first().click();
    await page.waitForSelector('.view.account .profile');
    expect(new URL(page.url()).hash).toMatch(/^#\/accounts\//);
  });

  it('Account: activity, week, co-actors and the evidence it is part of', async () => {
    const member = (
      await store.all<{ platform: string; account_id: string; n: number }>(
        `SELECT m.platform, m.account_id, (SELECT count(*) FROM posts p WHERE p.platform = m.platform AND p.account_id = m.account_id) AS n
         FROM detection_members m WHERE run_id = 1 AND cluster_id = 'C1' ORDER BY strength DESC, account_id LIMIT 1`,
      )
    )[0]!;
    // Found with the side bar's search, by the start of its handle.
    const handle = (await store.value<string>(
      'SELECT handle FROM accounts WHERE platform = ? AND account_id = ?',
      [member.platform, member.account_id],
    ))!;
    await open('', 'table.clusters');
    await page.fill('.finder input', handle.slice(0, 8));
    await page.locator('.finder li a', { hasText: `@${handle}` }).click();
    await page.waitForSelector('table.posts tbody tr');
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(
      `#/accounts/${member.platform}/${member.account_id}`,
    );
    expect(await page.locator('.kpi b').first().textContent()).toBe(nf.format(member.n));
    expect(
      await page.locator('.panel', { hasText: 'Co-actors' }).locator('tbody tr').count(),
    ).toBeGreaterThan(0);
    expect(await page.locator('.ev-post.hl').count()).toBeGreaterThan(0);
    await shot('account');
  });

  it('Amplification: coordinated against the rest over time, for any item', async () => {
    await open('amplification', 'table.items tbody tr');
    await page.locator('table.items tbody tr').nth(1).click();
    await page.waitForSelector('table.items tbody tr.selected');
    const bars = await page.locator('.detail .figure svg rect').count();
    expect(bars).toBeGreaterThan(2);
    await shot('amplification');
  });

  it('Influence: an entity found by name shows its agent, payment total and timeline as the store has them', async () => {
    const [p] = await store.all<{ id: string; caption: string; agent: string }>(
      `SELECT e.target_id AS id, c.caption, a.caption AS agent FROM entity_edges e
       JOIN entities c ON c.entity_id = e.target_id JOIN entities a ON a.entity_id = e.source_id
       WHERE e.rel_schema = 'Representation' AND e.target_prop = 'client' AND e.target_id LIKE 'sim-principal-%'
       ORDER BY e.target_id LIMIT 1`,
    );
    const paid = (await store.value<number>(
      `SELECT sum(CAST(a.value AS DOUBLE)) FROM statements a
       WHERE a.prop = 'amount' AND a.entity_id IN (SELECT entity_id FROM statements WHERE prop = 'payer' AND value = ?)`,
      [p!.id],
    ))!;
    await open('influence', '.entity-search input');
    await page.fill('.entity-search input', p!.caption.split(' ').slice(0, 2).join(' '));
    await page.locator('.entity-search a', { hasText: p!.caption }).click();
    await page.waitForSelector('[data-testid=layered] svg [data-node]');
    expect(await page.locator('h1 .data').first().textContent()).toBe(p!.caption);
    // The agent, in the representations table and in the figure's agents column.
    expect(await page.locator('table.representations tbody td a').allTextContents()).toContain(p!.agent);
    expect(await page.locator('[data-testid=layered] svg').textContent()).toContain(p!.agent.slice(0, 20));
    // Payment flows: the totals shown add up to the store's payments by this principal.
    const totals = await page.locator('table.flows td.total').allTextContents();
    const shown = totals.reduce((a, t) => a + Number(t.replace(/^[A-Z?]+ /, '').replaceAll(',', '')), 0);
    expect(shown).toBeCloseTo(paid, 2);
    // The timeline: each date is its record's date in the store, and every row names its source file.
    const rows = await page.locator('table.timeline tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        date: tr.querySelector('td')!.textContent,
        record: tr.querySelector('td:last-child .mono')!.textContent,
        source: tr.querySelector('td:last-child .source')!.textContent,
      })),
    );
    expect(rows.length).toBeGreaterThan(2);
    for (const r of rows) {
      expect(r.date).toBe(
        await store.value(
          `SELECT min(value) FROM statements WHERE entity_id = ? AND prop IN ('date', 'startDate')`,
          [r.record],
        ),
      );
      expect(r.source).toContain('influence.ftm.json:');
    }
    expect(await page.textContent('.note.caveat')).toContain('A contact is not causation.');
    await shot('influence');

    // A box of the figure opens that entity's page.
    await page
      .locator('[data-testid=layered] [data-node]', { hasText: p!.agent.slice(0, 20) })
      .first()
      .click();
    await page.waitForFunction(
      (agent) => document.querySelector('h1 .data')?.textContent === agent,
      p!.agent,
    );
  });

  it('Influence: from a cluster, "Who is behind it", and a path with every hop dated as its record', async () => {
    const status = (await (await fetch(`${server.origin}/api/influence`)).json()) as { clusters: string[] };
    const cluster = status.clusters[0]!;
    await open(`clusters/${cluster}`, '.view.cluster');
    await page.locator('a.behind-link').click();
    await page.waitForSelector('.party');
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/influence/cluster/${cluster}`);
    expect(await page.locator('.party').count()).toBeGreaterThan(0);
    await shot('influence-behind');
    // The path finder: the first hop dates shown are the records' dates.
    const party = await page.locator('.party').first().getAttribute('data-party');
    await open('influence', 'form.path-form');
    await page.fill('form.path-form input[name=from]', cluster);
    await page.fill('form.path-form input[name=to]', party!);
    await page.click('form.path-form button[type=submit]');
    await page.waitForSelector('.path-results .path table.hops tbody tr');
    const hops = await page
      .locator('.path-results .path')
      .first()
      .locator('table.hops tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => ({
          date: tr.querySelector('.hop-date')!.textContent,
          record: tr.querySelector('td:last-child .mono')?.textContent ?? null,
        })),
      );
    expect(hops.length).toBeGreaterThan(0);
    let dated = 0;
    for (const h of hops) {
      if (!h.record || h.date === '-') continue;
      expect(h.date).toBe(
        await store.value(
          `SELECT min(value) FROM statements WHERE entity_id = ? AND prop IN ('date', 'startDate')`,
          [h.record],
        ),
      );
      dated++;
    }
    expect(dated).toBeGreaterThan(0);
  });

  it('Echo: talking points ranked, a timeline with the echoing documents, passages side by side as stored', async () => {
    // The view says "computing" until the run's echo tracing is done, then lists the talking points.
    await open('echo', 'table.echo-points tbody tr');
    const status = (await (await fetch(`${server.origin}/api/echo`)).json()) as EchoStatusResponse;
    const summary = status.summary!;
    expect(summary.echoes).toBeGreaterThan(5);
    expect(await page.locator('table.echo-points tbody tr').count()).toBe(
      Math.min(50, summary.echoedTalkingPoints),
    );
    expect(await page.locator('.kpi b').first().textContent()).toBe(nf.format(summary.echoedTalkingPoints));

    // The most echoed talking point: its timeline marks every dated echoing document.
    const tp = (await page.locator('table.echo-points tbody tr').first().getAttribute('data-tp'))!;
    await page.locator('table.echo-points tbody tr a').first().click();
    await page.waitForSelector('.echo-point table.echo-list tbody tr');
    await page.waitForSelector('.echo-point .figure svg circle');
    const detail = (await (
      await fetch(`${server.origin}/api/echo/talking-points/${encodeURIComponent(tp)}`)
    ).json()) as EchoTalkingPointResponse;
    expect(await page.locator('table.echo-list tbody tr').count()).toBe(detail.echoes.items.length);
    expect(await page.locator('.echo-point .figure svg circle').count()).toBe(
      detail.cascade.steps.filter((x) => x.kind === 'document').length,
    );
    const shown = (await page.locator('.view.echo').textContent())!;
    expect(shown).toMatch(/after the earliest observed post/);
    expect(shown).not.toMatch(/origin/i);
    await shot('echo');

    // Each echo: the highlighted passages are the stored texts at the passages' offsets.
    for (const e of detail.echoes.items) {
      await open(
        `echo/${encodeURIComponent(tp)}/${encodeURIComponent(e.document.docId)}`,
        `.echo-pair[data-doc="${e.document.docId}"] .doc-text mark`,
      );
      const api = (await (
        await fetch(
          `${server.origin}/api/echo/passages?tp=${encodeURIComponent(tp)}&doc=${encodeURIComponent(e.document.docId)}`,
        )
      ).json()) as EchoPassagesResponse;
      const stored = (await store.value<string>('SELECT text FROM documents WHERE doc_id = ?', [
        e.document.docId,
      ]))!;
      expect(await page.locator('.echo-side .doc-text').textContent()).toBe(stored);
      expect(await page.locator('.echo-side .tp-text').textContent()).toBe(api.variant.text);
      for (const [side, text, start, end] of [
        ['doc-text', stored, 'docStart', 'docEnd'],
        ['tp-text', api.variant.text, 'tpStart', 'tpEnd'],
      ] as const) {
        const marks = await page.locator(`.echo-side .${side} mark`).evaluateAll((els) =>
          els.map((m) => ({
            passage: Number(m.getAttribute('data-passage')),
            start: Number(m.getAttribute('data-start')),
            end: Number(m.getAttribute('data-end')),
            text: m.textContent,
          })),
        );
        expect(marks.length).toBeGreaterThan(0);
        for (const m of marks) expect(m.text).toBe(text.slice(m.start, m.end));
        // Every passage is highlighted whole (passages of one echo do not overlap).
        api.echo.passages.forEach((p, k) => {
          const own = marks.filter((m) => m.passage === k);
          expect(own.map((m) => m.text).join('')).toBe(text.slice(p[start], p[end]));
        });
      }
    }
    await shot('echo-passages');
  });

  it('Echo, on a store without documents: says how to add them', async () => {
    const empty = await Store.open(join(tmp.dir, 'empty.duckdb'));
    const bare = await startServer({ store: empty, port: 0, webRoot: WEB_ROOT });
    try {
      await page.goto(`${bare.origin}/#/echo`);
      await page.waitForSelector('.echo-empty');
      expect(await page.locator('.echo-empty').textContent()).toMatch(
        /This store has none yet.*lockstep ingest-docs.*lockstep ingest-docs FILE --db empty\.duckdb/s,
      );
    } finally {
      await bare.close();
      empty.close();
    }
  });

  it('Run: ingests an uploaded file and runs a detection with progress, from the signal descriptors', async () => {
    await open('run', 'table.signals-form');
    expect(await page.locator('table.signals-form tbody tr').count()).toBe(8);
    await shot('run');
    const file = join(tmp.dir, 'extra.csv');
    writeFileSync(
      file,
      'tweetid,userid,user_screen_name,tweet_text,tweet_time,is_retweet,hashtags,urls\n9100000001,8100000001,late_arrival,One more post #uploaded,2024-06-12 09:00,False,[uploaded],[]\n',
    );
    await page.setInputFiles('input[type=file]', file);
    await page.click('button:has-text("Ingest")');
    await page.waitForSelector('.job[data-job=ingest][data-state=done]', { timeout: 60_000 });
    expect(await page.locator('.job[data-job=ingest] .log').textContent()).toMatch(/stored 1/);
    // Only two signals, to keep it short; the window of one set by hand.
    for (const row of await page.locator('table.signals-form tbody tr').all()) {
      const box = row.locator('td').first().locator('input[type=checkbox]');
      const name = (await row.locator('td').first().textContent())!.trim();
      if (['shared-object', 'shared-hashtag'].includes(name)) await box.check();
      else await box.uncheck();
    }
    await page
      .locator('table.signals-form tr', { hasText: 'shared-hashtag' })
      .locator('input[type=number]')
      .fill('90');
    await page.click('button:has-text("Detect")');
    await page.waitForSelector('.job[data-job=detect][data-state=done]', { timeout: 120_000 });
    await page.locator('.job[data-job=detect] a').click();
    await page.waitForSelector('table.clusters tbody tr');
    const saved = await store.all<{ result: string }>(
      'SELECT CAST(result AS VARCHAR) AS result FROM detections WHERE run_id = 2',
    );
    const params = JSON.parse(saved[0]!.result).params;
    expect(params.signals['shared-hashtag']).toMatchObject({
      enabled: true,
      window: 90,
      windowSource: 'user',
    });
    expect(Object.keys(params.signals).sort()).toEqual(['shared-hashtag', 'shared-object']);
  });

  it('made no request beyond the server, raised no error, opened no dialog, broke no policy', async () => {
    expect(browser.outbound).toEqual([]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await expectNoViolations(page);
  });
});
