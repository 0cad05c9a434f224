/**
 * The publishable report (`lockstep report`) on a small simulated store: one self-contained HTML file
 * with its sections, figures, every cluster and its evidence as the store holds it, the effective
 * parameters and the input hashes; a Content-Security-Policy that pins its only style sheet by hash;
 * the echo section (talking points, documents with their lag, passages highlighted side by side, or
 * one line without documents); the PDF printed by Chromium; the exports beside it; one-line errors.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionResult } from '../../src/detect/types.js';
import { traceEchoes } from '../../src/echo/index.js';
import { lagPhrase } from '../../src/echo/precedence.js';
import type { EchoResult } from '../../src/echo/types.js';
import { escapeXml } from '../../src/report/figures/svg.js';
import { lockstep, oneLine } from '../helpers/cli.js';
import { scratch } from '../helpers/store.js';
import { demoStore } from '../helpers/workbench.js';

let tmp: ReturnType<typeof scratch>;
let db: string;
let result: DetectionResult;
let inputs: { sha256: string; file: string }[];
let echoes: EchoResult;
let noDocuments: string;

beforeAll(async () => {
  tmp = scratch();
  const store = await demoStore(tmp.dir, undefined, { documents: true });
  db = store.path;
  echoes = await traceEchoes(store, { run: 1 });
  // The same store without its documents.
  noDocuments = join(tmp.dir, 'no-documents.duckdb');
  await store.run(
    `ATTACH '${noDocuments}' AS nodocs; COPY FROM DATABASE demo TO nodocs; DELETE FROM nodocs.documents; DETACH nodocs;`,
  );
  result = JSON.parse(
    (await store.value<string>('SELECT CAST(result AS VARCHAR) FROM detections WHERE run_id = 1'))!,
  );
  inputs = await store.all('SELECT sha256, file_name AS file FROM ingests');
  store.close();
}, 240_000);

afterAll(() => tmp?.cleanup());

describe('lockstep report', () => {
  let html: string;

  it('writes one self-contained HTML file, with the exports beside it', async () => {
    const r = await lockstep(
      tmp.dir,
      'report',
      '--db',
      db,
      '--out',
      'report.html',
      '--gexf',
      'clusters.gexf',
      '--csv',
      'tables',
      '--cluster-pages',
      '3',
      '-q',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Detection run 1: \d+ clusters\. Written: .*report\.html/);
    html = readFileSync(join(tmp.dir, 'report.html'), 'utf8');
    expect(existsSync(join(tmp.dir, 'clusters.gexf'))).toBe(true);
    expect(existsSync(join(tmp.dir, 'tables', 'evidence.csv'))).toBe(true);
  });

  it('loads nothing and runs nothing: no script, no remote reference, a CSP pinning its one style sheet', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'">`,
    );
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\sstyle="|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(?!#)/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)[^\s"<]*"/);
  });

  it('has the summary, method with effective parameters, limits, reproducibility and a page per cluster', () => {
    for (const id of ['summary', 'clusters', 'amplification', 'echoes', 'method', 'limits', 'reproduce'])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('coordinated</b>, not guilty');
    // Every cluster is in the table; the first three have pages with figures and evidence.
    for (const c of result.clusters) expect(html).toContain(`>${c.id}<`);
    expect(html.match(/<section class="cluster"/g)).toHaveLength(Math.min(3, result.clusters.length));
    expect(html.match(/<svg /g)!.length).toBeGreaterThan(5);
    // Effective parameters and every input file's hash, and the software version.
    expect(html).toContain(`--fdr ${result.params.fdr}`);
    expect(html).toContain(`--seed ${result.params.seed}`);
    for (const [name, s] of Object.entries(result.params.signals))
      if (s.enabled) expect(html, name).toContain(`${s.window} s (${s.windowSource}`);
    for (const i of inputs) expect(html).toContain(i.sha256);
    expect(html).toContain(`Lockstep ${result.tool.version}`);
    for (const limit of result.limits) expect(html).toContain(escapeXml(limit));
  });

  it('says in one line that "Who is behind it" is skipped when the store has no entities', () => {
    expect(html).toContain('<a href="#behind">Who is behind it</a>');
    expect(html).toMatch(
      /<section id="behind"><h2>Who is behind it<\/h2><p class="sub">Skipped: this store holds no entities\.[^<]*lockstep entities import[^<]*<\/p><\/section>/,
    );
  });

  it("shows each cluster page's evidence as the posts, escaped, with times and deltas", () => {
    const c = result.clusters[0]!;
    const page = html.slice(html.indexOf('id="cluster-1"'), html.indexOf('id="cluster-2"'));
    expect(page.length).toBeGreaterThan(1000);
    for (const e of c.evidence)
      for (const p of e.posts) {
        if (p.text) expect(page).toContain(escapeXml(p.text));
        expect(page).toContain(p.createdAt.replace('T', ' ').replace('Z', ''));
      }
  });

  it('traces the echoes: top talking points, their documents against the earliest observed post, passages side by side, method and limits', () => {
    const section = html.slice(html.indexOf('<section id="echoes">'), html.indexOf('<section id="method">'));
    expect(section).toContain('<h2>Echoes in statements and articles</h2>');
    expect(echoes.talkingPoints.length).toBeGreaterThan(2);
    expect(section).toContain(`${echoes.echoes.length} echoes in`);
    const top = echoes.talkingPoints.slice(0, 5);
    for (const tp of top) expect(section).toContain(escapeXml(tp.label));
    // A timeline per talking point shown, with a dot per dated echoing document.
    expect(section.match(/<svg /g)).toHaveLength(top.length);
    const first = echoes.cascades.find((c) => c.talkingPoint === top[0]!.id)!;
    const figure = section.slice(section.indexOf('<svg '), section.indexOf('</svg>'));
    expect(figure.match(/<circle /g)).toHaveLength(first.steps.filter((x) => x.kind === 'document').length);
    // Each document with its lag stated against the earliest observed post, never as an origin.
    for (const e of echoes.echoes.filter((x) => x.talkingPoint === top[0]!.id).slice(0, 12)) {
      expect(section).toContain(escapeXml(e.document.title ?? e.document.docId));
      if (e.lag) expect(section).toContain(escapeXml(lagPhrase(e.lag)));
    }
    // ("origin" only in the sentences that say a lag is not measured from one.)
    expect(section.replace('never as an origin', '').replace('not from the origin', '')).not.toMatch(
      /origin/i,
    );
    // Passages side by side: the shared text highlighted in both, exactly the stored slices.
    const best = echoes.echoes
      .filter((x) => x.talkingPoint === top[0]!.id && x.tier === 'lexical')
      .sort((a, b) => b.score - a.score)[0]!;
    const p0 = best.passages[0]!;
    expect(section).toContain(`<mark class="p0" title="passage 1">${escapeXml(p0.docText)}</mark>`);
    expect(section).toContain(`<mark class="p0" title="passage 1">${escapeXml(p0.tpText)}</mark>`);
    // The method: the thresholds that applied, and the limits.
    const thresholds = echoes.parameters.thresholds as Record<string, number>;
    for (const [lang, t] of Object.entries(thresholds))
      expect(section).toContain(
        `<td>${lang === 'default' ? 'other languages' : lang}</td><td class="num">${t.toFixed(2)}</td>`,
      );
    for (const limit of echoes.limits) expect(section).toContain(escapeXml(limit));
  });

  it('says in one line that the store has no documents, and leaves the section out with --no-echo', async () => {
    const none = await lockstep(tmp.dir, 'report', '--db', noDocuments, '--out', 'none.html', '-q');
    expect(none.code).toBe(0);
    const page = readFileSync(join(tmp.dir, 'none.html'), 'utf8');
    const section = page.slice(page.indexOf('<section id="echoes">'), page.indexOf('<section id="behind">'));
    expect(section).toMatch(
      /^<section id="echoes"><h2>[^<]+<\/h2><p>No documents in this store: [^<]*lockstep ingest-docs FILE[^<]*<\/p><\/section>$/,
    );
    const skipped = await lockstep(tmp.dir, 'report', '--db', db, '--out', 'skipped.html', '--no-echo', '-q');
    expect(skipped.code).toBe(0);
    expect(readFileSync(join(tmp.dir, 'skipped.html'), 'utf8')).toContain(
      '<section id="echoes"><h2>Echoes in statements and articles</h2><p>Not computed for this report.</p></section>',
    );
  });

  it('prints the PDF with Chromium', async () => {
    const r = await lockstep(
      tmp.dir,
      'report',
      '--db',
      db,
      '--pdf',
      'report.pdf',
      '--no-amplification',
      '-q',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pdf = readFileSync(join(tmp.dir, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(50_000);
  });

  it('fails in one line when there is nothing to write, no such run, or no store', async () => {
    const none = await lockstep(tmp.dir, 'report', '--db', db);
    expect(none.code).toBe(2);
    expect(oneLine(none.stderr)).toMatch(/nothing to write/);
    const run = await lockstep(tmp.dir, 'report', '--db', db, '--run', '9', '--out', 'x.html');
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/no detection run 9/);
    const store = await lockstep(tmp.dir, 'report', '--db', 'missing.duckdb', '--out', 'x.html');
    expect(store.code).toBe(5);
    expect(oneLine(store.stderr)).toMatch(/no store/);
  });
});
