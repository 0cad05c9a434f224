/**
 * The result as four spreadsheet tables: `clusters.csv`, `members.csv`, `edges.csv` and
 * `evidence.csv` (one row per evidence post). RFC 4180 with CRLF records, UTF-8 with a byte order
 * mark (without it Excel reads the file in the system code page and Persian or Arabic text turns to
 * mojibake), times in ISO-8601 UTC, and every cell through `csvCell`, which neutralises formula
 * injection (`src/report/csv.ts`). Columns are documented in docs/exports.md.
 */
import { join } from 'node:path';
import type { DetectionResult } from '../../detect/types.js';
import { type CsvValue, csvLines } from '../csv.js';
import { ensureFolder, writeFileAtomic } from './files.js';
import { exportGraph, type GraphNode, isoUtc, joinSignals } from './graph.js';

/** The files `writeCsvExports` writes, in order. */
export const CSV_FILES = ['clusters.csv', 'members.csv', 'edges.csv', 'evidence.csv'] as const;

export interface CsvTable {
  /** File name, e.g. `members.csv`. */
  name: string;
  header: string[];
  rows: CsvValue[][];
}

export const CLUSTER_COLUMNS = [
  'cluster',
  'size',
  'score',
  'confidence',
  'pattern',
  'open_indicators',
  'p_value',
  'log10_p',
  'observed',
  'expected',
  'density',
  'days',
  'first',
  'last',
  'median_delta_seconds',
  'signals',
  'signal_mix',
  'co_actions',
  'evidence_items',
  'evidence_posts',
  'notes',
];

export const MEMBER_COLUMNS = [
  'cluster',
  'rank',
  'key',
  'platform',
  'account_id',
  'handle',
  'display_name',
  'posts',
  'strength',
  'co_actions',
  'cluster_score',
  'confidence',
];

export const EDGE_COLUMNS = [
  'cluster',
  'source',
  'target',
  'source_handle',
  'target_handle',
  'weight',
  'co_actions',
  'expected',
  'p_value',
  'log10_p',
  'signals',
];

export const EVIDENCE_COLUMNS = [
  'cluster',
  'evidence',
  'signal',
  'object_label',
  'object',
  'evidence_accounts',
  'span_seconds',
  'post',
  'platform',
  'post_id',
  'account_id',
  'handle',
  'time',
  'delta_seconds',
  'kind',
  'text',
  'urls',
];

/** The four tables of a result, in memory. */
export function csvTables(result: DetectionResult): CsvTable[] {
  const graph = exportGraph(result);
  const byKey = new Map<string, GraphNode>(graph.nodes.map((n) => [n.id, n]));
  const clusters = result.clusters.map((c): CsvValue[] => [
    c.id,
    c.size,
    c.score,
    c.confidence,
    c.pattern,
    c.openIndicators.join(';'),
    c.pValue,
    c.log10P,
    c.observed,
    c.expected,
    c.density,
    c.days,
    isoUtc(c.first),
    isoUtc(c.last),
    c.medianDeltaSeconds,
    joinSignals(c.signals.map((s) => s.signal)),
    c.signals.map((s) => `${s.signal}=${s.share}`).join(';'),
    c.signals.reduce((sum, s) => sum + s.coActions, 0),
    c.evidence.length,
    c.evidence.reduce((sum, e) => sum + e.posts.length, 0),
    c.notes.join('\n'),
  ]);
  const members = graph.nodes.map(({ member: m, cluster: c, rank }): CsvValue[] => [
    c.id,
    rank,
    m.key,
    m.platform,
    m.accountId,
    m.handle,
    m.displayName,
    m.posts,
    m.strength,
    m.coActions,
    c.score,
    c.confidence,
  ]);
  const edges = graph.edges.map(({ edge: e, cluster }): CsvValue[] => [
    cluster,
    e.source,
    e.target,
    byKey.get(e.source)?.member.handle,
    byKey.get(e.target)?.member.handle,
    e.weight,
    e.coActions,
    e.expected,
    e.pValue,
    e.log10P,
    joinSignals(e.signals),
  ]);
  const evidence: CsvValue[][] = [];
  for (const c of result.clusters) {
    c.evidence.forEach((ev, i) => {
      ev.posts.forEach((p, j) => {
        evidence.push([
          c.id,
          i + 1,
          ev.signal,
          ev.objectLabel,
          ev.object,
          ev.accounts,
          ev.spanSeconds,
          j + 1,
          p.platform,
          p.postId,
          p.accountId,
          p.handle,
          isoUtc(p.createdAt),
          p.deltaSeconds,
          p.kind,
          p.text,
          p.urls.join(' '),
        ]);
      });
    });
  }
  const [clustersFile, membersFile, edgesFile, evidenceFile] = CSV_FILES;
  return [
    { name: clustersFile, header: CLUSTER_COLUMNS, rows: clusters },
    { name: membersFile, header: MEMBER_COLUMNS, rows: members },
    { name: edgesFile, header: EDGE_COLUMNS, rows: edges },
    { name: evidenceFile, header: EVIDENCE_COLUMNS, rows: evidence },
  ];
}

/**
 * Writes the four tables into `dir` (created if needed), each file atomically; returns their paths
 * in the order clusters, members, edges, evidence.
 */
export function writeCsvExports(result: DetectionResult, dir: string): string[] {
  const tables = csvTables(result);
  ensureFolder(dir);
  return tables.map((t) => writeFileAtomic(join(dir, t.name), csvLines(t.header, t.rows)));
}
