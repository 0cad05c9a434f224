/**
 * Telegram Desktop JSON exports (`result.json`): one chat ("Export chat history", `{name, type, id,
 * messages}`) or a whole account ("Export Telegram data", `{about, ..., chats: {about, list: [...]},
 * left_chats: {...}}`). The streaming scanner hands over every element of every `messages` array with
 * its chat's `name`, `type` and `id` (written before `messages`).
 *
 * Field meanings follow Telegram Desktop's writer (`export/output/export_output_json.cpp`):
 * - `date` is ISO local time of the exporting computer, with no zone; `date_unixtime` (since mid 2022)
 *   is the exact time in epoch seconds, as a string;
 * - `from_id` is `user123`, `channel123` or `chat123` (since April 2021; a number before);
 * - `text` is a string, or an array of strings and `{type, text, href?, user_id?}` parts;
 *   `text_entities` (since September 2022) always lists the parts;
 * - a forward carries only the source's name (`forwarded_from`, or `saved_from` in saved messages),
 *   never the original message id or time;
 * - `type` is `message`, `service` (joins, pins, title changes) or `unsupported` (id only).
 */
import type { PostKind } from '../../core/types.js';
import { normalizeText } from '../normalize/text.js';
import { parseEpoch, type ZoneResolver } from '../normalize/time.js';
import { contentKey, entitiesFromText, textOrNull, timeOf } from './fields.js';
import { type FormatAdapter, RowError, type RowSink } from './types.js';

/** Chat `type` values Telegram Desktop writes (`writeDialogStart`). */
const CHAT_TYPES =
  'personal_chat|bot_chat|saved_messages|replies|private_group|private_supergroup|public_supergroup|private_channel|public_channel';
const CHAT_TYPE = new RegExp(`"type"\\s*:\\s*"(?:${CHAT_TYPES})"`);
const CHANNELS = new Set(['public_channel', 'private_channel']);
/** Supergroups are channels in the API: anonymous admins post as the group itself. */
const SELF_POSTING = new Set([...CHANNELS, 'public_supergroup', 'private_supergroup']);

/** Message fields that become canonical columns; every other field goes to `extra`. */
const MAPPED = new Set([
  'id',
  'type',
  'date',
  'date_unixtime',
  'from',
  'from_id',
  'text',
  'text_entities',
  'reply_to_message_id',
  'reply_to_peer_id',
  'forwarded_from_id',
]);

type Json = Record<string, unknown>;

function str(value: unknown): string | null {
  return typeof value === 'string' ? textOrNull(value) : null;
}

/**
 * A peer as an account id: `user123` / `channel123` / `chat123` as written since April 2021. Older
 * exports wrote numbers: a user id (before September 2020), then a peer id with the kind in the high
 * bits (`1 << 32` users, `2 << 32` groups and channels).
 */
function peerOf(value: unknown): string | null {
  if (typeof value === 'string') return textOrNull(value.trim());
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) return null;
  if (value < 2 ** 32) return `user${value}`;
  return `${value >= 2 ** 33 ? 'channel' : 'user'}${value % 2 ** 32}`;
}

/** Plain text of a `text` value: the string, or its parts joined. */
function flatten(text: unknown): string {
  if (typeof text === 'string') return text;
  if (!Array.isArray(text)) return '';
  let out = '';
  for (const part of text) {
    if (typeof part === 'string') out += part;
    else if (part && typeof part === 'object' && typeof (part as Json).text === 'string')
      out += (part as Json).text;
  }
  return out;
}

/** URLs, hashtags and mentions from the entity parts; from the text itself when the export has none. */
function entitiesOf(message: Json, text: string) {
  const parts = Array.isArray(message.text_entities)
    ? message.text_entities
    : Array.isArray(message.text)
      ? message.text
      : null;
  if (!parts) return entitiesFromText(text);
  const urls: string[] = [];
  const hashtags: string[] = [];
  const mentions: string[] = [];
  for (const part of parts) {
    if (!part || typeof part !== 'object') continue;
    const { type, text: shown, href, user_id: userId } = part as Json;
    if (type === 'link' && typeof shown === 'string') urls.push(shown);
    else if (type === 'text_link' && typeof href === 'string') urls.push(href);
    else if (type === 'hashtag' && typeof shown === 'string') hashtags.push(shown);
    else if (type === 'mention' && typeof shown === 'string') mentions.push(shown.replace(/^@/, ''));
    else if (type === 'mention_name' && (typeof userId === 'number' || typeof userId === 'string'))
      mentions.push(`user${userId}`);
  }
  return { urls, hashtags, mentions };
}

/**
 * Media keys that are the same in every export of the same file (the paths are per export):
 * `file:<name>:<bytes>` for documents, `photo:<w>x<h>:<bytes>` for photos (sizes since 2025).
 */
function mediaOf(message: Json): string[] {
  const { file_name: name, file_size: size, photo, photo_file_size: photoSize, width, height } = message;
  const media: string[] = [];
  if (name !== undefined && name !== null && size !== undefined && size !== null)
    media.push(`file:${name}:${size}`);
  if (photo !== undefined && photoSize !== undefined && photoSize !== null)
    media.push(`photo:${width ?? ''}x${height ?? ''}:${photoSize}`);
  return media;
}

/** The exact `date_unixtime` when present; else the zone-less local `date`, read in `--timezone`. */
function timeOfMessage(message: Json, line: number, sink: RowSink, zone: ZoneResolver): number {
  const unix = message.date_unixtime;
  if (unix !== undefined && unix !== null) {
    const ms = /^\d+$/.test(String(unix)) ? parseEpoch(Number(unix)) : null;
    if (ms === null) throw new RowError(`unreadable date_unixtime "${String(unix).slice(0, 40)}"`);
    return ms;
  }
  return timeOf(typeof message.date === 'string' ? message.date : undefined, 'date', zone, line, sink);
}

export const telegram: FormatAdapter = {
  name: 'telegram',
  title: 'Telegram Desktop JSON export (result.json: one chat, or a whole account with chats.list)',
  framing: 'json',
  json: { arrayKey: 'messages' },
  platform: 'telegram',
  timeResolution: 'second',
  detect(head) {
    const s = head.replace(/^\ufeff/, '').trimStart();
    if (!s.startsWith('{')) return 0;
    if (/"messages"\s*:\s*\[/.test(s) && CHAT_TYPE.test(s)) return 1;
    // A whole-account export opens with its `about` text, then sections such as
    // `personal_information` and `chats: {about, list}`.
    if (
      /^\{\s*"about"\s*:\s*"/.test(s) &&
      /"(?:personal_information|contacts|chats|left_chats)"\s*:\s*\{/.test(s)
    )
      return 1;
    return 0;
  },
  value(ctx) {
    const platform = ctx.platform ?? 'telegram';
    return (value, line, sink, context = {}) => {
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new RowError('not a JSON object');
      const m = value as Json;
      if (m.type === 'service') {
        sink.warn('skipped-service', 'service messages (joins, pins, ...) skipped: not posts', line);
        return;
      }
      if (m.type === 'unsupported') throw new RowError('unsupported message: the export holds only its id');
      if (m.type !== 'message') throw new RowError(`unknown message type ${JSON.stringify(m.type)}`);
      if (typeof m.id !== 'number' && typeof m.id !== 'string') throw new RowError('message without id');
      const chatId = context.id;
      if (typeof chatId !== 'number' && typeof chatId !== 'string')
        throw new RowError('message outside a chat with an "id"');
      const chatType = str(context.type);
      const chatName = str(context.name);
      const chatAccount = chatType && SELF_POSTING.has(chatType) ? `channel${chatId}` : null;
      const accountId = peerOf(m.from_id) ?? chatAccount;
      if (!accountId) throw new RowError('message without from_id (sender)');
      const createdAt = timeOfMessage(m, line, sink, ctx.zone);

      const text = flatten(m.text);
      const media = mediaOf(m);
      const forwarded = 'forwarded_from' in m || 'forwarded_from_id' in m || 'saved_from' in m;
      let refPostId: string | null = null;
      if (forwarded) {
        // No original id in the export: the shared object is the source plus the text (or, for a
        // forward without text, its media), so every chat forwarding one message links to one key.
        const source = peerOf(m.forwarded_from_id) ?? str(m.forwarded_from) ?? str(m.saved_from);
        const content = normalizeText(text) ?? (media.length ? media.join(' ') : null);
        if (content === null)
          sink.warn(
            'forward-without-content',
            'forwards with neither text nor media sizes: no shared object to link them by',
            line,
          );
        else refPostId = `fwd:${contentKey(source, content)}`;
      }
      // A reply to another chat (a channel's discussion group, a forum) names that chat's peer.
      const replyTo = m.reply_to_message_id;
      const replyChat = peerOf(m.reply_to_peer_id)?.replace(/^\D+/, '') || String(chatId);
      const replyToPostId =
        typeof replyTo === 'number' || typeof replyTo === 'string' ? `${replyChat}/${replyTo}` : null;
      const kind: PostKind = forwarded ? 'repost' : replyToPostId ? 'reply' : 'post';

      const extra: Json = {};
      for (const [k, v] of Object.entries(m))
        if (!MAPPED.has(k) && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) extra[k] = v;
      if (chatName) extra.chat_name = chatName;
      if (chatType) extra.chat_type = chatType;

      sink.post(
        {
          platform,
          postId: `${chatId}/${m.id}`,
          accountId,
          createdAt,
          kind,
          refPostId,
          refAccountId: peerOf(m.forwarded_from_id),
          replyToPostId,
          text: textOrNull(text),
          ...entitiesOf(m, text),
          media,
          extra: Object.keys(extra).length ? extra : null,
        },
        line,
      );
      sink.account({
        platform,
        accountId,
        displayName: str(m.from) ?? (accountId === chatAccount ? chatName : null),
        observedAt: createdAt,
      });
      // A channel is an account itself, named by the chat, also when a post names its author's account.
      if (chatAccount && CHANNELS.has(chatType!) && chatAccount !== accountId)
        sink.account({ platform, accountId: chatAccount, displayName: chatName, observedAt: createdAt });
    };
  },
};
