/**
 * The report's building blocks, shared by its sections (index.ts and the echo section, echo.ts):
 * numbers, figures, tables, sections. Everything goes through `el`, which escapes data.
 */
import { svgMarkup } from '../figures/svg.js';
import { type Child, el, type Html, trusted } from './markup.js';

const nf = new Intl.NumberFormat('en');
export const n = (v: number) => nf.format(v);
export const pct = (v: number) => `${(v * 100).toFixed(v >= 0.995 || v < 0.1 ? 1 : 0).replace(/\.0$/, '')}%`;

export const figure = (svg: Parameters<typeof svgMarkup>[0], caption?: string): Html =>
  el('div', { class: 'figure' }, trusted(svgMarkup(svg)), caption && el('p', { class: 'sub' }, caption));
export const badge = (confidence: string) => el('span', { class: `badge ${confidence}` }, confidence);
export const table = (head: (string | [string, string])[], rows: Child[][]): Html =>
  el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        head.map((h) =>
          Array.isArray(h) ? el('th', { class: h[1], scope: 'col' }, h[0]) : el('th', { scope: 'col' }, h),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          {},
          r.map((cell, i) =>
            Array.isArray(head[i])
              ? el('td', { class: (head[i] as [string, string])[1] }, cell)
              : el('td', {}, cell),
          ),
        ),
      ),
    ),
  );

/** A top-level section of the report with its anchor and heading. */
export const section = (id: string, title: string, ...children: Child[]): Html =>
  el('section', { id }, el('h2', {}, title), ...children);

export const kpi = (value: string, label: string) =>
  el('div', { class: 'kpi' }, el('b', {}, value), el('span', {}, label));
