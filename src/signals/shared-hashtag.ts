import { actionsOf, INCLUDE_REPOSTS, ownPosts } from './sql.js';
import type { SignalDescriptor } from './types.js';

/**
 * Co-hashtag posting: two accounts using the same hashtag at nearly the same time, the trace of a
 * hashtag campaign on order (Pacheco et al. 2021; CooRTweet's `intent = "hashtags"`). Trending tags
 * are common to many organic accounts, which the weighting and the null model account for.
 */
export const sharedHashtag: SignalDescriptor = {
  name: 'shared-hashtag',
  title: 'shared hashtag',
  objectLabel: 'hashtag',
  description:
    'using the same hashtag (case-folded) at nearly the same time (Pacheco et al. 2021, CooRTweet)',
  enabledByDefault: true,
  defaultWindow: 60,
  options: [INCLUDE_REPOSTS],
  actionsSql(o) {
    return actionsOf({ list: 'hashtags', where: ownPosts(Boolean(o['include-reposts'])) });
  },
};
