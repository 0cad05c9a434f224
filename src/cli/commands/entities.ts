import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { InputError, UsageError } from '../../core/errors.js';
import { ENTITY_FORMATS } from '../../entities/import/formats/index.js';
import { loadFtmMapping } from '../../entities/import/formats/mapping.js';
import { type EntityImportReport, importEntities } from '../../entities/import/pipeline.js';
import { type LinkCounts, linkLayers } from '../../entities/link/index.js';
import { MAP_DEFAULTS, mapPaths, timeline } from '../../entities/query/map.js';
import { showEntity } from '../../entities/query/show.js';
import {
  type Judgement,
  judge,
  RESOLVE_DEFAULTS,
  resolveEntities,
  reviewCandidates,
} from '../../entities/resolve/index.js';
import { MATCH_DEFAULTS, matchEntities, parseMatchRequest } from '../../entities/resolve/match.js';
import {
  exportFtm,
  influenceGexf,
  influenceGraphml,
  writeChunks,
  writeInfluenceCsv,
} from '../../report/exports/influence.js';
import { Store } from '../../store/store.js';
import { entityText, pathsText } from '../entities-text.js';
import { duration, Progress, StageProgress } from '../progress.js';
import {
  dbOption,
  interrupt,
  openExistingStore,
  parseIntOption,
  parsePositiveOption,
  reportBadFiles,
  skipBadFile,
} from '../shared.js';
import { n, table } from '../text.js';

/** One import's summary line, with its warnings and where the rejects are. */
export function importSummary(r: EntityImportReport): string {
  const lines = [
    `${r.fileName}: ${r.format} (dataset ${r.dataset}), read ${n(r.recordsRead)} = stored ${n(r.recordsStored)} + duplicate ${n(r.recordsDuplicate)} + rejected ${n(r.recordsRejected)}; ${n(r.statementsNew)} statements about ${n(r.entitiesTouched)} entities in ${duration(r.seconds)} [ingest #${r.ingestId}]`,
  ];
  for (const w of r.warnings)
    lines.push(
      `  warning: ${w.message}: ${n(w.count)}${w.firstLine ? ` (first at record ${w.firstLine})` : ''}`,
    );
  if (r.recordsRejected)
    lines.push(
      `  ${n(r.recordsRejected)} rejected record(s) kept aside: lockstep rejects --ingest ${r.ingestId}`,
    );
  return lines.join('\n');
}

export function linkSummary(c: LinkCounts): string {
  return `Linked: ${n(c.officials)} contacts to Members of Congress, ${n(c.accounts)} accounts, ${n(c.websites)} websites, ${n(c.pushes)} pushed domains, ${n(c.mentions)} names in posts, ${n(c.documents)} documents to speakers and outlets, ${n(c.echoes)} documents echoing clusters`;
}

export function resolveSummary(r: Awaited<ReturnType<typeof resolveEntities>>): string {
  return `Resolved ${n(r.entities)} party records: ${n(r.pairsScored)} candidate pairs scored, ${n(r.merged)} merges into ${n(r.clusters)} entities of several records (largest ${n(r.largestCluster)}); ${n(r.judgementsApplied)} 'same' judgements applied, ${n(r.judgementsBlocking)} merges blocked by 'different' judgements; ${n(r.forReview)} pairs for review (${r.parameters.reviewThreshold} <= score < ${r.parameters.mergeThreshold}) in ${duration(r.seconds)}`;
}

/**
 * The files to import: a mapping YAML given as a file stands for the tables its queries name
 * (`csv_url`, relative to the YAML), each read with that mapping.
 */
function expandMappings(files: string[], mappingPath?: string) {
  const out: { file: string; mapping?: ReturnType<typeof loadFtmMapping> }[] = [];
  const given = mappingPath ? loadFtmMapping(mappingPath) : undefined;
  for (const file of files) {
    if (/\.ya?ml$/i.test(file)) {
      const mapping = loadFtmMapping(file);
      const tables = [...new Set(mapping.queries.flatMap((q) => q.csvUrls))];
      if (!tables.length)
        throw new UsageError(
          `${file} names no table (csv_url); pass the table with --mapping ${file} TABLE.csv`,
        );
      for (const t of tables) {
        const path = resolvePath(dirname(file), t);
        if (!existsSync(path)) throw new InputError(`${file}: the table ${t} is not at ${path}`);
        out.push({ file: path, mapping });
      }
    } else out.push({ file, mapping: given });
  }
  return out;
}

export function registerEntities(program: Command): void {
  const entities = program
    .command('entities')
    .description('the influence layer: FollowTheMoney entities (import, resolve, match, show, export)');

  entities
    .command('import')
    .description(
      'import entity records (FtM, FARA, Sunlight FARA, LDA, congress-legislators, any table via an FtM mapping)',
    )
    .argument('<files...>', 'files to import (format detected from content; .gz and .zip accepted)')
    .addOption(dbOption())
    .option(
      '--format <name>',
      `entity format (detected when absent): ${ENTITY_FORMATS.map((f) => f.name).join(', ')}`,
    )
    .option('--dataset <name>', "dataset name every statement carries (default: the format's)")
    .option('--mapping <file.yml>', 'an FtM mapping (the YAML of `ftm map`) to read any CSV table with')
    .option('--encoding <label>', 'text encoding when detection is wrong (windows-1252, utf-16le, ...)')
    .option(
      '--no-resolve',
      'do not re-run entity resolution after the import (judgements are re-applied by it)',
    )
    .option('--json', 'print the import reports as JSON')
    .option('-q, --quiet', 'no progress display')
    .action(async (files, opts) => {
      const inputs = expandMappings(files, opts.mapping);
      const store = await Store.open(opts.db);
      const progress = new Progress(process.stderr, opts.quiet || opts.json);
      const reports: EntityImportReport[] = [];
      const failures: string[] = [];
      try {
        for (const { file, mapping } of inputs) {
          progress.start();
          try {
            const report = await importEntities(store, file, {
              format: mapping ? 'mapping' : opts.format,
              dataset: opts.dataset ?? mapping?.dataset,
              encoding: opts.encoding,
              formatOptions: mapping ? { mapping } : {},
              signal: interrupt.signal,
              onProgress: (p) =>
                progress.update({ label: p.file, done: p.diskBytes, total: p.totalBytes, rows: p.records }),
            });
            progress.done();
            reports.push(report);
            if (!opts.json) console.log(importSummary(report));
          } catch (err) {
            progress.done();
            skipBadFile(err, file, inputs.length, failures);
          }
        }
        // Resolution re-applies every stored judgement to what was just imported (as nomenklatura does),
        // and the layers are linked again over the resolved entities.
        if (opts.resolve && reports.length) {
          const stages = new StageProgress(process.stderr, opts.quiet || opts.json);
          const r = await resolveEntities(store, { onStage: stages.stage });
          stages.done();
          const counts = await linkLayers(store);
          if (!opts.json) console.log(`${resolveSummary(r)}\n${linkSummary(counts)}`);
        }
      } finally {
        store.close();
      }
      if (opts.json) console.log(JSON.stringify(reports, null, 2));
      reportBadFiles(failures, inputs.length, 'imported');
    });

  entities
    .command('resolve')
    .description(
      'merge records of the same party into canonical entities; list the uncertain pairs for review',
    )
    .addOption(dbOption())
    .option(
      '--merge <score>',
      `merge pairs at or above this score (default ${RESOLVE_DEFAULTS.mergeThreshold})`,
      parsePositiveOption('--merge'),
    )
    .option(
      '--review <score>',
      `list pairs from this score up for review (default ${RESOLVE_DEFAULTS.reviewThreshold})`,
      parsePositiveOption('--review'),
    )
    .option('--limit <n>', 'pairs to list for review', parseIntOption('--limit'), 20)
    .option('--json', 'print the result and the pairs for review as JSON')
    .option('-q, --quiet', 'no progress display')
    .action(async (opts) => {
      const store = await openExistingStore(opts.db);
      try {
        const stages = new StageProgress(process.stderr, opts.quiet || opts.json);
        const result = await resolveEntities(store, {
          mergeThreshold: opts.merge,
          reviewThreshold: opts.review,
          onStage: stages.stage,
        });
        stages.done();
        const pairs = await reviewCandidates(store, opts.limit);
        if (opts.json) {
          console.log(JSON.stringify({ result, review: pairs }, null, 2));
          return;
        }
        console.log(resolveSummary(result));
        if (pairs.length) {
          console.log(
            `\nFor review (best first; judge with lockstep entities judge A B same|different|unsure):\n`,
          );
          console.log(
            table(
              pairs.map((p) => [
                p.score.toFixed(3),
                `${p.left.caption ?? p.left.id} [${p.left.schema}]`,
                `${p.right.caption ?? p.right.id} [${p.right.schema}]`,
                `${p.left.id} ${p.right.id}`,
                Object.entries(p.features)
                  .map(([k, v]) => (v === 1 ? k : `${k} ${v}`))
                  .join(', '),
              ]),
              ['score', 'left', 'right', 'ids', 'evidence'],
            ),
          );
        }
      } finally {
        store.close();
      }
    });

  entities
    .command('judge')
    .description(
      'record that two entities are the same party, different parties, or unsure; applied by every resolve',
    )
    .argument('<a>', 'entity id (source or canonical)')
    .argument('<b>', 'entity id (source or canonical)')
    .argument('<judgement>', 'same | different | unsure')
    .addOption(dbOption())
    .option('--no-resolve', 'only record the judgement; apply it at the next resolve')
    .action(async (a, b, judgement, opts) => {
      const store = await openExistingStore(opts.db);
      try {
        await judge(store, a, b, judgement as Judgement);
        console.log(
          `recorded: ${a} and ${b} are ${judgement === 'same' ? 'the same party' : judgement === 'different' ? 'different parties' : 'unsure'}`,
        );
        if (opts.resolve) console.log(resolveSummary(await resolveEntities(store)));
      } finally {
        store.close();
      }
    });

  entities
    .command('match')
    .description('match query entities against the store, in the shape of yente /match (JSON in, JSON out)')
    .requiredOption(
      '--query <file.json>',
      'a yente /match body: {"queries": {"q1": {"schema": "Person", "properties": {"name": ["..."]}}}}',
    )
    .addOption(dbOption())
    .option('--top <k>', 'results per query', parseIntOption('--top'), MATCH_DEFAULTS.limit)
    .option(
      '--threshold <score>',
      `score from which a result is a match (default ${MATCH_DEFAULTS.threshold})`,
      parsePositiveOption('--threshold'),
    )
    .option('--json', 'print JSON (the default; kept for symmetry with the other commands)')
    .action(async (opts) => {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(opts.query, 'utf8'));
      } catch (err) {
        throw new InputError(
          `cannot read the query file ${opts.query}: ${(err as Error).message.split('\n')[0]}`,
        );
      }
      const queries = parseMatchRequest(body);
      const store = await openExistingStore(opts.db);
      try {
        const responses = await matchEntities(store, queries, { limit: opts.top, threshold: opts.threshold });
        console.log(JSON.stringify({ responses, matcher: 'lockstep-v1', limit: opts.top }, null, 2));
      } finally {
        store.close();
      }
    });

  entities
    .command('show')
    .description(
      'one entity with its names, identifiers, representations, payments, contacts, links, accounts and documents, each with its source',
    )
    .argument('<name-or-id>', 'a name (matched against the resolved entities) or an entity id')
    .addOption(dbOption())
    .option('--sources', 'show every source of every fact (file:row and URL)')
    .option('--limit <n>', 'longest list of each kind', parseIntOption('--limit'), 200)
    .option('--json', 'print the view as JSON (the workbench and report read this shape)')
    .action(async (nameOrId, opts) => {
      const store = await openExistingStore(opts.db);
      try {
        const view = await showEntity(store, nameOrId, { limit: opts.limit });
        console.log(opts.json ? JSON.stringify(view, null, 2) : entityText(view, opts.sources));
      } finally {
        store.close();
      }
    });

  entities
    .command('link')
    .description(
      'link the layers: contacts to officials, accounts to entities, pushed domains to websites, names in posts, documents to speakers and outlets',
    )
    .addOption(dbOption())
    .option('--json', 'print the counts as JSON')
    .action(async (opts) => {
      const store = await openExistingStore(opts.db);
      try {
        const counts = await linkLayers(store);
        console.log(opts.json ? JSON.stringify(counts, null, 2) : linkSummary(counts));
      } finally {
        store.close();
      }
    });

  entities
    .command('export')
    .description(
      'export the influence layer: FtM JSON Lines (validated, loads back), GEXF/GraphML of every layer, CSV tables',
    )
    .addOption(dbOption())
    .option('--ftm <file>', 'canonical entities as FollowTheMoney JSON Lines')
    .option('--gexf <file>', 'every layer as a GEXF graph (Gephi)')
    .option('--graphml <file>', 'every layer as GraphML')
    .option('--csv <dir>', 'entities.csv, relationships.csv, payments.csv (formula-safe)')
    .action(async (opts) => {
      if (!opts.ftm && !opts.gexf && !opts.graphml && !opts.csv)
        throw new UsageError(
          'nothing to export: pass --ftm FILE, --gexf FILE, --graphml FILE and/or --csv DIR',
        );
      const store = await openExistingStore(opts.db);
      try {
        const written: string[] = [];
        if (opts.ftm) {
          const r = await exportFtm(store, opts.ftm);
          written.push(
            `${r.path} (${n(r.entities)} entities${
              r.invalid.length
                ? `, ${n(r.invalid.length)} problems: ${r.invalid
                    .slice(0, 3)
                    .map((i) => `${i.entityId}: ${i.problem}`)
                    .join('; ')}`
                : ', all valid against the FtM model'
            })`,
          );
        }
        if (opts.gexf) written.push(await writeChunks(opts.gexf, influenceGexf(store)));
        if (opts.graphml) written.push(await writeChunks(opts.graphml, influenceGraphml(store)));
        if (opts.csv) written.push(...(await writeInfluenceCsv(store, opts.csv)));
        console.log(`Written: ${written.join(', ')}`);
      } finally {
        store.close();
      }
    });

  entities
    .command('formats')
    .description('list the entity formats Lockstep reads, with their sources')
    .action(() => {
      console.log(
        table(
          ENTITY_FORMATS.map((f) => [f.name, f.title, f.source]),
          ['format', 'what', 'source'],
        ),
      );
    });
}

export function registerMap(program: Command): void {
  program
    .command('map')
    .description(
      'paths across the layers between two nodes (an entity, @account, cluster C3, a domain), each hop with its record and date',
    )
    .requiredOption(
      '--from <node>',
      'entity name or id, @handle, account:platform:id, cluster:C3 (or C3), domain:example.org',
    )
    .requiredOption('--to <node>', 'the other end, in the same forms')
    .addOption(dbOption())
    .option(
      '--max-hops <n>',
      `longest path (default ${MAP_DEFAULTS.maxHops})`,
      parseIntOption('--max-hops'),
      MAP_DEFAULTS.maxHops,
    )
    .option('--limit <n>', 'paths to show', parseIntOption('--limit'), MAP_DEFAULTS.limit)
    .option('--timeline', 'also list the dated hops of the paths in time order')
    .option('--json', 'print the paths as JSON')
    .action(async (opts) => {
      const store = await openExistingStore(opts.db);
      try {
        const paths = await mapPaths(store, opts.from, opts.to, { maxHops: opts.maxHops, limit: opts.limit });
        if (opts.json) {
          console.log(JSON.stringify({ paths, timeline: timeline(paths) }, null, 2));
          return;
        }
        console.log(pathsText(paths));
        if (opts.timeline && paths.length) {
          console.log('\nTimeline:');
          for (const h of timeline(paths))
            console.log(`  ${h.date}  ${h.from.label} -[${h.label}]-> ${h.to.label}`);
        }
        if (paths.length)
          console.log(
            '\nA path shows records that connect the two, in the order they were filed; it does not show that one caused the other.',
          );
      } finally {
        store.close();
      }
    });
}
