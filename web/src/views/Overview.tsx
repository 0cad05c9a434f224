/** Overview: the data and its provenance, the run's ranked clusters, the most manufactured items. */
import { useState } from 'react';
import type {
  AmplificationResponse,
  ClusterRow,
  ClustersResponse,
  ExportFile,
  OverviewResponse,
} from '../../../src/server/types';
import { download, qs, useApi } from '../api';
import {
  Badge,
  Data,
  day,
  duration,
  ErrorBox,
  Kpi,
  Loading,
  num,
  Pager,
  Panel,
  pct,
  SearchBox,
  useSearchPage,
} from '../components';
import { href } from '../router';
import { ItemCells, SignalBar } from './shared';

export function OverviewView({ run, focus }: { run?: number; focus?: 'clusters' }) {
  const o = useApi<OverviewResponse>(`/api/overview${qs({ run })}`);
  if (o.error) return <ErrorBox error={o.error} />;
  if (!o.data) return <Loading what="the overview" />;
  const d = o.data;
  const flagged = d.clusters.filter((c) => c.flagged);
  return (
    <div className="view overview">
      <h1>
        Overview <small>{d.store.name}</small>
      </h1>
      <div className="kpis">
        <Kpi value={num(d.store.posts)} label={`posts, ${day(d.store.first)} to ${day(d.store.last)}`} />
        <Kpi
          value={num(d.store.accounts)}
          label={`accounts on ${d.store.platforms.map((p) => p.platform).join(', ') || '-'}`}
        />
        <Kpi value={num(d.ingestsTotal)} label={`ingests, ${num(d.store.rejects.total)} rows kept aside`} />
        {d.run ? (
          <>
            <Kpi value={num(d.run.clusters)} label={`clusters in run ${d.run.runId}`} />
            <Kpi
              value={num(d.run.accountsInClusters)}
              label={`accounts in clusters, ${num(flagged.reduce((a, c) => a + c.size, 0))} with no sign of open coordination`}
            />
          </>
        ) : (
          <Kpi value="-" label="no detection run yet: open Run" />
        )}
      </div>
      {d.run ? (
        <>
          <ClusterTable run={d.run.runId} focus={focus === 'clusters'} />
          <div className="grid2">
            <Manufactured run={d.run.runId} />
            <RunPanel overview={d} />
          </div>
        </>
      ) : (
        <Panel title="No detection yet">
          <p>
            The store holds data but no saved detection. Run one from the <a href={href(['run'])}>Run</a>{' '}
            view, or with <code>lockstep detect --db {d.store.name}</code>.
          </p>
        </Panel>
      )}
      <DataPanel overview={d} />
    </div>
  );
}

function ClusterTable({ run, focus }: { run: number; focus: boolean }) {
  const { q, query, offset, setOffset, search } = useSearchPage();
  const list = useApi<ClustersResponse>(`/api/clusters${qs({ run, q: query, offset, limit: 50 })}`);
  return (
    <Panel
      title="Clusters of accounts acting in lockstep"
      className={focus ? 'focus' : ''}
      actions={<SearchBox value={q} placeholder="cluster id or member handle" onChange={search} />}
    >
      {list.error && <ErrorBox error={list.error} />}
      {list.data && (
        <>
          <div className="table-wrap">
            <table className="clusters">
              <thead>
                <tr>
                  <th>cluster</th>
                  <th>confidence</th>
                  <th className="num">accounts</th>
                  <th className="num">score</th>
                  <th className="num">days</th>
                  <th className="num">median gap</th>
                  <th>signals</th>
                  <th>operators</th>
                  <th>open coordination signs</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((c: ClusterRow) => (
                  <tr key={c.id}>
                    <td>
                      <a href={href(['clusters', c.id])}>
                        <Data text={c.id} />
                      </a>
                    </td>
                    <td>
                      <Badge confidence={c.confidence} />
                    </td>
                    <td className="num">{num(c.size)}</td>
                    <td className="num">{c.score.toFixed(2)}</td>
                    <td className="num">{c.days}</td>
                    <td className="num">{duration(c.medianDeltaSeconds)}</td>
                    <td className="signals">
                      <SignalBar signals={c.signals} />
                    </td>
                    <td
                      className="nowrap"
                      title="the operators' likely UTC offset, and whether the cluster works office hours"
                    >
                      {c.offsetLabel ?? '-'}
                      {c.officeHours && <div className="none">{c.officeHours}</div>}
                    </td>
                    <td>
                      {c.openIndicators.length ? (
                        <span className="open">{c.openIndicators.join(', ')}</span>
                      ) : (
                        <span className="none">none</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {!list.data.total && <p className="none">No cluster matches.</p>}
          <Pager offset={offset} limit={50} total={list.data.total} onChange={setOffset} />
        </>
      )}
    </Panel>
  );
}

const KIND_TITLE: Record<string, string> = {
  hashtag: 'Hashtags',
  link: 'Links',
  domain: 'Sites',
  'text-family': 'Texts',
};

function Manufactured({ run }: { run: number }) {
  const a = useApi<AmplificationResponse>(`/api/amplification${qs({ run, top: 5 })}`);
  return (
    <Panel title="Most manufactured" actions={<a href={href(['amplification'])}>all items →</a>}>
      {a.error && <ErrorBox error={a.error} />}
      {!a.data && !a.error && <Loading what="amplification (computed once per run)" />}
      {a.data && (
        <div className="manufactured">
          <p className="hint">
            Share of each item's posts made by the {num(a.data.flagged.sets)} flagged clusters (
            {num(a.data.flagged.accounts)} accounts).
          </p>
          {a.data.kinds.map((k) => {
            const items = a.data!.items.filter((i) => i.kind === k.kind);
            if (!items.length) return null;
            return (
              <div key={k.kind}>
                <h3>
                  {KIND_TITLE[k.kind]}{' '}
                  <small>{pct(k.posts ? k.flaggedPosts / k.posts : 0)} of all uses by flagged clusters</small>
                </h3>
                <table className="compact">
                  <tbody>
                    {items.map((i) => (
                      <tr key={i.key}>
                        <ItemCells item={i} href={href(['amplification'], { kind: i.kind, item: i.key })} />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          })}
        </div>
      )}
    </Panel>
  );
}

const EXPORTS: [ExportFile, string][] = [
  ['report.html', 'Report (HTML)'],
  ['clusters.gexf', 'GEXF (Gephi)'],
  ['clusters.graphml', 'GraphML'],
  ['clusters.csv', 'clusters.csv'],
  ['members.csv', 'members.csv'],
  ['edges.csv', 'edges.csv'],
  ['evidence.csv', 'evidence.csv'],
  ['result.json', 'result.json'],
];

function RunPanel({ overview }: { overview: OverviewResponse }) {
  const r = overview.run!;
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const signals = Object.entries(r.params.signals).filter(([, s]) => s.enabled);
  return (
    <Panel title={`Detection run ${r.runId}`}>
      <p className="hint">
        {r.createdAt.replace('T', ' ').replace('Z', ' UTC')} · Lockstep {r.toolVersion} ·{' '}
        {num(r.stats.pairsTested)} pairs tested, {num(r.stats.significantPairs)} significant at FDR{' '}
        {r.params.fdr} · {r.stats.seconds.toFixed(1)} s
      </p>
      <table className="compact">
        <thead>
          <tr>
            <th>signal</th>
            <th className="num">window</th>
            <th className="num">edges</th>
          </tr>
        </thead>
        <tbody>
          {signals.map(([name, s]) => (
            <tr key={name}>
              <td>{name}</td>
              <td className="num">
                {s.window} s <span className="none">({s.windowSource})</span>
              </td>
              <td className="num">
                {num(r.stats.signals[name as keyof typeof r.stats.signals]?.edges ?? 0)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.limits.length > 0 && (
        <ul className="limits">
          {r.limits.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
      <h3>Download</h3>
      <div className="downloads">
        {EXPORTS.map(([file, label]) => (
          <button
            type="button"
            key={file}
            disabled={busy !== null}
            onClick={() => {
              setBusy(file);
              setError(null);
              download(`/api/exports/${file}?run=${r.runId}`, `lockstep-run${r.runId}-${file}`)
                .catch((e: Error) => setError(e.message))
                .finally(() => setBusy(null));
            }}
          >
            {busy === file ? '…' : label}
          </button>
        ))}
      </div>
      {error && <div className="error">{error}</div>}
    </Panel>
  );
}

function DataPanel({ overview }: { overview: OverviewResponse }) {
  const s = overview.store;
  return (
    <Panel title="The data and where it came from">
      <table className="compact">
        <thead>
          <tr>
            <th>platform</th>
            <th className="num">posts</th>
            <th className="num">accounts</th>
            <th>first</th>
            <th>last</th>
            <th>kinds</th>
          </tr>
        </thead>
        <tbody>
          {s.platforms.map((p) => (
            <tr key={p.platform}>
              <td>{p.platform}</td>
              <td className="num">{num(p.posts)}</td>
              <td className="num">{num(p.accounts)}</td>
              <td>{day(p.first)}</td>
              <td>{day(p.last)}</td>
              <td>
                {Object.entries(p.kinds)
                  .map(([k, v]) => `${k} ${num(v)}`)
                  .join(' · ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        Ingests <small>(read = stored + duplicate + rejected, for every file)</small>
      </h3>
      <div className="table-wrap">
        <table className="compact ingests">
          <thead>
            <tr>
              <th>#</th>
              <th>file</th>
              <th>format</th>
              <th>status</th>
              <th className="num">read</th>
              <th className="num">stored</th>
              <th className="num">duplicate</th>
              <th className="num">rejected</th>
              <th>sha256</th>
              <th>warnings</th>
            </tr>
          </thead>
          <tbody>
            {overview.ingests.map((i) => (
              <tr key={i.ingestId}>
                <td>{i.ingestId}</td>
                <td>
                  <Data text={i.fileName} />
                </td>
                <td>{i.format}</td>
                <td className={i.status === 'done' ? '' : 'warn'}>{i.status}</td>
                <td className="num">{num(i.rowsRead)}</td>
                <td className="num">{num(i.rowsStored)}</td>
                <td className="num">{num(i.rowsDuplicate)}</td>
                <td className="num">{num(i.rowsRejected)}</td>
                <td className="mono" title={i.sha256 ?? ''}>
                  {i.sha256?.slice(0, 12) ?? '-'}
                </td>
                <td>
                  {i.warnings.length ? (
                    <ul className="warnings">
                      {i.warnings.map((w) => (
                        <li key={w.code}>
                          <Data text={w.message} />: {num(w.count)}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span className="none">none</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {overview.ingestsTotal > overview.ingests.length && (
        <p className="hint">
          The latest {overview.ingests.length} of {num(overview.ingestsTotal)} ingests (lockstep status lists
          them all).
        </p>
      )}
      {s.rejects.total > 0 && (
        <>
          <h3>Rows kept aside ({num(s.rejects.total)})</h3>
          <table className="compact">
            <tbody>
              {s.rejects.byReason.map((r) => (
                <tr key={r.reason}>
                  <td>
                    <Data text={r.reason} />
                  </td>
                  <td className="num">{num(r.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}
