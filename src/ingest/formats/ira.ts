/**
 * The FiveThirtyEight / Clemson Internet Research Agency tweets (Linvill & Warren, "Troll
 * Factories"), both as FiveThirtyEight published them (`author`, `publish_date` as `10/1/2017 19:58`,
 * `post_type` RETWEET / QUOTE_TWEET) and in the per-author split used in `../shared/data/ira/`
 * (`author_id`, `publish_date` as `2015-10-01 00:02:00`, `post_type` R / Q).
 *
 * The data has no tweet ids and no ids of retweeted tweets; a retweet carries the original's text.
 * So:
 * - a post's key is a content key (author, minute, type, text) plus an occurrence number when the same
 *   row appears again in the file (`#2`), so identical rows stay distinct and re-ingest is idempotent;
 *   when a `tweet_id` column exists it is used instead;
 * - a retweet's shared object is a content key of the original's normalised text (`text:...`), so
 *   accounts retweeting the same tweet are linked as they would be by a retweet id.
 * Times have minute resolution and no documented zone (read as UTC with a counted warning unless
 * `--timezone` is given).
 */

import { FormatError } from '../../core/errors.js';
import type { PostKind } from '../../core/types.js';
import { normalizeLang } from '../normalize/lang.js';
import { normalizeText } from '../normalize/text.js';
import {
  contentKey,
  countOrNull,
  entitiesFromText,
  extraColumns,
  headerOf,
  idOrNull,
  textOrNull,
  timeOf,
} from './fields.js';
import { type FormatAdapter, RowError } from './types.js';

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Reads FiveThirtyEight's `M/D/YYYY H:MM` into ISO form; other forms pass through. */
function isoDate(value: string | undefined): string | undefined {
  const m = value ? US_DATE.exec(value.trim()) : null;
  if (!m) return value;
  const pad = (s: string | undefined) => (s ?? '0').padStart(2, '0');
  return `${m[3]}-${pad(m[1])}-${pad(m[2])} ${pad(m[4])}:${m[5]}:${pad(m[6])}`;
}

/** The shared-object key of a retweet: the original's text, normalised. */
export function retweetObjectKey(text: string): string {
  return `text:${contentKey(normalizeText(text) ?? '')}`;
}

const MAPPED = [
  'author_id',
  'author',
  'publish_date',
  'content',
  'post_type',
  'language',
  'following',
  'followers',
  'tweet_id',
];

export const ira: FormatAdapter = {
  name: 'ira',
  title: 'FiveThirtyEight / Clemson IRA tweets CSV (author, publish_date, content, post_type)',
  framing: 'csv',
  platform: 'twitter',
  timeResolution: 'minute',
  sequential: true,
  detect(head) {
    const cols = headerOf(head);
    const author = cols.includes('author_id') || cols.includes('author');
    return author && cols.includes('publish_date') && cols.includes('content') && cols.includes('post_type')
      ? 1
      : 0;
  },
  csv(header, ctx) {
    const ix = new Map(header.map((h, i) => [h.trim().toLowerCase(), i] as [string, number]));
    const authorCol = ix.get('author_id') ?? ix.get('author');
    const required = ['publish_date', 'content'].filter((c) => !ix.has(c));
    if (authorCol === undefined) required.unshift('author_id (or author)');
    if (required.length)
      throw new FormatError(
        `missing required column${required.length > 1 ? 's' : ''} ${required.join(', ')} for format ira`,
      );
    const at = (name: string) => ix.get(name) ?? -1;
    const [date, content, type, lang, following, followers, tweetId] = [
      'publish_date',
      'content',
      'post_type',
      'language',
      'following',
      'followers',
      'tweet_id',
    ].map(at) as number[];
    const extras = extraColumns(header, MAPPED);
    const platform = ctx.platform ?? 'twitter';
    return (f, line, sink) => {
      const account = idOrNull(f[authorCol!]);
      if (!account) throw new RowError('empty author');
      const when = timeOf(isoDate(f[date!]), 'publish_date', ctx.zone, line, sink);
      const text = textOrNull(f[content!]) ?? '';
      const t = (type! >= 0 ? (f[type!] ?? '') : '').trim().toUpperCase();
      const kind: PostKind =
        t === 'R' || t === 'RETWEET' ? 'repost' : t === 'Q' || t === 'QUOTE_TWEET' ? 'quote' : 'post';
      const id = tweetId! >= 0 ? idOrNull(f[tweetId!]) : null;
      const postId = id ?? ctx.occurrence(`ira:${contentKey(account, when, t, text)}`);
      const extra: Record<string, unknown> = {};
      for (const [name, i] of extras) if (f[i]) extra[name] = f[i];
      const language = lang! >= 0 ? textOrNull(f[lang!]) : null;
      // A label that maps to no language code (`LANGUAGE UNDEFINED`, `Farsi (Persian)`) is kept as written.
      if (language && !normalizeLang(language)) extra.language = language;
      sink.post(
        {
          platform,
          postId,
          accountId: account,
          createdAt: when,
          kind,
          refPostId: kind === 'repost' ? retweetObjectKey(text) : null,
          text,
          lang: language,
          ...entitiesFromText(text),
          extra: Object.keys(extra).length ? extra : null,
        },
        line,
      );
      sink.account({
        platform,
        accountId: account,
        handle: account,
        followers: followers! >= 0 ? countOrNull(f[followers!]) : null,
        following: following! >= 0 ? countOrNull(f[following!]) : null,
        observedAt: when,
      });
    };
  },
};
