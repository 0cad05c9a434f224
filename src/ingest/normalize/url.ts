/**
 * URL canonicalisation, so that two shares of the same page become the same object.
 *
 * Rules (in the spirit of médialab's `ural.normalize_url`, used by minet and CooRnet-style
 * pipelines):
 * - scheme and host lower-cased; `http` and `https` are one scheme (`https`); default ports dropped;
 * - irrelevant subdomains dropped: `www.`, and `m.` / `mobile.` on known social sites;
 * - tracking parameters removed (`utm_*`, `fbclid`, `gclid`, `igshid`, `mc_eid`, ... and per-site
 *   share parameters such as `s`/`t` on x.com); remaining parameters sorted;
 * - fragment dropped; a trailing slash on a non-root path dropped;
 * - aliases folded: `twitter.com` -> `x.com`, `youtu.be/ID` -> `youtube.com/watch?v=ID`.
 * Known link shorteners are flagged (their real destination is hidden; expanding them needs the
 * network, which Lockstep never uses).
 *
 * Values that are not URLs (the opaque `url_123` ids of anonymised data sets) are kept unchanged.
 */

const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'igsh',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'wickedid',
  'ncid',
  'cmpid',
  'ref_src',
  'ref_url',
  'spm',
  'share_id',
  'xtor',
]);

/** Share parameters that only identify the sharer, per site (after alias folding). */
const SITE_PARAMS: Record<string, string[]> = {
  'x.com': ['s', 't', 'ref_src', 'ref_url', 'src'],
  'youtube.com': ['feature', 'si', 'pp', 'ab_channel'],
  'instagram.com': ['igshid', 'igsh', 'img_index', 'utm_source'],
  'facebook.com': ['__tn__', '__cft__', '__xts__', 'ref', 'refsrc', 'mibextid', 'rdid', 'sfnsn'],
  'tiktok.com': ['_r', '_t', 'is_from_webapp', 'sender_device', 'is_copy_url', 'web_id'],
  't.me': ['single'],
  'reddit.com': ['share_id', 'utm_name', 'ref', 'ref_source'],
  'linkedin.com': ['trk', 'trackingid', 'lipi'],
};

/** Hosts where `m.` / `mobile.` prefixes are the same site. */
const MOBILE_ALIASES = new Set([
  'twitter.com',
  'x.com',
  'facebook.com',
  'youtube.com',
  'wikipedia.org',
  'reddit.com',
  'vk.com',
  'instagram.com',
  'tiktok.com',
]);

const HOST_ALIASES: Record<string, string> = {
  'twitter.com': 'x.com',
  'fb.com': 'facebook.com',
  'old.reddit.com': 'reddit.com',
  'telegram.me': 't.me',
};

/** Link shorteners and redirectors whose target cannot be known offline. */
export const SHORTENERS = new Set([
  't.co',
  'bit.ly',
  'bitly.com',
  'j.mp',
  'tinyurl.com',
  'goo.gl',
  'ow.ly',
  'buff.ly',
  'dlvr.it',
  'ift.tt',
  'is.gd',
  'v.gd',
  'trib.al',
  'fb.me',
  'lnkd.in',
  'tiny.cc',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  't.ly',
  's.id',
  'rb.gy',
  'amzn.to',
  'wp.me',
  'po.st',
  'su.pr',
  'x.co',
  'adf.ly',
  'bl.ink',
  'short.io',
  'shorte.st',
  'clck.ru',
  'vk.cc',
  'tr.im',
  'qr.ae',
  'aje.io',
  'reut.rs',
  'nyti.ms',
  'wapo.st',
  'bbc.in',
  'cnn.it',
  'on.wsj.com',
  'hubs.ly',
  'snip.ly',
  'linktr.ee',
  'msft.it',
  'apple.co',
  'spoti.fi',
  'g.co',
  'youtu.be',
]);

export interface CanonicalUrl {
  url: string;
  /** Host without `www.`, or null for opaque ids. */
  domain: string | null;
  shortener: boolean;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A bare host with a path, as some exports write links: `example.com/page`. */
const BARE_HOST = /^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]|$)/i;

/** Canonicalises one URL; returns null for an empty value. */
export function canonicalUrl(input: string): CanonicalUrl | null {
  let raw = input.trim();
  if (raw === '') return null;
  if (!SCHEME.test(raw)) {
    if (!BARE_HOST.test(raw) || /\s/.test(raw)) return { url: raw, domain: null, shortener: false };
    raw = `https://${raw}`;
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { url: raw, domain: null, shortener: false };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    // tg://, mailto: and friends: keep as parsed (scheme lower-cased by URL), no web semantics.
    return { url: u.href, domain: null, shortener: false };
  }
  let host = u.hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('www.')) host = host.slice(4);
  const noMobile = host.replace(/^(m|mobile)\./, '');
  if (noMobile !== host && MOBILE_ALIASES.has(noMobile.replace(/^[a-z]{2}\./, ''))) host = noMobile;
  host = HOST_ALIASES[host] ?? host;

  let path = u.pathname;
  const params = [...u.searchParams.entries()];
  // youtu.be/ID -> youtube.com/watch?v=ID
  if (host === 'youtu.be' && path.length > 1) {
    params.push(['v', path.slice(1)]);
    host = 'youtube.com';
    path = '/watch';
  }
  const siteParams = SITE_PARAMS[host];
  const kept = params.filter(([k]) => {
    const key = k.toLowerCase();
    return !key.startsWith('utm_') && !TRACKING_PARAMS.has(key) && !siteParams?.includes(key);
  });
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/';
  const port = u.port && u.port !== '80' && u.port !== '443' ? `:${u.port}` : '';
  const query = kept.length ? `?${new URLSearchParams(kept).toString()}` : '';
  return {
    url: `https://${host}${port}${path === '/' && !query ? '' : path}${query}`,
    domain: host,
    shortener: SHORTENERS.has(host),
  };
}
