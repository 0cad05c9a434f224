/** Account: the profile, activity over time, the week, co-actors and the evidence that ties them. */
import { useState } from 'react';
import { timeBars, weekHeatmap } from '../../../src/report/figures/charts';
import type { AccountResponse, EvidenceRow, PostsResponse } from '../../../src/server/types';
import { qs, useApi } from '../api';
import { Badge, Data, day, ErrorBox, Kpi, Loading, num, Pager, Panel, pct, time, Url } from '../components';
import { Figure } from '../figure';
import { href } from '../router';
import { EvidenceList } from './shared';

export function AccountView({
  run,
  platform,
  accountId,
}: {
  run?: number;
  platform: string;
  accountId: string;
}) {
  const path = `/api/accounts/${encodeURIComponent(platform)}/${encodeURIComponent(accountId)}`;
  const a = useApi<AccountResponse>(`${path}${qs({ run })}`);
  if (a.error) return <ErrorBox error={a.error} />;
  if (!a.data) return <Loading what="the account" />;
  const d = a.data;
  const p = d.account;
  const rows: EvidenceRow[] = d.evidence.flatMap((e, item) =>
    e.posts.map((post) => ({
      ...post,
      item,
      signal: e.signal,
      objectLabel: e.objectLabel,
      object: e.object,
    })),
  );
  return (
    <div className="view account">
      <h1>
        <Data text={p.handle ? `@${p.handle}` : p.accountId} /> <small>{p.platform}</small>
        {d.cluster && (
          <a className="tag" href={href(['clusters', d.cluster.id])}>
            in cluster <Data text={d.cluster.id} /> <Badge confidence={d.cluster.confidence} />
          </a>
        )}
      </h1>
      <div className="profile">
        <dl>
          <dt>name</dt>
          <dd>
            <Data text={p.displayName} />
          </dd>
          <dt>bio</dt>
          <dd>
            <Data text={p.bio} />
          </dd>
          <dt>location</dt>
          <dd>
            <Data text={p.location} />
          </dd>
          <dt>profile link</dt>
          <dd>{p.url ? <Url url={p.url} /> : <span className="none">-</span>}</dd>
          <dt>account id</dt>
          <dd className="mono">
            <Data text={p.accountId} />
          </dd>
        </dl>
        <div className="kpis">
          <Kpi value={num(p.posts)} label={`posts, ${day(p.first)} to ${day(p.last)}`} />
          <Kpi value={day(p.createdAt)} label="created" />
          <Kpi value={num(p.followers)} label={`followers, following ${num(p.following)}`} />
          <Kpi
            value={d.rhythm.offset.label ?? '-'}
            label={`likely UTC offset (${d.rhythm.offset.confidence})`}
          />
          {d.cluster && (
            <Kpi value={pct(d.cluster.strength)} label="of its cluster it has a significant edge with" />
          )}
        </div>
      </div>
      <div className="grid2">
        <Panel title="Posts over time">
          {d.timeline.length ? (
            <Figure
              svg={timeBars(
                d.timeline.map((t) => ({ t: t.day, a: t.posts, b: 0 })),
                { unit: 'posts', stacked: false, width: 520 },
              )}
            />
          ) : (
            <p className="none">No posts in the store.</p>
          )}
        </Panel>
        <Panel title="Week (UTC)">
          <Figure svg={weekHeatmap(d.rhythm.hourOfWeekUtc, 'UTC')} />
        </Panel>
      </div>
      <Panel title={`Co-actors (${d.coActors.length}${d.coActors.length === 100 ? ', the strongest' : ''})`}>
        {d.coActors.length ? (
          <table className="compact">
            <thead>
              <tr>
                <th>account</th>
                <th>cluster</th>
                <th className="num">co-actions</th>
                <th className="num">weight</th>
                <th className="num">log10 p</th>
                <th>signals</th>
              </tr>
            </thead>
            <tbody>
              {d.coActors.map((c) => {
                const [pl, ...rest] = c.key.split(':');
                return (
                  <tr key={c.key}>
                    <td>
                      <a href={href(['accounts', pl!, rest.join(':')])}>
                        <Data text={c.handle ? `@${c.handle}` : rest.join(':')} />
                      </a>
                    </td>
                    <td>{c.cluster ? <a href={href(['clusters', c.cluster])}>{c.cluster}</a> : '-'}</td>
                    <td className="num">{num(c.coActions)}</td>
                    <td className="num">{c.weight.toFixed(1)}</td>
                    <td className="num">{c.log10P.toFixed(1)}</td>
                    <td>{c.signals.join(', ')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p className="none">No significant co-actor in this run.</p>
        )}
      </Panel>
      {rows.length > 0 && (
        <Panel title="Evidence this account is part of">
          <EvidenceList
            rows={rows}
            groups={d.evidence.map((e, item) => ({ item, ...e }))}
            highlight={p.key}
          />
        </Panel>
      )}
      <Posts path={path} />
      {d.versions.length > 1 && (
        <Panel title="Profile history">
          <table className="compact">
            <thead>
              <tr>
                <th>handle</th>
                <th>name</th>
                <th>bio</th>
                <th>seen</th>
              </tr>
            </thead>
            <tbody>
              {d.versions.map((v) => (
                <tr key={`${v.firstObserved}|${v.handle}|${v.displayName}|${v.bio}`}>
                  <td>
                    <Data text={v.handle} />
                  </td>
                  <td>
                    <Data text={v.displayName} />
                  </td>
                  <td>
                    <Data text={v.bio} />
                  </td>
                  <td>
                    {day(v.firstObserved)} .. {day(v.lastObserved)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      )}
    </div>
  );
}

function Posts({ path }: { path: string }) {
  const [offset, setOffset] = useState(0);
  const posts = useApi<PostsResponse>(`${path}/posts${qs({ offset, limit: 50 })}`);
  return (
    <Panel title="Posts (newest first)">
      {posts.error && <ErrorBox error={posts.error} />}
      {posts.data && (
        <>
          <table className="posts">
            <thead>
              <tr>
                <th>time (UTC)</th>
                <th>kind</th>
                <th>text</th>
              </tr>
            </thead>
            <tbody>
              {posts.data.items.map((p) => (
                <tr key={p.postId}>
                  <td className="mono">{time(p.createdAt)}</td>
                  <td>{p.kind}</td>
                  <td>
                    <Data text={p.text} />
                    {p.urls.map((u) => (
                      <Url key={u} url={u} />
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} limit={50} total={posts.data.total} onChange={setOffset} />
        </>
      )}
    </Panel>
  );
}
