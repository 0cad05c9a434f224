import { actionsOf } from './sql.js';
import type { SignalDescriptor } from './types.js';

/**
 * Reply swarms: two accounts replying to the same post (or, as an option, to the same account)
 * within a short time, as operations do on order against a journalist or an official.
 */
export const replyTarget: SignalDescriptor = {
  name: 'reply-target',
  title: 'same reply target',
  objectLabel: 'post replied to',
  description: 'replying to the same post, or with target=account to the same account (reply swarms)',
  enabledByDefault: true,
  defaultWindow: 60,
  options: [
    {
      name: 'target',
      description: 'what counts as the same target',
      default: 'post',
      choices: ['post', 'account'],
    },
  ],
  actionsSql(o) {
    const column = o.target === 'account' ? 'reply_to_account_id' : 'reply_to_post_id';
    return actionsOf({ object: `platform || ':' || ${column}`, where: `kind = 'reply'` });
  },
};
