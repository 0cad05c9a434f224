import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, UsageError } from '../../src/core/errors.js';
import { type ColumnMapping, loadMapping } from '../../src/ingest/formats/generic.js';
import { type IngestOptions, ingestFile } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/store.js';
import { ingestInto, reconciles, scratch } from '../helpers/store.js';

type Row = Record<string, unknown>;

const tmp = scratch();
afterAll(() => tmp.cleanup());

let stores = 0;
/** Ingests with a mapping into a fresh store; returns the report, the stored posts and accounts. */
async function ingestMapped(file: string, mapping: ColumnMapping, options: IngestOptions = {}) {
  const { store, report } = await ingestInto(
    tmp.dir,
    file,
    { ...options, formatOptions: { mapping } },
    `generic-${++stores}.duckdb`,
  );
  try {
    const posts = await store.all<Row>(
      `SELECT * EXCLUDE (extra), extra::VARCHAR AS extra FROM posts ORDER BY source_line`,
    );
    const accounts = await store.all<Row>(`SELECT * FROM accounts ORDER BY account_id`);
    const rejects = await store.all<{ line: number; reason: string }>(
      `SELECT line, reason FROM rejects ORDER BY line`,
    );
    return { report, posts, accounts, rejects };
  } finally {
    store.close();
  }
}

/** The error an ingest fails with (the store is closed either way). */
async function ingestError(file: string, mapping: ColumnMapping): Promise<Error> {
  const store = await Store.open(join(tmp.dir, `failing-${++stores}.duckdb`), {
    memoryLimit: '1GB',
    threads: 2,
  });
  try {
    await ingestFile(store, file, { formatOptions: { mapping } });
  } catch (err) {
    return err as Error;
  } finally {
    store.close();
  }
  throw new Error('the ingest did not fail');
}

const iso = (v: unknown) => (v as Date).toISOString();
const extraOf = (p: Row | undefined) => JSON.parse((p?.extra as string | null) ?? 'null');

describe('generic format: CSV with a mapping file', () => {
  const csv = [
    'id,user,screen,time,body,type,tags,links,people,views,source',
    // JSON-array tags, a Python-list of links, '|'-separated mentions; unmapped views and source.
    '501,u1,Ann,2024-03-01T10:00:00Z,"Hello, world #Vote",status,"[""Vote"", ""ＥＬＥＣＴＩＯＮ""]","[\'https://www.Example.com/a?utm_source=x\']",bob|carol,17,web',
    '502,u2,Bob,2024-03-01 10:05:00,shared,share,[],[],,3,app',
    '503,u1,Ann,2024-03-01T10:06:00+02:00,a reply,comment,,,,,',
    '504,u3,Cy,not a time,lost,status,,,,,',
    '505,u3,Cy,2024-03-01T11:00:00Z,odd kind,boost,,,,,',
  ].join('\n');
  const mapping = tmp.file(
    'mapping.json',
    JSON.stringify({
      platform: 'Forum',
      columns: {
        post_id: 'id',
        account_id: 'user',
        handle: 'screen',
        created_at: 'time',
        text: 'body',
        kind: 'type',
        hashtags: 'tags',
        urls: 'links',
        mentions: 'people',
      },
      kinds: { repost: ['share', 'RT'], reply: 'comment', post: ['status'] },
      list_separator: '|',
    }),
  );

  it('maps columns, kinds and list cells; keeps unmapped columns in extra', async () => {
    const file = tmp.file('forum.csv', csv);
    const { report, posts, accounts, rejects } = await ingestMapped(file, loadMapping(mapping)!);
    expect(report.format).toBe('generic');
    expect(report).toMatchObject({ rowsRead: 5, rowsStored: 4, rowsDuplicate: 0, rowsRejected: 1 });
    expect(reconciles(report)).toBe(true);
    expect(rejects).toEqual([{ line: 5, reason: 'unreadable time "not a time"' }]);
    // Only row 502's time has no zone.
    expect(report.warnings.find((w) => w.code === 'zoneless-time')?.count).toBe(1);
    expect(report.warnings.find((w) => w.code === 'unknown-kind')).toMatchObject({ count: 1, firstLine: 6 });

    const [first, share, reply, odd] = posts;
    expect(first).toMatchObject({
      platform: 'forum',
      post_id: '501',
      account_id: 'u1',
      kind: 'post',
      text: 'Hello, world #Vote',
      hashtags: ['election', 'vote'],
      urls: ['https://example.com/a'],
      domains: ['example.com'],
      mentions: ['bob', 'carol'],
    });
    expect(iso(first!.created_at)).toBe('2024-03-01T10:00:00.000Z');
    expect(extraOf(first)).toEqual({ views: '17', source: 'web' });
    // An empty JSON array is an empty list, not a fallback to the text's entities.
    expect(share).toMatchObject({ post_id: '502', kind: 'repost', hashtags: [], urls: [] });
    expect(extraOf(share)).toEqual({ views: '3', source: 'app' });
    expect(reply).toMatchObject({ kind: 'reply', extra: null });
    expect(iso(reply!.created_at)).toBe('2024-03-01T08:06:00.000Z');
    expect(odd).toMatchObject({ post_id: '505', kind: 'post' });
    expect(accounts.map((a) => [a.account_id, a.handle])).toEqual([
      ['u1', 'Ann'],
      ['u2', 'Bob'],
      ['u3', 'Cy'],
    ]);
  });

  it('takes --col flags, alone or over a mapping file', async () => {
    const fromFlags = loadMapping(undefined, ['account_id=user', 'created_at=time', 'text=body'], 'forum');
    expect(fromFlags).toEqual({
      platform: 'forum',
      columns: { account_id: 'user', created_at: 'time', text: 'body' },
    });
    const merged = loadMapping(mapping, ['text=source', 'post_id=views']);
    expect(merged!.columns).toMatchObject({ account_id: 'user', text: 'source', post_id: 'views' });
    expect(merged!.kinds).toMatchObject({ reply: 'comment' });

    const file = tmp.file('forum-flags.csv', csv);
    const { report, posts } = await ingestMapped(file, fromFlags!);
    expect(report).toMatchObject({ rowsRead: 5, rowsStored: 4, rowsRejected: 1 });
    // No hashtags column mapped: hashtags come from the text; every other column lands in extra.
    expect(posts[0]).toMatchObject({ platform: 'forum', kind: 'post', hashtags: ['vote'] });
    expect(extraOf(posts[0])).toEqual({
      id: '501',
      screen: 'Ann',
      type: 'status',
      tags: '["Vote", "ＥＬＥＣＴＩＯＮ"]',
      links: "['https://www.Example.com/a?utm_source=x']",
      people: 'bob|carol',
      views: '17',
      source: 'web',
    });
  });

  it('refuses bad mappings with one line that names the problem', () => {
    const bad = (content: string) => tmp.file(`bad-${++stores}.json`, content);
    expect(() => loadMapping(bad('{"columns": {"author": "user"}}'))).toThrow(/unknown field "author"/);
    expect(() => loadMapping(bad('{"columns": {"account_id": "user"}}'))).toThrow(
      /must name a column for created_at/,
    );
    expect(() => loadMapping(bad('{"columns": '))).toThrow(/not valid JSON/);
    expect(() => loadMapping(bad('{"account_id": "user"}'))).toThrow(/needs a "columns" object/);
    expect(() => loadMapping(undefined, ['account_id'])).toThrow(/invalid --col "account_id"/);
    const base = '"columns": {"account_id": "u", "created_at": "t"}';
    expect(() => loadMapping(bad(`{${base}, "kinds": {"share": ["s"]}}`))).toThrow(/unknown kind "share"/);
    expect(() => loadMapping(bad(`{${base}, "time_format": "epoch"}`))).toThrow(/unknown time_format/);
    expect(() => loadMapping(bad(`{"columns": {"account_id": 3, "created_at": "t"}}`))).toThrow(
      /account_id no column name/,
    );
    expect(() => loadMapping(join(tmp.dir, 'nothing.json'))).toThrow(UsageError);
  });

  it('names a mapped column the file does not have', async () => {
    const file = tmp.file('missing.csv', 'user,time,body\nu1,2024-03-01T10:00:00Z,hi\n');
    const err = await ingestError(file, {
      columns: { account_id: 'user', created_at: 'time', text: 'message' },
    });
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toBe(
      'the mapping names column "message" that the file does not have (it has: user, time, body)',
    );
  });

  it('reads ;-, tab- and |-separated exports, detecting the separator from the header', async () => {
    for (const [name, d] of [
      ['semicolon', ';'],
      ['tab', '\t'],
      ['pipe', '|'],
    ] as const) {
      const body = [
        ['user', 'time', 'body'],
        ['u1', '2024-03-01T10:00:00Z', 'hi, there'],
        ['u2', '2024-03-01T10:05:00Z', 'bye'],
      ]
        .map((r) => r.join(d))
        .join('\n');
      const file = tmp.file(`${name}.csv`, `${body}\n`);
      const { store, report } = await ingestInto(
        tmp.dir,
        file,
        { formatOptions: { mapping: { columns: { account_id: 'user', created_at: 'time', text: 'body' } } } },
        `${name}.duckdb`,
      );
      try {
        expect(report).toMatchObject({ rowsRead: 2, rowsStored: 2, rowsRejected: 0 });
        expect(await store.value(`SELECT text FROM posts WHERE account_id = 'u1'`)).toBe('hi, there');
      } finally {
        store.close();
      }
    }
  });
});

describe('generic format without post ids', () => {
  it('keys posts by content with occurrence numbers, and re-ingest adds nothing', async () => {
    // Rows 1 and 3 are identical: two posts, not a duplicate.
    const file = tmp.file(
      'no-ids.csv',
      [
        'who,when,what',
        'u1,1709287200,same words',
        'u2,1709287200,same words',
        'u1,1709287200,same words',
        'u1,1709287260,other words',
      ].join('\n'),
    );
    const mapping = loadMapping(undefined, ['account_id=who', 'created_at=when', 'text=what'])!;
    mapping.time_format = 'epoch_s';
    const { store, report } = await ingestInto(
      tmp.dir,
      file,
      { formatOptions: { mapping } },
      'no-ids.duckdb',
    );
    try {
      expect(report).toMatchObject({ rowsRead: 4, rowsStored: 4, rowsDuplicate: 0, rowsRejected: 0 });
      // Epoch seconds are not zone-less.
      expect(report.warnings).toEqual([]);
      const ids = (
        await store.all<{ post_id: string }>(`SELECT post_id FROM posts ORDER BY source_line`)
      ).map((r) => r.post_id);
      expect(ids.every((id) => /^c:[0-9a-f]{26}(#\d+)?$/.test(id))).toBe(true);
      expect(ids[2]).toBe(`${ids[0]}#2`);
      expect(new Set(ids).size).toBe(4);
      const first = await store.value<Date>(`SELECT created_at FROM posts WHERE post_id = ?`, [ids[0]!]);
      expect(first!.toISOString()).toBe('2024-03-01T10:00:00.000Z');

      const again = await ingestFile(store, file, { formatOptions: { mapping } });
      expect(again).toMatchObject({ rowsRead: 4, rowsStored: 0, rowsDuplicate: 4, postsNew: 0 });
      expect(await store.value<number>(`SELECT count(*) FROM posts`)).toBe(4);
    } finally {
      store.close();
    }
  });
});

describe('generic format: JSON', () => {
  const records = [
    {
      id: 't1',
      author: { id: 'a1', name: 'ann', followers: 120, verified: true },
      ts: 1709287200000,
      body: { text: 'look https://bit.ly/x #Now' },
      meta: { source: 'api', lang: 'en' },
    },
    {
      id: 't2',
      author: { id: 'a2', name: 'bob', followers: '7' },
      ts: 1709287260000,
      body: { text: 'same', ref: 't1' },
      tags: ['One', 'two'],
    },
    { id: 't3', author: { name: 'nobody' }, ts: 1709287300000, body: { text: 'no author' } },
  ];
  const mapping: ColumnMapping = {
    platform: 'web',
    columns: {
      post_id: 'id',
      account_id: 'author.id',
      handle: 'author.name',
      followers: 'author.followers',
      created_at: 'ts',
      text: 'body.text',
      ref_post_id: 'body.ref',
      lang: 'meta.lang',
      hashtags: 'tags',
    },
    time_format: 'epoch_ms',
  };

  const check = (
    report: Awaited<ReturnType<typeof ingestMapped>>['report'],
    posts: Row[],
    accounts: Row[],
    rejects: { line: number; reason: string }[],
  ) => {
    expect(report).toMatchObject({ rowsRead: 3, rowsStored: 2, rowsRejected: 1 });
    expect(rejects.map((r) => r.reason)).toEqual(['empty author.id']);
    const [t1, t2] = posts;
    expect(t1).toMatchObject({
      post_id: 't1',
      account_id: 'a1',
      kind: 'post',
      lang: 'en',
      urls: ['https://bit.ly/x'],
      short_urls: ['https://bit.ly/x'],
      hashtags: [],
    });
    expect(iso(t1!.created_at)).toBe('2024-03-01T10:00:00.000Z');
    // Unmapped keys are kept, also inside objects mapped only in part.
    expect(extraOf(t1)).toEqual({ author: { verified: true }, meta: { source: 'api' } });
    expect(t2).toMatchObject({ kind: 'repost', ref_post_id: 't1', hashtags: ['one', 'two'], extra: null });
    expect(accounts.map((a) => [a.account_id, a.handle, a.followers])).toEqual([
      ['a1', 'ann', 120],
      ['a2', 'bob', 7],
    ]);
  };

  it('reads JSON Lines with dotted paths', async () => {
    const file = tmp.file('posts.jsonl', records.map((r) => JSON.stringify(r)).join('\n'));
    const { report, posts, accounts, rejects } = await ingestMapped(file, mapping);
    check(report, posts, accounts, rejects);
    expect(rejects[0]!.line).toBe(3);
  });

  it('reads a JSON array', async () => {
    const file = tmp.file('posts.json', JSON.stringify(records, null, 2));
    const { report, posts, accounts, rejects } = await ingestMapped(file, mapping);
    check(report, posts, accounts, rejects);
  });
});

describe('generic format: Parquet', () => {
  let made = 0;
  async function parquet(select: string): Promise<string> {
    const path = join(tmp.dir, `posts-${++made}.parquet`);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      await con.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
    } finally {
      con.closeSync();
      db.closeSync();
    }
    return path;
  }

  const select = `SELECT * FROM (VALUES
      (1234567890123456789::BIGINT, 'acc1', TIMESTAMPTZ '2024-03-01 12:00:00+02', 'hi #one', ['#Two', 'three'], 5, 'x'),
      (1234567890123456790::BIGINT, 'acc2', TIMESTAMPTZ '2024-03-01 10:01:00+00', 'yo', []::VARCHAR[], NULL, 'y'))
    t(pid, handle, ts, txt, tag_list, likes, src)`;

  it('reads typed columns: big ids, timestamps, list columns; keeps the others in extra', async () => {
    const file = await parquet(select);
    const { report, posts } = await ingestMapped(file, {
      platform: 'tiktok',
      columns: {
        post_id: 'pid',
        account_id: 'handle',
        created_at: 'ts',
        text: 'txt',
        hashtags: 'tag_list',
      },
    });
    expect(report).toMatchObject({ format: 'generic', rowsRead: 2, rowsStored: 2, rowsRejected: 0 });
    expect(report.warnings).toEqual([]);
    const [a, b] = posts;
    expect(a).toMatchObject({
      platform: 'tiktok',
      post_id: '1234567890123456789',
      account_id: 'acc1',
      hashtags: ['three', 'two'],
    });
    expect(iso(a!.created_at)).toBe('2024-03-01T10:00:00.000Z');
    expect(extraOf(a)).toEqual({ likes: 5, src: 'x' });
    expect(b).toMatchObject({ post_id: '1234567890123456790', hashtags: [] });
    expect(extraOf(b)).toEqual({ src: 'y' });
  });

  it('names a mapped column the Parquet file does not have', async () => {
    const file = await parquet(select);
    const err = await ingestError(file, {
      columns: { account_id: 'handle', created_at: 'created', text: 'txt' },
    });
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toBe(
      'the mapping names column "created" that the file does not have (it has: pid, handle, ts, txt, tag_list, likes, src)',
    );
  });
});
