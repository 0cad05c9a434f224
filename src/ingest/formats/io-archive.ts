/**
 * The X/Twitter information-operations archive (transparency.x.com, 2018-2021 releases): one CSV
 * row per tweet with the account's profile repeated on each row.
 *
 * Quirks handled: user ids, names and handles of small accounts are hashed; lists are Python
 * `repr()` strings (`['a', 'b']`); missing values appear as `absent`; counts are sometimes floats
 * (`3.0`); `tweet_time` has minute resolution and is UTC (documented by X), so zone-less times here
 * raise no warning; `account_creation_date` is a date.
 */
import type { PostKind } from '../../core/types.js';
import { parseTimestamp } from '../normalize/time.js';
import {
  boolOf,
  countOrNull,
  extraColumns,
  headerIndex,
  headerOf,
  idOrNull,
  parsePyList,
  textOrNull,
  timeOf,
} from './fields.js';
import { type FormatAdapter, RowError } from './types.js';

export const IO_ARCHIVE_COLUMNS = [
  'tweetid',
  'userid',
  'user_display_name',
  'user_screen_name',
  'user_reported_location',
  'user_profile_description',
  'user_profile_url',
  'follower_count',
  'following_count',
  'account_creation_date',
  'account_language',
  'tweet_language',
  'tweet_text',
  'tweet_time',
  'tweet_client_name',
  'in_reply_to_userid',
  'in_reply_to_tweetid',
  'quoted_tweet_tweetid',
  'is_retweet',
  'retweet_userid',
  'retweet_tweetid',
  'latitude',
  'longitude',
  'quote_count',
  'reply_count',
  'like_count',
  'retweet_count',
  'hashtags',
  'urls',
  'user_mentions',
  'poll_choices',
] as const;

/** Columns the adapter maps to canonical fields; the others are kept in `extra`. */
const MAPPED = new Set<string>(
  IO_ARCHIVE_COLUMNS.filter(
    (c) =>
      ![
        'latitude',
        'longitude',
        'quote_count',
        'reply_count',
        'like_count',
        'retweet_count',
        'poll_choices',
      ].includes(c),
  ),
);

export const ioArchive: FormatAdapter = {
  name: 'io-archive',
  title: 'X/Twitter information-operations archive CSV (tweetid, userid, ..., tweet_time, ...)',
  framing: 'csv',
  platform: 'twitter',
  timeResolution: 'minute',
  detect(head) {
    const cols = headerOf(head);
    return cols.includes('tweetid') && cols.includes('userid') && cols.includes('tweet_time') ? 1 : 0;
  },
  native(header, ctx) {
    const columns = header.map((h) => h.trim());
    if (
      !['tweetid', 'userid', 'tweet_time'].every((c) => columns.includes(c)) ||
      new Set(columns).size !== columns.length
    )
      return null;
    const col = (name: string) => (columns.includes(name) ? `"${name}"` : 'NULL::VARCHAR');
    const platform = `'${(ctx.platform ?? 'twitter').replaceAll("'", "''")}'`;
    const retweet = `lk_bool(${col('is_retweet')})`;
    const time = `lk_io_time(${col('tweet_time')})`;
    const extras = columns.filter((c) => c !== '' && !MAPPED.has(c));
    // extra: the other columns as a JSON object, without empty or `absent` values; counts as numbers.
    const extra = extras.length
      ? `nullif('{' || concat_ws(',', ${extras
          .map((name) => {
            const v = `"${name.replaceAll('"', '""')}"`;
            const key = JSON.stringify(name).replaceAll("'", "''");
            const value = /_count$/.test(name)
              ? `coalesce(lk_count(${v})::VARCHAR, to_json(${v})::VARCHAR)`
              : `to_json(${v})::VARCHAR`;
            return `CASE WHEN ${v} IS NULL OR ${v} = '' OR ${v} = 'absent' THEN NULL ELSE '${key}:' || ${value} END`;
          })
          .join(', ')}) || '}', '{}')`
      : 'NULL';
    return {
      columns,
      select: `${platform} AS platform, lk_id(${col('tweetid')}) AS post_id, lk_id(${col('userid')}) AS account_id, ${time} AS created_at,
        CASE WHEN ${retweet} THEN 'repost' WHEN lk_id(${col('quoted_tweet_tweetid')}) IS NOT NULL THEN 'quote'
          WHEN lk_id(${col('in_reply_to_tweetid')}) IS NOT NULL THEN 'reply' ELSE 'post' END AS kind,
        coalesce(CASE WHEN ${retweet} THEN lk_id(${col('retweet_tweetid')}) END, lk_id(${col('quoted_tweet_tweetid')})) AS ref_post_id,
        CASE WHEN ${retweet} THEN lk_id(${col('retweet_userid')}) END AS ref_account_id,
        lk_id(${col('in_reply_to_tweetid')}) AS reply_to_post_id, lk_id(${col('in_reply_to_userid')}) AS reply_to_account_id,
        lk_text(${col('tweet_text')}) AS text, lk_lang(lk_text(${col('tweet_language')})) AS lang,
        lk_pylist(${col('urls')}) AS urls_raw, lk_pylist(${col('hashtags')}) AS tags_raw, lk_pylist(${col('user_mentions')}) AS mentions_raw,
        []::VARCHAR[] AS media, lk_text(${col('tweet_client_name')}) AS client, ${extra} AS extra,
        lk_text(${col('user_screen_name')}) AS acc_handle, lk_text(${col('user_display_name')}) AS acc_display_name,
        lk_text(${col('user_profile_description')}) AS acc_bio, lk_text(${col('user_reported_location')}) AS acc_location,
        lk_text(${col('user_profile_url')}) AS acc_url,
        try_strptime(${col('account_creation_date')}, ['%Y-%m-%d', '%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S']) AS acc_created,
        lk_count(${col('follower_count')}) AS acc_followers, lk_count(${col('following_count')}) AS acc_following,
        lk_lang(lk_text(${col('account_language')})) AS acc_lang`,
    };
  },
  csv(header, ctx) {
    const ix = headerIndex(header, ['tweetid', 'userid', 'tweet_time'], 'io-archive');
    const col = (name: string) => ix.get(name) ?? -1;
    const c = Object.fromEntries(IO_ARCHIVE_COLUMNS.map((n) => [n, col(n)])) as Record<
      (typeof IO_ARCHIVE_COLUMNS)[number],
      number
    >;
    const extras = extraColumns(header, MAPPED);
    const platform = ctx.platform ?? 'twitter';
    const get = (f: string[], i: number) => (i >= 0 ? f[i] : undefined);
    const createdCache = new Map<string, number | null>();
    return (f, line, sink) => {
      const postId = idOrNull(f[c.tweetid]);
      const accountId = idOrNull(f[c.userid]);
      if (!postId) throw new RowError('empty tweetid');
      if (!accountId) throw new RowError('empty userid');
      const createdAt = timeOf(f[c.tweet_time], 'tweet_time', ctx.zone, line, sink, true);
      const retweetOf = boolOf(get(f, c.is_retweet)) ? idOrNull(get(f, c.retweet_tweetid)) : null;
      const quoteOf = idOrNull(get(f, c.quoted_tweet_tweetid));
      const replyTo = idOrNull(get(f, c.in_reply_to_tweetid));
      let kind: PostKind = 'post';
      if (boolOf(get(f, c.is_retweet))) kind = 'repost';
      else if (quoteOf) kind = 'quote';
      else if (replyTo) kind = 'reply';
      const extra: Record<string, unknown> = {};
      for (const [name, i] of extras) {
        const v = f[i];
        if (v !== undefined && v !== '' && v !== 'absent')
          extra[name] = /_count$/.test(name) ? (countOrNull(v) ?? v) : v;
      }
      sink.post(
        {
          platform,
          postId,
          accountId,
          createdAt,
          kind,
          refPostId: retweetOf ?? quoteOf,
          refAccountId: kind === 'repost' ? idOrNull(get(f, c.retweet_userid)) : null,
          replyToPostId: replyTo,
          replyToAccountId:
            replyTo || get(f, c.in_reply_to_userid) ? idOrNull(get(f, c.in_reply_to_userid)) : null,
          text: textOrNull(get(f, c.tweet_text)),
          lang: textOrNull(get(f, c.tweet_language)),
          urls: parsePyList(get(f, c.urls)),
          hashtags: parsePyList(get(f, c.hashtags)),
          mentions: parsePyList(get(f, c.user_mentions)),
          client: textOrNull(get(f, c.tweet_client_name)),
          extra: Object.keys(extra).length ? extra : null,
        },
        line,
      );
      const created = get(f, c.account_creation_date);
      let accountCreated: number | null = null;
      if (created) {
        accountCreated = createdCache.get(created) ?? null;
        if (!createdCache.has(created)) {
          accountCreated = parseTimestamp(created)?.ms ?? null;
          if (createdCache.size < 100_000) createdCache.set(created, accountCreated);
        }
      }
      sink.account({
        platform,
        accountId,
        handle: textOrNull(get(f, c.user_screen_name)),
        displayName: textOrNull(get(f, c.user_display_name)),
        bio: textOrNull(get(f, c.user_profile_description)),
        location: textOrNull(get(f, c.user_reported_location)),
        url: textOrNull(get(f, c.user_profile_url)),
        createdAt: accountCreated,
        followers: countOrNull(get(f, c.follower_count)),
        following: countOrNull(get(f, c.following_count)),
        lang: textOrNull(get(f, c.account_language)),
        observedAt: createdAt,
      });
    };
  },
};
