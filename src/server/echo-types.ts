/**
 * The Echo view's API contract (routes in ./echo.ts; re-exported by ./types.ts). The echo tracing
 * of a run is computed once, in the background: until it is done, `GET /api/echo` says
 * `computing` with its stage, and the other echo routes answer 202 with the same status.
 */
import type {
  Cascade,
  DocumentRef,
  Echo,
  EchoPassage,
  EchoResult,
  Lag,
  PostRef,
  TalkingPoint,
  TimeSpan,
  Variant,
} from '../echo/types.js';
import type { Page } from './types.js';

export type { Cascade, DocumentRef, Echo, EchoPassage, Lag, PostRef, TalkingPoint, TimeSpan, Variant };

export type EchoStatus = Echo['status'];

/** GET /api/echo?run=: the state of the run's echo tracing (starting it when it has not started). */
export interface EchoStatusResponse {
  /**
   * `no-documents`: nothing to trace (add them with lockstep ingest-docs); `computing`: under way;
   * `ready`: the other routes answer; `failed`: `message` says why.
   */
  state: 'no-documents' | 'computing' | 'ready' | 'failed';
  /** The detection run whose flagged clusters' messages are the talking points; null: no run saved (all posts). */
  run: number | null;
  documents: number;
  stage: string | null;
  /** 0..1 within the stage that reports it (the document scan), else null. */
  progress: number | null;
  /** Seconds spent computing (so far, or in all). */
  seconds: number;
  message: string | null;
  summary: EchoSummary | null;
}

export interface EchoSummary {
  data: EchoResult['data'];
  /** Talking points traced, and how many of them some document echoes. */
  talkingPoints: number;
  echoedTalkingPoints: number;
  echoes: number;
  documentsEchoing: number;
  byStatus: Record<EchoStatus, number>;
  byTier: { lexical: number; semantic: number };
  /** The thresholds that applied: reuse per language (`default` for the rest), or one `minScore` for all. */
  thresholds: Record<string, number>;
  minScore: number | null;
  lexical: { minPassage: number; minShared: number; minWords: number };
  semantic: { provider: string | null; minCosine: number };
  limits: string[];
}

/** A talking point as the ranked list shows it. */
export interface EchoTalkingPointRow {
  id: string;
  kind: TalkingPoint['kind'];
  label: string;
  lang: string | null;
  posts: number;
  accounts: number;
  flaggedPosts: number;
  flaggedShare: number;
  clusters: string[];
  firstSeen: PostRef | null;
  firstSeenFlagged: PostRef | null;
  /** Documents echoing it (one echo per document), by status, and its best score. */
  documents: number;
  byStatus: Record<EchoStatus, number>;
  bestScore: number;
  /** The earliest document that echoes it after its earliest observed post. */
  firstEcho: string | null;
}

export const ECHO_SORTS = ['documents', 'posts', 'flagged', 'first'] as const;
export type EchoSort = (typeof ECHO_SORTS)[number];

/** GET /api/echo/talking-points?run=&q=&sort=&offset=&limit= (at most 500 a page). */
export type EchoTalkingPointsResponse = Page<EchoTalkingPointRow> & { run: number | null; sort: EchoSort };

/** An echo in a list: its passages counted, the first one's document text as an excerpt. */
export type EchoListItem = Omit<Echo, 'passages'> & { passages: number; excerpt: string };

/** GET /api/echo/talking-points/:id?run=&status=&offset=&limit=: one talking point, its timeline and echoes (at most 1,000 a page). */
export interface EchoTalkingPointResponse {
  run: number | null;
  talkingPoint: TalkingPoint & { echoes: number; firstEcho: string | null };
  row: EchoTalkingPointRow;
  /**
   * Posts per day (all, flagged) and, in time order, the first posts and the dated echoing
   * documents (the first 10,000: `timelineDocumentsLeftOut` says how many more there are).
   */
  cascade: Cascade;
  timelineDocumentsLeftOut: number;
  echoes: Page<EchoListItem>;
  /** Handles of the accounts named (first posts, sources), by `platform:accountId`. */
  handles: Record<string, string | null>;
}

/** GET /api/echo/passages?run=&tp=&doc=: one echo with its aligned passages and both texts. */
export interface EchoPassagesResponse {
  run: number | null;
  echo: Echo;
  talkingPoint: EchoTalkingPointRow;
  /** The wording that matched: `echo.passages[].tpStart/tpEnd` are offsets into its text. */
  variant: Variant & { index: number };
  /**
   * The document's stored text, or (over 200,000 characters) the part of it around the passages:
   * `text` starts at `textOffset` of the stored text, so a passage is
   * `text.slice(docStart - textOffset, docEnd - textOffset)`.
   */
  document: DocumentRef & { text: string; textOffset: number; textLength: number };
  handles: Record<string, string | null>;
}

/** A document in the list, with the talking points it echoes (when the run's tracing is ready). */
export interface EchoDocumentRow extends DocumentRef {
  chars: number;
  excerpt: string;
  echoes: { talkingPoint: string; label: string; score: number; status: EchoStatus }[] | null;
}

/** GET /api/echo/documents?run=&q=&echoing=&offset=&limit= (at most 500 a page), oldest first. */
export type EchoDocumentsResponse = Page<EchoDocumentRow> & { state: EchoStatusResponse['state'] };

/** The body of 202 answers while the run's echo tracing is computing. */
export type EchoPending = EchoStatusResponse;
