/** The workbench's frame: the views in a side bar, the store and the selected run on top. */
import { useEffect, useState } from 'react';
import type { AccountsResponse, HealthResponse, OverviewResponse } from '../../src/server/types';
import { qs, useApi } from './api';
import { Data, ErrorBox, Loading, num } from './components';
import { href, type Route, selectedRun, useRoute } from './router';
import { AccountView } from './views/Account';
import { AmplificationView } from './views/Amplification';
import { ClusterView } from './views/Cluster';
import { EchoView } from './views/Echo';
import { InfluenceView } from './views/Influence';
import { NetworkView } from './views/Network';
import { OverviewView } from './views/Overview';
import { RunView } from './views/Run';

const VIEWS = [
  ['', 'Overview'],
  ['network', 'Network'],
  ['clusters', 'Clusters'],
  ['amplification', 'Amplification'],
  ['echo', 'Echo'],
  ['influence', 'Influence'],
  ['run', 'Run'],
] as const;

export function App() {
  const route = useRoute();
  const health = useApi<HealthResponse>('/api/health');
  const run = selectedRun(route);
  const overview = useApi<OverviewResponse>(health.data ? `/api/overview${run ? `?run=${run}` : ''}` : null);
  const section = route.parts[0] ?? '';
  return (
    <div className="app">
      <nav className="side">
        <div className="brand">
          <span className="mark" aria-hidden="true" />
          Lockstep
        </div>
        <AccountSearch />
        {VIEWS.map(([path, label]) => (
          <a
            key={path}
            href={href(path ? [path] : [])}
            className={section === path || (path === 'clusters' && section === 'accounts') ? 'active' : ''}
          >
            {label}
          </a>
        ))}
        <div className="side-foot">
          {overview.data && (
            <>
              <div className="store" title="the investigation store">
                {overview.data.store.name}
              </div>
              <RunPicker overview={overview.data} route={route} />
            </>
          )}
          {health.data && (
            <div className="version">
              v{health.data.version}
              {health.data.writable ? '' : ' · read-only'}
            </div>
          )}
        </div>
      </nav>
      <main>
        {health.error ? (
          <ErrorBox error={health.error} />
        ) : (
          // The view loads beside the health check, not after it (one round trip less).
          <Body
            route={route}
            overview={overview.data}
            health={health.data}
            reloadOverview={overview.reload}
          />
        )}
      </main>
    </div>
  );
}

function RunPicker({ overview, route }: { overview: OverviewResponse; route: Route }) {
  if (!overview.runs.length) return <div className="run-pick none">no detection run yet</div>;
  const current = selectedRun(route) ?? overview.run?.runId;
  return (
    <label className="run-pick">
      detection run{' '}
      <select
        value={current}
        onChange={(e) => {
          const q = new URLSearchParams(route.query);
          q.set('run', e.target.value);
          window.location.hash = `#/${route.parts.map(encodeURIComponent).join('/')}?${q}`;
        }}
      >
        {overview.runs.map((r) => (
          <option key={r.runId} value={r.runId}>
            {r.runId} · {r.createdAt.slice(0, 16).replace('T', ' ')} · {r.clusters} clusters
          </option>
        ))}
      </select>
    </label>
  );
}

function Body({
  route,
  overview,
  health,
  reloadOverview,
}: {
  route: Route;
  overview: OverviewResponse | null;
  health: HealthResponse | null;
  reloadOverview: () => void;
}) {
  const [section, a, b] = route.parts;
  const run = selectedRun(route);
  switch (section) {
    case undefined:
      return <OverviewView run={run} />;
    case 'network':
      return <NetworkView run={run} />;
    case 'clusters':
      return a ? <ClusterView run={run} id={a} /> : <OverviewView run={run} focus="clusters" />;
    case 'accounts':
      return a && b ? <AccountView run={run} platform={a} accountId={b} /> : <OverviewView run={run} />;
    case 'amplification':
      return <AmplificationView run={run} />;
    case 'echo':
      return <EchoView run={run} tp={a} doc={b} />;
    case 'influence':
      return <InfluenceView parts={route.parts.slice(1)} query={route.query} />;
    case 'run':
      return health ? (
        <RunView writable={health.writable} onChange={reloadOverview} hasRun={!!overview?.run} />
      ) : (
        <Loading />
      );
    default:
      return <div className="error">No such view. Use the menu on the left.</div>;
  }
}

/** Find an account by handle, name or id (prefix), from any view. */
function AccountSearch() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);
  const found = useApi<AccountsResponse>(query ? `/api/accounts${qs({ q: query, limit: 8 })}` : null);
  return (
    <div className="finder">
      <input
        type="search"
        placeholder="find an account"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setQ('')}
      />
      {query && found.data && (
        <ul>
          {found.data.items.map((a) => (
            <li key={a.key}>
              <a href={href(['accounts', a.platform, a.accountId])} onClick={() => setQ('')}>
                <Data text={a.handle ? `@${a.handle}` : a.accountId} />{' '}
                <span className="none">{num(a.posts)}</span>
              </a>
            </li>
          ))}
          {!found.data.items.length && <li className="none">no account starts so</li>}
          {found.data.total > found.data.items.length && (
            <li className="none">{num(found.data.total)} match; type more</li>
          )}
        </ul>
      )}
    </div>
  );
}
