/**
 * Echo tracing end to end on a simulated month (docs/simulator.md, "Documents"): the planted
 * operations' messages reappear in statements and articles days later, verbatim, lightly edited,
 * reordered, republished by another outlet, or days before the operations used them; unrelated
 * documents and stock-phrase decoys must not echo anything. Measured at 40k posts and 300 documents
 * (seed 11): every verbatim, precedes and syndicated document found, 0.9 of the edited and reordered
 * ones, no unrelated or decoy document.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { detect } from '../../src/detect/index.js';
import { saveDetection } from '../../src/detect/saved.js';
import { traceEchoes } from '../../src/echo/index.js';
import type { EchoResult } from '../../src/echo/types.js';
import type { AccountSet } from '../../src/forensics/sets.js';
import { ingestDocuments } from '../../src/ingest/documents/index.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { writeEchoCsv } from '../../src/report/exports/echo.js';
import { LEXICAL_KINDS, NEGATIVE_KINDS } from '../../src/simulate/documents.js';
import { simulate } from '../../src/simulate/index.js';
import { Store } from '../../src/store/store.js';
import { lockstep, oneLine } from '../helpers/cli.js';
import { scratch } from '../helpers/store.js';

const tmp = scratch();
let store: Store;
let result: EchoResult;
let truth: Map<string, Record<string, string>>;
let planted: AccountSet[];
const db = join(tmp.dir, 'echo.duckdb');

/** Parses the simulator's ground-truth CSV (quoted fields may hold commas). */
function readTruth(file: string): Map<string, Record<string, string>> {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const out = new Map<string, Record<string, string>>();
  for (const line of lines) {
    const fields: string[] = [];
    for (const m of line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)) {
      if (m.index === line.length && m[0] === '') break;
      fields.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!);
    }
    const row = Object.fromEntries(columns.map((c, i) => [c, fields[i] ?? '']));
    out.set(row.id!, row);
  }
  return out;
}

beforeAll(async () => {
  const sim = simulate({ out: join(tmp.dir, 'sim'), posts: 40_000, seed: 11, documents: 300 });
  truth = readTruth(sim.documents!.truthFile);
  store = await Store.open(db, { memoryLimit: '1GB', threads: 2 });
  for (const f of sim.files) await ingestFile(store, f);
  // One hostile document: formula text where a spreadsheet would run it.
  const hostile = tmp.file(
    'hostile.jsonl',
    `${JSON.stringify({ id: 'hostile', title: '=HYPERLINK("http://evil.example","click")', text: `=cmd|' /C calc'!A0 ${[...truth.values()].find((t) => t.kind === 'verbatim')!.message}.`, date: '2024-06-29T10:00:00Z' })}\n`,
  );
  await ingestDocuments(store, sim.documents!.file);
  await ingestDocuments(store, hostile);
  await saveDetection(store, await detect(store));
  // The planted operations as the flagged sets, so that what is measured is echo tracing, not how
  // much of each operation a 40k-post detection finds (the CLI test below uses the saved detection).
  const accounts = readFileSync(sim.accountsFile, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const sets = [...new Set(accounts.map((a) => a[3]).filter(Boolean))].map((op) => ({
    id: op!,
    accounts: accounts.filter((a) => a[3] === op).map((a) => ({ platform: 'twitter', accountId: a[0]! })),
  }));
  planted = sets;
  result = await traceEchoes(store, { sets });
}, 240_000);
afterAll(() => {
  store?.close();
  tmp.cleanup();
});

const echoesOf = (id: string) => result.echoes.filter((e) => e.document.docId === id);

describe('echo tracing on a simulated month', () => {
  it('finds the documents that reuse the operations’ messages, and none of the unrelated ones', () => {
    const found = (kinds: string[]) => {
      const docs = [...truth.values()].filter((t) => kinds.includes(t.kind!));
      return { n: docs.length, found: docs.filter((t) => echoesOf(t.id!).length > 0).length };
    };
    for (const kind of ['verbatim', 'precedes', 'syndicated']) {
      const f = found([kind]);
      expect(f.n, kind).toBeGreaterThan(3);
      expect(f.found / f.n, kind).toBeGreaterThanOrEqual(0.95);
    }
    const edited = found(['light-edit', 'reordered']);
    expect(edited.found / edited.n).toBeGreaterThanOrEqual(0.8);
    const lexical = found(LEXICAL_KINDS);
    expect(lexical.found / lexical.n).toBeGreaterThanOrEqual(0.9);
    const negatives = [...truth.values()].filter((t) => NEGATIVE_KINDS.includes(t.kind as never));
    expect(
      negatives
        .flatMap((t) => echoesOf(t.id!))
        .map((e) => [e.document.docId, e.score, e.passages[0]?.docText]),
    ).toEqual([]);
    expect(found(NEGATIVE_KINDS).n).toBeGreaterThan(100);
    // The talking points are the flagged sets' messages.
    expect(result.data.talkingPointSource).toBe('clusters');
    expect(echoesOf('hostile')).toHaveLength(1);
    for (const tp of result.talkingPoints) expect(tp.flaggedShare).toBeGreaterThanOrEqual(0.5);
  });

  it('reports an echo that precedes the campaign as such, and the others after it with their lag', () => {
    let checked = 0;
    for (const t of truth.values()) {
      const echoes = echoesOf(t.id!);
      if (!echoes.length || !LEXICAL_KINDS.includes(t.kind as never)) continue;
      if (t.kind === 'precedes') for (const e of echoes) expect(e.status, t.id).toBe('precedes');
      else for (const e of echoes) expect(['echo', 'uncertain'], t.id).toContain(e.status);
      // Documents dated to the second: the lag is the planted one, from the message's first post
      // (posts are known to the minute).
      const e = echoes.find((x) => x.document.time?.precision === 'second' && x.lag);
      if (!e || t.kind === 'syndicated') continue;
      const firstUsed = Date.parse(t.firstUsed!);
      const firstSeen = Date.parse(
        result.talkingPoints.find((p) => p.id === e.talkingPoint)!.firstSeen!.time.at,
      );
      expect(Math.abs(firstSeen - firstUsed), t.id).toBeLessThanOrEqual(60_000);
      expect(Math.abs(e.lag!.seconds - Number(t.lagDays) * 86_400), t.id).toBeLessThanOrEqual(120);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('links a republished document to the document it copies', () => {
    const syndicated = [...truth.values()].filter((t) => t.kind === 'syndicated' && echoesOf(t.id!).length);
    const right = syndicated.filter((t) =>
      echoesOf(t.id!).some((e) => e.source?.kind === 'document' && e.source.id === t.copyOf),
    );
    expect(right.length / syndicated.length).toBeGreaterThanOrEqual(0.7);
    // Independent quotes of a message are linked to its posts, not to each other.
    const verbatim = [...truth.values()].filter((t) => t.kind === 'verbatim').flatMap((t) => echoesOf(t.id!));
    const toPosts = verbatim.filter((e) => e.source?.kind === 'post').length;
    expect(toPosts / verbatim.length).toBeGreaterThanOrEqual(0.7);
  });

  it('returns passages that point into the stored texts, and cascades in time order', () => {
    const sample = result.echoes.slice(0, 50);
    for (const e of sample) {
      const tp = result.talkingPoints.find((t) => t.id === e.talkingPoint)!;
      for (const p of e.passages) {
        expect(tp.variants[e.variant]!.text.slice(p.tpStart, p.tpEnd)).toBe(p.tpText);
        expect(p.docText.length).toBeGreaterThan(10);
      }
    }
    for (const c of result.cascades) {
      const times = c.steps.map((s) => Date.parse(s.time.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(c.steps.filter((s) => s.kind === 'document').length).toBe(
        result.echoes.filter((e) => e.talkingPoint === c.talkingPoint && e.document.time).length,
      );
      expect(c.series.reduce((s, d) => s + d.posts, 0)).toBe(
        result.talkingPoints.find((t) => t.id === c.talkingPoint)!.posts,
      );
    }
    expect(result.limits.some((l) => l.includes('not from the origin'))).toBe(true);
  });

  it('writes CSV that a spreadsheet shows as text', () => {
    const files = writeEchoCsv(result, join(tmp.dir, 'csv'));
    expect(files.map((f) => f.split('/').pop())).toEqual([
      'echoes.csv',
      'talking_points.csv',
      'passages.csv',
    ]);
    const echoes = readFileSync(files[0]!, 'utf8');
    expect(echoes.split('\r\n').length).toBeGreaterThan(result.echoes.length);
    const hostile = echoes.split('\r\n').find((l) => l.includes('hostile'))!;
    expect(hostile).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(hostile).not.toMatch(/,=/);
  });

  // The worker threads run the compiled package (dist/, which `npm test` builds first).
  const compiled = join(import.meta.dirname, '..', '..', 'dist', 'echo', 'index.js');
  it.skipIf(!existsSync(compiled))(
    'gives the same echoes with worker threads (needs dist/: npm run build)',
    async () => {
      const dist = (await import(compiled)) as typeof import('../../src/echo/index.js');
      const threaded = await dist.traceEchoes(store, { sets: planted, threads: 2 });
      const strip = (r: EchoResult) => ({ ...r, stats: { ...r.stats, seconds: {} } });
      expect(strip(threaded)).toEqual(strip(result));
    },
  );

  it('traces seed texts, and refuses what it cannot do in one line', async () => {
    const message = [...truth.values()].find((t) => t.kind === 'verbatim')!.message!;
    const seeded = await traceEchoes(store, { from: 'all', seeds: [message] });
    const seed = seeded.talkingPoints.find((t) => t.id === 'seed:1')!;
    expect(seed.kind).toBe('seed');
    expect(seed.posts).toBeGreaterThan(0);
    expect(seeded.echoes.filter((e) => e.talkingPoint === 'seed:1').length).toBeGreaterThan(0);
    await expect(traceEchoes(store, { from: 'clusters', run: 99 })).rejects.toThrow(UsageError);
    await expect(traceEchoes(store, { minScore: 2 })).rejects.toThrow(UsageError);
  });
});

describe('lockstep echo', () => {
  it('prints the most echoed talking points and writes JSON and CSV', async () => {
    store.close();
    const run = await lockstep(
      tmp.dir,
      'echo',
      '--db',
      db,
      '--out',
      'echoes.json',
      '--csv',
      'echo-csv',
      '--top',
      '3',
      '-q',
    );
    store = await Store.open(db, { memoryLimit: '1GB', threads: 2 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/talking points \(posted by flagged clusters of detection run 1\)/);
    expect(run.stdout).toMatch(/reuse \d\.\d\d/);
    expect(run.stdout).toMatch(/PRECEDES the posts/);
    const json = JSON.parse(readFileSync(join(tmp.dir, 'echoes.json'), 'utf8')) as EchoResult;
    expect(json.data.detectionRun).toBe(1);
    expect(run.stdout).toContain(`${json.echoes.length} echoes in`);
    expect(run.stdout).toMatch(/Written: echoes\.json, echo-csv\/echoes\.csv/);
  });

  it('fails in one line without documents or with a bad option', async () => {
    const empty = await lockstep(tmp.dir, 'echo', '--db', 'none.duckdb');
    expect(empty.code).toBe(5);
    expect(oneLine(empty.stderr)).toMatch(/no store/);
    const from = await lockstep(tmp.dir, 'echo', '--db', db, '--from', 'everything');
    expect(from.code).toBe(2);
    expect(oneLine(from.stderr)).toMatch(/--from/);
    const score = await lockstep(tmp.dir, 'echo', '--db', db, '--min-score', '3');
    expect(score.code).toBe(2);
    oneLine(score.stderr);
  });
});
