/**
 * An HTML page reduced to its main text, for echo tracing: the words of the statement or article,
 * without menus, scripts, cookie banners, related-link lists and footers.
 *
 * Nothing is fetched and nothing runs: the page is tokenised as text, scripts and styles are skipped
 * unread, and no URL in it is followed. The method is the usual boilerplate-removal heuristic of
 * readability tools (Kohlschütter, Fankhauser & Nejdl, "Boilerplate detection using shallow text
 * features", WSDM 2010: link density and block length separate content from navigation):
 *
 * 1. the page is parsed leniently into elements (unclosed and stray tags tolerated);
 * 2. elements that never hold the main text are dropped whole: scripts, styles, forms, navigation,
 *    page headers and footers, asides, hidden elements, and elements whose ARIA role says so;
 * 3. the main container is the `<article>` with the most text, else `<main>` (or `role="main"`),
 *    else the body;
 * 4. inside it, blocks that are mostly link text (link density above 0.5, as a list of related links
 *    is) are dropped;
 * 5. text is emitted with one line per block and a blank line between paragraphs; entities are
 *    decoded and runs of spaces collapsed (kept inside `<pre>`).
 *
 * The page's own metadata gives the title, author, outlet, language, canonical URL and published time
 * when the sidecar metadata does not (Open Graph, `article:*`, `<time datetime>`, `<html lang>`).
 */

export interface HtmlDocument {
  text: string;
  title: string | null;
  published: string | null;
  author: string | null;
  outlet: string | null;
  lang: string | null;
  url: string | null;
}

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  parent: Element | null;
}
type Node = Element | string;

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** Elements whose content is raw text, skipped unread (title is read for the metadata). */
const RAW = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noscript', 'template']);
/** Elements dropped whole: they never hold the main text. */
const DROP = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'form',
  'button',
  'select',
  'textarea',
  'input',
  'nav',
  'header',
  'footer',
  'aside',
  'dialog',
  'menu',
]);
const DROP_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'complementary',
  'search',
  'menu',
  'dialog',
]);
/** Elements that start a line of their own. */
const BLOCK = new Set([
  'address',
  'article',
  'blockquote',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tr',
  'ul',
  'br',
  'td',
  'th',
]);
/** Blocks followed by a blank line. */
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'table',
  'ul',
  'ol',
  'dl',
]);

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  shy: '\u00ad',
  zwnj: '\u200c',
  zwj: '\u200d',
  lrm: '\u200e',
  rlm: '\u200f',
  ndash: '\u2013',
  mdash: '\u2014',
  hellip: '\u2026',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201a',
  ldquo: '\u201c',
  rdquo: '\u201d',
  bdquo: '\u201e',
  laquo: '\u00ab',
  raquo: '\u00bb',
  middot: '\u00b7',
  bull: '\u2022',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  deg: '\u00b0',
  euro: '\u20ac',
  pound: '\u00a3',
  yen: '\u00a5',
  cent: '\u00a2',
  sect: '\u00a7',
  para: '\u00b6',
  times: '\u00d7',
  divide: '\u00f7',
  minus: '\u2212',
  prime: '\u2032',
  eacute: '\u00e9',
  egrave: '\u00e8',
  aacute: '\u00e1',
  agrave: '\u00e0',
  ccedil: '\u00e7',
  ntilde: '\u00f1',
  ouml: '\u00f6',
  uuml: '\u00fc',
  auml: '\u00e4',
  szlig: '\u00df',
};

/** Decodes character references; unknown named ones are left as written. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});?/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return '\ufffd';
      return String.fromCodePoint(code);
    }
    return ENTITIES[ref] ?? ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const ATTR = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function parseAttrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(ATTR)) {
    const name = m[1]!.toLowerCase();
    if (!(name in out)) out[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** Parses HTML leniently into a tree under a synthetic root; the title's text is returned aside. */
function parse(html: string): { root: Element; title: string | null } {
  const root: Element = { name: '#root', attrs: {}, children: [], parent: null };
  let current = root;
  let title: string | null = null;
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) current.children.push(html.slice(i, textEnd));
    if (lt < 0) break;
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const end = html.indexOf('>', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(
      html.slice(i, i + 65536),
    );
    if (!tag) {
      // A "<" that starts no tag is text.
      current.children.push('<');
      i++;
      continue;
    }
    i += tag[0].length;
    const name = tag[2]!.toLowerCase();
    if (tag[1]) {
      // Close the nearest open element of that name, and everything opened inside it.
      for (let e: Element | null = current; e && e !== root; e = e.parent)
        if (e.name === name) {
          current = e.parent ?? root;
          break;
        }
      continue;
    }
    const element: Element = { name, attrs: parseAttrs(tag[3]!), children: [], parent: current };
    // A new paragraph or list item closes an open one, and a block closes an open paragraph (the
    // end tags HTML lets writers leave out).
    if (
      (name === 'li' && current.name === 'li') ||
      (current.name === 'p' && BLOCK.has(name) && name !== 'br')
    )
      current = current.parent ?? root;
    element.parent = current;
    current.children.push(element);
    if (RAW.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      const body = html.slice(i, close < 0 ? n : close);
      if (name === 'title' && title === null) title = collapse(decodeEntities(body));
      else if (name === 'textarea' || name === 'xmp') element.children.push(body);
      const gt = close < 0 ? -1 : html.indexOf('>', close);
      i = gt < 0 ? n : gt + 1;
      continue;
    }
    if (!VOID.has(name) && !tag[3]!.trimEnd().endsWith('/')) current = element;
  }
  return { root, title };
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

function dropped(e: Element): boolean {
  if (DROP.has(e.name)) return true;
  const a = e.attrs;
  if ('hidden' in a || a['aria-hidden'] === 'true') return true;
  if (a.role && DROP_ROLES.has(a.role.toLowerCase())) return true;
  return /display\s*:\s*none|visibility\s*:\s*hidden/i.test(a.style ?? '');
}

function* elements(e: Element): Generator<Element> {
  for (const c of e.children)
    if (typeof c !== 'string') {
      yield c;
      yield* elements(c);
    }
}

/** Characters of text inside `e` (kept elements only), and how many of them are link text. */
function textStats(e: Element, inLink = false): { chars: number; linkChars: number } {
  let chars = 0;
  let linkChars = 0;
  for (const c of e.children) {
    if (typeof c === 'string') {
      const k = collapse(c).length;
      chars += k;
      if (inLink) linkChars += k;
    } else if (!dropped(c)) {
      const s = textStats(c, inLink || c.name === 'a');
      chars += s.chars;
      linkChars += s.linkChars;
    }
  }
  return { chars, linkChars };
}

/** The element whose text is the page's main text. */
function mainContainer(root: Element): Element {
  const all = [...elements(root)].filter((e) => !dropped(e));
  const best = (list: Element[]) =>
    list.length ? list.reduce((a, b) => (textStats(b).chars > textStats(a).chars ? b : a)) : null;
  const article = best(all.filter((e) => e.name === 'article'));
  if (article && textStats(article).chars > 0) return article;
  const main = best(all.filter((e) => e.name === 'main' || e.attrs.role?.toLowerCase() === 'main'));
  if (main && textStats(main).chars > 0) return main;
  return all.find((e) => e.name === 'body') ?? root;
}

/** Lines of text of `e`, blocks on lines of their own; link-dense blocks left out. */
function render(e: Element, out: string[], pre: boolean): void {
  for (const c of e.children) {
    if (typeof c === 'string') {
      out.push(pre ? decodeEntities(c) : decodeEntities(c).replace(/[\t\n\r\f ]+/g, ' '));
      continue;
    }
    if (dropped(c)) continue;
    if (c.name === 'br') {
      out.push('\n');
      continue;
    }
    const block = BLOCK.has(c.name);
    if (block && c.name !== 'tr' && c.name !== 'td' && c.name !== 'th') {
      const s = textStats(c);
      // A block of links (related articles, tags, share buttons): not the main text.
      if (s.chars > 0 && s.linkChars / s.chars > 0.5 && c.name !== 'p') continue;
    }
    if (block) out.push('\n');
    if (c.name === 'td' || c.name === 'th') out.push(' ');
    render(c, out, pre || c.name === 'pre');
    if (block) out.push(PARAGRAPH.has(c.name) ? '\n\n' : '\n');
  }
}

function metaContent(root: Element, keys: string[]): string | null {
  for (const key of keys)
    for (const e of elements(root)) {
      if (e.name !== 'meta') continue;
      const name = (e.attrs.property ?? e.attrs.name ?? e.attrs.itemprop ?? '').toLowerCase();
      if (name === key && e.attrs.content?.trim()) return collapse(e.attrs.content);
    }
  return null;
}

/** The main text and metadata of an HTML page (see the header). */
export function htmlToText(html: string): HtmlDocument {
  const { root, title } = parse(html);
  const lines: string[] = [];
  render(mainContainer(root), lines, false);
  const text = lines
    .join('')
    .split('\n')
    .map((l) => l.replace(/^[ \u00a0]+|[ \u00a0]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const all = [...elements(root)];
  const time =
    all.find((e) => e.name === 'time' && e.attrs.datetime && e.attrs.pubdate !== undefined) ??
    all.find((e) => e.name === 'time' && e.attrs.datetime);
  const canonical = all.find((e) => e.name === 'link' && e.attrs.rel?.toLowerCase() === 'canonical');
  const h1 = all.find((e) => e.name === 'h1' && !dropped(e));
  const h1Text = h1 ? collapse(decodeEntities(flatText(h1))) : '';
  return {
    text,
    title: metaContent(root, ['og:title']) ?? (title || null) ?? (h1Text || null),
    published:
      metaContent(root, [
        'article:published_time',
        'datepublished',
        'og:published_time',
        'date',
        'dc.date',
        'pubdate',
      ]) ??
      time?.attrs.datetime?.trim() ??
      null,
    author: metaContent(root, ['author', 'article:author', 'dc.creator']),
    outlet: metaContent(root, ['og:site_name', 'application-name', 'publisher']),
    lang: all.find((e) => e.name === 'html')?.attrs.lang?.trim() || null,
    url: canonical?.attrs.href?.trim() || metaContent(root, ['og:url']),
  };
}

function flatText(e: Element): string {
  return e.children.map((c) => (typeof c === 'string' ? c : flatText(c))).join(' ');
}

/** Markdown reduced to its text: headings, emphasis, links and images keep their words only. */
export function markdownToText(md: string): string {
  return md
    .replace(/^```[^\n]*\n/gm, '')
    .replace(/^```\s*$/gm, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^[ \t]{0,3}#{1,6}\s+/gm, '')
    .replace(/^[ \t]{0,3}>\s?/gm, '')
    .replace(/^[ \t]{0,3}([-*+]|\d+\.)\s+/gm, '')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_](?!\s)([^*_\n]+?)[*_](?=[^\w*]|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
