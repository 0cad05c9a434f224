/**
 * `lockstep serve`: opens the store, builds the app (app.ts) and listens. On the loopback interface
 * (the default) no token is needed unless one is given; on any other address a token is required:
 * the one given, or a random one generated here and printed in the URL to open.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { UsageError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { type AppOptions, createApp, type WorkbenchApp } from './app.js';

export interface ServeOptions {
  store: Store;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Required beyond loopback; generated when absent there. */
  token?: string | null;
  /** The built web app; default dist/web beside this module's dist/server. */
  webRoot?: string | null;
  /** Largest upload in bytes (default 2 GiB). */
  maxUploadBytes?: number;
  report?: AppOptions['report'];
}

export interface RunningServer {
  /** The address to open, with the token in the fragment when there is one (never sent to the server). */
  url: string;
  /** The address without the token. */
  origin: string;
  token: string | null;
  workbench: WorkbenchApp;
  close(): Promise<void>;
}

/** Loopback addresses: serving there needs no token. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const DEFAULT_WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');

/** A token for a server reachable beyond loopback: 24 random bytes, URL-safe. */
export const generateToken = (): string => randomBytes(24).toString('base64url');

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  const given = options.token ?? null;
  if (given !== null && !/^[A-Za-z0-9._~-]{16,200}$/.test(given))
    throw new UsageError('invalid --token: expecting 16 to 200 letters, digits or ._~-');
  const token = given ?? (loopback ? null : generateToken());
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid --port ${port}: expecting 0 to 65535`);
  // Filled in once the port is known (port 0 picks one).
  const allowedHosts: Set<string> | null = loopback ? new Set() : null;
  const workbench = createApp({
    store: options.store,
    token,
    allowedHosts,
    webRoot: options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot,
    uploadDir: `${options.store.path}.uploads`,
    maxUploadBytes: options.maxUploadBytes ?? 2 * 2 ** 30,
    report: options.report,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: workbench.app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} is in use; choose another with --port`)
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? new UsageError(`cannot listen on ${host}: no such local address; check --host`)
            : err.code === 'EACCES'
              ? new UsageError(`not allowed to listen on port ${port}; choose one above 1023 with --port`)
              : err,
      ),
    );
  });
  const actual = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  if (allowedHosts)
    for (const h of [shownHost, '127.0.0.1', 'localhost', '[::1]'])
      allowedHosts.add(`${h}:${actual}`.toLowerCase());
  const origin = `http://${shownHost === '0.0.0.0' || shownHost === '[::]' ? '127.0.0.1' : shownHost}:${actual}`;
  return {
    url: token ? `${origin}/#token=${token}` : `${origin}/`,
    origin,
    token,
    workbench,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await workbench.influence.close();
    },
  };
}

export { createApp } from './app.js';
export type * from './types.js';
