/**
 * Links between the layers on small, realistic inputs: a name written in Persian script in a post
 * found as a mention of the party spelt in Latin letters; an account found by the handle an FtM
 * UserAccount names; a document of the echo stage's table linked to its speaker and outlet; and the
 * LDA REST API's JSON (filings and contributions pages, as the API
 * documents them) read into the same entities as the Senate's XML.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importEntities } from '../../src/entities/import/pipeline.js';
import { linkAccounts } from '../../src/entities/link/accounts.js';
import { linkDocuments } from '../../src/entities/link/documents.js';
import { linkMentions } from '../../src/entities/link/mentions.js';
import { resolveEntities } from '../../src/entities/resolve/index.js';
import { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());
const open = (name: string) => Store.open(join(tmp.dir, name), { memoryLimit: '1GB', threads: 2 });
const lines = (entities: object[]) => `${entities.map((e) => JSON.stringify(e)).join('\n')}\n`;

describe('links', () => {
  it('finds a party named in a post in another script, and an account by its handle', async () => {
    const store = await open('l.duckdb');
    try {
      await importEntities(
        store,
        tmp.file(
          'parties.ftm.json',
          lines([
            { id: 'rajavi', schema: 'Person', properties: { name: ['Maryam Rajavi'] } },
            {
              id: 'ncri',
              schema: 'Organization',
              properties: { name: ['National Council of Resistance of Iran'] },
            },
            {
              id: 'acct',
              schema: 'UserAccount',
              properties: { username: ['@NCRI_Watch'], service: ['x'], owner: ['ncri'] },
            },
          ]),
        ),
      );
      await resolveEntities(store);
      await store.run(`INSERT INTO posts (platform, post_id, account_id, created_at, kind, text, ingest_id) VALUES
        ('twitter', '1', 'u1', '2024-06-01 10:00:00', 'post', 'سخنرانی مریم رجوی در پاریس', 0),
        ('twitter', '2', 'u2', '2024-06-01 11:00:00', 'post', 'The National Council of Resistance of Iran said today...', 0),
        ('twitter', '3', 'u3', '2024-06-01 12:00:00', 'post', 'Maryam went to the market', 0)`);
      await store.run(
        `INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', 'u9', 'ncri_watch')`,
      );
      expect(await linkMentions(store)).toBe(2);
      const mentions = await store.all<{ entity_id: string; target_id: string; words: string }>(
        `SELECT entity_id, target_id, json_extract_string(evidence, '$.words') AS words FROM entity_links WHERE kind = 'mention' ORDER BY target_id`,
      );
      expect(mentions.map((m) => [m.entity_id, m.target_id])).toEqual([
        ['rajavi', 'twitter:u1'],
        ['ncri', 'twitter:u2'],
      ]);
      expect(await linkAccounts(store)).toBe(1);
      // A statement in the echo stage's documents table (lockstep ingest-docs).
      await store.run(`INSERT INTO documents (doc_id, title, text, author, outlet, url, published_at, ingest_id)
        VALUES ('s1', 'Speech in Paris', 'We stand with the people.', 'Maryam Rajavi',
        'National Council of Resistance of Iran', 'https://example.org/s1', '2024-06-02 09:00:00', 0)`);
      expect(await linkDocuments(store)).toBe(2);
      const docLinks = await store.all<{
        kind: string;
        entity_id: string;
        target_kind: string;
        target_id: string;
      }>(
        `SELECT kind, entity_id, target_kind, target_id FROM entity_links WHERE kind IN ('speaker', 'outlet') ORDER BY kind`,
      );
      expect(docLinks).toEqual([
        { kind: 'outlet', entity_id: 'ncri', target_kind: 'document', target_id: 'doc:s1' },
        { kind: 'speaker', entity_id: 'rajavi', target_kind: 'document', target_id: 'doc:s1' },
      ]);
      expect(
        await store.value(`SELECT entity_id || ' ' || target_id FROM entity_links WHERE kind = 'account'`),
      ).toBe('ncri twitter:u9');
    } finally {
      store.close();
    }
  });

  it('reads LDA API pages of filings and contributions', async () => {
    const filings = {
      count: 1,
      next: null,
      results: [
        {
          filing_uuid: 'a7171be4-bd95-48ae-84f4-a8cb9b39c802',
          filing_type: 'Q1',
          filing_type_display: '1st Quarter - Report',
          filing_year: 2017,
          filing_period_display: '1st Quarter (Jan 1 - Mar 31)',
          filing_document_url:
            'https://lda.senate.gov/filings/public/filing/a7171be4-bd95-48ae-84f4-a8cb9b39c802/print/',
          income: '40000.00',
          expenses: null,
          dt_posted: '2017-04-20T16:07:51-04:00',
          registrant: {
            id: 76992,
            name: 'CGCN GROUP, LLC',
            description: 'Public Affairs Consultants',
            city: 'Washington',
            state: 'DC',
            country: 'US',
          },
          client: {
            id: 169786,
            client_id: 1002995,
            name: 'AMERICAN INVESTMENT COUNCIL',
            general_description: 'Advocacy',
            country: 'US',
          },
          lobbying_activities: [
            {
              general_issue_code_display: 'Taxation/Internal Revenue Code',
              description: 'Tax reform',
              lobbyists: [{ lobbyist: { first_name: 'STEVE', last_name: 'CLARK' }, covered_position: null }],
              government_entities: [{ id: 1, name: 'SENATE' }],
            },
          ],
          foreign_entities: [],
          affiliated_organizations: [],
        },
      ],
    };
    const contributions = {
      results: [
        {
          filing_uuid: 'c293361f-835e-43b7-b4b2-11eb26498b57',
          filing_type_display: 'Mid-Year Report',
          filing_year: 2019,
          dt_posted: '2019-07-30T10:24:13-04:00',
          registrant: { id: 76992, name: 'CGCN GROUP, LLC' },
          lobbyist: { first_name: 'STEVE', last_name: 'CLARK' },
          contribution_items: [
            {
              contribution_type_display: 'FECA',
              contributor_name: 'CLARK, STEVE',
              payee_name: 'Friends of Example',
              honoree_name: 'Example, Pat',
              amount: '1000.00',
              date: '2019-03-01',
            },
          ],
        },
      ],
    };
    const store = await open('lda.duckdb');
    try {
      const a = await importEntities(store, tmp.file('filings.json', JSON.stringify(filings)));
      const b = await importEntities(store, tmp.file('contributions.json', JSON.stringify(contributions)));
      expect([a.format, a.recordsRead, a.recordsStored, b.recordsRead, b.recordsStored]).toEqual([
        'lda-api',
        1,
        1,
        1,
        1,
      ]);
      const schemata = await store.all<{ schema: string; n: number }>(
        `SELECT schema, count(*) AS n FROM entities GROUP BY 1 ORDER BY 1`,
      );
      expect(Object.fromEntries(schemata.map((s) => [s.schema, Number(s.n)]))).toMatchObject({
        Representation: 1,
        Payment: 2,
        Employment: 1,
        UnknownLink: 1,
        PublicBody: 1,
      });
      expect(
        await store.value(
          `SELECT value FROM statements WHERE prop = 'amount' AND entity_id LIKE 'senate-lda-income-%'`,
        ),
      ).toBe('40000.00');
    } finally {
      store.close();
    }
  });
});
