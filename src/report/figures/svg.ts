/**
 * Figures as plain trees of SVG elements, written once and drawn two ways: as markup for the report
 * (`svgMarkup`, every text and attribute escaped) and as React elements in the web app (web/src/
 * figure.tsx), so that neither needs to inject markup. Text from the data only ever appears as a
 * text child, never as an attribute that could load or run anything.
 */

export type SvgChild = SvgNode | string;

export interface SvgNode {
  tag: SvgTag;
  attrs: Record<string, string | number>;
  children: SvgChild[];
}

/** The only elements figures use: shapes, groups, text and tooltips. */
export type SvgTag = 'svg' | 'g' | 'rect' | 'line' | 'path' | 'circle' | 'text' | 'title' | 'polyline';

/** What `h` accepts as children: nodes, text, nothing, or (nested) lists of them. */
export type SvgInput = SvgChild | undefined | null | false | SvgInput[];

/** An element; `undefined`, `false` and `null` children and attributes are left out. */
export function h(
  tag: SvgTag,
  attrs: Record<string, string | number | undefined | null | false> = {},
  ...children: SvgInput[]
): SvgNode {
  const clean: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) clean[k] = v;
  const kids: SvgChild[] = [];
  const add = (c: SvgInput): void => {
    if (Array.isArray(c)) c.forEach(add);
    else if (c !== undefined && c !== null && c !== false) kids.push(c);
  };
  children.forEach(add);
  return { tag, attrs: clean, children: kids };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML or XML: the five special characters escaped. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Attribute names a figure may set (anything else is a bug, refused rather than written). */
const ATTRIBUTE = /^(?:[a-z][a-z0-9-]*|viewBox|preserveAspectRatio|xmlns)$/;

/** The figure as SVG markup (for the report). */
export function svgMarkup(node: SvgChild): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => {
      if (!ATTRIBUTE.test(k) || k.startsWith('on') || k === 'href' || k === 'style')
        throw new Error(`figure attribute "${k}" is not allowed`);
      return ` ${k}="${escapeXml(typeof v === 'number' ? fmt(v) : v)}"`;
    })
    .join('');
  const xmlns = node.tag === 'svg' && !node.attrs.xmlns ? ' xmlns="http://www.w3.org/2000/svg"' : '';
  return `<${node.tag}${xmlns}${attrs}>${node.children.map(svgMarkup).join('')}</${node.tag}>`;
}

/** Numbers with at most two decimals (figures do not need more). */
export const fmt = (v: number): string =>
  Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
