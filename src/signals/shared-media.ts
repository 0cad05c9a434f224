import { actionsOf, INCLUDE_REPOSTS, ownPosts } from './sql.js';
import type { SignalDescriptor } from './types.js';

/**
 * Co-posting the same image or video: the same media id, file hash or perceptual hash, as the data
 * gives it (CooRTweet's `phash` objects). Without such ids in the data this signal has no actions.
 */
export const sharedMedia: SignalDescriptor = {
  name: 'shared-media',
  title: 'shared media',
  objectLabel: 'image or video',
  description: 'posting the same image or video (media id or hash, when the data has one)',
  enabledByDefault: true,
  defaultWindow: 60,
  options: [INCLUDE_REPOSTS],
  actionsSql(o) {
    return actionsOf({ list: 'media', where: ownPosts(Boolean(o['include-reposts'])) });
  },
};
