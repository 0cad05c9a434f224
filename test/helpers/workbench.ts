import { join } from 'node:path';
import { detect } from '../../src/detect/index.js';
import { saveDetection } from '../../src/detect/saved.js';
import { importEntities } from '../../src/entities/import/pipeline.js';
import { linkLayers } from '../../src/entities/link/index.js';
import { resolveEntities } from '../../src/entities/resolve/index.js';
import { fingerprintClusters } from '../../src/forensics/index.js';
import { ingestDocuments } from '../../src/ingest/documents/index.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { simulate } from '../../src/simulate/index.js';
import { simulateInfluence } from '../../src/simulate/influence.js';
import { Store } from '../../src/store/store.js';

/**
 * A small demo store for the workbench tests: the simulator's default scenario (planted operations
 * among organic activity) through real ingest, detection with fingerprints, saved as run 1, as
 * `npm start` does. About 20,000 posts, so that one build per test file stays quick
 * (LOCKSTEP_DEMO_POSTS changes it: `npm run screenshots` uses the README demo's 50,000). With
 * `documents`, also the simulator's statements and articles (one per 250 posts, at least 60, as the
 * demo makes), some of which echo the operations' messages. With `influence`, the simulated influence
 * layer is imported, resolved and linked, as the demo does.
 */
export async function demoStore(
  dir: string,
  posts = Number(process.env.LOCKSTEP_DEMO_POSTS ?? 20_000),
  options: { documents?: boolean; influence?: boolean } = {},
): Promise<Store> {
  const documents = options.documents ? Math.max(60, Math.round(posts / 250)) : undefined;
  const sim = simulate({ out: join(dir, 'corpus'), posts, seed: 7, documents });
  const store = await Store.open(join(dir, 'demo.duckdb'), { memoryLimit: '1GB', threads: 2 });
  for (const file of sim.files) await ingestFile(store, file);
  if (sim.documents) await ingestDocuments(store, sim.documents.file);
  await saveDetection(store, await fingerprintClusters(store, await detect(store)));
  if (options.influence) {
    await importEntities(store, simulateInfluence(sim).file, { dataset: 'simulated_influence' });
    await resolveEntities(store);
    await linkLayers(store);
  }
  return store;
}
