/**
 * Accounts in the post store <-> FollowTheMoney parties:
 * - an FtM `UserAccount` (a legislator's handle from congress-legislators, an account in an FtM
 *   stream) whose service and username equal a stored account's platform and handle (case folded,
 *   "x" read as "twitter") links that account to the UserAccount's owner (or to the UserAccount
 *   itself when it names no owner); evidence `handle`;
 * - a profile URL: a stored account whose profile links to a party's website (same host) links to
 *   that party; evidence `profile-url`, a weaker link (anyone can link to a site).
 * Links are written to `entity_links` (kind `account`, target `platform:account_id`).
 */
import type { Store } from '../../store/store.js';

/** FtM service names to the platform names of the post store. */
const PLATFORM_OF: Record<string, string> = {
  x: 'twitter',
  'x.com': 'twitter',
  twitter: 'twitter',
  tw: 'twitter',
  fb: 'facebook',
};

export async function linkAccounts(store: Store): Promise<number> {
  await store.run(`DELETE FROM entity_links WHERE kind = 'account'`);
  const hasAccounts = Number(await store.value(`SELECT count(*) FROM (SELECT 1 FROM accounts LIMIT 1)`));
  if (!hasAccounts) return 0;
  const platforms = Object.entries(PLATFORM_OF)
    .map(([k, v]) => `('${k}', '${v}')`)
    .join(', ');
  // By handle.
  await store.run(`INSERT INTO entity_links
    SELECT DISTINCT 'account', coalesce(o.value, u.entity_id), 'account', a.platform || ':' || a.account_id, 0.95,
      json_object('via', 'handle', 'handle', a.handle, 'service', sv.value, 'user_account', u.entity_id), now()::TIMESTAMP
    FROM statements u
    JOIN statements sv ON sv.entity_id = u.entity_id AND sv.prop = 'service'
    LEFT JOIN statements o ON o.entity_id = u.entity_id AND o.prop = 'owner'
    LEFT JOIN (VALUES ${platforms}) p(service, platform) ON p.service = lower(sv.value)
    JOIN accounts a ON lower(a.handle) = lower(ltrim(u.value, '@')) AND a.platform = coalesce(p.platform, lower(sv.value))
    WHERE u.prop = 'username' AND u.schema = 'UserAccount'`);
  // By profile URL: the account's profile links to a party's website.
  await store.run(`INSERT INTO entity_links
    SELECT DISTINCT 'account', w.entity_id, 'account', a.platform || ':' || a.account_id, 0.6,
      json_object('via', 'profile-url', 'url', a.url, 'website', w.value), now()::TIMESTAMP
    FROM statements w JOIN accounts a
      ON a.url IS NOT NULL AND regexp_replace(regexp_extract(lower(a.url), '^(?:https?://)?([^/:?#]+)', 1), '^www\\.', '')
         = regexp_replace(regexp_extract(lower(w.value), '^(?:https?://)?([^/:?#]+)', 1), '^www\\.', '')
    WHERE w.prop = 'website' AND w.prop_type = 'url'`);
  return Number(await store.value(`SELECT count(*) FROM entity_links WHERE kind = 'account'`));
}
