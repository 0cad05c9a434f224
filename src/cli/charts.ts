/** Small text charts for the terminal: sparklines, bars and the 7 x 24 activity heatmap. */
import { WEEKDAYS } from '../forensics/rhythm.js';

const SPARKS = '▁▂▃▄▅▆▇█';
const SHADES = [' ', '░', '▒', '▓', '█'];
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** One character per value, scaled to the largest; zero stays a blank so gaps show. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (v <= 0 || max === 0 ? ' ' : SPARKS[Math.min(7, Math.floor((v / max) * 7.999))]))
    .join('');
}

/** A horizontal bar of `width` characters for a share in 0..1, in eighths of a character. */
export function bar(share: number, width = 20): string {
  const eighths = Math.round(Math.max(0, Math.min(1, share)) * width * 8);
  return `${'█'.repeat(Math.floor(eighths / 8))}${EIGHTHS[eighths % 8]}`.padEnd(width);
}

/**
 * Hour-of-week activity as a shaded grid: one row per weekday (Monday first), one column per hour,
 * shades scaled to the busiest hour. `title` names the clock (UTC, or the estimated local time).
 */
export function heatmap(hourOfWeek: readonly (readonly number[])[], title: string): string {
  const max = Math.max(0, ...hourOfWeek.flat());
  const shade = (v: number) =>
    v <= 0 || max === 0 ? '·' : SHADES[1 + Math.min(3, Math.floor((v / max) * 3.999))];
  const lines = [`     ${title}`, `     0     6     12    18   23`];
  hourOfWeek.forEach((row, d) => {
    lines.push(
      `${WEEKDAYS[d]}  ${row.map(shade).join('')}  ${row.reduce((s, v) => s + v, 0).toLocaleString('en-US')}`,
    );
  });
  return lines.join('\n');
}
