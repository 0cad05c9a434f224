import { actionsOf, INCLUDE_REPOSTS, ownPosts } from './sql.js';
import type { SignalDescriptor } from './types.js';

/**
 * Co-link sharing: two accounts posting the same canonical URL (tracking parameters removed at
 * ingest), or, as an option, a link to the same domain. CooRnet's coordinated link sharing
 * (Giglietto et al. 2020) and CooRTweet's `intent = "urls"` / `"urls_domains"`.
 */
export const sharedLink: SignalDescriptor = {
  name: 'shared-link',
  title: 'shared link',
  objectLabel: 'link',
  description:
    'posting the same canonical link, or with level=domain a link to the same site (CooRnet, Giglietto et al. 2020)',
  enabledByDefault: true,
  defaultWindow: 60,
  options: [
    {
      name: 'level',
      description: 'compare whole URLs or their domains',
      default: 'url',
      choices: ['url', 'domain'],
    },
    INCLUDE_REPOSTS,
  ],
  actionsSql(o) {
    return actionsOf({
      list: o.level === 'domain' ? 'domains' : 'urls',
      where: ownPosts(Boolean(o['include-reposts'])),
    });
  },
};
