/**
 * `lockstep fingerprint` and `lockstep amplification` as a user meets them: the built command on a
 * simulated month (planted operations with known operator time zones and creation batches), after
 * `lockstep detect` saved its run in the store. Checks the terminal views, the one-line errors, the
 * JSON and CSV exports against the store, and that attacker-written text reaches a spreadsheet as text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fingerprint } from '../../src/forensics/index.js';
import { CSV_BOM } from '../../src/report/csv.js';
import { Store } from '../../src/store/store.js';
import { lockstep, oneLine } from '../helpers/cli.js';
import { scratch } from '../helpers/store.js';
import { parseCsv } from '../report/readers.js';

const tmp = scratch();
const db = join(tmp.dir, 'f.duckdb');

/** `lockstep ...args` in the scratch folder. */
const run = (...args: string[]) => lockstep(tmp.dir, ...args);

const csv = (file: string) => parseCsv(readFileSync(file, 'utf8').replace(CSV_BOM, ''));

/** Ground truth: account id -> operation, and each operation's planted operator offset. */
function truth(): { op: Map<string, string>; offsets: Map<string, number> } {
  const rows = readFileSync(join(tmp.dir, 'sim', 'ground_truth_accounts.csv'), 'utf8')
    .trim()
    .split('\n');
  const header = rows[0]!.split(',');
  const [id, op] = [header.indexOf('account_id'), header.indexOf('operation')];
  const ops = new Map<string, string>();
  for (const r of rows.slice(1)) {
    const f = r.split(',');
    if (f[op]) ops.set(f[id]!, f[op]!);
  }
  const json = JSON.parse(readFileSync(join(tmp.dir, 'sim', 'ground_truth.json'), 'utf8')) as {
    operations: { id: string; operator_utc_offset_minutes: number }[];
  };
  return { op: ops, offsets: new Map(json.operations.map((o) => [o.id, o.operator_utc_offset_minutes])) };
}

/** Seven accounts paste one text that would be a formula in a spreadsheet (cnt CSV, second times). */
function hostileFile(): string {
  const text = '=HYPERLINK("http://evil.example/x","open me") every citizen must read this now';
  const lines = ['message_id,user_id,username,repost_id,reply_id,message,timestamp,urls'];
  for (let i = 0; i < 7; i++)
    lines.push(
      `h${i},hostile${i},hostile${i},,,"${text.replaceAll('"', '""')} ${i}",${1717400000 + i * 20},`,
    );
  return tmp.file('hostile.csv', `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  for (const args of [
    ['simulate', '--out', join(tmp.dir, 'sim'), '--posts', '60000', '--seed', '4', '-q'],
    ['ingest', join(tmp.dir, 'sim', 'posts.io-archive.csv'), '--db', db, '-q'],
    ['ingest', hostileFile(), '--db', db, '-q'],
  ]) {
    const r = await run(...args);
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);
afterAll(() => tmp.cleanup());

describe('before any detection', () => {
  it('fingerprint and amplification say to run detect first, in one line', async () => {
    for (const cmd of ['fingerprint', 'amplification']) {
      const r = await run(cmd, '--db', db);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toContain('run lockstep detect first');
    }
  });
});

describe('after lockstep detect', () => {
  let clusters: { id: string; accounts: string[]; fingerprint: Fingerprint; openIndicators: string[] }[];

  beforeAll(async () => {
    const r = await run('detect', '--db', db, '--out', join(tmp.dir, 'r.json'), '-q');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Fingerprints');
    expect(r.stdout).toContain('Saved in the store as detection run 1');
    clusters = JSON.parse(readFileSync(join(tmp.dir, 'r.json'), 'utf8')).clusters;
    expect(clusters.length).toBeGreaterThan(2);
  }, 180_000);

  it('writes a fingerprint per cluster in the JSON; the largest operations come out office-like at their zone', () => {
    const { op, offsets } = truth();
    for (const c of clusters)
      expect(c.fingerprint.rhythm.hourOfWeekUtc.flat().reduce((a, b) => a + b, 0)).toBe(
        c.fingerprint.rhythm.posts,
      );
    // The cluster holding most of op1 (the largest operation) and op2.
    for (const id of ['op1', 'op2']) {
      const best = [...clusters].sort(
        (a, b) =>
          b.accounts.filter((x) => op.get(x) === id).length -
          a.accounts.filter((x) => op.get(x) === id).length,
      )[0]!;
      expect(best.fingerprint.rhythm.officeHours.verdict).toBe('office hours');
      expect(Math.abs(best.fingerprint.rhythm.offset.minutes! - offsets.get(id)!)).toBeLessThanOrEqual(60);
      expect(best.fingerprint.creation.batchCount).toBeGreaterThan(0);
    }
  });

  it('lists every cluster, and shows one in detail with its heatmaps', async () => {
    const all = await run('fingerprint', '--db', db);
    expect(all.code, all.stderr).toBe(0);
    for (const c of clusters) expect(all.stdout).toMatch(new RegExp(`^${c.id}\\s`, 'm'));
    const one = await run('fingerprint', '--db', db, '--cluster', clusters[0]!.id);
    expect(one.code, one.stderr).toBe(0);
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])
      expect(one.stdout.match(new RegExp(`^${day}  `, 'gm'))).toHaveLength(2); // UTC and local
    expect(one.stdout).toContain('Account creation');
    expect(one.stdout).toContain('handle shape');
  });

  it('fingerprints a list of accounts given in a file, and notes the unknown ones', async () => {
    const { op } = truth();
    const ids = [...op].filter(([, o]) => o === 'op1').map(([a]) => a);
    const file = tmp.file('op1.txt', `# op1 as planted\n${ids.join('\n')}\nnot-an-account\n`);
    const r = await run('fingerprint', '--db', db, '--accounts', file, '--out', join(tmp.dir, 'op1.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 of the listed accounts are not in the store/);
    expect(r.stdout).toContain(`op1.txt: ${ids.length} accounts`);
    const out = JSON.parse(readFileSync(join(tmp.dir, 'op1.json'), 'utf8'));
    expect(out.sets[0].fingerprint.rhythm.officeHours.verdict).toBe('office hours');
    expect(out.population.rhythm.officeHours.verdict).toBe('not office hours');
  });

  it('refuses mistakes in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['fingerprint', '--cluster', 'nope'], /no cluster "nope" in detection run 1/],
      [['fingerprint', '--cluster', clusters[0]!.id, '--accounts', 'x.txt'], /not both/],
      [['fingerprint', '--accounts', 'missing.txt'], /cannot read missing.txt/],
      [['fingerprint', '--run', '7'], /no detection run 7/],
      [['amplification', '--kinds', 'hashtag,colour'], /invalid --kinds/],
      [['amplification', '--by', 'week'], /expecting day or hour/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args, '--db', db);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(oneLine(r.stderr)).toMatch(message);
    }
  });

  it('fingerprint CSV: one row per cluster; the hour-of-week rows add up to the posts', async () => {
    const r = await run('fingerprint', '--db', db, '--csv', 'fp');
    expect(r.code, r.stderr).toBe(0);
    const sets = csv(join(tmp.dir, 'fp', 'fingerprints.csv'));
    expect(sets.slice(1).map((row) => row[0])).toEqual(clusters.map((c) => c.id));
    const hours = csv(join(tmp.dir, 'fp', 'hour_of_week.csv')).slice(1);
    for (const c of clusters) {
      const utc = hours.filter((h) => h[0] === c.id && h[1] === 'utc').reduce((s, h) => s + Number(h[4]), 0);
      expect(utc).toBe(c.fingerprint.rhythm.posts);
    }
  });

  it('amplification: the CSV reconciles with the store, and hostile text stays text', async () => {
    const r = await run('amplification', '--db', db, '--csv', 'amp', '--top', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Hashtags: .* ranked/);
    const rows = csv(join(tmp.dir, 'amp', 'amplification.csv'));
    const header = rows[0]!;
    const col = (name: string) => header.indexOf(name);
    const items = rows.slice(1);
    expect(items.length).toBeGreaterThan(100);
    for (const row of items) {
      expect(Number(row[col('posts')])).toBe(
        Number(row[col('flagged_posts')]) + Number(row[col('other_posts')]),
      );
      expect(Number(row[col('accounts')])).toBe(
        Number(row[col('flagged_accounts')]) + Number(row[col('other_accounts')]),
      );
    }
    // Every hashtag's posts and accounts, straight from the store.
    const store = await Store.open(db, { readOnly: true });
    try {
      const direct = await store.all<{ tag: string; posts: number; accounts: number }>(
        `SELECT tag, count(*)::INTEGER AS posts, count(DISTINCT (platform, account_id))::INTEGER AS accounts
         FROM (SELECT platform, account_id, unnest(hashtags) AS tag FROM posts) GROUP BY tag`,
      );
      const tags = new Map(
        items.filter((row) => row[0] === 'hashtag').map((row) => [row[1]!.replace(/^'/, ''), row]),
      );
      expect(tags.size).toBe(direct.length);
      for (const d of direct) {
        expect(Number(tags.get(d.tag)?.[col('posts')]), d.tag).toBe(d.posts);
        expect(Number(tags.get(d.tag)?.[col('accounts')]), d.tag).toBe(d.accounts);
      }
    } finally {
      store.close();
    }
    const hostile = items.find((row) => row[0] === 'text-family' && row[col('label')]?.includes('HYPERLINK'));
    expect(hostile?.[col('label')]).toMatch(/^'=HYPERLINK/);
  });
});
