/**
 * Aligned passages highlighted by their offsets (EchoPassage `tpStart..tpEnd` into the talking
 * point's wording, `docStart..docEnd` into the document's text). The text is cut into segments, each
 * outside every passage or inside one; the workbench renders each segment as a text node of its own
 * span and the report as escaped text in a `<mark>`, so data text never becomes markup. Offsets are
 * JavaScript string (UTF-16) offsets, as `slice` takes them.
 */

export interface Range {
  start: number;
  end: number;
}

export interface Segment {
  start: number;
  end: number;
  text: string;
  /** Index of the first range that covers the segment, null outside every range. */
  passage: number | null;
}

/** A cut that does not split a surrogate pair (an emoji, a rare CJK character) in two. */
function safeCut(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return i > 0 && i < text.length && code >= 0xdc00 && code <= 0xdfff ? i - 1 : i;
}

/** `text[from..to)` cut at the ranges' ends (ranges are clipped to it; overlapping ones go to the first). */
export function segments(text: string, ranges: readonly Range[], from = 0, to = text.length): Segment[] {
  const lo = Math.max(0, Math.min(from, text.length));
  const hi = Math.max(lo, Math.min(to, text.length));
  const cuts = new Set([lo, hi]);
  for (const r of ranges) {
    const s = Math.max(lo, Math.min(hi, r.start));
    const e = Math.max(lo, Math.min(hi, r.end));
    if (e > s) {
      cuts.add(safeCut(text, s));
      cuts.add(safeCut(text, e));
    }
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const s = points[i]!;
    const e = points[i + 1]!;
    const k = ranges.findIndex((r) => r.start <= s && r.end >= e);
    const passage = k < 0 ? null : k;
    const last = out.at(-1);
    if (last && last.passage === passage) {
      last.end = e;
      last.text = text.slice(last.start, e);
    } else out.push({ start: s, end: e, text: text.slice(s, e), passage });
  }
  return out;
}

/**
 * Windows of a long text around the ranges, `context` characters either side (widened to the
 * nearest space within 30 characters), merged when they meet: the excerpts a report shows.
 */
export function excerptWindows(text: string, ranges: readonly Range[], context: number): Range[] {
  const wordStart = (i: number) => {
    if (i <= 0) return 0;
    const space = text.lastIndexOf(' ', i);
    return space >= 0 && i - space <= 30 ? space + 1 : safeCut(text, i);
  };
  const wordEnd = (i: number) => {
    if (i >= text.length) return text.length;
    const space = text.indexOf(' ', i);
    return space >= 0 && space - i <= 30 ? space : safeCut(text, i);
  };
  const windows = [...ranges]
    .sort((a, b) => a.start - b.start)
    .map((r) => ({ start: wordStart(r.start - context), end: wordEnd(r.end + context) }));
  const merged: Range[] = [];
  for (const w of windows) {
    const last = merged.at(-1);
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else merged.push({ ...w });
  }
  return merged;
}
