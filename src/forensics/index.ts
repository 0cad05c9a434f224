/**
 * Operation fingerprints (docs/forensics/): for each account set (a detected cluster, or accounts a
 * user lists) its working rhythm and likely operator time zone, creation batches, identity templates
 * and posting cadence, each compared with the population (every account in no set). All sets are
 * computed together, in a few passes of SQL over the store.
 */
import { UsageError } from '../core/errors.js';
import type { Cluster, DetectionResult } from '../detect/types.js';
import type { Store } from '../store/store.js';
import { type Cadence, cadenceFingerprints } from './cadence.js';
import { type Creation, creationFingerprints } from './creation.js';
import { type Identity, identityFingerprints } from './identity.js';
import { type Rhythm, rhythmFingerprints } from './rhythm.js';
import { type AccountSet, dropAccountSets, loadAccountSets } from './sets.js';

export interface Fingerprint {
  /** Members of the set found in the store (accounts with no post or profile still count here). */
  accounts: number;
  rhythm: Rhythm;
  creation: Creation;
  identity: Identity;
  cadence: Cadence;
}

export interface FingerprintResult {
  sets: Map<string, Fingerprint>;
  /** The population's rhythm: every account in no set. */
  population: { rhythm: Rhythm };
  seconds: number;
}

export interface FingerprintHooks {
  /** A stage starts (`done` false) or ends (`done` true, with its seconds), as in detection. */
  onStage?: (stage: { name: string; done: boolean; seconds?: number; note?: string }) => void;
}

export async function fingerprint(
  store: Store,
  sets: AccountSet[],
  hooks: FingerprintHooks = {},
): Promise<FingerprintResult> {
  const t0 = performance.now();
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    hooks.onStage?.({ name, done: false });
    const start = performance.now();
    const value = await work();
    hooks.onStage?.({ name, done: true, seconds: (performance.now() - start) / 1000 });
    return value;
  };
  const empty = sets.find((s) => !s.accounts.length);
  if (empty)
    throw new UsageError(`the account set "${empty.id}" is empty; a fingerprint needs at least one account`);
  await loadAccountSets(store, sets);
  try {
    const rhythm = await timed('fingerprint: rhythm and time zone', () => rhythmFingerprints(store));
    const creation = await timed('fingerprint: creation batches', () => creationFingerprints(store));
    const identity = await timed('fingerprint: identity templates', () => identityFingerprints(store));
    const cadence = await timed('fingerprint: posting cadence', () => cadenceFingerprints(store));
    const out = new Map<string, Fingerprint>();
    for (const s of sets) {
      const r = rhythm.sets.get(s.id);
      const c = creation.get(s.id);
      const i = identity.get(s.id);
      const k = cadence.get(s.id);
      if (!r || !c || !i || !k) throw new Error(`fingerprint of set ${s.id} is incomplete`);
      out.set(s.id, { accounts: s.accounts.length, rhythm: r, creation: c, identity: i, cadence: k });
    }
    return { sets: out, population: { rhythm: rhythm.population }, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await dropAccountSets(store);
  }
}

/** The account set of a detected cluster. */
export const clusterSet = (c: Cluster): AccountSet => ({
  id: c.id,
  accounts: c.members.map((m) => ({ platform: m.platform, accountId: m.accountId })),
});

export type FingerprintedCluster = Cluster & { fingerprint: Fingerprint };
export type FingerprintedResult = Omit<DetectionResult, 'clusters'> & {
  clusters: FingerprintedCluster[];
  /** The population the fingerprints compare with: every account in no cluster. */
  population: { rhythm: Rhythm };
};

/** A detection result with every cluster's fingerprint attached. */
export async function fingerprintClusters(
  store: Store,
  result: DetectionResult,
  hooks: FingerprintHooks = {},
): Promise<FingerprintedResult> {
  const f = await fingerprint(store, result.clusters.map(clusterSet), hooks);
  return {
    ...result,
    clusters: result.clusters.map((c) => ({ ...c, fingerprint: f.sets.get(c.id)! })),
    population: f.population,
  };
}

export type { AccountRef, AccountSet } from './sets.js';
export type { Cadence, Creation, Identity, Rhythm };
