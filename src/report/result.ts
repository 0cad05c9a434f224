import type { Cluster, DetectionResult } from '../detect/types.js';
import type { Fingerprint } from '../forensics/index.js';
import type { Rhythm } from '../forensics/rhythm.js';

/**
 * A detection result as saved in the store: with each cluster's fingerprint and the population's
 * rhythm when detect computed them (the default), without them after `detect --no-fingerprint`.
 */
export type SavedResult = Omit<DetectionResult, 'clusters'> & {
  clusters: (Cluster & { fingerprint?: Fingerprint })[];
  population?: { rhythm: Rhythm };
};
