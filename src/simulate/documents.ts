/**
 * Simulated documents for echo tracing: statements, speeches and articles, some of which echo the
 * planted operations' messages days after the operations first posted them, with the ground truth.
 *
 * What is planted, and what echo tracing should make of it (docs/simulator.md, "Documents"):
 *
 * | kind          | what the document holds                                              | expected        |
 * |---------------|----------------------------------------------------------------------|-----------------|
 * | verbatim      | an operation message quoted whole inside the document's own sentences | lexical echo    |
 * | light-edit    | the message with a word changed and a clause inserted                 | lexical echo    |
 * | reordered     | the message's two halves swapped                                      | lexical echo    |
 * | syndicated    | another outlet's verbatim echo republished whole a day later          | lexical echo, source: that document |
 * | precedes      | the message quoted whole, published days BEFORE the operation used it | status precedes |
 * | translated    | the message in another language (a hand-made parallel translation)    | semantic tier only |
 * | paraphrased   | the message reworded (English)                                        | semantic tier only |
 * | stock-phrase  | ordinary text with a short phrase an operation message also holds     | no echo         |
 * | unrelated     | ordinary text                                                         | no echo         |
 *
 * Every outlet closes most of its documents with a sentence of its own (boilerplate); one outlet's
 * closing sentence is half of an operation message, which only boilerplate suppression keeps from
 * matching all of that outlet's documents. Dates come as full timestamps, dates only, zone-less
 * times and, for some documents, only a collection time.
 *
 * The messages and their first use are observed as the simulator writes posts (`TemplateObserver`,
 * hooked into simulate() in index.ts), or given directly (`simulateDocuments`) for a corpus
 * simulated earlier.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/random.js';
import type { Lang } from './config.js';
import { FIRST, LAST, OP_MESSAGES, SYNONYMS } from './lexicon.js';
import type { SimPost } from './model.js';
import { organicText } from './text.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** An operation message and when an operation first posted it. */
export interface TemplateUse {
  lang: Lang;
  /** Index in OP_MESSAGES[lang]. */
  index: number;
  text: string;
  operation: string;
  /** UTC ms of the first post carrying it. */
  firstUsed: number;
}

/** Groups of OP_MESSAGES indices that translate each other. */
export const TRANSLATIONS: Partial<Record<Lang, number>>[] = [
  { en: 0, fa: 0, ar: 0, ru: 0, es: 0 },
  { en: 1, fa: 1, ar: 1, ru: 1, es: 1 },
  { en: 3, fa: 2, ar: 2 },
  { en: 4, fa: 3, ar: 3, ru: 2, es: 2 },
  { en: 5, fa: 4, ar: 4, ru: 3 },
  { en: 6, fa: 5, ar: 5, ru: 4 },
];

/** English paraphrases of OP_MESSAGES.en, index for index. */
export const PARAPHRASES = [
  'Citizens have every right to learn what is really going on in our towns',
  'You will not hear it on tonight’s broadcast, yet the statistics are clear',
  'Those in power betrayed us, and the press keeps shielding them',
  'That is genuine bravery, and it is why we back this cause',
  'Spread the word before it is taken down, because the government account is collapsing',
  'Outside meddling in our votes has to stop immediately, we have had enough',
  'Any honest person ought to study this report and pose tough questions',
  'The demonstrations keep getting bigger and at last the world is watching',
];

/** Short phrases the operation messages share with ordinary speech (decoys). */
const STOCK: Record<Lang, string[]> = {
  en: ['enough is enough', 'the numbers do not lie', 'ask hard questions', 'in our cities', 'we stand with'],
  fa: ['آمارها دروغ نمی‌گویند', 'حقیقت را بدانند'],
  ar: ['الأرقام لا تكذب', 'هذه هي الشجاعة'],
  ru: ['цифры не лгут', 'правду о том'],
  es: ['los números no mienten', 'el pueblo ya despertó'],
};

export type DocumentKind =
  | 'verbatim'
  | 'light-edit'
  | 'reordered'
  | 'syndicated'
  | 'precedes'
  | 'translated'
  | 'paraphrased'
  | 'stock-phrase'
  | 'unrelated';

/** Kinds the lexical tier must find, and kinds that must not be echoes of anything. */
export const LEXICAL_KINDS: DocumentKind[] = [
  'verbatim',
  'light-edit',
  'reordered',
  'syndicated',
  'precedes',
];
export const NEGATIVE_KINDS: DocumentKind[] = ['stock-phrase', 'unrelated'];

export interface SimDocument {
  id: string;
  title: string;
  text: string;
  published_at?: string;
  collected_at?: string;
  author: string;
  outlet: string;
  url: string;
  lang: Lang;
  kind: string;
}

export interface DocumentTruth {
  id: string;
  kind: DocumentKind;
  /** The echoed message (in its posted language) and the operation that posted it. */
  message: string | null;
  messageLang: Lang | null;
  operation: string | null;
  firstUsed: string | null;
  /** The document's language and its intended lag after the first use, in days (negative: before). */
  lang: Lang;
  lagDays: number | null;
  /** A syndicated copy's original document. */
  copyOf: string | null;
}

export interface DocumentSimOptions {
  count: number;
  seed: number;
  /** Share of documents that echo a message (the rest are unrelated or decoys). */
  echoShare?: number;
  /** Sentences of a document's own text, least and most (default 6..30 unrelated, 4..24 echoing). */
  sentences?: [number, number];
}

/** Watches the simulated posts for operation messages and remembers when each was first posted. */
export class TemplateObserver {
  private readonly first = new Map<string, TemplateUse>();
  private readonly words: Record<string, string[][]> = {};

  observe(post: SimPost): void {
    if (post.kind !== 'post' || post.account.label !== 'operation') return;
    const tactic = post.source.split(':')[1];
    if (tactic !== 'copy-paste' && tactic !== 'retweet-ring' && tactic !== 'link-laundering') return;
    const index = this.match(post.lang, post.text);
    if (index < 0) return;
    const key = `${post.lang}:${index}`;
    const seen = this.first.get(key);
    if (!seen || post.time < seen.firstUsed)
      this.first.set(key, {
        lang: post.lang,
        index,
        text: OP_MESSAGES[post.lang][index]!,
        operation: post.source.split(':')[0]!,
        firstUsed: post.time,
      });
  }

  /** The message a post carries: the one most of whose words it holds (edits change a few). */
  private match(lang: Lang, text: string): number {
    const split = (s: string) =>
      s
        .toLowerCase()
        .split(/[\s,.!?،؟]+/u)
        .filter(Boolean);
    this.words[lang] ??= OP_MESSAGES[lang].map(split);
    const have = new Set(split(text));
    let best = -1;
    let bestShare = 0.6;
    this.words[lang]!.forEach((w, i) => {
      const share = w.filter((x) => have.has(x)).length / w.length;
      if (share > bestShare) {
        bestShare = share;
        best = i;
      }
    });
    return best;
  }

  uses(): TemplateUse[] {
    return [...this.first.values()].sort(
      (a, b) => a.firstUsed - b.firstUsed || a.lang.localeCompare(b.lang) || a.index - b.index,
    );
  }
}

const OUTLETS = [
  {
    name: 'Ministry of Civic Affairs',
    kind: 'statement',
    site: 'civic-affairs.example',
    closing: 'For further information, contact the press office of the Ministry of Civic Affairs.',
  },
  {
    name: 'The Daily Example',
    kind: 'article',
    site: 'daily.example',
    closing: 'Subscribe to The Daily Example for the stories that matter to you.',
  },
  {
    name: 'Evening Example Post',
    kind: 'article',
    site: 'evening-post.example',
    closing: 'The Evening Example Post is an independent newspaper, read by thousands every day.',
  },
  // Half of an operation message, repeated by one outlet: boilerplate suppression must keep it from matching.
  {
    name: 'Truth Radio Example',
    kind: 'transcript',
    site: 'truth-radio.example',
    closing: 'The people deserve to know the truth, and you heard it here first.',
  },
  {
    name: 'Parliament Example Records',
    kind: 'speech',
    site: 'parliament.example',
    closing: 'The sitting was adjourned and the record was approved without objection.',
  },
  {
    name: 'Regional Example Herald',
    kind: 'article',
    site: 'herald.example',
    closing: 'Regional Example Herald, reporting from the provinces since the old days.',
  },
];

function filler(rng: Rng, lang: Lang, sentences: number): string[] {
  return Array.from({ length: sentences }, () => {
    const s = organicText(rng, lang)
      .replace(/[.!?…]+$/u, '')
      .trim();
    return `${s}.`;
  });
}

/** A message with light edits: one synonym (when one fits) and an inserted clause. */
function lightEdit(rng: Rng, lang: Lang, text: string): string {
  let t = text;
  for (const [a, b] of rng.shuffle([...SYNONYMS[lang]])) {
    if (t.includes(a)) {
      t = t.replace(a, b);
      break;
    }
    if (t.includes(b)) {
      t = t.replace(b, a);
      break;
    }
  }
  const words = t.split(' ');
  const at = Math.max(2, Math.floor(words.length / 2));
  const clause =
    lang === 'en'
      ? 'as many of us have said'
      : lang === 'es'
        ? 'como muchos hemos dicho'
        : lang === 'ru'
          ? 'как многие говорили'
          : lang === 'fa'
            ? 'همان طور که بسیاری گفته‌اند'
            : 'كما قال كثيرون';
  return [...words.slice(0, at), `${clause},`, ...words.slice(at)].join(' ');
}

/** A message with its halves swapped (at a comma when it has one, else mid-way). */
function reorder(text: string): string {
  const comma = text.indexOf(', ');
  if (comma > 0) return `${text.slice(comma + 2)}, ${text.slice(0, comma)}`;
  const words = text.split(' ');
  const at = Math.floor(words.length / 2);
  return `${words.slice(at).join(' ')}, ${words.slice(0, at).join(' ')}`;
}

/** The documents and their truth, deterministic per (uses, options). */
export function simulateDocuments(
  uses: TemplateUse[],
  options: DocumentSimOptions & { start: number; days: number },
): { documents: SimDocument[]; truth: DocumentTruth[] } {
  const rng = new Rng(options.seed).fork('documents');
  const echoShare = options.echoShare ?? 0.4;
  const documents: SimDocument[] = [];
  const truth: DocumentTruth[] = [];
  const people = FIRST.us.flatMap((f, i) => (i % 3 === 0 ? [`${f} ${LAST.us[i % LAST.us.length]}`] : []));
  const langs: Lang[] = ['en', 'en', 'en', 'fa', 'ar', 'ru', 'es'];
  const echoKinds: [DocumentKind, number][] = [
    ['verbatim', 4],
    ['light-edit', 3],
    ['reordered', 2],
    ['precedes', 1],
    ['translated', 2],
    ['paraphrased', 2],
  ];
  const totalWeight = echoKinds.reduce((s, [, w]) => s + w, 0);
  const pickKind = (): DocumentKind => {
    let x = rng.next() * totalWeight;
    for (const [k, w] of echoKinds) {
      x -= w;
      if (x < 0) return k;
    }
    return 'verbatim';
  };
  const dateOf = (t: number, r: Rng): Pick<SimDocument, 'published_at' | 'collected_at'> => {
    const x = r.next();
    const collected = new Date(t + r.int(1, 72) * HOUR).toISOString();
    if (x < 0.6) {
      // A full time with an offset.
      const offset = r.pick([0, 60, 180, 210, -300]);
      const local = new Date(t + offset * 60_000).toISOString().slice(0, 19);
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      return {
        published_at: `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`,
        collected_at: collected,
      };
    }
    if (x < 0.85) return { published_at: new Date(t).toISOString().slice(0, 10), collected_at: collected };
    if (x < 0.95) return { published_at: new Date(t).toISOString().slice(0, 16).replace('T', ' ') };
    return { collected_at: collected };
  };
  let n = 0;
  const add = (
    doc: Omit<SimDocument, 'id' | 'url' | 'title'> & { title?: string },
    t: Omit<DocumentTruth, 'id' | 'lang'>,
    site: string,
  ) => {
    const id = `doc-${String(++n).padStart(6, '0')}`;
    documents.push({
      id,
      title: doc.title ?? `${doc.outlet}: ${doc.text.split(/[.!?]/)[0]!.slice(0, 60)}`,
      url: `https://${site}/${id}`,
      ...doc,
    });
    truth.push({ id, lang: doc.lang, ...t });
    return id;
  };
  const echoed: { id: string; text: string; lang: Lang; at: number; use: TemplateUse }[] = [];
  for (let i = 0; i < options.count; i++) {
    const r = rng.fork(i);
    const outlet = r.pick(OUTLETS);
    const author = r.pick(people);
    const closing = r.chance(0.8) ? [outlet.closing] : [];
    const echo = uses.length > 0 && r.chance(echoShare);
    if (!echo) {
      const lang = r.pick(langs);
      const decoy = r.chance(0.3);
      const body = filler(r, lang, r.int(...(options.sentences ?? [6, 30])));
      if (decoy) body.splice(r.int(0, body.length - 1), 0, `${r.pick(STOCK[lang])}.`);
      const at = options.start + r.next() * options.days * DAY;
      add(
        {
          text: [...body, ...closing].join(' '),
          ...dateOf(at, r),
          author,
          outlet: outlet.name,
          lang,
          kind: outlet.kind,
        },
        {
          kind: decoy ? 'stock-phrase' : 'unrelated',
          message: null,
          messageLang: null,
          operation: null,
          firstUsed: null,
          lagDays: null,
          copyOf: null,
        },
        outlet.site,
      );
      continue;
    }
    let kind = pickKind();
    const use = r.pick(uses);
    let lang: Lang = use.lang;
    let quote = use.text;
    if (kind === 'translated') {
      // Into a language no operation posted the message in: only the semantic tier can find it.
      const group = TRANSLATIONS.find((g) => g[use.lang] === use.index);
      const other = group
        ? (Object.keys(group) as Lang[]).filter(
            (l) => !uses.some((u) => u.lang === l && u.index === group[l]),
          )
        : [];
      if (other.length) {
        lang = r.pick(other);
        quote = OP_MESSAGES[lang][group![lang]!]!;
      } else kind = 'verbatim';
    }
    if (kind === 'paraphrased') {
      if (use.lang === 'en') quote = PARAPHRASES[use.index]!;
      else kind = 'verbatim';
    }
    if (kind === 'light-edit') quote = lightEdit(r, lang, quote);
    if (kind === 'reordered') quote = reorder(quote);
    const lagDays = kind === 'precedes' ? -r.int(3, 8) - r.next() : r.int(1, 9) + r.next();
    const at = use.firstUsed + lagDays * DAY;
    const body = filler(r, lang, r.int(...(options.sentences ?? [4, 24])));
    body.splice(r.int(0, body.length), 0, `${quote}.`);
    const text = [...body, ...closing].join(' ');
    // Precedence needs dates: echoes always carry a published date (a full time or a date).
    const date = dateOf(at, r);
    if (!date.published_at || kind === 'precedes') date.published_at = new Date(at).toISOString();
    const id = add(
      { text, ...date, author, outlet: outlet.name, lang, kind: outlet.kind },
      {
        kind,
        message: use.text,
        messageLang: use.lang,
        operation: use.operation,
        firstUsed: new Date(use.firstUsed).toISOString(),
        lagDays,
        copyOf: null,
      },
      outlet.site,
    );
    if (kind === 'verbatim') echoed.push({ id, text, lang, at, use });
  }
  // Syndication: a few verbatim echoes republished whole by another outlet a day later.
  for (const e of echoed.slice(0, Math.max(1, Math.floor(echoed.length / 6)))) {
    const r = rng.fork(`syndicated:${e.id}`);
    const outlet = r.pick(OUTLETS.filter((o) => o.kind === 'article'));
    const at = e.at + (1 + r.next()) * DAY;
    add(
      {
        text: e.text,
        published_at: new Date(at).toISOString(),
        author: r.pick(people),
        outlet: outlet.name,
        lang: e.lang,
        kind: 'article',
      },
      {
        kind: 'syndicated',
        message: e.use.text,
        messageLang: e.use.lang,
        operation: e.use.operation,
        firstUsed: new Date(e.use.firstUsed).toISOString(),
        lagDays: (at - e.use.firstUsed) / DAY,
        copyOf: e.id,
      },
      outlet.site,
    );
  }
  return { documents, truth };
}

/** Writes documents.jsonl and ground_truth_documents.csv into `dir`. */
export function writeDocuments(
  dir: string,
  sim: { documents: SimDocument[]; truth: DocumentTruth[] },
): { file: string; truthFile: string } {
  const file = join(dir, 'documents.jsonl');
  writeFileSync(file, sim.documents.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const truthFile = join(dir, 'ground_truth_documents.csv');
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const columns: (keyof DocumentTruth)[] = [
    'id',
    'kind',
    'lang',
    'message',
    'messageLang',
    'operation',
    'firstUsed',
    'lagDays',
    'copyOf',
  ];
  writeFileSync(
    truthFile,
    [
      columns.join(','),
      ...sim.truth.map((t) =>
        columns
          .map((c) => field(c === 'lagDays' && t.lagDays !== null ? t.lagDays.toFixed(3) : t[c]))
          .join(','),
      ),
    ].join('\n') + '\n',
  );
  return { file, truthFile };
}
