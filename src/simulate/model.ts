/** The simulator's world: accounts and posts before they are written in some export format. */
import type { PostKind } from '../core/types.js';
import type { Lang, Persona } from './config.js';

export type Role =
  | 'regular'
  | 'influencer'
  | 'journalist'
  | 'outlet'
  | 'syndicated'
  | 'organiser'
  | 'core'
  | 'amplifier'
  | 'sleeper';

export interface SimAccount {
  idx: number;
  id: string;
  handle: string;
  name: string;
  bio: string;
  /** Stated location (for operations: the persona's, not the operators'). */
  location: string;
  url: string | null;
  createdAt: number;
  followers: number;
  following: number;
  lang: Lang;
  persona: Persona;
  /** UTC offset (minutes) of the clock the account follows: its owner's home, or the operators'. */
  offset: number;
  /** Expected posts in the month from its own routine (events come on top). */
  monthly: number;
  /** Shift of its daily rhythm, hours. */
  peakShift: number;
  /** Activity on days off relative to working days. */
  weekendFactor: number;
  /** Share of its routine posts that are reposts, replies, quotes. */
  repostShare: number;
  replyShare: number;
  quoteShare: number;
  client: string;
  verified: boolean;
  label: 'organic' | 'operation';
  role: Role;
  /** Operation id for planted accounts. */
  operation?: string;
  /** Open groups an organic account belongs to (a campaign, an outlet's accounts). */
  group?: string;
  /** Creation batch (operations). */
  batch?: number;
  operator?: number;
}

export interface SimPost {
  seq: number;
  id: string;
  account: SimAccount;
  time: number;
  kind: PostKind;
  /** Reposted or quoted post. */
  ref?: SimPost;
  /** Replied-to post. */
  replyTo?: SimPost;
  text: string;
  lang: Lang;
  hashtags: string[];
  urls: string[];
  mentions: SimAccount[];
  media: string[];
  client: string;
  /** Ground truth: what produced the post (`organic`, `cascade:3`, `op1:copy-paste:12`, ...). */
  source: string;
}
