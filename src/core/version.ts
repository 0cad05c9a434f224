import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (travels with every ingest, result and report). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
