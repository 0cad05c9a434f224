/**
 * The report's section "Echoes in statements and articles" (docs/echo.md): the most echoed talking
 * points, each with its timeline, its echoing documents in time order and how each stands against
 * the earliest observed post ("earliest observed", never "origin"), and the aligned passages side by
 * side with the shared text highlighted (segments of escaped text in `<mark>`, cut by the passages'
 * offsets: highlight.ts); then the method and thresholds that applied, and the limits. One line when
 * the store has no documents.
 */
import { excerptWindows, type Range, segments } from '../../echo/highlight.js';
import { traceEchoes } from '../../echo/index.js';
import { lagPhrase, timeLabel } from '../../echo/precedence.js';
import type { Echo, EchoResult } from '../../echo/types.js';
import type { Store } from '../../store/store.js';
import { ECHO_STATUS_TEXT, echoTimeline } from '../figures/echo.js';
import { figure, n, pct, section, table } from './blocks.js';
import { type Child, dataText, el, type Html } from './markup.js';

export interface EchoSectionOptions {
  /** Talking points shown (the most echoed first). Default 5. */
  top?: number;
  /** Echoing documents listed per talking point. Default 12. */
  documents?: number;
  /** Echoes whose passages are shown side by side, per talking point (the best scores). Default 2. */
  passages?: number;
}

/** Characters of a document shown either side of a passage. */
const CONTEXT = 160;

/** The run's echo tracing for the report, on a connection of its own; null when the store has no documents. */
export async function traceForReport(store: Store, runId: number): Promise<EchoResult | null> {
  if (!((await store.value<number>('SELECT count(*) FROM documents')) ?? 0)) return null;
  const connection = await store.connect();
  try {
    return await traceEchoes(connection, { run: runId });
  } finally {
    connection.close();
  }
}

/**
 * The section. `result`: the tracing (null: no documents in the store; undefined: left out of this
 * report). The documents' texts around the passages shown are read from `store`.
 */
export async function echoSection(
  store: Store,
  result: EchoResult | null | undefined,
  options: EchoSectionOptions = {},
): Promise<Html> {
  const title = 'Echoes in statements and articles';
  if (result === undefined) return section('echoes', title, el('p', {}, 'Not computed for this report.'));
  if (result === null)
    return section(
      'echoes',
      title,
      el(
        'p',
        {},
        'No documents in this store: add statements, speeches or articles with lockstep ingest-docs FILE and run the report again to trace which talking points reappear in them.',
      ),
    );
  const top = result.talkingPoints.slice(0, options.top ?? 5);
  const passagesPer = options.passages ?? 2;
  const shown = top.flatMap((tp) => bestEchoes(result, tp.id, passagesPer));
  const texts = await documentTexts(store, [...new Set(shown.map((e) => e.document.docId))]);
  const d = result.data;
  const by = (s: Echo['status']) => result.echoes.filter((e) => e.status === s).length;
  const docs = new Set(result.echoes.map((e) => e.document.docId)).size;
  const source =
    d.talkingPointSource === 'clusters'
      ? `the messages the flagged clusters of detection run ${d.detectionRun} posted`
      : d.talkingPointSource === 'seeds'
        ? 'seed texts given by the user'
        : 'the near-duplicate text families of all posts';
  return section(
    'echoes',
    title,
    el(
      'p',
      {},
      `Talking points are ${source}: ${n(result.stats.talkingPoints)} traced against ${n(d.documents)} documents (statements, speeches, articles; ${n(d.documentsDated)} dated). `,
      result.echoes.length
        ? `${n(result.echoes.length)} echoes in ${n(docs)} documents reuse ${n(result.talkingPoints.length)} of them: ${n(by('echo'))} came after the talking point\u2019s earliest observed post, ${n(by('precedes'))} before it (reported as preceding the campaign, not as echoes: the posts may echo the document), ${n(by('uncertain'))} cannot be ordered within the dates\u2019 uncertainty, ${n(by('undated'))} are undated.`
        : 'No document reuses a talking point above the thresholds.',
    ),
    el(
      'p',
      { class: 'note' },
      'Precedence is stated against the ',
      el('b', {}, 'earliest observed'),
      ' post in this collection, never as an origin: a collection starts somewhere, platforms delete posts, and a talking point may come from a document nobody collected. Every time is an interval (a post to the minute, a document perhaps only to the day, in an unknown zone), and an order is stated only when the intervals do not overlap.',
    ),
    top.map((tp, k) => talkingPoint(result, tp, k, texts, options)),
    result.talkingPoints.length > top.length &&
      el(
        'p',
        { class: 'sub' },
        `${n(result.talkingPoints.length - top.length)} more echoed talking points: lockstep echo --out echoes.json --csv DIR lists them all.`,
      ),
    method(result),
    el('h3', {}, 'Limits of the echo tracing'),
    el(
      'ul',
      {},
      result.limits.map((l) => el('li', {}, l)),
      el(
        'li',
        {},
        'Short talking points (under five words) cannot be echoed: too many texts hold them by chance. Heavily edited reuse has too few shared anchors to be found by the lexical tier.',
      ),
      el(
        'li',
        {},
        'An echo shows reuse of wording, not who caused it: the document and the posts may share an uncollected source, and a document preceding the posts may itself echo something uncollected.',
      ),
    ),
  );
}

type Listed = EchoResult['talkingPoints'][number];

function talkingPoint(
  result: EchoResult,
  tp: Listed,
  k: number,
  texts: Map<string, string>,
  options: EchoSectionOptions,
): Html {
  const echoes = result.echoes.filter((e) => e.talkingPoint === tp.id);
  const cascade = result.cascades.find((c) => c.talkingPoint === tp.id);
  const listed = echoes.slice(0, options.documents ?? 12);
  const flaggedFirst =
    tp.firstSeenFlagged && tp.firstSeenFlagged.postId !== tp.firstSeen?.postId ? tp.firstSeenFlagged : null;
  return el(
    'div',
    { class: 'talking-point' },
    el('h3', {}, `${k + 1}. `, dataText(tp.label)),
    el(
      'p',
      {},
      `${n(tp.posts)} posts by ${n(tp.accounts)} accounts, ${pct(tp.flaggedShare)} of the posts by flagged clusters${tp.clusters.length ? ` (${tp.clusters.slice(0, 4).join(', ')})` : ''}; earliest observed post ${tp.firstSeen ? timeLabel(tp.firstSeen.time) : '-'}`,
      flaggedFirst ? `, by a flagged account ${timeLabel(flaggedFirst.time)}` : '',
      `. Echoed by ${n(echoes.length)} document${echoes.length === 1 ? '' : 's'}.`,
    ),
    cascade &&
      (cascade.series.length > 0 || cascade.steps.length > 0) &&
      figure(
        echoTimeline(cascade, { width: 940 }),
        'Posts per day by flagged clusters (red) and everyone else (grey); dashed lines: the earliest observed post (dark) and the earliest by a flagged account (red); dots: echoing documents (blue after the earliest observed post, orange before it, grey uncertain), with the interval their date allows.',
      ),
    table(
      [
        'document',
        ['published', 'time'],
        'against the earliest observed post',
        ['score', 'num'],
        'best earlier source',
      ],
      listed.map((e) => [
        documentCell(e),
        e.document.time ? timeLabel(e.document.time) : 'undated',
        [
          e.lag ? lagPhrase(e.lag) : ECHO_STATUS_TEXT[e.status],
          e.status === 'precedes' ? el('b', {}, ' \u2014 precedes the campaign') : '',
          flaggedFirst && e.lagFlagged
            ? `; ${lagPhrase(e.lagFlagged, 'the earliest observed post by a flagged account')}`
            : '',
        ],
        e.tier === 'lexical' ? `reuse ${e.score.toFixed(2)}` : `cosine ${e.score.toFixed(2)}`,
        e.source
          ? e.source.kind === 'document'
            ? ['document ', dataText(e.source.id), e.source.who ? [' (', dataText(e.source.who), ')'] : '']
            : `its posts, first at ${timeLabel(e.source.time)}`
          : '-',
      ]),
    ),
    echoes.length > listed.length &&
      el('p', { class: 'sub' }, `and ${n(echoes.length - listed.length)} more documents.`),
    bestEchoes(result, tp.id, options.passages ?? 2).map((e) => passages(tp, e, texts.get(e.document.docId))),
  );
}

/** A document as a cell: title, who and where, kind and language, its address as text. */
function documentCell(e: Echo): Child {
  const d = e.document;
  const who = [d.author, d.outlet].filter(Boolean).join(', ');
  return [
    dataText(d.title ?? d.docId),
    who ? [' \u2014 ', dataText(who)] : '',
    el('span', { class: 'sub' }, ` (${[d.kind, d.lang].filter(Boolean).join(', ') || 'document'})`),
    d.url ? [el('br'), el('span', { class: 'url' }, d.url)] : '',
  ];
}

/** The echoes of a talking point whose passages are shown: the best lexical scores, then semantic ones. */
function bestEchoes(result: EchoResult, tp: string, count: number): Echo[] {
  return result.echoes
    .filter((e) => e.talkingPoint === tp)
    .sort((a, b) => (a.tier === b.tier ? b.score - a.score : a.tier === 'lexical' ? -1 : 1))
    .slice(0, count);
}

/** `text` with the ranges highlighted (each segment escaped by `el`). */
function highlighted(text: string, ranges: Range[], from = 0, to = text.length): Child[] {
  return segments(text, ranges, from, to).map((s) =>
    s.passage === null
      ? s.text
      : el('mark', { class: `p${s.passage % 4}`, title: `passage ${s.passage + 1}` }, s.text),
  );
}

/** An echo's passages side by side: the talking point's wording and the document around them. */
function passages(tp: Listed, e: Echo, text: string | undefined): Html {
  const wording = tp.variants[e.variant]?.text ?? '';
  const tpRanges = e.passages.map((p) => ({ start: p.tpStart, end: p.tpEnd }));
  const docRanges = e.passages.map((p) => ({ start: p.docStart, end: p.docEnd }));
  // The stored text around the passages; the passages alone if the document is no longer there.
  const doc: Child[] = text
    ? excerptWindows(text, docRanges, CONTEXT).map((w, i, all) => [
        w.start > 0 ? '\u2026 ' : '',
        highlighted(text, docRanges, w.start, w.end),
        w.end < text.length && i === all.length - 1 ? ' \u2026' : i < all.length - 1 ? ' \u2026 ' : '',
      ])
    : e.passages.map((p, i) => [i ? ' \u2026 ' : '', el('mark', { class: `p${i % 4}` }, p.docText)]);
  const d = e.document;
  return el(
    'div',
    { class: 'evidence passages' },
    el(
      'h4',
      {},
      dataText([d.author, d.outlet].filter(Boolean).join(', ') || d.docId),
      `, ${d.time ? timeLabel(d.time) : 'undated'}: ${e.passages.length} passage${e.passages.length === 1 ? '' : 's'}, ${e.tier === 'lexical' ? `reuse ${e.score.toFixed(2)}${e.lexical ? `, containment ${e.lexical.containment.toFixed(2)}, Jaccard ${e.lexical.jaccard.toFixed(2)}` : ''}` : `cosine ${e.score.toFixed(2)} (semantic)`}`,
    ),
    table(
      ['talking point, as posted', 'document'],
      [
        [
          el('span', { class: 'data', dir: 'auto' }, highlighted(wording, tpRanges)),
          el('span', { class: 'data', dir: 'auto' }, doc),
        ],
      ],
    ),
  );
}

function method(result: EchoResult): Child {
  const p = result.parameters as {
    minScore?: number;
    thresholds: Record<string, number>;
    lexical: { minPassage: number; minShared: number; minWords: number };
    talkingPoints: { minFlaggedAccounts: number; minFlaggedShare: number };
    anchors: { length: number; minContainment: number };
    boilerplate: { minDocuments: number; minShare: number };
    semantic: { provider: string | null; minCosine: number };
  };
  const thresholds = Object.entries(p.thresholds).sort(([a], [b]) =>
    a === 'default' ? 1 : b === 'default' ? -1 : a.localeCompare(b),
  );
  return [
    el('h3', {}, 'Method and thresholds'),
    el(
      'p',
      {},
      result.data.talkingPointSource === 'clusters'
        ? `Talking points are families of near-duplicate texts (MinHash-LSH over character shingles) that at least ${p.talkingPoints.minFlaggedAccounts} flagged accounts posted, ${pct(p.talkingPoints.minFlaggedShare)} or more of their accounts flagged. `
        : 'Talking points are the families of near-duplicate texts (MinHash-LSH over character shingles) of all posts. ',
      `Every document is scanned for the talking points\u2019 ${p.anchors.length}-character anchors; a candidate holding ${pct(p.anchors.minContainment)} of a talking point\u2019s anchors is aligned with it by Smith-Waterman local alignment with affine gaps, as passim aligns reused passages. An echo needs its passages to reuse a share of the talking point (reuse, net of edits) at or above its language\u2019s threshold, to score ${p.lexical.minShared} points of alignment and to hold ${p.lexical.minWords} distinct words. A sentence a source repeats in ${p.boilerplate.minDocuments} or more of its documents (${pct(p.boilerplate.minShare)} of them) is boilerplate and cannot count as a passage. `,
      p.semantic.provider
        ? `Paraphrases and translations: the ${p.semantic.provider} embeddings, cosine similarity ${p.semantic.minCosine} or more.`
        : 'No embedding model was configured: paraphrases and translations are not found.',
    ),
    p.minScore !== undefined
      ? el('p', {}, `One reuse threshold for every language: ${p.minScore} (set by the user).`)
      : table(
          ['language', ['reuse threshold', 'num']],
          thresholds.map(([lang, t]) => [lang === 'default' ? 'other languages' : lang, t.toFixed(2)]),
        ),
    el(
      'p',
      { class: 'sub' },
      'Each threshold is the least reuse that at most one in a thousand documents echoing nothing reaches, measured per language on simulated documents, and never below 0.4 (docs/echo.md, "Thresholds").',
    ),
  ];
}

/** The stored texts of these documents. */
async function documentTexts(store: Store, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await store.all<{ doc_id: string; text: string }>(
    `SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT unnest(from_json(?, '["VARCHAR"]')))`,
    [JSON.stringify(ids)],
  );
  return new Map(rows.map((r) => [r.doc_id, r.text]));
}
