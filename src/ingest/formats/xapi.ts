/**
 * X (Twitter) API v2 responses, as saved by twarc2 and most collectors: JSON Lines with one
 * response page per line (`{data, includes, meta, errors}`), JSON Lines with one tweet per line
 * (twarc2 `flatten` output, or bare tweets with `author_id`), a JSON file holding one page, or a JSON
 * array of pages. Field names follow the v2 data dictionary (Tweet, User and Place objects:
 * https://docs.x.com/x-api/fundamentals/data-dictionary) and twarc's `expansions.flatten`.
 *
 * - Every tweet in `data` and in `includes.tweets` is a row: the referenced originals are posts too.
 *   A tweet seen again (in `includes` of several pages, or in both `data` and `includes`) is counted
 *   as a duplicate by the pipeline's de-duplication on the tweet id.
 * - `referenced_tweets[].type` sets the kind: `retweeted` > `quoted` > `replied_to` > post. A quote
 *   that is also a reply keeps its reply target. The shared tweet's author is looked up among the
 *   page's tweets; for a retweet whose original is missing, the `RT @user:` mention (at offset 3)
 *   names it.
 * - Long posts: `note_tweet.text` and `note_tweet.entities` replace the truncated `text`.
 * - URLs: `unwound_url`, else `expanded_url`, else the `t.co` `url`; URL entities carrying a
 *   `media_key` are the post's own attached media (`pic.x.com/...`) and are left out (the media
 *   keys are kept in `media`).
 * - Accounts: `includes.users` (or, flattened, `author`, `in_reply_to_user` and the profiles twarc
 *   merges into mentions). A profile is a snapshot taken at collection time, which the page does
 *   not record, so it is observed at the latest `created_at` of that user's own tweets in the same
 *   page (or line), else of the latest tweet that references them (retweet, quote, reply, mention),
 *   else of the page's latest tweet. Later observations win when profiles are merged.
 * - Not posts, so not rows: `errors` entries (deleted, protected or suspended items) are counted as
 *   warnings; `meta` is pagination only; `includes.places` feeds `extra.geo`; `includes.media` and `includes.polls`
 *   add nothing beyond the keys and ids already kept.
 */
import type { PostKind, RawAccount, RawPost } from '../../core/types.js';
import { parseTimestamp } from '../normalize/time.js';
import type { SourceInfo } from '../source.js';
import { countOrNull, idOrNull, textOrNull, timeOf } from './fields.js';
import { type FormatAdapter, type FormatContext, type Framing, RowError, type RowSink } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
const count = (v: unknown): number | null =>
  countOrNull(typeof v === 'number' || typeof v === 'string' ? v : null);

/** v2 ids are strings; a number (data re-serialised by some tool) is accepted while it is exact. */
function idOf(v: unknown): string | null {
  if (typeof v === 'string') return idOrNull(v);
  return typeof v === 'number' && Number.isSafeInteger(v) ? idOrNull(String(v)) : null;
}

/** A tweet's author: `author_id`, or the `author` object twarc2's flatten embeds. */
const authorOf = (t: Obj | undefined): string | null =>
  t ? (idOf(t.author_id) ?? (isObj(t.author) ? idOf(t.author.id) : null)) : null;

/** One entity field (`tag`, `username`) of each entity in a list. */
const entityValues = (list: unknown, field: string): string[] =>
  objs(list).flatMap((e) => (typeof e[field] === 'string' && e[field] !== '' ? [e[field] as string] : []));

/** Top-level keys of a v2 response page. */
const PAGE_KEYS = ['data', 'includes', 'meta', 'errors'];

/** One response page (or one flattened tweet with what it embeds), ready to map. */
interface Page {
  /** `data` tweets first, then the referenced tweets (`includes.tweets`, or embedded when flattened). */
  tweets: Obj[];
  /** How many of `tweets` come from `data` (the ones a stream's `matching_rules` apply to). */
  dataCount: number;
  users: Map<string, Obj>;
  places: Map<string, Obj>;
  /** Filtered-stream rules that matched the page's `data` tweet. */
  rules: unknown;
}

function byId(items: Obj[]): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const item of items) {
    const id = idOf(item.id);
    if (id) out.set(id, item);
  }
  return out;
}

/** A response page: `data` (a list, or one object for single-tweet lookups), `includes`, `errors`, `meta`. */
function fromPage(value: Obj, line: number, sink: RowSink): Page {
  const data = value.data;
  const items = data === undefined || data === null ? [] : Array.isArray(data) ? data : [data];
  const tweets: Obj[] = [];
  for (const item of items) {
    if (isObj(item)) tweets.push(item);
    else sink.reject(line, 'a "data" item is not a tweet object', JSON.stringify(item));
  }
  const dataCount = tweets.length;
  const includes = isObj(value.includes) ? value.includes : {};
  tweets.push(...objs(includes.tweets));
  // Partial errors: items the API could not return (Not Found, Authorization Error, ...).
  for (const _ of objs(value.errors))
    sink.warn('api-error', 'X API "errors" entry (an item the API could not return), not a post', line);
  return {
    tweets,
    dataCount,
    users: byId(objs(includes.users)),
    places: byId(objs(includes.places)),
    rules: value.matching_rules,
  };
}

/**
 * One tweet per line. twarc2's flatten embeds the author (`author`), the replied-to user
 * (`in_reply_to_user`), each mentioned user's profile (merged into its mention entity) and each
 * referenced tweet (merged into its `referenced_tweets` entry, itself flattened); an entry may also
 * hold the tweet under `tweet`. A bare tweet with `author_id` has none of these.
 */
function fromTweet(tweet: Obj): Page {
  const tweets: Obj[] = [];
  const users: Obj[] = [];
  const visit = (t: Obj) => {
    tweets.push(t);
    for (const u of [t.author, t.in_reply_to_user]) if (isObj(u)) users.push(u);
    const mentions = isObj(t.entities) ? t.entities.mentions : undefined;
    for (const m of objs(mentions)) if ('name' in m) users.push(m);
    for (const r of objs(t.referenced_tweets)) {
      const ref = isObj(r.tweet) ? r.tweet : r;
      if ('text' in ref || 'author_id' in ref) visit(ref);
    }
  };
  visit(tweet);
  return { tweets, dataCount: 1, users: byId(users), places: new Map(), rules: undefined };
}

/** `geo` kept compact: place id, point coordinates, and the place's name and country when known. */
function geoOf(geo: Obj, places: Map<string, Obj>): Obj {
  const placeId = str(geo.place_id);
  // Flattened tweets carry the place's fields merged into `geo` itself.
  const place = (placeId ? places.get(placeId) : undefined) ?? geo;
  const point = isObj(geo.coordinates) ? geo.coordinates.coordinates : undefined;
  const fields = {
    place_id: placeId,
    coordinates: point,
    place: place.full_name,
    country_code: place.country_code,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
}

/** Useful tweet fields without a canonical column, kept compact (defaults and one-item lists left out). */
function extraOf(t: Obj, entities: Obj, page: Page, rules: unknown): Obj | null {
  const extra: Obj = {};
  if (isObj(t.public_metrics)) extra.public_metrics = t.public_metrics;
  if (typeof t.conversation_id === 'string') extra.conversation_id = t.conversation_id;
  if (t.possibly_sensitive === true) extra.possibly_sensitive = true;
  if (typeof t.reply_settings === 'string' && t.reply_settings !== 'everyone')
    extra.reply_settings = t.reply_settings;
  const edits = strs(t.edit_history_tweet_ids);
  if (edits.length > 1) extra.edit_history_tweet_ids = edits;
  const cashtags = entityValues(entities.cashtags, 'tag');
  if (cashtags.length) extra.cashtags = cashtags;
  if (isObj(t.geo)) extra.geo = geoOf(t.geo, page.places);
  const polls = isObj(t.attachments) ? strs(t.attachments.poll_ids) : [];
  if (polls.length) extra.poll_ids = polls;
  if (t.withheld !== undefined) extra.withheld = t.withheld;
  if (typeof t.community_id === 'string') extra.community_id = t.community_id;
  if (rules !== undefined) extra.matching_rules = rules;
  return Object.keys(extra).length ? extra : null;
}

function toPost(
  t: Obj,
  page: Page,
  tweetsById: Map<string, Obj>,
  rules: unknown,
  ctx: FormatContext,
  line: number,
  sink: RowSink,
): RawPost {
  const postId = idOf(t.id);
  if (!postId) throw new RowError('tweet without id');
  const accountId = authorOf(t);
  if (!accountId) throw new RowError('tweet without author_id (collect with tweet.fields=author_id)');
  const createdAt = timeOf(str(t.created_at), 'created_at', ctx.zone, line, sink);
  const refs = objs(t.referenced_tweets);
  const ref = (type: string) => idOf(refs.find((r) => r.type === type)?.id);
  const retweeted = ref('retweeted');
  const quoted = ref('quoted');
  const repliedTo = ref('replied_to');
  const kind: PostKind = retweeted ? 'repost' : quoted ? 'quote' : repliedTo ? 'reply' : 'post';
  const shared = retweeted ?? quoted;
  // Long posts: the full text and its entities are in note_tweet; `text` is cut.
  const note = isObj(t.note_tweet) ? t.note_tweet : undefined;
  const noteEntities = note?.entities;
  const entities = isObj(noteEntities) ? noteEntities : isObj(t.entities) ? t.entities : {};
  const mentions = objs(entities.mentions);
  // A retweet's text starts `RT @user:`: the mention at offset 3 is the original's author.
  const rtAuthor = () => idOf(mentions.find((m) => m.start === 3)?.id);
  return {
    platform: ctx.platform ?? 'twitter',
    postId,
    accountId,
    createdAt,
    kind,
    refPostId: shared,
    refAccountId: shared ? (authorOf(tweetsById.get(shared)) ?? (retweeted ? rtAuthor() : null)) : null,
    replyToPostId: repliedTo,
    replyToAccountId: idOf(t.in_reply_to_user_id) ?? (repliedTo ? authorOf(tweetsById.get(repliedTo)) : null),
    text: textOrNull(str(note?.text) ?? str(t.text)),
    lang: textOrNull(str(t.lang)),
    urls: objs(entities.urls)
      .filter((u) => u.media_key === undefined)
      .flatMap((u) => str(u.unwound_url) ?? str(u.expanded_url) ?? str(u.url) ?? []),
    hashtags: entityValues(entities.hashtags, 'tag'),
    mentions: entityValues(mentions, 'username'),
    media: isObj(t.attachments) ? strs(t.attachments.media_keys) : [],
    client: textOrNull(str(t.source)),
    extra: extraOf(t, entities, page, rules),
  };
}

/** A User object; `url` is the t.co wrapper, the real link is `entities.url.urls[0].expanded_url`. */
function toAccount(u: Obj, accountId: string, platform: string, observedAt: number): RawAccount {
  const metrics = isObj(u.public_metrics) ? u.public_metrics : {};
  const urlEntity = isObj(u.entities) && isObj(u.entities.url) ? objs(u.entities.url.urls)[0] : undefined;
  const created = str(u.created_at);
  const extra: Obj = {};
  for (const k of ['verified_type', 'protected', 'profile_image_url'])
    if (u[k] !== undefined) extra[k] = u[k];
  for (const k of ['tweet_count', 'listed_count']) if (metrics[k] !== undefined) extra[k] = metrics[k];
  return {
    platform,
    accountId,
    handle: textOrNull(str(u.username)),
    displayName: textOrNull(str(u.name)),
    bio: textOrNull(str(u.description)),
    location: textOrNull(str(u.location)),
    url: textOrNull(str(urlEntity?.expanded_url) ?? str(u.url)),
    createdAt: created ? (parseTimestamp(created)?.ms ?? null) : null,
    followers: count(metrics.followers_count),
    following: count(metrics.following_count),
    verified: typeof u.verified === 'boolean' ? u.verified : null,
    observedAt,
    extra: Object.keys(extra).length ? extra : null,
  };
}

function later(times: Map<string, number>, key: string | null | undefined, ms: number): void {
  if (key && ms > (times.get(key) ?? Number.NEGATIVE_INFINITY)) times.set(key, ms);
}

/** Maps a page's tweets (a bad tweet rejects only itself) and then its users. */
function mapPage(page: Page, ctx: FormatContext, line: number, sink: RowSink): void {
  // Reversed so that the first copy of a tweet (the `data` one) wins the lookup.
  const tweetsById = byId([...page.tweets].reverse());
  const own = new Map<string, number>();
  // Referencing tweets, keyed by account id and by `@handle` (mentions name handles).
  const referencing = new Map<string, number>();
  let latest: number | null = null;
  for (const [i, t] of page.tweets.entries()) {
    const rules = i < page.dataCount ? (t.matching_rules ?? page.rules) : undefined;
    let post: RawPost;
    try {
      post = toPost(t, page, tweetsById, rules, ctx, line, sink);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      sink.reject(line, err.message, JSON.stringify(t));
      continue;
    }
    sink.post(post, line);
    later(own, post.accountId, post.createdAt);
    later(referencing, post.refAccountId, post.createdAt);
    later(referencing, post.replyToAccountId, post.createdAt);
    for (const m of post.mentions ?? []) later(referencing, `@${m.toLowerCase()}`, post.createdAt);
    if (latest === null || post.createdAt > latest) latest = post.createdAt;
  }
  for (const [id, u] of page.users) {
    const handle = str(u.username)?.toLowerCase();
    const observedAt =
      own.get(id) ?? referencing.get(id) ?? (handle ? referencing.get(`@${handle}`) : undefined) ?? latest;
    if (observedAt === null) {
      sink.warn('account-without-time', 'profile on a page without a readable tweet, not stored', line);
      continue;
    }
    sink.account(toAccount(u, id, ctx.platform ?? 'twitter', observedAt));
  }
}

/** One parsed value: a page, a tweet, or (one-line JSON array files) a list of them. */
function mapRecord(value: unknown, ctx: FormatContext, line: number, sink: RowSink): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      try {
        mapRecord(item, ctx, line, sink);
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        sink.reject(line, err.message, JSON.stringify(item));
      }
    }
    return;
  }
  if (!isObj(value)) throw new RowError('not a JSON object');
  if (PAGE_KEYS.some((k) => k in value)) mapPage(fromPage(value, line, sink), ctx, line, sink);
  else if ('id' in value) mapPage(fromTweet(value), ctx, line, sink);
  else
    throw new RowError('neither an X API v2 page (data, includes, meta, errors) nor a tweet (id, author_id)');
}

const V2_TWEET_KEYS = ['edit_history_tweet_ids', 'referenced_tweets', 'public_metrics', 'conversation_id'];
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

/** A v2 tweet: a numeric string id and a text; `strict` also asks for an author and v2-only keys. */
function isTweet(v: unknown, strict: boolean): boolean {
  if (!isObj(v) || typeof v.id !== 'string' || !/^\d+$/.test(v.id) || typeof v.text !== 'string')
    return false;
  if (!strict) return true;
  return (
    (typeof v.author_id === 'string' || isObj(v.author)) &&
    (V2_TWEET_KEYS.some((k) => k in v) || ISO_TIME.test(str(v.created_at) ?? ''))
  );
}

/** Text hints for a head that does not parse (a long first line, a large JSON document). */
const HEAD_HINTS = [
  /"id"\s*:\s*"\d+"/,
  /"text"\s*:\s*"/,
  /"author_id"\s*:\s*"\d+"/,
  /"(?:edit_history_tweet_ids|referenced_tweets|conversation_id|public_metrics)"\s*:/,
];

const headText = (source: SourceInfo | string) =>
  (typeof source === 'string' ? source : source.head).replace(/^\ufeff/, '').trimStart();

export const xapi: FormatAdapter = {
  name: 'xapi',
  title:
    'X (Twitter) API v2 responses: pages or tweets as JSON Lines (twarc2), a JSON page or array of pages',
  framing: 'jsonl',
  platform: 'twitter',
  timeResolution: 'second',
  detect(head) {
    const text = headText(head);
    const nl = text.indexOf('\n');
    for (const candidate of nl >= 0 ? [text.slice(0, nl), text] : [text]) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(candidate);
      } catch {
        continue;
      }
      const first = Array.isArray(parsed) ? parsed[0] : parsed;
      if (isObj(first) && 'data' in first) {
        const data = first.data;
        if (isTweet(Array.isArray(data) ? data[0] : data, false)) return 1;
      } else if (isTweet(first, true)) return 1;
      break;
    }
    return /^[[{]/.test(text) && HEAD_HINTS.every((hint) => hint.test(text)) ? 0.9 : 0;
  },
  /**
   * JSON Lines when the first line is a complete JSON value, or when one line fills the whole head
   * (a long page per line; a one-line object reads the same either way); else one JSON document.
   */
  framingFor(source): Framing {
    const text = headText(source);
    const nl = text.indexOf('\n');
    if (nl < 0) return text.startsWith('[') ? 'json' : 'jsonl';
    try {
      JSON.parse(text.slice(0, nl));
      return 'jsonl';
    } catch {
      return 'json';
    }
  },
  json: { arrayKey: null },
  value(ctx) {
    return (value, line, sink) => mapRecord(value, ctx, line, sink);
  },
};
