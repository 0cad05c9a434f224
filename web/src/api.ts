/**
 * The workbench API from the browser: every call goes to the server the app came from, with the
 * access token when there is one (kept for this tab only, read from the #token= the server printed).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

const TOKEN_KEY = 'lockstep-token';

/** Reads `#token=...` once (then removes it from the address bar) and keeps it for this tab. */
export function captureToken(): void {
  const m = /^#token=([A-Za-z0-9._~-]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]!);
    history.replaceState(null, '', `${window.location.pathname}#/`);
  }
}

export const setToken = (token: string) => sessionStorage.setItem(TOKEN_KEY, token.trim());
const token = () => sessionStorage.getItem(TOKEN_KEY);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: string };
    if (body.error) message = body.error;
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(res.status, message);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await check(await fetch(path, { headers: headers(), signal }))).json() as Promise<T>;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify(body),
  });
  return (await check(res)).json() as Promise<T>;
}

export async function postFile<T>(path: string, file: File): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/octet-stream' }),
    body: file,
  });
  return (await check(res)).json() as Promise<T>;
}

export async function del<T>(path: string): Promise<T> {
  return (await check(await fetch(path, { method: 'DELETE', headers: headers() }))).json() as Promise<T>;
}

/** Downloads an API file (an export) through a blob, so that the token never goes into a URL. */
export async function download(path: string, name: string): Promise<void> {
  const res = await check(await fetch(path, { headers: headers() }));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing) whenever it changes; the previous answer stays until the new one comes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` makes reload() fetch again
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(path, controller.signal).then(
      (data) => current.current === path && setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({
          data: s.data,
          error:
            error instanceof ApiError ? error : new ApiError(0, String((error as Error)?.message ?? error)),
          loading: false,
        }));
      },
    );
    return () => controller.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A query string from defined values. */
export function qs(params: Record<string, string | number | undefined | null | false>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== false && v !== '') s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
}
