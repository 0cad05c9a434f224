/**
 * The network every export draws, built once from a `DetectionResult`: one node per cluster member,
 * one edge per significant pair, with the attribute table shared by GEXF, GraphML and the CSV files
 * (same names, same types, same values), and a colour per cluster.
 *
 * Colours come from Paul Tol's "muted" qualitative scheme (https://personal.sron.nl/~pault/, §4),
 * designed to stay distinct under the common forms of colour blindness; clusters past the ninth
 * reuse the colours in order.
 */
import { InputError } from '../../core/errors.js';
import type { Cluster, DetectionResult, Edge, Member } from '../../detect/types.js';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Paul Tol's muted scheme: rose, indigo, sand, green, cyan, wine, teal, olive, purple. */
export const CLUSTER_PALETTE: readonly Rgb[] = [
  0xcc6677, 0x332288, 0xddcc77, 0x117733, 0x88ccee, 0x882255, 0x44aa99, 0x999933, 0xaa4499,
].map((hex) => ({ r: hex >> 16, g: (hex >> 8) & 0xff, b: hex & 0xff }));

export interface GraphNode {
  /** The account key, `platform:account_id`. */
  id: string;
  /** What Gephi shows: the handle, else the display name, else the account id. */
  label: string;
  member: Member;
  cluster: Cluster;
  /** Position in the cluster's member list, strongest first (1-based). */
  rank: number;
  color: Rgb;
}

export interface GraphEdge {
  /** `e0`, `e1`, ... in the result's order. */
  id: string;
  edge: Edge;
  /** The cluster both ends belong to (null if the ends are in different clusters). */
  cluster: string | null;
}

export interface ExportGraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export type AttributeType = 'string' | 'integer' | 'double';

/** One column of the node or edge table, as every export names and types it. */
export interface AttributeSpec<T> {
  name: string;
  type: AttributeType;
  /** The value, or null when unknown (the export leaves it out). */
  value(item: T): string | number | null;
}

export const NODE_ATTRIBUTES: readonly AttributeSpec<GraphNode>[] = [
  { name: 'platform', type: 'string', value: (n) => n.member.platform },
  { name: 'account_id', type: 'string', value: (n) => n.member.accountId },
  { name: 'handle', type: 'string', value: (n) => n.member.handle },
  { name: 'display_name', type: 'string', value: (n) => n.member.displayName },
  { name: 'cluster', type: 'string', value: (n) => n.cluster.id },
  { name: 'cluster_score', type: 'double', value: (n) => n.cluster.score },
  { name: 'confidence', type: 'string', value: (n) => n.cluster.confidence },
  { name: 'posts', type: 'integer', value: (n) => n.member.posts },
  { name: 'strength', type: 'double', value: (n) => n.member.strength },
  { name: 'co_actions', type: 'integer', value: (n) => n.member.coActions },
];

/** Signals of an edge or cluster as one cell: names joined by `;`. */
export const joinSignals = (signals: readonly string[]): string => signals.join(';');

export const EDGE_ATTRIBUTES: readonly AttributeSpec<GraphEdge>[] = [
  { name: 'cluster', type: 'string', value: (e) => e.cluster },
  { name: 'co_actions', type: 'integer', value: (e) => e.edge.coActions },
  { name: 'expected', type: 'double', value: (e) => e.edge.expected },
  { name: 'p_value', type: 'double', value: (e) => e.edge.pValue },
  { name: 'log10_p', type: 'double', value: (e) => e.edge.log10P },
  { name: 'signals', type: 'string', value: (e) => joinSignals(e.edge.signals) },
];

/**
 * Builds the network of a result. Throws `InputError` when the result cannot be drawn: an account
 * in two clusters, or an edge whose end is in no cluster (a damaged or hand-edited result file).
 */
export function exportGraph(result: DetectionResult): ExportGraphModel {
  const nodes: GraphNode[] = [];
  const byKey = new Map<string, GraphNode>();
  result.clusters.forEach((cluster, index) => {
    const color = CLUSTER_PALETTE[index % CLUSTER_PALETTE.length]!;
    cluster.members.forEach((member, position) => {
      const other = byKey.get(member.key);
      if (other) {
        throw new InputError(
          `the result lists account ${member.key} in clusters ${other.cluster.id} and ${cluster.id}; run lockstep detect again to get a consistent result`,
        );
      }
      const node: GraphNode = {
        id: member.key,
        label: member.handle || member.displayName || member.accountId || member.key,
        member,
        cluster,
        rank: position + 1,
        color,
      };
      byKey.set(member.key, node);
      nodes.push(node);
    });
  });
  const edges = result.edges.map((edge, index): GraphEdge => {
    const source = byKey.get(edge.source);
    const target = byKey.get(edge.target);
    if (!source || !target) {
      throw new InputError(
        `the result has an edge ${edge.source} - ${edge.target} to an account in no cluster; run lockstep detect again to get a consistent result`,
      );
    }
    return { id: `e${index}`, edge, cluster: source.cluster === target.cluster ? source.cluster.id : null };
  });
  return { nodes, edges };
}

const ZONED = /(?:[zZ]|[+-]\d\d:?\d\d)$/;
const DAY = /^\d{4}-\d\d-\d\d$/;

/** Milliseconds of an ISO-8601 time, read as UTC when it has no zone (as the result's times are); null if not a time. */
function utcMillis(time: string): number | null {
  const s = time.trim().replace(' ', 'T');
  const ms = Date.parse(ZONED.test(s) || !s.includes('T') ? s : `${s}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * An ISO-8601 time as UTC with a `Z` (`2024-03-01T12:00:05Z`, milliseconds only when not zero). A
 * plain day stays a day; text that is not a time is returned unchanged.
 */
export function isoUtc(time: string): string {
  if (DAY.test(time)) return time;
  const ms = utcMillis(time);
  return ms === null ? time : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The UTC day of an ISO-8601 time (`xsd:date`), or null when it does not parse. */
export function isoDay(time: string): string | null {
  const ms = utcMillis(time);
  return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
}

/** A one-paragraph description of the run for the files' metadata. */
export function describeResult(result: DetectionResult, graph: ExportGraphModel): string {
  const signals = Object.entries(result.params.signals)
    .filter(([, p]) => p.enabled)
    .map(([name]) => name);
  const inputs = result.inputs.map((i) => (i.sha256 ? `${i.file} (sha256 ${i.sha256})` : i.file));
  const shown = inputs.length > 10 ? [...inputs.slice(0, 10), `and ${inputs.length - 10} more`] : inputs;
  return [
    `Accounts acting in lockstep, found by ${result.tool.name} ${result.tool.version} at ${result.createdAt}:`,
    `${result.clusters.length} clusters, ${graph.nodes.length} accounts, ${graph.edges.length} significant pairs.`,
    `Signals: ${signals.join(', ') || 'none'}; false discovery rate ${result.params.fdr}; seed ${result.params.seed}.`,
    `Inputs: ${shown.join(', ') || 'none'}.`,
    'Coordinated means acting together, not guilty: read the evidence and the limits in the report.',
  ].join(' ');
}
