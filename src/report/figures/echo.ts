/**
 * A talking point's timeline (the Echo view and the report's echo section): its posts per day,
 * flagged clusters against the rest, with the earliest observed post (and the earliest by a flagged
 * account) as dashed lines and each echoing document as a dot above the bars, coloured by how it
 * stands in time against the earliest observed post (docs/echo.md, "Precedence").
 */
import { timeLabel } from '../../echo/precedence.js';
import type { Cascade, Echo } from '../../echo/types.js';
import { coordinatedBars, type TimeMarker } from './charts.js';
import { COLORS } from './scales.js';
import type { SvgNode } from './svg.js';

/** Colours of a document's echo status (shared by the figure's legend in the app and the report). */
export const ECHO_STATUS_COLORS: Record<Echo['status'], string> = {
  echo: '#2f5d8a',
  precedes: '#c98a2b',
  uncertain: '#7a7f87',
  undated: '#7a7f87',
};

/** What each status means in a sentence (legends, tables). */
export const ECHO_STATUS_TEXT: Record<Echo['status'], string> = {
  echo: 'after the earliest observed post',
  precedes: 'before the earliest observed post (not an echo: the posts may echo it)',
  uncertain: 'order uncertain (the dates overlap)',
  undated: 'undated',
};

const ms = (iso: string | null) => (iso === null ? undefined : Date.parse(iso));

export function echoTimeline(cascade: Cascade, options: { width?: number; title?: string } = {}): SvgNode {
  const markers: TimeMarker[] = cascade.steps.map((s) => {
    const when = timeLabel(s.time);
    if (s.kind === 'document')
      return {
        kind: 'point',
        at: Date.parse(s.time.at),
        from: ms(s.time.earliest),
        to: ms(s.time.latest),
        color: ECHO_STATUS_COLORS[s.status ?? 'uncertain'],
        label: `${s.who ?? s.id}: document of ${when}, ${ECHO_STATUS_TEXT[s.status ?? 'uncertain']}`,
      };
    return {
      kind: 'line',
      at: Date.parse(s.time.at),
      color: s.kind === 'first-post' ? COLORS.ink : COLORS.coordinated,
      label: `${s.kind === 'first-post' ? 'earliest observed post' : 'earliest observed post by a flagged account'}: ${when}`,
    };
  });
  return coordinatedBars(
    cascade.series.map((d) => ({ t: d.day, posts: d.posts, flaggedPosts: d.flaggedPosts })),
    { width: options.width ?? 640, title: options.title, markers },
  );
}
