/**
 * Strict readers for the export tests, written from the specifications rather than from the
 * writers, so a test fails when an export would not open elsewhere:
 *
 * - `parseXml`: a recursive-descent reader for XML 1.0 (Fifth Edition) documents without a DOCTYPE:
 *   every character must match the `Char` production (§2.2), line ends are normalised (§2.11),
 *   attribute values are normalised (§3.3.3: literal white space becomes a space, references do
 *   not), only the five predefined entities and character references are known (§4.1, §4.6), tags
 *   must nest and attributes be unique (§3), `]]>` may not appear in character data (§2.4), and
 *   namespace prefixes must be declared (Namespaces in XML 1.0, §5). Anything else throws.
 * - `parseCsv`: RFC 4180 §2 exactly: CRLF records, fields quoted with `"` and `""` inside quotes,
 *   no quote in an unquoted field, nothing between a closing quote and the next separator.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const NAME = /[A-Za-z_:][A-Za-z0-9._:-]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** True when a code point matches XML 1.0's `Char` production. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

class XmlReader {
  private pos = 0;
  constructor(private readonly s: string) {}

  fail(message: string): never {
    const line = this.s.slice(0, this.pos).split('\n').length;
    throw new Error(`not well-formed XML at line ${line} (offset ${this.pos}): ${message}`);
  }

  private startsWith(t: string): boolean {
    return this.s.startsWith(t, this.pos);
  }

  private expect(t: string): void {
    if (!this.startsWith(t)) this.fail(`expected ${JSON.stringify(t)}`);
    this.pos += t.length;
  }

  private space(required = false): void {
    const start = this.pos;
    while (this.pos < this.s.length && ' \t\n'.includes(this.s[this.pos]!)) this.pos++;
    if (required && this.pos === start) this.fail('expected white space');
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.s);
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  private reference(): string {
    this.expect('&');
    const end = this.s.indexOf(';', this.pos);
    if (end < 0) this.fail('unterminated reference');
    const body = this.s.slice(this.pos, end);
    this.pos = end + 1;
    if (body.startsWith('#')) {
      const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
      if (!m) this.fail(`bad character reference &${body};`);
      const cp = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number.parseInt(m[2]!, 10);
      if (!isXmlChar(cp)) this.fail(`character reference to a non-Char U+${cp.toString(16)}`);
      return String.fromCodePoint(cp);
    }
    const v = PREDEFINED[body];
    if (v === undefined) this.fail(`undeclared entity &${body};`);
    return v;
  }

  private comment(): void {
    this.expect('<!--');
    const end = this.s.indexOf('-->', this.pos);
    if (end < 0) this.fail('unterminated comment');
    if (this.s.slice(this.pos, end).includes('--') || this.s[end - 1] === '-') this.fail('"--" in a comment');
    this.pos = end + 3;
  }

  private pi(): void {
    this.expect('<?');
    const target = this.name();
    if (target.toLowerCase() === 'xml') this.fail('XML declaration not at the start');
    const end = this.s.indexOf('?>', this.pos);
    if (end < 0) this.fail('unterminated processing instruction');
    this.pos = end + 2;
  }

  private misc(): void {
    for (;;) {
      this.space();
      if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) this.pi();
      else return;
    }
  }

  private attrValue(): string {
    const q = this.s[this.pos];
    if (q !== '"' && q !== "'") this.fail('expected a quoted attribute value');
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) this.fail('unterminated attribute value');
      if (c === q) break;
      if (c === '<') this.fail('"<" in an attribute value');
      if (c === '&') out += this.reference();
      else {
        out += c === '\t' || c === '\n' ? ' ' : c;
        this.pos++;
      }
    }
    this.pos++;
    return out;
  }

  element(scope: Set<string>): XmlElement {
    this.expect('<');
    const name = this.name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = this.pos;
      this.space();
      if (this.startsWith('/>') || this.startsWith('>')) break;
      if (this.pos === before) this.fail('expected white space before an attribute');
      const attr = this.name();
      this.space();
      this.expect('=');
      this.space();
      if (Object.hasOwn(attrs, attr)) this.fail(`duplicate attribute ${attr}`);
      attrs[attr] = this.attrValue();
    }
    const inner = new Set(scope);
    for (const a of Object.keys(attrs)) if (a.startsWith('xmlns:')) inner.add(a.slice(6));
    const checkPrefix = (qname: string) => {
      const i = qname.indexOf(':');
      if (i < 0 || qname.startsWith('xmlns:')) return;
      if (!inner.has(qname.slice(0, i))) this.fail(`undeclared namespace prefix in ${qname}`);
    };
    checkPrefix(name);
    Object.keys(attrs).forEach(checkPrefix);
    const el: XmlElement = { name, attrs, children: [] };
    if (this.startsWith('/>')) {
      this.pos += 2;
      return el;
    }
    this.expect('>');
    let text = '';
    const flush = () => {
      if (text) el.children.push(text);
      text = '';
    };
    for (;;) {
      if (this.pos >= this.s.length) this.fail(`unclosed element <${name}>`);
      if (this.startsWith('</')) {
        this.pos += 2;
        const end = this.name();
        if (end !== name) this.fail(`</${end}> closes <${name}>`);
        this.space();
        this.expect('>');
        flush();
        return el;
      }
      if (this.startsWith('<![CDATA[')) {
        const end = this.s.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        text += this.s.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) this.pi();
      else if (this.startsWith('<!')) this.fail('markup declaration inside content');
      else if (this.startsWith('<')) {
        flush();
        el.children.push(this.element(inner));
      } else if (this.startsWith('&')) text += this.reference();
      else {
        if (this.startsWith(']]>')) this.fail('"]]>" in character data');
        text += this.s[this.pos];
        this.pos++;
      }
    }
  }

  document(): XmlElement {
    if (this.startsWith('<?xml')) {
      const end = this.s.indexOf('?>');
      if (end < 0) this.fail('unterminated XML declaration');
      const decl = this.s.slice(0, end + 2);
      if (!/^<\?xml\s+version="1\.0"(\s+encoding="UTF-8")?(\s+standalone="(yes|no)")?\s*\?>$/.test(decl)) {
        this.fail(`unexpected XML declaration ${decl}`);
      }
      this.pos = end + 2;
    }
    this.misc();
    if (this.startsWith('<!DOCTYPE')) this.fail('DOCTYPE present');
    const root = this.element(new Set(['xml']));
    this.misc();
    if (this.pos !== this.s.length) this.fail('content after the root element');
    return root;
  }
}

/** Parses a whole XML document strictly (see the header); throws on anything not well-formed. */
export function parseXml(text: string): XmlElement {
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    if (!isXmlChar(cp) || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new Error(`not well-formed XML: character U+${cp.toString(16)} at offset ${i}`);
    }
    i += cp > 0xffff ? 2 : 1;
  }
  return new XmlReader(text.replace(/\r\n?/g, '\n')).document();
}

/** Child elements of `el`, optionally only those named `name`. */
export function elements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter(
    (c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name),
  );
}

/** The single child element named `name`; throws when there is not exactly one. */
export function element(el: XmlElement, name: string): XmlElement {
  const found = elements(el, name);
  if (found.length !== 1) throw new Error(`<${el.name}> has ${found.length} <${name}> children`);
  return found[0]!;
}

/** The text content of an element (its direct text children). */
export function textOf(el: XmlElement): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('');
}

/** Parses RFC 4180 CSV text (no BOM) into records; throws on anything RFC 4180 does not allow. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let pos = 0;
  const fail = (message: string): never => {
    throw new Error(`not RFC 4180 CSV at offset ${pos} (record ${rows.length + 1}): ${message}`);
  };
  while (pos < text.length) {
    const row: string[] = [];
    for (;;) {
      let field = '';
      if (text[pos] === '"') {
        pos++;
        for (;;) {
          const q = text.indexOf('"', pos);
          if (q < 0) fail('unterminated quoted field');
          field += text.slice(pos, q);
          pos = q + 1;
          if (text[pos] === '"') {
            field += '"';
            pos++;
          } else break;
        }
      } else {
        const m = /[^,"\r\n]*/y;
        m.lastIndex = pos;
        field = m.exec(text)![0];
        pos += field.length;
        if (text[pos] === '"') fail('quote inside an unquoted field');
      }
      row.push(field);
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text.startsWith('\r\n', pos)) {
        pos += 2;
        break;
      }
      fail(
        pos >= text.length
          ? 'last record without CRLF'
          : `unexpected ${JSON.stringify(text[pos])} after a field`,
      );
    }
    rows.push(row);
  }
  return rows;
}
