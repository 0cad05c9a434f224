/** The terminal summary of echo tracing: the most echoed talking points with their documents in time order. */
import { lagText, timeLabel } from '../echo/precedence.js';
import type { Echo, EchoResult } from '../echo/types.js';
import { n, pct } from './text.js';

const clip = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

const STATUS: Record<Echo['status'], string> = {
  echo: '',
  precedes: 'PRECEDES the posts',
  uncertain: 'order uncertain',
  undated: 'undated',
};

export function echoText(result: EchoResult, top = 10, perPoint = 5): string {
  const out: string[] = [];
  const d = result.data;
  const source =
    d.talkingPointSource === 'clusters'
      ? `posted by flagged clusters of detection run ${d.detectionRun}`
      : d.talkingPointSource === 'seeds'
        ? 'seed texts'
        : 'all posts';
  out.push(
    `${n(result.stats.talkingPoints)} talking points (${source}), ${n(d.documents)} documents (${n(d.documentsDated)} dated)`,
  );
  const by = (status: Echo['status']) => result.echoes.filter((e) => e.status === status).length;
  const docs = new Set(result.echoes.map((e) => e.document.docId)).size;
  const lexical = result.echoes.filter((e) => e.tier === 'lexical').length;
  out.push(
    `${n(result.echoes.length)} echoes in ${n(docs)} documents (${n(lexical)} lexical, ${n(result.echoes.length - lexical)} semantic): ${n(by('echo'))} after the earliest observed post, ${n(by('precedes'))} before it, ${n(by('uncertain'))} uncertain, ${n(by('undated'))} undated`,
  );
  if (!result.echoes.length) {
    out.push('', 'No document echoes a talking point above the thresholds.');
  }
  for (const tp of result.talkingPoints.slice(0, top)) {
    out.push('');
    const first = tp.firstSeen ? `first seen ${timeLabel(tp.firstSeen.time)}` : 'no post found';
    const flagged =
      tp.firstSeenFlagged && tp.firstSeenFlagged.postId !== tp.firstSeen?.postId
        ? `; in flagged clusters ${timeLabel(tp.firstSeenFlagged.time)}`
        : '';
    out.push(`${tp.id}  "${clip(tp.label, 90)}"`);
    out.push(
      `  ${n(tp.posts)} posts by ${n(tp.accounts)} accounts, ${pct(tp.flaggedShare)} from flagged clusters${tp.clusters.length ? ` (${tp.clusters.slice(0, 3).join(', ')})` : ''}; ${first}${flagged}`,
    );
    const echoes = result.echoes.filter((e) => e.talkingPoint === tp.id);
    for (const e of echoes.slice(0, perPoint)) {
      const who = [e.document.author, e.document.outlet].filter(Boolean).join(', ') || e.document.docId;
      const when = e.document.time ? timeLabel(e.document.time) : 'undated';
      const lag = e.lag ? lagText(e.lag) : '';
      const score =
        e.tier === 'lexical' ? `reuse ${e.score.toFixed(2)}` : `cosine ${e.score.toFixed(2)} (semantic)`;
      const note = STATUS[e.status] ? `  [${STATUS[e.status]}]` : '';
      const src = e.source?.kind === 'document' ? `  after ${e.source.id}` : '';
      out.push(`  ${when}  ${lag ? `${lag}  ` : ''}${who}  ${score}${note}${src}`);
      if (e.passages[0]) out.push(`      "${clip(e.passages[0].docText, 100)}"`);
    }
    if (echoes.length > perPoint) out.push(`  … ${n(echoes.length - perPoint)} more documents`);
  }
  if (result.talkingPoints.length > top)
    out.push(
      '',
      `… ${n(result.talkingPoints.length - top)} more echoed talking points (--top, or --out for all)`,
    );
  if (result.limits.length) {
    out.push('', 'Limits:');
    for (const l of result.limits) out.push(`  - ${l}`);
  }
  return out.join('\n');
}
