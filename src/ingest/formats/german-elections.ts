/**
 * CooRTweet's multi-modal example, `german_elections` (Facebook and Twitter posts on climate in the
 * 2021 German federal election, anonymised): `account_id, post_id, url_id, hashtag_id, domain_id,
 * phash_id, timestamp`, one row per combination of a post's URLs, hashtags, domains and image hashes.
 *
 * Rows sharing a post are parts of one post (`merge: 'union'`): their ids are merged into the post's
 * lists as `url_N`, `hashtag_N`, `domain_N` and `phash_N` (the prefixes CooRTweet's vignette uses).
 * The platform comes from the account prefix (`fb_` Facebook, `tw_` Twitter). Posts without a
 * post_id (`NA`) are keyed by account and time.
 */
import type { RawPost } from '../../core/types.js';
import { extraColumns, headerIndex, headerOf, idOrNull, timeOf } from './fields.js';
import { type FormatAdapter, RowError } from './types.js';

const COLUMNS = ['account_id', 'post_id', 'url_id', 'hashtag_id', 'domain_id', 'phash_id', 'timestamp'];

export const germanElections: FormatAdapter = {
  name: 'german-elections',
  title:
    "CooRTweet's german_elections multi-modal CSV (account_id, post_id, url_id, hashtag_id, domain_id, phash_id, timestamp)",
  framing: 'csv',
  platform: 'facebook',
  timeResolution: 'second',
  merge: 'union',
  detect(head) {
    const cols = headerOf(head);
    return COLUMNS.every((c) => cols.includes(c)) ? 1 : 0;
  },
  csv(header, ctx) {
    const ix = headerIndex(header, ['account_id', 'timestamp'], 'german-elections');
    const at = (c: string) => ix.get(c) ?? -1;
    const [account, post, url, tag, domain, phash, time] = COLUMNS.map(at) as number[];
    const id = (f: string[], i: number) => (i >= 0 ? idOrNull(f[i]) : null);
    // Columns beyond the seven (none in CooRTweet's file) are kept in `extra`, as in the other formats.
    const extras = extraColumns(header, COLUMNS);
    return (f, line, sink) => {
      const accountId = id(f, account!);
      if (!accountId) throw new RowError('empty account_id');
      const createdAt = timeOf(f[time!], 'timestamp', ctx.zone, line, sink);
      // `tw_` accounts are Twitter's; `fb_` (and anything else) Facebook's, the format's default.
      const platform = ctx.platform ?? (accountId.startsWith('tw_') ? 'twitter' : 'facebook');
      const postId = id(f, post!) ?? `na:${accountId}:${Math.round(createdAt / 1000)}`;
      const u = id(f, url!);
      const h = id(f, tag!);
      const d = id(f, domain!);
      const p = id(f, phash!);
      const extra: Record<string, unknown> = {};
      for (const [name, i] of extras) if (f[i]) extra[name] = f[i];
      const raw: RawPost = {
        platform,
        postId,
        accountId,
        createdAt,
        kind: 'post',
        urls: u ? [`url_${u}`] : [],
        hashtags: h ? [`hashtag_${h}`] : [],
        domains: d ? [`domain_${d}`] : [],
        media: p ? [`phash_${p}`] : [],
        extra: Object.keys(extra).length ? extra : null,
      };
      sink.post(raw, line);
    };
  },
};
