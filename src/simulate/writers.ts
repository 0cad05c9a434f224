/**
 * Writers of the simulated month in the formats Lockstep ingests, each faithful to the real
 * export's shape (column names, list encodings, time resolution, id forms), so the simulator tests
 * the same code paths real data takes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { IO_ARCHIVE_COLUMNS } from '../ingest/formats/io-archive.js';
import type { Lang } from './config.js';
import type { SimAccount, SimPost } from './model.js';

/** Buffered output to one file, optionally gzip (one member per block; gunzip reads them as one stream). */
class Out {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(
    readonly path: string,
    private readonly gzip: boolean,
  ) {
    this.fd = openSync(path, 'w');
  }
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 4_000_000) this.drain();
  }
  private drain(): void {
    if (!this.parts.length) return;
    const text = this.parts.join('');
    if (this.gzip) writeSync(this.fd, gzipSync(text, { level: 4 }));
    else writeSync(this.fd, text);
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.drain();
    closeSync(this.fd);
  }
}

export interface CorpusWriter {
  /** Format name as `lockstep ingest --format` knows it. */
  format: string;
  files: string[];
  /** The account id this format's ingest will store for an account. */
  accountId(a: SimAccount): string;
  /** The post id this format's ingest will store (null when the format has no ids). */
  postId(p: SimPost): string | null;
  /** Writes a post; false when the format has no row for it (CooRTweet's file holds only reposts). */
  write(p: SimPost): boolean;
  close(): void;
}

const csvField = (v: string | number | null | undefined): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const csvLine = (values: (string | number | null | undefined)[]) => `${values.map(csvField).join(',')}\n`;

/** Python `repr()` of a list of strings, as the X archive writes lists. */
function pyList(items: string[]): string {
  return `[${items.map((s) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`)).join(', ')}]`;
}

const minute = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
const isoMs = (t: number) => new Date(t).toISOString();
const LANG_NAMES: Record<Lang, string> = {
  en: 'English',
  fa: 'Farsi',
  ar: 'Arabic',
  ru: 'Russian',
  es: 'Spanish',
};

/** The text an X export shows for a post (retweets carry "RT @user: original"). */
function xText(p: SimPost): string {
  if (p.kind === 'repost' && p.ref) return `RT @${p.ref.account.handle}: ${p.ref.text}`.slice(0, 280);
  return p.text;
}

function ioArchive(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `posts.io-archive.csv${gzip ? '.gz' : ''}`), gzip);
  out.write(`${IO_ARCHIVE_COLUMNS.join(',')}\n`);
  return {
    format: 'io-archive',
    files: [out.path],
    accountId: (a) => a.id,
    postId: (p) => p.id,
    write(p) {
      const a = p.account;
      const rt = p.kind === 'repost' && p.ref ? p.ref : null;
      out.write(
        csvLine([
          p.id,
          a.id,
          a.name,
          a.handle,
          a.location,
          a.bio,
          a.url,
          a.followers,
          a.following,
          new Date(a.createdAt).toISOString().slice(0, 10),
          a.lang,
          p.lang,
          xText(p),
          minute(p.time),
          p.client,
          p.replyTo?.account.id,
          p.replyTo?.id,
          p.kind === 'quote' ? p.ref?.id : null,
          rt ? 'True' : 'False',
          rt?.account.id,
          rt?.id,
          'absent',
          'absent',
          '0.0',
          '0.0',
          p.seq % 7 === 0 ? '1.0' : '0.0',
          '0',
          pyList(p.hashtags),
          pyList(p.urls),
          pyList(p.mentions.map((m) => m.id)),
          '',
        ]),
      );
      return true;
    },
    close: () => out.close(),
  };
}

function ira(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `posts.ira.csv${gzip ? '.gz' : ''}`), gzip);
  out.write(
    'row_id,author_id,publish_date,language,region,post_type,retweet,following,followers,updates,content\n',
  );
  let row = 0;
  const updates = new Map<SimAccount, number>();
  return {
    format: 'ira',
    files: [out.path],
    accountId: (a) => a.handle,
    postId: () => null,
    write(p) {
      const a = p.account;
      const n = (updates.get(a) ?? 1000) + 1;
      updates.set(a, n);
      const type = p.kind === 'repost' ? 'R' : p.kind === 'quote' ? 'Q' : '';
      out.write(
        csvLine([
          `SIM-${row++}`,
          a.handle,
          `${minute(p.time)}:00`,
          LANG_NAMES[p.lang],
          'Unknown',
          type,
          type === 'R' ? 1 : 0,
          a.following,
          a.followers,
          n,
          p.text,
        ]),
      );
      return true;
    },
    close: () => out.close(),
  };
}

function xapi(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `posts.xapi.jsonl${gzip ? '.gz' : ''}`), gzip);
  let page: SimPost[] = [];
  const user = (a: SimAccount) => ({
    id: a.id,
    username: a.handle,
    name: a.name,
    description: a.bio,
    location: a.location || undefined,
    created_at: isoMs(a.createdAt),
    verified: a.verified,
    public_metrics: {
      followers_count: a.followers,
      following_count: a.following,
      tweet_count: 0,
      listed_count: 0,
    },
  });
  const tweet = (p: SimPost) => {
    const text = xText(p);
    const refs: { type: string; id: string }[] = [];
    if (p.kind === 'repost' && p.ref) refs.push({ type: 'retweeted', id: p.ref.id });
    if (p.kind === 'quote' && p.ref) refs.push({ type: 'quoted', id: p.ref.id });
    if (p.replyTo) refs.push({ type: 'replied_to', id: p.replyTo.id });
    const offsets = (needle: string) => {
      const start = text.indexOf(needle);
      return start < 0 ? { start: 0, end: 0 } : { start, end: start + needle.length };
    };
    return {
      id: p.id,
      text,
      author_id: p.account.id,
      created_at: isoMs(p.time),
      lang: p.lang,
      conversation_id: p.replyTo?.id ?? p.id,
      edit_history_tweet_ids: [p.id],
      ...(refs.length ? { referenced_tweets: refs } : {}),
      ...(p.replyTo ? { in_reply_to_user_id: p.replyTo.account.id } : {}),
      entities: {
        hashtags: p.hashtags.map((tag) => ({ ...offsets(`#${tag}`), tag })),
        urls: p.urls.map((u, i) => ({
          ...offsets(u),
          url: `https://t.co/${(p.seq * 31 + i).toString(36)}`,
          expanded_url: u,
          display_url: u.replace(/^https?:\/\//, ''),
        })),
        mentions: p.mentions.map((m) => ({ ...offsets(`@${m.handle}`), username: m.handle, id: m.id })),
      },
      ...(p.media.length
        ? { attachments: { media_keys: p.media.map((m) => `3_${m.replace(/\W/g, '')}`) } }
        : {}),
      public_metrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0 },
      source: p.client,
    };
  };
  const flush = () => {
    if (!page.length) return;
    const users = new Map<string, SimAccount>();
    const refs = new Map<string, SimPost>();
    for (const p of page) {
      users.set(p.account.id, p.account);
      for (const r of [p.ref, p.replyTo]) {
        if (r) {
          refs.set(r.id, r);
          users.set(r.account.id, r.account);
        }
      }
    }
    out.write(
      `${JSON.stringify({
        data: page.map(tweet),
        includes: { users: [...users.values()].map(user), tweets: [...refs.values()].map(tweet) },
        meta: { result_count: page.length, newest_id: page[page.length - 1]!.id, oldest_id: page[0]!.id },
      })}\n`,
    );
    page = [];
  };
  return {
    format: 'xapi',
    files: [out.path],
    accountId: (a) => a.id,
    postId: (p) => p.id,
    write(p) {
      page.push(p);
      if (page.length === 100) flush();
      return true;
    },
    close() {
      flush();
      out.close();
    },
  };
}

/** A Telegram Desktop export of one big public group where every simulated account writes. */
function telegram(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `result.telegram.json${gzip ? '.gz' : ''}`), gzip);
  const chatId = 1_700_000_001;
  out.write(
    `{\n "name": "Simulated public group",\n "type": "public_supergroup",\n "id": ${chatId},\n "messages": [\n`,
  );
  const messageId = new Map<SimPost, number>();
  let n = 0;
  return {
    format: 'telegram',
    files: [out.path],
    accountId: (a) => `user${a.id}`,
    postId: (p) => (messageId.has(p) ? `${chatId}/${messageId.get(p)}` : null),
    write(p) {
      const id = ++n;
      messageId.set(p, id);
      const entities: { type: string; text: string; href?: string }[] = [];
      const body = p.kind === 'repost' && p.ref ? p.ref.text : p.text;
      for (const tag of p.hashtags)
        if (body.includes(`#${tag}`)) entities.push({ type: 'hashtag', text: `#${tag}` });
      for (const u of p.urls) if (body.includes(u)) entities.push({ type: 'link', text: u });
      const message: Record<string, unknown> = {
        id,
        type: 'message',
        date: new Date(p.time).toISOString().slice(0, 19),
        date_unixtime: String(Math.floor(p.time / 1000)),
        from: p.account.name,
        from_id: `user${p.account.id}`,
      };
      if (p.kind === 'repost' && p.ref) {
        message.forwarded_from = p.ref.account.name;
        message.forwarded_from_id = `user${p.ref.account.id}`;
      }
      const replyTo = p.replyTo ? messageId.get(p.replyTo) : undefined;
      if (replyTo) message.reply_to_message_id = replyTo;
      message.text = body;
      message.text_entities = entities.length
        ? [{ type: 'plain', text: body }].concat(entities)
        : [{ type: 'plain', text: body }];
      out.write(`${id === 1 ? '' : ',\n'}  ${JSON.stringify(message)}`);
      return true;
    },
    close() {
      out.write('\n ]\n}\n');
      out.close();
    },
  };
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
function did(a: SimAccount): string {
  let x = BigInt(a.id);
  let s = '';
  for (let i = 0; i < 24; i++) {
    s += B32[Number(x % 32n)];
    x = x / 32n + BigInt(i * 7 + 3);
  }
  return `did:plc:${s}`;
}
const S32 = '234567abcdefghijklmnopqrstuvwxyz';
/** An ATProto TID record key: 13 base32-sortable characters from microseconds and a clock id. */
function tid(timeMs: number, seq: number): string {
  let x = (BigInt(timeMs) * 1000n + BigInt(seq % 1000)) * 1024n + BigInt(seq % 1024);
  let s = '';
  for (let i = 0; i < 13; i++) {
    s = S32[Number(x & 31n)] + s;
    x >>= 5n;
  }
  return s;
}

/** Bluesky as Jetstream commit events, with an identity and a profile event for each new author. */
function bluesky(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `posts.bluesky.jsonl${gzip ? '.gz' : ''}`), gzip);
  const uris = new Map<SimPost, string>();
  const known = new Set<SimAccount>();
  const enc = new TextEncoder();
  const byteRange = (text: string, needle: string) => {
    const at = text.indexOf(needle);
    if (at < 0) return null;
    const byteStart = enc.encode(text.slice(0, at)).length;
    return { byteStart, byteEnd: byteStart + enc.encode(needle).length };
  };
  const commit = (a: SimAccount, time: number, collection: string, rkey: string, record: unknown) =>
    `${JSON.stringify({ did: did(a), time_us: time * 1000 + 17, kind: 'commit', commit: { rev: rkey, operation: 'create', collection, rkey, record, cid: `bafyrei${rkey}${a.idx.toString(32)}` } })}\n`;
  return {
    format: 'bluesky',
    files: [out.path],
    accountId: did,
    postId: (p) => uris.get(p) ?? null,
    write(p) {
      const a = p.account;
      if (!known.has(a)) {
        known.add(a);
        out.write(
          `${JSON.stringify({ did: did(a), time_us: p.time * 1000, kind: 'identity', identity: { did: did(a), handle: `${a.handle.toLowerCase()}.bsky.social`, seq: p.seq, time: isoMs(p.time) } })}\n`,
        );
        out.write(
          commit(a, p.time, 'app.bsky.actor.profile', 'self', {
            $type: 'app.bsky.actor.profile',
            displayName: a.name,
            description: a.bio,
            createdAt: isoMs(a.createdAt),
          }),
        );
      }
      const rkey = tid(p.time, p.seq);
      if (p.kind === 'repost' && p.ref && uris.has(p.ref)) {
        const uri = `at://${did(a)}/app.bsky.feed.repost/${rkey}`;
        uris.set(p, uri);
        out.write(
          commit(a, p.time, 'app.bsky.feed.repost', rkey, {
            $type: 'app.bsky.feed.repost',
            subject: { uri: uris.get(p.ref), cid: `bafy${p.ref.seq}` },
            createdAt: isoMs(p.time),
          }),
        );
        return true;
      }
      const uri = `at://${did(a)}/app.bsky.feed.post/${rkey}`;
      uris.set(p, uri);
      const text = p.text;
      const facets: unknown[] = [];
      for (const u of p.urls) {
        const r = byteRange(text, u);
        if (r) facets.push({ index: r, features: [{ $type: 'app.bsky.richtext.facet#link', uri: u }] });
      }
      for (const tag of p.hashtags) {
        const r = byteRange(text, `#${tag}`);
        if (r) facets.push({ index: r, features: [{ $type: 'app.bsky.richtext.facet#tag', tag }] });
      }
      for (const m of p.mentions) {
        const r = byteRange(text, `@${m.handle}`);
        if (r)
          facets.push({ index: r, features: [{ $type: 'app.bsky.richtext.facet#mention', did: did(m) }] });
      }
      const record: Record<string, unknown> = {
        $type: 'app.bsky.feed.post',
        text,
        createdAt: isoMs(p.time),
        langs: [p.lang],
      };
      if (facets.length) record.facets = facets;
      if (p.replyTo && uris.has(p.replyTo)) {
        const parent = { uri: uris.get(p.replyTo), cid: `bafy${p.replyTo.seq}` };
        record.reply = { root: parent, parent };
      }
      if (p.kind === 'quote' && p.ref && uris.has(p.ref))
        record.embed = {
          $type: 'app.bsky.embed.record',
          record: { uri: uris.get(p.ref), cid: `bafy${p.ref.seq}` },
        };
      else if (p.media.length)
        record.embed = {
          $type: 'app.bsky.embed.images',
          images: p.media.map((m) => ({
            alt: '',
            image: {
              $type: 'blob',
              ref: { $link: `bafkrei${m.replace(/\W/g, '')}` },
              mimeType: 'image/jpeg',
              size: 1000,
            },
          })),
        };
      out.write(commit(a, p.time, 'app.bsky.feed.post', rkey, record));
      return true;
    },
    close: () => out.close(),
  };
}

function coortweet(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `posts.coortweet.csv${gzip ? '.gz' : ''}`), gzip);
  out.write('"object_id","account_id","content_id","timestamp_share"\n');
  return {
    format: 'coortweet',
    files: [out.path],
    accountId: (a) => a.id,
    postId: (p) => (p.kind === 'repost' ? p.id : null),
    write(p) {
      if (p.kind !== 'repost' || !p.ref) return false;
      out.write(`"${p.ref.id}","${p.account.id}","${p.id}",${Math.floor(p.time / 1000)}\n`);
      return true;
    },
    close: () => out.close(),
  };
}

function cnt(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `posts.cnt.csv${gzip ? '.gz' : ''}`), gzip);
  out.write('message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n');
  return {
    format: 'cnt',
    files: [out.path],
    accountId: (a) => a.id,
    postId: (p) => p.id,
    write(p) {
      out.write(
        csvLine([
          p.id,
          p.account.id,
          p.account.handle,
          p.kind === 'repost' ? p.ref?.id : '',
          p.replyTo?.id ?? '',
          xText(p),
          Math.floor(p.time / 1000),
          p.urls.join(' '),
        ]),
      );
      return true;
    },
    close: () => out.close(),
  };
}

/** CooRTweet's anonymised multi-modal layout: one row per URL x hashtag x image of a post. */
function germanElections(dir: string, gzip: boolean): CorpusWriter {
  const out = new Out(join(dir, `posts.german-elections.csv${gzip ? '.gz' : ''}`), gzip);
  out.write('"account_id","post_id","url_id","hashtag_id","domain_id","phash_id","timestamp"\n');
  const ids = new Map<string, number>();
  const id = (kind: string, value: string) => {
    const key = `${kind}\x1f${value}`;
    let n = ids.get(key);
    if (n === undefined) {
      n = ids.size + 1;
      ids.set(key, n);
    }
    return n;
  };
  return {
    format: 'german-elections',
    files: [out.path],
    accountId: (a) => `tw_${a.idx}`,
    postId: (p) => String(p.seq),
    write(p) {
      const urls = p.urls.length ? p.urls : [null];
      const tags = p.hashtags.length ? p.hashtags : [null];
      const media = p.media.length ? p.media : [null];
      for (const u of urls) {
        for (const h of tags) {
          for (const m of media) {
            const domain = u ? new URL(u).hostname.replace(/^www\./, '') : null;
            const cell = (kind: string, v: string | null) => (v === null ? 'NA' : String(id(kind, v)));
            out.write(
              `"tw_${p.account.idx}",${p.seq},${cell('url', u)},${cell('tag', h?.toLowerCase() ?? null)},${cell('domain', domain)},${cell('media', m)},${Math.floor(p.time / 1000)}\n`,
            );
          }
        }
      }
      return true;
    },
    close: () => out.close(),
  };
}

export const WRITERS: Record<string, (dir: string, gzip: boolean) => CorpusWriter> = {
  'io-archive': ioArchive,
  ira,
  xapi,
  telegram,
  bluesky,
  coortweet,
  cnt,
  'german-elections': germanElections,
};
