#!/usr/bin/env node
// Fingerprint and amplification benchmark (issue 4, docs/forensics/): on simulated X-archive corpora
// of 1M, 3M and 10M posts, `detect` with default parameters, then the fingerprints of all clusters
// (`fingerprintClusters`, the figure against the 20 s target at 10M) and the amplification of the
// flagged clusters with and without near-duplicate text families, each step in its own child
// process that reports its wall time, stage times and peak RSS. The fingerprints are scored against
// the simulator's ground truth: per operation (from the detected cluster holding most of its
// accounts, and from its true account set) the operator UTC offset, office-hours verdict, creation
// batches and handle template; and organic control sets of the same sizes (a random sample, a
// sample of accounts as active as the operation's, and accounts sharing one clock offset) should
// show no office hours, no creation batch and no handle template.
//
//   npm run bench:forensics            # 1M, 3M and 10M posts, writes BENCHMARKS.md
//   node bench/forensics.mjs 1m        # other sizes
//
// Corpora and stores are cached in bench/out/ (sim-N/ and store-N.duckdb, shared with
// bench/detect.mjs) and made on first use; stores are opened read-only. Compare figures within one
// run: the machine is shared and noisy.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, machine, out, prepare, root, sizes, writeSection } from './shared.mjs';

const sizeList = sizes(['1m', '3m', '10m']);

// One script for every step, each run in a fresh process (so that each step's peak RSS is its own):
//   detect DB RESULT              detect(store, {}), the result written to RESULT
//   fingerprint DB RESULT         fingerprintClusters(store, result), every cluster
//   amplification DB RESULT KINDS amplification of the flagged clusters (KINDS: all, or no-text)
//   controls DB SETS              fingerprint(store, sets) of the account sets in SETS
const childScript = `
  import { readFileSync, writeFileSync } from 'node:fs';
  import { Store, detect, fingerprint, fingerprintClusters, amplification, clusterSet, isFlagged }
    from ${JSON.stringify(join(root, 'dist', 'index.js'))};
  const [mode, db, file, kinds] = process.argv.slice(2);
  const store = await Store.open(db, { readOnly: true });
  // A spill directory of this process's own: other processes reading the same store (another
  // benchmark) would share the store's default one, and DuckDB's temp files there are not shareable.
  await store.run(\`SET temp_directory = '\${db}.\${process.pid}.tmp'\`);
  const stages = [];
  const onStage = (s) => { if (s.done) stages.push([s.name, s.seconds]); };
  // The summary of a fingerprint that the benchmark scores (the whole one is large).
  const brief = (f) => {
    const t = f.identity.templates.find((x) => x.significant);
    return {
      accounts: f.accounts,
      posts: f.rhythm.posts,
      offset: f.rhythm.offset.minutes,
      interval: f.rhythm.offset.interval,
      confidence: f.rhythm.offset.confidence,
      officeLike: f.rhythm.officeHours.officeLike,
      verdict: f.rhythm.officeHours.verdict,
      officeShare: f.rhythm.officeHours.officeShare,
      weekendRatio: f.rhythm.officeHours.weekendRatio,
      batchCount: f.creation.batchCount,
      batches: f.creation.batches.map((b) => [b.start, b.end, b.count]),
      template: t ? { template: t.template, example: t.example, share: t.share, enrichment: t.enrichment } : null,
      scriptedShare: f.cadence.scriptedShare,
    };
  };
  const t0 = performance.now();
  let report;
  if (mode === 'detect') {
    const r = await detect(store, {}, { onStage });
    writeFileSync(file, JSON.stringify(r));
    report = { data: r.data, clusters: r.clusters.length };
  } else if (mode === 'fingerprint') {
    const r = await fingerprintClusters(store, JSON.parse(readFileSync(file, 'utf8')), { onStage });
    report = {
      clusters: r.clusters.map((c) => ({
        id: c.id, flagged: isFlagged(c), members: c.members.map((m) => m.accountId), fingerprint: brief(c.fingerprint),
      })),
      population: { offset: r.population.rhythm.offset.minutes, officeLike: r.population.rhythm.officeHours.officeLike },
    };
  } else if (mode === 'amplification') {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const a = await amplification(store, {
      sets: r.clusters.filter(isFlagged).map(clusterSet),
      ...(kinds === 'no-text' ? { kinds: ['hashtag', 'link', 'domain'] } : {}),
    });
    report = {
      flagged: a.flagged,
      kinds: a.kinds,
      textFamilySeconds: a.stats.textFamilySeconds,
      items: a.items.map((i) => ({ kind: i.kind, kindRank: i.kindRank, key: i.key, label: i.label, posts: i.posts, postShare: i.postShare })),
    };
  } else if (mode === 'controls') {
    const f = await fingerprint(store, JSON.parse(readFileSync(file, 'utf8')), { onStage });
    report = { sets: Object.fromEntries([...f.sets].map(([id, x]) => [id, brief(x)])) };
  } else throw new Error('unknown mode ' + mode);
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  console.log(JSON.stringify({ seconds, stages, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...report }));`;

const scriptFile = join(out, `forensics-${process.pid}.mjs`);
/** Runs one step in a child process; returns its report. */
function step(...args) {
  // A file, not `node -e`: worker threads inherit the parent's flags, and `--input-type` breaks them.
  const run = spawnSync('node', [scriptFile, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  rmSync(`${args[1]}.${run.pid}.tmp`, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`${args[0]} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

/** Ground truth: the operations, and per account its label, operation, clock offset and posts. */
function loadTruth(dir) {
  const truth = JSON.parse(readFileSync(join(dir, 'ground_truth.json'), 'utf8'));
  const accounts = new Map();
  const lines = readFileSync(join(dir, 'ground_truth_accounts.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const col = (name) => header.indexOf(name);
  for (const line of lines.slice(1)) {
    // Only the leading columns are read: the claimed location may hold quoted commas.
    const f = line.split(',');
    accounts.set(f[col('account_id')], {
      label: f[col('label')],
      op: f[col('operation')],
      clock: Number(f[col('clock_utc_offset_minutes')]),
      group: f[col('group')],
    });
  }
  // `posts` is the last column, after the claimed location.
  for (const line of lines.slice(1)) {
    const id = line.slice(0, line.indexOf(','));
    accounts.get(id).posts = Number(line.slice(line.lastIndexOf(',') + 1));
  }
  return { platform: truth.platform, operations: truth.operations, accounts };
}

/** Deterministic PRNG (mulberry32) for the organic samples. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** `k` of `ids` drawn without replacement (partial Fisher-Yates on a sorted copy). */
function sample(ids, k, rand) {
  const a = [...ids].sort();
  for (let i = 0; i < Math.min(k, a.length); i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

/**
 * The control sets: each operation's true accounts, and for each operation three organic sets of its
 * size (open coordination, a group in the truth, left out): a random sample; a random sample of
 * accounts with at least the operation's median posts per account; and accounts whose clock is at
 * one offset, the one nearest the operators' with enough accounts (the offset estimate is checked
 * against it).
 */
function controlSets(truth) {
  const rand = random(1);
  const organic = [...truth.accounts].filter(([, t]) => t.label === 'organic' && !t.group);
  const byClock = new Map();
  for (const [id, t] of organic) {
    if (!byClock.has(t.clock)) byClock.set(t.clock, []);
    byClock.get(t.clock).push(id);
  }
  const sets = [];
  const meta = new Map();
  for (const op of truth.operations) {
    const members = [...truth.accounts].filter(([, t]) => t.op === op.id);
    const size = members.length;
    const posts = members.map(([, t]) => t.posts).sort((x, y) => x - y);
    const median = posts[Math.floor(posts.length / 2)];
    const active = organic.filter(([, t]) => t.posts >= median);
    const clock = [...byClock]
      .filter(([, ids]) => ids.length >= size)
      .sort(
        ([a], [b]) =>
          Math.abs(a - op.operator_utc_offset_minutes) - Math.abs(b - op.operator_utc_offset_minutes) ||
          a - b,
      )[0][0];
    const add = (id, kind, ids, extra = {}) => {
      sets.push({ id, accounts: ids.map((accountId) => ({ platform: truth.platform, accountId })) });
      meta.set(id, { op: op.id, kind, ...extra });
    };
    add(
      `truth:${op.id}`,
      'truth',
      members.map(([id]) => id),
    );
    add(
      `organic-random:${op.id}`,
      'random',
      sample(
        organic.map(([id]) => id),
        size,
        rand,
      ),
    );
    add(
      `organic-active:${op.id}`,
      'active',
      sample(
        active.map(([id]) => id),
        size,
        rand,
      ),
      { minPosts: median },
    );
    add(`organic-clock:${op.id}`, 'clock', sample(byClock.get(clock), size, rand), { clock });
  }
  return { sets, meta };
}

/** A fingerprint against one operation's truth. */
function scoreOp(f, op) {
  const error = f.offset === null ? null : f.offset - op.operator_utc_offset_minutes;
  const found = op.creation_batches.filter((b) => f.batches.some(([s, e]) => s <= b.date && b.date <= e));
  return {
    offset: f.offset,
    error,
    within1h: error !== null && Math.abs(error) <= 60,
    contains:
      !!f.interval &&
      f.interval[0] <= op.operator_utc_offset_minutes &&
      op.operator_utc_offset_minutes <= f.interval[1],
    found: found.length,
    planted: op.creation_batches.length,
  };
}

const runs = [];
writeFileSync(scriptFile, childScript);
try {
  for (const posts of sizeList) {
    const { dir, db } = prepare(posts);
    const resultFile = join(out, `forensics-${process.pid}-detect-${posts}.json`);
    const setsFile = join(out, `forensics-${process.pid}-sets-${posts}.json`);
    try {
      log(`detecting in ${posts.toLocaleString('en')} posts...`);
      const det = step('detect', db, resultFile);
      log(`  ${det.clusters} clusters in ${det.seconds.toFixed(1)} s; fingerprinting...`);
      const fp = step('fingerprint', db, resultFile);
      log(
        `  fingerprints in ${fp.seconds.toFixed(1)} s, peak RSS ${Math.round(fp.maxRssMiB)} MiB; amplification...`,
      );
      const ampNoText = step('amplification', db, resultFile, 'no-text');
      const amp = step('amplification', db, resultFile, 'all');
      log(
        `  amplification ${ampNoText.seconds.toFixed(1)} s, with text families ${amp.seconds.toFixed(1)} s; controls...`,
      );
      const truth = loadTruth(dir);
      const { sets, meta } = controlSets(truth);
      writeFileSync(setsFile, JSON.stringify(sets));
      const ctl = step('controls', db, setsFile);
      runs.push({ posts, det, fp, ampNoText, amp, ctl, truth, meta });
    } finally {
      rmSync(resultFile, { force: true });
      rmSync(setsFile, { force: true });
    }
  }
} finally {
  rmSync(scriptFile, { force: true });
}

const n = (x) => Math.round(x).toLocaleString('en');
const s1 = (x) => x.toFixed(1);
const ratio = (x) => (x >= 100 ? n(x) : x.toFixed(1));
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const hm = (m) => {
  if (m === null) return '-';
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
};
const interval = (f) => (f.interval ? `${hm(f.interval[0])}..${hm(f.interval[1])}` : '-');
const stage = (r, name) => r.stages.filter(([x]) => x.includes(name)).reduce((sum, [, sec]) => sum + sec, 0);
const verdict = (f) =>
  f.officeLike ? 'office' : f.verdict === 'insufficient data' ? 'no data' : 'not office';
const template = (f) =>
  f.template ? `\`${f.template.template}\` (${f.template.example}, ${pct(f.template.share)})` : 'none';

const timing = [
  '| posts | clusters (flagged) | accounts in clusters | detect (s, context) | fingerprints (s) | rhythm | creation | identity | cadence | peak RSS (MiB) | amplification (s) | with text families (s) (families) | peak RSS (MiB) |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...runs.map(({ det, fp, ampNoText, amp }) => {
    const flagged = fp.clusters.filter((c) => c.flagged).length;
    const members = new Set(fp.clusters.flatMap((c) => c.members)).size;
    return `| ${n(det.data.posts)} | ${fp.clusters.length} (${flagged}) | ${n(members)} | ${s1(det.seconds)} | **${s1(fp.seconds)}** | ${s1(stage(fp, 'rhythm'))} | ${s1(stage(fp, 'creation'))} | ${s1(stage(fp, 'identity'))} | ${s1(stage(fp, 'cadence'))} | ${n(fp.maxRssMiB)} | ${s1(ampNoText.seconds)} | ${s1(amp.seconds)} (${s1(amp.textFamilySeconds ?? 0)}) | ${n(Math.max(ampNoText.maxRssMiB, amp.maxRssMiB))} |`;
  }),
].join('\n');

/** Per operation: the cluster holding most of its accounts, and its true set. */
function operationTable({ truth, fp, ctl }) {
  const rows = [];
  for (const op of truth.operations) {
    const ids = new Set([...truth.accounts].filter(([, t]) => t.op === op.id).map(([id]) => id));
    const best = fp.clusters
      .map((c) => ({ c, k: c.members.filter((m) => ids.has(m)).length }))
      .sort((a, b) => b.k - a.k)[0];
    const sources = [
      best?.k
        ? [`${best.c.id} (${best.k}/${best.c.members.length})`, best.c.fingerprint]
        : ['no cluster', null],
      ['truth set', ctl.sets[`truth:${op.id}`]],
    ];
    for (const [source, f] of sources) {
      if (!f) {
        rows.push(`| ${op.id} (${ids.size}) | ${source} | - | - | - | - | - | - | - | - |`);
        continue;
      }
      const s = scoreOp(f, op);
      rows.push(
        `| ${op.id} (${ids.size}) | ${source} | ${hm(op.operator_utc_offset_minutes)} | ${hm(s.offset)} ${f.confidence} | ${s.error === null ? '-' : s.error} | ${interval(f)} ${s.contains ? 'yes' : '**no**'} | ${verdict(f)} (${f.officeShare.toFixed(2)}, ${ratio(f.weekendRatio)}x) | ${s.found}/${s.planted} (${f.batchCount}) | ${template(f)} | \`${op.handle_template}\` |`,
      );
    }
  }
  return [
    '| operation (accounts) | fingerprinted set (its accounts / size) | operators | estimate, confidence | error (min) | 95% interval, holds truth | rhythm (office share, workday/day-off ratio) | planted batches found (batches reported) | top significant handle shape | planted handle |',
    '|---|---|---:|---:|---:|---|---|---:|---|---|',
    ...rows,
  ].join('\n');
}

/** The organic control sets: how many look like an operation. */
function controlTable() {
  const kinds = [
    ['random', 'random organic sample'],
    ['active', "organic sample, at least the operation's median posts"],
    ['clock', 'organic accounts with one clock offset'],
  ];
  const rows = runs.flatMap(({ det, ctl, meta }) =>
    kinds.map(([kind, title]) => {
      const sets = [...meta].filter(([, m]) => m.kind === kind).map(([id, m]) => ({ m, f: ctl.sets[id] }));
      const errors = sets
        .filter(({ f }) => f.offset !== null)
        .map(({ m, f }) => Math.abs(f.offset - m.clock));
      return `| ${n(det.data.posts)} | ${title} | ${sets.length} | ${sets.map(({ f }) => n(f.posts)).join(', ')} | ${sets.filter(({ f }) => f.officeLike).length} | ${sets.filter(({ f }) => f.batchCount > 0).length} | ${sets.filter(({ f }) => f.template).length} | ${kind === 'clock' ? `${Math.max(...errors)} (${sets.map(({ m, f }) => `${hm(m.clock)}→${hm(f.offset)}`).join(', ')})` : '-'} |`;
    }),
  );
  return [
    '| posts | organic control (one per operation, of its size) | sets | their posts | office-like | with a creation batch | with a significant handle shape | clock sets: largest offset error, min (clock → estimate) |',
    '|---:|---|---:|---|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}

/** Organic control sets that show a trait of an operation, with what they show. */
function controlFindings() {
  return runs.flatMap(({ det, ctl, meta }) =>
    [...meta]
      .filter(([, m]) => m.kind !== 'truth')
      .flatMap(([id, m]) => {
        const f = ctl.sets[id];
        const traits = [
          f.officeLike &&
            `office hours (office share ${f.officeShare.toFixed(2)}, workdays ${f.weekendRatio.toFixed(1)}x the days off)`,
          f.batchCount > 0 &&
            `${f.batchCount} creation batch(es): ${f.batches.map(([a, b, k]) => `${a}..${b} (${k})`).join(', ')}`,
          f.template &&
            `handle shape ${template(f)}, ${f.template.enrichment.toFixed(1)}x the population's share`,
        ].filter(Boolean);
        return traits.length
          ? [
              `- ${n(det.data.posts)} posts, \`${id}\` (${m.kind === 'clock' ? `clock ${hm(m.clock)}, ` : ''}${f.accounts} accounts): ${traits.join('; ')}`,
            ]
          : [];
      }),
  );
}

/**
 * Amplification: how many of the top hashtags are planted ones, and whether the sites the
 * link-laundering operations push are the top domains.
 */
function amplificationTable() {
  const rows = runs.map(({ det, amp, truth }) => {
    const planted = (ops, key) => new Set(ops.flatMap((o) => o[key].map((x) => x.toLowerCase())));
    const tags = planted(truth.operations, 'hashtags');
    const sites = planted(
      truth.operations.filter((o) => o.tactics.includes('link-laundering')),
      'sites',
    );
    const top = (kind, k) => amp.items.filter((i) => i.kind === kind && i.kindRank <= k);
    const share = (kind) => {
      const s = amp.kinds.find((x) => x.kind === kind);
      return s ? `${n(s.eligible)} / ${n(s.items)}, ${s.posts ? pct(s.flaggedPosts / s.posts) : '-'}` : '-';
    };
    const tagsTop = top('hashtag', 25).filter((i) => tags.has(i.key)).length;
    const sitesTop = top('domain', sites.size).filter((i) => sites.has(i.key)).length;
    const families = top('text-family', 25);
    return `| ${n(det.data.posts)} | ${n(amp.flagged.accounts)} | ${share('hashtag')} | ${share('domain')} | ${share('text-family')} | ${tagsTop}/25 | ${sitesTop}/${sites.size} | ${families.length ? pct(families.reduce((x, i) => x + i.postShare, 0) / families.length) : '-'} |`;
  });
  return [
    '| posts | flagged accounts | hashtags: ranked / all, flagged share of posts | domains | text families | top 25 hashtags that are planted | link-laundering sites that are the top domains | mean flagged share of the top 25 families |',
    '|---:|---:|---|---|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

const section = [
  '<!-- forensics:start -->',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, with \`npm run bench:forensics\` (bench/forensics.mjs).`,
  "Each step runs in its own process on the read-only store (detection's time is context only; fingerprints and amplification read the saved clusters):",
  '',
  timing,
  '',
  'Operator time zone, office hours, creation batches and handle templates per operation, from the',
  'detected cluster holding most of its accounts and from its true account set ("error": estimate',
  "minus the operators' offset; the interval includes the 1 h systematic margin on each side):",
  '',
  ...runs.flatMap((run) => [`${n(run.det.data.posts)} posts:`, '', operationTable(run), '']),
  'Organic control sets, one per operation and of its size, fingerprinted together with the true',
  'operation sets (open coordination left out of the samples):',
  '',
  controlTable(),
  '',
  ...(controlFindings().length
    ? ['Organic control sets showing a trait of an operation:', '', ...controlFindings(), '']
    : ['No organic control set shows office hours, a creation batch or a handle shape.', '']),
  'Amplification by the flagged clusters (default options; "ranked": at least 20 posts by 5 accounts):',
  '',
  amplificationTable(),
  '<!-- forensics:end -->',
].join('\n');
writeSection('forensics', section, '## Fingerprints and amplification');
console.log(section);
