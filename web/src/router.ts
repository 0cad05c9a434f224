/** Routing in the URL's fragment (#/clusters/C1?run=2): the server serves one page for every view. */
import { useEffect, useState } from 'react';

export interface Route {
  /** Path segments after `#/`, decoded. */
  parts: string[];
  query: URLSearchParams;
}

function parse(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = hash.split('?', 2);
  return {
    parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** A fragment link: segments are encoded, the selected run is kept. */
export function href(
  parts: (string | number)[],
  query: Record<string, string | number | undefined> = {},
): string {
  const run = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('run');
  const q = new URLSearchParams();
  if (run && !('run' in query)) q.set('run', run);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const text = q.toString();
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}${text ? `?${text}` : ''}`;
}

export const navigate = (to: string) => {
  window.location.hash = to;
};

/** The selected run (`?run=`), or undefined for the latest. */
export function selectedRun(route: Route): number | undefined {
  const v = Number(route.query.get('run'));
  return Number.isInteger(v) && v > 0 ? v : undefined;
}
