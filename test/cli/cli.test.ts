/**
 * The `lockstep` command as a user meets it: spawned as a process (`node dist/cli/main.js`, so
 * `npm run build` must run first, as `npm test` does). Every failure must end in exactly one line on
 * stderr, `lockstep: ...`, naming the file and what to do, never a stack trace, with the exit code of
 * its error class (2 usage, 3 input, 4 format, 5 store, 130 interrupted). Interrupting an ingest
 * (Ctrl-C or kill -9) must leave the store consistent, and the same command must then complete it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/core/version.js';
import { formatNames } from '../../src/ingest/formats/index.js';
import { simulate } from '../../src/simulate/index.js';
import type { StoreStatus } from '../../src/store/status.js';
import { oneLine } from '../helpers/cli.js';
import { scratch } from '../helpers/store.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `lockstep ...args` in `cwd` to its end. */
function lockstep(cwd: string, ...args: string[]): Promise<Run> {
  return finished(start(cwd, ...args));
}

function start(cwd: string, ...args: string[]): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, LOCKSTEP_DEBUG: '', LOCKSTEP_TIMING: '', LOCKSTEP_MEMORY: '1GB', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return Object.assign(child, { out });
}

function finished(child: ReturnType<typeof start>): Promise<Run> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ...child.out }));
  });
}

async function waitFor(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const HEADER = 'tweetid,userid,tweet_text,tweet_time';
const rows = (from: number, to: number, text = 'hello') =>
  Array.from(
    { length: to - from + 1 },
    (_, k) => `${from + k},u${(from + k) % 3},${text} ${from + k},2020-01-01 10:00`,
  );
const csv = (lines: string[]) => `${[HEADER, ...lines].join('\n')}\n`;

describe('lockstep command line', () => {
  const tmp = scratch();
  const dir = tmp.dir;
  let stores = 0;
  const freshDb = () => `s${++stores}.duckdb`;
  const status = async (db: string): Promise<StoreStatus> => {
    const run = await lockstep(dir, 'status', '--db', db, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as StoreStatus;
  };

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  });
  afterAll(() => tmp.cleanup());

  // Independent quick checks run side by side: each spawns its own processes, stores and files.
  describe.concurrent('basics', () => {
    it('prints its version', async () => {
      const run = await lockstep(dir, '--version');
      expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    });

    it('lists the formats', async () => {
      const run = await lockstep(dir, 'formats');
      expect(run.code).toBe(0);
      const names = run.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]);
      expect(names).toEqual(formatNames());
    });

    it('refuses an unknown --format with exit 2, listing the formats', async () => {
      tmp.file('format.csv', csv(rows(1, 2)));
      const run = await lockstep(dir, 'ingest', '--db', freshDb(), '--format', 'myspace', 'format.csv');
      expect(run.code).toBe(2);
      const line = oneLine(run.stderr);
      expect(line).toContain('unknown format "myspace"');
      for (const name of formatNames()) expect(line).toContain(name);
    });

    it('answers usage mistakes with one line and exit 2', async () => {
      tmp.file('usage.csv', csv(rows(1, 2)));
      const runs = [
        ['ingest', '--bogus', 'usage.csv'],
        ['ingest'],
        ['ingest', '--max-field-mb', 'lots', 'usage.csv'],
        ['ingest', '--max-field-mb', '0', 'usage.csv'],
        ['ingest', '--timezone', 'Mars/Olympus', '--db', freshDb(), 'usage.csv'],
        ['status', 'extra'],
        ['frobnicate'],
      ].map(async (args) => ({ args, run: await lockstep(dir, ...args) }));
      for (const { args, run } of await Promise.all(runs)) {
        expect(run.code, args.join(' ')).toBe(2);
        expect(oneLine(run.stderr)).toMatch(/--help|--max-field-mb|time zone/);
      }
    });

    it('says there is no store, in one line with exit 5, without creating one', async () => {
      const run = await lockstep(dir, 'status', '--db', 'nowhere.duckdb');
      expect(run.code).toBe(5);
      expect(oneLine(run.stderr)).toMatch(/no store at nowhere\.duckdb; ingest some data first .* --db/);
      expect(existsSync(join(dir, 'nowhere.duckdb'))).toBe(false);
    });

    it('refuses to use a CSV file as the store (DuckDB would open it in memory and lose the data)', async () => {
      const data = tmp.file('data.csv', csv(rows(1, 3)));
      tmp.file('more.csv', csv(rows(1, 2)));
      const before = readFileSync(data, 'utf8');
      for (const args of [
        ['ingest', '-q', '--db', 'data.csv', 'more.csv'],
        ['status', '--db', 'data.csv'],
      ]) {
        const run = await lockstep(dir, ...args);
        expect(run.code).toBe(5);
        expect(oneLine(run.stderr)).toMatch(
          /data\.csv is not a Lockstep store .* choose another path with --db/,
        );
      }
      expect(readFileSync(data, 'utf8')).toBe(before);
    });

    it('refuses a store path inside a file with one line', async () => {
      tmp.file('plain-file', 'not a folder');
      tmp.file('inside.csv', csv(rows(1, 2)));
      const run = await lockstep(dir, 'ingest', '-q', '--db', 'plain-file/store.duckdb', 'inside.csv');
      expect(run.code).toBe(5);
      expect(oneLine(run.stderr)).toMatch(
        /cannot create the folder for the store .*plain-file.* choose another path with --db/,
      );
    });

    it('refuses a folder as the store with one line', async () => {
      mkdirSync(join(dir, 'folder.duckdb'), { recursive: true });
      const run = await lockstep(dir, 'status', '--db', 'folder.duckdb');
      expect(run.code).toBe(5);
      expect(oneLine(run.stderr)).toMatch(
        /folder\.duckdb is a folder, not a Lockstep store; choose a file path/,
      );
    });
  });

  describe.concurrent('bad input files', () => {
    const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200, 3)]);
    const cases: [string, () => void, number, RegExp, string[]?, boolean?][] = [
      [
        'empty.csv',
        () => tmp.file('empty.csv', ''),
        3,
        /is empty \(0 bytes\); nothing to ingest \(check that the export finished\)/,
      ],
      [
        'blank.csv',
        () => tmp.file('blank.csv', '\n   \n'),
        3,
        /holds only blank space; nothing to ingest \(check that the export finished\)/,
      ],
      [
        'a-folder',
        () => mkdirSync(join(dir, 'a-folder'), { recursive: true }),
        3,
        /is a directory; pass the files inside it/,
      ],
      [
        'logo.png',
        () => tmp.file('logo.png', PNG),
        3,
        /is a PNG image, not a post export; pass a CSV, JSON, JSONL or Parquet export/,
      ],
      [
        'archive.zip',
        () => tmp.file('archive.zip', Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(99)])),
        3,
        /is a ZIP archive, not a post export; unzip it and pass the files inside/,
      ],
      ['gone.csv', () => {}, 3, /no such file; check the path/],
      [
        'cut.csv.gz',
        () => {
          const gz = gzipSync(csv(rows(1, 20_000, 'some text that takes room')));
          tmp.file('cut.csv.gz', gz.subarray(0, gz.length >> 1));
        },
        3,
        /gzip data is truncated or corrupt.*nothing from this file was stored\. Re-download or re-compress it/,
        [],
        true,
      ],
      [
        'latin1.csv',
        () => tmp.file('latin1.csv', Buffer.from(csv(rows(1, 2, 'café')), 'latin1')),
        3,
        /is not UTF-8 .*pass --encoding windows-1252/,
      ],
      [
        'no-time.csv',
        () => tmp.file('no-time.csv', 'tweetid,userid,tweet_text\n1,2,hi\n'),
        4,
        /missing required column tweet_time for format io-archive/,
        ['--format', 'io-archive'],
        true,
      ],
      [
        'unknown.csv',
        () => tmp.file('unknown.csv', 'a,b\n1,2\n'),
        4,
        /cannot tell the format of unknown\.csv .*pass --format/,
      ],
    ];
    for (const [name, make, code, message, extra, failed] of cases) {
      it(`refuses ${name} with one line and exit ${code}`, async () => {
        make();
        const db = freshDb();
        const run = await lockstep(dir, 'ingest', '-q', '--db', db, ...(extra ?? []), name);
        expect(run.code).toBe(code);
        const line = oneLine(run.stderr);
        expect(line).toContain(name);
        expect(line).toMatch(message);
        expect(run.stdout).toBe('');
        // A file refused once it was being read is on record as failed (the others never started).
        if (failed) {
          const s = await status(db);
          expect(s.posts).toBe(0);
          expect(s.ingests.map((i) => [i.fileName, i.status])).toEqual([[name, 'failed']]);
          expect(line).toContain(s.ingests[0]!.message);
        }
      });
    }

    it('ingests the good files of several, reports the bad one and exits non-zero', async () => {
      tmp.file('one.csv', csv(rows(1, 3)));
      tmp.file('bad.png', PNG);
      tmp.file('two.csv', csv(rows(4, 5)));
      const db = freshDb();
      const run = await lockstep(dir, 'ingest', '-q', '--db', db, 'one.csv', 'bad.png', 'two.csv');
      expect(run.code).toBe(3);
      const errors = run.stderr.trim().split('\n');
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(/^lockstep: bad\.png is a PNG image/);
      expect(errors[1]).toBe('lockstep: 1 of 3 files could not be ingested (see above)');
      expect(run.stdout).toMatch(/^one\.csv: io-archive .*read 3 = stored 3 \+ duplicate 0 \+ rejected 0/m);
      expect(run.stdout).toMatch(/^two\.csv: io-archive .*read 2 = stored 2 \+ duplicate 0 \+ rejected 0/m);
      const s = await status(db);
      expect(s.posts).toBe(5);
      expect(s.ingests.map((i) => [i.fileName, i.status])).toEqual([
        ['one.csv', 'done'],
        ['two.csv', 'done'],
      ]);
    });

    it('keeps bad rows aside and lists them with file, line, reason and raw text', async () => {
      const lines = [
        ...rows(1, 2),
        '3,u1,"stray" quote,2020-01-01 10:00',
        '4,u2,late,not a time',
        ...rows(5, 6),
      ];
      tmp.file('rows.csv', csv(lines));
      const db = freshDb();
      const run = await lockstep(dir, 'ingest', '-q', '--db', db, 'rows.csv');
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('read 6 = stored 4 + duplicate 0 + rejected 2');
      expect(run.stdout).toContain('2 rejected rows kept aside: lockstep rejects --ingest 1');
      const listed = await lockstep(dir, 'rejects', '--db', db, '--json');
      expect(listed.code).toBe(0);
      const found = listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(found).toEqual([
        {
          ingestId: 1,
          fileName: 'rows.csv',
          line: 4,
          reason: 'malformed quoting in field 3: text after the closing quote',
          raw: lines[2],
          rawTruncated: false,
        },
        {
          ingestId: 1,
          fileName: 'rows.csv',
          line: 5,
          reason: 'unreadable tweet_time "not a time"',
          raw: lines[3],
          rawTruncated: false,
        },
      ]);
    });

    it('rejects a 10 MB field unless --max-field-mb allows it', async () => {
      tmp.file(
        'big.csv',
        csv([...rows(1, 1), `2,u2,${'y'.repeat(10 * 1024 * 1024)},2020-01-01 10:00`, ...rows(3, 3)]),
      );
      const db = freshDb();
      const run = await lockstep(dir, 'ingest', '-q', '--db', db, 'big.csv');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('read 3 = stored 2 + duplicate 0 + rejected 1');
      const listed = await lockstep(dir, 'rejects', '--db', db);
      expect(listed.stdout).toContain('big.csv:3');
      expect(listed.stdout).toContain('over the 1.0 MB limit (raise it with --max-field-mb)');
      const wide = await lockstep(dir, 'ingest', '-q', '--db', freshDb(), '--max-field-mb', '20', 'big.csv');
      expect(wide.code).toBe(0);
      expect(wide.stdout).toContain('read 3 = stored 3 + duplicate 0 + rejected 0');
    });

    it('stores nothing new when the same file is ingested again', async () => {
      tmp.file('twice.csv', csv(rows(1, 4)));
      const db = freshDb();
      expect((await lockstep(dir, 'ingest', '-q', '--db', db, 'twice.csv')).code).toBe(0);
      const again = await lockstep(dir, 'ingest', '-q', '--db', db, 'twice.csv');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('read 4 = stored 0 + duplicate 4 + rejected 0');
      expect(again.stdout).toMatch(/note: the same file \(sha256 [0-9a-f]{12}\) was ingested before as #1/);
      expect((await status(db)).posts).toBe(4);
    });
  });

  describe('interruption and the store lock', () => {
    let big = '';
    let posts = 0;
    beforeAll(() => {
      // Large enough to take a few seconds to ingest, so there is time to interrupt it.
      const sim = simulate({
        out: join(dir, 'sim'),
        format: 'io-archive',
        posts: 100_000,
        seed: 9,
        scenario: 'organic',
      });
      big = sim.files[0]!;
      posts = sim.posts;
    });

    /** Starts an ingest of the big file and resolves once it is loading (its staging folder exists). */
    async function startIngest(db: string, ...extra: string[]) {
      const child = start(dir, 'ingest', '-q', '--db', db, ...extra, big);
      const done = finished(child);
      let exited = false;
      void done.then(() => (exited = true));
      await waitFor(
        'the ingest to start loading',
        () => exited || existsSync(join(dir, `${db}.tmp`, 'ingest-1')),
      );
      expect(exited, `the ingest ended before it could be interrupted:\n${child.out.stderr}`).toBe(false);
      return { child, done };
    }

    it('survives kill -9: nothing from the file is kept, status works, and the rerun completes', async () => {
      const db = freshDb();
      const { child, done } = await startIngest(db);
      // The store is locked while the ingest runs: a second process gets one line, not a stack trace.
      const locked = await lockstep(dir, 'status', '--db', db);
      expect(locked.code).toBe(5);
      expect(oneLine(locked.stderr)).toMatch(
        new RegExp(
          `the store .*${db} is in use by another Lockstep process \\(process ${child.pid}\\); wait for it to finish`,
        ),
      );
      expect(child.exitCode, 'the ingest finished before kill -9').toBeNull();
      child.kill('SIGKILL');
      const killed = await done;
      expect(killed.signal).toBe('SIGKILL');

      const after = await status(db);
      expect(after.posts).toBe(0);
      expect(after.accounts).toBe(0);
      expect(after.rejects.total).toBe(0);
      expect(after.ingests).toHaveLength(1);
      expect(after.ingests[0]).toMatchObject({ status: 'interrupted', rowsStored: 0 });
      const text = await lockstep(dir, 'status', '--db', db);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/#1\s+interrupted\s+posts\.io-archive\.csv/);
      expect(text.stdout).toContain('#1 interrupted: the process stopped before the ingest finished');

      const rerun = await lockstep(dir, 'ingest', '-q', '--db', db, big);
      expect(rerun.stderr).toBe('');
      expect(rerun.code).toBe(0);
      const final = await status(db);
      expect(final.posts).toBe(posts);
      const done2 = final.ingests[1]!;
      expect(done2).toMatchObject({ ingestId: 2, status: 'done', rowsRead: posts, rowsStored: posts });
      expect(done2.rowsRead).toBe(done2.rowsStored + done2.rowsDuplicate + done2.rowsRejected);
      // The staging folder the killed process left behind is gone.
      expect(existsSync(join(dir, `${db}.tmp`, 'ingest-1'))).toBe(false);
    });

    it('stops on Ctrl-C with exit 130 and one line, keeps nothing, and the rerun completes', async () => {
      // --timezone sends the file down the row-by-row path (the kill -9 test above took the bulk path).
      const db = freshDb();
      const { child, done } = await startIngest(db, '--timezone', 'UTC');
      await new Promise((r) => setTimeout(r, 200));
      expect(child.exitCode, 'the ingest finished before Ctrl-C').toBeNull();
      child.kill('SIGINT');
      const run = await done;
      expect(run.code).toBe(130);
      // The notice printed at Ctrl-C, then the one error line.
      const lines = run.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toEqual([
        'interrupting: rolling back (Ctrl-C again to quit at once)',
        'lockstep: interrupted: nothing from posts.io-archive.csv was stored; run the same command again to ingest it',
      ]);
      const after = await status(db);
      expect(after.posts).toBe(0);
      expect(after.ingests.map((i) => i.status)).toEqual(['interrupted']);

      const rerun = await lockstep(dir, 'ingest', '-q', '--db', db, '--timezone', 'UTC', big);
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toContain(`stored ${posts.toLocaleString('en-US')} + duplicate 0 + rejected 0`);
      expect((await status(db)).posts).toBe(posts);
      expect(statSync(join(dir, db)).isFile()).toBe(true);
    });
  });
});
