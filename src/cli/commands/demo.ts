import { readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { detect } from '../../detect/index.js';
import { saveDetection } from '../../detect/saved.js';
import { traceEchoes } from '../../echo/index.js';
import type { EchoResult } from '../../echo/types.js';
import { amplification } from '../../forensics/amplification.js';
import { clusterSet, type FingerprintedResult, fingerprintClusters } from '../../forensics/index.js';
import { offsetLabel } from '../../forensics/rhythm.js';
import { ingestDocuments } from '../../ingest/documents/index.js';
import { ingestFile } from '../../ingest/pipeline.js';
import { writeFileAtomic } from '../../report/exports/files.js';
import { writeFingerprintCsv } from '../../report/exports/fingerprints.js';
import { writeExports } from '../../report/exports/index.js';
import { simulate } from '../../simulate/index.js';
import { storeStatus } from '../../store/status.js';
import { Store } from '../../store/store.js';
import { amplificationText } from '../amplification-text.js';
import { detectionSummary } from '../detection-text.js';
import { echoText } from '../echo-text.js';
import { fingerprintDetail, fingerprintTable } from '../fingerprint-text.js';
import { Progress, StageProgress, simulationProgress } from '../progress.js';
import { interrupt, parseIntOption } from '../shared.js';
import { ingestSummary, n, statusText, table } from '../text.js';
import { influenceSection } from './demo-influence.js';
import { documentIngestSummary } from './ingest-docs.js';

/**
 * The README's main command: simulate a month of posts with planted operations, ingest it into a
 * fresh store, summarise it, detect coordinated clusters, fingerprint them, measure amplification and
 * score the findings against the planted truth (membership and the operators' time zone).
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run Lockstep end to end on built-in simulated data (no download, no server)')
    .option('--dir <dir>', 'folder for the demo corpus and store', 'lockstep-demo')
    .option('--posts <n>', 'posts to simulate', parseIntOption('--posts'), 50_000)
    .option('--seed <n>', 'random seed', parseIntOption('--seed'), 7)
    .option('--format <name>', 'export format to simulate and read back', 'io-archive')
    .action(async (opts) => {
      const dir = resolve(opts.dir);
      const shown = relative(process.cwd(), dir) || '.';
      rmSync(dir, { recursive: true, force: true });
      const progress = new Progress();
      console.log(
        `Lockstep demo: a simulated month of posts with planted influence operations (synthetic data, seed ${opts.seed})\n`,
      );
      const sim = simulate({
        out: join(dir, 'corpus'),
        format: opts.format,
        posts: opts.posts,
        seed: opts.seed,
        onProgress: simulationProgress(progress),
        // Statements and articles, some echoing the operations' messages (for step 7).
        documents: Math.max(60, Math.round(opts.posts / 250)),
      });
      progress.done();
      console.log(
        `1. Simulated ${n(sim.posts)} posts by ${n(sim.accounts)} accounts in ${sim.format} format (${sim.seconds.toFixed(1)}s).`,
      );
      console.log(
        table(
          sim.operations.map((o) => [o.id, o.name, o.accounts, o.posts, o.operator_zone]),
          ['planted', 'operation', 'accounts', 'posts', 'operators work in'],
        )
          .split('\n')
          .map((l) => `   ${l}`)
          .join('\n'),
      );
      console.log(`   Ground truth: ${relative(process.cwd(), sim.truthFile)}\n`);
      const store = await Store.open(join(dir, 'demo.duckdb'));
      try {
        progress.start();
        for (const file of sim.files) {
          const report = await ingestFile(store, file, {
            signal: interrupt.signal,
            onProgress: (p) =>
              progress.update({
                label: `ingesting ${p.file}`,
                done: p.diskBytes,
                total: p.totalBytes,
                rows: p.rows,
              }),
          });
          progress.done();
          console.log(`2. Ingested: ${ingestSummary(report)}\n`);
        }
        const docs = await ingestDocuments(store, sim.documents!.file, { signal: interrupt.signal });
        console.log(`   Documents: ${documentIngestSummary(docs)}\n`);
        console.log(`3. The store:\n`);
        console.log(indent(statusText(await storeStatus(store))));
        console.log(`\n4. Detection: accounts that act in lockstep\n`);
        const stages = new StageProgress();
        const detected = await detect(store, {}, { onStage: stages.stage, signal: interrupt.signal });
        const result = await fingerprintClusters(store, detected, { onStage: stages.stage });
        await saveDetection(store, result);
        stages.done();
        const written = [writeFileAtomic(join(dir, 'result.json'), `${JSON.stringify(result, null, 1)}\n`)];
        written.push(
          ...writeExports(result, { gexf: join(dir, 'clusters.gexf'), csvDir: join(dir, 'tables') }),
        );
        written.push(
          ...writeFingerprintCsv(
            result.clusters.map((c) => ({ id: c.id, fingerprint: c.fingerprint })),
            join(dir, 'tables'),
          ),
        );
        console.log(indent(detectionSummary(result, 10, 2)));
        console.log(`\n5. Fingerprints: when they work, from which time zone, how the accounts were made\n`);
        const rows = result.clusters.map((c) => ({ id: c.id, size: c.size, fingerprint: c.fingerprint }));
        console.log(indent(fingerprintTable(rows)));
        const first = result.clusters.find((c) => c.openIndicators.length === 0);
        if (first)
          console.log(`\n${indent(fingerprintDetail(first.id, first.fingerprint, result.population))}`);
        console.log(
          `\n6. Amplification: how much of each hashtag, site and text the flagged clusters produced\n`,
        );
        const amplified = await amplification(store, {
          sets: result.clusters.filter((c) => c.openIndicators.length === 0).map(clusterSet),
          kinds: ['hashtag', 'domain', 'text-family'],
          top: 5,
        });
        console.log(indent(amplificationText(amplified, result.data.span, 5)));
        console.log(
          `\n7. Echo: which talking points of the flagged clusters reappear in statements and articles\n`,
        );
        const echoes = await traceEchoes(store, {}, { signal: interrupt.signal });
        written.push(writeFileAtomic(join(dir, 'echoes.json'), `${JSON.stringify(echoes, null, 1)}\n`));
        console.log(indent(echoText(echoes, 3, 3)));
        console.log(`\n${indent(echoTruth(echoes, sim.documents!.truthFile))}`);
        console.log(
          `\n8. Against the simulation's ground truth (the demo knows which accounts were planted):\n`,
        );
        console.log(indent(truthTable(result, sim.truthFile, sim.operations)));
        console.log(
          `\n9. Influence: who is behind the operations (a simulated layer of records; invented names)\n`,
        );
        console.log(indent(await influenceSection(store, sim)));
        console.log(`\n   Written: ${written.map((f) => relative(process.cwd(), f)).join(', ')}`);
      } finally {
        store.close();
      }
      const db = join(shown, 'demo.duckdb');
      console.log(
        `\nOpen the workbench (network, clusters, evidence, report): lockstep serve --db ${db}   (or npm run workbench), then http://127.0.0.1:8080/` +
          `\nPublish: lockstep report --db ${db} --out report.html --pdf report.pdf` +
          `\nNext: lockstep fingerprint --db ${db} --cluster ID   |   lockstep amplification --db ${db}   |   lockstep echo --db ${db} --csv echo/   |   lockstep ingest YOUR_FILE --db my.duckdb   |   lockstep --help`,
      );
    });
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `   ${l}` : l))
    .join('\n');

/**
 * Each planted operation and open group against the clusters: how many of its accounts were found,
 * in which clusters, and how many clustered accounts are organic. Reads the simulator's truth file.
 */
function truthTable(
  result: FingerprintedResult,
  truthFile: string,
  operations: { id: string; operator_utc_offset_minutes: number }[],
): string {
  const accountsFile = join(truthFile, '..', 'ground_truth_accounts.csv');
  const lines = readFileSync(accountsFile, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const [id, op, group] = ['account_id', 'operation', 'group'].map((c) => header.indexOf(c));
  const truth = new Map<string, string>();
  for (const line of lines.slice(1)) {
    // Only the first columns are read; they hold no quoted commas.
    const f = line.split(',');
    truth.set(f[id!]!, f[op!] || (f[group!] ? f[group!]!.split(':')[0]! : ''));
  }
  const sizes = new Map<string, number>();
  for (const label of truth.values()) if (label) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  const found = new Map<string, Set<string>>();
  const foundCount = new Map<string, number>();
  let organic = 0;
  for (const c of result.clusters)
    for (const a of c.accounts) {
      const label = truth.get(a) ?? '';
      if (!label) {
        if (!c.openIndicators.length) organic++;
        continue;
      }
      foundCount.set(label, (foundCount.get(label) ?? 0) + 1);
      if (!found.has(label)) found.set(label, new Set());
      found.get(label)!.add(c.id);
    }
  // The operators' zone as planted, and as estimated from the cluster holding most of the operation.
  const zones = new Map(operations.map((o) => [o.id, o.operator_utc_offset_minutes]));
  const estimate = (label: string) => {
    const best = result.clusters
      .map((c) => ({ c, k: c.accounts.filter((a) => truth.get(a) === label).length }))
      .sort((a, b) => b.k - a.k)[0];
    const m = best?.k ? best.c.fingerprint.rhythm.offset.minutes : null;
    return m === null || m === undefined ? '-' : `${offsetLabel(m)} (${best!.c.id})`;
  };
  const rows = [...sizes].map(([label, size]) => [
    label,
    size,
    foundCount.get(label) ?? 0,
    [...(found.get(label) ?? [])].join(' ') || '-',
    zones.has(label) ? offsetLabel(zones.get(label)!) : '-',
    zones.has(label) ? estimate(label) : '-',
  ]);
  return `${table(rows, ['planted', 'accounts', 'found', 'in clusters', 'operators at', 'estimated'])}\nOrganic accounts in clusters without open indicators: ${n(organic)}`;
}

/**
 * The planted documents against the echoes found: each kind (verbatim, edited, republished, preceding,
 * translated, unrelated, decoy) with how many were found and how they stand in time.
 */
function echoTruth(result: EchoResult, truthFile: string): string {
  const [header, ...lines] = readFileSync(truthFile, 'utf8').trim().split('\n');
  const kindAt = header!.split(',').indexOf('kind');
  const kinds = new Map<string, string>();
  // The first two columns (id, kind) hold no quoted commas.
  for (const line of lines) {
    const f = line.split(',');
    kinds.set(f[0]!, f[kindAt]!);
  }
  const found = new Map<string, Set<string>>();
  for (const e of result.echoes) {
    if (!found.has(e.document.docId)) found.set(e.document.docId, new Set());
    found.get(e.document.docId)!.add(e.status);
  }
  const order = [
    'verbatim',
    'light-edit',
    'reordered',
    'syndicated',
    'precedes',
    'translated',
    'paraphrased',
    'stock-phrase',
    'unrelated',
  ];
  const rows = order
    .map((kind) => {
      const ids = [...kinds].filter(([, k]) => k === kind).map(([id]) => id);
      const hit = ids.filter((id) => found.has(id));
      const statuses = [...new Set(hit.flatMap((id) => [...found.get(id)!]))].join(', ');
      return [kind, ids.length, hit.length, statuses || '-'];
    })
    .filter((r) => (r[1] as number) > 0);
  return `Planted documents (translations and paraphrases need the semantic tier, --embeddings):\n${table(rows, ['document kind', 'planted', 'found', 'status'])}`;
}
