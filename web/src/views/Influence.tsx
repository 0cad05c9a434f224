/**
 * Influence: the people, organisations and money behind an operation (docs/influence.md). A search
 * for entities by name; an entity's page (the records around it as a layered graph, a timeline of
 * dated records, payment flows, every fact with its source); a path finder between any two things
 * (an entity, a cluster, an account, a site, a document), each hop with its record and date; and
 * "who is behind" a cluster. Names, notes and URLs in records are data: text only, URLs never links.
 */ import { type ReactNode, useEffect, useState } from 'react';
import type {
  EntitySearchResponse,
  InfluencePathsResponse,
  InfluenceStatusResponse,
  WhoIsBehindResponse,
} from '../../../src/server/types';
import { qs, useApi } from '../api';
import { Data, ErrorBox, Kpi, Loading, num, Pager, Panel, useDebounced } from '../components';
import { href, navigate } from '../router';
import { EntityPage } from './InfluenceEntity';
import { ARROWS, HopTable, NOT_CAUSATION, PathCard, PathsFigure } from './influence-parts';
import './influence.css';

/** The layer's status, polled while the index and graph are being built. */
function useInfluenceStatus() {
  const status = useApi<InfluenceStatusResponse>('/api/influence');
  const preparing = status.data?.state === 'preparing';
  const { reload } = status;
  useEffect(() => {
    if (!preparing) return;
    const t = setTimeout(reload, 1000);
    return () => clearTimeout(t);
  }, [preparing, reload]);
  return status;
}

export function InfluenceView({ parts, query }: { parts: string[]; query: URLSearchParams }) {
  const status = useInfluenceStatus();
  if (status.error) return <ErrorBox error={status.error} />;
  if (!status.data) return <Loading what="the influence layer" />;
  const s = status.data;
  if (s.state === 'empty') return <NoEntities hint={s.hint} />;
  if (s.state === 'failed') return <div className="error">{s.error}</div>;
  if (s.state === 'preparing')
    return (
      <div className="view influence">
        <h1>Influence</h1>
        <div className="loading" data-state="preparing">
          Preparing the influence layer: {s.stage ?? 'starting'} ({s.seconds ?? 0} s). This is built once when
          the workbench starts (seconds on a million entities).
        </div>
      </div>
    );
  const [kind, id] = parts;
  if (kind === 'entity' && id) return <EntityPage id={id} />;
  if (kind === 'cluster' && id) return <BehindPage id={id} />;
  return <Home status={s} query={query} />;
}

function NoEntities({ hint }: { hint: string | null }) {
  return (
    <div className="view influence">
      <h1>Influence</h1>
      <Panel title="No entities in this store">
        <p className="lead">
          The influence layer maps the people, organisations and money behind an operation from public
          records: agents registered under FARA, lobbying filings, payments, meetings with officials,
          FollowTheMoney entity streams. This store holds none yet.
        </p>
        <p>Add records to the store, then restart the workbench:</p>
        <pre className="cmd">
          {`lockstep entities import FARA_All_ForeignPrincipals.csv.gz legislators-current.csv --db STORE
lockstep entities import entities.ftm.json --dataset opensanctions --db STORE
lockstep simulate --out sim --influence     # a simulated layer to try it (invented names)`}
        </pre>
        <p className="hint">
          {hint} Formats: <code>lockstep entities formats</code>; what each importer reads: docs/influence.md.
        </p>
      </Panel>
    </div>
  );
}

function Home({ status, query }: { status: InfluenceStatusResponse; query: URLSearchParams }) {
  return (
    <div className="view influence">
      <h1>
        Influence <small>who is behind an operation, from public records</small>
      </h1>
      <div className="kpis">
        <Kpi value={num(status.entities)} label="entity records" />
        <Kpi value={num(status.relationships)} label="relationships (payments, representations, contacts)" />
        <Kpi value={num(status.links)} label="links to accounts, sites, documents" />
        <Kpi
          value={num(status.clusters.length)}
          label={status.runId ? `clusters of run ${status.runId} with links` : 'no detection run'}
        />
      </div>
      <div className="grid2">
        <Panel title="Find an entity">
          <EntitySearch />
        </Panel>
        <Panel title="Clusters with influence links">
          {status.clusters.length ? (
            <p className="cluster-links">
              {status.clusters.map((c) => (
                <a key={c} className="tag" href={href(['influence', 'cluster', c], { run: undefined })}>
                  Who is behind <Data text={c} />
                </a>
              ))}
            </p>
          ) : (
            <p className="none">
              No cluster of the latest run links to an entity, a site an entity runs or a statement.
            </p>
          )}
          <p className="hint">
            Links join the clusters of the latest detection run (run {status.runId ?? '-'}) through the sites
            they push, accounts that records tie to an entity, and statements that repeat their hashtags or
            sites.
          </p>
        </Panel>
      </div>
      <PathFinder query={query} />
    </div>
  );
}

function EntitySearch() {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim());
  const found = useApi<EntitySearchResponse>(query ? `/api/influence/entities${qs({ q: query })}` : null);
  return (
    <div className="entity-search">
      <input
        type="search"
        placeholder="a name: person, organisation, agent, official"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      {found.error && <ErrorBox error={found.error} />}
      {query && found.data && (
        <table className="compact results">
          <tbody>
            {found.data.items.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={href(['influence', 'entity', r.id])}>
                    <Data text={r.caption} />
                  </a>
                </td>
                <td className="none">{r.schema}</td>
                <td className="num">{r.score === null ? 'name contains' : `score ${r.score.toFixed(2)}`}</td>
              </tr>
            ))}
            {!found.data.items.length && (
              <tr>
                <td className="none">no entity matches that name</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <p className="hint">
        Names are matched as <code>lockstep entities match</code> does (word order, initials, company forms,
        transliterations); a score of 0.7 or more is a likely match. Parts of a name are found too.
      </p>
    </div>
  );
}

function PathFinder({ query }: { query: URLSearchParams }) {
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const hops = query.get('hops') ?? '6';
  const [draft, setDraft] = useState({ from, to, hops });
  useEffect(() => setDraft({ from, to, hops }), [from, to, hops]);
  const result = useApi<InfluencePathsResponse>(
    from && to ? `/api/influence/paths${qs({ from, to, maxHops: hops, limit: 5 })}` : null,
  );
  return (
    <Panel title="Paths between two things">
      <form
        className="path-form"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href(['influence'], { from: draft.from.trim(), to: draft.to.trim(), hops: draft.hops }));
        }}
      >
        <label>
          from{' '}
          <input
            name="from"
            value={draft.from}
            placeholder="C3, @handle, a name or id, a domain"
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </label>
        <label>
          to{' '}
          <input
            name="to"
            value={draft.to}
            placeholder="an official, an organisation, ..."
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
        </label>
        <label>
          at most{' '}
          <select value={draft.hops} onChange={(e) => setDraft({ ...draft, hops: e.target.value })}>
            {[1, 2, 3, 4, 5, 6, 7, 8].map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>{' '}
          hops
        </label>
        <button type="submit" className="primary" disabled={!draft.from.trim() || !draft.to.trim()}>
          Find paths
        </button>
      </form>
      <p className="hint">
        {NOT_CAUSATION} {ARROWS}
      </p>
      {result.error && <ErrorBox error={result.error} />}
      {result.loading && !result.data && <Loading what="paths" />}
      {result.data && (from || to) && <PathResults data={result.data} />}
    </Panel>
  );
}

function PathResults({ data }: { data: InfluencePathsResponse }) {
  return (
    <div className="path-results" data-paths={data.paths.length}>
      <p className="lead">
        {data.paths.length
          ? `The ${data.paths.length === 1 ? 'strongest path' : `${data.paths.length} strongest paths`} from `
          : 'No records connect '}
        <b>
          <Data text={data.from.label} />
        </b>{' '}
        {data.paths.length ? 'to' : 'and'}{' '}
        <b>
          <Data text={data.to.label} />
        </b>
        {data.paths.length ? '' : ` within ${data.maxHops} hops`}. Strength multiplies the hops' (a record
        0.95, a matched link its score), so longer chains and weaker matches rank lower; parties in many
        records connect to almost everything.
      </p>
      {data.paths.length > 0 && (
        <PathsFigure paths={data.paths} tiers={data.tiers} ends={[data.from.key, data.to.key]} />
      )}
      {data.paths.map((p, i) => (
        <PathCard key={p.nodes.map((x) => x.key).join('|')} path={p} n={i + 1} evidence={data.evidence} />
      ))}
    </div>
  );
}

const VIA: Record<string, string> = {
  accounts: 'through its accounts',
  sites: 'through a site it pushes',
  echo: 'through a statement that echoes it',
};

function BehindPage({ id }: { id: string }) {
  const [offset, setOffset] = useState(0);
  const who = useApi<WhoIsBehindResponse>(
    `/api/influence/clusters/${encodeURIComponent(id)}${qs({ offset, limit: 50 })}`,
  );
  if (who.error) return <ErrorBox error={who.error} />;
  if (!who.data) return <Loading what={`who is behind cluster ${id}`} />;
  const d = who.data;
  const direct = d.parties.items.filter((p) => p.via !== 'echo');
  const throughEcho = d.parties.items.filter((p) => p.via === 'echo');
  const section = (title: string, parties: typeof direct, note: ReactNode) =>
    parties.length > 0 && (
      <Panel title={title}>
        <p className="hint">{note}</p>
        {parties.map((p) => (
          <div key={p.id} className="party" data-party={p.id}>
            <h3>
              <a href={href(['influence', 'entity', p.id])}>
                <Data text={p.caption} />
              </a>{' '}
              <small>{p.schema}</small>
              {p.principal && (
                <span className="tag principal">principal: someone is registered to represent it</span>
              )}
              <span className="none">
                {VIA[p.via]}, {p.path.hops.length} hops, strength {p.path.strength.toFixed(3)}
              </span>
            </h3>
            <HopTable hops={p.path.hops} evidence={d.evidence} />
          </div>
        ))}
      </Panel>
    );
  return (
    <div className="view influence behind">
      <h1>
        Who is behind cluster <Data text={d.cluster} />{' '}
        <a className="tag" href={href(['clusters', d.cluster], { run: d.runId })}>
          the cluster
        </a>
      </h1>
      <p className="lead">
        The parties that public records in this store connect to the accounts of cluster{' '}
        <Data text={d.cluster} /> (detection run {d.runId}), each with its strongest path: every hop is one
        record with its date and source.
      </p>
      <p className="note caveat">{NOT_CAUSATION}</p>
      <p className="hint">{ARROWS}</p>
      {d.parties.total > 0 && (
        <PathsFigure
          paths={d.parties.items.filter((p) => p.via !== 'echo').map((p) => p.path)}
          tiers={d.tiers}
          ends={[`cluster:${d.cluster}`]}
        />
      )}
      {d.parties.total === 0 && d.echoes.length === 0 && (
        <p className="none">No record in this store connects this cluster to an entity.</p>
      )}
      {section(
        'Connected through its accounts and the sites it pushes',
        direct,
        'Principals (parties someone is registered to represent) first, then by strength.',
      )}
      {section(
        'Connected only through a statement that echoes it',
        throughEcho,
        'These parties are reached through the speaker of a statement that repeats the cluster’s hashtags or sites, and that speaker’s other records. Officials meet many agents: this is the weakest kind of connection.',
      )}
      <Pager offset={offset} limit={50} total={d.parties.total} onChange={setOffset} />
      {d.echoes.length > 0 && (
        <Panel title="Statements that echo it">
          {d.echoes.map((x) => (
            <div key={x.key} className="echo">
              <h3>
                <Data text={x.document} />
                {x.speaker && (
                  <span className="none">
                    {' '}
                    said or written by <Data text={x.speaker} />
                  </span>
                )}
                {x.date && <span className="none"> · latest record {x.date}</span>}
              </h3>
              <HopTable hops={x.hops} evidence={d.evidence} />
            </div>
          ))}
          {d.echoesTotal > d.echoes.length && (
            <p className="hint">
              The first {d.echoes.length} of {d.echoesTotal} statements.
            </p>
          )}
        </Panel>
      )}
      <Panel title="Limits of public records">
        <ul className="limits">
          {d.limits.map((l) => (
            <li key={l}>{l}</li>
          ))}
          {d.unexamined > 0 && (
            <li>
              {num(d.unexamined)} more entities are within four records of the cluster and were not examined
              (the nearest 300 are).
            </li>
          )}
        </ul>
      </Panel>
    </div>
  );
}

/** The Cluster view's link to "Who is behind it", for a cluster of the latest run that has influence links. */
export function WhoIsBehindLink({ id, run }: { id: string; run?: number }) {
  const status = useApi<InfluenceStatusResponse>('/api/influence');
  const s = status.data;
  if (s?.state !== 'ready' || !s.clusters.includes(id) || (run !== undefined && run !== s.runId)) return null;
  return (
    <a className="tag behind-link" href={href(['influence', 'cluster', id], { run: undefined })}>
      Who is behind it
    </a>
  );
}
