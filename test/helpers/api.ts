/**
 * Calling the workbench API in tests through hono's `app.request()` (no port): a request with the
 * loopback Host the test app accepts, a GET that must answer 200, and a refusal that must be a 4xx
 * with a one-line message (never a stack trace).
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { createApp, type WorkbenchApp } from '../../src/server/app.js';
import type { Store } from '../../src/store/store.js';

export const HOST = '127.0.0.1:8080';

/** An app over `store` answering as HOST (and localhost), with a token when given. */
export function testApp(options: {
  store: Store;
  dir: string;
  webRoot?: string | null;
  token?: string | null;
  maxUploadBytes?: number;
}): WorkbenchApp {
  return createApp({
    store: options.store,
    token: options.token ?? null,
    allowedHosts: new Set([HOST, 'localhost:8080']),
    webRoot: options.webRoot ?? null,
    uploadDir: join(options.dir, 'uploads'),
    maxUploadBytes: options.maxUploadBytes ?? 10 * 2 ** 20,
  });
}

/** `call`, `get` and `refused` against `defaultApp()` unless another app is given. */
export function apiHelpers(defaultApp: () => WorkbenchApp) {
  async function call(
    app: WorkbenchApp,
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown; headers: Headers; text: string }> {
    const res = await app.app.request(`http://${HOST}${path}`, {
      ...init,
      headers: { host: HOST, ...init.headers },
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers, text };
  }

  const get = async <T>(path: string, app = defaultApp()): Promise<T> => {
    const r = await call(app, path);
    expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(200);
    return r.body as T;
  };

  /** A 4xx with a one-line message. */
  async function refused(
    path: string,
    status: number,
    init: RequestInit = {},
    app = defaultApp(),
  ): Promise<string> {
    const r = await call(app, path, init as RequestInit & { headers?: Record<string, string> });
    expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(status);
    const error = (r.body as { error?: string }).error;
    expect(typeof error).toBe('string');
    expect(error!.length).toBeGreaterThan(10);
    expect(error).not.toMatch(/\n|\bat .*\.js:\d+/);
    return error!;
  }

  return { call, get, refused };
}
