/** The format registry and content-based detection. */
import { FormatError, UsageError } from '../../core/errors.js';
import type { SourceInfo } from '../source.js';
import { bluesky } from './bluesky.js';
import { cnt } from './cnt.js';
import { coortweet } from './coortweet.js';
import { generic } from './generic.js';
import { germanElections } from './german-elections.js';
import { ioArchive } from './io-archive.js';
import { ira } from './ira.js';
import { telegram } from './telegram.js';
import type { FormatAdapter } from './types.js';
import { xapi } from './xapi.js';

/** Every format, in the order detection prefers them on a tie. */
export const FORMATS: readonly FormatAdapter[] = [
  ioArchive,
  ira,
  xapi,
  telegram,
  bluesky,
  coortweet,
  germanElections,
  cnt,
  generic,
];

const ALIASES: Record<string, string> = {
  'x-archive': 'io-archive',
  'twitter-archive': 'io-archive',
  io: 'io-archive',
  fivethirtyeight: 'ira',
  'ira-538': 'ira',
  'x-api': 'xapi',
  'xapi-v2': 'xapi',
  'twitter-api': 'xapi',
  tg: 'telegram',
  bsky: 'bluesky',
  jetstream: 'bluesky',
  'coortweet-long': 'coortweet',
  german_elections: 'german-elections',
  'coordination-network-toolkit': 'cnt',
  csv: 'generic',
  jsonl: 'generic',
  parquet: 'generic',
};

export function formatNames(): string[] {
  return FORMATS.map((f) => f.name);
}

export function findFormat(name: string): FormatAdapter {
  const key = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
  const found = FORMATS.find((f) => f.name === key);
  if (!found) throw new UsageError(`unknown format "${name}"; use one of ${formatNames().join(', ')}`);
  return found;
}

/** Picks the adapter for a file: the one asked for, else the best detection score. */
export function chooseFormat(
  source: SourceInfo,
  name?: string,
  options?: Record<string, unknown>,
): FormatAdapter {
  let adapter: FormatAdapter | undefined;
  if (name) adapter = findFormat(name);
  else if (options?.mapping) adapter = generic;
  else if (source.container === 'parquet') {
    throw new FormatError(
      `${source.name} is a Parquet file; say which columns hold what with --map mapping.json or --col (see docs/user-guide.md, "Any other export")`,
    );
  } else {
    let best = 0;
    for (const f of FORMATS) {
      const score = f.detect(source.head, source);
      if (score > best) {
        best = score;
        adapter = f;
      }
    }
    if (!adapter || best < 0.5) {
      const first = source.head.split(/\r?\n/, 1)[0]!.slice(0, 80);
      throw new FormatError(
        `cannot tell the format of ${source.name} (it starts: ${JSON.stringify(first)}); pass --format (${formatNames().join(', ')}) or a column mapping with --map`,
      );
    }
  }
  const framing = adapter.framingFor?.(source) ?? adapter.framing;
  return framing === adapter.framing ? adapter : { ...adapter, framing };
}
