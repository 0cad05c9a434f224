import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import { traceEchoes } from '../../echo/index.js';
import { type EmbeddingProvider, embeddingProvider } from '../../echo/semantic/index.js';
import { ingestDocuments } from '../../ingest/documents/index.js';
import { writeEchoCsv } from '../../report/exports/echo.js';
import { writeFileAtomic } from '../../report/exports/files.js';
import { Store } from '../../store/store.js';
import { echoText } from '../echo-text.js';
import { StageProgress } from '../progress.js';
import { dbOption, interrupt, openExistingStore, parseIntOption } from '../shared.js';
import { documentIngestSummary } from './ingest-docs.js';

function fraction(name: string, min: number) {
  return (value: string): number => {
    const x = Number(value);
    if (!Number.isFinite(x) || x <= min || x > 1)
      throw new UsageError(`invalid ${name} "${value}": expecting a number above ${min} and at most 1`);
    return x;
  };
}

/** Seed texts from a file: one per line (blank lines and `#` comments skipped). */
function readSeeds(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read the seeds file ${file}`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

export function registerEcho(program: Command): void {
  program
    .command('echo')
    .description(
      'which talking points of the posts reappear in statements and articles, with the shared passages and who said it first',
    )
    .addOption(dbOption())
    .option('--docs <paths...>', 'ingest these document files or folders first (as lockstep ingest-docs)')
    .option(
      '--from <source>',
      'talking points from flagged clusters, all posts, or auto (clusters when a detection is saved)',
      'auto',
    )
    .option(
      '--run <n>',
      'the saved detection run whose flagged clusters count (default: the latest)',
      parseIntOption('--run'),
    )
    .option('--all-clusters', 'count clusters with open indicators as flagged too')
    .option('--seed <text...>', 'a talking point of your own (repeatable)')
    .option('--seeds <file>', 'talking points of your own, one per line')
    .option(
      '--min-score <x>',
      'reuse a document needs (overrides the per-language thresholds)',
      fraction('--min-score', 0),
    )
    .option(
      '--embeddings <model>',
      'semantic tier: a local ONNX model (file or folder with tokenizer.json) or an OpenAI-compatible URL',
    )
    .option('--embeddings-model <name>', 'the model name to send to an embeddings URL')
    .option('--min-cosine <x>', 'cosine similarity a semantic echo needs', fraction('--min-cosine', -1))
    .option('--top <n>', 'talking points shown', parseIntOption('--top'), 10)
    .option('--out <file.json>', 'write the whole result as JSON')
    .option('--csv <dir>', 'write echoes.csv, talking_points.csv and passages.csv')
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep echo --docs statements.jsonl --out echoes.json\n  lockstep echo --from all --csv echo/\n  lockstep echo --seed "The people deserve to know the truth" --min-score 0.5\n  lockstep echo --embeddings ./models/multilingual-minilm/   (translations and paraphrases)\n\nMethod, scores and their limits: docs/echo.md.',
    )
    .action(async (opts) => {
      if (!['clusters', 'all', 'auto'].includes(opts.from))
        throw new UsageError(`invalid --from "${opts.from}": expecting clusters, all or auto`);
      const seeds = [...(opts.seed ?? []), ...(opts.seeds ? readSeeds(opts.seeds) : [])];
      // With --docs the store may be new; otherwise it must hold posts already.
      const store = opts.docs ? await Store.open(opts.db) : await openExistingStore(opts.db);
      const progress = new StageProgress(process.stderr, opts.quiet);
      let provider: EmbeddingProvider | null = null;
      try {
        for (const path of opts.docs ?? []) {
          const report = await ingestDocuments(store, path, { signal: interrupt.signal });
          console.log(documentIngestSummary(report));
        }
        if (opts.embeddings)
          provider = await embeddingProvider(opts.embeddings, { model: opts.embeddingsModel });
        const result = await traceEchoes(
          store,
          {
            from: opts.from as 'clusters' | 'all' | 'auto',
            run: opts.run,
            allClusters: !!opts.allClusters,
            seeds,
            minScore: opts.minScore,
            semantic: { provider, ...(opts.minCosine !== undefined ? { minCosine: opts.minCosine } : {}) },
          },
          { onStage: progress.stage, onProgress: progress.progress, signal: interrupt.signal },
        );
        progress.done();
        const written: string[] = [];
        if (opts.out) written.push(writeFileAtomic(opts.out, `${JSON.stringify(result, null, 1)}\n`));
        if (opts.csv) written.push(...writeEchoCsv(result, opts.csv));
        if (opts.docs?.length) console.log('');
        console.log(echoText(result, Math.max(1, opts.top)));
        if (written.length) console.log(`\nWritten: ${written.join(', ')}`);
      } finally {
        progress.done();
        await provider?.close?.();
        store.close();
      }
    });
}
