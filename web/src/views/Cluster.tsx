/** Cluster: members, signals, the 7 x 24 rhythm, creation dates, and the evidence side by side. */
import { useState } from 'react';
import { SIGNAL_COLORS, signalMix, timeBars, weekHeatmap } from '../../../src/report/figures/charts';
import type { ClusterResponse, EvidenceResponse, MembersResponse } from '../../../src/server/types';
import { qs, useApi } from '../api';
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
  pValue,
  SearchBox,
  ShareBar,
  useSearchPage,
} from '../components';
import { Figure } from '../figure';
import { href } from '../router';
import { WhoIsBehindLink } from './Influence';
import { EvidenceList } from './shared';

export function ClusterView({ run, id }: { run?: number; id: string }) {
  const detail = useApi<ClusterResponse>(`/api/clusters/${encodeURIComponent(id)}${qs({ run })}`);
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what={`cluster ${id}`} />;
  const d = detail.data;
  const c = d.cluster;
  const f = d.fingerprint;
  const r = d.rhythm;
  return (
    <div className="view cluster">
      <h1>
        Cluster <Data text={c.id} /> <Badge confidence={c.confidence} />
        <WhoIsBehindLink id={c.id} run={run} />
        {c.openIndicators.length > 0 && (
          <span className="open tag">open coordination signs: {c.openIndicators.join(', ')}</span>
        )}
      </h1>
      <p className="lead">
        {num(c.size)} accounts acted together {num(c.observed)} times where chance predicts{' '}
        {c.expected.toFixed(1)} ({pValue(c.log10P)}), on {c.days} day{c.days === 1 ? '' : 's'} from{' '}
        {day(c.first)} to {day(c.last)}; median gap {duration(c.medianDeltaSeconds)}, density{' '}
        {c.density.toFixed(2)}.
      </p>
      {c.notes.length > 0 && (
        <ul className="notes">
          {c.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <div className="kpis">
        <Kpi value={c.score.toFixed(2)} label="score (ranking only)" />
        <Kpi
          value={r?.offset.label ?? '-'}
          label={r ? `operators likely at (${r.offset.confidence} confidence)` : 'no fingerprint in this run'}
        />
        <Kpi
          value={r?.officeHours.verdict ?? '-'}
          label={
            r
              ? `shift explains ${pct(r.officeHours.officeShare)}, off ${r.officeHours.daysOff.join('/')}`
              : ''
          }
        />
        <Kpi
          value={f ? `${f.creation.batchCount}` : '-'}
          label={f ? `creation batches (${pct(f.creation.shareInBatches)} of dated)` : 'creation batches'}
        />
        <Kpi
          value={f?.identity.templates.find((t) => t.significant)?.template ?? '-'}
          label={(() => {
            const t = f?.identity.templates.find((x) => x.significant);
            return t
              ? `handle shape of ${pct(t.share)} (population ${pct(t.populationShare)})`
              : 'no significant handle shape';
          })()}
        />
      </div>
      <div className="grid2">
        <Panel title="Signals">
          <Figure svg={signalMix(c.signals, SIGNAL_COLORS)} />
          <table className="compact">
            <tbody>
              {c.signals.map((s) => (
                <tr key={s.signal}>
                  <td>{s.signal}</td>
                  <td className="num">{num(s.coActions)} co-actions</td>
                  <td className="num">{pct(s.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Accounts created">
          {d.creation.length ? (
            <Figure
              svg={timeBars(
                d.creation.map((x) => ({ t: x.day, a: x.accounts, b: 0 })),
                { unit: 'accounts', stacked: false, minBin: 86_400_000, width: 520 },
              )}
            />
          ) : (
            <p className="none">No creation dates in the data.</p>
          )}
          <p className="hint">
            {d.undated > 0 && `${num(d.undated)} members without a creation date. `}
            {f && f.creation.batchCount > 0
              ? `Batches: ${f.creation.batches
                  .slice(0, 4)
                  .map(
                    (b) =>
                      `${b.start}${b.end !== b.start ? `..${b.end}` : ''} (${b.count} vs ${b.expected.toFixed(1)} expected)`,
                  )
                  .join('; ')}`
              : 'No significant creation batch.'}
          </p>
        </Panel>
      </div>
      {r && <Rhythm rhythm={r} population={d.populationRhythm} />}
      <Evidence run={run} id={id} />
      <Members run={run} id={id} />
    </div>
  );
}

function Rhythm({
  rhythm,
  population,
}: {
  rhythm: NonNullable<ClusterResponse['rhythm']>;
  population: ClusterResponse['populationRhythm'];
}) {
  const [clock, setClock] = useState<'utc' | 'local'>('utc');
  const local = rhythm.offset.label ?? 'UTC';
  return (
    <Panel
      title="Working rhythm"
      actions={
        <div className="toggle">
          <button type="button" className={clock === 'utc' ? 'on' : ''} onClick={() => setClock('utc')}>
            UTC
          </button>
          <button
            type="button"
            className={clock === 'local' ? 'on' : ''}
            onClick={() => setClock('local')}
            disabled={!rhythm.offset.label}
          >
            at {local}
          </button>
        </div>
      }
    >
      <div className="figrow">
        <Figure
          svg={weekHeatmap(
            clock === 'utc' ? rhythm.hourOfWeekUtc : rhythm.hourOfWeekLocal,
            clock === 'utc' ? 'UTC' : local,
            'This cluster',
          )}
        />
        {population && (
          <Figure
            svg={weekHeatmap(
              clock === 'utc' ? population.hourOfWeekUtc : population.hourOfWeekLocal,
              clock === 'utc' ? 'UTC' : (population.offset.label ?? 'UTC'),
              'Everyone else',
            )}
          />
        )}
      </div>
      <p className="hint">
        {rhythm.offset.label
          ? `Most likely UTC offset ${rhythm.offset.label} (95% interval ${rhythm.offset.interval?.map((m) => (m >= 0 ? '+' : '-') + String(Math.floor(Math.abs(m) / 60)).padStart(2, '0') + ':' + String(Math.abs(m) % 60).padStart(2, '0')).join(' to ') ?? '-'}), from the ${rhythm.offset.basis}. `
          : 'Too few posts to estimate a time zone. '}
        {rhythm.locations.located > 0 &&
          `${num(rhythm.locations.located)} members state a location${rhythm.locations.contradicts ? '; most point to another zone' : ''}.`}
      </p>
    </Panel>
  );
}

function Evidence({ run, id }: { run?: number; id: string }) {
  const { q, query, search } = useSearchPage();
  const ev = useApi<EvidenceResponse>(
    `/api/clusters/${encodeURIComponent(id)}/evidence${qs({ run, q: query, limit: 1000 })}`,
  );
  return (
    <Panel
      title="Evidence: the posts side by side"
      actions={<SearchBox value={q} placeholder="search text, handle, link" onChange={search} />}
    >
      {ev.error && <ErrorBox error={ev.error} />}
      {ev.data && (
        <>
          <p className="hint">
            {num(ev.data.total)} posts in {ev.data.groups.length} bursts where members acted on the same
            object within minutes
            {query ? ` (matching "${query}")` : ''}.
          </p>
          <EvidenceList rows={ev.data.items} groups={ev.data.groups} />
        </>
      )}
    </Panel>
  );
}

function Members({ run, id }: { run?: number; id: string }) {
  const { q, query, offset, setOffset, search } = useSearchPage();
  const m = useApi<MembersResponse>(
    `/api/clusters/${encodeURIComponent(id)}/members${qs({ run, q: query, offset, limit: 100 })}`,
  );
  return (
    <Panel
      title="Members"
      actions={<SearchBox value={q} placeholder="handle, name or id" onChange={search} />}
    >
      {m.error && <ErrorBox error={m.error} />}
      {m.data && (
        <>
          <table className="members">
            <thead>
              <tr>
                <th>account</th>
                <th>name</th>
                <th className="num">posts</th>
                <th>strength</th>
                <th className="num">co-actions</th>
                <th>created</th>
                <th className="num">followers</th>
              </tr>
            </thead>
            <tbody>
              {m.data.items.map((x) => (
                <tr key={x.key}>
                  <td>
                    <a href={href(['accounts', x.platform, x.accountId])}>
                      <Data text={x.handle ? `@${x.handle}` : x.accountId} />
                    </a>
                  </td>
                  <td>
                    <Data text={x.displayName} />
                  </td>
                  <td className="num">{num(x.posts)}</td>
                  <td className="bar">
                    <ShareBar value={x.strength} tone="plain" /> {pct(x.strength)}
                  </td>
                  <td className="num">{num(x.coActions)}</td>
                  <td>{day(x.createdAt)}</td>
                  <td className="num">{num(x.followers)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} limit={100} total={m.data.total} onChange={setOffset} />
        </>
      )}
    </Panel>
  );
}
