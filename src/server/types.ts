/**
 * The workbench API's contract: every response body of `lockstep serve`, shared by the server
 * (src/server/), the web app (web/) and the tests. Everything is plain JSON; times are ISO-8601 UTC.
 *
 * Conventions:
 * - Lists are pages: `?offset=&limit=` with a per-route maximum; the response says the total.
 * - `?run=N` picks a saved detection run; without it, the latest run.
 * - Errors are `{ error: string }` with a 4xx/5xx status; the message says what to do.
 * - With a token (always when serving beyond loopback), every /api route needs
 *   `Authorization: Bearer TOKEN`.
 * - Every string that comes from the data (post text, handles, bios, URLs) is untrusted: clients show
 *   it as text, never as markup, and never load a URL from it.
 */
import type {
  Cluster,
  ClusterSignal,
  Confidence,
  DataSummary,
  DetectionParams,
  DetectionStats,
  Evidence,
  EvidencePost,
  InputFile,
  Member,
  OpenIndicator,
} from '../detect/types.js';
import type { AmplifiedItem, ItemKind, KindSummary } from '../forensics/amplification.js';
import type { Fingerprint } from '../forensics/index.js';
import type { Rhythm } from '../forensics/rhythm.js';
import type { IngestReport } from '../ingest/pipeline.js';
import type { OptionValue, SignalName, SignalOption } from '../signals/types.js';
import type { IngestSummary, PlatformSummary } from '../store/status.js';

export type {
  AmplifiedItem,
  Cluster,
  ClusterSignal,
  Confidence,
  Evidence,
  EvidencePost,
  Fingerprint,
  ItemKind,
  Member,
  Rhythm,
  SignalName,
};

export interface ApiError {
  error: string;
}

export interface Page<T> {
  items: T[];
  /** Items matching the query (before paging). */
  total: number;
  offset: number;
  limit: number;
}

/** GET /api/health: no token needed; says whether a token is needed for the rest. */
export interface HealthResponse {
  ok: true;
  version: string;
  tokenRequired: boolean;
  /** False when the store is open read-only (another process writes it, or --read-only): no Run view. */
  writable: boolean;
}

/** A saved detection run, without its clusters. */
export interface RunInfo {
  runId: number;
  createdAt: string;
  toolVersion: string;
  clusters: number;
  accountsInClusters: number;
  params: DetectionParams;
  data: DataSummary;
  stats: DetectionStats;
  inputs: InputFile[];
  limits: string[];
}

/** A cluster as a row of the ranked list (no members, no evidence). */
export interface ClusterRow {
  id: string;
  size: number;
  score: number;
  confidence: Confidence;
  log10P: number;
  density: number;
  signals: ClusterSignal[];
  pattern: Cluster['pattern'];
  openIndicators: OpenIndicator[];
  /** No open indicator: counted as coordinated-and-not-open in amplification. */
  flagged: boolean;
  days: number;
  first: string;
  last: string;
  medianDeltaSeconds: number;
  /** From the fingerprint when the run has one: the operators' likely offset and office-hours verdict. */
  offsetLabel: string | null;
  officeHours: string | null;
}

/** GET /api/overview?run= */
export interface OverviewResponse {
  store: {
    /** File name of the store (not its full path). */
    name: string;
    posts: number;
    accounts: number;
    first: string | null;
    last: string | null;
    platforms: PlatformSummary[];
    rejects: { total: number; byReason: { reason: string; count: number }[] };
  };
  /** The most recent ingests (at most 50; `ingestsTotal` says how many there are). */
  ingests: IngestSummary[];
  ingestsTotal: number;
  /** The selected run (latest by default), or null when no detection is saved yet. */
  run: RunInfo | null;
  runs: { runId: number; createdAt: string; clusters: number }[];
  /** Top clusters of the run, ranked (at most 50; the cluster list pages the rest). */
  clusters: ClusterRow[];
}

/** GET /api/clusters?run=&offset=&limit=&q= (q: a cluster id, or part of a member's handle or name) */
export type ClustersResponse = Page<ClusterRow>;

/** GET /api/clusters/:id?run= */
export interface ClusterResponse {
  cluster: ClusterRow & { notes: string[]; observed: number; expected: number; pValue: number };
  run: { runId: number; createdAt: string };
  /** The members' rhythm (7 x 24 UTC and local at the estimated offset) and the population's, for comparison. */
  rhythm: Rhythm | null;
  populationRhythm: Rhythm | null;
  /** The fingerprint, as saved with the run (null when detect ran with --no-fingerprint). */
  fingerprint: Omit<Fingerprint, 'rhythm'> | null;
  /** Members' account creation dates: accounts created per UTC day (days with none left out). */
  creation: { day: string; accounts: number }[];
  /** Members without a creation date. */
  undated: number;
}

/** A member of a cluster, with the profile fields a list shows. */
export interface MemberRow extends Member {
  createdAt: string | null;
  followers: number | null;
}

/** GET /api/clusters/:id/members?run=&offset=&limit=&q= */
export type MembersResponse = Page<MemberRow>;

/**
 * One evidence post as a row of the cluster's evidence table: the posts of each evidence item side
 * by side, in time order. `item` numbers the items (0-based, strongest first).
 */
export interface EvidenceRow extends EvidencePost {
  item: number;
  signal: SignalName;
  objectLabel: string;
  object: string;
}

/** GET /api/clusters/:id/evidence?run=&offset=&limit=&q= (q: words in text, handle or object) */
export type EvidenceResponse = Page<EvidenceRow> & {
  /** Every evidence item of the cluster (without posts), for the rows' group headers. */
  groups: {
    item: number;
    signal: SignalName;
    objectLabel: string;
    object: string;
    accounts: number;
    spanSeconds: number;
  }[];
};

/**
 * GET /api/graph?run=&signals=a,b&minConfidence=low|medium|high&from=&to=&limit=&perNode=
 * Nodes: clustered accounts (at most `limit`, default 5,000, at most 20,000). Edges: each account's
 * `perNode` strongest significant pairs (default 10, at most 50) among the nodes drawn.
 */
export interface GraphResponse {
  nodes: GraphNode[];
  /** Compact, for thousands of edges: indexes into `nodes`, the IDF weight, the signals as bits of `signals`. */
  edges: GraphEdge[];
  /** Bit i of an edge's signal mask is `signals[i]`. */
  signals: SignalName[];
  /** The clusters drawn, with their colour (the exports' palette) and disc in layout coordinates. */
  clusters: {
    id: string;
    size: number;
    confidence: Confidence;
    flagged: boolean;
    color: string;
    x: number;
    y: number;
    r: number;
  }[];
  /** Accounts and significant pairs matching the filters, before the node limit and the per-account cut. */
  total: { nodes: number; edges: number };
  /** True when the node limit cut the graph (the weakest members of the last clusters go first). */
  truncated: boolean;
}

export interface GraphNode {
  key: string;
  platform: string;
  accountId: string;
  handle: string | null;
  cluster: string;
  /** Posts in the store (the node size). */
  posts: number;
  strength: number;
  /** Precomputed layout: clusters packed apart, members around their cluster's centre. */
  x: number;
  y: number;
}

/** [source node index, target node index, IDF weight, signal mask] */
export type GraphEdge = [number, number, number, number];

/** GET /api/accounts/:platform/:accountId?run= */
export interface AccountResponse {
  account: {
    key: string;
    platform: string;
    accountId: string;
    handle: string | null;
    displayName: string | null;
    bio: string | null;
    location: string | null;
    url: string | null;
    createdAt: string | null;
    followers: number | null;
    following: number | null;
    posts: number;
    first: string | null;
    last: string | null;
  };
  /** The account's cluster in the run, or null. */
  cluster: { id: string; strength: number; flagged: boolean; confidence: Confidence } | null;
  /** Posts per UTC day. */
  timeline: { day: string; posts: number }[];
  /** The account's week (7 x 24, UTC and local) and its likely UTC offset, as for a cluster. */
  rhythm: Rhythm;
  /** Significant co-actors (edges of the run), strongest first (at most 100). */
  coActors: {
    key: string;
    handle: string | null;
    cluster: string | null;
    coActions: number;
    weight: number;
    log10P: number;
    signals: SignalName[];
  }[];
  /** The cluster's evidence items in which this account took part. */
  evidence: Evidence[];
  /** Earlier profile states (handles, names, bios). */
  versions: {
    handle: string | null;
    displayName: string | null;
    bio: string | null;
    firstObserved: string | null;
    lastObserved: string | null;
  }[];
}

export interface PostRow {
  platform: string;
  postId: string;
  accountId: string;
  createdAt: string;
  kind: string;
  text: string | null;
  urls: string[];
  hashtags: string[];
  refPostId: string | null;
}

/** GET /api/accounts/:platform/:accountId/posts?offset=&limit=&from=&to= (newest first) */
export type PostsResponse = Page<PostRow>;

/** GET /api/accounts?q=&offset=&limit= (handle, name or id; prefix match) */
export type AccountsResponse = Page<{
  key: string;
  platform: string;
  accountId: string;
  handle: string | null;
  displayName: string | null;
  posts: number;
}>;

/**
 * GET /api/amplification?run=&kinds=hashtag,link,domain,text-family&by=day|hour&top= (computed once
 * per run, then kept). Without `kinds`: hashtags, links and domains; text families (built in
 * JavaScript, seconds on a large store) only when `kinds` names them.
 */
export interface AmplificationResponse {
  kinds: KindSummary[];
  items: AmplifiedItem[];
  flagged: { sets: number; accounts: number };
  by: 'day' | 'hour';
}

/** GET /api/amplification/series?run=&kind=hashtag|link|domain&key=&by=day|hour: any one item over time. */
export interface ItemSeriesResponse {
  kind: ItemKind;
  /** The key as stored (hashtags case-folded without '#', canonical URLs, domains). */
  key: string;
  label: string;
  posts: number;
  /** Posts by the run's flagged clusters. */
  flaggedPosts: number;
  /** Buckets with posts (the others are zero). */
  series: { t: string; posts: number; flaggedPosts: number }[];
  by: 'day' | 'hour';
}

/** GET /api/signals: the descriptors that drive the Run view's form. */
export interface SignalsResponse {
  signals: {
    name: SignalName;
    title: string;
    description: string;
    enabledByDefault: boolean;
    defaultWindow: number;
    options: SignalOption[];
  }[];
  defaults: { minParticipation: number; fdr: number; minClusterSize: number; crowdCap: number; seed: number };
  formats: string[];
}

/** POST /api/detect body. */
export interface DetectRequest {
  signals?: SignalName[];
  /** Seconds per signal; a signal left out gets its estimated window. */
  windows?: Partial<Record<SignalName, number>>;
  /** Signal options by signal, e.g. `{ "shared-link": { "level": "domain" } }`. */
  signalOptions?: Partial<Record<SignalName, Record<string, OptionValue>>>;
  minParticipation?: number;
  crowdCap?: number;
  fdr?: number;
  minClusterSize?: number;
  seed?: number;
}

/** A background job (ingest or detect) started from the Run view. */
export interface Job {
  id: string;
  kind: 'ingest' | 'detect';
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  /** The current stage, and its progress when countable. */
  stage: string | null;
  progress: { done: number; total: number | null; unit: string } | null;
  /** One line per finished stage or warning. */
  log: string[];
  error: string | null;
  /** Ingest: the ingest's report; detect: the saved run id and cluster count. */
  result: { ingest?: IngestReport; runId?: number; clusters?: number } | null;
}

/**
 * POST /api/ingest?name=&format=&platform= (body: the file's bytes) and POST /api/detect answer
 * (202). GET /api/jobs/:id answers `{ job }`; DELETE /api/jobs/:id stops a running job.
 */
export interface JobStarted {
  job: Job;
}

/** GET /api/jobs (newest first) */
export interface JobsResponse {
  jobs: Job[];
}

/**
 * GET /api/exports/:file?run= downloads the run as a file: clusters.gexf, clusters.graphml,
 * clusters.csv, members.csv, edges.csv, evidence.csv (formula-safe), result.json, report.html.
 */
export type ExportFile =
  | 'clusters.gexf'
  | 'clusters.graphml'
  | 'clusters.csv'
  | 'members.csv'
  | 'edges.csv'
  | 'evidence.csv'
  | 'result.json'
  | 'report.html';
export type * from './echo-types.js';

// --- Influence (issue 8): the view "Influence" and "Who is behind it" (src/server/influence.ts) ---

type Views = typeof import('../entities/query/views.js');
type MapTypes = typeof import('../entities/query/map.js');

/** The layer (column of the layered figure) of each node key. */
export type TierMap = Record<string, import('../entities/query/views.js').Tier>;

/** How a link between layers was found (a handle, a URL, shares and dates), by record id. */
export type LinkEvidenceMap = Record<string, import('../entities/query/views.js').LinkEvidence>;

/**
 * GET /api/influence: the influence layer's state. `preparing` while the name index and the graph
 * of every layer are built (once per server start, and after a job changes the store); the data
 * routes answer 503 meanwhile. `empty` when the store holds no entities (`hint` says how to add them).
 */
export interface InfluenceStatusResponse {
  state: 'preparing' | 'ready' | 'empty' | 'failed';
  /** What is being built, while preparing. */
  stage: string | null;
  /** Seconds since preparing started. */
  seconds: number | null;
  /** Entity records, relationships (Payment, Representation, Event, ...) and links between layers. */
  entities: number;
  relationships: number;
  links: number;
  /** The detection run whose clusters the links join (the latest). */
  runId: number | null;
  /** Clusters of that run with influence links (a site they push, an account linked, an echo). */
  clusters: string[];
  /** Seconds of the one-off work: sorted copies for lookups, the name index, the graph. */
  build: { copySeconds: number | null; indexSeconds: number | null; graphSeconds: number | null };
  error: string | null;
  hint: string | null;
}

export interface EntitySearchResult {
  id: string;
  caption: string;
  schema: string;
  /** The matcher's score (as `lockstep entities match`); null for a caption that contains the text. */
  score: number | null;
  match: boolean;
}

/** GET /api/influence/entities?q=&limit= (at most 50). */
export interface EntitySearchResponse {
  query: string;
  items: EntitySearchResult[];
  limit: number;
}

/** GET /api/influence/entities/:id?limit= (lists of at most 500; graph of at most 300 nodes). */
export type InfluenceEntityResponse = Awaited<ReturnType<Views['influenceView']>> & {
  evidence: LinkEvidenceMap;
};

export type InfluencePath = Awaited<ReturnType<MapTypes['mapPaths']>>[number];

/** GET /api/influence/paths?from=&to=&maxHops=&limit= (hops 1 to 8, at most 20 paths). */
export interface InfluencePathsResponse {
  from: { key: string; label: string; known: boolean };
  to: { key: string; label: string; known: boolean };
  maxHops: number;
  paths: InfluencePath[];
  evidence: LinkEvidenceMap;
  /** The layer of every node on the paths (for the layered figure). */
  tiers: TierMap;
}

type Behind = Awaited<ReturnType<Views['whoIsBehind']>>;

/** GET /api/influence/clusters/:id?offset=&limit= (parties: pages of at most 300). */
export interface WhoIsBehindResponse {
  cluster: string;
  runId: number;
  parties: Page<Behind['parties'][number]>;
  echoes: Behind['echoes'];
  echoesTotal: number;
  unexamined: number;
  limits: string[];
  evidence: LinkEvidenceMap;
  tiers: TierMap;
}
