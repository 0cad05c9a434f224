/**
 * Echo tracing as CSV (formula-safe, ../csv.ts): `echoes.csv` one row per echo (talking point x
 * document) with its scores, status and lags; `talking_points.csv` one row per echoed talking point
 * with its volume and earliest observed posts; `passages.csv` every aligned passage side by side with
 * its offsets. Post and document texts are attacker-controlled: every cell goes through csvCell.
 */
import { join } from 'node:path';
import type { EchoResult } from '../../echo/types.js';
import { type CsvValue, csvLines } from '../csv.js';
import { ensureFolder, writeFileAtomic } from './files.js';

export const ECHO_FILES = ['echoes.csv', 'talking_points.csv', 'passages.csv'] as const;

const ECHO_COLUMNS = [
  'talking_point',
  'talking_point_label',
  'doc_id',
  'title',
  'author',
  'outlet',
  'url',
  'lang',
  'tier',
  'score',
  'threshold',
  'reuse',
  'containment',
  'jaccard',
  'cosine',
  'status',
  'time',
  'time_earliest',
  'time_latest',
  'time_basis',
  'lag_seconds',
  'lag_min_seconds',
  'lag_max_seconds',
  'lag_flagged_seconds',
  'source_kind',
  'source_id',
  'source_similarity',
  'passages',
  'first_passage',
];

const TP_COLUMNS = [
  'id',
  'kind',
  'label',
  'lang',
  'posts',
  'accounts',
  'flagged_posts',
  'flagged_accounts',
  'flagged_share',
  'clusters',
  'first_seen',
  'first_seen_latest',
  'first_seen_post',
  'first_seen_account',
  'first_flagged',
  'first_flagged_post',
  'echoes',
  'first_echo',
];

const PASSAGE_COLUMNS = [
  'talking_point',
  'variant',
  'doc_id',
  'tp_start',
  'tp_end',
  'tp_text',
  'doc_start',
  'doc_end',
  'doc_text',
  'matches',
];

/** Writes the three files into `dir`; returns their paths. */
export function writeEchoCsv(result: EchoResult, dir: string): string[] {
  ensureFolder(dir);
  const labels = new Map(result.talkingPoints.map((t) => [t.id, t.label]));
  const echoes: CsvValue[][] = result.echoes.map((e) => [
    e.talkingPoint,
    labels.get(e.talkingPoint) ?? '',
    e.document.docId,
    e.document.title,
    e.document.author,
    e.document.outlet,
    e.document.url,
    e.document.lang,
    e.tier,
    e.score,
    e.threshold,
    e.lexical?.reuse,
    e.lexical?.containment,
    e.lexical?.jaccard,
    e.cosine,
    e.status,
    e.document.time?.at,
    e.document.time?.earliest,
    e.document.time?.latest,
    e.document.time?.basis,
    e.lag?.seconds,
    e.lag?.min,
    e.lag?.max,
    e.lagFlagged?.seconds,
    e.source?.kind,
    e.source?.id,
    e.source?.similarity,
    e.passages.length,
    e.passages[0]?.docText,
  ]);
  const tps: CsvValue[][] = result.talkingPoints.map((t) => [
    t.id,
    t.kind,
    t.label,
    t.lang,
    t.posts,
    t.accounts,
    t.flaggedPosts,
    t.flaggedAccounts,
    t.flaggedShare,
    t.clusters.join(' '),
    t.firstSeen?.time.at,
    t.firstSeen?.time.latest,
    t.firstSeen?.postId,
    t.firstSeen ? `${t.firstSeen.platform}:${t.firstSeen.accountId}` : null,
    t.firstSeenFlagged?.time.at,
    t.firstSeenFlagged?.postId,
    t.echoes,
    t.firstEcho,
  ]);
  const passages: CsvValue[][] = result.echoes.flatMap((e) =>
    e.passages.map((p) => [
      e.talkingPoint,
      e.variant,
      e.document.docId,
      p.tpStart,
      p.tpEnd,
      p.tpText,
      p.docStart,
      p.docEnd,
      p.docText,
      p.matches,
    ]),
  );
  return [
    writeFileAtomic(join(dir, 'echoes.csv'), csvLines(ECHO_COLUMNS, echoes)),
    writeFileAtomic(join(dir, 'talking_points.csv'), csvLines(TP_COLUMNS, tps)),
    writeFileAtomic(join(dir, 'passages.csv'), csvLines(PASSAGE_COLUMNS, passages)),
  ];
}
