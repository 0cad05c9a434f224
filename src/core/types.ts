/**
 * Canonical records: every ingest adapter maps its format onto these, and every later stage reads
 * only these (through the store). Times are UTC milliseconds since the epoch in memory and
 * `TIMESTAMP` (UTC) in the store.
 */

/** What a post does. A Telegram forward and a Bluesky repost are both `repost`. */
export type PostKind = 'post' | 'repost' | 'reply' | 'quote';

export const POST_KINDS: readonly PostKind[] = ['post', 'repost', 'reply', 'quote'];

/** Platforms Lockstep knows by name; any other lower-case name is accepted for generic imports. */
export const KNOWN_PLATFORMS = [
  'twitter',
  'facebook',
  'instagram',
  'telegram',
  'bluesky',
  'tiktok',
  'youtube',
  'reddit',
  'vk',
  'web',
] as const;

/** A post as an adapter produces it, before normalisation. */
export interface RawPost {
  platform: string;
  /** Platform id of the post; adapters for id-less formats build a content key instead. */
  postId: string;
  accountId: string;
  /** UTC milliseconds since the epoch. */
  createdAt: number;
  kind: PostKind;
  /** The shared object: the reposted, quoted or forwarded post (a platform id or a content key). */
  refPostId?: string | null;
  refAccountId?: string | null;
  /** The post and account this one replies to, when it is a reply (also for a quote that replies). */
  replyToPostId?: string | null;
  replyToAccountId?: string | null;
  /** Raw text, unchanged. */
  text?: string | null;
  lang?: string | null;
  /** URLs as found; canonicalised by the normaliser. Opaque ids (no scheme) are kept as they are. */
  urls?: string[];
  /** Domains when the source gives them without URLs; otherwise derived from `urls`. */
  domains?: string[];
  hashtags?: string[];
  /** Mentioned handles or account ids, as the source gives them. */
  mentions?: string[];
  /** Media ids or hashes (perceptual hash, file hash, media key). */
  media?: string[];
  client?: string | null;
  /** Source fields that have no canonical column; kept, never dropped. */
  extra?: Record<string, unknown> | null;
}

/** An account profile as observed at one time. */
export interface RawAccount {
  platform: string;
  accountId: string;
  handle?: string | null;
  displayName?: string | null;
  bio?: string | null;
  location?: string | null;
  /** The profile's own link (website) as given. */
  url?: string | null;
  /** Account creation time, UTC ms. */
  createdAt?: number | null;
  followers?: number | null;
  following?: number | null;
  /** Declared or interface language. */
  lang?: string | null;
  verified?: boolean | null;
  /** When this profile state was observed (the post time that carried it), UTC ms. */
  observedAt: number;
  extra?: Record<string, unknown> | null;
}
