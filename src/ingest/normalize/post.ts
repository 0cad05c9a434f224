/** Normalisation of a whole post: the one place adapters' raw values become stored values. */
import type { Post, RawPost } from '../../core/types.js';
import { normalizeLang } from './lang.js';
import { normalizeTag, normalizeText } from './text.js';
import { canonicalUrl } from './url.js';

const EMPTY: string[] = [];

function unique(values: string[]): string[] {
  if (values.length < 2) return values;
  return [...new Set(values)];
}

/** Removes list separators and control characters that have no place in an id or a tag. */
function clean(value: string): string {
  return /[\x00-\x1f]/.test(value) ? value.replace(/[\x00-\x1f]+/g, ' ').trim() : value.trim();
}

export function normalizePost(raw: RawPost): Post {
  let urls = EMPTY;
  let domains = raw.domains?.length ? unique(raw.domains.map(clean).filter(Boolean)) : EMPTY;
  let shortUrls = EMPTY;
  if (raw.urls?.length) {
    urls = [];
    const found: string[] = [];
    const short: string[] = [];
    for (const u of raw.urls) {
      const c = canonicalUrl(clean(u));
      if (!c) continue;
      urls.push(c.url);
      if (c.domain) found.push(c.domain);
      if (c.shortener) short.push(c.url);
    }
    urls = unique(urls);
    if (found.length) domains = unique(domains === EMPTY ? found : [...domains, ...found]);
    if (short.length) shortUrls = unique(short);
  }
  const tags = (values: string[] | undefined) => {
    if (!values?.length) return EMPTY;
    const out: string[] = [];
    for (const v of values) {
      const t = normalizeTag(v);
      if (t) out.push(t);
    }
    return unique(out);
  };
  return {
    platform: raw.platform,
    postId: raw.postId,
    accountId: raw.accountId,
    createdAt: raw.createdAt,
    kind: raw.kind,
    refPostId: raw.refPostId ?? null,
    refAccountId: raw.refAccountId ?? null,
    replyToPostId: raw.replyToPostId ?? null,
    replyToAccountId: raw.replyToAccountId ?? null,
    text: raw.text ?? null,
    textNorm: normalizeText(raw.text),
    lang: normalizeLang(raw.lang),
    urls,
    domains,
    shortUrls,
    hashtags: tags(raw.hashtags),
    mentions: tags(raw.mentions),
    media: raw.media?.length ? unique(raw.media.map(clean).filter(Boolean)) : EMPTY,
    client: raw.client ?? null,
    extra: raw.extra ?? null,
  };
}
