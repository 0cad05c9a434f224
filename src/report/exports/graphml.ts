/**
 * GraphML (http://graphml.graphdrawing.org/specification.html) with typed `<key>`s: the same
 * network and attributes as the GEXF export, for tools that read GraphML (networkx, igraph, yEd,
 * Cytoscape, Gephi).
 *
 * Node keys carry the attribute names; edge keys are prefixed `edge_` because GraphML key ids are
 * shared between nodes and edges, and their `attr.name` is the plain name. Gephi's GraphML importer
 * (`ImporterGraphML.java`) maps the key named `label` to the node label, `weight` to the edge weight
 * and `r`, `g`, `b` to the node colour; it rejects keys `for="graph"`, so the run's metadata goes in
 * the graph's `<desc>`.
 */
import type { DetectionResult } from '../../detect/types.js';
import {
  type AttributeSpec,
  describeResult,
  EDGE_ATTRIBUTES,
  exportGraph,
  NODE_ATTRIBUTES,
} from './graph.js';
import { xmlEscape, xmlNumber } from './xml.js';

export const GRAPHML_NAMESPACE = 'http://graphml.graphdrawing.org/xmlns';

const GRAPHML_TYPES = { string: 'string', integer: 'int', double: 'double' } as const;

const keyLine = (id: string, forWhat: 'node' | 'edge', name: string, type: string) =>
  `  <key id="${id}" for="${forWhat}" attr.name="${name}" attr.type="${type}"/>\n`;

function dataLines<T>(item: T, specs: readonly AttributeSpec<T>[], prefix: string): string {
  let out = '';
  for (const a of specs) {
    const v = a.value(item);
    const text = typeof v === 'number' ? xmlNumber(v) : v === null ? null : xmlEscape(v);
    if (text !== null) out += `      <data key="${prefix}${a.name}">${text}</data>\n`;
  }
  return out;
}

/** The GraphML document in pieces, one node or edge at a time. */
export function* graphmlChunks(result: DetectionResult): Generator<string> {
  const graph = exportGraph(result);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<graphml xmlns="${GRAPHML_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${GRAPHML_NAMESPACE} ${GRAPHML_NAMESPACE}/1.0/graphml.xsd">\n`;
  yield keyLine('label', 'node', 'label', 'string');
  for (const a of NODE_ATTRIBUTES) yield keyLine(a.name, 'node', a.name, GRAPHML_TYPES[a.type]);
  for (const channel of ['r', 'g', 'b']) yield keyLine(channel, 'node', channel, 'int');
  yield keyLine('edge_weight', 'edge', 'weight', 'double');
  for (const a of EDGE_ATTRIBUTES) yield keyLine(`edge_${a.name}`, 'edge', a.name, GRAPHML_TYPES[a.type]);
  yield '  <graph id="lockstep" edgedefault="undirected">\n';
  yield `    <desc>${xmlEscape(`Lockstep ${result.tool.version}. ${describeResult(result, graph)}`)}</desc>\n`;
  for (const node of graph.nodes) {
    const { r, g, b } = node.color;
    yield `    <node id="${xmlEscape(node.id)}">\n      <data key="label">${xmlEscape(node.label)}</data>\n${dataLines(node, NODE_ATTRIBUTES, '')}      <data key="r">${r}</data>\n      <data key="g">${g}</data>\n      <data key="b">${b}</data>\n    </node>\n`;
  }
  for (const e of graph.edges) {
    const weight = xmlNumber(e.edge.weight);
    yield `    <edge id="${e.id}" source="${xmlEscape(e.edge.source)}" target="${xmlEscape(e.edge.target)}">\n${weight === null ? '' : `      <data key="edge_weight">${weight}</data>\n`}${dataLines(e, EDGE_ATTRIBUTES, 'edge_')}    </edge>\n`;
  }
  yield '  </graph>\n</graphml>\n';
}

/** The result as a GraphML document. */
export function toGraphml(result: DetectionResult): string {
  return [...graphmlChunks(result)].join('');
}
