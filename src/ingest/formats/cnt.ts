/**
 * The CSV input of QUT Digital Observatory's coordination-network-toolkit (`compute_networks
 * preprocess --format csv`): `message_id, user_id, username, repost_id, reply_id, message,
 * timestamp, urls`, with timestamps in epoch seconds and URLs space-separated.
 */
import type { PostKind } from '../../core/types.js';
import { entitiesFromText, headerIndex, headerOf, idOrNull, textOrNull, timeOf } from './fields.js';
import { type FormatAdapter, RowError } from './types.js';

export const cnt: FormatAdapter = {
  name: 'cnt',
  title:
    'coordination-network-toolkit CSV (message_id, user_id, username, repost_id, reply_id, message, timestamp, urls)',
  framing: 'csv',
  platform: 'twitter',
  timeResolution: 'second',
  detect(head) {
    const cols = headerOf(head);
    return ['message_id', 'user_id', 'repost_id', 'timestamp'].every((c) => cols.includes(c)) ? 0.9 : 0;
  },
  csv(header, ctx) {
    const ix = headerIndex(header, ['message_id', 'user_id', 'timestamp'], 'cnt');
    const at = (c: string) => ix.get(c) ?? -1;
    const [id, user, name, repost, reply, message, time, urls] = [
      'message_id',
      'user_id',
      'username',
      'repost_id',
      'reply_id',
      'message',
      'timestamp',
      'urls',
    ].map(at) as number[];
    const platform = ctx.platform ?? 'twitter';
    const get = (f: string[], i: number) => (i >= 0 ? f[i] : undefined);
    return (f, line, sink) => {
      const postId = idOrNull(f[id!]);
      const accountId = idOrNull(f[user!]);
      if (!postId) throw new RowError('empty message_id');
      if (!accountId) throw new RowError('empty user_id');
      const createdAt = timeOf(f[time!], 'timestamp', ctx.zone, line, sink);
      const repostOf = textOrNull(get(f, repost!)) ?? null;
      const replyTo = textOrNull(get(f, reply!)) ?? null;
      const kind: PostKind = repostOf ? 'repost' : replyTo ? 'reply' : 'post';
      const text = textOrNull(get(f, message!));
      const found = entitiesFromText(text);
      const listed = (get(f, urls!) ?? '').split(/\s+/).filter(Boolean);
      sink.post(
        {
          platform,
          postId,
          accountId,
          createdAt,
          kind,
          refPostId: repostOf,
          replyToPostId: replyTo,
          text,
          urls: listed.length ? listed : found.urls,
          hashtags: found.hashtags,
          mentions: found.mentions,
        },
        line,
      );
      const handle = textOrNull(get(f, name!));
      if (handle) sink.account({ platform, accountId, handle, observedAt: createdAt });
    };
  },
};
