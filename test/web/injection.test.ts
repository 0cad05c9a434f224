/**
 * Attacker-controlled content: a corpus whose post texts, handles, display names, bios, locations,
 * profile URLs, links and hashtags carry script-injection and remote-loading payloads, read through
 * real ingest and detected as a coordinated cluster (so that the payloads reach every view: the
 * network's labels and tooltip, the evidence, members, account pages, amplification items),
 * documents whose text, title, author, outlet and URL carry them too, quoting the cluster's
 * payload-laden posts (so that they reach the Echo view, highlighted passages included), and an
 * influence layer whose entity names, notes, URLs and record fields carry more, linked to that
 * cluster through one of its accounts and the payload site it pushes (the Influence view, who is
 * behind it, paths, the report). Every
 * view of the workbench and the report are then opened in Chromium: no payload may run (a global
 * flag the payloads set stays unset, no dialog opens), nothing may be requested from anywhere but
 * the local server, the Content-Security-Policy never has to block anything, and the payloads are
 * shown as text.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/index.js';
import { saveDetection } from '../../src/detect/saved.js';
import { importEntities } from '../../src/entities/import/pipeline.js';
import { linkLayers } from '../../src/entities/link/index.js';
import { resolveEntities } from '../../src/entities/resolve/index.js';
import { fingerprintClusters } from '../../src/forensics/index.js';
import { ingestDocuments } from '../../src/ingest/documents/index.js';
import type { IO_ARCHIVE_COLUMNS } from '../../src/ingest/formats/io-archive.js';
import { normalizeTag } from '../../src/ingest/normalize/text.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { reportHtml } from '../../src/report/html/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import type { EchoDocumentsResponse, EchoStatusResponse, GraphResponse } from '../../src/server/types.js';
import { simulate } from '../../src/simulate/index.js';
import { Store } from '../../src/store/store.js';
import { expectNoViolations, openBrowser, WEB_ROOT, watchedPage } from '../helpers/browser.js';
import { parseCsv } from '../helpers/csv.js';
import { scratch } from '../helpers/store.js';

/** Each payload sets `window.__pwned` or opens a dialog if it ever runs, or loads from evil.example. */
const P = {
  text: `<img src=x onerror="window.__pwned='text';alert('text')"><script>window.__pwned='script'</script> Read this now #lockstepxss`,
  name: `<svg onload="window.__pwned='name'">Eve</svg>`,
  bio: `"><iframe src="javascript:window.__pwned='bio'"></iframe><img src="http://evil.example/bio.png">`,
  location: `<style>@import url(http://evil.example/x.css)</style>Tehran`,
  profileUrl: `javascript:window.__pwned='url'`,
  link: `http://evil.example/beacon.png?q=<script>alert(1)</script>`,
  tag: `<script>alert(1)</script>`,
  handle: (i: number) => `op${i}_<b onmouseover=alert(1)>x</b>`,
};

/** The same for documents: in their text, title, author, outlet and URL. */
const D = {
  text: `<script>window.__pwned='doctext'</script><img src="http://evil.example/doc.png" onerror="window.__pwned='docimg'">`,
  title: `<svg onload="window.__pwned='doctitle'">Statement</svg>`,
  author: `<iframe src="javascript:window.__pwned='author'"></iframe>Minister`,
  outlet: `<link rel="stylesheet" href="http://evil.example/o.css"><b onclick="alert(1)">Outlet</b>`,
  url: `javascript:window.__pwned='docurl'`,
  link: `http://evil.example/article?<script>alert(1)</script>`,
  /** Inserted inside a quote, so that it lies in (or between) the aligned passages. */
  inner: `<i onmouseover="window.__pwned='inner'">`,
};

/** The same for the influence layer: entity names, notes, URLs and the fields of records. */
const E = {
  org: `<img src=x onerror="window.__pwned='entity';alert('entity')">Front Org`,
  notes: `<script>window.__pwned='notes'</script><iframe src="http://evil.example/notes"></iframe>`,
  website: 'http://evil.example/front.png',
  sourceUrl: `javascript:window.__pwned='source'`,
  principal: `"><img src="http://evil.example/principal.png">Principal Council`,
  agent: `<svg onload="window.__pwned='agent'">Agent Partners</svg>`,
  role: `<img src=x onerror="window.__pwned='role'">registered agent`,
  purpose: `<a href="http://evil.example/pay" onclick="window.__pwned='pay'">retainer</a>`,
  description: `<style>@import url(http://evil.example/e.css)</style>a meeting`,
  official: `<b onmouseover="window.__pwned='official'">Official Person</b>`,
};

/** An FtM stream of payload entities; the front organisation runs the account `handle` (a cluster member) and the payload site. */
function influenceLayer(dir: string, handle: string): string {
  const lines = [
    {
      id: 'pwn-org',
      schema: 'Organization',
      properties: { name: [E.org], notes: [E.notes], website: [E.website], sourceUrl: [E.sourceUrl] },
    },
    {
      id: 'pwn-account',
      schema: 'UserAccount',
      properties: { username: [handle], service: ['twitter'], owner: ['pwn-org'] },
    },
    { id: 'pwn-principal', schema: 'Organization', properties: { name: [E.principal], country: ['ir'] } },
    { id: 'pwn-agent', schema: 'Company', properties: { name: [E.agent] } },
    {
      id: 'pwn-official',
      schema: 'Person',
      properties: { name: [E.official], position: ['Representative'] },
    },
    {
      id: 'pwn-rep',
      schema: 'Representation',
      properties: {
        agent: ['pwn-agent'],
        client: ['pwn-principal'],
        role: [E.role],
        startDate: ['2024-05-01'],
      },
    },
    {
      id: 'pwn-pay',
      schema: 'Payment',
      properties: {
        payer: ['pwn-principal'],
        beneficiary: ['pwn-org'],
        amount: ['1000'],
        currency: ['USD'],
        date: ['2024-05-02'],
        purpose: [E.purpose],
      },
    },
    {
      id: 'pwn-meet',
      schema: 'Event',
      properties: {
        name: ['meeting'],
        organizer: ['pwn-agent'],
        involved: ['pwn-official', 'pwn-principal'],
        date: ['2024-06-01'],
        description: [E.description],
        keywords: ['meeting'],
      },
    },
  ];
  const file = join(dir, 'payloads.ftm.json');
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}

const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const pyString = (s: string) => `'${s.replaceAll("'", "\\'")}'`;
/** A Python list literal (the archive's list format) with one more item in front. */
const withItem = (list: string, item: string) =>
  !list || list === '[]' ? `[${pyString(item)}]` : `[${pyString(item)}, ${list.slice(1)}`;

/**
 * The simulator's X archive (planted operations among organic activity), with the profiles and
 * posts of the accounts of one planted operation rewritten to carry the payloads: their behaviour
 * is unchanged, so detection still finds them, and the payloads reach every view.
 */
function corpus(dir: string): string {
  const sim = simulate({ out: join(dir, 'corpus'), posts: 20_000, seed: 7 });
  // op3 (a retweet ring, about twenty accounts) is found in 20,000 posts of seed 7; the smallest
  // operations are not always found in so few posts.
  const op = sim.operations.find((o) => o.id === 'op3')!;
  const truth = parseCsv(readFileSync(sim.accountsFile, 'utf8'));
  const col = (name: string) => truth[0]!.indexOf(name);
  const planted = new Set(
    truth.filter((r) => r[col('operation')] === op.id).map((r) => r[col('account_id')]!),
  );
  const file = sim.files[0]!;
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const header = rows[0]!;
  const at = (name: (typeof IO_ARCHIVE_COLUMNS)[number]) => header.indexOf(name);
  const handles = new Map<string, number>();
  for (const r of rows.slice(1)) {
    const id = r[at('userid')]!;
    if (!planted.has(id)) continue;
    if (!handles.has(id)) handles.set(id, handles.size);
    const n = handles.get(id)!;
    r[at('user_screen_name')] = P.handle(n);
    // Half the accounts carry the name payload: one name shared by all would read as an outlet's
    // own accounts (the shared-name indicator), and the cluster would not count as flagged.
    r[at('user_display_name')] = n % 2 ? `Ana ${n}` : `${P.name} ${n}`;
    r[at('user_profile_description')] = P.bio;
    r[at('user_reported_location')] = P.location;
    r[at('user_profile_url')] = P.profileUrl;
    r[at('tweet_text')] = `${P.text} ${r[at('tweet_text')]}`;
    // The payloads join the posts' own tags and links (which carry the operation's orders).
    r[at('hashtags')] = withItem(r[at('hashtags')]!, P.tag);
    r[at('urls')] = withItem(r[at('urls')]!, P.link);
  }
  const out = join(dir, 'payloads.csv');
  writeFileSync(out, rows.map((r) => r.map(quote).join(',')).join('\n'));
  return out;
}

/**
 * Documents carrying the payloads, each quoting posts of the payload accounts that other flagged
 * accounts reposted (the operation's talking points, whose text holds the post payload), published
 * weeks after the posts.
 */
async function documents(dir: string, s: Store): Promise<string> {
  const quoted = await s.all<{ text: string }>(
    `WITH m AS (SELECT DISTINCT platform, account_id FROM detection_members WHERE run_id = 1)
     SELECT o.text, count(DISTINCT r.account_id) AS n FROM posts r
     JOIN m ON m.platform = r.platform AND m.account_id = r.account_id
     JOIN posts o ON o.platform = r.platform AND o.post_id = r.ref_post_id
     WHERE r.kind = 'repost' AND o.kind = 'post' AND o.text LIKE '%onerror%'
     GROUP BY o.text ORDER BY n DESC, o.text LIMIT 3`,
  );
  expect(quoted.length).toBeGreaterThan(0);
  // Every other document inserts a payload in the middle of the quoted message (an inserted clause,
  // for the alignment: it lies within or between the passages).
  const cited = (t: string, i: number) => {
    if (i % 2) return t;
    const words = t.split(' ');
    const lead = P.text.split(' ').length;
    const at = lead + Math.floor((words.length - lead) / 2);
    return [...words.slice(0, at), D.inner, ...words.slice(at)].join(' ');
  };
  const records = quoted.map((q, i) => ({
    id: `xss-${i + 1}`,
    title: `${D.title} ${i + 1}`,
    author: D.author,
    outlet: D.outlet,
    url: i % 2 ? D.link : D.url,
    published_at: '2024-08-01T10:00:00Z',
    lang: 'en',
    kind: 'statement',
    text: `${D.text} The minister said this morning: "${cited(q.text, i)}". ${D.text} Officials declined to comment further on the matter today.`,
  }));
  const file = join(dir, 'documents.jsonl');
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return file;
}

let tmp: ReturnType<typeof scratch>;
let store: Store;
let server: RunningServer;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let page: Page;
let errors: string[];
let dialogs: string[];

beforeAll(async () => {
  tmp = scratch();
  const file = corpus(tmp.dir);
  store = await Store.open(join(tmp.dir, 'payloads.duckdb'), { memoryLimit: '1GB', threads: 2 });
  const ingest = await ingestFile(store, file);
  expect(ingest.rowsRejected).toBe(0);
  await saveDetection(store, await fingerprintClusters(store, await detect(store)));
  const docs = await ingestDocuments(store, await documents(tmp.dir, store));
  expect(docs.rowsRejected).toBe(0);
  const handle = (await store.value<string>(
    `SELECT handle FROM accounts WHERE handle LIKE 'op0\\_%' ESCAPE '\\'`,
  ))!;
  const entities = await importEntities(store, influenceLayer(tmp.dir, handle), { dataset: 'payloads' });
  expect(entities.recordsRejected).toBe(0);
  await resolveEntities(store);
  await linkLayers(store);
  server = await startServer({ store, port: 0, webRoot: WEB_ROOT });
  browser = await openBrowser();
  ({ page, errors, dialogs } = await watchedPage(browser.context));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.workbench.echo.close();
  await server?.close();
  store?.close();
  tmp?.cleanup();
});

async function expectInert(): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(browser.outbound).toEqual([]);
  expect(errors).toEqual([]);
  await expectNoViolations(page);
}

const text = () => page.evaluate(() => document.body.textContent);

describe('script injection through the data', () => {
  let cluster: string;
  let operator: { platform: string; accountId: string };

  it('the payload accounts are detected as one cluster (so the payloads reach every view)', async () => {
    const g = (await (await fetch(`${server.origin}/api/graph`)).json()) as GraphResponse;
    const ops = g.nodes.filter((n) => n.handle?.includes('<b onmouseover'));
    expect(ops.length).toBeGreaterThan(5);
    cluster = ops[0]!.cluster;
    operator = { platform: ops[0]!.platform, accountId: ops[0]!.accountId };
  });

  it('Overview and Network show the payloads as text and run none', async () => {
    await page.goto(`${server.origin}/#/`);
    await page.waitForSelector('.manufactured table');
    await page.waitForSelector('table.clusters tbody tr');
    await page.goto(`${server.origin}/#/network`);
    await page.waitForSelector('[data-testid=network][data-drawn=true]');
    // Hover an operator: the tooltip shows its handle.
    const at = await page.evaluate((key) => {
      const el = document.querySelector('[data-testid=network]') as HTMLElement & {
        __sigma: {
          getGraph(): { getNodeAttributes(n: string): { x: number; y: number } };
          graphToViewport(p: { x: number; y: number }): { x: number; y: number };
        };
      };
      const p = el.__sigma.graphToViewport(el.__sigma.getGraph().getNodeAttributes(key));
      const box = el.getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    }, `${operator.platform}:${operator.accountId}`);
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector('.net-tip');
    expect(await page.locator('.net-tip b').textContent()).toMatch(
      /^@op\d+_<b onmouseover=alert\(1\)>x<\/b>$/,
    );
    await expectInert();
  });

  it('Cluster and Account views show texts, names, bios, locations and URLs as text, and run none', async () => {
    await page.goto(`${server.origin}/#/clusters/${cluster}`);
    await page.waitForSelector('.ev-post');
    await page.waitForSelector('table.members tbody tr');
    const shown = await text();
    expect(shown).toContain(`<img src=x onerror="window.__pwned='text';alert('text')">`);
    expect(shown).toContain(P.name);
    expect(shown).toContain('evil.example/beacon.png');
    await page.goto(`${server.origin}/#/accounts/${operator.platform}/${operator.accountId}`);
    await page.waitForSelector('table.posts tbody tr');
    const account = await text();
    for (const p of [P.bio, P.location, P.profileUrl]) expect(account).toContain(p);
    // Links from the data are never links: no anchor in the page points anywhere but the app.
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.filter((h) => !h.startsWith('#/'))).toEqual([]);
    expect(await page.locator('img, iframe, script:not([src]), object, embed').count()).toBe(0);
    await expectInert();
  });

  it('Amplification lists the payload tag and link as items, as text', async () => {
    await page.goto(`${server.origin}/#/amplification?kind=link`);
    await page.waitForSelector('.tabs button.on:has-text("Links")');
    await page.waitForSelector('table.items tbody tr');
    expect(await text()).toContain('evil.example/beacon.png');
    await page.goto(`${server.origin}/#/amplification?kind=hashtag`);
    await page.waitForSelector('.tabs button.on:has-text("Hashtags")');
    await page.waitForSelector('table.items tbody tr');
    expect(await text()).toContain(`#${normalizeTag(P.tag)}`);
    await page.goto(`${server.origin}/#/run`);
    await page.waitForSelector('table.signals-form');
    await expectInert();
  });

  it('Influence: entity names, notes, URLs and record fields are text in every page, and run and load nothing', async () => {
    const noLinksOut = async () => {
      const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      expect(hrefs.filter((h) => !h.startsWith('#/'))).toEqual([]);
      expect(
        await page
          .locator('img, iframe, script:not([src]), object, embed, link[rel=stylesheet]:not([href^="/"])')
          .count(),
      ).toBe(0);
    };
    await page.goto(`${server.origin}/#/influence`);
    await page.fill('.entity-search input', 'Front Org');
    await page.waitForSelector('.entity-search table a');
    expect(await text()).toContain(E.org);
    await page.goto(`${server.origin}/#/influence/entity/pwn-org`);
    await page.waitForSelector('[data-testid=layered] svg');
    await page.waitForSelector('table.payments');
    const org = await text();
    for (const p of [E.org, E.notes, E.website, E.sourceUrl, E.principal, E.purpose])
      expect(org).toContain(p);
    await noLinksOut();
    await expectInert();
    await page.goto(`${server.origin}/#/influence/entity/pwn-agent`);
    await page.waitForSelector('table.contacts');
    const agent = await text();
    for (const p of [E.agent, E.role, E.description, E.official]) expect(agent).toContain(p);
    await noLinksOut();
    await expectInert();
    // Who is behind the payload cluster: reached through the account the front organisation runs.
    await page.goto(`${server.origin}/#/influence/cluster/${cluster}`);
    await page.waitForSelector('.party');
    const behind = await text();
    for (const p of [E.org, E.principal]) expect(behind).toContain(p);
    expect(behind).toContain(E.website);
    await noLinksOut();
    await expectInert();
    await page.goto(`${server.origin}/#/influence?from=${cluster}&to=pwn-official&hops=6`);
    await page.waitForSelector('.path-results .path');
    expect(await text()).toContain(E.official);
    await noLinksOut();
    await expectInert();
  });

  it('the Echo view shows documents and passages carrying payloads as text, and runs and loads none', async () => {
    await page.goto(`${server.origin}/#/echo`);
    await page.waitForSelector('table.echo-points tbody tr', { timeout: 120_000 });
    const status = (await (await fetch(`${server.origin}/api/echo`)).json()) as EchoStatusResponse;
    expect(status.state).toBe('ready');
    // Every payload document echoes a talking point of the payload accounts.
    const docs = (await (
      await fetch(`${server.origin}/api/echo/documents?echoing=true&q=xss-`)
    ).json()) as EchoDocumentsResponse;
    // (A quoted post whose message is no talking point of the flagged clusters echoes nothing.)
    expect(docs.total).toBeGreaterThanOrEqual(2);
    await page.goto(`${server.origin}/#/echo?tab=documents`);
    await page.waitForSelector('table.echo-docs tbody tr');
    for (const p of [D.title, D.author, D.outlet]) expect(await text()).toContain(p);
    const tp = docs.items[0]!.echoes![0]!.talkingPoint;
    await page.goto(`${server.origin}/#/echo/${encodeURIComponent(tp)}`);
    await page.waitForSelector('table.echo-list tbody tr');
    for (const p of [D.title, D.author, D.outlet]) expect(await text()).toContain(p);
    await expectInert();
    for (const d of docs.items) {
      const pair = `${encodeURIComponent(d.echoes![0]!.talkingPoint)}/${encodeURIComponent(d.docId)}`;
      await page.goto(`${server.origin}/#/echo/${pair}`);
      await page.waitForSelector(`.echo-pair[data-doc="${d.docId}"] .doc-text mark`);
      const shown = await text();
      for (const p of [D.text, D.title, D.author, D.outlet, d.url!]) expect(shown).toContain(p);
      // The document's text is shown whole, as text, payloads included; each highlight is its stored slice.
      const stored = (await store.value<string>('SELECT text FROM documents WHERE doc_id = ?', [d.docId]))!;
      expect(await page.locator('.echo-side .doc-text').textContent()).toBe(stored);
      const marks = await page.locator('.echo-side .doc-text mark').evaluateAll((els) =>
        els.map((m) => ({
          start: Number(m.getAttribute('data-start')),
          end: Number(m.getAttribute('data-end')),
          text: m.textContent,
        })),
      );
      expect(marks.length).toBeGreaterThan(0);
      if (stored.includes(D.inner)) {
        expect(shown).toContain(D.inner);
        const at = stored.indexOf(D.inner);
        expect(Math.min(...marks.map((m) => m.start))).toBeLessThan(at);
        expect(Math.max(...marks.map((m) => m.end))).toBeGreaterThan(at);
      }
      for (const m of marks) expect(m.text).toBe(stored.slice(m.start, m.end));
      const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      expect(hrefs.filter((h) => !h.startsWith('#/'))).toEqual([]);
      // No element came from the data: no image, frame, script, style or link, no event handler.
      expect(
        await page.locator('main img, main iframe, main script, main style, main link, main object').count(),
      ).toBe(0);
      expect(
        await page.evaluate(
          () =>
            [...document.querySelectorAll('main *')].filter((el) =>
              [...el.attributes].some((a) => a.name.startsWith('on')),
            ).length,
        ),
      ).toBe(0);
      await expectInert();
    }
    // A payload inserted inside a quote lies within or between the passages, and is shown as text.
    expect(docs.items.some((d) => d.docId === 'xss-1' || d.docId === 'xss-3')).toBe(true);
  });

  it('the report shows the payloads as text, runs nothing and loads nothing', async () => {
    const html = await reportHtml(store);
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^"]+'/,
    );
    expect(html).not.toMatch(/<script|<img|<iframe|<svg onload|href="(?!#)/i);
    const file = join(tmp.dir, 'report.html');
    writeFileSync(file, html);
    const report = await browser.context.newPage();
    const seen: string[] = [];
    report.on('request', (r) => seen.push(r.url()));
    report.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await report.goto(`file://${file}`);
    const shown = await report.evaluate(() => document.body.textContent);
    expect(shown).toContain(`<img src=x onerror="window.__pwned='text';alert('text')">`);
    expect(shown).toContain(P.name);
    // The echo section: documents' payloads as text, the passage highlighted around them.
    expect(html).toContain('id="echoes"');
    for (const p of [D.text, D.title, D.author, D.outlet]) expect(shown).toContain(p);
    expect(await report.locator('#echoes mark').count()).toBeGreaterThan(0);
    // "Who is behind it": the payload entities and a record's role.
    expect(html).toContain('id="behind"');
    for (const p of [E.org, E.principal, E.role]) expect(shown).toContain(p);
    expect(await report.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(
      await report.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    ).toEqual([]);
    expect(seen).toEqual([`file://${file}`]);
    expect(dialogs).toEqual([]);
    await report.close();
  });
});
