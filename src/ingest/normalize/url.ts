/**
 * URL canonicalisation, so that two shares of the same page become the same object.
 *
 * Rules (in the spirit of médialab's `ural.normalize_url`, used by minet and CooRnet-style
 * pipelines):
 * - scheme and host lower-cased; `http` and `https` are one scheme (`https`); default ports dropped;
 * - irrelevant subdomains dropped: `www.`, and `m.` / `mobile.` on known social sites;
 * - tracking parameters removed (`utm_*`, `fbclid`, `gclid`, `igshid`, `mc_eid`, ... and per-site
 *   share parameters such as `s`/`t` on x.com); remaining parameters sorted;
 * - fragment dropped; trailing slashes dropped (`example.com/a/` and `example.com/a` are one page);
 * - aliases folded: `twitter.com` -> `x.com`, `youtu.be/ID` -> `youtube.com/watch?v=ID`.
 * Known link shorteners are flagged (their real destination is hidden; expanding them needs the
 * network, which Lockstep never uses).
 *
 * Values that are not URLs (the opaque `url_123` ids of anonymised data sets) are kept unchanged.
 */

export const TRACKING_PARAMS = new Set([
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
export const SITE_PARAMS: Record<string, string[]> = {
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
export const MOBILE_ALIASES = new Set([
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

export const HOST_ALIASES: Record<string, string> = {
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
  /** Host without `www.`, or null for opaque ids and non-web schemes. */
  domain: string | null;
  shortener: boolean;
}

/** `scheme://authority path ?query #fragment`, as RFC 3986 appendix B splits any URI. */
export const URL_PARTS = '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(?:\\?([^#]*))?(?:#.*)?$';
/** A bare host with a path, as some exports write links: `example.com/page`. */
export const BARE_HOST = '^(?:[A-Za-z0-9-]+\\.)+[A-Za-z]{2,}(?::[0-9]+)?(?:[/?#]|$)';
/** Whitespace as JavaScript's `\\s` knows it; a value holding any is not a bare host. */
export const ANY_SPACE =
  '[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';
const URL_PARTS_RE = new RegExp(URL_PARTS, 's');
const BARE_HOST_RE = new RegExp(BARE_HOST);
const ANY_SPACE_RE = new RegExp(ANY_SPACE);

/** True when a query parameter (`key=value`, raw) only tracks the click or the sharer. */
function tracking(param: string, host: string): boolean {
  const eq = param.indexOf('=');
  const key = (eq < 0 ? param : param.slice(0, eq)).toLowerCase();
  return key.startsWith('utm_') || TRACKING_PARAMS.has(key) || (SITE_PARAMS[host]?.includes(key) ?? false);
}

/**
 * Canonicalises one URL; null for an empty value. The text of paths and parameters is kept as
 * written (no percent re-encoding), so that the same rules can run in SQL (normalize/sql.ts) with
 * identical results.
 */
export function canonicalUrl(input: string): CanonicalUrl | null {
  let raw = input.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '');
  if (raw === '') return null;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) {
    if (!BARE_HOST_RE.test(raw) || ANY_SPACE_RE.test(raw))
      return { url: raw, domain: null, shortener: false };
    raw = `https://${raw}`;
  }
  const m = URL_PARTS_RE.exec(raw);
  if (!m) return { url: raw, domain: null, shortener: false };
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https')
    return { url: `${scheme}${raw.slice(scheme.length)}`, domain: null, shortener: false };
  // Authority: drop user info, split the port, lower-case the host, drop a trailing dot.
  const authority = m[2]!.slice(m[2]!.lastIndexOf('@') + 1);
  const colon = authority.lastIndexOf(':');
  const hasPort = colon >= 0 && /^\d*$/.test(authority.slice(colon + 1));
  let host = (hasPort ? authority.slice(0, colon) : authority).toLowerCase().replace(/\.$/, '');
  const portNumber = hasPort ? authority.slice(colon + 1) : '';
  if (host === '') return { url: raw, domain: null, shortener: false };
  if (host.startsWith('www.')) host = host.slice(4);
  const noMobile = host.replace(/^(m|mobile)\./, '');
  if (noMobile !== host && MOBILE_ALIASES.has(noMobile)) host = noMobile;
  host = HOST_ALIASES[host] ?? host;
  let path = m[3]!;
  const params = (m[4] ?? '').split('&').filter((p) => p !== '');
  // youtu.be/ID -> youtube.com/watch?v=ID
  if (host === 'youtu.be' && path.length > 1) {
    params.push(`v=${path.slice(1)}`);
    host = 'youtube.com';
    path = '/watch';
  }
  const kept = params.filter((p) => !tracking(p, host)).sort();
  path = path.replace(/\/+$/, '');
  const port = portNumber && portNumber !== '80' && portNumber !== '443' ? `:${portNumber}` : '';
  return {
    url: `https://${host}${port}${path}${kept.length ? `?${kept.join('&')}` : ''}`,
    domain: host,
    shortener: SHORTENERS.has(host),
  };
}
