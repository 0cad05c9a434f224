/** Text, hashtags and links the simulated accounts write. */

import { Alias, type Rng } from '../core/random.js';
import type { Lang } from './config.js';
import { EMOJI, GLUE, OPENERS, SYNONYMS, TAG_WORDS, WORDS } from './lexicon.js';

const LATIN_OR_CYRILLIC = new Set<Lang>(['en', 'ru', 'es']);

function capitalise(s: string, lang: Lang): string {
  return LATIN_OR_CYRILLIC.has(lang) && s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** An ordinary post: 5-18 words of the language with function words, sometimes an opener or emoji. */
export function organicText(rng: Rng, lang: Lang): string {
  const words = WORDS[lang];
  const glue = GLUE[lang];
  const n = rng.int(5, 18);
  const out: string[] = [];
  if (rng.chance(0.25)) out.push(rng.pick(OPENERS[lang]));
  for (let i = 0; i < n; i++) out.push(rng.chance(0.45) ? rng.pick(glue) : rng.pick(words));
  if (rng.chance(0.15)) out.push(String(rng.int(2, 99)));
  let text = capitalise(out.join(' '), lang);
  if (rng.chance(0.5)) text += rng.pick(['.', '!', '?', '...', '']);
  if (rng.chance(0.2)) text += ` ${rng.pick(EMOJI)}`;
  return text;
}

/** A headline-like phrase for news and share buttons. */
export function headline(rng: Rng, lang: Lang): string {
  const words = WORDS[lang];
  const parts = [
    rng.pick(words),
    rng.pick(GLUE[lang]),
    rng.pick(words),
    rng.pick(words),
    rng.pick(GLUE[lang]),
    rng.pick(words),
  ];
  return capitalise(parts.join(' '), lang);
}

export function camelTag(rng: Rng, lang: Lang, words = 2): string {
  const pool = TAG_WORDS[lang];
  let tag = '';
  for (let i = 0; i < words; i++) tag += rng.pick(pool);
  return tag;
}

/**
 * The long tail of organic hashtags per language, with Zipf(1.1) popularity: a few tags are used by
 * very many accounts (the "trending tags" that glue organic accounts together in naive detectors).
 */
export class TagPool {
  private readonly tags: Record<Lang, string[]> = { en: [], fa: [], ar: [], ru: [], es: [] };
  private readonly alias: Record<Lang, Alias>;

  constructor(rng: Rng, size = 400) {
    const alias: Partial<Record<Lang, Alias>> = {};
    for (const lang of Object.keys(this.tags) as Lang[]) {
      const seen = new Set<string>();
      while (seen.size < size)
        seen.add(camelTag(rng, lang, rng.int(1, 2)) + (rng.chance(0.3) ? String(rng.int(1, 30)) : ''));
      this.tags[lang] = [...seen];
      alias[lang] = new Alias(this.tags[lang].map((_, i) => 1 / (i + 1) ** 1.1));
    }
    this.alias = alias as Record<Lang, Alias>;
  }

  draw(rng: Rng, lang: Lang): string {
    return this.tags[lang][this.alias[lang].draw(rng)]!;
  }
}

const SLUG_WORDS = WORDS.en;

export function articleUrl(rng: Rng, site: string, day: Date): string {
  const y = day.getUTCFullYear();
  const m = String(day.getUTCMonth() + 1).padStart(2, '0');
  const d = String(day.getUTCDate()).padStart(2, '0');
  const slug = [rng.pick(SLUG_WORDS), rng.pick(SLUG_WORDS), rng.pick(SLUG_WORDS)].join('-');
  return `https://${site}/${y}/${m}/${d}/${slug}-${rng.int(1000, 99999)}`;
}

/** The same link as people paste it: tracking parameters, `www.`, `http`, a trailing slash. */
export function decorateUrl(rng: Rng, url: string): string {
  let u = url;
  if (rng.chance(0.3)) u = u.replace('https://', rng.chance(0.5) ? 'https://www.' : 'http://');
  if (rng.chance(0.35))
    u += `?utm_source=${rng.pick(['twitter', 'tw', 'social', 'share'])}&utm_medium=${rng.pick(['social', 'post', 'web'])}`;
  else if (rng.chance(0.1)) u += `?fbclid=IwAR${rng.int(100000, 999999)}`;
  return u;
}

const FA_VARIANTS: [RegExp, string][] = [
  [/ی/g, 'ي'],
  [/ک/g, 'ك'],
  [/\u200c/g, ' '],
];
const AR_VARIANTS: [RegExp, string][] = [
  [/ى(?=\s|$)/g, 'ي'],
  [/ة(?=\s|$)/g, 'ه'],
  [/أ/g, 'ا'],
];

/**
 * Small edits that copy-paste operators make (or that evade exact-duplicate filters): a synonym, an
 * emoji, punctuation, a doubled space, a typo, an extra hashtag, or (Persian/Arabic) the other
 * keyboard's letter forms and ZWNJ as space.
 */
export function editCopy(rng: Rng, text: string, lang: Lang, maxEdits: number, extraTag?: string): string {
  let t = text;
  const edits = rng.int(0, maxEdits);
  for (let i = 0; i < edits; i++) {
    switch (rng.int(0, 6)) {
      case 0: {
        const pair = rng.pick(SYNONYMS[lang]);
        t = rng.chance(0.5) ? t.replace(pair[0], pair[1]) : t.replace(pair[1], pair[0]);
        break;
      }
      case 1:
        t += ` ${rng.pick(EMOJI)}`;
        break;
      case 2:
        t = t.replace(/[.!?]*$/, rng.pick(['!', '!!', '.', '...', ' !']));
        break;
      case 3: {
        const at = t.indexOf(' ', rng.int(0, Math.max(0, t.length - 1)));
        if (at > 0) t = `${t.slice(0, at)} ${t.slice(at)}`;
        break;
      }
      case 4: {
        if (lang === 'fa' || lang === 'ar') {
          const [re, to] = rng.pick(lang === 'fa' ? FA_VARIANTS : AR_VARIANTS);
          t = t.replace(re, to);
        } else {
          const words = t.split(' ');
          const k = rng.int(0, words.length - 1);
          const w = words[k]!;
          if (w.length > 3) {
            const j = rng.int(1, w.length - 2);
            words[k] = w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2);
          }
          t = words.join(' ');
        }
        break;
      }
      case 5:
        if (extraTag) t += ` #${extraTag}`;
        break;
      default:
        t = rng.chance(0.5) ? t.replace(/^(\S+)/, (w) => w.toLowerCase()) : t;
    }
  }
  return t;
}

/** Fills {first} {last} {word} {Word} and d (a digit) in a handle template; at most 15 characters. */
export function fillHandle(rng: Rng, template: string, first: string, last: string): string {
  const word = () => rng.pick(WORDS.en).replace(/[^a-z]/g, '');
  const ascii = (s: string) => s.normalize('NFKD').replace(/[^A-Za-z]/g, '');
  const out = template.replace(/\{(\w+)\}|d/g, (token, name: string | undefined) => {
    if (!name) return String(rng.int(0, 9));
    if (name === 'first') return ascii(first);
    if (name === 'last') return ascii(last);
    const w = word();
    return name === 'Word' ? w[0]!.toUpperCase() + w.slice(1) : name === 'word' ? w : token;
  });
  if (out.length <= 15) return out;
  // Like the platforms' suggested handles, shorten the name part and keep the trailing digits.
  const digits = /\d*$/.exec(out)![0].slice(-8);
  return out.slice(0, 15 - digits.length) + digits;
}
