/**
 * CooRTweet's long format (Righetti & Balluff 2025; R package CooRTweet): one row per share,
 * `object_id, account_id, content_id, timestamp_share` (POSIX seconds), as produced by its
 * `prep_data` / `reshape_tweets` and shipped as `russian_coord_tweets`.
 *
 * CooRTweet treats every row as a share, even when a `content_id` repeats (the shipped data repeats
 * 40 content ids: 39 with two objects, and one exact duplicate row). To keep its semantics, a repeated
 * content id is stored as a separate share `content_id#2` (with a counted warning) and the original
 * id kept in `extra.content_id`.
 *
 * `object_id` is what was shared. By default it is a post (a retweeted tweet: `ref_post_id`); give
 * `--object-kind url|domain|hashtag|media` when the file's objects are links, domains, tags or images.
 */

import { UsageError } from '../../core/errors.js';
import type { RawPost } from '../../core/types.js';
import { extraColumns, headerIndex, headerOf, idOrNull, timeOf } from './fields.js';
import { type FormatAdapter, RowError } from './types.js';

export type ObjectKind = 'post' | 'url' | 'domain' | 'hashtag' | 'media';
export const OBJECT_KINDS: ObjectKind[] = ['post', 'url', 'domain', 'hashtag', 'media'];

/** Places an opaque object id in the post field its kind belongs to. */
export function placeObject(post: RawPost, kind: ObjectKind, object: string): void {
  if (kind === 'post') {
    post.kind = 'repost';
    post.refPostId = object;
  } else if (kind === 'url') post.urls = [...(post.urls ?? []), object];
  else if (kind === 'domain') post.domains = [...(post.domains ?? []), object];
  else if (kind === 'hashtag') post.hashtags = [...(post.hashtags ?? []), object];
  else post.media = [...(post.media ?? []), object];
}

export const coortweet: FormatAdapter = {
  name: 'coortweet',
  title: 'CooRTweet long format CSV (object_id, account_id, content_id, timestamp_share)',
  framing: 'csv',
  platform: 'twitter',
  timeResolution: 'second',
  sequential: true,
  detect(head) {
    const cols = headerOf(head).map((c) => (c === 'id_user' ? 'account_id' : c));
    return ['object_id', 'account_id', 'content_id', 'timestamp_share'].every((c) => cols.includes(c))
      ? 1
      : 0;
  },
  csv(header, ctx) {
    // `id_user` is an older name of `account_id` (some versions of CooRTweet's `prep_data` write
    // it; its `detect_groups` renames it with a deprecation warning).
    const names = header.some((h) => h.trim() === 'account_id')
      ? header
      : header.map((h) => (h.trim() === 'id_user' ? 'account_id' : h));
    const ix = headerIndex(names, ['object_id', 'account_id', 'content_id', 'timestamp_share'], 'coortweet');
    const [object, account, content, time] = ['object_id', 'account_id', 'content_id', 'timestamp_share'].map(
      (c) => ix.get(c)!,
    ) as [number, number, number, number];
    const objectKind = (ctx.options.objectKind as ObjectKind | undefined) ?? 'post';
    if (!OBJECT_KINDS.includes(objectKind))
      throw new UsageError(`unknown --object-kind "${objectKind}"; use one of ${OBJECT_KINDS.join(', ')}`);
    const extras = extraColumns(names, ['object_id', 'account_id', 'content_id', 'timestamp_share']);
    const platform = ctx.platform ?? 'twitter';
    return (f, line, sink) => {
      const objectId = idOrNull(f[object]);
      const accountId = idOrNull(f[account]);
      const contentId = idOrNull(f[content]);
      if (!accountId) throw new RowError('empty account_id');
      if (!contentId) throw new RowError('empty content_id');
      if (!objectId) throw new RowError('empty object_id');
      const createdAt = timeOf(f[time], 'timestamp_share', ctx.zone, line, sink);
      const postId = ctx.occurrence(contentId);
      const extra: Record<string, unknown> = {};
      if (postId !== contentId) {
        extra.content_id = contentId;
        sink.warn(
          'repeated-content-id',
          'content_id repeated: kept as a separate share content_id#n, as CooRTweet counts every row',
          line,
        );
      }
      for (const [name, i] of extras) if (f[i]) extra[name] = f[i];
      const post: RawPost = {
        platform,
        postId,
        accountId,
        createdAt,
        kind: 'post',
        extra: Object.keys(extra).length ? extra : null,
      };
      placeObject(post, objectKind, objectId);
      sink.post(post, line);
    };
  },
};
