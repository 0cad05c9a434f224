import type { SignalDescriptor } from './types.js';

/**
 * Synchronised activity: two accounts posting (anything) within the same short window, far more
 * often than their activity levels and the hour's traffic explain (Pacheco et al. 2021, "synchronized
 * timing"; Magelinski, Ng & Carley 2022). The object is the platform's clock itself, so every window
 * holds all of the platform's posts: in a large corpus most windows exceed the crowd cap and are
 * skipped, which is why this signal is off by default and most useful on second-resolution data or
 * a focused collection.
 */
export const synchrony: SignalDescriptor = {
  name: 'synchrony',
  title: 'synchronised activity',
  objectLabel: 'moment',
  description:
    'posting anything within the same short window, repeatedly (Pacheco et al. 2021); off by default',
  enabledByDefault: false,
  defaultWindow: 60,
  options: [],
  // Accounts of one time zone are awake at the same hours: the null keeps each account's
  // hour-of-day profile (UTC) within its language, so shared office hours alone are not synchrony.
  stratumSql: `platform, coalesce(lang, 'und'), hour(created_at)`,
  actionsSql() {
    return `SELECT platform, account_id, platform AS obj, created_at, lang, rowid AS pr FROM posts`;
  },
};
