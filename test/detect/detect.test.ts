/**
 * Detection end to end against the simulator's ground truth (docs/simulator.md): a month simulated
 * in process (X archive CSV, minute timestamps), ingested, detected with the default settings, and
 * scored at the account level:
 * - precision = planted accounts flagged / accounts flagged outside open coordination (the
 *   simulator's `open_coordination` groups are authentic coordination a detector should find:
 *   flagging them is right, calling them deceptive is not, so their clusters must carry an open
 *   indicator instead);
 * - recall over all planted accounts, per operation, per tactic (accounts that took part in an order
 *   of that tactic) and over sleepers;
 * - organic accounts of the hard negatives (viral cascades, news bursts, petitions, share buttons).
 * Then every evidence post is checked against the store, and a second run must give the same result.
 * Last, two small rings among ordinary retweeters (second timestamps) show how clusters are cut.
 *
 * Measured with these settings (150k posts, default scenario, seeds 1-6; the engine as of this file):
 *   seed 1: precision 1.000 (382/382; 0.977 counting the 9 syndicated-outlet accounts as errors),
 *           recall 0.987 (382/387), every tactic 1.000, sleepers 0.918 (56/61), op5 (the sleeper
 *           network) 0.826 (19/23), the others 0.994-1.000; no cascade, news, petition or
 *           share-button account flagged; about 9 s to simulate and ingest, 3 s to detect.
 *   seeds 4 and 6: the same picture (precision 0.997 and 1.000, recall 0.992 and 0.979).
 *   seeds 2, 3 and 5: a false cluster of 20-34 organic accounts (news outlets and accounts that
 *           reacted to a news burst): precision 0.951, 0.930 and 0.919. At 100k posts, seed 5 shows
 *           it too (35 accounts, precision 0.899); seeds 1-4 do not (0.997-1.000).
 *   So the precision bound holds on half the seeds at this size: see the `it.fails` case.
 * Since then the membership test needs two posts of an account's own with the group: seed 1 keeps
 * its precision, sleepers fall to 0.787 (48/61) and op5 to 0.652 (15/23); the seed-5 false cluster
 * of news outlets remains (the outlets themselves co-post each event's tag).
 * The bounds are the (precision >= 0.97, recall >= 0.90 overall, per tactic and for sleepers).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { detect } from '../../src/detect/index.js';
import { logPoissonTailBound } from '../../src/detect/stats.js';
import type { DetectionResult } from '../../src/detect/types.js';
import { simulate } from '../../src/simulate/index.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto, scratch } from '../helpers/store.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Organic processes that look coordinated (the simulator's hard negatives, open ones aside). */
const HARD_NEGATIVES = ['cascade', 'news', 'petition', 'share-button'] as const;

interface Truth {
  /** account_id -> label, operation, role, open group. */
  accounts: Map<string, { label: string; operation: string; role: string; group: string }>;
  /** Planted accounts per tactic they executed at least once. */
  tactics: Map<string, Set<string>>;
  /** Organic accounts per hard-negative process they took part in. */
  hardNegatives: Map<string, Set<string>>;
}

/** The ground truth files, read by DuckDB. */
async function readTruth(store: Store, dir: string): Promise<Truth> {
  const accountsFile = sql(join(dir, 'ground_truth_accounts.csv'));
  const postsFile = sql(join(dir, 'ground_truth_posts.csv'));
  const rows = await store.all<{
    account_id: string;
    label: string;
    operation: string;
    role: string;
    group: string;
  }>(
    `SELECT account_id, label, coalesce(operation, '') AS operation, role, coalesce("group", '') AS "group"
     FROM read_csv(${accountsFile}, all_varchar = true)`,
  );
  const accounts = new Map(rows.map((r) => [r.account_id, r]));
  const bySource = await store.all<{ kind: string; accounts: string[] }>(
    `WITH t AS (
       SELECT p.account_id, string_split(p.source, ':') AS parts, a.label
       FROM read_csv(${postsFile}, all_varchar = true) p
       JOIN read_csv(${accountsFile}, all_varchar = true) a USING (account_id))
     SELECT CASE WHEN label = 'operation' THEN 'tactic:' || parts[2] ELSE parts[1] END AS kind,
            list(DISTINCT account_id) AS accounts
     FROM t WHERE (label = 'operation' AND len(parts) = 3) OR (label = 'organic' AND len(parts) >= 1)
     GROUP BY ALL`,
  );
  const tactics = new Map<string, Set<string>>();
  const hardNegatives = new Map<string, Set<string>>();
  for (const r of bySource) {
    if (r.kind.startsWith('tactic:')) tactics.set(r.kind.slice(7), new Set(r.accounts));
    else if ((HARD_NEGATIVES as readonly string[]).includes(r.kind)) {
      // Open-group members (the campaign) are authentic coordination, not a hard negative.
      hardNegatives.set(r.kind, new Set(r.accounts.filter((a) => !accounts.get(a)!.group)));
    }
  }
  return { accounts, tactics, hardNegatives };
}

interface Score {
  flagged: Set<string>;
  planted: number;
  hits: number;
  /** Flagged accounts outside operations and outside open groups. */
  falsePositives: string[];
  openFlagged: number;
  precision: number;
  recall: number;
  recallOf: (accounts: Iterable<string>) => { hits: number; total: number; recall: number };
}

function score(result: DetectionResult, truth: Truth): Score {
  const flagged = new Set(result.clusters.flatMap((c) => c.accounts));
  const planted = [...truth.accounts.values()].filter((a) => a.label === 'operation').length;
  const label = (a: string) => truth.accounts.get(a);
  const hits = [...flagged].filter((a) => label(a)?.label === 'operation').length;
  const openFlagged = [...flagged].filter((a) => label(a)?.label === 'organic' && label(a)!.group).length;
  const falsePositives = [...flagged].filter((a) => label(a)?.label !== 'operation' && !label(a)?.group);
  const recallOf = (accounts: Iterable<string>) => {
    const list = [...accounts];
    const h = list.filter((a) => flagged.has(a)).length;
    return { hits: h, total: list.length, recall: list.length ? h / list.length : 1 };
  };
  return {
    flagged,
    planted,
    hits,
    falsePositives,
    openFlagged,
    precision: hits / Math.max(1, hits + falsePositives.length),
    recall: hits / Math.max(1, planted),
    recallOf,
  };
}

/** Simulates, ingests and detects one month; the store stays open for the block's tests. */
function month(posts: number, seed: number, scenario = 'default') {
  const state = {} as { store: Store; dir: string; result: DetectionResult; truth: Truth; score: Score };
  beforeAll(async () => {
    state.dir = join(tmp.dir, `${scenario}-${posts}-${seed}`);
    const sim = simulate({ out: state.dir, posts, seed, scenario, postTruth: true });
    state.store = (await ingestInto(state.dir, sim.files[0]!)).store;
    state.result = await detect(state.store);
    state.truth = await readTruth(state.store, state.dir);
    state.score = score(state.result, state.truth);
  }, 120_000);
  afterAll(() => state.store?.close());
  return state;
}

/** What differs between two runs on purpose: the wall-clock time. */
const stable = (r: DetectionResult) => ({ ...r, createdAt: '', stats: { ...r.stats, seconds: 0 } });

/** Paths where two JSON values differ (numbers by more than `tolerance`, relative). */
function differences(a: unknown, b: unknown, tolerance: number, path = '', out: string[] = []): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b && !(Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b))))
      out.push(`${path}: ${a} vs ${b}`);
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)]))
      differences(x[k], y[k], tolerance, `${path}.${k}`, out);
  } else if (a !== b) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return out;
}

describe('the default month: six planted operations among every hard negative (150k posts, seed 1)', () => {
  const m = month(150_000, 1);

  it('flags the planted accounts with precision >= 0.97 and recall >= 0.90', () => {
    const s = m.score;
    const report = `precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (${s.hits}/${s.planted}); false positives: ${s.falsePositives
      .slice(0, 10)
      .map((a) => JSON.stringify(m.truth.accounts.get(a)))
      .join(' ')}`;
    expect(s.planted, 'the simulator planted operations').toBeGreaterThan(300);
    expect(s.precision, report).toBeGreaterThanOrEqual(0.97);
    expect(s.recall, report).toBeGreaterThanOrEqual(0.9);
  });

  it('finds every operation as its own cluster, every tactic and the sleepers', () => {
    const byOperation = new Map<string, string[]>();
    for (const [id, a] of m.truth.accounts)
      if (a.label === 'operation')
        byOperation.set(a.operation, [...(byOperation.get(a.operation) ?? []), id]);
    expect([...byOperation.keys()].sort()).toEqual(['op1', 'op2', 'op3', 'op4', 'op5', 'op6']);
    const clusterOf = new Map(m.result.clusters.flatMap((c) => c.accounts.map((a) => [a, c.id] as const)));
    for (const [op, accounts] of byOperation) {
      const r = m.score.recallOf(accounts);
      // Measured 0.652 (15/23) for op5 (70% sleepers) since the membership test needs two posts of
      // an account's own with the group (a sleeper that co-acts once is not taken in; it was 0.826
      // before), 0.994-1.000 for the others.
      expect(r.recall, `${op}: ${r.hits}/${r.total}`).toBeGreaterThanOrEqual(op === 'op5' ? 0.6 : 0.9);
      // One operation, one cluster (measured: every operation's flagged accounts in a single cluster).
      const clusters = new Map<string, number>();
      for (const a of accounts)
        if (clusterOf.has(a)) clusters.set(clusterOf.get(a)!, (clusters.get(clusterOf.get(a)!) ?? 0) + 1);
      expect(
        Math.max(...clusters.values()) / r.hits,
        `${op} spread over ${clusters.size} clusters`,
      ).toBeGreaterThan(0.9);
    }
    // Each cluster holding planted accounts is (almost) one operation's.
    for (const c of m.result.clusters) {
      const ops = c.accounts.map((a) => m.truth.accounts.get(a)!.operation).filter(Boolean);
      if (!ops.length) continue;
      const top = Math.max(...[...new Set(ops)].map((o) => ops.filter((x) => x === o).length));
      expect(top / c.size, `${c.id}`).toBeGreaterThanOrEqual(0.95);
    }
    expect([...m.truth.tactics.keys()].sort()).toEqual([
      'copy-paste',
      'hashtag-order',
      'link-laundering',
      'reply-swarm',
      'retweet-ring',
    ]);
    for (const [tactic, accounts] of m.truth.tactics) {
      const r = m.score.recallOf(accounts);
      expect(r.recall, `${tactic}: ${r.hits}/${r.total}`).toBeGreaterThanOrEqual(0.9);
    }
    const sleepers = [...m.truth.accounts].filter(([, a]) => a.role === 'sleeper').map(([id]) => id);
    const r = m.score.recallOf(sleepers);
    expect(r.total).toBeGreaterThan(30);
    // Below the 0.90, by choice: measured 0.787 (48/61). A sleeper whose one post landed in
    // the group's burst is not taken in (one occasion is weak evidence, and organic accounts land in
    // bursts too: taking them cost 2-7% precision at 150k-10M posts). See docs/method.md.
    expect(r.recall, `sleepers: ${r.hits}/${r.total}`).toBeGreaterThanOrEqual(0.75);
  });

  it('leaves organic accounts of viral cascades and the other hard negatives alone', () => {
    for (const kind of HARD_NEGATIVES) {
      const accounts = m.truth.hardNegatives.get(kind) ?? new Set();
      expect(accounts.size, `${kind} accounts in the month`).toBeGreaterThan(100);
      const r = m.score.recallOf(accounts);
      // Measured: none flagged, for every kind.
      if (kind === 'cascade') expect(r.hits, 'cascade retweeters flagged').toBe(0);
      else expect(r.recall, `${kind}: ${r.hits}/${r.total} flagged`).toBeLessThanOrEqual(0.01);
    }
    // Influencers, journalists and outlets, whose posts everyone shares, are not flagged either.
    const roles = m.score.falsePositives.map((a) => m.truth.accounts.get(a)!.role);
    expect(roles.filter((r) => r !== 'regular')).toEqual([]);
  });

  it('flags open coordination only with an open indicator, in clusters of its own', () => {
    expect(m.score.openFlagged, 'the syndicated outlets are found').toBeGreaterThan(0);
    for (const c of m.result.clusters) {
      const groups = new Set(c.accounts.map((a) => m.truth.accounts.get(a)!.group));
      if (![...groups].some(Boolean)) continue;
      expect([...groups], `${c.id} mixes groups`).toHaveLength(1);
      expect(c.openIndicators.length, `${c.id} (${[...groups][0]})`).toBeGreaterThan(0);
    }
    // Operations' clusters carry no open indicator: they are sustained and named by templates.
    for (const c of m.result.clusters)
      if (c.accounts.some((a) => m.truth.accounts.get(a)!.label === 'operation')) {
        expect(c.openIndicators, c.id).toEqual([]);
        expect(c.pattern).toBe('sustained');
      }
  });

  it('describes clusters and edges consistently', () => {
    const r = m.result;
    const clusterOf = new Map(r.clusters.flatMap((c) => c.members.map((x) => [x.key, c.id] as const)));
    expect(r.stats.accountsInClusters).toBe(clusterOf.size);
    expect(r.clusters.map((c) => c.id)).toEqual(r.clusters.map((_, i) => `C${i + 1}`));
    for (const c of r.clusters) {
      expect(c.size).toBe(c.accounts.length);
      expect(c.size).toBeGreaterThanOrEqual(r.params.minClusterSize);
      expect(c.log10P).toBeCloseTo(logPoissonTailBound(c.observed, c.expected) / Math.LN10, 6);
      expect(c.observed).toBeGreaterThan(c.expected);
      expect(c.signals.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 9);
    }
    expect(r.edges.length).toBeGreaterThan(0);
    for (const e of r.edges) {
      expect(clusterOf.get(e.source)).toBeDefined();
      expect(clusterOf.get(e.source)).toBe(clusterOf.get(e.target));
      expect(e.coActions).toBeGreaterThanOrEqual(r.params.minParticipation);
      expect(e.pValue).toBeLessThanOrEqual(r.stats.pThreshold * (1 + 1e-12));
    }
  });

  it('shows evidence that is in the store: the posts, their times and accounts, members only', async () => {
    const r = m.result;
    const items = r.clusters.flatMap((c) => c.evidence.map((e) => ({ c, e })));
    expect(items.length).toBeGreaterThanOrEqual(r.clusters.length);
    const keys = [
      ...new Set(items.flatMap(({ e }) => e.posts.map((p) => `(${sql(p.platform)}, ${sql(p.postId)})`))),
    ];
    const stored = await m.store.all<{
      key: string;
      account_id: string;
      ms: number;
      kind: string;
      text: string | null;
      ref: string | null;
      reply: string | null;
      hashtags: string[];
      urls: string[];
      mentions: string[];
      n: number;
    }>(
      `SELECT platform || '/' || post_id AS key, any_value(account_id) AS account_id,
              any_value(epoch_ms(created_at))::DOUBLE AS ms, any_value(kind) AS kind, any_value(text) AS text,
              any_value(platform || ':' || ref_post_id) AS ref, any_value(platform || ':' || reply_to_post_id) AS reply,
              any_value(hashtags) AS hashtags, any_value(urls) AS urls, any_value(mentions) AS mentions,
              count(*)::INTEGER AS n
       FROM posts WHERE (platform, post_id) IN (${keys.join(', ')}) GROUP BY ALL`,
    );
    const byKey = new Map(stored.map((s) => [s.key, s]));
    const window = (signal: string) => r.params.signals[signal as keyof typeof r.params.signals]!.window;
    for (const { c, e } of items) {
      const what = `${c.id} ${e.signal} ${e.object}`;
      expect(e.posts.length, what).toBeGreaterThanOrEqual(2);
      expect(e.accounts, what).toBeGreaterThanOrEqual(2);
      expect(new Set(e.posts.map((p) => p.accountId)).size, what).toBeGreaterThanOrEqual(2);
      const t0 = Date.parse(e.posts[0]!.createdAt);
      let previous = t0;
      for (const p of e.posts) {
        const s = byKey.get(`${p.platform}/${p.postId}`);
        expect(s, `${what}: post ${p.postId} is not in the store`).toBeDefined();
        expect(s!.n, `${p.postId} is one post`).toBe(1);
        expect(s!.account_id, what).toBe(p.accountId);
        expect(s!.ms, `${what}: ${p.postId} time`).toBe(Date.parse(p.createdAt));
        expect(s!.kind).toBe(p.kind);
        expect(s!.text).toBe(p.text);
        expect(c.accounts, `${what}: ${p.accountId} is not a member`).toContain(p.accountId);
        const at = Date.parse(p.createdAt);
        expect(at, `${what}: time order`).toBeGreaterThanOrEqual(previous);
        previous = at;
        expect(p.deltaSeconds).toBe(Math.round((at - t0) / 1000));
        // Every post acts on the object shown.
        if (e.signal === 'shared-object') expect(s!.ref).toBe(e.object);
        if (e.signal === 'reply-target') expect(s!.reply).toBe(e.object);
        if (e.signal === 'shared-hashtag') expect(s!.hashtags).toContain(e.object);
        if (e.signal === 'shared-link') expect(s!.urls).toContain(e.object);
        if (e.signal === 'mention-target')
          expect(s!.mentions.map((x) => `${p.platform}:${x}`)).toContain(e.object);
      }
      expect(e.spanSeconds).toBe(e.posts.at(-1)!.deltaSeconds);
      expect(e.spanSeconds, what).toBeLessThanOrEqual(3600 + window(e.signal));
    }
    // The signals behind the evidence are varied: the operations use five tactics.
    expect(new Set(items.map((x) => x.e.signal)).size).toBeGreaterThanOrEqual(3);
  });

  describe('run twice on the same store with the same seed', () => {
    let again: DetectionResult;
    beforeAll(async () => {
      again = await detect(m.store, { seed: m.result.params.seed });
    });

    it('gives the same clusters, members and edges, and the same statistics to 1e-9', () => {
      const noEvidence = (r: DetectionResult) => ({
        ...stable(r),
        clusters: r.clusters.map((c) => ({ ...c, evidence: c.evidence.length })),
      });
      expect(again.clusters.length).toBeGreaterThan(0);
      expect(differences(noEvidence(again), noEvidence(m.result), 1e-9)).toEqual([]);
    });

    // Two runs once differed: parallel sums of doubles in their last digits (now reported to 12
    // significant digits, summary.ts) and the object kept for a pair of posts on ties of time
    // (now broken by object key, pairs.ts). Near the BH threshold the raw sums could still flip a
    // pair's significance; the reported result is identical.
    it('gives the identical result, evidence and all digits included', () => {
      expect(differences(stable(again), stable(m.result), 0)).toEqual([]);
    });
  });
});

describe('the default month at 100k posts, seed 5: news outlets and their readers', () => {
  const m = month(100_000, 5);

  // Once a known weakness: 35 organic accounts (7 news outlets, 28 accounts that each reacted to a
  // news burst, mostly once) formed a cluster bound by shared-hashtag co-actions, precision 0.899.
  // Since the membership test needs two posts of an account's own and pairs are tested per signal
  // too (docs/method.md), this seed shows no false cluster (measured; which change did it was not
  // isolated).
  it('keeps precision >= 0.97 with news bursts among the hard negatives', () => {
    const s = m.score;
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(
      s.precision,
      `precision ${s.precision.toFixed(3)} (${s.falsePositives.length} false positives)`,
    ).toBeGreaterThanOrEqual(0.97);
  });
});

describe('the organic month: no operation at all (100k posts, seed 1)', () => {
  const m = month(100_000, 1, 'organic');

  it('flags no account outside open coordination', () => {
    // Measured on seeds 1-3: none; only the three syndicated outlets (3 accounts each) are flagged,
    // each cluster marked with the shared-name indicator.
    expect(m.score.planted).toBe(0);
    expect(m.truth.accounts.size).toBeGreaterThan(7000);
    expect(
      m.score.falsePositives,
      m.score.falsePositives.map((a) => JSON.stringify(m.truth.accounts.get(a))).join(' '),
    ).toEqual([]);
    for (const c of m.result.clusters) expect(c.openIndicators.length, c.id).toBeGreaterThan(0);
    // The test had something to resist: thousands of significant-looking co-actions among organic accounts.
    expect(m.result.stats.signals['shared-object']!.pairs).toBeGreaterThan(100_000);
  });
});

/**
 * A retweet ring in a coordination-network-toolkit CSV (second timestamps): 300 accounts post 700
 * times over ten days and repost 3,000 times (Zipf-like popularity, delays of about an hour); 8 ring
 * accounts repost 25 posts one after another, 8 seconds apart: posts of their own core account a
 * minute after it posts them, or (`popular`) posts of the others, 2 to 15 minutes after they appear.
 */
function ringCorpus(popular: boolean): string {
  const rng = new Rng(42);
  const start = Date.UTC(2024, 5, 3) / 1000;
  const rows: string[] = [];
  const originals: { id: number; t: number }[] = [];
  let id = 1000;
  for (let i = 0; i < 700; i++) {
    const user = rng.int(1, 300);
    originals.push({ id: ++id, t: start + rng.int(0, 10 * 86_400) });
    rows.push(`${id},${user},user${user},,,post ${i} about the weather,${originals.at(-1)!.t},`);
  }
  for (let i = 0; i < 3000; i++) {
    const source = originals[Math.floor(originals.length * rng.next() ** 2)]!;
    const user = rng.int(1, 300);
    rows.push(
      `${++id},${user},user${user},${source.id},,RT,${source.t + Math.round(-3600 * Math.log(1 - rng.next()))},`,
    );
  }
  for (let k = 0; k < 25; k++) {
    let source = originals[rng.int(0, originals.length - 1)]!;
    let t0 = source.t + rng.int(120, 900);
    if (!popular) {
      source = { id: ++id, t: start + rng.int(0, 10 * 86_400) };
      rows.push(`${source.id},8999,ring_core,,,slogan ${k},${source.t},`);
      t0 = source.t + 60;
    }
    for (let i = 0; i < 8; i++) rows.push(`${++id},${9000 + i},ring${i},${source.id},,RT,${t0 + 8 * i},`);
  }
  return `message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n${rows.join('\n')}\n`;
}

/** Detection with the defaults on one of the corpora above. */
function ringResult(popular: boolean) {
  const state = {} as { result: DetectionResult; holding: DetectionResult['clusters'] };
  beforeAll(async () => {
    const name = popular ? 'ring-popular' : 'ring-own';
    const { store } = await ingestInto(
      tmp.dir,
      tmp.file(`${name}.csv`, ringCorpus(popular)),
      {},
      `${name}.duckdb`,
    );
    try {
      state.result = await detect(store);
    } finally {
      store.close();
    }
    state.holding = state.result.clusters.filter((c) => c.accounts.some((a) => RING.includes(a)));
  });
  return state;
}

const RING = Array.from({ length: 8 }, (_, i) => String(9000 + i));

describe('a retweet ring amplifying its own core account', () => {
  const r = ringResult(false);

  it('flags the ring accounts and no one else', () => {
    expect(r.result.clusters.flatMap((c) => c.accounts).sort()).toEqual(RING);
  });

  // Bug (cluster.ts, clusterAccounts): the window estimated here is half the ring's burst (32 s of
  // 56: CooRnet's estimate is the time the quickest objects take to gather half their shares), so
  // each account co-acts only with its 4 neighbours in the sequence; Louvain cuts that band graph
  // into two communities of 4 (9000-9002 + 9004, and the rest), and both are reported, with the same
  // statistics, as clusters C1 and C2; nothing merges communities that co-act with each other
  // beyond chance. Expected: one cluster of the 8 accounts.
  it.fails('reports the ring as one cluster', () => {
    expect(r.holding.map((c) => c.size)).toEqual([RING.length]);
  });
});

describe('a retweet ring among ordinary retweeters of the same posts', () => {
  const r = ringResult(true);

  it('flags every ring account, in one cluster', () => {
    expect(r.holding).toHaveLength(1);
    expect(RING.filter((a) => !r.holding[0]!.accounts.includes(a))).toEqual([]);
  });

  // An ordinary account whose one repost lands in the ring's burst co-acts with all 8 members at
  // once. Tested against r(a) M(C) alone (C's units placed in a's crowds), that admitted it: before
  // cluster.ts's membership test added a's units placed in C's crowds, 6 accounts of 9-17 posts,
  // each with a single repost of one of the ring's 25 posts within the window of its burst, were
  // in the ring's cluster (strength 0: no significant edge).
  it('flags no ordinary retweeter of the same posts', () => {
    const flagged = r.result.clusters.flatMap((c) => c.accounts);
    expect(flagged.filter((a) => !RING.includes(a))).toEqual([]);
  });
});
