/** Terminal text helpers: numbers, tables, the ingest and status summaries. */
import type { IngestReport } from '../ingest/pipeline.js';
import type { StoreStatus } from '../store/status.js';
import { duration } from './progress.js';

/** A share in 0..1 as a whole percentage. */
export const pct = (x: number): string => `${Math.round(x * 100)}%`;

export const n = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : x.toLocaleString('en-US');

/** Left-aligned text columns, right-aligned numbers. */
export function table(rows: (string | number)[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const cells = all.map((r) => r.map((c) => (typeof c === 'number' ? n(c) : c)));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = (all[1] ?? all[0]!).map((c) => typeof c === 'number');
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function ingestSummary(r: IngestReport): string {
  const lines = [
    `${r.fileName}: ${r.format} (${r.platform}), read ${n(r.rowsRead)} = stored ${n(r.rowsStored)} + duplicate ${n(r.rowsDuplicate)} + rejected ${n(r.rowsRejected)}; ${n(r.postsNew)} new posts, ${n(r.accountsNew)} new accounts in ${duration(r.seconds)} [ingest #${r.ingestId}]`,
  ];
  if (r.sameFileBefore.length)
    lines.push(
      `  note: the same file (sha256 ${r.sha256.slice(0, 12)}) was ingested before as #${r.sameFileBefore.join(', #')}`,
    );
  for (const w of r.warnings)
    lines.push(
      `  warning: ${w.message}: ${n(w.count)} row${w.count === 1 ? '' : 's'}${w.firstLine ? ` (first at line ${w.firstLine})` : ''}`,
    );
  if (r.rowsRejected)
    lines.push(
      `  ${n(r.rowsRejected)} rejected row${r.rowsRejected === 1 ? '' : 's'} kept aside: lockstep rejects --ingest ${r.ingestId}`,
    );
  return lines.join('\n');
}

export function statusText(s: StoreStatus): string {
  const out: string[] = [`Store ${s.path}`];
  if (s.posts === 0 && s.ingests.length === 0) {
    out.push('empty: add data with `lockstep ingest FILE...`, or try `lockstep demo`');
    return out.join('\n');
  }
  out.push(`${n(s.posts)} posts from ${n(s.accounts)} accounts, ${s.first ?? '-'} .. ${s.last ?? '-'} (UTC)`);
  // No platform table when nothing is stored yet (only failed or interrupted ingests).
  if (s.platforms.length)
    out.push(
      '',
      table(
        s.platforms.map((p) => [
          p.platform,
          p.posts,
          p.accounts,
          p.first ?? '-',
          p.last ?? '-',
          Object.entries(p.kinds)
            .map(([k, v]) => `${k} ${n(v)}`)
            .join(', '),
        ]),
        ['platform', 'posts', 'accounts', 'first', 'last', 'kinds'],
      ),
    );
  const byStatus = new Map<string, number>();
  for (const i of s.ingests) byStatus.set(i.status, (byStatus.get(i.status) ?? 0) + 1);
  out.push('', `Ingests: ${s.ingests.length} (${[...byStatus].map(([k, v]) => `${v} ${k}`).join(', ')})`);
  out.push(
    table(
      s.ingests.map((i) => [
        `#${i.ingestId}`,
        i.status,
        i.fileName,
        i.format,
        i.rowsRead,
        i.rowsStored,
        i.rowsDuplicate,
        i.rowsRejected,
        i.sha256 ? i.sha256.slice(0, 12) : '-',
        i.finishedAt ?? i.startedAt,
      ]),
      ['id', 'status', 'file', 'format', 'read', 'stored', 'duplicate', 'rejected', 'sha256', 'finished'],
    ),
  );
  for (const i of s.ingests) {
    for (const w of i.warnings)
      out.push(
        `  #${i.ingestId} warning: ${w.message}: ${n(w.count)}${w.firstLine ? ` (first at line ${w.firstLine})` : ''}`,
      );
    if (i.message && i.status !== 'done') {
      // The message of an interrupted ingest already starts with "interrupted: ".
      const message = i.message.startsWith(`${i.status}: `)
        ? i.message.slice(i.status.length + 2)
        : i.message;
      out.push(`  #${i.ingestId} ${i.status}: ${message}`);
    }
  }
  if (s.documents) out.push('', `Documents: ${n(s.documents)} (statements and articles for lockstep echo)`);
  if (s.detections.length) {
    const last = s.detections[s.detections.length - 1]!;
    out.push(
      '',
      `Detections saved: ${s.detections.length}; latest run ${last.runId} at ${last.createdAt}, ${n(last.clusters)} clusters (read by lockstep fingerprint and amplification)`,
    );
  }
  if (s.rejects.total) {
    out.push('', `Rejected rows kept aside: ${n(s.rejects.total)} (list them with \`lockstep rejects\`)`);
    for (const r of s.rejects.byReason.slice(0, 8)) out.push(`  ${n(r.count).padStart(8)}  ${r.reason}`);
  }
  return out.join('\n');
}
