/**
 * The shapes echo tracing returns (`lockstep echo --out echoes.json`), for the CLI, the workbench
 * view (talking point -> timeline of posts and echoing documents, aligned passages side by side) and
 * the report's section. Times are ISO 8601 UTC. Offsets are UTF-16 code-unit offsets into the texts
 * given beside them (JavaScript `slice` offsets), so a viewer highlights `text.slice(start, end)`.
 */

/** A time as an interval: what the source's precision and zone allow. */
export interface TimeSpan {
  /** The time as given (a post's time; a document's published time, or its collected time). */
  at: string;
  /** Earliest and latest instants the source allows; `earliest` is null when unbounded (collected only). */
  earliest: string | null;
  latest: string;
  /** What the time is: a post's time, a document's published time, or (no published date) when it was collected. */
  basis: 'posted' | 'published' | 'collected';
  /** second | minute | day | month | year. */
  precision: string;
}

/** A post, as the earliest appearance of a talking point. */
export interface PostRef {
  platform: string;
  accountId: string;
  postId: string;
  time: TimeSpan;
  /** The post's account is in a flagged cluster (which one). */
  cluster: string | null;
}

/** One wording of a talking point: a distinct text among its posts. */
export interface Variant {
  /** The text of the variant's earliest post (raw), which passage offsets point into. */
  text: string;
  /** Posts with this wording (0 for a seed's own text). */
  posts: number;
  /** Its earliest post; null for a seed's own text. */
  firstSeen: PostRef | null;
}

export interface TalkingPoint {
  /** `tp:<rowid of its earliest post>` for a text family, `seed:<n>` for a user's seed text. */
  id: string;
  kind: 'family' | 'seed';
  /** Its earliest text, cut for display. */
  label: string;
  /** Most frequent language of its posts (or the seed's), null when unknown. */
  lang: string | null;
  posts: number;
  accounts: number;
  /** Posts and accounts in flagged clusters, and the flagged share of the posts. */
  flaggedPosts: number;
  flaggedAccounts: number;
  flaggedShare: number;
  /** Flagged clusters with posts of it, most posts first. */
  clusters: string[];
  /** The earliest observed post (never "the origin": only what the data holds). */
  firstSeen: PostRef | null;
  /** The earliest observed post by a flagged account. */
  firstSeenFlagged: PostRef | null;
  /** Its most posted wordings (the first is the earliest text); echoes point to one of them. */
  variants: Variant[];
}

/** How a document stands in time against a talking point's earliest observed post. */
export interface Lag {
  /** Seconds from the post's time to the document's (positive: the document came later). */
  seconds: number;
  /** The least and most the intervals allow; `min` is null when the document's start is unbounded. */
  min: number | null;
  max: number;
  /** `after`: certainly later; `before`: certainly earlier; `uncertain`: the intervals overlap. */
  order: 'after' | 'before' | 'uncertain';
}

export interface DocumentRef {
  docId: string;
  title: string | null;
  author: string | null;
  outlet: string | null;
  url: string | null;
  lang: string | null;
  kind: string | null;
  /** null when the document has no date at all. */
  time: TimeSpan | null;
}

/** A passage the talking point and the document share. */
export interface EchoPassage {
  /** Offsets into the variant's text. */
  tpStart: number;
  tpEnd: number;
  /** Offsets into the document's stored text. */
  docStart: number;
  docEnd: number;
  tpText: string;
  docText: string;
  /** Matching letters and digits in the aligned passage. */
  matches: number;
}

export interface Echo {
  talkingPoint: string;
  document: DocumentRef;
  /** `lexical`: shared passages (alignment); `semantic`: a paraphrase or translation (embeddings). */
  tier: 'lexical' | 'semantic';
  /** The score the thresholds apply to: `reuse` for the lexical tier, `cosine` for the semantic one. */
  score: number;
  /** The threshold that applied (per language, see docs/echo.md). */
  threshold: number;
  lexical: {
    /** Alignment score of the shared passages per character of the talking point (1: verbatim). */
    reuse: number;
    /** Share of the talking point's 5-shingles found anywhere in the document. */
    containment: number;
    /** Jaccard similarity of the talking point and the aligned passages (5-shingles). */
    jaccard: number;
  } | null;
  /** Cosine similarity of the embeddings (semantic tier), null otherwise. */
  cosine: number | null;
  /** Which wording of the talking point matched (index into its variants). */
  variant: number;
  passages: EchoPassage[];
  /**
   * `echo`: the document came after the talking point's earliest observed post; `precedes`: it came
   * before it (the posts may echo the document, not the reverse); `uncertain`: the times overlap;
   * `undated`: the document has no date.
   */
  status: 'echo' | 'precedes' | 'uncertain' | 'undated';
  /** Against the earliest observed post, and against the earliest observed post of a flagged cluster. */
  lag: Lag | null;
  lagFlagged: Lag | null;
  /** The document's best earlier source: an earlier echoing document or the talking point's posts. */
  source: SourceLink | null;
}

export interface SourceLink {
  kind: 'post' | 'document';
  /** Post id, or document id. */
  id: string;
  /** For a document source: its author and outlet; for posts, the account. */
  who: string | null;
  time: TimeSpan;
  /** Jaccard similarity (5-shingles) of the echoing passages' sentences and the source's. */
  similarity: number;
  /** Whether the source is certainly earlier, or its time overlaps the document's. */
  order: 'before' | 'uncertain';
}

/** Who carried a talking point when: its posts day by day and the documents in time order. */
export interface Cascade {
  talkingPoint: string;
  /** Posts per UTC day; days without posts left out. */
  series: { day: string; posts: number; flaggedPosts: number }[];
  steps: CascadeStep[];
}

export interface CascadeStep {
  kind: 'first-post' | 'first-flagged-post' | 'document';
  time: TimeSpan;
  /** Post id or document id. */
  id: string;
  who: string | null;
  /** For documents: their echo status and best earlier source (post or document id). */
  status?: Echo['status'];
  source?: string | null;
}

export interface EchoResult {
  tool: { name: 'lockstep'; version: string };
  parameters: Record<string, unknown>;
  data: {
    posts: number;
    documents: number;
    documentsDated: number;
    /** Where the talking points came from: flagged clusters of a saved run, all posts, seeds. */
    talkingPointSource: 'clusters' | 'all' | 'seeds';
    detectionRun: number | null;
  };
  /** Talking points with at least one echo, most echoed first (then the rest, up to `listAll`). */
  talkingPoints: (TalkingPoint & { echoes: number; firstEcho: string | null })[];
  echoes: Echo[];
  cascades: Cascade[];
  /** What the result cannot say, in sentences (how many documents were undated, boilerplate left out, ...). */
  limits: string[];
  stats: {
    talkingPoints: number;
    units: number;
    anchors: number;
    documentsScanned: number;
    candidatePairs: number;
    alignedPairs: number;
    boilerplateSentences: number;
    seconds: Record<string, number>;
  };
}
