// What the benchmarks share: paths, the sizes asked for on the command line, the cached simulated
// corpora and stores, the machine's description, and writing a section of BENCHMARKS.md between
// its markers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const out = join(root, 'bench', 'out');
export const cli = join(root, 'dist', 'cli', 'main.js');
mkdirSync(out, { recursive: true });

export const log = (line) => process.stderr.write(`${line}\n`);

/** Post counts from the command line (`1m`, `300k`, `5000`; options `--x=y` aside), or `defaults`. */
export function sizes(defaults) {
  const parse = (s) => Math.round(Number(s.replace(/m$/i, 'e6').replace(/k$/i, 'e3')));
  const given = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  return (given.length ? given : defaults).map(parse);
}

/** The value of option `--name=value` on the command line, or `fallback`. */
export function option(name, fallback) {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

/** The cached corpus (with per-post truth) and store of `posts` simulated posts, made if missing. */
export function prepare(posts) {
  const dir = join(out, `sim-${posts}`);
  const file = join(dir, 'posts.io-archive.csv');
  if (!existsSync(file)) {
    log(`simulating ${posts.toLocaleString('en')} posts...`);
    execFileSync(
      'node',
      [cli, 'simulate', '--out', dir, '--posts', String(posts), '--seed', '1', '--post-truth', '-q'],
      { stdio: 'inherit' },
    );
  }
  const db = join(out, `store-${posts}.duckdb`);
  if (!existsSync(db)) {
    log(`ingesting ${posts.toLocaleString('en')} posts...`);
    const partial = join(out, `store-${posts}.partial.duckdb`);
    execFileSync('node', [cli, 'ingest', file, '--db', partial, '-q'], { stdio: 'inherit' });
    renameSync(partial, db);
  }
  return { dir, db };
}

/** Cores, CPU, memory, Node and DuckDB versions, for the "Measured ... on ..." line. */
export function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const duckdb = JSON.parse(
    readFileSync(join(root, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8'),
  ).version;
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, DuckDB node-api ${duckdb}`;
}

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in BENCHMARKS.md with
 * `section` (which holds both markers); appends it under `heading` when the markers are not there.
 */
export function writeSection(name, section, heading) {
  const path = join(root, 'BENCHMARKS.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const markers = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  writeFileSync(
    path,
    markers.test(current)
      ? current.replace(markers, () => section)
      : `${current.trimEnd()}\n\n${heading ? `${heading}\n\n` : ''}${section}\n`,
  );
}

/**
 * Times `count` GETs of `paths` (cycled) against the server at `base`, one after another; pushes
 * `{ view, label, n, p50, p95, max }` (milliseconds) to `timings` and logs it. A failed call throws.
 */
export async function timeGets(base, timings, view, label, paths, count) {
  const list = Array.isArray(paths) ? paths : [paths];
  const ms = [];
  for (let i = 0; i < count; i++) {
    const path = list[i % list.length];
    const t = performance.now();
    const res = await fetch(`${base}${path}`);
    const body = await res.arrayBuffer();
    ms.push(performance.now() - t);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
  }
  ms.sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)];
  const row = { view, label, n: ms.length, p50: q(0.5), p95: q(0.95), max: ms.at(-1) };
  timings.push(row);
  log(`${view.padEnd(14)} ${label.padEnd(46)} p50 ${row.p50.toFixed(1)} ms  p95 ${row.p95.toFixed(1)} ms`);
  return row;
}

/**
 * Writes `count` simulated documents (src/simulate/documents.ts: 40% echo the operations' messages)
 * for the simulated corpus in `dir` into `docsDir` and ingests them into `store` (a Store of
 * dist/). The messages' first use is read from the store: the earliest own post starting with each
 * message (copies are edited at the end more often than at the start, so the first 24 normalised
 * characters identify it). Returns the ingest's report with its seconds.
 */
export async function addSimulatedDocuments(store, dir, count, docsDir) {
  const lib = await import(join(root, 'dist', 'index.js'));
  const { OP_MESSAGES } = await import(join(root, 'dist', 'simulate', 'lexicon.js'));
  const truth = JSON.parse(readFileSync(join(dir, 'ground_truth.json'), 'utf8'));
  const uses = [];
  for (const [lang, messages] of Object.entries(OP_MESSAGES))
    for (const [index, text] of messages.entries()) {
      const prefix = lib.normalizeText(text).slice(0, 24);
      const row = (
        await store.all(
          `SELECT epoch_ms(min(created_at)) AS first FROM posts WHERE kind = 'post' AND starts_with(text_norm, ?)`,
          [prefix],
        )
      )[0];
      if (row?.first) uses.push({ lang, index, text, operation: 'unknown', firstUsed: Number(row.first) });
    }
  log(`${uses.length} operation messages found in the posts`);
  const start = Date.parse(truth.span.start);
  const sim = lib.simulateDocuments(uses, { count, seed: 1, start, days: 30, sentences: [10, 60] });
  rmSync(docsDir, { recursive: true, force: true });
  mkdirSync(docsDir, { recursive: true });
  const files = lib.writeDocuments(docsDir, sim);
  const t0 = performance.now();
  const report = await lib.ingestDocuments(store, files.file);
  const seconds = (performance.now() - t0) / 1000;
  log(`ingested ${report.rowsStored.toLocaleString('en')} documents in ${seconds.toFixed(1)} s`);
  return { ...report, seconds };
}
