/**
 * Bluesky (AT Protocol) posts as JSON Lines, in either of two shapes, one object per line:
 *
 * - Jetstream events (`{did, time_us, kind: "commit" | "identity" | "account", commit: {rev,
 *   operation, collection, rkey, record, cid}}`), as saved from a Jetstream websocket;
 * - AppView post views (`app.bsky.feed.defs#postView`: `{uri, cid, author, record, indexedAt}`) as
 *   `searchPosts` / `getPosts` return them, or feed items (`#feedViewPost`: `{post, reason?}`) as
 *   `getAuthorFeed` / `getTimeline` return them.
 *
 * Rows are `app.bsky.feed.post` records (post, reply, quote) and `app.bsky.feed.repost` records.
 * `identity` events and `app.bsky.actor.profile` records update accounts; every other event (likes,
 * follows, blocks, deletes, `account` events, other apps' records) is counted as a skipped warning.
 *
 * Quirks handled: ids are at:// URIs (`at://<did>/app.bsky.feed.post/<rkey>`) and accounts are DIDs
 * (handles change, DIDs do not); `createdAt` is written by the client, so `time_us` / `indexedAt`
 * (when the network saw the record) is kept in `extra` and stands in, with a warning, when
 * `createdAt` is missing; link facets carry the full URL while the text shows it shortened; image
 * and video blobs are named by content hash (CID), so identical files share a media value.
 */
import type { PostKind, RawAccount, RawPost } from '../../core/types.js';
import { parseEpoch, parseTimestamp, type ZoneResolver } from '../normalize/time.js';
import { entitiesFromText, textOrNull } from './fields.js';
import { type FormatAdapter, RowError, type RowSink } from './types.js';

type Obj = Record<string, unknown>;

const POST = 'app.bsky.feed.post';
const REPOST = 'app.bsky.feed.repost';
const PROFILE = 'app.bsky.actor.profile';
const EVENT_KINDS = new Set(['commit', 'identity', 'account']);

function obj(v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Appends a value when it is a non-empty string. */
function add(into: string[], v: unknown): void {
  const s = str(v);
  if (s) into.push(s);
}

/** Parts of an at:// URI (`at://<authority>/<collection>/<rkey>`); the authority may be a DID or a handle. */
function atUri(uri: string | null): { did: string | null; collection: string | null } | null {
  const m = uri ? /^at:\/\/([^/?#]+)(?:\/([^/?#]+))?/.exec(uri) : null;
  if (!m) return null;
  return { did: m[1]!.startsWith('did:') ? m[1]! : null, collection: m[2] ?? null };
}

/** The account (DID) of the record an at:// URI names. */
function didOf(uri: string | null): string | null {
  return atUri(uri)?.did ?? null;
}

/** CID of a blob: `{$type: "blob", ref: {$link}}`, or the legacy `{cid, mimeType}` form. */
function blobCid(blob: unknown): string | null {
  const b = obj(blob);
  return b ? (str(obj(b.ref)?.$link) ?? str(b.cid)) : null;
}

/** UTC ms of an epoch (Jetstream `time_us`) or ISO value (`indexedAt`), or null. */
function timeValue(v: unknown): number | null {
  if (typeof v === 'number') return parseEpoch(v);
  return typeof v === 'string' ? (parseTimestamp(v)?.ms ?? null) : null;
}

interface Embedded {
  quote: string | null;
  urls: string[];
  media: string[];
  linkTitle: string | null;
}

/** Reads a post's `embed` (union of app.bsky.embed.images / video / external / record / recordWithMedia). */
function readEmbed(embed: unknown, out: Embedded): void {
  const e = obj(embed);
  if (!e) return;
  switch (e.$type) {
    case 'app.bsky.embed.images':
      for (const image of list(e.images)) add(out.media, blobCid(obj(image)?.image));
      break;
    case 'app.bsky.embed.video':
      add(out.media, blobCid(e.video));
      break;
    case 'app.bsky.embed.external': {
      const external = obj(e.external);
      add(out.urls, external?.uri);
      out.linkTitle = str(external?.title);
      break;
    }
    case 'app.bsky.embed.record': {
      // A strongRef {uri, cid}; a post is quoted, a list, feed or starter pack is shared like a link.
      const uri = str(obj(e.record)?.uri);
      if (atUri(uri)?.collection === POST) out.quote = uri;
      else if (uri) out.urls.push(uri);
      break;
    }
    case 'app.bsky.embed.recordWithMedia':
      readEmbed({ ...obj(e.record), $type: 'app.bsky.embed.record' }, out);
      readEmbed(e.media, out);
      break;
  }
}

interface Envelope {
  platform: string;
  postId: string;
  accountId: string;
  /** When the network saw the record (`time_us`, `indexedAt`), UTC ms. */
  observed: number | null;
  extra: Obj;
  /** Moderation labels on a post view (`com.atproto.label.defs#label`). */
  labels?: unknown[];
}

/** `createdAt` of a record; the observed time (with a counted warning) when it is missing or unreadable. */
function recordTime(record: Obj, env: Envelope, zone: ZoneResolver, line: number, sink: RowSink): number {
  const value = record.createdAt;
  const parsed = typeof value === 'string' ? parseTimestamp(value, zone) : null;
  if (parsed) {
    if (parsed.zoneless)
      sink.warn(
        'zoneless-time',
        'createdAt has no time zone; read as UTC (use --timezone to say otherwise)',
        line,
      );
    return parsed.ms;
  }
  if (env.observed === null) {
    const what =
      value === undefined ? 'no createdAt' : `unreadable createdAt "${String(value).slice(0, 40)}"`;
    throw new RowError(`${what} and no time_us or indexedAt`);
  }
  sink.warn(
    'createdat-fallback',
    'record createdAt missing or unreadable; the time the network saw it (time_us / indexedAt) used instead',
    line,
  );
  return env.observed;
}

/** Maps an app.bsky.feed.post record. */
function postRow(record: Obj, env: Envelope, zone: ZoneResolver, line: number, sink: RowSink): RawPost {
  const text = textOrNull(str(record.text));
  const urls: string[] = [];
  const hashtags = list(record.tags).flatMap((t) => str(t) ?? []);
  const mentions: string[] = [];
  if (record.facets === undefined) {
    // No app.bsky.richtext.facet at all (bots posting through the API): links and tags in the text.
    const found = entitiesFromText(text);
    urls.push(...found.urls);
    hashtags.push(...found.hashtags);
  }
  for (const facet of list(record.facets)) {
    for (const feature of list(obj(facet)?.features)) {
      const f = obj(feature) ?? {};
      if (f.$type === 'app.bsky.richtext.facet#link') add(urls, f.uri);
      else if (f.$type === 'app.bsky.richtext.facet#mention') add(mentions, f.did);
      else if (f.$type === 'app.bsky.richtext.facet#tag') add(hashtags, f.tag);
    }
  }
  const embedded: Embedded = { quote: null, urls, media: [], linkTitle: null };
  readEmbed(record.embed, embedded);
  // #replyRef: {root, parent}, both strongRefs {uri, cid}.
  const reply = obj(record.reply);
  const parent = str(obj(reply?.parent)?.uri);
  const root = str(obj(reply?.root)?.uri);
  const kind: PostKind = embedded.quote ? 'quote' : parent ? 'reply' : 'post';
  const extra: Obj = { ...env.extra };
  if (root && root !== parent) extra.reply_root = root;
  if (embedded.linkTitle) extra.link_title = embedded.linkTitle;
  // Self-labels (`com.atproto.label.defs#selfLabels`) and moderation labels: their values.
  const labels = [...list(obj(record.labels)?.values), ...(env.labels ?? [])].flatMap(
    (l) => str(obj(l)?.val) ?? [],
  );
  if (labels.length) extra.labels = labels;
  return {
    platform: env.platform,
    postId: env.postId,
    accountId: env.accountId,
    createdAt: recordTime(record, env, zone, line, sink),
    kind,
    refPostId: embedded.quote,
    refAccountId: didOf(embedded.quote),
    replyToPostId: parent,
    replyToAccountId: didOf(parent),
    text,
    lang: str(list(record.langs)[0]),
    urls,
    hashtags,
    mentions,
    media: embedded.media,
    extra,
  };
}

/** Maps an app.bsky.feed.repost record (`{subject: {uri, cid}, createdAt, via?}`). */
function repostRow(record: Obj, env: Envelope, zone: ZoneResolver, line: number, sink: RowSink): RawPost {
  const subject = str(obj(record.subject)?.uri);
  if (!subject) throw new RowError('repost without subject.uri');
  const via = str(obj(record.via)?.uri);
  return {
    platform: env.platform,
    postId: env.postId,
    accountId: env.accountId,
    createdAt: recordTime(record, env, zone, line, sink),
    kind: 'repost',
    refPostId: subject,
    refAccountId: didOf(subject),
    extra: via ? { ...env.extra, via } : env.extra,
  };
}

/** Bluesky's placeholder for a handle that no longer verifies. */
function handleOf(v: unknown): string | null {
  const handle = str(v);
  return handle === 'handle.invalid' ? null : handle;
}

/** An account from an author or reposter (`app.bsky.actor.defs#profileViewBasic`). */
function actorAccount(actor: Obj, platform: string, observedAt: number): RawAccount | null {
  const did = str(actor.did);
  if (!did) return null;
  // The avatar URL ends in the blob CID: .../img/avatar/plain/<did>/<cid>@jpeg
  const avatar = /\/([a-z2-7]{20,})@\w+$/.exec(str(actor.avatar) ?? '')?.[1];
  return {
    platform,
    accountId: did,
    handle: handleOf(actor.handle),
    displayName: textOrNull(str(actor.displayName)),
    createdAt: timeValue(actor.createdAt),
    observedAt,
    extra: avatar ? { avatar } : null,
  };
}

/** Skip code and message for a commit to a collection that holds no posts. */
function skipped(collection: string): [string, string] {
  const m = /^(?:app|chat)\.bsky\.[a-z]+\.([A-Za-z]+)$/.exec(collection);
  if (!m) return ['skipped-other-app', 'records of other AT Protocol apps: not posts'];
  return [`skipped-${m[1]!.toLowerCase()}`, `${collection} records: not posts`];
}

function jetstreamEvent(ev: Obj, platform: string, zone: ZoneResolver, line: number, sink: RowSink): void {
  const did = ev.did as string;
  const observed = timeValue(ev.time_us);
  if (ev.kind === 'identity') {
    const identity = obj(ev.identity);
    const at = observed ?? timeValue(identity?.time);
    if (at === null)
      sink.warn('skipped-undated', 'identity or profile events without a time: not stored', line);
    else sink.account({ platform, accountId: did, handle: handleOf(identity?.handle), observedAt: at });
    return;
  }
  if (ev.kind === 'account') {
    sink.warn('skipped-account', 'account status events (active, deactivated, takendown): not posts', line);
    return;
  }
  const commit = obj(ev.commit);
  if (ev.kind !== 'commit' || !commit) {
    sink.warn('skipped-event', 'Jetstream events of other kinds: not posts', line);
    return;
  }
  const collection = str(commit.collection) ?? '';
  if (commit.operation === 'delete') {
    sink.warn('skipped-delete', 'deletions of records: not posts (a stored post stays)', line);
    return;
  }
  const record = obj(commit.record);
  if (collection === PROFILE) {
    const at = observed ?? timeValue(record?.createdAt);
    if (at === null) {
      sink.warn('skipped-undated', 'identity or profile events without a time: not stored', line);
      return;
    }
    const avatar = blobCid(record?.avatar);
    sink.account({
      platform,
      accountId: did,
      displayName: textOrNull(str(record?.displayName)),
      bio: textOrNull(str(record?.description)),
      url: str(record?.website),
      createdAt: timeValue(record?.createdAt),
      observedAt: at,
      extra: avatar ? { avatar } : null,
    });
    return;
  }
  if (collection !== POST && collection !== REPOST) {
    const [code, message] = skipped(collection);
    sink.warn(code, message, line);
    return;
  }
  const rkey = str(commit.rkey);
  if (!rkey) throw new RowError(`${collection} commit without rkey`);
  if (!record) throw new RowError(`${collection} ${String(commit.operation)} without a record`);
  const extra: Obj = { cid: commit.cid, rev: commit.rev, time_us: ev.time_us };
  if (commit.operation === 'update') extra.updated = true;
  const env: Envelope = {
    platform,
    postId: `at://${did}/${collection}/${rkey}`,
    accountId: did,
    observed,
    extra,
  };
  sink.post(
    collection === POST ? postRow(record, env, zone, line, sink) : repostRow(record, env, zone, line, sink),
    line,
  );
}

function isPostView(v: Obj | null): v is Obj {
  return !!v && typeof v.uri === 'string' && v.uri.startsWith('at://') && obj(v.record)?.$type === POST;
}

/** A post view (searchPosts, getPosts) or a feed item `{post, reason?}` (getAuthorFeed, getTimeline). */
function postView(item: Obj, platform: string, zone: ZoneResolver, line: number, sink: RowSink): void {
  const view = obj(item.post) ?? item;
  if (!isPostView(view)) throw new RowError('neither a Jetstream event nor a Bluesky post view');
  const uri = view.uri as string;
  const author = obj(view.author) ?? {};
  const accountId = str(author.did) ?? didOf(uri);
  if (!accountId) throw new RowError(`post view without author.did (${uri})`);
  const observed = timeValue(view.indexedAt);
  const extra: Obj = { cid: view.cid, indexed_at: view.indexedAt };
  for (const [key, count] of [
    ['like_count', view.likeCount],
    ['repost_count', view.repostCount],
    ['reply_count', view.replyCount],
    ['quote_count', view.quoteCount],
  ] as const)
    if (typeof count === 'number') extra[key] = count;
  const env: Envelope = { platform, postId: uri, accountId, observed, extra, labels: list(view.labels) };
  const post = postRow(view.record as Obj, env, zone, line, sink);
  sink.post(post, line);
  const account = actorAccount(author, platform, observed ?? post.createdAt);
  if (account) sink.account(account);

  // #reasonRepost {by, uri?, cid?, indexedAt}: the feed shows the post because `by` reposted it.
  const reason = obj(item.reason);
  if (reason?.$type !== 'app.bsky.feed.defs#reasonRepost') return;
  const by = obj(reason.by) ?? {};
  const reposter = str(by.did);
  const at = timeValue(reason.indexedAt);
  if (!reposter || at === null) throw new RowError('reasonRepost without by.did or indexedAt');
  sink.post(
    {
      platform,
      // Older AppViews do not give the repost record's URI; one repost per account and post.
      postId: str(reason.uri) ?? `repost:${reposter}:${uri}`,
      accountId: reposter,
      createdAt: at,
      kind: 'repost',
      refPostId: uri,
      refAccountId: accountId,
      extra: { indexed_at: reason.indexedAt },
    },
    line,
  );
  const reposterAccount = actorAccount(by, platform, at);
  if (reposterAccount) sink.account(reposterAccount);
}

/** The first JSON line of a head, parsed, or null. */
function firstValue(head: string): Obj | null {
  const first =
    head
      .replace(/^\ufeff/, '')
      .trimStart()
      .split('\n', 1)[0] ?? '';
  try {
    return obj(JSON.parse(first));
  } catch {
    return null;
  }
}

export const bluesky: FormatAdapter = {
  name: 'bluesky',
  title: 'Bluesky posts as JSON Lines: Jetstream events or AppView post views / feed items',
  framing: 'jsonl',
  platform: 'bluesky',
  timeResolution: 'second',
  detect(head) {
    const v = firstValue(head);
    if (!v) return 0;
    const jetstream =
      typeof v.did === 'string' && (EVENT_KINDS.has(v.kind as string) || typeof v.time_us === 'number');
    return jetstream || isPostView(obj(v.post) ?? v) ? 1 : 0;
  },
  value(ctx) {
    const platform = ctx.platform ?? 'bluesky';
    return (value, line, sink) => {
      const v = obj(value);
      if (!v) throw new RowError('not a JSON object');
      if (typeof v.did === 'string' && (typeof v.kind === 'string' || v.time_us !== undefined))
        jetstreamEvent(v, platform, ctx.zone, line, sink);
      else postView(v, platform, ctx.zone, line, sink);
    };
  },
};
