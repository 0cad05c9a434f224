/**
 * The CSV input of QUT Digital Observatory's coordination-network-toolkit (`compute_networks
 * preprocess --format csv`): `message_id, user_id, username, repost_id, reply_id, message,
 * timestamp, urls`, with timestamps in seconds and URLs space-separated.
 *
 * The toolkit reads ids as plain strings (an empty `repost_id` / `reply_id` means none) and the
 * timestamp with `float()`: seconds on any scale that is consistent across rows ("the absolute
 * offset does not matter"; its own tests use 0..300). So ids are kept as written (`0` is a real id
 * here, unlike in most exports) and a numeric timestamp is seconds since 1970 whatever its size:
 * small values are stored in 1970 and counted as `early-time` warnings, not rejected.
 */
import type { PostKind } from '../../core/types.js';
import type { ZoneResolver } from '../normalize/time.js';
import { entitiesFromText, headerIndex, headerOf, textOrNull, timeOf } from './fields.js';
import { type FormatAdapter, RowError, type RowSink } from './types.js';

/** An id as the toolkit keeps it: any non-blank string. */
function idOf(value: string | undefined): string | null {
  const s = value?.trim();
  return s ? s : null;
}

const SECONDS = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/** A numeric timestamp is seconds as it is (no plausibility window); other text (ISO 8601) is parsed. */
function secondsOf(value: string | undefined, zone: ZoneResolver, line: number, sink: RowSink): number {
  const s = value?.trim() ?? '';
  if (!SECONDS.test(s)) return timeOf(value, 'timestamp', zone, line, sink);
  const ms = Math.round(Number(s) * 1000);
  // Beyond what a Date (and the store's TIMESTAMP) can hold.
  if (!(Math.abs(ms) <= 8.64e15)) throw new RowError(`timestamp out of range "${s.slice(0, 40)}"`);
  return ms;
}

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
      const postId = idOf(f[id!]);
      const accountId = idOf(f[user!]);
      if (!postId) throw new RowError('empty message_id');
      if (!accountId) throw new RowError('empty user_id');
      const createdAt = secondsOf(f[time!], ctx.zone, line, sink);
      const repostOf = idOf(get(f, repost!));
      const replyTo = idOf(get(f, reply!));
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
