/**
 * Draws a figure (src/report/figures: the same trees the report writes as SVG markup) as React
 * elements: text from the data stays a text child, so nothing is ever parsed as markup.
 */
import { createElement, type ReactElement, type ReactNode } from 'react';
import type { SvgChild, SvgNode } from '../../src/report/figures/svg';

const camel = (name: string) =>
  name.startsWith('aria-') || name.startsWith('data-')
    ? name
    : name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function draw(node: SvgChild, key?: number): ReactNode {
  if (typeof node === 'string') return node;
  const props: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(node.attrs)) props[camel(k)] = v;
  if (key !== undefined) props.key = key;
  return createElement(node.tag, props, ...node.children.map((c, i) => draw(c, i)));
}

export function Figure({ svg, className }: { svg: SvgNode; className?: string }): ReactElement {
  return <div className={`figure ${className ?? ''}`}>{draw(svg)}</div>;
}
