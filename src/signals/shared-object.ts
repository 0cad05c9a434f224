import { actionsOf } from './sql.js';
import type { SignalDescriptor } from './types.js';

/**
 * Co-retweeting: two accounts reposting (or quoting, or forwarding) the same post. The oldest and
 * most used coordination trace (Keller et al. 2020; CooRTweet's `reshape_tweets(intent = "retweets")`;
 * coordination-network-toolkit's co-retweet network; Pacheco et al. 2021).
 */
export const sharedObject: SignalDescriptor = {
  name: 'shared-object',
  title: 'shared object',
  objectLabel: 'reposted post',
  description:
    'reposting, quoting or forwarding the same post (co-retweet; Keller et al. 2020, CooRTweet, coordination-network-toolkit)',
  enabledByDefault: true,
  defaultWindow: 60,
  options: [{ name: 'quotes', description: 'count quotes as sharing the quoted post', default: true }],
  actionsSql(o) {
    const kinds = o.quotes ? `('repost', 'quote')` : `('repost')`;
    // Post ids are the platform's: the same id on two platforms is two objects.
    return actionsOf({ object: `platform || ':' || ref_post_id`, where: `kind IN ${kinds}` });
  },
};
