/**
 * The web app's files (dist/web, built by `npm run build`). The folder is listed once at start-up
 * and only those files are ever served, looked up by exact name: a request path is never joined to
 * a folder, so `..`, encoded slashes or symbolic links cannot reach anything else. Every other path
 * gets the app's index.html (the app routes in the URL's fragment).
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  body: Uint8Array;
  type: string;
  /** Hashed asset names never change: cached for a year; index.html is revalidated. */
  immutable: boolean;
}

export class StaticFiles {
  private readonly files = new Map<string, StaticFile>();

  constructor(readonly root: string | null) {
    if (!root) return;
    for (const path of walk(root)) {
      const name = `/${relative(root, path).split(sep).join('/')}`;
      this.files.set(name, {
        body: readFileSync(path),
        type: TYPES[extname(path)] ?? 'application/octet-stream',
        immutable: name.startsWith('/assets/'),
      });
    }
  }

  get available(): boolean {
    return this.files.has('/index.html');
  }

  /** The file for a URL path, index.html for the app's own paths, or null for a missing asset. */
  lookup(path: string): StaticFile | null {
    const file = this.files.get(path === '/' ? '/index.html' : path);
    if (file) return file;
    // A missing asset is a 404; any other path is the app.
    if (path.startsWith('/assets/') || extname(path)) return null;
    return this.files.get('/index.html') ?? null;
  }
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    const info = lstatSync(path, { throwIfNoEntry: false }); // symbolic links are not followed
    if (info?.isDirectory()) yield* walk(path);
    else if (info?.isFile()) yield path;
  }
}
