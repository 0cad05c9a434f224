/**
 * Pieces of the Influence view (Influence.tsx, InfluenceEntity.tsx): a fact's source, a record with
 * its sources and raw text, a hop's source or a link's evidence, the layered figure whose boxes open
 * what they are, and a path's hops. Data is text only; URLs are shown as text with a copy button.
 */
import { type LayeredEdge, type LayeredNode, layeredGraph } from '../../../src/report/figures/influence';
import type {
  InfluenceEntityResponse,
  InfluencePath,
  LinkEvidenceMap,
  TierMap,
} from '../../../src/server/types';
import { Data, Url } from '../components';
import { Figure } from '../figure';
import { href, navigate } from '../router';

export type Entity = InfluenceEntityResponse['entity'];
export type Source = Entity['names'][number]['sources'][number];
export type RelationRecord = Entity['representations'][number]['record'];
export type Hop = InfluencePath['hops'][number];

/** The sentence every page with links or paths carries. */
export const NOT_CAUSATION =
  'A link or a path shows records that connect; it does not show that anyone directed the accounts, that a payment bought a meeting or that a meeting caused a statement. A contact is not causation.';

/** How to read a hop's arrow. */
export const ARROWS =
  'Each arrow points the way the record reads: payer → beneficiary, agent → client, organiser → participant, a party → the account or site it runs, a cluster → the site it pushes, a statement → the cluster it echoes.';

export const money = (currency: string | null, v: number | null) =>
  v === null ? '-' : `${currency ?? '?'} ${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

/** Where a fact comes from: dataset, file and row, the record's date, and the URL it cites (as text). */
export function SourceText({ source }: { source: Source | null | undefined }) {
  if (!source) return <span className="none">-</span>;
  return (
    <span className="source">
      <Data text={source.dataset} /> ·{' '}
      <Data text={source.row === null ? source.file : `${source.file}:${source.row}`} />
      {source.date && ` · ${source.date}`}
      {source.url && <Url url={source.url} />}
    </span>
  );
}

/** A relationship's record: its id, every source, and the record as read (a CSV row, an XML filing). */
export function RecordCell({ record }: { record: RelationRecord }) {
  return (
    <div className="record">
      <span className="mono">
        <Data text={record.id} />
      </span>
      {record.sources.slice(0, 3).map((s) => (
        <SourceText key={`${s.ingestId}:${s.row}`} source={s} />
      ))}
      {record.sources.length > 3 && (
        <span className="none">and {record.sources.length - 3} more sources</span>
      )}
      {record.raw && (
        <details>
          <summary>record as read</summary>
          <pre className="raw">
            <Data text={record.raw} />
          </pre>
        </details>
      )}
    </div>
  );
}

/** Values shown as URLs (text with a copy button): web addresses, and schemes that would run or load something. */
export const looksLikeUrl = (v: string) =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^(javascript|data|vbscript|mailto):/i.test(v) || /^www\./i.test(v);

/** A link between layers: how it was found (its evidence), or a hop's record and source. */
export function HopSource({
  hop,
  evidence,
}: {
  hop: Pick<Hop, 'record' | 'source'>;
  evidence: LinkEvidenceMap;
}) {
  const ev = evidence[hop.record];
  if (hop.source)
    return (
      <>
        <span className="mono">
          <Data text={hop.record} />
        </span>{' '}
        <SourceText source={hop.source} />
      </>
    );
  if (!ev)
    return (
      <span className="mono">
        <Data text={hop.record} />
      </span>
    );
  return (
    <span className="evidence-facts">
      <b>{ev.kind}</b>
      {ev.score !== null && ` (score ${ev.score.toFixed(2)})`}
      {ev.facts.map(([k, v]) => (
        <span key={k}>
          {' · '}
          {k}: {looksLikeUrl(v) ? <Url url={v} /> : <Data text={v} />}
        </span>
      ))}
    </span>
  );
}

/** Opens what a node of the graph is: an entity's page, an account, a cluster's "who is behind". */
export function nodeHref(key: string): string | null {
  const cut = key.indexOf(':');
  const kind = key.slice(0, cut);
  const id = key.slice(cut + 1);
  if (kind === 'entity') return href(['influence', 'entity', id]);
  if (kind === 'cluster') return href(['influence', 'cluster', id]);
  if (kind === 'account') {
    const c = id.indexOf(':');
    return href(['accounts', id.slice(0, c), id.slice(c + 1)]);
  }
  return null;
}

export function NodeLink({ node }: { node: { key: string; label: string } }) {
  const to = nodeHref(node.key);
  return to ? (
    <a href={to}>
      <Data text={node.label} />
    </a>
  ) : (
    <Data text={node.label} />
  );
}

/** The layered figure, whose boxes open what they are (event delegation on the figure's data-node). */
export function LayeredFigure({ nodes, edges }: { nodes: LayeredNode[]; edges: LayeredEdge[] }) {
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: every box is also listed as a link in the tables below
    <div
      className="layered"
      data-testid="layered"
      onClick={(e) => {
        const g = (e.target as Element).closest('[data-node]');
        const node = g ? nodes[Number(g.getAttribute('data-node'))] : undefined;
        const to = node ? nodeHref(node.key) : null;
        if (to) navigate(to);
      }}
    >
      <Figure svg={layeredGraph(nodes, edges)} />
    </div>
  );
}

/** Each hop of a path: from, what links them (the record), to, the record's date, its source or evidence. */
export function HopTable({ hops, evidence }: { hops: Hop[]; evidence: LinkEvidenceMap }) {
  return (
    <table className="compact hops">
      <thead>
        <tr>
          <th>#</th>
          <th>from</th>
          <th>record</th>
          <th>to</th>
          <th>date</th>
          <th>source or evidence</th>
        </tr>
      </thead>
      <tbody>
        {hops.map((x, i) => (
          <tr key={`${x.record}|${x.from.key}|${x.to.key}`}>
            <td className="num">{i + 1}</td>
            <td>
              <NodeLink node={x.from} />
            </td>
            <td className="hop-record">
              {x.reversed && '← '}
              <Data text={x.label} />
              {!x.reversed && ' →'}
            </td>
            <td>
              <NodeLink node={x.to} />
            </td>
            <td className="nowrap mono hop-date">{x.date ?? '-'}</td>
            <td>
              <HopSource hop={x} evidence={evidence} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The layered figure of the union of some paths. */
export function PathsFigure({
  paths,
  tiers,
  ends,
}: {
  paths: InfluencePath[];
  tiers: TierMap;
  ends: string[];
}) {
  const nodes = new Map<string, LayeredNode>();
  const edges = new Map<string, LayeredEdge>();
  for (const p of paths) {
    for (const n of p.nodes)
      nodes.set(n.key, {
        key: n.key,
        label: n.label,
        tier: tiers[n.key] ?? 'organisations',
        focus: ends.includes(n.key),
      });
    for (const x of p.hops)
      edges.set(`${x.record}|${x.from.key}|${x.to.key}`, {
        from: x.from.key,
        to: x.to.key,
        label: x.label,
        date: x.date,
      });
  }
  return <LayeredFigure nodes={[...nodes.values()]} edges={[...edges.values()]} />;
}

export function PathCard({
  path,
  n,
  evidence,
}: {
  path: InfluencePath;
  n: number;
  evidence: LinkEvidenceMap;
}) {
  return (
    <div className="path" data-path={n}>
      <h3>
        {n}. {path.hops.length} hop{path.hops.length === 1 ? '' : 's'}, strength {path.strength.toFixed(3)}
        {path.latest && `, latest record ${path.latest}`}
        {path.timeOrdered && <span className="tag">dated records in time order</span>}
      </h3>
      <HopTable hops={path.hops} evidence={evidence} />
    </div>
  );
}
