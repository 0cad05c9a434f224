/**
 * Differential tests of the peer-compatibility modes against the tools' own outputs:
 * - CooRTweet 2.1.3 (`detect_groups` + `generate_coordinated_network`, run in R with data.table
 *   1.14.8 and igraph 1.3.5 on the package's own example data): `shared/data/coortweet_reference/`;
 * - coordination-network-toolkit's co-retweet test (`tests/test_graph_construction.py`):
 *   `shared/data/cnt_conformance/`.
 * Provenance of both in `shared/data/README.md`. The CSV files are compared byte for byte, and the
 * rows also as sets, so that a failure says whether the rows or only their order or format differ.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { CNT_EDGE_CSV, cntCoRetweet, cntNodes, writeCntCsv } from '../../src/detect/compat/cnt.js';
import {
  COORTWEET_FILES,
  type CoortweetPair,
  type CoortweetPairs,
  coortweetDetectGroups,
  edgeCsvColumns,
  NODE_CSV,
  PAIR_COLUMNS,
  PAIR_CSV,
  quantileType7,
  writeCoortweetCsv,
} from '../../src/detect/compat/coortweet.js';
import { csvText, fwriteDouble, fwriteMicrosSql } from '../../src/detect/compat/csv.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, SHARED, scratch } from '../helpers/store.js';

const DATA = join(SHARED, 'coortweet_reference');
const REF = join(DATA, 'reference');
const CNT_DIR = join(SHARED, 'cnt_conformance');

const tmp = scratch();
afterAll(() => tmp.cleanup());

/** A small RFC 4180 reader for the reference files: header and rows of strings. */
function readCsv(path: string): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const text = readFileSync(path, 'utf8');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === '\n') {
      row.push(field);
      field = '';
      if (ch === '\n') {
        rows.push(row);
        row = [];
      }
    } else if (ch !== '\r') field += ch;
  }
  return { header: rows[0]!, rows: rows.slice(1) };
}

const ref = (name: string) => readFileSync(join(REF, name), 'utf8');
const sorted = (lines: string[]) => [...lines].sort();
const lines = (text: string) => text.trimEnd().split('\n').slice(1);

/** Opens a store on one file for the tests of a block. */
function storeOf(file: string, name: string) {
  const state = {} as { store: Store };
  beforeAll(async () => {
    state.store = (await ingestInto(tmp.dir, file, {}, name)).store;
  });
  afterAll(() => state.store?.close());
  return state;
}

describe('CooRTweet 2.1.3 on russian_coord_tweets (shared-object)', () => {
  const s = storeOf(join(DATA, 'russian_coord_tweets.csv'), 'rct.duckdb');
  let groups: CoortweetPairs;
  let pairs: CoortweetPair[];
  beforeAll(async () => {
    groups = await coortweetDetectGroups(s.store, {
      object: 'shared-object',
      timeWindow: 60,
      minParticipation: 2,
    });
    pairs = await groups.rows();
  });

  it('detect_groups(time_window = 60, min_participation = 2): the 3,791 pairs of the reference', async () => {
    const reference = readCsv(join(REF, 'rct_detect_groups_tw60_mp2.csv'));
    expect(reference.header).toEqual([...PAIR_COLUMNS]);
    expect(groups.count).toBe(3791);
    expect(pairs).toHaveLength(3791);
    // The same rows, as sets (time_delta compared as a number) ...
    const key = (r: (string | number)[]) => JSON.stringify([r[0], r[1], r[2], Number(r[3]), r[4], r[5]]);
    expect(sorted(pairs.map((p) => key(PAIR_COLUMNS.map((c) => p[c]))))).toEqual(
      sorted(reference.rows.map(key)),
    );
    // ... in CooRTweet's order and fwrite's format, byte for byte, from JavaScript and from DuckDB.
    expect(csvText('fwrite', PAIR_CSV, pairs)).toBe(ref('rct_detect_groups_tw60_mp2.csv'));
    const file = join(tmp.dir, 'rct_pairs.csv');
    await groups.writeCsv(file);
    expect(readFileSync(file, 'utf8')).toBe(ref('rct_detect_groups_tw60_mp2.csv'));
    // content_id is the older share; ties (time_delta 0) keep CooRTweet's row order.
    expect(pairs.every((p) => p.time_delta >= 0 && p.time_delta <= 60)).toBe(true);
    expect(pairs.some((p) => p.time_delta === 60)).toBe(true);
  });

  it('generate_coordinated_network(edge_weight = 0.5, subgraph = 1): 94 nodes, 60 edges, 34 components', async () => {
    const full = await groups.network({ edgeWeight: 0.5 });
    expect(full.edges).toHaveLength(3721);
    expect(full.totalEdges).toBe(3721);
    expect(full.nodes).toHaveLength(2110);
    const sub = await groups.network({ edgeWeight: 0.5, subgraph: true });
    expect(sub.weightThreshold).toBe(full.weightThreshold);
    expect(sub.totalEdges).toBe(3721);
    expect(sub.edges).toHaveLength(60);
    expect(sub.nodes).toHaveLength(94);
    expect(new Set(sub.nodes.map((n) => n.component)).size).toBe(34);
    expect(sub.edges.every((e) => e.weight > sub.weightThreshold && e.weight_threshold === 1)).toBe(true);
    expect(full.edges.filter((e) => e.weight_threshold === 1)).toEqual(sub.edges);

    // Edges as sets of undirected pairs with their attributes, then byte for byte (igraph's order).
    const columns = edgeCsvColumns(false);
    const reference = readCsv(join(REF, 'rct_network_tw60_mp2_ew0.5_edges.csv'));
    expect(reference.header).toEqual(columns.map((c) => c.name));
    const key = (r: string[]) => JSON.stringify([[r[0], r[1]].sort(), ...r.slice(2).map(Number)]);
    const mine = lines(csvText('fwrite', columns, sub.edges)).map((l) => key(l.split(',')));
    expect(sorted(mine)).toEqual(sorted(reference.rows.map(key)));
    expect(csvText('fwrite', columns, sub.edges)).toBe(ref('rct_network_tw60_mp2_ew0.5_edges.csv'));
    expect(csvText('fwrite', NODE_CSV, sub.nodes)).toBe(ref('rct_network_tw60_mp2_ew0.5_nodes.csv'));
  });

  it('time_window = 10, min_participation = 5: the 20 edges of the full graph', async () => {
    const g = await coortweetDetectGroups(s.store, {
      object: 'shared-object',
      timeWindow: 10,
      minParticipation: 5,
    });
    const net = await g.network({ edgeWeight: 0.5 });
    await g.drop();
    expect(net.edges).toHaveLength(20);
    expect(csvText('fwrite', edgeCsvColumns(false), net.edges)).toBe(ref('rct_network_tw10_mp5_edges.csv'));
  });

  it('remove_loops = FALSE keeps the loops too', async () => {
    const g = await coortweetDetectGroups(s.store, {
      object: 'shared-object',
      timeWindow: 60,
      minParticipation: 2,
      removeLoops: false,
    });
    const all = await g.rows();
    await g.drop();
    const key = (p: CoortweetPair) => JSON.stringify(PAIR_COLUMNS.map((c) => p[c]));
    const everything = new Set(all.map(key));
    expect(pairs.every((p) => everything.has(key(p)))).toBe(true);
    // An account re-sharing an object within the window, and the file's one exact repeated row.
    expect(all.some((p) => p.account_id === p.account_id_y && p.content_id !== p.content_id_y)).toBe(true);
    expect(all.filter((p) => p.content_id === p.content_id_y)).toHaveLength(1);
  });

  it('writes the five result files', async () => {
    const dir = join(tmp.dir, 'rct-out');
    mkdirSync(dir);
    const written = await writeCoortweetCsv(dir, groups, { edgeWeight: 0.5 });
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual([
      COORTWEET_FILES.pairs,
      COORTWEET_FILES.edges,
      COORTWEET_FILES.nodes,
      COORTWEET_FILES.subgraphEdges,
      COORTWEET_FILES.subgraphNodes,
    ]);
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    expect(read(COORTWEET_FILES.pairs)).toBe(ref('rct_detect_groups_tw60_mp2.csv'));
    expect(read(COORTWEET_FILES.subgraphEdges)).toBe(ref('rct_network_tw60_mp2_ew0.5_edges.csv'));
    expect(read(COORTWEET_FILES.subgraphNodes)).toBe(ref('rct_network_tw60_mp2_ew0.5_nodes.csv'));
    expect(lines(read(COORTWEET_FILES.edges))).toHaveLength(3721);
    expect(lines(read(COORTWEET_FILES.nodes))).toHaveLength(2110);
  });
});

describe('CooRTweet 2.1.3 on german_elections: Facebook URL co-sharing (shared-link)', () => {
  const s = storeOf(join(DATA, 'german_elections.csv'), 'ge.duckdb');

  it('detect_groups(time_window = 60, min_participation = 2): the 6,288 pairs; 1,645 edges, 754 above the median', async () => {
    const options = {
      object: 'shared-link',
      timeWindow: 60,
      minParticipation: 2,
      platform: 'facebook',
    } as const;
    const groups = await coortweetDetectGroups(s.store, options);
    expect(groups.count).toBe(6288);
    expect(csvText('fwrite', PAIR_CSV, await groups.rows())).toBe(
      ref('ge_fb_urls_detect_groups_tw60_mp2.csv'),
    );

    const net = await groups.network({ edgeWeight: 0.5, objects: true });
    await groups.drop();
    expect(net.edges).toHaveLength(1645);
    expect(net.nodes).toHaveLength(503);
    expect(net.edges.filter((e) => e.weight_threshold === 1)).toHaveLength(754);
    const columns = edgeCsvColumns(true);
    const reference = readCsv(join(REF, 'ge_fb_urls_network_tw60_mp2_ew0.5_edges.csv'));
    expect(reference.header).toEqual(columns.map((c) => c.name));
    expect(csvText('fwrite', columns, net.edges)).toBe(ref('ge_fb_urls_network_tw60_mp2_ew0.5_edges.csv'));
  });

  it('sees only the platform asked for', async () => {
    const run = async (platform?: string) => {
      const g = await coortweetDetectGroups(s.store, {
        object: 'shared-link',
        timeWindow: 60,
        minParticipation: 2,
        platform,
      });
      const rows = await g.rows();
      await g.drop();
      return rows;
    };
    expect((await run()).some((p) => p.account_id.startsWith('tw_'))).toBe(true);
    const fb = await run('facebook');
    expect(fb).toHaveLength(6288);
    expect(fb.every((p) => p.account_id.startsWith('fb_') && p.account_id_y.startsWith('fb_'))).toBe(true);
  });
});

describe('coordination-network-toolkit: co-retweet conformance', () => {
  const s = storeOf(join(CNT_DIR, 'coretweet_test_input.csv'), 'cnt.duckdb');
  const expected = JSON.parse(readFileSync(join(CNT_DIR, 'expected_co_retweet.json'), 'utf8')) as {
    cases: { time_window: number; min_edge_weight: number; loops: boolean; expected_nodes: number }[];
  };

  it.each(expected.cases)(
    'time_window=$time_window min_edge_weight=$min_edge_weight loops=$loops: $expected_nodes nodes',
    async (c) => {
      const edges = await cntCoRetweet(s.store, {
        timeWindow: c.time_window,
        minEdgeWeight: c.min_edge_weight,
        loops: c.loops,
      });
      expect(cntNodes(edges)).toHaveLength(c.expected_nodes);
    },
  );

  it('directed edges weighted by the messages of user_1 that have a co-retweet, as the toolkit counts', async () => {
    const edges = await cntCoRetweet(s.store, { timeWindow: 1, loops: true });
    expect(edges).toEqual([
      { source: 'uid0', target: 'uid0', weight: 2, edge_type: 'co_retweet' },
      { source: 'uid4', target: 'uid5', weight: 1, edge_type: 'co_retweet' },
      { source: 'uid5', target: 'uid4', weight: 1, edge_type: 'co_retweet' },
    ]);
    writeCntCsv(tmp.dir, edges);
    expect(readFileSync(join(tmp.dir, 'co_retweet_edges.csv'), 'utf8')).toBe(
      '"source","target","weight","edge_type"\r\n' +
        '"uid0","uid0","2","co_retweet"\r\n"uid4","uid5","1","co_retweet"\r\n"uid5","uid4","1","co_retweet"\r\n',
    );
    expect(CNT_EDGE_CSV.map((c) => c.name)).toEqual(['source', 'target', 'weight', 'edge_type']);
  });

  it('weights differ by direction when one account retweets more', async () => {
    // a retweets x at 0 and 100, b once at 50: both of a's retweets are within 60 s of b's.
    const file = tmp.file(
      'asym.csv',
      'message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n' +
        '1,a,a,x,,rt,1700000000,\n2,a,a,x,,rt,1700000100,\n3,b,b,x,,rt,1700000050,\n',
    );
    const { store } = await ingestInto(tmp.dir, file, {}, 'asym.duckdb');
    try {
      const edges = await cntCoRetweet(store, { timeWindow: 60 });
      expect(edges.map((e) => [e.source, e.target, e.weight])).toEqual([
        ['a', 'b', 2],
        ['b', 'a', 1],
      ]);
    } finally {
      store.close();
    }
  });
});

describe('time-bucket join', () => {
  /** The toolkit's query evaluated naively: every ordered pair of distinct retweets. */
  function naive(rows: { u: string; obj: string; t: number; id: number }[], w: number, loops: boolean) {
    const hit = new Map<string, Set<number>>();
    for (const a of rows)
      for (const b of rows) {
        if (a.id === b.id || a.obj !== b.obj || Math.abs(a.t - b.t) > w || (!loops && a.u === b.u)) continue;
        const k = `${a.u}\u0000${b.u}`;
        if (!hit.has(k)) hit.set(k, new Set());
        hit.get(k)!.add(a.id);
      }
    return [...hit.entries()]
      .map(([k, ids]) => [...k.split('\u0000'), ids.size] as [string, string, number])
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  }

  it('finds the same pairs as a range join, at bucket edges, before 1970 and with fractional times', async () => {
    // Deterministic pseudo-random retweets: few objects, times on a coarse grid so that many pairs
    // fall exactly on the window or on bucket boundaries.
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rows = Array.from({ length: 400 }, (_, id) => ({
      id,
      u: `u${Math.floor(rand() * 25)}`,
      obj: `o${Math.floor(rand() * 6)}`,
      t: Math.round((rand() * 2000 - 1000) * 4) / 4,
    }));
    const csv = rows.map((r) => `${r.id},${r.u},${r.u},${r.obj},,rt,${r.t},`).join('\n');
    const file = tmp.file(
      'grid.csv',
      `message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n${csv}\n`,
    );
    const { store } = await ingestInto(tmp.dir, file, {}, 'grid.duckdb');
    try {
      for (const w of [0, 0.25, 1, 7.5, 60])
        for (const loops of [false, true]) {
          const edges = await cntCoRetweet(store, { timeWindow: w, loops });
          expect(edges.map((e) => [e.source, e.target, e.weight])).toEqual(naive(rows, w, loops));
        }
    } finally {
      store.close();
    }
  });
});

describe('R semantics', () => {
  it("quantile type 7 as R's quantile()", () => {
    const quantile = (values: number[], p: number) => {
      const x = [...values].sort((a, b) => a - b);
      const index = 1 + (x.length - 1) * p;
      return quantileType7(x[Math.floor(index) - 1]!, x[Math.ceil(index) - 1]!, index);
    };
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 1, 1, 2, 3], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.33)).toBeCloseTo(3.97, 12);
    expect(quantile([5], 0.99)).toBe(5);
    expect(quantile([1, 1, 1, 2], 0)).toBe(1);
    expect(quantile([1, 1, 1, 2], 1)).toBe(2);
  });

  it("doubles as data.table's fwrite writes them", () => {
    const cases: [number, string][] = [
      [86 / 3, '28.6666666666667'],
      // fwrite's digits are not correctly rounded: 292 / 11 = 26.545454545454547 is written with a
      // 15th digit 6 in the German reference (toPrecision(15) gives ...545), and 232 / 7 likewise.
      [292 / 11, '26.5454545454546'],
      [232 / 7, '33.1428571428572'],
      [17.5, '17.5'],
      [1 / 3, '0.333333333333333'],
      [0.1 + 0.2, '0.3'],
      [36, '36'],
      [0, '0'],
      [-2.5, '-2.5'],
      [0.001, '0.001'],
      [0.0001, '1e-04'],
      [1e-5, '1e-05'],
      [100000, '1e+05'],
      [123456, '123456'],
      [110000, '110000'],
      [1.5e20, '1.5e+20'],
      [2 / 3, '0.666666666666667'],
      [Number.NaN, ''],
    ];
    for (const [x, text] of cases) expect(fwriteDouble(x), String(x)).toBe(text);
  });

  it('time differences written by DuckDB as fwrite writes them', async () => {
    const { store } = await ingestInto(tmp.dir, join(CNT_DIR, 'coretweet_test_input.csv'), {}, 'fmt.duckdb');
    try {
      const micros = [
        0, 1, 5, 10, 100, 123, 1000, 999999, 1000000, 1500000, 36000000, 60000000, 100000000000,
      ];
      micros.push(123456789, 100000, 10000, 1200000000, 86400000000, 31536000000000, 123456789012345);
      let seed = 3;
      for (let i = 0; i < 300; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        micros.push(Math.floor((seed / 2 ** 31) * 10 ** (1 + (i % 14))));
      }
      const rows = await store.all<{ d: number; s: string }>(
        `SELECT d, ${fwriteMicrosSql('d')} AS s FROM (SELECT unnest([${micros.join(',')}]::BIGINT[]) AS d)`,
      );
      for (const { d, s } of rows) expect(s, String(d)).toBe(fwriteDouble(d / 1e6));
    } finally {
      store.close();
    }
  });

  it('refuses bad options with a UsageError', async () => {
    const { store } = await ingestInto(tmp.dir, join(CNT_DIR, 'coretweet_test_input.csv'), {}, 'bad.duckdb');
    try {
      const g = await coortweetDetectGroups(store, {
        object: 'shared-object',
        timeWindow: 60,
        minParticipation: 1,
      });
      await expect(g.network({ edgeWeight: 1.5 })).rejects.toThrow(UsageError);
      await g.drop();
      await expect(
        coortweetDetectGroups(store, { object: 'shared-object', timeWindow: -1, minParticipation: 2 }),
      ).rejects.toThrow(UsageError);
      await expect(
        coortweetDetectGroups(store, {
          object: 'shared-thing' as 'shared-object',
          timeWindow: 1,
          minParticipation: 2,
        }),
      ).rejects.toThrow(UsageError);
      await expect(cntCoRetweet(store, { timeWindow: Number.NaN })).rejects.toThrow(UsageError);
      await expect(cntCoRetweet(store, { timeWindow: 1, minEdgeWeight: -1 })).rejects.toThrow(UsageError);
    } finally {
      store.close();
    }
  });
});
