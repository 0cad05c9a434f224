/**
 * Documents (statements, articles) for echo tracing: records files and folders, the same
 * provenance, reject and reconciliation rules as posts, dates kept as intervals, HTML reduced to its
 * main text.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.js';
import { parseDocumentTime } from '../../src/ingest/documents/dates.js';
import { htmlToText, markdownToText } from '../../src/ingest/documents/html.js';
import { ingestDocuments, loadDocumentMapping } from '../../src/ingest/documents/index.js';
import { zoneResolver } from '../../src/ingest/normalize/time.js';
import { storeStatus } from '../../src/store/status.js';
import { Store } from '../../src/store/store.js';
import { lockstep, oneLine } from '../helpers/cli.js';
import { scratch } from '../helpers/store.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());
let stores = 0;
const open = () => Store.open(join(tmp.dir, `docs-${++stores}.duckdb`), { memoryLimit: '1GB', threads: 2 });

interface DocRow {
  doc_id: string;
  title: string | null;
  text: string;
  author: string | null;
  outlet: string | null;
  url: string | null;
  lang: string | null;
  kind: string | null;
  published: string | null;
  earliest: string | null;
  latest: string | null;
  published_precision: string | null;
  collected: string | null;
  extra: string | null;
  source_file: string;
  source_line: number;
}

const rows = (store: Store) =>
  store.all<DocRow>(
    `SELECT doc_id, title, text, author, outlet, url, lang, kind,
            strftime(published_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS published,
            strftime(published_earliest, '%Y-%m-%dT%H:%M:%S.%gZ') AS earliest,
            strftime(published_latest, '%Y-%m-%dT%H:%M:%S.%gZ') AS latest, published_precision,
            strftime(collected_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS collected, CAST(extra AS VARCHAR) AS extra,
            source_file, source_line
     FROM documents ORDER BY source_file, source_line`,
  );

describe('document dates', () => {
  const utc = zoneResolver(undefined);
  it('keeps the interval a date allows', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const exact = parseDocumentTime('2024-06-12T10:00:00+02:00', utc, false)!;
    expect([iso(exact.at), iso(exact.earliest), exact.precision, exact.zoneless]).toEqual([
      '2024-06-12T08:00:00.000Z',
      '2024-06-12T08:00:00.000Z',
      'second',
      false,
    ]);
    // A date without a zone: the whole day, in any zone from UTC-12 to UTC+14.
    const day = parseDocumentTime('2024-06-12', utc, false)!;
    expect([iso(day.earliest), iso(day.latest), day.precision, day.zoneless]).toEqual([
      '2024-06-11T10:00:00.000Z',
      '2024-06-13T11:59:59.999Z',
      'day',
      true,
    ]);
    // The same date with the zone named: exactly that day there.
    const paris = parseDocumentTime('2024-06-12', zoneResolver('+02:00'), true)!;
    expect([iso(paris.earliest), iso(paris.latest)]).toEqual([
      '2024-06-11T22:00:00.000Z',
      '2024-06-12T21:59:59.999Z',
    ]);
    const minute = parseDocumentTime('2024-06-12 10:30', utc, true)!;
    expect([minute.precision, minute.latest - minute.earliest]).toEqual(['minute', 59_999]);
    const month = parseDocumentTime('2024-06', utc, true)!;
    expect([month.precision, iso(month.earliest), iso(month.latest)]).toEqual([
      'month',
      '2024-06-01T00:00:00.000Z',
      '2024-06-30T23:59:59.999Z',
    ]);
    expect(parseDocumentTime('yesterday', utc, false)).toBeNull();
    expect(parseDocumentTime('2024-13', utc, false)).toBeNull();
  });
});

describe('HTML and Markdown to text', () => {
  it('keeps the main text of a page and its metadata, and drops scripts, menus and link lists', () => {
    const page = htmlToText(`<!doctype html><html lang="fa-IR"><head>
      <title>Statement | Ministry</title>
      <meta property="og:site_name" content="Ministry of Example">
      <meta name="author" content="A. Speaker">
      <meta property="article:published_time" content="2024-06-14T10:00:00+03:30">
      <link rel="canonical" href="https://ministry.example/statement-1">
      <script>document.write("never run, never kept")</script><style>p{color:red}</style></head>
      <body><header><a href="/">Home</a> <a href="/news">News</a></header>
      <nav><ul><li><a href="/a">A</a></li></ul></nav>
      <div class="cookie" hidden>We use cookies</div>
      <article><h1>On the &quot;truth&quot;</h1>
        <p>The people deserve to know the truth &amp; nothing less.<p>Second paragraph,<br>with a line break.
        <ul class="related"><li><a href="/r1">Related story one</a></li><li><a href="/r2">Related story two</a></li></ul>
        <pre>  kept   as   is  </pre>
      </article>
      <aside>Most read: something else</aside><footer>© Ministry</footer>
      <img src="https://tracker.example/pixel.gif"></body></html>`);
    expect(page.text).toBe(
      'On the "truth"\n\nThe people deserve to know the truth & nothing less.\n\nSecond paragraph,\nwith a line break.\n\nkept   as   is',
    );
    expect(page).toMatchObject({
      title: 'Statement | Ministry',
      author: 'A. Speaker',
      outlet: 'Ministry of Example',
      published: '2024-06-14T10:00:00+03:30',
      lang: 'fa-IR',
      url: 'https://ministry.example/statement-1',
    });
    expect(page.text).not.toMatch(/never run|cookies|Home|Related|Most read|©/);
  });

  it('uses the body when there is no article, and survives broken markup', () => {
    const page = htmlToText('<p>One <b>bold</b> claim<div>Unclosed <i>tags & stray < signs</div><p>Last');
    expect(page.text).toBe('One bold claim\n\nUnclosed tags & stray < signs\n\nLast');
    expect(htmlToText('&#x41;&#66;&unknown; &lt;x&gt;').text).toBe('AB&unknown; <x>');
  });

  it('reduces Markdown to its words', () => {
    expect(
      markdownToText(
        '# Title\n\nSome **bold** and _soft_ text, a [link](https://x.example) and `code`.\n\n- item one\n- item two',
      ),
    ).toBe('Title\n\nSome bold and soft text, a link and code.\n\nitem one\nitem two');
  });
});

describe('ingest of document records', () => {
  it('stores records with their fields, keeps what has no column, and rejects bad rows with file, line and reason', async () => {
    const file = tmp.file(
      'statements.jsonl',
      [
        JSON.stringify({
          id: 's1',
          text: 'We will defend the truth.',
          date: '2024-06-12',
          speaker: 'Minister A',
          outlet: 'Ministry',
          url: 'https://Ministry.example/s1?utm_source=tw',
          language: 'English',
          venue: 'press room',
        }),
        JSON.stringify({ id: 's2', text: '   ', date: '2024-06-12' }),
        JSON.stringify({ id: 's3', text: 'A statement', date: 'last Tuesday' }),
        'not json',
        JSON.stringify({ id: 's1', text: 'repeated id later in the file' }),
        JSON.stringify({ text: 'Only collected', collected_at: '2024-06-20T08:00:00Z', speaker: 'B' }),
        '',
      ].join('\n'),
    );
    const store = await open();
    const report = await ingestDocuments(store, file);
    expect(report).toMatchObject({
      format: 'documents-jsonl',
      rowsRead: 6,
      rowsStored: 2,
      rowsDuplicate: 1,
      rowsRejected: 3,
    });
    expect(report.rowsRead).toBe(report.rowsStored + report.rowsDuplicate + report.rowsRejected);
    const docs = await rows(store);
    expect(docs[0]).toMatchObject({
      doc_id: 's1',
      author: 'Minister A',
      outlet: 'Ministry',
      url: 'https://ministry.example/s1',
      lang: 'en',
      published: '2024-06-12T00:00:00.000Z',
      earliest: '2024-06-11T10:00:00.000Z',
      published_precision: 'day',
      source_file: 'statements.jsonl',
      source_line: 1,
    });
    expect(JSON.parse(docs[0]!.extra!)).toEqual({ venue: 'press room' });
    expect(docs[1]).toMatchObject({
      published: null,
      collected: '2024-06-20T08:00:00.000Z',
      author: 'B',
      source_line: 6,
    });
    expect(docs[1]!.doc_id).toMatch(/^c:/);
    const rejects = await store.all<{ line: number; reason: string; file_name: string }>(
      'SELECT line, reason, file_name FROM rejects ORDER BY line',
    );
    expect(rejects.map((r) => [r.file_name, r.line, r.reason.split(':')[0]])).toEqual([
      ['statements.jsonl', 2, 'empty text'],
      ['statements.jsonl', 3, 'unreadable published_at "last Tuesday"'],
      ['statements.jsonl', 4, 'invalid JSON'],
    ]);
    expect(report.warnings.map((w) => w.code).sort()).toEqual(['no-date', 'zoneless-date']);
    // Provenance: one ingest row, done, with the file's sha256 and the counts.
    const ingest = (await store.all<Record<string, unknown>>('SELECT * FROM ingests'))[0]!;
    expect(ingest).toMatchObject({
      status: 'done',
      format: 'documents-jsonl',
      rows_read: 6,
      rows_stored: 2,
      sha256: report.sha256,
    });
    // Idempotent: the same file again stores nothing new.
    const again = await ingestDocuments(store, file);
    expect(again).toMatchObject({
      rowsRead: 6,
      rowsStored: 0,
      rowsDuplicate: 3,
      rowsRejected: 3,
      sameFileBefore: [1],
    });
    expect((await storeStatus(store)).documents).toBe(2);
    store.close();
  });

  it('reads CSV through a column mapping, with the zone of zone-less dates given', async () => {
    const file = tmp.file(
      'speeches.csv',
      'speech_no;delivered;who;transcript;where\n1;2024-06-12 18:30;Senator C;"The numbers do not lie; we saw it.";Senate\n2;2024-06-13 09:00;Senator D;;Senate\n',
    );
    const mapping = loadDocumentMapping(undefined, [
      'doc_id=speech_no',
      'published_at=delivered',
      'author=who',
      'text=transcript',
    ]);
    const store = await open();
    const report = await ingestDocuments(store, file, {
      mapping,
      timezone: 'America/New_York',
      defaults: { kind: 'speech', lang: 'en' },
    });
    expect(report).toMatchObject({ format: 'documents-csv', rowsRead: 2, rowsStored: 1, rowsRejected: 1 });
    expect((await rows(store))[0]).toMatchObject({
      doc_id: '1',
      text: 'The numbers do not lie; we saw it.',
      published: '2024-06-12T22:30:00.000Z',
      earliest: '2024-06-12T22:30:00.000Z',
      published_precision: 'minute',
      kind: 'speech',
      lang: 'en',
    });
    expect(() => loadDocumentMapping(undefined, ['speaker=who'])).toThrow(UsageError);
    store.close();
  });

  it('refuses what is not a document file in one line', async () => {
    const store = await open();
    await expect(ingestDocuments(store, join(tmp.dir, 'missing.jsonl'))).rejects.toThrow(InputError);
    await expect(
      ingestDocuments(store, tmp.file('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))),
    ).rejects.toThrow(InputError);
    store.close();
  });
});

describe('ingest of a folder of document files', () => {
  it('reads .txt, .md and .html files with their sidecar metadata; rejects unreadable files', async () => {
    const dir = join(tmp.dir, 'press');
    mkdirSync(join(dir, 'june'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'Plain statement.\r\nSecond line.\n');
    writeFileSync(join(dir, 'june', 'b.md'), '# Speech\n\nThe **people** deserve to know.\n');
    writeFileSync(
      join(dir, 'june', 'c.html'),
      '<html lang="ar"><head><title>Page</title><meta property="article:published_time" content="2024-06-14T10:00:00Z"></head><body><nav>Menu</nav><main><p>Main text here.</p></main></body></html>',
    );
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    writeFileSync(join(dir, 'photo.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
    writeFileSync(
      join(dir, 'metadata.csv'),
      'file,published_at,author,outlet\na.txt,2024-06-10T09:00:00Z,Speaker A,Ministry\njune/b.md,2024-06-11,Speaker B,Parliament\nnot-there.txt,2024-01-01,X,Y\n',
    );
    const store = await open();
    const report = await ingestDocuments(store, dir);
    expect(report).toMatchObject({ format: 'documents-folder', rowsRead: 4, rowsStored: 3, rowsRejected: 1 });
    const docs = await rows(store);
    expect(docs.map((d) => [d.doc_id, d.text, d.author, d.outlet, d.lang, d.published])).toEqual([
      ['a.txt', 'Plain statement.\nSecond line.', 'Speaker A', 'Ministry', null, '2024-06-10T09:00:00.000Z'],
      [
        'june/b.md',
        'Speech\n\nThe people deserve to know.',
        'Speaker B',
        'Parliament',
        null,
        '2024-06-11T00:00:00.000Z',
      ],
      ['june/c.html', 'Main text here.', null, null, 'ar', '2024-06-14T10:00:00.000Z'],
    ]);
    expect(docs[2]!.title).toBe('Page');
    const reject = (
      await store.all<{ file_name: string; reason: string }>('SELECT file_name, reason FROM rejects')
    )[0]!;
    expect(reject.file_name).toBe('latin1.txt');
    expect(reject.reason).toMatch(/UTF-8.*--encoding/);
    expect(report.warnings.map((w) => w.code).sort()).toEqual([
      'metadata-without-document',
      'skipped-files',
      'zoneless-date',
    ]);
    // The same folder again: nothing new; with the right encoding the Latin-1 file is read.
    expect(await ingestDocuments(store, dir)).toMatchObject({
      rowsStored: 0,
      rowsDuplicate: 3,
      rowsRejected: 1,
    });
    store.close();
  });
});

describe('lockstep ingest-docs', () => {
  it('prints the reconciliation, and one line for a missing input', async () => {
    const file = tmp.file(
      'cli.jsonl',
      `${JSON.stringify({ id: 'x', text: 'A statement.', date: '2024-06-12T10:00:00Z' })}\n`,
    );
    const ok = await lockstep(tmp.dir, 'ingest-docs', file, '--db', 'cli.duckdb');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /cli\.jsonl: documents-jsonl, read 1 = stored 1 \+ duplicate 0 \+ rejected 0 documents/,
    );
    const status = await lockstep(tmp.dir, 'status', '--db', 'cli.duckdb');
    expect(status.stdout).toMatch(/Documents: 1 /);
    const missing = await lockstep(tmp.dir, 'ingest-docs', 'nope.jsonl', '--db', 'cli.duckdb');
    expect(missing.code).toBe(3);
    expect(oneLine(missing.stderr)).toMatch(/no such file/);
    const badCol = await lockstep(tmp.dir, 'ingest-docs', file, '--col', 'speaker=who', '--db', 'cli.duckdb');
    expect(badCol.code).toBe(2);
    expect(oneLine(badCol.stderr)).toMatch(/unknown document field "speaker"/);
  });
});
