import { INCLUDE_REPOSTS, ownPosts } from './sql.js';
import type { SignalDescriptor } from './types.js';

/**
 * Co-mentioning: two accounts mentioning the same account at nearly the same time (targeted
 * harassment, tagging officials on order). A reply's mention of the account it answers is the
 * platform's doing (reply-target covers it), so it is left out.
 */
export const mentionTarget: SignalDescriptor = {
  name: 'mention-target',
  title: 'same mention target',
  objectLabel: 'mentioned account',
  description: 'mentioning the same account at nearly the same time (tagging on order, harassment)',
  enabledByDefault: true,
  defaultWindow: 60,
  options: [INCLUDE_REPOSTS],
  actionsSql(o) {
    // Mentions are case-folded handles (or ids, in some formats), per platform.
    return `SELECT p.platform, p.account_id, p.platform || ':' || p.obj AS obj, p.created_at, p.lang, p.pr
      FROM (SELECT platform, account_id, unnest(mentions) AS obj, created_at, lang, rowid AS pr,
                   reply_to_account_id
            FROM posts WHERE (${ownPosts(Boolean(o['include-reposts']))}) AND len(mentions) > 0) p
      LEFT JOIN (SELECT platform, account_id, lower(handle) AS handle FROM accounts) a
        ON a.platform = p.platform AND a.account_id = p.reply_to_account_id
      WHERE p.obj IS NOT NULL AND p.obj <> '' AND p.obj IS DISTINCT FROM p.reply_to_account_id
        AND p.obj IS DISTINCT FROM a.handle`;
  },
};
