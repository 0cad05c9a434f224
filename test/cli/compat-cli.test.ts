/**
 * `lockstep detect --compat ...` as a user meets it: the built command (`node dist/cli/main.js`,
 * so `npm run build` must run first) ingests the peers' own example data and writes the peers'
 * files, which must equal the peers' outputs:
 * - CooRTweet 2.1.3 (`detect_groups` + `generate_coordinated_network`, run in R on the package's
 *   example data): `shared/data/coortweet_reference/reference/`, compared byte for byte;
 * - coordination-network-toolkit's co-retweet test (`tests/test_graph_construction.py`):
 *   `shared/data/cnt_conformance/expected_co_retweet.json`, node counts of six settings.
 * Provenance in `shared/data/README.md`. Then the mistakes a user can make: each one line on
 * stderr with its exit code, and nothing written.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED, scratch } from '../helpers/store.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const DATA = join(SHARED, 'coortweet_reference');
const REF = join(DATA, 'reference');
const CNT = join(SHARED, 'cnt_conformance');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `lockstep ...args` in `cwd`; `onStderr` sees each chunk of stderr (and may signal). */
function lockstep(cwd: string, args: string[], onStderr?: (text: string, kill: () => void) => void) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, LOCKSTEP_DEBUG: '', LOCKSTEP_MEMORY: '1GB', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out.stderr += d;
    onStderr?.(out.stderr, () => child.kill('SIGINT'));
  });
  return new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...out }));
  });
}

/** Exactly one line on stderr, `lockstep: ...`, with no stack trace; returns it. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, `stderr was:\n${stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^lockstep: /);
  return lines[0]!;
}

const ref = (name: string) => readFileSync(join(REF, name), 'utf8');
const rows = (text: string) => text.trimEnd().split('\n').slice(1);

const tmp = scratch();
const dir = tmp.dir;
const read = (folder: string, name: string) => readFileSync(join(dir, folder, name), 'utf8');

/** Runs a compat command that must succeed quietly; returns its stdout. */
async function compat(...args: string[]): Promise<string> {
  const run = await lockstep(dir, ['detect', '-q', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

/** The files of an output folder, hidden (temporary) ones included. */
const listing = (folder: string) => readdirSync(join(dir, folder)).sort();

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  for (const [db, file] of [
    ['rct.duckdb', join(DATA, 'russian_coord_tweets.csv')],
    ['ge.duckdb', join(DATA, 'german_elections.csv')],
    ['cnt.duckdb', join(CNT, 'coretweet_test_input.csv')],
  ] as const) {
    const run = await lockstep(dir, ['ingest', '-q', '--db', db, file]);
    expect(run.code, run.stderr).toBe(0);
  }
}, 120_000);
afterAll(() => tmp.cleanup());

describe('lockstep detect --compat coortweet: the reference outputs of CooRTweet 2.1.3', () => {
  it('russian_coord_tweets, time_window 60, min_participation 2, edge_weight 0.5, subgraph 1: all three files', async () => {
    const out = await compat(
      ...['--db', 'rct.duckdb', '--compat', 'coortweet', '--time-window', '60', '--min-participation', '2'],
      ...['--edge-weight', '0.5', '--subgraph', '1', '--out-dir', 'rct60'],
    );
    expect(listing('rct60')).toEqual(['detect_groups.csv', 'subgraph_edges.csv', 'subgraph_nodes.csv']);
    expect(read('rct60', 'detect_groups.csv')).toBe(ref('rct_detect_groups_tw60_mp2.csv'));
    expect(read('rct60', 'subgraph_edges.csv')).toBe(ref('rct_network_tw60_mp2_ew0.5_edges.csv'));
    expect(read('rct60', 'subgraph_nodes.csv')).toBe(ref('rct_network_tw60_mp2_ew0.5_nodes.csv'));
    // The summary: the effective parameters and the reference's counts.
    expect(out).toContain(
      'detect_groups(time_window = 60, min_participation = 2, remove_loops = TRUE): 3,791 coordinated share pairs',
    );
    expect(out).toContain(
      'generate_coordinated_network(edge_weight = 0.5, subgraph = 1, objects = FALSE): 94 nodes, 60 edges, 34 components',
    );
    expect(out).toContain('kept the 60 of the 3,721 edges with weight > 1');
    expect(out).toContain(`Written: ${join('rct60', 'detect_groups.csv')}, `);
  });

  it('subgraph 0 (the default): the whole network, whose weight_threshold = 1 edges are the subgraph', async () => {
    const out = await compat(
      '--db',
      'rct.duckdb',
      '--compat',
      'coortweet',
      '--time-window',
      '60',
      '--out-dir',
      'rct60',
    );
    expect(listing('rct60')).toEqual([
      'detect_groups.csv',
      'network_edges.csv',
      'network_nodes.csv',
      'subgraph_edges.csv',
      'subgraph_nodes.csv',
    ]);
    expect(read('rct60', 'detect_groups.csv')).toBe(ref('rct_detect_groups_tw60_mp2.csv'));
    const edges = rows(read('rct60', 'network_edges.csv'));
    const nodes = rows(read('rct60', 'network_nodes.csv'));
    expect(edges).toHaveLength(3721);
    expect(nodes).toHaveLength(2110);
    expect(edges.filter((e) => e.endsWith(',1'))).toEqual(rows(ref('rct_network_tw60_mp2_ew0.5_edges.csv')));
    const components = new Set(nodes.map((v) => v.split(',')[1])).size;
    expect(out).toContain(`2,110 nodes, 3,721 edges, ${components} components`);
    expect(out).toContain('weight_threshold = 1 on 60 of the 3,721 edges');
  });

  it('time_window 10, min_participation 5: the 20 edges of the whole network', async () => {
    await compat(
      ...['--db', 'rct.duckdb', '--compat', 'coortweet', '--time-window', '10', '--min-participation', '5'],
      ...['--out-dir', 'rct10'],
    );
    expect(read('rct10', 'network_edges.csv')).toBe(ref('rct_network_tw10_mp5_edges.csv'));
  });

  it("uses CooRTweet's defaults: time_window 10, min_participation 2, edge_weight 0.5, subgraph 0", async () => {
    const out = await compat('--db', 'rct.duckdb', '--compat', 'coortweet', '--out-dir', 'defaults');
    expect(out).toContain('detect_groups(time_window = 10, min_participation = 2, remove_loops = TRUE)');
    expect(out).toContain('generate_coordinated_network(edge_weight = 0.5, subgraph = 0, objects = FALSE)');
    await compat(
      ...['--db', 'rct.duckdb', '--compat', 'coortweet', '--object', 'shared-object', '--time-window', '10'],
      ...['--min-participation', '2', '--edge-weight', '0.5', '--subgraph', '0', '--out-dir', 'explicit'],
    );
    for (const name of listing('explicit')) expect(read('defaults', name), name).toBe(read('explicit', name));
    expect(rows(read('defaults', 'detect_groups.csv')).length).toBeGreaterThan(0);
  });

  it('--keep-loops: remove_loops = FALSE adds the loops to the pairs', async () => {
    const out = await compat(
      ...['--db', 'rct.duckdb', '--compat', 'coortweet', '--time-window', '60', '--keep-loops'],
      ...['--out-dir', 'loops'],
    );
    expect(out).toContain('remove_loops = FALSE');
    const all = rows(read('loops', 'detect_groups.csv'));
    const kept = new Set(all);
    const reference = new Set(rows(ref('rct_detect_groups_tw60_mp2.csv')));
    expect([...reference].every((r) => kept.has(r))).toBe(true);
    const extra = all.filter((r) => !reference.has(r)).map((r) => r.split(','));
    expect(extra.length).toBeGreaterThan(0);
    // Loops: an account re-sharing an object within the window, and the file's one exact repeated
    // row. (Loops also count towards min_participation, so some extra pairs are not loops.)
    expect(extra.some(([, c, cy, , a, ay]) => a === ay && c !== cy)).toBe(true);
    expect(all.filter((r) => r.split(',')[1] === r.split(',')[2])).toHaveLength(1);
  });

  it('german_elections, Facebook links, objects = TRUE: the pairs and the 1,645 edges', async () => {
    const out = await compat(
      ...['--db', 'ge.duckdb', '--compat', 'coortweet', '--object', 'shared-link', '--platform', 'facebook'],
      ...['--time-window', '60', '--min-participation', '2', '--objects', '--out-dir', 'ge'],
    );
    expect(read('ge', 'detect_groups.csv')).toBe(ref('ge_fb_urls_detect_groups_tw60_mp2.csv'));
    expect(read('ge', 'network_edges.csv')).toBe(ref('ge_fb_urls_network_tw60_mp2_ew0.5_edges.csv'));
    expect(rows(read('ge', 'network_nodes.csv'))).toHaveLength(503);
    expect(out).toContain('6,288 coordinated share pairs');
    expect(out).toContain('objects = TRUE): 503 nodes, 1,645 edges');
    expect(out).toContain('weight_threshold = 1 on 754 of the 1,645 edges with weight > 2');
  });

  it('shows its stages on stderr, and Ctrl-C stops it leaving the folder as it was', async () => {
    // A week's window on link domains: over a million pairs, some seconds of work after pairing.
    const args = ['detect', '--db', 'ge.duckdb', '--compat', 'coortweet', '--object', 'shared-domain'];
    args.push('--time-window', '86400', '--min-participation', '0', '--out-dir', 'stopped');
    let sent = false;
    const run = await lockstep(dir, args, (stderr, kill) => {
      if (!sent && /detect_groups .* pairs\n/.test(stderr)) {
        sent = true;
        kill();
      }
    });
    expect(sent, run.stderr).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/^ {2}detect_groups +\S+ +[\d,]+ pairs$/m);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(
      'lockstep: interrupted: nothing was written to stopped; run the same command again',
    );
    expect(run.stdout).toBe('');
    expect(listing('stopped')).toEqual([]);
  }, 60_000);
});

describe('lockstep detect --compat cnt: coordination-network-toolkit co-retweet conformance', () => {
  const expected = JSON.parse(readFileSync(join(CNT, 'expected_co_retweet.json'), 'utf8')) as {
    cases: { time_window: number; min_edge_weight: number; loops: boolean; expected_nodes: number }[];
  };

  it.each(expected.cases)(
    'time_window=$time_window min_edge_weight=$min_edge_weight loops=$loops: $expected_nodes nodes',
    async (c) => {
      const folder = `cnt-${c.time_window}-${c.min_edge_weight}-${c.loops}`;
      const out = await compat(
        ...['--db', 'cnt.duckdb', '--compat', 'cnt', '--time-window', String(c.time_window)],
        ...['--min-edge-weight', String(c.min_edge_weight), ...(c.loops ? ['--keep-loops'] : [])],
        ...['--out-dir', folder],
      );
      expect(listing(folder)).toEqual(['co_retweet_edges.csv']);
      const text = read(folder, 'co_retweet_edges.csv');
      const lines = text.split('\r\n');
      expect(lines[0]).toBe('"source","target","weight","edge_type"');
      expect(lines.at(-1)).toBe('');
      const edges = lines.slice(1, -1).map((l) => l.slice(1, -1).split('","'));
      const nodes = new Set<string>();
      for (const [source, target] of edges) nodes.add(source!).add(target!);
      expect(nodes.size).toBe(c.expected_nodes);
      expect(edges.every((e) => e[3] === 'co_retweet' && Number(e[2]) >= c.min_edge_weight)).toBe(true);
      if (!c.loops) expect(edges.every(([source, target]) => source !== target)).toBe(true);
      expect(out).toContain(
        `compute co_retweet --time_window ${c.time_window} --min_edge_weight ${c.min_edge_weight}${c.loops ? ' --include_self_loops' : ''}: ${edges.length} directed edge`,
      );
      expect(out).toMatch(new RegExp(`among ${c.expected_nodes} accounts?\\n`));
    },
  );

  it('writes the edges as output_gephi_csv does: every field quoted, CRLF, directed, by source then target', async () => {
    await compat(
      ...['--db', 'cnt.duckdb', '--compat', 'cnt', '--time-window', '1', '--min-edge-weight', '1'],
      ...['--keep-loops', '--out-dir', 'cnt-bytes'],
    );
    expect(read('cnt-bytes', 'co_retweet_edges.csv')).toBe(
      '"source","target","weight","edge_type"\r\n' +
        '"uid0","uid0","2","co_retweet"\r\n"uid4","uid5","1","co_retweet"\r\n"uid5","uid4","1","co_retweet"\r\n',
    );
  });

  it("uses the toolkit's command-line defaults: time_window 1, min_edge_weight 2", async () => {
    const out = await compat('--db', 'cnt.duckdb', '--compat', 'cnt', '--out-dir', 'cnt-defaults');
    expect(out).toContain(
      'compute co_retweet --time_window 1 --min_edge_weight 2: 0 directed edges among 0 accounts',
    );
    expect(read('cnt-defaults', 'co_retweet_edges.csv')).toBe('"source","target","weight","edge_type"\r\n');
  });
});

describe('lockstep detect --compat: mistakes', () => {
  const db = ['--db', 'rct.duckdb'];
  // Refused before the store is opened, so they can run side by side.
  const usage: [string[], RegExp][] = [
    [
      ['--compat', 'frobnicate', '--out-dir', 'x'],
      /unknown --compat mode "frobnicate"; use coortweet .* or cnt/,
    ],
    [
      ['--compat', 'coortweet'],
      /--compat coortweet writes the peer's files: give the folder with --out-dir DIR/,
    ],
    [
      ['--time-window', '60'],
      /--time-window applies only to peer-compatibility runs: add --compat coortweet or/,
    ],
    [['--objects', '--out-dir', 'x'], /--out-dir, --objects apply only to peer-compatibility runs/],
    [
      ['--compat', 'cnt', '--edge-weight', '0.5', '--out-dir', 'x'],
      /--edge-weight does not apply to --compat cnt/,
    ],
    [
      ['--compat', 'cnt', '--min-participation', '3', '--out-dir', 'x'],
      /--min-participation does not apply to --compat cnt .*use --min-edge-weight/,
    ],
    [['--compat', 'cnt', '--subgraph', '1', '--out-dir', 'x'], /--subgraph does not apply to --compat cnt/],
    [
      ['--compat', 'cnt', '--object', 'shared-link', '--out-dir', 'x'],
      /--object does not apply to --compat cnt/,
    ],
    [
      ['--compat', 'coortweet', '--min-edge-weight', '2', '--out-dir', 'x'],
      /--min-edge-weight does not apply to --compat coortweet .*--edge-weight, a quantile/,
    ],
    [
      ['--compat', 'coortweet', '--window', '60', '--out-dir', 'x'],
      /--window does not apply .*use --time-window/,
    ],
    [
      ['--compat', 'coortweet', '--signals', 'shared-link', '--out-dir', 'x'],
      /--signals does not apply .*--object/,
    ],
    [['--compat', 'coortweet', '--fdr', '0.1', '--out-dir', 'x'], /--fdr does not apply .*it reads --db, /],
    [['--compat', 'cnt', '--gexf', 'g.gexf', '--out-dir', 'x'], /--gexf does not apply to --compat cnt/],
    [
      ['--compat', 'coortweet', '--edge-weight', '1.5', '--out-dir', 'x'],
      /invalid --edge-weight "1.5": .*between 0 and 1/,
    ],
    [['--compat', 'coortweet', '--edge-weight', '', '--out-dir', 'x'], /invalid --edge-weight ""/],
    [['--compat', 'coortweet', '--time-window', '-1', '--out-dir', 'x'], /invalid --time-window "-1"/],
    [['--compat', 'cnt', '--time-window', '1m', '--out-dir', 'x'], /invalid --time-window "1m"/],
    [
      ['--compat', 'coortweet', '--subgraph', '2', '--out-dir', 'x'],
      /--subgraph 2 needs CooRTweet's fast_net/,
    ],
    [
      ['--compat', 'coortweet', '--subgraph', 'yes', '--out-dir', 'x'],
      /invalid --subgraph "yes": use 0 .* or 1/,
    ],
    [
      ['--compat', 'coortweet', '--object', 'post', '--out-dir', 'x'],
      /unknown --object "post"; use one of shared-object/,
    ],
    [['--compat', 'cnt', '--min-edge-weight', '1.5', '--out-dir', 'x'], /invalid --min-edge-weight "1.5"/],
    [['--compat', 'coortweet', '--min-participation', 'many', '--out-dir', 'x'], /--min-participation/],
    [['--compat', 'cnt', '--platform', ' ', '--out-dir', 'x'], /invalid --platform/],
  ];
  it.concurrent.each(usage)('refuses %j with one line and exit 2', async (args, message) => {
    const run = await lockstep(dir, ['detect', ...db, ...args]);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(message);
    expect(run.stdout).toBe('');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('refuses a store with nothing to pair, and a missing store, writing nothing', async () => {
    tmp.file('header-only.csv', 'tweetid,userid,tweet_text,tweet_time\n');
    expect((await lockstep(dir, ['ingest', '-q', '--db', 'empty.duckdb', 'header-only.csv'])).code).toBe(0);
    const cases: [string[], number, RegExp][] = [
      [
        ['--db', 'empty.duckdb', '--compat', 'cnt'],
        2,
        /the store empty\.duckdb holds no posts; ingest some data first/,
      ],
      [
        ['--db', 'ge.duckdb', '--compat', 'cnt'],
        2,
        /no reposts in the store, .*pairs retweets; the store has: shared-link [\d,]+, .*--compat coortweet --object/,
      ],
      [
        ['--db', 'rct.duckdb', '--compat', 'coortweet', '--object', 'shared-hashtag'],
        2,
        /nothing to pair: the store holds no shares for --object shared-hashtag .*\(the store has: shared-object 35,125\)/,
      ],
      [
        ['--db', 'ge.duckdb', '--compat', 'coortweet', '--platform', 'mastodon'],
        2,
        /holds no posts on platform "mastodon"; its platforms: facebook, twitter/,
      ],
      [
        ['--db', 'nowhere.duckdb', '--compat', 'coortweet'],
        5,
        /no store at nowhere\.duckdb; ingest some data first/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const run = await lockstep(dir, ['detect', ...args, '--out-dir', 'nothing']);
      expect(run.code, args.join(' ')).toBe(code);
      expect(oneLine(run.stderr)).toMatch(message);
      expect(existsSync(join(dir, 'nothing'))).toBe(false);
    }
    expect(existsSync(join(dir, 'nowhere.duckdb'))).toBe(false);
  });

  it('refuses an output folder that is a file', async () => {
    tmp.file('a-file', 'not a folder');
    const run = await lockstep(dir, ['detect', ...db, '--compat', 'coortweet', '--out-dir', 'a-file']);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/cannot create the folder a-file .*choose another location/);
  });
});
