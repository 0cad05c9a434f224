/** The terminal summary of a detection run: the data, the signals, the top clusters and their evidence. */
import type { Cluster, DetectionResult } from '../detect/types.js';
import { n, pct, table } from './text.js';

/**
 * Post text, handles and names are attacker-controlled: before they reach a terminal, control
 * characters (which can move the cursor, recolour or rewrite the screen), bidirectional overrides
 * and line breaks are replaced, and the text is cut to `max` characters.
 */
export function terminalSafe(text: string | null | undefined, max = 100): string {
  if (!text) return '';
  const clean = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
  const chars = [...clean];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

function seconds(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function signalMix(c: Cluster): string {
  return c.signals
    .filter((s) => s.share >= 0.05)
    .slice(0, 3)
    .map((s) => `${s.signal} ${pct(s.share)}`)
    .join(', ');
}

export function detectionSummary(r: DetectionResult, top = 10, evidenceFor = 3): string {
  const out: string[] = [];
  const d = r.data;
  out.push(
    `Data: ${n(d.posts)} posts by ${n(d.accounts)} accounts on ${d.platforms.join(', ') || '-'}, ${d.span.start ?? '-'} .. ${d.span.end ?? '-'} (UTC, ${d.timeResolution} resolution)`,
  );
  const windows = Object.entries(r.params.signals)
    .map(([name, s]) => `${name} ${s.window} s${s.windowSource === 'user' ? '' : ` (${s.windowSource})`}`)
    .join('; ');
  out.push(`Windows: ${windows}`);
  out.push(
    `Pairs: ${n(r.stats.pairsTested)} tested, ${n(r.stats.significantPairs)} significant (FDR ${r.params.fdr}, at least ${r.params.minParticipation} co-actions); ${n(r.stats.accountsInClusters)} accounts in ${n(r.clusters.length)} clusters; ${r.stats.seconds.toFixed(1)} s`,
  );
  out.push('');
  if (!r.clusters.length) {
    out.push('No coordinated cluster found at these settings.');
  } else {
    const shown = r.clusters.slice(0, top);
    out.push(
      table(
        shown.map((c) => [
          c.id,
          c.size,
          c.confidence,
          c.score.toFixed(2),
          c.days,
          seconds(c.medianDeltaSeconds),
          c.openIndicators.length ? c.openIndicators.join(', ') : c.pattern,
          signalMix(c),
        ]),
        ['cluster', 'accounts', 'confidence', 'score', 'days', 'median gap', 'pattern', 'signals'],
      ),
    );
    if (r.clusters.length > top)
      out.push(`... and ${r.clusters.length - top} more (write them all with --out)`);
    for (const c of shown.slice(0, evidenceFor)) {
      out.push(
        '',
        `${c.id}: ${c.size} accounts, e.g. ${c.members
          .slice(0, 5)
          .map((m) => `@${terminalSafe(m.handle ?? m.accountId, 30)}`)
          .join(' ')}`,
      );
      out.push(
        `  co-actions ${n(c.observed)} vs ${c.expected < 0.01 ? c.expected.toExponential(1) : c.expected.toFixed(2)} expected by chance (p ${c.log10P < -300 ? `< 1e-300` : `~ 1e${Math.round(c.log10P)}`}), ${c.days} days, ${c.first.slice(0, 10)} .. ${c.last.slice(0, 10)}`,
      );
      for (const note of c.notes) out.push(`  note: ${note}`);
      const e = c.evidence[0];
      if (e) {
        out.push(
          `  evidence: ${e.accounts} members, ${e.signal} on ${e.objectLabel} ${terminalSafe(e.object, 60)} within ${seconds(e.spanSeconds)}`,
        );
        for (const p of e.posts.slice(0, 6))
          out.push(
            `    ${p.createdAt}  +${String(p.deltaSeconds).padStart(4)} s  @${terminalSafe(p.handle ?? p.accountId, 18).padEnd(18)} ${terminalSafe(p.text, 70)}`,
          );
        if (e.posts.length > 6) out.push(`    ... ${e.posts.length - 6} more posts`);
      }
    }
  }
  if (r.limits.length) {
    out.push('', 'Limits of this run:');
    for (const l of r.limits) out.push(`  - ${l}`);
  }
  out.push(
    '',
    'Coordinated means these accounts act together far beyond chance; it does not say who runs them or that they deceive. Read the evidence and the notes.',
  );
  return out.join('\n');
}
