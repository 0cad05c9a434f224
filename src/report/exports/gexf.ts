/**
 * GEXF 1.3, Gephi's own format (schema: https://github.com/gephi/gexf, `specs/1.3/gexf.rnc`): a
 * static undirected graph of the clusters' members, typed node and edge attributes, the
 * IDF-weighted co-action strength as edge weight, and one `viz:color` per cluster so Gephi shows the
 * clusters as soon as the file opens.
 */
import type { DetectionResult } from '../../detect/types.js';
import {
  type AttributeSpec,
  describeResult,
  EDGE_ATTRIBUTES,
  exportGraph,
  isoDay,
  NODE_ATTRIBUTES,
} from './graph.js';
import { xmlEscape, xmlNumber, xmlToken } from './xml.js';

export const GEXF_NAMESPACE = 'http://gexf.net/1.3';
export const GEXF_VIZ_NAMESPACE = 'http://gexf.net/1.3/viz';

function* attributeDeclarations<T>(
  cls: 'node' | 'edge',
  specs: readonly AttributeSpec<T>[],
): Generator<string> {
  yield `    <attributes class="${cls}">\n`;
  for (const a of specs) yield `      <attribute id="${a.name}" title="${a.name}" type="${a.type}"/>\n`;
  yield '    </attributes>\n';
}

function attributeValues<T>(item: T, specs: readonly AttributeSpec<T>[]): string {
  let out = '';
  for (const a of specs) {
    const v = a.value(item);
    if (typeof v === 'number') {
      const n = xmlNumber(v);
      if (n !== null) out += `          <attvalue for="${a.name}" value="${n}"/>\n`;
    } else if (v !== null) out += `          <attvalue for="${a.name}" value="${xmlEscape(v)}"/>\n`;
  }
  return out ? `        <attvalues>\n${out}        </attvalues>\n` : '';
}

/** The GEXF document in pieces, one node or edge at a time (for writing large graphs without one huge string). */
export function* gexfChunks(result: DetectionResult): Generator<string> {
  const graph = exportGraph(result);
  const day = isoDay(result.createdAt);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<gexf xmlns="${GEXF_NAMESPACE}" xmlns:viz="${GEXF_VIZ_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${GEXF_NAMESPACE} ${GEXF_NAMESPACE}/gexf.xsd" version="1.3">\n`;
  yield day ? `  <meta lastmodifieddate="${day}">\n` : '  <meta>\n';
  yield `    <creator>Lockstep ${xmlEscape(result.tool.version)}</creator>\n`;
  yield `    <description>${xmlEscape(describeResult(result, graph))}</description>\n`;
  yield '  </meta>\n';
  yield '  <graph mode="static" defaultedgetype="undirected" idtype="string">\n';
  yield* attributeDeclarations('node', NODE_ATTRIBUTES);
  yield* attributeDeclarations('edge', EDGE_ATTRIBUTES);
  yield `    <nodes count="${graph.nodes.length}">\n`;
  for (const node of graph.nodes) {
    const label = xmlToken(node.label) || node.id;
    const { r, g, b } = node.color;
    yield `      <node id="${xmlEscape(node.id)}" label="${xmlEscape(label)}">\n${attributeValues(node, NODE_ATTRIBUTES)}        <viz:color r="${r}" g="${g}" b="${b}"/>\n      </node>\n`;
  }
  yield `    </nodes>\n    <edges count="${graph.edges.length}">\n`;
  for (const e of graph.edges) {
    const weight = xmlNumber(e.edge.weight);
    yield `      <edge id="${e.id}" source="${xmlEscape(e.edge.source)}" target="${xmlEscape(e.edge.target)}"${weight === null ? '' : ` weight="${weight}"`}>\n${attributeValues(e, EDGE_ATTRIBUTES)}      </edge>\n`;
  }
  yield '    </edges>\n  </graph>\n</gexf>\n';
}

/** The result as a GEXF 1.3 document. */
export function toGexf(result: DetectionResult): string {
  return [...gexfChunks(result)].join('');
}
