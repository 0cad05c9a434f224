/**
 * Echo tracing: which talking points of the posts reappear in documents (statements, speeches,
 * articles), where, how closely, and whether the document came after the talking point's earliest
 * observed post. See docs/echo.md for the method and how to read the result.
 *
 *   talking points (talking-points.ts, seeds.ts): text families of the posts, flagged or all, + seeds
 *        v  their most posted wordings (units)
 *   anchor index (anchors.ts): the units' 12-character shingles, stock phrases dropped
 *        v  every document streamed past it once: candidates by containment of anchors
 *        |  (a source's recurring sentences left out: boilerplate.ts)
 *   alignment (align.ts, lexical.ts): affine-gap Smith-Waterman around the anchors -> shared
 *        |  passages with offsets into the original texts; reuse, containment, Jaccard
 *        v  per-language thresholds (thresholds.ts)
 *   semantic tier (semantic/, optional): embeddings of talking points and document sentences
 *        v
 *   precedence (precedence.ts): lags as intervals; each document's best earlier source; cascades
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { breathe } from '../core/breathe.js';
import { InterruptedError, UsageError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { isFlagged, loadDetection } from '../detect/saved.js';
import { type AccountSet, clusterSet } from '../forensics/index.js';
import { shingleHashes } from '../signals/near-duplicate/shingles.js';
import type { Store } from '../store/store.js';
import { ANCHOR_DEFAULTS, type AnchorIndex, type AnchorOptions } from './anchors.js';
import { BOILERPLATE_DEFAULTS, BoilerplateCounter } from './boilerplate.js';
import { type LexicalMatch, passageWords, type SharedPassage } from './lexical.js';
import { earlier, lagOf } from './precedence.js';
import { DocumentScanner, type ScanResult, type ScanSetup } from './scan.js';
import { ScanPool } from './scan-pool.js';
import { type EmbeddingProvider, SEMANTIC_DEFAULTS, semanticEchoes } from './semantic/index.js';
import {
  buildTalkingPoints,
  dropTalkingPointTables,
  familySeries,
  TALKING_POINT_DEFAULTS,
  type TalkingPointOptions,
} from './talking-points.js';
import { maskedText } from './text.js';
import { ECHO_THRESHOLDS } from './thresholds.js';
import type {
  Cascade,
  CascadeStep,
  DocumentRef,
  Echo,
  EchoResult,
  SourceLink,
  TalkingPoint,
  TimeSpan,
} from './types.js';

export type * from './types.js';

export interface EchoOptions {
  /**
   * Where talking points come from: `clusters` (families posted by flagged clusters of a saved
   * detection or of `sets`), `all` (every family), `auto` (clusters when there are any, else all).
   */
  from: 'clusters' | 'all' | 'auto';
  /** Saved detection run whose flagged clusters count (default: the latest). */
  run?: number;
  /** Count clusters with open indicators as flagged too. */
  allClusters: boolean;
  /** Seed texts, traced as talking points of their own. */
  seeds: string[];
  /** Overrides the per-language thresholds of the lexical tier (reuse). */
  minScore?: number;
  /** Reuse a document needs, per language (`default` for the rest). */
  thresholds: Record<string, number>;
  /**
   * Alignment: the least score of one passage, of all passages of a pair together (characters of
   * clean match, net of edits), and the distinct words they must hold: a short talking point is not
   * echoed by two common words that happen to follow each other.
   */
  lexical: { minPassage: number; minShared: number; minWords: number };
  talkingPoints: Omit<TalkingPointOptions, 'from' | 'seeds'>;
  anchors: AnchorOptions;
  boilerplate: typeof BOILERPLATE_DEFAULTS;
  /** Semantic tier: an embedding provider and the cosine similarity it needs; off without one. */
  semantic: { provider: EmbeddingProvider | null; minCosine: number; maxSentences: number };
  /** Only documents of these ingests (default: all documents). */
  ingests?: number[];
}

export const ECHO_DEFAULTS: EchoOptions = {
  from: 'auto',
  allClusters: false,
  seeds: [],
  thresholds: ECHO_THRESHOLDS,
  lexical: { minPassage: 20, minShared: 20, minWords: 5 },
  talkingPoints: (({ from: _f, seeds: _s, ...rest }) => rest)(TALKING_POINT_DEFAULTS),
  anchors: ANCHOR_DEFAULTS,
  boilerplate: BOILERPLATE_DEFAULTS,
  semantic: { provider: null, ...SEMANTIC_DEFAULTS },
};

export type EchoInput = Partial<
  Omit<EchoOptions, 'talkingPoints' | 'anchors' | 'boilerplate' | 'semantic' | 'lexical'>
> & {
  lexical?: Partial<EchoOptions['lexical']>;
  talkingPoints?: Partial<EchoOptions['talkingPoints']>;
  anchors?: Partial<AnchorOptions>;
  boilerplate?: Partial<typeof BOILERPLATE_DEFAULTS>;
  semantic?: Partial<EchoOptions['semantic']>;
  /** Flagged account sets to use instead of a saved detection's flagged clusters. */
  sets?: AccountSet[];
  /**
   * Threads scanning the documents. Default: one per core when there are 2,000 documents or more
   * and the compiled worker is there (not when running from TypeScript sources). Any number gives
   * the same result.
   */
  threads?: number;
};

export interface EchoHooks {
  onStage?: (s: { name: string; done: boolean; seconds?: number; note?: string }) => void;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

function resolve(input: EchoInput): EchoOptions {
  const o: EchoOptions = {
    ...ECHO_DEFAULTS,
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    talkingPoints: { ...ECHO_DEFAULTS.talkingPoints, ...input.talkingPoints },
    anchors: { ...ANCHOR_DEFAULTS, ...input.anchors },
    boilerplate: { ...BOILERPLATE_DEFAULTS, ...input.boilerplate },
    semantic: { ...ECHO_DEFAULTS.semantic, ...input.semantic },
    lexical: { ...ECHO_DEFAULTS.lexical, ...input.lexical },
    thresholds: { ...ECHO_THRESHOLDS, ...input.thresholds },
  };
  const bad = (name: string, value: unknown, expect: string) =>
    new UsageError(`invalid echo option ${name}: ${JSON.stringify(value)}; expecting ${expect}`);
  if (!['clusters', 'all', 'auto'].includes(o.from)) throw bad('from', o.from, 'clusters, all or auto');
  if (o.minScore !== undefined && !(o.minScore > 0 && o.minScore <= 1))
    throw bad('minScore', o.minScore, 'a number above 0 and at most 1');
  for (const [lang, t] of Object.entries(o.thresholds))
    if (!(t > 0 && t <= 1)) throw bad(`thresholds.${lang}`, t, 'a number above 0 and at most 1');
  if (!(Number.isInteger(o.anchors.length) && o.anchors.length >= 4 && o.anchors.length <= 64))
    throw bad('anchors.length', o.anchors.length, 'a whole number from 4 to 64');
  if (!(o.semantic.minCosine > -1 && o.semantic.minCosine <= 1))
    throw bad('semantic.minCosine', o.semantic.minCosine, 'a number from -1 to 1');
  if (!Array.isArray(o.seeds) || o.seeds.some((s) => typeof s !== 'string' || !s.trim()))
    throw bad('seeds', o.seeds, 'a list of non-empty texts');
  return o;
}

/** A document as scanned. */
interface DocRow {
  rowid: number;
  text: string;
  lang: string | null;
  source: string | null;
}

/** A kept lexical or semantic match before it becomes an Echo. */
interface Hit {
  tp: number;
  variant: number;
  doc: number;
  score: number;
  threshold: number;
  lexical: LexicalMatch | null;
  cosine: number | null;
  /** The echoing sentences of the document (for source links). */
  context: string;
  passages: { tpStart: number; tpEnd: number; docStart: number; docEnd: number; matches: number }[];
}

const DOC_CHUNK = 512;
/** Documents below which worker threads do not pay for building their indexes. */
const PARALLEL_MIN_DOCUMENTS = 2000;
/** The compiled worker; absent when running from TypeScript sources (tests), then all runs here. */
const SCAN_WORKER = fileURLToPath(new URL('./scan-worker.js', import.meta.url));
/** Earlier echoing documents compared with each document for its best source. */
const SOURCE_CANDIDATES = 64;

/** Streams the documents (rowid order) in chunks. */
async function* documents(store: Store, where: string): AsyncGenerator<DocRow[]> {
  const range = (
    await store.all<{ lo: string | null; hi: string | null }>(
      `SELECT min(rowid)::VARCHAR AS lo, max(rowid)::VARCHAR AS hi FROM documents WHERE ${where}`,
    )
  )[0]!;
  if (range.lo === null) return;
  for (let from = BigInt(range.lo); from <= BigInt(range.hi!); from += BigInt(DOC_CHUNK)) {
    const rows = await store.all<{ rowid: number; text: string; lang: string | null; source: string | null }>(
      `SELECT rowid, text, lang, coalesce(outlet, author) AS source FROM documents
       WHERE ${where} AND rowid BETWEEN ${from} AND ${from + BigInt(DOC_CHUNK - 1)} ORDER BY rowid`,
    );
    if (rows.length) yield rows;
  }
}

const SENTENCE_END = /[.!?\u061f\u06d4\u3002]+["'\u201d\u2019)]*(?=\s|$)|\n+/g;

/**
 * The passage with one sentence on either side (at most 600 characters each): what a copied document
 * shares with its source beyond the talking point itself, and an independent quote does not.
 */
function sentenceContext(text: string, start: number, end: number): string {
  const ends = [...text.slice(Math.max(0, start - 600), start).matchAll(SENTENCE_END)].map(
    (m) => Math.max(0, start - 600) + m.index + m[0].length,
  );
  // The start of the sentence before the passage's own: the second-to-last boundary before it.
  const from = ends.length >= 2 ? ends[ends.length - 2]! : Math.max(0, start - 600);
  const after = [...text.slice(end, end + 600).matchAll(SENTENCE_END)].map(
    (m) => end + m.index + m[0].length,
  );
  const to = after.length >= 2 ? after[1]! : Math.min(text.length, end + 600);
  return text.slice(from, to);
}

/** A post's text without its hashtags, links and mentions, which documents quoting it rarely keep. */
const postCore = (text: string) => text.replace(/[#＃][\p{L}\p{N}\p{M}_]+/gu, ' ');

/** The distinct 5-shingles of a text, sorted (for fast Jaccard similarities by merging). */
function shinglesOf(text: string): Uint32Array {
  const v = maskedText(text);
  const out = new Uint32Array(Math.max(1, v.length));
  const sorted = out.subarray(0, shingleHashes(v.cps, v.length, 5, 1, out)).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n);
}

/** Jaccard similarity of two sorted sets. */
function jaccardOf(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let both = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      both++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  const union = a.length + b.length - both;
  return union ? both / union : 0;
}

/** Traces the echoes of the posts' talking points in the store's documents. */
export async function traceEchoes(
  store: Store,
  input: EchoInput = {},
  hooks: EchoHooks = {},
): Promise<EchoResult> {
  const o = resolve(input);
  const seconds: Record<string, number> = {};
  const stage = async <T>(name: string, run: () => Promise<T>, note?: (r: T) => string): Promise<T> => {
    hooks.onStage?.({ name, done: false });
    const t0 = performance.now();
    const r = await run();
    seconds[name] = (performance.now() - t0) / 1000;
    hooks.onStage?.({ name, done: true, seconds: seconds[name], note: note?.(r) });
    return r;
  };
  const checkAbort = () => {
    if (hooks.signal?.aborted) throw new InterruptedError('echo tracing interrupted; nothing was kept');
  };
  const docWhere = o.ingests?.length
    ? `ingest_id IN (${o.ingests.map((i) => Math.floor(i)).join(', ')})`
    : 'true';
  const documentsTotal = (await store.value<number>(`SELECT count(*) FROM documents WHERE ${docWhere}`)) ?? 0;
  if (documentsTotal === 0)
    throw new UsageError(
      'no documents in this store; add statements or articles with lockstep ingest-docs FILE first',
    );

  // Flagged sets: the caller's, or the saved detection's flagged clusters.
  let sets: AccountSet[] | null = input.sets ?? null;
  let run: number | null = null;
  if (!sets && o.from !== 'all') {
    const hasRun = ((await store.value<number>(`SELECT count(*) FROM detections`)) ?? 0) > 0;
    if (hasRun || o.run !== undefined) {
      const saved = await loadDetection(store, o.run);
      run = saved.runId;
      sets = saved.result.clusters.filter((c) => o.allClusters || isFlagged(c)).map(clusterSet);
    } else if (o.from === 'clusters')
      throw new UsageError('no detection saved in this store; run lockstep detect first, or use --from all');
  }
  const from: 'clusters' | 'all' = o.from === 'all' || !sets ? 'all' : 'clusters';
  const posts = (await store.value<number>(`SELECT count(*) FROM posts`)) ?? 0;

  try {
    const talkingPoints = await stage(
      'talking points',
      () =>
        buildTalkingPoints(store, { ...o.talkingPoints, from, seeds: o.seeds, anchors: o.anchors }, sets, {
          signal: hooks.signal,
        }),
      (t) =>
        `${t.length.toLocaleString('en')} talking points (${from === 'clusters' ? 'flagged clusters' : 'all posts'}${o.seeds.length ? `, ${o.seeds.length} seeds` : ''})`,
    );
    checkAbort();
    // Units: every kept wording of every talking point; the scanner (scan.ts) indexes their anchors.
    const setup: ScanSetup = {
      units: talkingPoints.flatMap((tp) => tp.variants.map((v) => v.text)),
      unitTp: talkingPoints.flatMap((tp, i) => tp.variants.map(() => i)),
      unitVariant: talkingPoints.flatMap((tp) => tp.variants.map((_, k) => k)),
      tpLang: talkingPoints.map((tp) => tp.lang),
      anchors: o.anchors,
      lexical: o.lexical,
      thresholds: o.thresholds,
      minScore: o.minScore,
    };
    const scanner = await stage(
      'anchor index',
      async () => new DocumentScanner(setup),
      (x) =>
        `${x.index.size.toLocaleString('en')} anchors, ${x.index.dropped.toLocaleString('en')} stock-phrase anchors dropped`,
    );
    const index = scanner.index;
    const threads = Math.max(
      1,
      Math.min(
        16,
        input.threads ??
          (documentsTotal >= PARALLEL_MIN_DOCUMENTS && existsSync(SCAN_WORKER) ? availableParallelism() : 1),
      ),
    );

    // One pass over the documents: each past the anchor index, candidates aligned and scored, and
    // every document's sentences counted per source for boilerplate. Boilerplate is known only at the
    // end of the pass, so the passages lying in it are taken out of the matches afterwards (a match
    // can only lose by that, so matches below the thresholds are dropped at once).
    const boilerplate = new BoilerplateCounter(o.boilerplate);
    const pending: {
      hit: Hit;
      length: number;
      source: string | null;
      text: string;
      sentences: { start: number; end: number; hash: number; chars: number }[];
    }[] = [];
    let candidatePairs = 0;
    let scanned = 0;
    const semanticDocs: DocRow[] = [];
    const apply = (chunk: DocRow[], results: ScanResult[]) => {
      chunk.forEach((d, k) => {
        const r = results[k]!;
        scanned++;
        candidatePairs += r.candidates;
        boilerplate.add(
          d.source,
          r.sentences.map((x) => ({ start: 0, end: x.chars, hash: x.hash })),
        );
        for (const m of r.matches)
          pending.push({
            length: m.length,
            source: d.source,
            text: d.text,
            sentences: r.sentences,
            hit: {
              tp: m.tp,
              variant: m.variant,
              doc: d.rowid,
              score: m.lexical.reuse,
              threshold: m.threshold,
              lexical: m.lexical,
              cosine: null,
              context: '',
              passages: m.lexical.passages,
            },
          });
      });
    };
    const pool = threads > 1 ? new ScanPool(threads, setup) : null;
    await stage(
      'lexical echoes',
      async () => {
        try {
          // Chunks go to the workers as DuckDB delivers them; at most two per worker wait.
          const inFlight: Promise<void>[] = [];
          for await (const chunk of documents(store, docWhere)) {
            if (o.semantic.provider) semanticDocs.push(...chunk);
            const docs = chunk.map((d) => ({ rowid: d.rowid, text: d.text, lang: d.lang }));
            const done = pool ? pool.scan(docs) : Promise.resolve(docs.map((d) => scanner.scan(d)));
            inFlight.push(
              done.then((results) => {
                apply(chunk, results);
                hooks.onProgress?.(scanned / documentsTotal);
              }),
            );
            if (inFlight.length >= 2 * threads) await inFlight.shift();
            checkAbort();
          }
          await Promise.all(inFlight);
        } finally {
          await pool?.close();
        }
      },
      () =>
        `${pending.length.toLocaleString('en')} matches in ${scanned.toLocaleString('en')} documents${threads > 1 ? ` (${threads} threads)` : ''}`,
    );
    const boilerplateSentences = boilerplate.finish();
    const hits: Hit[] = [];
    for (const [n, p] of pending.entries()) {
      if (n % 1024 === 1023) await breathe();
      let h = p.hit;
      const bad = p.sentences.filter((x) => boilerplate.has(p.source, x.hash, x.chars));
      if (bad.length) {
        // Passages lying mostly in boilerplate sentences are not evidence.
        const keep = h.passages.filter((q) => {
          const inside = bad.reduce(
            (s, x) => s + Math.max(0, Math.min(x.end, q.docEnd) - Math.max(x.start, q.docStart)),
            0,
          );
          return inside < 0.5 * (q.docEnd - q.docStart);
        }) as SharedPassage[];
        if (keep.length < h.passages.length) {
          const shared = keep.reduce((s, q) => s + q.score, 0);
          const reuse = Math.min(1, shared / p.length);
          const words = passageWords(p.text, keep);
          if (
            !keep.length ||
            reuse < h.threshold ||
            shared < o.lexical.minShared ||
            words < o.lexical.minWords
          )
            continue;
          h = {
            ...h,
            score: reuse,
            passages: keep,
            lexical: { ...h.lexical!, reuse, shared, words, passages: keep },
          };
        }
      }
      const first = Math.min(...h.passages.map((q) => q.docStart));
      const last = Math.max(...h.passages.map((q) => q.docEnd));
      hits.push({ ...h, context: sentenceContext(p.text, first, last) });
    }

    if (o.semantic.provider) {
      const found = await stage(
        'semantic echoes',
        () =>
          semanticEchoes(o.semantic.provider!, talkingPoints, semanticDocs, {
            minCosine: o.semantic.minCosine,
            maxSentences: o.semantic.maxSentences,
            lexical: new Set(hits.map((h) => `${h.tp}:${h.doc}`)),
            signal: hooks.signal,
          }),
        (f) => `${f.length.toLocaleString('en')} paraphrase or translation echoes`,
      );
      for (const f of found)
        hits.push({
          tp: f.tp,
          variant: f.variant,
          doc: f.doc,
          score: f.cosine,
          threshold: o.semantic.minCosine,
          lexical: null,
          cosine: f.cosine,
          context: f.sentence,
          passages: [f.passage],
        });
    }

    const result = await stage('precedence', () =>
      assemble(store, o, talkingPoints, hits, {
        posts,
        documentsTotal,
        from,
        run,
        index,
        boilerplateSentences,
        scanned,
        candidatePairs,
        alignedPairs: candidatePairs,
        seconds,
      }),
    );
    return result;
  } finally {
    await dropTalkingPointTables(store);
  }
}

const isoMs = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Documents by rowid, with their metadata, time spans and text (the workbench reads them too). */
export async function documentRefs(
  store: Store,
  rowids: number[],
): Promise<Map<number, DocumentRef & { text: string }>> {
  const out = new Map<number, DocumentRef & { text: string }>();
  for (let i = 0; i < rowids.length; i += 5000) {
    const part = rowids.slice(i, i + 5000);
    for (const r of await store.all<{
      rowid: number;
      doc_id: string;
      title: string | null;
      author: string | null;
      outlet: string | null;
      url: string | null;
      lang: string | null;
      kind: string | null;
      text: string;
      p: number | null;
      e: number | null;
      l: number | null;
      precision: string | null;
      c: number | null;
    }>(
      `SELECT rowid, doc_id, title, author, outlet, url, lang, kind, text, epoch_ms(published_at) AS p,
              epoch_ms(published_earliest) AS e, epoch_ms(published_latest) AS l, published_precision AS precision,
              epoch_ms(collected_at) AS c
       FROM documents WHERE rowid IN (${part.join(', ')})`,
    )) {
      let time: TimeSpan | null = null;
      if (r.p !== null)
        time = {
          at: isoMs(r.p)!,
          earliest: isoMs(r.e ?? r.p),
          latest: isoMs(r.l ?? r.p)!,
          basis: 'published',
          precision: r.precision ?? 'second',
        };
      else if (r.c !== null)
        time = {
          at: isoMs(r.c)!,
          earliest: null,
          latest: isoMs(r.c)!,
          basis: 'collected',
          precision: 'second',
        };
      out.set(r.rowid, {
        docId: r.doc_id,
        title: r.title,
        author: r.author,
        outlet: r.outlet,
        url: r.url,
        lang: r.lang,
        kind: r.kind,
        time,
        text: r.text,
      });
    }
  }
  return out;
}

interface AssembleContext {
  posts: number;
  documentsTotal: number;
  from: 'clusters' | 'all';
  run: number | null;
  index: AnchorIndex;
  boilerplateSentences: number;
  scanned: number;
  candidatePairs: number;
  alignedPairs: number;
  seconds: Record<string, number>;
}

/** Echoes with their precedence and sources, talking points with their counts, cascades, limits. */
async function assemble(
  store: Store,
  o: EchoOptions,
  talkingPoints: TalkingPoint[],
  hits: Hit[],
  ctx: AssembleContext,
): Promise<EchoResult> {
  const docs = await documentRefs(store, [...new Set(hits.map((h) => h.doc))]);
  const byTp = new Map<number, Hit[]>();
  for (const h of hits) {
    if (!byTp.has(h.tp)) byTp.set(h.tp, []);
    byTp.get(h.tp)!.push(h);
  }
  const echoes: Echo[] = [];
  const cascades: Cascade[] = [];
  const time = (h: Hit) => docs.get(h.doc)!.time;
  const series = await familySeries(
    store,
    [...byTp.keys()]
      .map((i) => talkingPoints[i]!)
      .filter((t) => t.kind === 'family' || t.posts > 0)
      .map((t) => familyOf(t)),
  );
  for (const [i, list] of [...byTp].sort((a, b) => a[0] - b[0])) {
    const tp = talkingPoints[i]!;
    // Documents in time order (undated last, then by document id).
    list.sort((a, b) => {
      const ta = time(a);
      const tb = time(b);
      if (!ta || !tb) return ta ? -1 : tb ? 1 : docs.get(a.doc)!.docId.localeCompare(docs.get(b.doc)!.docId);
      return (
        Date.parse(ta.at) - Date.parse(tb.at) || docs.get(a.doc)!.docId.localeCompare(docs.get(b.doc)!.docId)
      );
    });
    const contexts = list.map((h) => shinglesOf(h.context));
    const variantSets = tp.variants.map((v) => shinglesOf(postCore(v.text)));
    const steps: CascadeStep[] = [];
    if (tp.firstSeen)
      steps.push({
        kind: 'first-post',
        time: tp.firstSeen.time,
        id: tp.firstSeen.postId,
        who: `${tp.firstSeen.platform}:${tp.firstSeen.accountId}`,
      });
    if (tp.firstSeenFlagged && tp.firstSeenFlagged.postId !== tp.firstSeen?.postId)
      steps.push({
        kind: 'first-flagged-post',
        time: tp.firstSeenFlagged.time,
        id: tp.firstSeenFlagged.postId,
        who: `${tp.firstSeenFlagged.platform}:${tp.firstSeenFlagged.accountId}`,
      });
    for (let k = 0; k < list.length; k++) {
      const h = list[k]!;
      if (k % 128 === 127) await breathe();
      const doc = docs.get(h.doc)!;
      const { text, ...ref } = doc;
      const lag = doc.time && tp.firstSeen ? lagOf(tp.firstSeen.time, doc.time) : null;
      const lagFlagged = doc.time && tp.firstSeenFlagged ? lagOf(tp.firstSeenFlagged.time, doc.time) : null;
      const status: Echo['status'] = !doc.time
        ? 'undated'
        : !lag
          ? 'uncertain'
          : lag.order === 'after'
            ? 'echo'
            : lag.order === 'before'
              ? 'precedes'
              : 'uncertain';
      // Best earlier source: the most similar earlier echoing document, or the talking point's posts.
      let source: SourceLink | null = null;
      if (doc.time) {
        const consider = (s: SourceLink) => {
          if (
            !source ||
            (s.order === 'before' && source.order !== 'before') ||
            (s.order === source.order && s.similarity > source.similarity)
          )
            source = s;
        };
        tp.variants.forEach((v, vi) => {
          if (!v.firstSeen) return;
          const order = earlier(v.firstSeen.time, doc.time!);
          if (order)
            consider({
              kind: 'post',
              id: v.firstSeen.postId,
              who: `${v.firstSeen.platform}:${v.firstSeen.accountId}`,
              time: v.firstSeen.time,
              similarity: jaccardOf(contexts[k]!, variantSets[vi]!),
              order,
            });
        });
        // The most recent earlier documents only: a copy follows its source within days, and comparing
        // each echo with every earlier one would grow with the square of a talking point's echoes.
        for (let j = Math.max(0, k - SOURCE_CANDIDATES); j < k; j++) {
          const other = docs.get(list[j]!.doc)!;
          if (!other.time || other.docId === doc.docId) continue;
          const order = earlier(other.time, doc.time);
          if (order)
            consider({
              kind: 'document',
              id: other.docId,
              who: [other.author, other.outlet].filter(Boolean).join(', ') || null,
              time: other.time,
              similarity: jaccardOf(contexts[k]!, contexts[j]!),
              order,
            });
        }
      }
      const src = source as SourceLink | null;
      echoes.push({
        talkingPoint: tp.id,
        document: ref,
        tier: h.lexical ? 'lexical' : 'semantic',
        score: round(h.score),
        threshold: h.threshold,
        lexical: h.lexical
          ? {
              reuse: round(h.lexical.reuse),
              containment: round(h.lexical.containment),
              jaccard: round(h.lexical.jaccard),
            }
          : null,
        cosine: h.cosine === null ? null : round(h.cosine),
        variant: h.variant,
        passages: h.passages.map((p) => ({
          ...p,
          tpText: tp.variants[h.variant]!.text.slice(p.tpStart, p.tpEnd),
          docText: text.slice(p.docStart, p.docEnd),
        })),
        status,
        lag,
        lagFlagged,
        source: src ? { ...src, similarity: round(src.similarity) } : null,
      });
      if (doc.time)
        steps.push({
          kind: 'document',
          time: doc.time,
          id: doc.docId,
          who: [doc.author, doc.outlet].filter(Boolean).join(', ') || null,
          status,
          source: src?.id ?? null,
        });
    }
    steps.sort((a, b) => Date.parse(a.time.at) - Date.parse(b.time.at));
    cascades.push({ talkingPoint: tp.id, series: series.get(familyOf(tp)) ?? [], steps });
  }
  const echoCount = new Map<string, { n: number; first: string | null }>();
  for (const e of echoes) {
    const c = echoCount.get(e.talkingPoint) ?? { n: 0, first: null };
    c.n++;
    if (e.document.time && e.status === 'echo' && (!c.first || e.document.time.at < c.first))
      c.first = e.document.time.at;
    echoCount.set(e.talkingPoint, c);
  }
  const listed = talkingPoints
    .filter((t) => echoCount.has(t.id))
    .map((t) => ({ ...t, echoes: echoCount.get(t.id)!.n, firstEcho: echoCount.get(t.id)!.first }))
    .sort((a, b) => b.echoes - a.echoes || b.flaggedPosts - a.flaggedPosts || a.id.localeCompare(b.id));
  const dated =
    (await store.value<number>(
      `SELECT count(*) FROM documents WHERE published_at IS NOT NULL OR collected_at IS NOT NULL`,
    )) ?? 0;
  const limits: string[] = [];
  if (dated < ctx.documentsTotal)
    limits.push(
      `${(ctx.documentsTotal - dated).toLocaleString('en')} documents have no date: their echoes are listed as undated, with no precedence`,
    );
  const zoneless =
    (await store.value<number>(
      `SELECT count(*) FROM documents WHERE published_latest - published_earliest > INTERVAL 25 HOURS AND published_precision IN ('second', 'minute', 'day')`,
    )) ?? 0;
  if (zoneless)
    limits.push(
      `${zoneless.toLocaleString('en')} documents have a date without a time zone: their interval spans every UTC offset (ingest them with --timezone if it is known)`,
    );
  if (ctx.index.dropped)
    limits.push(
      `${ctx.index.dropped.toLocaleString('en')} stock-phrase anchors shared by more than ${o.anchors.maxGroupDf} talking points were not used as evidence`,
    );
  if (ctx.boilerplateSentences)
    limits.push(
      `${ctx.boilerplateSentences.toLocaleString('en')} sentences that a source repeats in ${o.boilerplate.minDocuments} or more of its documents (and ${Math.round(o.boilerplate.minShare * 100)}% or more of them) were treated as boilerplate and not matched`,
    );
  if (!o.semantic.provider)
    limits.push(
      'lexical tier only: translations and paraphrases are not found without an embedding model (--embeddings)',
    );
  limits.push(
    'a lag is measured from the earliest post observed in this store, not from the origin of the talking point',
  );
  const { provider, ...semantic } = o.semantic;
  return {
    tool: { name: 'lockstep', version: VERSION },
    parameters: {
      // The options that decide the result (the flagged sets are the run's, counted in data).
      ...Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'sets' && k !== 'threads')),
      semantic: { ...semantic, provider: provider?.name ?? null },
      from: ctx.from,
    },
    data: {
      posts: ctx.posts,
      documents: ctx.documentsTotal,
      documentsDated: dated,
      talkingPointSource:
        ctx.from === 'all' && o.seeds.length && talkingPoints.every((t) => t.kind === 'seed')
          ? 'seeds'
          : ctx.from,
      detectionRun: ctx.run,
    },
    talkingPoints: listed,
    echoes,
    cascades,
    limits,
    stats: {
      talkingPoints: talkingPoints.length,
      units: talkingPoints.reduce((s, t) => s + t.variants.length, 0),
      anchors: ctx.index.size,
      documentsScanned: ctx.scanned,
      candidatePairs: ctx.candidatePairs,
      alignedPairs: ctx.alignedPairs,
      boilerplateSentences: ctx.boilerplateSentences,
      seconds: ctx.seconds,
    },
  };
}

/** The family id of a talking point (negative for seeds), for the series query. */
function familyOf(t: TalkingPoint): number {
  return t.kind === 'family' ? Number(t.id.slice(3)) : -Number(t.id.slice(5));
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
