/**
 * The simulated month, day by day. Every process (organic routine, viral cascades, news bursts,
 * petitions, share buttons, an open campaign, syndicated outlets, and each operation's orders and
 * camouflage) schedules "slots": an account and a time, and how to write the post. Slots are then
 * materialised in time order, so a repost or reply can only point at a post that already exists.
 *
 * Local days differ from UTC days by up to 14 hours, so after generating local day d the engine
 * only writes slots earlier than d + 10 h UTC: nothing generated later can be earlier than that.
 */

import { Alias, type Rng } from '../core/random.js';
import type { PostKind } from '../core/types.js';
import { LANGS, type Lang, type SimulationConfig, type Tactic } from './config.js';
import { BLOG_SITES, NEWS_SITES, OP_MESSAGES, SWARM_REPLIES, TAG_WORDS } from './lexicon.js';
import type { SimAccount, SimPost } from './model.js';
import {
  CASCADE_SIGMA,
  isDayOff,
  type OperationState,
  type Population,
  SLEEPER_CAMOUFLAGE,
  weekdayOf,
} from './population.js';
import { articleUrl, camelTag, decorateUrl, editCopy, headline, organicText, TagPool } from './text.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SNOWFLAKE_EPOCH = 1_288_834_974_657n;

/** Share of a person's activity per local hour: quiet nights, a lunchtime bump, busy evenings. */
const HUMAN_HOURS = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.6, 0.9, 1, 1, 1.05, 1.15, 1.1, 1, 1, 1.05, 1.1, 1.2, 1.35, 1.45,
  1.4, 1.1, 0.6,
];

type Fields = Omit<SimPost, 'seq' | 'id' | 'account' | 'time'>;

/** An original post's fields; lists default to empty. */
function post(
  text: string,
  lang: Lang,
  client: string,
  source: string,
  lists: Partial<Pick<Fields, 'hashtags' | 'urls' | 'mentions' | 'media'>> = {},
): Fields {
  return {
    kind: 'post',
    text,
    lang,
    hashtags: [],
    urls: [],
    mentions: [],
    media: [],
    client,
    source,
    ...lists,
  };
}

interface Slot {
  time: number;
  order: number;
  account: SimAccount;
  make: () => Fields | null;
  post?: SimPost;
}

export interface OrderRecord {
  operation: string;
  tactic: Tactic;
  start: string;
  lang: Lang;
  hashtag: string | null;
  url: string | null;
  target: string | null;
  participants: number;
}

export interface EventRecord {
  kind: 'cascade' | 'news' | 'petition' | 'campaign';
  id: string;
  lang: Lang;
  start: string;
  accounts: number;
  hashtag?: string;
  url?: string;
  text?: string;
}

export class Engine {
  private pending: Slot[] = [];
  private order = 0;
  private seq = 0;
  private readonly start: number;
  private readonly hours = new Alias(HUMAN_HOURS);
  private readonly tags: TagPool;
  private readonly recent: Record<Lang, SimPost[]> = { en: [], fa: [], ar: [], ru: [], es: [] };
  private readonly recentAt: Record<Lang, number> = { en: 0, fa: 0, ar: 0, ru: 0, es: 0 };
  private readonly popular: Record<Lang, SimPost[]> = { en: [], fa: [], ar: [], ru: [], es: [] };
  private readonly pushed: Record<Lang, string[]> = { en: [], fa: [], ar: [], ru: [], es: [] };
  private articles: Record<Lang, { urls: string[]; alias: Alias }> = {} as never;
  private readonly memes: string[];
  private readonly memeAlias: Alias;
  readonly orders: OrderRecord[] = [];
  readonly events: EventRecord[] = [];

  constructor(
    private readonly c: SimulationConfig,
    private readonly pop: Population,
    private readonly rng: Rng,
    private readonly emit: (post: SimPost) => void,
  ) {
    this.start = Date.parse(`${c.start}T00:00:00Z`);
    this.tags = new TagPool(rng.fork('tags'));
    this.memes = Array.from(
      { length: 400 },
      (_, i) =>
        `phash:${(0x9e3779b97f4a7c15n * BigInt(i + 1 + c.seed * 1000)).toString(16).slice(-16).padStart(16, '0')}`,
    );
    this.memeAlias = new Alias(this.memes.map((_, i) => 1 / (i + 1)));
  }

  run(): void {
    const petitions = this.planPetitions();
    const campaigns = this.planSpread(this.c.hardNegatives.campaigns, 'campaign');
    const news = this.planSpread(this.c.hardNegatives.newsEvents, 'news');
    const cascades = this.planCascades();
    for (let d = 0; d < this.c.days; d++) {
      const rng = this.rng.fork(`day${d}`);
      this.articles = this.makeArticles(rng, d);
      this.organicDay(rng, d);
      this.cascades(
        rng,
        d,
        cascades.filter((x) => x.day === d),
      );
      this.shareButtons(rng, d);
      this.syndication(rng, d);
      for (const p of petitions.filter((x) => x.day === d)) this.petition(rng, d, p.lang, p.id);
      for (const id of news.filter((x) => x.day === d)) this.newsEvent(rng, d, id.id);
      for (const id of campaigns.filter((x) => x.day === d)) this.campaign(rng, d, id.id);
      for (const op of this.pop.operations) this.operationDay(rng.fork(op.config.id), d, op);
      this.flush(this.start + d * DAY + 10 * HOUR);
    }
    this.flush(Number.POSITIVE_INFINITY);
  }

  // ---------------------------------------------------------------- scheduling and materialising

  private schedule(account: SimAccount, time: number, make: () => Fields | null): Slot {
    const slot: Slot = { time: Math.round(time), order: this.order++, account, make };
    this.pending.push(slot);
    return slot;
  }

  private flush(cutoff: number): void {
    this.pending.sort((a, b) => a.time - b.time || a.order - b.order);
    let i = 0;
    for (; i < this.pending.length && this.pending[i]!.time < cutoff; i++) this.materialise(this.pending[i]!);
    this.pending = this.pending.slice(i);
  }

  private materialise(slot: Slot): void {
    const end = this.start + this.c.days * DAY;
    if (slot.time < this.start || slot.time >= end) return;
    const fields = slot.make();
    if (!fields) return;
    this.seq++;
    const id = (((BigInt(slot.time) - SNOWFLAKE_EPOCH) << 22n) | BigInt(this.seq & 0x3fffff)).toString();
    const post: SimPost = { seq: this.seq, id, account: slot.account, time: slot.time, ...fields };
    slot.post = post;
    if (post.kind === 'post' || post.kind === 'quote') {
      const ring = this.recent[post.lang];
      if (ring.length < 20_000) ring.push(post);
      else {
        ring[this.recentAt[post.lang]] = post;
        this.recentAt[post.lang] = (this.recentAt[post.lang] + 1) % 20_000;
      }
      if (post.account.role === 'influencer' || post.account.role === 'outlet') {
        const pool = this.popular[post.lang];
        pool.push(post);
        if (pool.length > 4000) pool.splice(0, 1000);
      }
    }
    this.emit(post);
  }

  // ---------------------------------------------------------------- time helpers

  /** Whether a time falls inside the simulated month (slots outside it are never written). */
  private inMonth(time: number): boolean {
    return time >= this.start && time < this.start + this.c.days * DAY;
  }

  /** UTC time of a local hour on local day d for an account's clock. */
  private at(d: number, localHour: number, offsetMinutes: number): number {
    return this.start + d * DAY + localHour * HOUR - offsetMinutes * MIN;
  }

  /** A local hour drawn from the human daily rhythm, shifted per account. */
  private humanHour(rng: Rng, a: SimAccount): number {
    return (((this.hours.draw(rng) + rng.next() + a.peakShift) % 24) + 24) % 24;
  }

  /** Days off of an organic account (the same rule the population's volume plan uses). */
  private dayOff(a: SimAccount, d: number): boolean {
    return isDayOff(a.persona, weekdayOf(this.start, d));
  }

  // ---------------------------------------------------------------- content helpers

  private makeArticles(rng: Rng, d: number): Record<Lang, { urls: string[]; alias: Alias }> {
    const day = new Date(this.start + d * DAY);
    const out = {} as Record<Lang, { urls: string[]; alias: Alias }>;
    for (const lang of LANGS) {
      const urls = Array.from({ length: 120 }, (_, i) =>
        articleUrl(rng, i % 3 === 2 ? rng.pick(BLOG_SITES) : rng.pick(NEWS_SITES), day),
      );
      out[lang] = { urls, alias: new Alias(urls.map((_, i) => 1 / (i + 1) ** 0.9)) };
    }
    return out;
  }

  private organicTag(rng: Rng, lang: Lang): string {
    const pushed = this.pushed[lang];
    return pushed.length && rng.chance(0.03) ? rng.pick(pushed) : this.tags.draw(rng, lang);
  }

  private target(rng: Rng, lang: Lang, popularBias: number): SimPost | undefined {
    const popular = this.popular[lang];
    if (popular.length && rng.chance(popularBias)) {
      for (let tries = 0; tries < 6; tries++) {
        const p = popular[popular.length - 1 - Math.floor(rng.next() ** 2 * popular.length)]!;
        if (rng.chance(Math.sqrt(Math.min(1, p.account.followers / 500_000)) + 0.1)) return p;
      }
    }
    const ring = this.recent[lang];
    return ring.length ? ring[Math.floor(rng.next() * ring.length)] : undefined;
  }

  private repostOf(target: SimPost | undefined, client: string, source: string): Fields | null {
    if (!target) return null;
    return {
      kind: 'repost',
      ref: target,
      text: target.text,
      lang: target.lang,
      hashtags: target.hashtags,
      urls: target.urls,
      mentions: [target.account],
      media: target.media,
      client,
      source,
    };
  }

  private original(rng: Rng, a: SimAccount, extra: Partial<Fields> = {}): Fields {
    const hashtags: string[] = [];
    const urls: string[] = [];
    const media: string[] = [];
    let text = organicText(rng, a.lang);
    if (rng.chance(this.c.organic.hashtagRate)) {
      const n = rng.chance(0.25) ? 2 : 1;
      for (let i = 0; i < n; i++) {
        // Two draws from the Zipf pool often give the same tag: write it once.
        const tag = this.organicTag(rng, a.lang);
        if (!hashtags.includes(tag)) hashtags.push(tag);
      }
    }
    if (rng.chance(this.c.organic.urlRate)) {
      const art = this.articles[a.lang];
      urls.push(decorateUrl(rng, art.urls[art.alias.draw(rng)]!));
    }
    if (rng.chance(this.c.organic.mediaRate))
      media.push(
        rng.chance(0.3)
          ? this.memes[this.memeAlias.draw(rng)]!
          : `phash:${rng.int(0, 0xffffff).toString(16)}${rng.int(0, 0xffffffff).toString(16).padStart(8, '0')}`,
      );
    for (const t of hashtags) text += ` #${t}`;
    for (const u of urls) text += ` ${u}`;
    return {
      kind: 'post',
      text,
      lang: a.lang,
      hashtags,
      urls,
      mentions: [],
      media,
      client: a.client,
      source: 'organic',
      ...extra,
    };
  }

  /** An outlet's post of one of its own articles: "headline URL". */
  private article(rng: Rng, outlet: SimAccount, source: string, at: Date): Fields {
    const url = articleUrl(rng, new URL(outlet.url!).hostname, at);
    return post(`${headline(rng, 'en')} ${url}`, 'en', outlet.client, source, { urls: [url] });
  }

  /**
   * `n` distinct accounts of a language, drawn with `picker` (fewer when the pool runs dry). Drawing
   * with replacement and skipping repeats, as before, silently shrank events and let one account sign
   * a petition twice.
   */
  private distinct(rng: Rng, lang: Lang, picker: Alias, n: number, exclude?: SimAccount): SimAccount[] {
    const pool = this.pop.byLang[lang];
    const want = Math.min(n, pool.length - (exclude ? 1 : 0));
    const seen = new Set<SimAccount>();
    const out: SimAccount[] = [];
    for (let tries = 0; out.length < want && tries < 4 * want + 20; tries++) {
      const a = pool[picker.draw(rng)]!;
      if (a === exclude || seen.has(a)) continue;
      seen.add(a);
      out.push(a);
    }
    return out;
  }

  // ---------------------------------------------------------------- organic routine

  private organicDay(rng: Rng, d: number): void {
    // News outlets post their own articles too (their `monthly` was never used before, so the
    // accounts that share buttons and news events cite had almost no posts of their own).
    for (const a of [...this.pop.organic, ...this.pop.outlets]) {
      if (a.monthly <= 0) continue;
      const rate = (a.monthly / this.c.days) * (this.dayOff(a, d) ? a.weekendFactor : 1);
      const n = rng.poisson(rate);
      for (let i = 0; i < n; i++) {
        const time = this.at(d, this.humanHour(rng, a), a.offset);
        const r = rng.next();
        const kind: PostKind =
          r < a.repostShare
            ? 'repost'
            : r < a.repostShare + a.replyShare
              ? 'reply'
              : r < a.repostShare + a.replyShare + a.quoteShare
                ? 'quote'
                : 'post';
        const local = rng.fork(this.order);
        this.schedule(a, time, () => this.routine(local, a, kind, time));
      }
    }
  }

  private routine(rng: Rng, a: SimAccount, kind: PostKind, time: number): Fields | null {
    if (a.role === 'outlet') return this.article(rng, a, 'organic', new Date(time));
    if (kind === 'repost')
      return this.repostOf(this.target(rng, a.lang, 0.7), a.client, 'organic') ?? this.original(rng, a);
    if (kind === 'reply' || kind === 'quote') {
      const t = this.target(rng, a.lang, kind === 'quote' ? 0.8 : 0.4);
      if (!t || t.account === a) return this.original(rng, a);
      const own = this.original(rng, a);
      return kind === 'reply'
        ? { ...own, kind, text: `@${t.account.handle} ${own.text}`, replyTo: t, mentions: [t.account] }
        : { ...own, kind, ref: t };
    }
    return this.original(rng, a);
  }

  // ---------------------------------------------------------------- hard negatives

  private pickOrganic(rng: Rng, lang: Lang): SimAccount {
    return this.pop.byLang[lang][this.pop.pickers[lang].draw(rng)]!;
  }

  private pickLang(rng: Rng): Lang {
    let r = rng.next() * LANGS.reduce((s, l) => s + this.c.organic.languages[l], 0);
    for (const l of LANGS) {
      r -= this.c.organic.languages[l];
      if (r <= 0) return l;
    }
    return 'en';
  }

  /**
   * The month's viral cascades, planned up front: a Poisson number a day, each in a language (drawn
   * with the language shares) and of a heavy-tailed size around `cascadeShare` of its language's
   * accounts. The sizes are then scaled together so the month's retweets meet their expectation, which
   * the volume plan counts on: left alone, one huge cascade or a month of Spanish ones moved the
   * corpus by +/-5%. The tail's shape (which cascades are big) is kept.
   */
  private planCascades(): { day: number; lang: Lang; size: number }[] {
    const h = this.c.hardNegatives;
    const rng = this.rng.fork('cascades');
    const raw: { day: number; lang: Lang; size: number }[] = [];
    for (let d = 0; d < this.c.days; d++) {
      const n = rng.poisson(h.cascadesPerDay);
      for (let k = 0; k < n; k++) {
        const lang = this.pickLang(rng);
        const size = h.cascadeShare * this.pop.byLang[lang].length * rng.lognormal(1, CASCADE_SIGMA);
        raw.push({ day: d, lang, size });
      }
    }
    const weights = LANGS.reduce((s, l) => s + this.c.organic.languages[l], 0);
    const perCascade = LANGS.reduce(
      (s, l) => s + (this.c.organic.languages[l] / weights) * this.pop.byLang[l].length,
      0,
    );
    const expected =
      h.cascadesPerDay * this.c.days * h.cascadeShare * Math.exp(CASCADE_SIGMA ** 2 / 2) * perCascade;
    const total = raw.reduce((s, x) => s + x.size, 0);
    const scale = total > 0 ? expected / total : 1;
    return raw.map((x) => {
      const pool = this.pop.byLang[x.lang].length;
      // At least a handful of retweeters (a "viral" post with one reply is just a post), at most 80%.
      const size = Math.min(Math.floor(0.8 * pool), Math.max(5, Math.round(x.size * scale)));
      return { ...x, size };
    });
  }

  /**
   * Viral posts: an influencer posts, and distinct accounts of its language retweet within minutes,
   * drawn with the viral weights (occasional users join too).
   */
  private cascades(rng: Rng, d: number, planned: { lang: Lang; size: number }[]): void {
    const h = this.c.hardNegatives;
    for (const [k, { lang, size }] of planned.entries()) {
      const source = rng.pick(
        this.pop.influencers[lang].length ? this.pop.influencers[lang] : this.pop.byLang[lang],
      );
      if (!source) continue;
      const id = `cascade:${d}.${k}`;
      const t0 = this.at(d, 8 + rng.next() * 14, source.offset);
      const r = rng.fork(id);
      const origin = this.schedule(source, t0, () => ({ ...this.original(r, source), source: id }));
      const retweeters = this.distinct(rng, lang, this.pop.viralPickers[lang], size, source);
      // The truth file counts what the corpus holds: retweets inside the month, of an origin inside it.
      let written = 0;
      retweeters.forEach((a, i) => {
        const delay = Math.max(5_000, rng.lognormal(h.cascadeDelayMedianMinutes, 1.1) * MIN);
        if (this.inMonth(t0) && this.inMonth(t0 + delay)) written++;
        const reply = rng.chance(0.06);
        const rr = rng.fork(i);
        this.schedule(a, t0 + delay, () => {
          if (!origin.post) return null;
          if (!reply) return this.repostOf(origin.post, a.client, id);
          const own = this.original(rr, a);
          return {
            ...own,
            kind: 'reply',
            text: `@${source.handle} ${own.text}`,
            replyTo: origin.post,
            mentions: [source],
            source: id,
          };
        });
      });
      if (this.inMonth(t0))
        this.events.push({ kind: 'cascade', id, lang, start: new Date(t0).toISOString(), accounts: written });
    }
  }

  /** Spreads `count` events over distinct days of the month. */
  private planSpread(count: number, prefix: string): { day: number; id: string }[] {
    const rng = this.rng.fork(prefix);
    return Array.from({ length: count }, (_, i) => ({
      day: rng.int(0, this.c.days - 1),
      id: `${prefix}:${i}`,
    }));
  }

  /** Breaking news: outlets post links with a new hashtag; many accounts react within hours. */
  private newsEvent(rng: Rng, d: number, id: string): void {
    const h = this.c.hardNegatives;
    const lang = this.pickLang(rng);
    const t0 = this.start + d * DAY + rng.next() * DAY;
    const tag = `${camelTag(rng, lang, 1)}${rng.pick(['Breaking', 'Now', 'News', 'Alert'])}`;
    const day = new Date(t0);
    const outlets = rng.sample(this.pop.outlets, rng.int(3, 5));
    const stories = outlets.map((o) => {
      const url = articleUrl(rng, new URL(o.url!).hostname, day);
      const text = `${headline(rng, lang)} #${tag} ${url}`;
      return this.schedule(o, t0 + rng.next() * 10 * MIN, () =>
        post(text, lang, o.client, id, { hashtags: [tag], urls: [url] }),
      );
    });
    const n = Math.round(h.newsShare * this.pop.byLang[lang].length);
    const reacting = new Set<SimAccount>();
    for (let i = 0; i < n; i++) {
      const a = this.pickOrganic(rng, lang);
      const time = t0 + 3 * MIN + rng.exponential(h.newsDelayMeanMinutes * MIN);
      if (this.inMonth(time)) reacting.add(a);
      const story = rng.pick(stories);
      const r = rng.fork(i);
      this.schedule(a, time, () => {
        if (r.chance(0.3)) return this.repostOf(story.post, a.client, id);
        const own = this.original(r, a);
        const hashtags = r.chance(0.7) ? [tag, ...own.hashtags.filter((t) => t !== tag)] : own.hashtags;
        const urls = r.chance(0.4) && story.post ? [decorateUrl(r, story.post.urls[0]!)] : own.urls;
        const text = `${organicText(r, lang)}${hashtags.map((t) => ` #${t}`).join('')}${urls.map((u) => ` ${u}`).join('')}`;
        return { ...own, text, hashtags, urls, source: id };
      });
    }
    this.events.push({
      kind: 'news',
      id,
      lang,
      start: new Date(t0).toISOString(),
      accounts: reacting.size,
      hashtag: tag,
    });
  }

  private planPetitions(): { day: number; lang: Lang; id: string }[] {
    const rng = this.rng.fork('petitions');
    return Array.from({ length: this.c.hardNegatives.petitions }, (_, i) => ({
      day: rng.int(0, Math.max(0, Math.floor(this.c.days / 2))),
      lang: this.pickLang(rng),
      id: `petition:${i}`,
    }));
  }

  /** A petition: identical text ("I signed ...") from many accounts, spread over the following days. */
  private petition(rng: Rng, d: number, lang: Lang, id: string): void {
    const url = `https://petitions.example/p/${camelTag(rng, 'en', 2).toLowerCase()}-${rng.int(100, 999)}`;
    const tag = `Save${rng.pick(TAG_WORDS.en)}`;
    const text = `${lang === 'en' ? 'I just signed the petition' : lang === 'es' ? 'Acabo de firmar la petición' : lang === 'fa' ? 'من این دادخواست را امضا کردم' : lang === 'ar' ? 'لقد وقعت على العريضة' : 'Я подписал петицию'} "${headline(rng, lang)}" ${url} #${tag}`;
    const n = Math.round(this.c.hardNegatives.petitionShare * this.pop.byLang[lang].length);
    let signers = 0;
    for (const a of this.distinct(rng, lang, this.pop.pickers[lang], n)) {
      const day = d + Math.floor(rng.exponential(4));
      if (day >= this.c.days) continue;
      const time = this.at(day, this.humanHour(rng, a), a.offset);
      if (this.inMonth(time)) signers++;
      this.schedule(a, time, () => post(text, lang, a.client, id, { hashtags: [tag], urls: [url] }));
    }
    this.events.push({
      kind: 'petition',
      id,
      lang,
      start: new Date(this.start + d * DAY).toISOString(),
      accounts: signers,
      hashtag: tag,
      url,
      text,
    });
  }

  /**
   * Share buttons: the outlet posts an article, then readers press its share button over the day:
   * identical "headline URL via @outlet" texts.
   */
  private shareButtons(rng: Rng, d: number): void {
    const h = this.c.hardNegatives;
    if (!this.pop.byLang.en.length) return;
    for (let k = 0; k < h.shareButtonArticles; k++) {
      const outlet = rng.pick(this.pop.outlets);
      const t0 = this.start + d * DAY + rng.next() * DAY;
      const url = articleUrl(rng, new URL(outlet.url!).hostname, new Date(t0));
      const title = headline(rng, 'en');
      const text = `${title} ${url} via @${outlet.handle}`;
      const own: Fields = post(`${title} ${url}`, 'en', outlet.client, 'share-button', { urls: [url] });
      this.schedule(outlet, t0 - rng.int(1, 20) * MIN, () => own);
      const n = Math.round(h.shareButtonShare * this.pop.byLang.en.length * rng.lognormal(1, 0.7));
      for (const a of this.distinct(rng, 'en', this.pop.pickers.en, n)) {
        this.schedule(a, t0 + rng.exponential(3 * HOUR), () =>
          post(text, 'en', a.client, 'share-button', { urls: [url], mentions: [outlet] }),
        );
      }
    }
  }

  /** An outlet's several accounts post the same headlines within a minute (open automation). */
  private syndication(rng: Rng, d: number): void {
    for (const group of this.pop.syndicated) {
      const site = new URL(group[0]!.url!).hostname;
      const n = Math.round(rng.int(8, 20) * Math.sqrt(this.c.posts / 1_000_000));
      for (let k = 0; k < n; k++) {
        const t0 = this.start + d * DAY + rng.next() * DAY;
        const url = articleUrl(rng, site, new Date(t0));
        const text = `${headline(rng, 'en')} ${url}`;
        for (const a of group) {
          this.schedule(a, t0 + rng.next() * 50_000, () =>
            post(text, 'en', a.client, `syndication:${site}`, { urls: [url] }),
          );
        }
      }
    }
  }

  /** An open campaign: an organiser asks members to post a toolkit text at noon; they do, in the hour. */
  private campaign(rng: Rng, d: number, id: string): void {
    // The organiser is an ordinary account (not an influencer or a journalist whose role it would take).
    const organiser = rng.pick(this.pop.byLang.en.filter((a) => a.role === 'regular'));
    if (!organiser) return;
    const members = rng
      .sample(
        this.pop.byLang.en,
        Math.round(this.c.hardNegatives.campaignShare * this.pop.byLang.en.length) + 1,
      )
      .filter((a) => a !== organiser)
      .slice(0, Math.round(this.c.hardNegatives.campaignShare * this.pop.byLang.en.length));
    organiser.role = 'organiser';
    organiser.group = id;
    const tag = `${rng.pick(['FairPay', 'SafeStaffing', 'CleanAir', 'SaveOur'])}${rng.pick(['Now', 'Today', 'Together', 'Parks'])}`;
    const t0 = this.at(d, 12, organiser.offset);
    const call = this.schedule(organiser, t0 - 30 * MIN, () =>
      post(
        `Today at noon: tell your story and ask for change. Use #${tag}. Toolkit in the thread.`,
        'en',
        organiser.client,
        id,
        { hashtags: [tag] },
      ),
    );
    const template = `We deserve better working conditions and a fair deal for every family. Join us #${tag}`;
    for (const a of members) {
      a.group = id;
      const r = rng.fork(a.idx);
      this.schedule(a, t0 + rng.next() * 50 * MIN, () =>
        r.chance(0.4)
          ? this.repostOf(call.post, a.client, id)
          : post(
              `${r.chance(0.5) ? `As a ${r.pick(['nurse', 'teacher', 'parent', 'driver', 'carer'])}: ` : ''}${template}`,
              'en',
              a.client,
              id,
              { hashtags: [tag] },
            ),
      );
    }
    this.events.push({
      kind: 'campaign',
      id,
      lang: 'en',
      start: new Date(t0).toISOString(),
      accounts: members.length + 1,
      hashtag: tag,
      text: template,
    });
  }

  // ---------------------------------------------------------------- operations

  /** A local hour inside the operators' shift, avoiding lunch most of the time. */
  private shiftHour(rng: Rng, op: OperationState): number {
    const [s0, s1] = op.config.shift;
    const [l0, l1] = op.config.lunch;
    for (;;) {
      const h = s0 + rng.next() * (s1 - s0);
      if (h < l0 || h >= l1 || rng.chance(0.1)) return h;
    }
  }

  /** A local hour outside the shift, from the human daily rhythm (posting from home in the evening). */
  private offShiftHour(rng: Rng, op: OperationState): number {
    const [s0, s1] = op.config.shift;
    for (let i = 0; i < 50; i++) {
      const h = this.hours.draw(rng) + rng.next();
      if (h < s0 || h >= s1) return h;
    }
    return this.shiftHour(rng, op);
  }

  private operationDay(rng: Rng, d: number, op: OperationState): void {
    const o = op.config;
    // Local day d is the calendar date start + d whatever the clock (at UTC+14 the old "UTC weekday
    // of local noon" was the day before).
    if (!o.workdays.includes(weekdayOf(this.start, d))) return;
    const camouflage = (a: SimAccount, mean: number) => {
      const n = rng.poisson(mean);
      for (let i = 0; i < n; i++) {
        const r = rng.fork(`${a.idx}.${i}`);
        const hour = rng.chance(o.offShiftShare) ? this.offShiftHour(rng, op) : this.shiftHour(rng, op);
        this.schedule(a, this.at(d, hour, o.operatorOffsetMinutes), () =>
          r.chance(0.6)
            ? (this.repostOf(this.target(r, a.lang, 0.9), a.client, `${o.id}:camouflage`) ?? null)
            : { ...this.original(r, a), source: `${o.id}:camouflage` },
        );
      }
    };
    for (const a of op.active) camouflage(a, o.camouflagePerDay);
    for (const a of op.sleepers) camouflage(a, SLEEPER_CAMOUFLAGE);
    const orders = rng.poisson(o.ordersPerDay);
    const weights = Object.entries(o.tactics) as [Tactic, number][];
    for (let k = 0; k < orders; k++) {
      let r = rng.next() * weights.reduce((s, [, w]) => s + w, 0);
      let tactic = weights[0]![0];
      for (const [t, w] of weights) {
        r -= w;
        if (r <= 0) {
          tactic = t;
          break;
        }
      }
      this.order_(rng.fork(`order${d}.${k}`), d, op, tactic, `${o.id}:${tactic}:${d}.${k}`);
    }
  }

  private order_(rng: Rng, d: number, op: OperationState, tactic: Tactic, id: string): void {
    const o = op.config;
    const lang = rng.pick(o.languages);
    const start = this.at(d, this.shiftHour(rng, op), o.operatorOffsetMinutes);
    const participants = op.active
      .filter(() => rng.chance(o.participation))
      .concat(op.sleepers.filter(() => rng.chance(o.sleeperJoin)));
    const hashtag = rng.pick(op.hashtags);
    if (!this.pushed[lang].includes(hashtag)) this.pushed[lang].push(hashtag);
    const record: OrderRecord = {
      operation: o.id,
      tactic,
      start: new Date(start).toISOString(),
      lang,
      hashtag: null,
      url: null,
      target: null,
      participants: participants.length,
    };
    // Operators post with their accounts one after another; each starts a few minutes into the order.
    const byOperator = new Map<number, SimAccount[]>();
    for (const a of rng.shuffle(participants))
      byOperator.set(a.operator!, [...(byOperator.get(a.operator!) ?? []), a]);
    const times = new Map<SimAccount, number>();
    for (const accounts of byOperator.values()) {
      let t = start + rng.next() * 5 * MIN;
      for (const a of accounts) {
        t += (o.gapSeconds[0] + rng.next() * (o.gapSeconds[1] - o.gapSeconds[0])) * 1000;
        times.set(a, t);
      }
    }
    const each = (make: (a: SimAccount, r: Rng) => Fields | null) => {
      for (const [a, t] of times) {
        const r = rng.fork(a.idx);
        this.schedule(a, t, () => make(a, r));
      }
    };
    const core = rng.pick(op.core);
    const message = () => rng.pick(OP_MESSAGES[lang]);
    switch (tactic) {
      case 'retweet-ring': {
        const text = `${message()} #${hashtag}`;
        const seed = this.schedule(core, start - rng.int(1, 8) * MIN, () =>
          post(text, lang, core.client, id, { hashtags: [hashtag] }),
        );
        each((a) => (a === core ? null : this.repostOf(seed.post, a.client, id)));
        record.hashtag = hashtag;
        break;
      }
      case 'copy-paste': {
        const base = `${message()} #${hashtag}`;
        const extra = rng.pick(op.hashtags.filter((t) => t !== hashtag));
        each((a, r) => {
          const text = editCopy(r, base, lang, o.maxEdits, extra);
          const tags = [...new Set([...text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!))];
          return post(text, lang, a.client, id, { hashtags: tags });
        });
        record.hashtag = hashtag;
        break;
      }
      case 'hashtag-order': {
        each((a, r) => {
          const own = organicText(r, lang);
          const text = r.chance(0.5) ? `${own} #${hashtag}` : `#${hashtag} ${own}`;
          return post(text, lang, a.client, id, { hashtags: [hashtag] });
        });
        record.hashtag = hashtag;
        break;
      }
      case 'link-laundering': {
        const url = articleUrl(rng, rng.pick(op.sites), new Date(start));
        const seed = this.schedule(core, start - rng.int(1, 5) * MIN, () =>
          post(`${message()} ${url}`, lang, core.client, id, { urls: [url] }),
        );
        each((a, r) => {
          if (a === core) return null;
          if (r.chance(0.25)) return this.repostOf(seed.post, a.client, id);
          const link = decorateUrl(r, url);
          return post(`${organicText(r, lang)} ${link}`, lang, a.client, id, { urls: [link] });
        });
        record.url = url;
        break;
      }
      case 'reply-swarm': {
        const pool = this.pop.journalists[lang].length ? this.pop.journalists[lang] : this.pop.journalists.en;
        const journalist = rng.pick(pool);
        if (!journalist) return;
        const jr = rng.fork('journalist');
        const post = this.schedule(journalist, start - rng.int(5, 40) * MIN, () => ({
          ...this.original(jr, journalist),
          source: 'organic',
        }));
        const replies = SWARM_REPLIES[lang];
        each((a, r) => {
          if (!post.post) return null;
          const text = editCopy(r, r.pick(replies).replace('{handle}', journalist.handle), lang, 2);
          return {
            kind: 'reply',
            text,
            lang,
            hashtags: [],
            urls: [],
            mentions: [journalist],
            media: [],
            client: a.client,
            replyTo: post.post,
            source: id,
          };
        });
        record.target = journalist.handle;
        break;
      }
    }
    this.orders.push(record);
  }
}
