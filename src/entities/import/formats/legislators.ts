/**
 * `unitedstates/congress-legislators` CSVs (legislators-current.csv, legislators-historical.csv):
 * every Member of Congress as an FtM `Person` (`us-congress-<bioguide id>`) with their ids, their
 * latest office in `position`, and one `UserAccount` per social-media handle (Twitter/X, Facebook,
 * YouTube, Mastodon) owned by them, so that accounts in the post store link to officials by handle.
 * Ids are written `scheme:value` in `idNumber` (bioguide, opensecrets, fec, govtrack, votesmart, ...).
 */
import { FormatError } from '../../../core/errors.js';
import { headerOf, readCsv } from '../csv.js';
import type { EntityDraft, EntityFormat } from '../types.js';

const ID_COLUMNS = [
  'bioguide_id',
  'thomas_id',
  'opensecrets_id',
  'lis_id',
  'cspan_id',
  'govtrack_id',
  'votesmart_id',
  'ballotpedia_id',
  'icpsr_id',
];
const SERVICES: { column: string; service: string; url: (h: string) => string }[] = [
  { column: 'twitter', service: 'twitter', url: (h) => `https://x.com/${h}` },
  { column: 'facebook', service: 'facebook', url: (h) => `https://www.facebook.com/${h}` },
  { column: 'youtube', service: 'youtube', url: (h) => `https://www.youtube.com/${h}` },
  { column: 'mastodon', service: 'mastodon', url: (h) => h },
];

export const legislatorsFormat: EntityFormat = {
  name: 'congress-legislators',
  title: 'Members of Congress with their ids and social-media handles (congress-legislators CSV)',
  source: 'unitedstates/congress-legislators legislators-current.csv / legislators-historical.csv',
  dataset: 'us_congress',
  detect: (probe) => {
    const h = headerOf(probe.head);
    return probe.container === 'text' && h.includes('bioguide_id') && h.includes('last_name');
  },
  async read(input, sink) {
    await readCsv(input, sink, {
      header(fields) {
        if (!fields.includes('bioguide_id'))
          throw new FormatError('not a congress-legislators CSV: no bioguide_id column');
        return (row, line, raw) => {
          const bioguide = row.bioguide_id?.trim();
          if (!bioguide) throw new Error('no bioguide_id');
          const id = `us-congress-${bioguide}`;
          const name =
            row.full_name?.trim() ||
            [row.first_name, row.middle_name, row.last_name, row.suffix].filter(Boolean).join(' ');
          const office =
            row.type === 'sen'
              ? `U.S. Senator from ${row.state}`
              : row.type === 'rep'
                ? `U.S. Representative from ${row.state}${row.district ? `-${row.district}` : ''}`
                : '';
          const ids = ID_COLUMNS.filter((c) => row[c]?.trim()).map(
            (c) => `${c.replace(/_id$/, '')}:${row[c]!.trim()}`,
          );
          for (const fec of (row.fec_ids ?? '').split(',').filter((x) => x.trim()))
            ids.push(`fec:${fec.trim()}`);
          const person: EntityDraft = {
            id,
            schema: 'Person',
            properties: {
              name: [name],
              alias: [row.nickname ? `${row.nickname} ${row.last_name}` : null, row.wikipedia_id],
              firstName: [row.first_name],
              middleName: [row.middle_name],
              lastName: [row.last_name],
              nameSuffix: [row.suffix],
              birthDate: [row.birthday],
              gender: [row.gender === 'M' ? 'male' : row.gender === 'F' ? 'female' : null],
              position: [office],
              political: [row.party],
              country: ['us'],
              website: [row.url],
              address: [row.address],
              phone: [row.phone],
              idNumber: ids,
              topics: ['role.pep'],
            },
          };
          const entities: EntityDraft[] = [person];
          for (const s of SERVICES) {
            const handle = row[s.column]?.trim();
            if (!handle) continue;
            entities.push({
              id: `${id}-${s.service}`,
              schema: 'UserAccount',
              properties: {
                username: [handle],
                service: [s.service],
                owner: [id],
                sourceUrl: [s.url(handle)],
                notes: [s.service === 'twitter' && row.twitter_id ? `twitter_id ${row.twitter_id}` : null],
              },
            });
          }
          return { row: line, raw, entities, sourceUrl: row.url || null };
        };
      },
    });
  },
};
