/**
 * Robustness of ingest against bad input, through the library (`ingestFile`). Every case checks
 * the promise of the product requirements: a file that cannot be read at all fails with one line
 * that names the file and says what to do (an InputError or FormatError); a row that cannot be read
 * is kept aside with its file, physical line, reason and raw text; and counts always reconcile
 * (read = stored + duplicate + rejected). Fixtures are generated here, small, in a scratch folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, InputError, InterruptedError, UsageError } from '../../src/core/errors.js';
import { IO_ARCHIVE_COLUMNS } from '../../src/ingest/formats/io-archive.js';
import { type IngestOptions, type IngestReport, ingestFile } from '../../src/ingest/pipeline.js';
import { simulate } from '../../src/simulate/index.js';
import { Store } from '../../src/store/store.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

type Column = (typeof IO_ARCHIVE_COLUMNS)[number];
interface Reject {
  file_name: string;
  line: number;
  reason: string;
  raw: string;
  raw_truncated: boolean;
}

const HEADER = IO_ARCHIVE_COLUMNS.join(',');
const MiB = 1024 * 1024;
const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const idOf = (i: number) => String(1_300_000_000_000_000_000n + BigInt(i));
const two = (n: number) => String(n).padStart(2, '0');

/**
 * One X-archive row (all 31 columns), quoted like the real releases: the location, the text and the
 * lists are quoted fields, so a stray quote elsewhere has real quotes to collide with.
 */
function tweet(i: number, values: Partial<Record<Column, string>> = {}): string {
  const user = i % 5;
  const row: Partial<Record<Column, string>> = {
    tweetid: idOf(i),
    userid: String(900_000 + user),
    user_display_name: `Test User ${user}`,
    user_screen_name: `test_user_${user}`,
    user_reported_location: 'Springfield, USA',
    user_profile_description: 'Writes "tests", daily',
    follower_count: '10',
    following_count: '20',
    account_creation_date: '2015-05-05',
    account_language: 'en',
    tweet_language: 'en',
    tweet_text: `Post number ${i}, with a comma`,
    tweet_time: `2020-03-01 ${two(10 + (i % 12))}:${two(i % 60)}`,
    tweet_client_name: 'Twitter Web App',
    is_retweet: 'False',
    latitude: 'absent',
    longitude: 'absent',
    quote_count: '0',
    reply_count: '0',
    like_count: '1',
    retweet_count: '0',
    hashtags: "['news', 'test']",
    urls: '[]',
    user_mentions: '[]',
    ...values,
  };
  return IO_ARCHIVE_COLUMNS.map((c) => csvField(row[c] ?? '')).join(',');
}

const archive = (rows: string[]) => `${HEADER}\n${rows.join('\n')}\n`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the ingest to fail');
}

/** A one-line message naming the file, with no stack trace or DuckDB text in it. */
function expectOneLine(err: Error, file: string): void {
  expect(err.message).not.toMatch(/\n/);
  expect(err.message).toContain(file);
  expect(err.message).not.toMatch(/\bat .*:\d+:\d+|Error:/);
}

describe('ingest robustness', () => {
  const tmp = scratch();
  let stores = 0;
  const openStore = () =>
    Store.open(join(tmp.dir, `s${++stores}.duckdb`), { memoryLimit: '1GB', threads: 2 });
  const ingest = (file: string, options: IngestOptions = {}) =>
    ingestInto(tmp.dir, file, options, `s${++stores}.duckdb`);
  /** The error an ingest into a fresh store fails with; the store is closed either way. */
  const refused = async (file: string, options: IngestOptions = {}) => {
    const store = await openStore();
    try {
      return await failure(ingestFile(store, file, options));
    } finally {
      store.close();
    }
  };
  const rejects = (store: Store) => store.all<Reject>(`SELECT * FROM rejects ORDER BY line`);
  const postIds = async (store: Store) =>
    (await store.all<{ post_id: string }>(`SELECT post_id FROM posts ORDER BY post_id`)).map(
      (r) => r.post_id,
    );
  const expectCounts = (report: IngestReport, counts: Partial<IngestReport>) => {
    expect(report).toMatchObject(counts);
    expect(reconciles(report)).toBe(true);
  };

  afterAll(() => tmp.cleanup());

  describe('malformed quotes', () => {
    it('rejects a row with text after a closing quote and stores the rows around it', async () => {
      const stray = tweet(3).replace('"Post number 3, with a comma"', '"Post number 3" and more');
      const file = tmp.file('stray-quote.csv', archive([tweet(1), tweet(2), stray, tweet(4), tweet(5)]));
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, { rowsRead: 5, rowsStored: 4, rowsDuplicate: 0, rowsRejected: 1, bulk: false });
        const [reject, ...more] = await rejects(store);
        expect(more).toEqual([]);
        expect(reject).toMatchObject({
          file_name: 'stray-quote.csv',
          line: 4,
          raw: stray,
          raw_truncated: false,
        });
        expect(reject!.reason).toMatch(/malformed quoting in field 13: text after the closing quote/);
        expect(await postIds(store)).toEqual([1, 2, 4, 5].map(idOf));
      } finally {
        store.close();
      }
    });

    it('rejects only the line of an unterminated quote; the good rows after it are stored', async () => {
      // Row 2 spans two physical lines (a quoted newline), so row k sits on line k + 2 from row 3 on.
      // Row 4's hashtags open a quote that is never closed: the next quote in the file is on row 5.
      const multiLine = tweet(2, { tweet_text: 'first line\nsecond line, quoted' });
      const open = tweet(4).replace(`"['news', 'test']"`, `"['news', 'test']`);
      const rows = [tweet(1), multiLine, tweet(3), open, ...range(5, 12).map((i) => tweet(i))];
      const file = tmp.file('unterminated.csv', archive(rows));
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, {
          rowsRead: 12,
          rowsStored: 11,
          rowsDuplicate: 0,
          rowsRejected: 1,
          bulk: false,
        });
        const rows = await rejects(store);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ file_name: 'unterminated.csv', line: 6, raw: open });
        expect(rows[0]!.reason).toMatch(/unterminated quote/);
        expect(await postIds(store)).toEqual([1, 2, 3, ...range(5, 12)].map(idOf));
        const lines = await store.all<{ post_id: string; source_line: number; text: string }>(
          `SELECT post_id, source_line, text FROM posts ORDER BY source_line`,
        );
        expect(lines.map((l) => l.source_line)).toEqual([2, 3, 5, ...range(7, 14)]);
        expect(lines[1]!.text).toBe('first line\nsecond line, quoted');
        expect(lines[3]!.text).toBe('Post number 5, with a comma');
        // The bulk path cannot read the file exactly, so it went row by row.
        expect(await store.value(`SELECT message FROM ingests`)).toMatch(/^read row by row: /);
      } finally {
        store.close();
      }
    });

    it('rejects an unterminated quote that runs to the end of the file, keeping what came after', async () => {
      const header = 'tweetid,userid,tweet_text,tweet_time';
      const text = [header, '1,u1,one,2020-01-01 10:00', '2,u2,"never closed,2020-01-01 10:01']
        .concat(['3,u3,three,2020-01-01 10:02', '4,u1,four,2020-01-01 10:03'])
        .join('\r\n');
      const file = tmp.file('open-at-end.csv', text);
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, { rowsRead: 4, rowsStored: 3, rowsRejected: 1 });
        const [reject] = await rejects(store);
        expect(reject).toMatchObject({ line: 3, raw: '2,u2,"never closed,2020-01-01 10:01' });
        expect(reject!.reason).toMatch(/unterminated quoted field/);
        expect(await postIds(store)).toEqual(['1', '3', '4']);
      } finally {
        store.close();
      }
    });
  });

  describe('truncated gzip', () => {
    let gz: Buffer;
    beforeAll(() => {
      const sim = simulate({
        out: join(tmp.dir, 'sim-gz'),
        format: 'io-archive',
        posts: 3000,
        seed: 7,
        scenario: 'organic',
        gzip: true,
      });
      gz = readFileSync(sim.files[0]!);
    });

    for (const bulk of [true, false]) {
      it(`fails with one line, stores nothing and records the ingest as failed (bulk ${bulk})`, async () => {
        const file = tmp.file(`half-${bulk}.csv.gz`, gz.subarray(0, gz.length >> 1));
        const store = await openStore();
        try {
          const err = await failure(ingestFile(store, file, { bulk }));
          expect(err).toBeInstanceOf(InputError);
          expectOneLine(err, file);
          expect(err.message).toMatch(
            /gzip data is truncated or corrupt.*nothing from this file was stored.*re-download or re-compress/i,
          );
          expect(await store.value(`SELECT count(*) FROM posts`)).toBe(0);
          expect(await store.value(`SELECT count(*) FROM rejects`)).toBe(0);
          expect(await store.value(`SELECT count(*) FROM accounts`)).toBe(0);
          const [ingest] = await store.all<{ status: string; message: string }>(`SELECT * FROM ingests`);
          expect(ingest).toMatchObject({ status: 'failed', message: err.message });
        } finally {
          store.close();
        }
      });
    }

    it('calls a gzip file cut before its first block truncated, not blank', async () => {
      const small = gzipSync(archive(range(1, 40).map((i) => tweet(i))));
      const file = tmp.file('tiny-cut.csv.gz', small.subarray(0, 30));
      const store = await openStore();
      try {
        const err = await failure(ingestFile(store, file));
        expect(err).toBeInstanceOf(InputError);
        expectOneLine(err, file);
        expect(err.message).toMatch(/truncated or corrupt.*re-download/i);
      } finally {
        store.close();
      }
    });
  });

  describe('text encodings', () => {
    const CP1252: Record<string, number> = { '€': 0x80, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96 };
    const windows1252 = (s: string) =>
      Buffer.from(
        [...s].map((ch) => {
          const code = CP1252[ch] ?? ch.charCodeAt(0);
          if (code > 0xff) throw new Error(`not in windows-1252: ${ch}`);
          return code;
        }),
      );
    const accented = 'Café crème – naïve “quotes”, l’été: €5';
    const cp1252 = () =>
      windows1252(
        archive([tweet(1), tweet(2, { tweet_text: accented, user_display_name: 'Zoë' }), tweet(3)]),
      );

    it('refuses a Windows-1252 file with one line that suggests --encoding windows-1252', async () => {
      const bytes = cp1252();
      const file = tmp.file('latin.csv', bytes);
      const store = await openStore();
      try {
        const err = await failure(ingestFile(store, file));
        expect(err).toBeInstanceOf(InputError);
        expectOneLine(err, file);
        expect(err.message).toContain('--encoding windows-1252');
        // The message points at the first offending byte: the ë of "Zoë".
        const offset = bytes.indexOf(0xeb);
        expect(err.message).toContain(`byte 0xEB at offset ${offset}`);
        expect(await store.value(`SELECT count(*) FROM posts`)).toBe(0);
      } finally {
        store.close();
      }
    });

    it('reads the same file with encoding windows-1252, text intact', async () => {
      const file = tmp.file('latin-ok.csv', cp1252());
      const { store, report } = await ingest(file, { encoding: 'windows-1252' });
      try {
        expectCounts(report, { rowsRead: 3, rowsStored: 3, rowsRejected: 0 });
        expect(report.warnings).toEqual([]);
        expect(await store.value(`SELECT text FROM posts WHERE post_id = ?`, [idOf(2)])).toBe(accented);
        expect(await store.value(`SELECT display_name FROM accounts WHERE account_id = '900002'`)).toBe(
          'Zoë',
        );
      } finally {
        store.close();
      }
    });

    it('reads a UTF-16LE file with a byte-order mark', async () => {
      const text = 'Grüße aus Köln 日本語 🙂, "quoted"';
      const body = archive([tweet(1, { tweet_text: text }), tweet(2)]).replaceAll('\n', '\r\n');
      const file = tmp.file(
        'utf16.csv',
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]),
      );
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, { format: 'io-archive', rowsRead: 2, rowsStored: 2, rowsRejected: 0 });
        expect(await store.value(`SELECT text FROM posts WHERE post_id = ?`, [idOf(1)])).toBe(text);
        expect(await store.value(`SELECT hashtags FROM posts WHERE post_id = ?`, [idOf(2)])).toEqual([
          'news',
          'test',
        ]);
      } finally {
        store.close();
      }
    });

    it('stores a UTF-8 file with invalid bytes past the first 256 KB, with U+FFFD and a warning', async () => {
      const rows: string[] = [];
      let i = 0;
      while (rows.join('\n').length < 300 * 1024) rows.push(tweet(++i));
      const good = Buffer.from(archive(rows));
      const bad = Buffer.from(`${tweet(++i, { tweet_text: 'broken X byte' })}\n`);
      bad[bad.indexOf('X')] = 0xff;
      const after = Buffer.from(`${tweet(++i)}\n`);
      const file = tmp.file('bad-bytes.csv', Buffer.concat([good, bad, after]));
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, { rowsRead: i, rowsStored: i, rowsRejected: 0 });
        const [warning, ...others] = report.warnings;
        expect(others).toEqual([]);
        expect(warning).toMatchObject({ code: 'invalid-utf8', count: 1 });
        // The warning points at the bad byte itself.
        expect(warning!.message).toContain(`byte ${good.length + bad.indexOf(0xff)}`);
        expect(warning!.message).toContain('--encoding');
        expect(await store.value(`SELECT text FROM posts WHERE post_id = ?`, [idOf(i - 1)])).toBe(
          'broken \uFFFD byte',
        );
        const [ingest] = await store.all<{ warnings: string }>(`SELECT warnings FROM ingests`);
        expect(JSON.parse(ingest!.warnings)[0].code).toBe('invalid-utf8');
      } finally {
        store.close();
      }
    });

    it('refuses an unknown encoding label as one line', async () => {
      const file = tmp.file('plain.csv', archive([tweet(1)]));
      const err = await refused(file, { encoding: 'klingon-8' });
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/unknown encoding "klingon-8"; use a label such as .*windows-1252/);
    });
  });

  describe('missing required column', () => {
    /** An X-archive export without its tweet_time column. */
    const withoutTime = (rows: number[]) =>
      archive(rows.map((i) => tweet(i).replace(/,2020-03-01 \d\d:\d\d,/, ','))).replace(',tweet_time,', ',');

    it('names the missing column when the format is forced', async () => {
      const file = tmp.file('no-time.csv', withoutTime([1, 2]));
      const store = await openStore();
      try {
        const err = await failure(ingestFile(store, file, { format: 'io-archive' }));
        expect(err).toBeInstanceOf(FormatError);
        expect(err.message).not.toMatch(/\n/);
        expect(err.message).toMatch(/missing required column tweet_time for format io-archive/);
        expect(await store.value(`SELECT count(*) FROM posts`)).toBe(0);
        expect(await store.value(`SELECT status FROM ingests`)).toBe('failed');
      } finally {
        store.close();
      }
    });

    it('asks for --format when detection cannot place the file', async () => {
      const file = tmp.file('no-time-detect.csv', withoutTime([1]));
      const err = await refused(file);
      expect(err).toBeInstanceOf(FormatError);
      expectOneLine(err, 'no-time-detect.csv');
      expect(err.message).toMatch(/cannot tell the format .* pass --format \(io-archive, /);
    });

    it('names every missing column when --format io-archive is forced on another CSV', async () => {
      const file = tmp.file('other.csv', 'message_id,user_id,timestamp\n1,2,2020-01-01T00:00:00Z\n');
      const err = await refused(file, { format: 'io-archive' });
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).not.toMatch(/\n/);
      expect(err.message).toMatch(
        /missing required columns tweetid, userid, tweet_time for format io-archive/,
      );
      expect(err.message).toContain('message_id, user_id, timestamp');
    });
  });

  describe('unparseable dates', () => {
    it('rejects CSV rows with unreadable times, with the reason, and stores the others', async () => {
      const bad = {
        3: 'yesterday',
        5: '2020-13-45 99:99',
        6: '2020-02-31 10:00',
        8: '',
      } as Record<number, string>;
      const rows = range(1, 9).map((i) => (i in bad ? tweet(i, { tweet_time: bad[i]! }) : tweet(i)));
      const file = tmp.file('dates.csv', archive(rows));
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, { rowsRead: 9, rowsStored: 5, rowsRejected: 4, bulk: false });
        const found = await rejects(store);
        expect(found.map((r) => [r.line, r.reason])).toEqual([
          [4, 'unreadable tweet_time "yesterday"'],
          [6, 'unreadable tweet_time "2020-13-45 99:99"'],
          [7, 'unreadable tweet_time "2020-02-31 10:00"'],
          [9, 'unreadable tweet_time ""'],
        ]);
        expect(found.map((r) => r.raw)).toEqual([rows[2], rows[4], rows[5], rows[7]]);
        expect(await postIds(store)).toEqual([1, 2, 4, 7, 9].map(idOf));
      } finally {
        store.close();
      }
    });

    it('rejects JSON Lines records with unreadable times', async () => {
      const line = (id: number, created: string) =>
        JSON.stringify({ id: String(id), text: `tweet ${id}`, author_id: '42', created_at: created });
      const file = tmp.file(
        'dates.jsonl',
        [line(1, '2023-10-01T12:00:00.000Z'), line(2, 'not a date'), line(3, '2023-10-01T12:05:00Z')].join(
          '\n',
        ),
      );
      const { store, report } = await ingest(file, { format: 'xapi' });
      try {
        expectCounts(report, { rowsRead: 3, rowsStored: 2, rowsRejected: 1 });
        const [reject] = await rejects(store);
        expect(reject).toMatchObject({ line: 2, raw: line(2, 'not a date') });
        expect(reject!.reason).toMatch(/not a date/);
      } finally {
        store.close();
      }
    });
  });

  describe('a 10 MB field', () => {
    const big = 'x'.repeat(10 * MiB);

    it('rejects the row with a reason naming the limit, keeps 1 MiB of it and stores the rows around it', async () => {
      const file = tmp.file('big-field.csv', archive([tweet(1), tweet(2, { tweet_text: big }), tweet(3)]));
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, { rowsRead: 3, rowsStored: 2, rowsRejected: 1, bulk: false });
        const [reject] = await rejects(store);
        expect(reject).toMatchObject({ file_name: 'big-field.csv', line: 3, raw_truncated: true });
        expect(reject!.reason).toBe(
          'field 13 is 10.0 MB long, over the 1.0 MB limit (raise it with --max-field-mb)',
        );
        expect(reject!.raw).toHaveLength(MiB);
        expect(reject!.raw.startsWith(`${idOf(2)},900002,`)).toBe(true);
        expect(await postIds(store)).toEqual([idOf(1), idOf(3)]);
      } finally {
        store.close();
      }
    });

    it('stores the row with maxFieldMb 20', async () => {
      const file = tmp.file('big-field-ok.csv', archive([tweet(1), tweet(2, { tweet_text: big }), tweet(3)]));
      const { store, report } = await ingest(file, { maxFieldMb: 20 });
      try {
        expectCounts(report, { rowsRead: 3, rowsStored: 3, rowsRejected: 0 });
        expect(await store.value(`SELECT length(text) FROM posts WHERE post_id = ?`, [idOf(2)])).toBe(
          10 * MiB,
        );
      } finally {
        store.close();
      }
    });

    it('rejects a JSON record with a 10 MB string the same way (not a failed ingest)', async () => {
      // Non-ASCII text: staged with its normalised form, 40 MB on one line without the limit.
      const line = (id: number, text: string) =>
        JSON.stringify({ id: String(id), text, author_id: '42', created_at: '2023-10-01T12:00:00Z' });
      const huge = 'é'.repeat(10 * MiB);
      const content = [line(1, 'small'), line(2, huge), line(3, 'small too')].join('\n');
      const file = tmp.file('big-field.jsonl', content);
      const { store, report } = await ingest(file, { format: 'xapi' });
      try {
        expectCounts(report, { rowsRead: 3, rowsStored: 2, rowsRejected: 1 });
        const [reject] = await rejects(store);
        expect(reject).toMatchObject({ line: 2, raw_truncated: true });
        expect(reject!.reason).toBe(
          'field text is 10.0 MB long, over the 1.0 MB limit (raise it with --max-field-mb)',
        );
        expect(await postIds(store)).toEqual(['1', '3']);
      } finally {
        store.close();
      }
      const again = await ingest(file, { format: 'xapi', maxFieldMb: 20 });
      try {
        expectCounts(again.report, { rowsRead: 3, rowsStored: 3, rowsRejected: 0 });
        expect(await again.store.value(`SELECT length(text) FROM posts WHERE post_id = '2'`)).toBe(10 * MiB);
      } finally {
        again.store.close();
      }
    });

    it('refuses a field limit that is not a positive number', async () => {
      const file = tmp.file('limit.csv', archive([tweet(1)]));
      for (const maxFieldMb of [0, -1, Number.NaN]) {
        const err = await refused(file, { maxFieldMb });
        expect(err).toBeInstanceOf(UsageError);
        expect(err.message).toMatch(/--max-field-mb .*positive number/);
      }
    });
  });

  describe('files that are not post exports', () => {
    const cases: [string, () => string, RegExp][] = [
      ['an empty file', () => tmp.file('empty.csv', ''), /is empty \(0 bytes\); nothing to ingest/],
      [
        'only whitespace',
        () => tmp.file('blank.csv', ' \n\n\t  \r\n'),
        /holds only blank space; nothing to ingest/,
      ],
      [
        'a directory',
        () => {
          mkdirSync(join(tmp.dir, 'exports'), { recursive: true });
          return join(tmp.dir, 'exports');
        },
        /is a directory; pass the files inside it/,
      ],
      [
        'a PNG image',
        () =>
          tmp.file('chart.png', Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)])),
        /is a PNG image, not a post export; pass a CSV, JSON, JSONL or Parquet export/,
      ],
      [
        'a ZIP archive',
        () => tmp.file('dump.zip', Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(64, 1)])),
        /is a ZIP archive, not a post export; unzip it and pass the files inside/,
      ],
      [
        'an Excel workbook',
        () =>
          tmp.file(
            'posts.xlsx',
            Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.from('[Content_Types].xml')]),
          ),
        /is a spreadsheet workbook, not a post export; save the sheet as CSV first/,
      ],
      [
        'a gzipped PNG',
        () =>
          tmp.file(
            'chart.png.gz',
            gzipSync(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64)])),
          ),
        /is a PNG image/,
      ],
      ['an empty gzip file', () => tmp.file('empty.csv.gz', gzipSync('')), /is an empty gzip file/],
      ['a missing file', () => join(tmp.dir, 'no-such-file.csv'), /no such file; check the path/],
      [
        'a binary file',
        () => tmp.file('blob.bin', Buffer.from(Array.from({ length: 600 }, (_, k) => (k * 37) % 256))),
        /looks like a binary file/,
      ],
    ];
    for (const [what, make, message] of cases) {
      it(`refuses ${what} with one line`, async () => {
        const file = make();
        const store = await openStore();
        try {
          const err = await failure(ingestFile(store, file));
          expect(err).toBeInstanceOf(InputError);
          expectOneLine(err, file);
          expect(err.message).toMatch(message);
          expect(await store.value(`SELECT count(*) FROM posts`)).toBe(0);
        } finally {
          store.close();
        }
      });
    }

    it('recognises a Lockstep store passed as input', async () => {
      const { store } = await ingest(tmp.file('one.csv', archive([tweet(1)])));
      const path = store.path;
      store.close();
      const err = await refused(path);
      expect(err).toBeInstanceOf(InputError);
      expectOneLine(err, path);
      expect(err.message).toMatch(/is a DuckDB database, not a post export; to open a store, use --db/);
    });

    it('keeps a header-only file as an ingest of no rows', async () => {
      const file = tmp.file('header-only.csv', `${HEADER}\n`);
      const { store, report } = await ingest(file, { bulk: false });
      try {
        expectCounts(report, { rowsRead: 0, rowsStored: 0, rowsRejected: 0 });
        expect(report.warnings.map((w) => w.code)).toEqual(['no-rows']);
      } finally {
        store.close();
      }
    });
  });

  describe('idempotent re-ingest', () => {
    it('stores nothing the second time a CSV file is ingested, on either path', async () => {
      const file = tmp.file('again.csv', archive(range(1, 30).map((i) => tweet(i))));
      const { store, report } = await ingest(file);
      try {
        expectCounts(report, { rowsRead: 30, rowsStored: 30, rowsDuplicate: 0, bulk: true });
        for (const bulk of [true, false]) {
          const again = await ingestFile(store, file, { bulk });
          expectCounts(again, {
            rowsRead: 30,
            rowsStored: 0,
            rowsDuplicate: 30,
            postsNew: 0,
            accountsNew: 0,
          });
          expect(again.sameFileBefore[0]).toBe(1);
        }
        expect(await store.value(`SELECT count(*) FROM posts`)).toBe(30);
        expect(await store.value(`SELECT count(*) FROM accounts`)).toBe(5);
      } finally {
        store.close();
      }
    });

    it('stores nothing the second time JSON files are ingested (JSON Lines and a JSON document)', async () => {
      for (const format of ['bluesky', 'telegram']) {
        const sim = simulate({
          out: join(tmp.dir, `sim-${format}`),
          format,
          posts: 3000,
          seed: 3,
          scenario: 'organic',
        });
        const { store, report } = await ingest(sim.files[0]!);
        try {
          expect(report.format).toBe(format);
          expect(report.rowsStored).toBeGreaterThan(500);
          expect(reconciles(report)).toBe(true);
          const posts = await store.value<number>(`SELECT count(*) FROM posts`);
          const again = await ingestFile(store, sim.files[0]!);
          expectCounts(again, {
            rowsRead: report.rowsRead,
            rowsStored: 0,
            rowsDuplicate: report.rowsRead - report.rowsRejected,
            postsNew: 0,
          });
          expect(await store.value(`SELECT count(*) FROM posts`)).toBe(posts);
        } finally {
          store.close();
        }
      }
    });

    it('counts a post id repeated within one file as a duplicate; the first one wins', async () => {
      const repeat = tweet(2, { tweet_text: 'the same id again' });
      const csv = tmp.file('repeat.csv', archive([tweet(1), tweet(2), tweet(3), repeat]));
      const line = (id: number, text: string) =>
        JSON.stringify({ id: String(id), text, author_id: '42', created_at: '2023-10-01T12:00:00Z' });
      const jsonl = tmp.file('repeat.jsonl', [line(1, 'a'), line(2, 'b'), line(1, 'a again')].join('\n'));
      const cases = [
        // The bulk path does not record source lines (native.ts stores NULL).
        { path: csv, options: {}, stored: 3, id: idOf(2), text: 'Post number 2, with a comma', line: null },
        {
          path: csv,
          options: { bulk: false },
          stored: 3,
          id: idOf(2),
          text: 'Post number 2, with a comma',
          line: 3,
        },
        { path: jsonl, options: { format: 'xapi' }, stored: 2, id: '1', text: 'a', line: 1 },
      ];
      for (const { path, options, stored, id, text, line } of cases) {
        const { store, report } = await ingest(path, options);
        try {
          expectCounts(report, {
            rowsRead: stored + 1,
            rowsStored: stored,
            rowsDuplicate: 1,
            postsNew: stored,
          });
          expect(await store.all(`SELECT text, source_line FROM posts WHERE post_id = ?`, [id])).toEqual([
            { text, source_line: line },
          ]);
        } finally {
          store.close();
        }
      }
    });
  });

  describe('interruption (library)', () => {
    it('rolls back, marks the ingest interrupted, and a second run completes', async () => {
      const file = tmp.file('abort.csv', archive(range(1, 50).map((i) => tweet(i))));
      for (const bulk of [true, false]) {
        const store = await openStore();
        try {
          const controller = new AbortController();
          const err = await failure(
            ingestFile(store, file, {
              bulk,
              signal: controller.signal,
              // Abort once everything is loaded, just before the commit: the latest moment to roll back.
              onProgress: (p) => p.phase === 'commit' && controller.abort(),
            }),
          );
          expect(err).toBeInstanceOf(InterruptedError);
          expect(err.message).toBe(
            'interrupted: nothing from abort.csv was stored; run the same command again to ingest it',
          );
          for (const table of ['posts', 'accounts', 'account_versions', 'rejects'])
            expect(await store.value(`SELECT count(*) FROM ${table}`)).toBe(0);
          expect(await store.value(`SELECT status FROM ingests`)).toBe('interrupted');
          const again = await ingestFile(store, file, { bulk });
          expectCounts(again, { ingestId: 2, rowsRead: 50, rowsStored: 50, rowsDuplicate: 0, bulk });
          expect(await store.value(`SELECT count(*) FROM posts`)).toBe(50);
        } finally {
          store.close();
        }
      }
    });

    it('removes staging folders left behind by a killed process', async () => {
      const store = await openStore();
      try {
        const stale = join(`${store.path}.tmp`, 'ingest-7');
        mkdirSync(stale, { recursive: true });
        writeFileSync(join(stale, 'posts-1.csv'), 'left over by kill -9\n');
        await ingestFile(store, tmp.file('after-kill.csv', archive([tweet(1)])));
        // The scratch folder is removed once empty.
        const scratchDir = `${store.path}.tmp`;
        expect(
          existsSync(scratchDir) ? readdirSync(scratchDir).filter((n) => n.startsWith('ingest-')) : [],
        ).toEqual([]);
      } finally {
        store.close();
      }
    });
  });

  describe('bulk path', () => {
    let clean = '';
    beforeAll(() => {
      clean = simulate({
        out: join(tmp.dir, 'sim-bulk'),
        format: 'io-archive',
        posts: 3000,
        seed: 11,
        scenario: 'organic',
        gzip: true,
      }).files[0]!;
    });

    it('reads a clean gzip X-archive file in bulk', async () => {
      const { store, report } = await ingest(clean);
      try {
        expect(report.bulk).toBe(true);
        expectCounts(report, { rowsRejected: 0, rowsDuplicate: 0 });
        expect(report.rowsRead).toBeGreaterThan(1500);
        expect(await store.value(`SELECT count(*) FROM posts`)).toBe(report.rowsStored);
        expect(await store.value(`SELECT message FROM ingests`)).toBe('read in bulk by DuckDB');
      } finally {
        store.close();
      }
    });

    it('falls back to row by row for a dirty gzip file, with the right rejects', async () => {
      const { gunzipSync } = await import('node:zlib');
      const lines = gunzipSync(readFileSync(clean)).toString('utf8').split('\n');
      // Physical line 6 gets an unreadable time, line 11 a stray quote after a closing quote.
      const dirty = lines.map((l, k) =>
        k === 5
          ? l.replace(/,2024-\d\d-\d\d \d\d:\d\d,/, ',soon,')
          : k === 10
            ? l.replace(/^(\d+),/, '"$1"x,')
            : l,
      );
      expect(dirty[5]).not.toBe(lines[5]);
      expect(dirty[10]).not.toBe(lines[10]);
      const file = tmp.file('dirty.csv.gz', dirty.join('\n'), true);
      const { store, report } = await ingest(file);
      try {
        expect(report.bulk).toBe(false);
        expectCounts(report, { rowsRejected: 2 });
        const found = await rejects(store);
        expect(found.map((r) => [r.line, r.raw])).toEqual([
          [6, dirty[5]],
          [11, dirty[10]],
        ]);
        expect(found[0]!.reason).toBe('unreadable tweet_time "soon"');
        expect(found[1]!.reason).toMatch(/malformed quoting in field 1: text after the closing quote/);
        expect(await store.value(`SELECT message FROM ingests`)).toMatch(/^read row by row: /);
      } finally {
        store.close();
      }
    });
  });
});
