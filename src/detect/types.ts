/**
 * The detection result: what `lockstep detect --out result.json` writes and what the report, the
 * exports and the workbench read. Everything needed to reproduce a run travels with it: effective
 * parameters, seeds, the input files' hashes and the software version.
 */
import type { SignalName } from '../signals/types.js';

export interface DetectionResult {
  tool: { name: 'lockstep'; version: string };
  /** When the run finished (ISO-8601 UTC). */
  createdAt: string;
  params: DetectionParams;
  /** The ingests the store held, in order: the inputs of the run. */
  inputs: InputFile[];
  data: DataSummary;
  /** Per-signal and overall counts: how many actions, pairs, tests, significant edges. */
  stats: DetectionStats;
  /**
   * Ranked by score, best first, clusters with open indicators after the others; ids are C1, C2, ...
   * in that order.
   */
  clusters: Cluster[];
  /** Significant account pairs whose two accounts are in the same cluster (the drawn network). */
  edges: Edge[];
  /** What the method cannot see in this data (minute timestamps, missing ids, skipped crowds). */
  limits: string[];
}

export interface SignalParams {
  enabled: boolean;
  /** Co-action window in seconds: two actions on the same object at most this far apart. */
  window: number;
  /** Where the window came from. */
  windowSource: 'user' | 'estimated' | 'default';
  /** The data's estimate (CooRnet's method) even when the user set the window; null with too few objects. */
  windowEstimate: number | null;
  /** Signal-specific options (e.g. `level: "domain"` for links), with their defaults filled in. */
  options: Record<string, string | number | boolean>;
}

export interface DetectionParams {
  signals: Record<SignalName, SignalParams>;
  /** A pair needs at least this many co-actions (distinct pairs of posts) to be tested. */
  minParticipation: number;
  /** False discovery rate for the pair tests (Benjamini-Hochberg). */
  fdr: number;
  /** Windows of one object with more actions than this are not expanded into pairs (see docs). */
  crowdCap: number;
  /** Clusters smaller than this are not reported. */
  minClusterSize: number;
  /** Strongest significant edges kept per account for clustering. */
  neighbours: number;
  /** Seed of the clustering (Louvain) and of every hash. */
  seed: number;
}

export interface InputFile {
  file: string;
  sha256: string | null;
  format: string;
  rows: number;
  ingestedAt: string;
}

export interface DataSummary {
  posts: number;
  accounts: number;
  platforms: string[];
  span: { start: string | null; end: string | null };
  /** The coarsest time resolution among the ingests (minute-resolution data limits windows). */
  timeResolution: 'second' | 'minute' | 'day';
}

export interface SignalStats {
  actions: number;
  objects: number;
  /** Object windows left unexpanded because they held more than `crowdCap` actions. */
  crowdedWindows: number;
  /** Actions in those windows (left out of the co-actions and of the null model alike). */
  crowdedActions: number;
  /** Account pairs with at least one co-action. */
  pairs: number;
  /** Significant pairs this signal contributed co-actions to. */
  edges: number;
}

export interface DetectionStats {
  signals: Partial<Record<SignalName, SignalStats>>;
  /** Pairs tested (all pairs with a co-action): the m of the multiple-testing correction. */
  pairsTested: number;
  /** Pairs significant at the FDR. */
  significantPairs: number;
  /** The largest p-value accepted by Benjamini-Hochberg (0 when none). */
  pThreshold: number;
  accountsInClusters: number;
  seconds: number;
}

export interface Member {
  /** `platform:account_id`, the node id in edges and graph exports. */
  key: string;
  platform: string;
  accountId: string;
  handle: string | null;
  displayName: string | null;
  /** Posts of the account in the store. */
  posts: number;
  /** Share of the cluster's other members the account has a significant edge with (0..1). */
  strength: number;
  /** Co-actions (distinct pairs of posts) of the account with other members. */
  coActions: number;
}

export interface ClusterSignal {
  signal: SignalName;
  /** Co-actions (post pairs) of this signal among the members. */
  coActions: number;
  /** Share of the members' co-actions (the signal mix; sums to 1 over signals). */
  share: number;
}

export type Confidence = 'high' | 'medium' | 'low';

export interface Cluster {
  id: string;
  size: number;
  /** account_id of every member, strongest first. */
  accounts: string[];
  members: Member[];
  /** 0..1, from significance, size, density, repetition and tightness (docs/method.md). */
  score: number;
  confidence: Confidence;
  /**
   * Poisson tail of the members' co-actions against the null's expectation (an upper bound, treating
   * co-actions as independent), and its base-10 logarithm (pValue is 0 below 1e-308).
   */
  pValue: number;
  log10P: number;
  /** Observed and expected co-actions among the members under the null model. */
  observed: number;
  expected: number;
  /** Significant edges among members / possible pairs. */
  density: number;
  signals: ClusterSignal[];
  /** Distinct days with co-actions among members, and the first and last of them. */
  days: number;
  first: string;
  last: string;
  /** Median |time difference| of the members' co-actions, in seconds. */
  medianDeltaSeconds: number;
  /**
   * `sustained`: co-action repeated over several days (the pattern of run operations);
   * `single-episode`: one burst on one day (open campaigns, petitions, a news moment).
   */
  pattern: 'sustained' | 'single-episode';
  /**
   * Signs that the coordination may be open and authentic, explained in `notes`: `single-episode`
   * (one burst on one day), `shared-name` (the members present themselves under one name, like an
   * outlet's or an organisation's accounts). Empty when none is seen; never a verdict either way.
   */
  openIndicators: OpenIndicator[];
  /** Plain-language notes for the reader: what the pattern is consistent with, and caveats. */
  notes: string[];
  evidence: Evidence[];
}

export type OpenIndicator = 'single-episode' | 'shared-name';

export interface EvidencePost {
  platform: string;
  postId: string;
  accountId: string;
  handle: string | null;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** Seconds after the first post of this evidence item. */
  deltaSeconds: number;
  kind: string;
  text: string | null;
  urls: string[];
}

export interface Evidence {
  signal: SignalName;
  /** What was shared: a post id, a URL, a hashtag, a text family's first text, ... */
  object: string;
  /** Human label of the object kind ("retweeted post", "link", ...). */
  objectLabel: string;
  /** Cluster members acting on it in this burst, and the posts, in time order. */
  accounts: number;
  spanSeconds: number;
  posts: EvidencePost[];
}

export interface Edge {
  /** Account keys (`platform:account_id`, as `Member.key`): a shared link can join two platforms. */
  source: string;
  target: string;
  /** Co-actions (distinct post pairs, all signals), the expected number under the null, the p-value. */
  coActions: number;
  expected: number;
  pValue: number;
  log10P: number;
  /** IDF-weighted co-action strength: sum over co-actions of ln(N / crowd). */
  weight: number;
  signals: SignalName[];
}
