/** Amplification: for a hashtag, link, site or text, its volume over time, coordinated against the rest. */
import { useState } from 'react';
import { coordinatedBars } from '../../../src/report/figures/charts';
import type {
  AmplificationResponse,
  AmplifiedItem,
  ItemKind,
  ItemSeriesResponse,
} from '../../../src/server/types';
import { qs, useApi } from '../api';
import { Data, duration, ErrorBox, Kpi, Loading, num, Panel, pct, time } from '../components';
import { Figure } from '../figure';
import { href, navigate, useRoute } from '../router';
import { ItemCells } from './shared';

const KINDS: [ItemKind, string][] = [
  ['hashtag', 'Hashtags'],
  ['link', 'Links'],
  ['domain', 'Sites'],
  ['text-family', 'Texts'],
];

export function AmplificationView({ run }: { run?: number }) {
  const route = useRoute();
  const kind = (route.query.get('kind') as ItemKind) || 'hashtag';
  const selected = route.query.get('item');
  const [by, setBy] = useState<'day' | 'hour'>('day');
  // Text families are built on first request (seconds on a large store): asked for on their tab only.
  const a = useApi<AmplificationResponse>(
    `/api/amplification${qs({ run, by, kinds: kind === 'text-family' ? 'text-family' : 'hashtag,link,domain' })}`,
  );
  const go = (k: ItemKind, item?: string) => navigate(href(['amplification'], { kind: k, item }));
  if (a.error) return <ErrorBox error={a.error} />;
  if (!a.data) return <Loading what="amplification (computed once per run; seconds on a large store)" />;
  const items = a.data.items.filter((i) => i.kind === kind);
  const item = items.find((i) => i.key === selected) ?? (selected ? null : items[0]) ?? null;
  const summary = a.data.kinds.find((k) => k.kind === kind);
  return (
    <div className="view amplification">
      <h1>Amplification</h1>
      <p className="lead">
        How much of each item the {num(a.data.flagged.sets)} flagged clusters ({num(a.data.flagged.accounts)}{' '}
        accounts; clusters with signs of open coordination left out) produced in this collection. Ranked by
        the lower bound of the flagged share (Wilson), so small items do not outrank large ones.
      </p>
      <div className="tabs">
        {KINDS.map(([k, label]) => (
          <button type="button" key={k} className={k === kind ? 'on' : ''} onClick={() => go(k)}>
            {label}
          </button>
        ))}
        <span className="spacer" />
        <div className="toggle">
          <button type="button" className={by === 'day' ? 'on' : ''} onClick={() => setBy('day')}>
            by day
          </button>
          <button type="button" className={by === 'hour' ? 'on' : ''} onClick={() => setBy('hour')}>
            by hour
          </button>
        </div>
      </div>
      <div className="amp-grid">
        <Panel title={`Most manufactured ${KINDS.find((k) => k[0] === kind)![1].toLowerCase()}`}>
          {summary && (
            <p className="hint">
              {num(summary.items)} items, {num(summary.eligible)} with enough posts to rank; flagged clusters
              made {num(summary.flaggedPosts)} of {num(summary.posts)} uses (
              {pct(summary.posts ? summary.flaggedPosts / summary.posts : 0)}).
            </p>
          )}
          <table className="compact items">
            <tbody>
              {items.map((i) => (
                <tr
                  key={i.key}
                  className={item?.key === i.key ? 'selected' : ''}
                  onClick={() => go(kind, i.key)}
                >
                  <td className="num">{i.kindRank}</td>
                  <ItemCells item={i} />
                </tr>
              ))}
            </tbody>
          </table>
          {!items.length &&
            (a.loading ? (
              <Loading what="the text families (built once per run: seconds on a large store)" />
            ) : (
              <p className="none">No item of this kind has enough posts to rank.</p>
            ))}
          {kind !== 'text-family' && <Lookup kind={kind} run={run} by={by} />}
        </Panel>
        {item ? (
          <ItemDetail item={item} by={by} />
        ) : selected && kind !== 'text-family' ? (
          <LookedUp run={run} kind={kind} item={selected} by={by} />
        ) : null}
      </div>
    </div>
  );
}

function ItemDetail({ item, by }: { item: AmplifiedItem; by: 'day' | 'hour' }) {
  return (
    <Panel title={<Data text={item.label} />} className="detail">
      <div className="kpis">
        <Kpi
          value={pct(item.postShare)}
          label={`of ${num(item.posts)} posts by flagged clusters (at least ${pct(item.postShareLower)})`}
        />
        <Kpi value={pct(item.accountShare)} label={`of ${num(item.accounts)} accounts are flagged`} />
        <Kpi
          value={
            item.firstSeen.flagged
              ? 'flagged'
              : item.leadSeconds !== null
                ? `+${duration(item.leadSeconds)}`
                : 'never'
          }
          label={
            item.firstSeen.flagged
              ? 'a flagged account posted it first'
              : 'flagged accounts joined after the first post'
          }
        />
        {item.pileIn && (
          <Kpi
            value={`${item.pileIn.accounts} in ${duration(item.pileIn.seconds)}`}
            label={`flagged accounts piled in at ${time(item.pileIn.start)}`}
          />
        )}
      </div>
      <Figure svg={coordinatedBars(item.series, { by, width: 640 })} />
      <Legend />
      {item.clusters.top.length > 0 && (
        <table className="compact">
          <thead>
            <tr>
              <th>cluster</th>
              <th className="num">posts</th>
              <th className="num">accounts</th>
              <th className="num">share</th>
            </tr>
          </thead>
          <tbody>
            {item.clusters.top.map((c) => (
              <tr key={c.cluster}>
                <td>
                  <a href={href(['clusters', c.cluster])}>{c.cluster}</a>
                </td>
                <td className="num">{num(c.posts)}</td>
                <td className="num">{num(c.accounts)}</td>
                <td className="num">{pct(c.postShare)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

const Legend = () => (
  <p className="legend">
    <span className="swatch coordinated" /> flagged clusters <span className="swatch rest" /> everyone else
  </p>
);

function Lookup({ kind, run, by }: { kind: ItemKind; run?: number; by: string }) {
  const [value, setValue] = useState('');
  return (
    <form
      className="lookup"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) navigate(href(['amplification'], { kind, item: value.trim(), run, by }));
      }}
    >
      <input
        placeholder={
          kind === 'hashtag'
            ? 'any hashtag, e.g. #election'
            : kind === 'link'
              ? 'any link'
              : 'any site, e.g. example.org'
        }
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit">Show</button>
    </form>
  );
}

function LookedUp({
  run,
  kind,
  item,
  by,
}: {
  run?: number;
  kind: ItemKind;
  item: string;
  by: 'day' | 'hour';
}) {
  const s = useApi<ItemSeriesResponse>(`/api/amplification/series${qs({ run, kind, key: item, by })}`);
  if (s.error) return <ErrorBox error={s.error} />;
  if (!s.data) return <Loading />;
  return (
    <Panel title={<Data text={s.data.label} />} className="detail">
      <div className="kpis">
        <Kpi
          value={pct(s.data.posts ? s.data.flaggedPosts / s.data.posts : 0)}
          label={`of ${num(s.data.posts)} posts by flagged clusters`}
        />
      </div>
      <Figure svg={coordinatedBars(s.data.series, { by, width: 640 })} />
      <Legend />
    </Panel>
  );
}
