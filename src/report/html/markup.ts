/**
 * Building the report's HTML without ever pasting data into markup: `el` escapes every text child
 * and attribute value, allows only a fixed set of attribute names, and links only to anchors inside
 * the report. Markup that is not escaped must be marked with `trusted`, which only the report's own
 * constants and the figures (whose text is escaped by svg.ts) use.
 */
import { escapeXml } from '../figures/svg.js';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Child = Html | string | number | null | undefined | false | Child[];

const ATTRIBUTES = new Set([
  'class',
  'id',
  'dir',
  'colspan',
  'rowspan',
  'scope',
  'href',
  'lang',
  'title',
  'aria-label',
  'role',
]);
const VOID = new Set(['meta', 'br', 'hr']);

/** Markup written by Lockstep itself (never data). */
export const trusted = (markup: string): Html => new Html(markup);

function render(child: Child): string {
  if (child === null || child === undefined || child === false) return '';
  if (child instanceof Html) return child.value;
  if (Array.isArray(child)) return child.map(render).join('');
  return escapeXml(String(child));
}

export function el(
  tag: string,
  attrs: Record<string, string | number | boolean | null | undefined> = {},
  ...children: Child[]
): Html {
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (!ATTRIBUTES.has(name)) throw new Error(`report attribute "${name}" is not allowed`);
    // Links go to anchors inside the report only: data never becomes a link.
    if (name === 'href' && !/^#[A-Za-z0-9_-]+$/.test(String(value)))
      throw new Error('report links must be #anchors');
    open += value === true ? ` ${name}` : ` ${name}="${escapeXml(String(value))}"`;
  }
  return new Html(VOID.has(tag) ? `${open}>` : `${open}>${render(children)}</${tag}>`);
}

/** Data text in its own direction (Persian, Arabic and Hebrew posts read right to left), isolated from its neighbours. */
export const dataText = (text: string | null | undefined, cls = 'data'): Html =>
  text ? el('span', { class: cls, dir: 'auto' }, text) : el('span', { class: 'none' }, '-');
