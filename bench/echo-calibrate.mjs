#!/usr/bin/env node
// Calibration of echo tracing's per-language thresholds (docs/echo.md, "Thresholds, per language"):
// on a benchmark store made by bench/echo.mjs, trace with the reuse threshold lowered to 0.05 and
// compare, per document language, the best reuse of the documents that echo nothing (unrelated
// documents and decoys: the null) with the reuse of the planted echoes (verbatim, edited, reordered,
// republished, preceding). Prints the table for docs/echo.md.
//
//   node bench/echo-calibrate.mjs 1m 20k     # the store bench/echo.mjs made for these sizes
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { out, root } from './shared.mjs';

const parse = (s) => Math.round(Number(s.replace(/m$/i, 'e6').replace(/k$/i, 'e3')));
const [posts, docs] = [parse(process.argv[2] ?? '1m'), parse(process.argv[3] ?? '20k')];
const lib = await import(join(root, 'dist', 'index.js'));
const db = join(out, `echo-store-${posts}-${docs}.duckdb`);
const store = await lib.Store.open(db, { readOnly: true });
await store.run(`SET temp_directory = '${db}.${process.pid}.tmp'`);
const result = await lib.traceEchoes(store, { from: 'all', minScore: 0.05 });
// The null documents that match anything, for a look at what they hold.
const nullMatches = [];
store.close();
const [header, ...lines] = readFileSync(
  join(out, `echo-docs-${posts}-${docs}`, 'ground_truth_documents.csv'),
  'utf8',
)
  .trim()
  .split('\n');
const at = (name) => header.split(',').indexOf(name);
const truth = new Map(
  lines.map((l) => l.split(',')).map((f) => [f[0], { kind: f[at('kind')], lang: f[at('lang')] }]),
);
const best = new Map();
for (const e of result.echoes)
  if (e.tier === 'lexical') best.set(e.document.docId, Math.max(best.get(e.document.docId) ?? 0, e.score));
const positive = ['verbatim', 'light-edit', 'reordered', 'syndicated', 'precedes'];
const negative = ['unrelated', 'stock-phrase'];
const q = (xs, p) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] : null;
const fmt = (x) => (x === null || x === undefined ? '-' : x.toFixed(2));
const langs = [...new Set([...truth.values()].map((t) => t.lang))].sort();
const rows = langs.map((lang) => {
  const neg = [...truth].filter(([, t]) => t.lang === lang && negative.includes(t.kind));
  const null_ = neg.map(([id]) => best.get(id) ?? 0);
  const pos = [...truth]
    .filter(([, t]) => t.lang === lang && positive.includes(t.kind))
    .map(([id]) => best.get(id) ?? 0);
  const threshold = lib.ECHO_THRESHOLDS[lang] ?? lib.ECHO_THRESHOLDS.default;
  const found = pos.filter((x) => x > 0);
  return `| ${lang} | ${threshold} | ${null_.filter((x) => x > 0).length} of ${neg.length} | ${fmt(q(null_, 0.999))} | ${fmt(Math.max(0, ...null_))} | ${fmt(q(found, 0.05))} | ${fmt(q(found, 0.5))} | ${pos.filter((x) => x >= threshold).length} of ${pos.length} |`;
});
console.log(rows.join('\n'));
for (const e of result.echoes) {
  const t = truth.get(e.document.docId);
  if (t && negative.includes(t.kind) && e.score >= 0.3)
    nullMatches.push(
      `${t.lang} ${e.score} ${e.talkingPoint} "${e.passages.map((p) => p.docText).join(' | ')}"`,
    );
}
console.log(nullMatches.slice(0, 20).join('\n'));
