#!/usr/bin/env node
// Ingest benchmark: simulated X-archive corpora of 1M and 10M posts (and any sizes given), each
// ingested into a fresh store in a child process that reports its wall time and peak RSS. The
// general (row-by-row) path is measured too at the smallest size, for the ratio.
//
//   npm run bench                      # 1M and 10M posts, writes BENCHMARKS.md
//   node bench/ingest.mjs 1m 3m        # other sizes
//
// Corpora are cached in bench/out/ (the 10M file is ~3.5 GB). Compare figures within one run: the
// machine is shared and noisy.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, machine, out, root, sizes, writeSection } from './shared.mjs';

const sizeList = sizes(['1m', '10m']);

function corpus(posts) {
  const dir = join(out, `sim-${posts}`);
  const file = join(dir, 'posts.io-archive.csv');
  if (!existsSync(file)) {
    process.stderr.write(`simulating ${posts.toLocaleString('en')} posts...\n`);
    execFileSync(
      'node',
      [
        cli,
        'simulate',
        '--out',
        dir,
        '--posts',
        String(posts),
        '--seed',
        '1',
        '--format',
        'io-archive',
        '-q',
      ],
      { stdio: 'inherit' },
    );
  }
  return file;
}

/** Ingests `file` into a fresh store in a child process; returns seconds, peak RSS and the report. */
function ingest(file, bulk) {
  const db = join(out, `bench-${process.pid}.duckdb`);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const script = `
    import { openStore, ingestFile } from ${JSON.stringify(join(root, 'dist', 'index.js'))};
    const store = await openStore(${JSON.stringify(db)});
    const t0 = performance.now();
    const report = await ingestFile(store, ${JSON.stringify(file)}, { bulk: ${bulk} });
    store.close();
    const seconds = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, report }));`;
  const run = spawnSync('node', ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  if (run.status !== 0) throw new Error(`ingest failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const rows = [];
for (const posts of sizeList) {
  const file = corpus(posts);
  const bytes = statSync(file).size;
  const paths = posts === Math.min(...sizeList) ? [true, false] : [true];
  for (const bulk of paths) {
    process.stderr.write(
      `ingesting ${posts.toLocaleString('en')} posts (${bulk ? 'bulk' : 'general'} path)...\n`,
    );
    const r = ingest(file, bulk);
    const read = r.report.rowsRead;
    rows.push({
      posts: read,
      mb: bytes / 1e6,
      path: r.report.bulk ? 'bulk' : 'general',
      seconds: r.seconds,
      rate: read / r.seconds,
      rss: r.maxRssMiB,
    });
    process.stderr.write(
      `  ${read.toLocaleString('en')} rows in ${r.seconds.toFixed(1)} s, peak RSS ${Math.round(r.maxRssMiB)} MiB\n`,
    );
  }
}

const table = [
  '| posts | file (MB) | path | seconds | rows/s | peak RSS (MiB) |',
  '|---:|---:|---|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.posts.toLocaleString('en')} | ${Math.round(r.mb).toLocaleString('en')} | ${r.path} | ${r.seconds.toFixed(1)} | ${Math.round(r.rate).toLocaleString('en')} | ${Math.round(r.rss).toLocaleString('en')} |`,
  ),
].join('\n');
const section = `<!-- ingest:start -->\nMeasured ${new Date().toISOString().slice(0, 10)} on ${machine()}, with \`npm run bench\` (bench/ingest.mjs).\n\n${table}\n<!-- ingest:end -->`;
writeSection('ingest', section);
console.log(table);
