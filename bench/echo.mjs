#!/usr/bin/env node
// Echo tracing benchmark (issue 6, docs/echo.md): the lexical tier over N simulated posts (the cached
// stores of bench/shared.mjs) and D simulated documents (src/simulate/documents.ts) of which 40%
// echo the operations' messages. The flagged sets are the planted operations (from the simulator's
// ground truth, as a detection would flag them; detection itself is bench/detect.mjs's), so the
// talking points are the operations' messages, as `lockstep echo` takes them after `lockstep detect`.
// Reports wall time per stage and peak RSS, and scores the documents against their ground truth
// (found per kind; unrelated documents and decoys must not echo).
//
//   npm run bench:echo                 # 10M posts x 100k documents, writes BENCHMARKS.md
//   node bench/echo.mjs 1m 20k         # other sizes: posts, documents
//
// The documents are written into a copy of the store (bench/out/echo-store-N-D.duckdb), made once.
// The messages' first use is read from the store: the earliest own post starting with each message.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addSimulatedDocuments, log, machine, out, prepare, root, writeSection } from './shared.mjs';

const parse = (s) => Math.round(Number(s.replace(/m$/i, 'e6').replace(/k$/i, 'e3')));
const [posts, docs] = [parse(process.argv[2] ?? '10m'), parse(process.argv[3] ?? '100k')];
const lib = await import(join(root, 'dist', 'index.js'));

const { dir, db: source } = prepare(posts);
const db = join(out, `echo-store-${posts}-${docs}.duckdb`);
const docsDir = join(out, `echo-docs-${posts}-${docs}`);
if (!existsSync(db)) {
  log(`copying the ${posts.toLocaleString('en')}-post store...`);
  copyFileSync(source, `${db}.partial`);
  const store = await lib.Store.open(`${db}.partial`);
  const report = await addSimulatedDocuments(store, dir, docs, docsDir);
  writeFileSync(join(docsDir, 'ingest.json'), JSON.stringify(report));
  await store.run('CHECKPOINT');
  store.close();
  (await import('node:fs')).renameSync(`${db}.partial`, db);
}

// The run, in a child process of its own (its peak RSS is echo tracing's).
const child = `
  import { readFileSync, writeFileSync } from 'node:fs';
  import { Store, traceEchoes } from ${JSON.stringify(join(root, 'dist', 'index.js'))};
  const [db, file, accountsFile] = process.argv.slice(1);
  // The planted operations as flagged sets (the first columns of the truth file hold no quoted commas).
  const rows = readFileSync(accountsFile, 'utf8').trim().split('\\n').slice(1).map((l) => l.split(','));
  const sets = [...new Set(rows.map((r) => r[3]).filter(Boolean))].map((op) => ({
    id: op,
    accounts: rows.filter((r) => r[3] === op).map((r) => ({ platform: 'twitter', accountId: r[0] })),
  }));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const store = await Store.open(db);
  await store.run(\`SET temp_directory = '\${db}.\${process.pid}.tmp'\`);
  const t0 = performance.now();
  const result = await traceEchoes(store, { sets }, { onStage: (s) => s.done && process.stderr.write(\`  \${s.name} \${s.seconds.toFixed(1)} s \${s.note ?? ''}\\n\`) });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  store.close();
  writeFileSync(file, JSON.stringify({ seconds, peak, threads: (await import('node:os')).availableParallelism(), stats: result.stats, echoes: result.echoes.map((e) => [e.document.docId, e.status, e.tier]) }));
`;
const resultFile = join(out, `echo-result-${posts}-${docs}.json`);
log(`tracing echoes: ${posts.toLocaleString('en')} posts x ${docs.toLocaleString('en')} documents...`);
const run = spawnSync(
  'node',
  ['--input-type=module', '-e', child, db, resultFile, join(dir, 'ground_truth_accounts.csv')],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
if (run.status !== 0) throw new Error(`echo tracing failed (${run.status})`);
const r = JSON.parse(readFileSync(resultFile, 'utf8'));

// Score against the documents' ground truth.
const [header, ...lines] = readFileSync(join(docsDir, 'ground_truth_documents.csv'), 'utf8')
  .trim()
  .split('\n');
const kindAt = header.split(',').indexOf('kind');
const kinds = new Map(lines.map((l) => l.split(',')).map((f) => [f[0], f[kindAt]]));
const found = new Map();
for (const [id, status] of r.echoes) found.set(id, [...(found.get(id) ?? []), status]);
const byKind = {};
for (const [id, kind] of kinds) {
  byKind[kind] ??= { planted: 0, found: 0 };
  const k = byKind[kind];
  k.planted++;
  if (found.has(id)) k.found++;
}
const ingest = JSON.parse(readFileSync(join(docsDir, 'ingest.json'), 'utf8'));
const chars = ingest.bytes;
const s = r.stats.seconds;
const stage = (name) => (s[name] ?? 0).toFixed(1);
const date = new Date().toISOString().slice(0, 10);
const kindRows = Object.entries(byKind)
  .sort((a, b) => b[1].planted - a[1].planted)
  .map(
    ([k, v]) =>
      `| ${k} | ${v.planted.toLocaleString('en')} | ${v.found.toLocaleString('en')} | ${(v.found / v.planted).toFixed(3)} |`,
  )
  .join('\n');
const section = `<!-- echo:start -->
## Echo tracing (lexical tier)

\`node bench/echo.mjs ${process.argv[2] ?? '10m'} ${process.argv[3] ?? '100k'}\` (\`npm run bench:echo\`), ${date}, ${machine()}.
Talking points of the planted operations (as flagged sets) in the cached ${posts.toLocaleString('en')}-post simulated
store; ${docs.toLocaleString('en')} simulated
documents (${(chars / 2 ** 20).toFixed(0)} MiB of JSON Lines, 10 to 60 sentences of their own each, 40% echoing an
operation message), ingested beforehand in ${ingest.seconds.toFixed(0)} s. One run; the machine is shared.

| step | seconds |
|---|---:|
| talking points (text families, merging, volumes) | ${stage('talking points')} |
| anchor index | ${stage('anchor index')} |
| lexical echoes (one pass: anchor scan, alignment, boilerplate; ${r.threads} threads) | ${stage('lexical echoes')} |
| precedence, sources, cascades | ${stage('precedence')} |
| **total** | **${r.seconds.toFixed(1)}** (target 300) |

Peak RSS ${(r.peak / 2 ** 30).toFixed(2)} GiB. ${r.stats.talkingPoints.toLocaleString('en')} talking points, ${r.stats.units.toLocaleString('en')} wordings,
${r.stats.anchors.toLocaleString('en')} anchors; ${r.stats.candidatePairs.toLocaleString('en')} candidate pairs aligned; ${r.echoes.length.toLocaleString('en')} echoes.

| planted document kind | planted | with an echo | share |
|---|---:|---:|---:|
${kindRows}

Translations and paraphrases are for the semantic tier, which this benchmark does not run; decoys
hold a short phrase an operation message also holds.
<!-- echo:end -->`;
writeSection('echo', section, '');
log(section);
