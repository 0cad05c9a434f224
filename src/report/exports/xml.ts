/**
 * XML text for attacker-controlled strings (post text, handles, names, URLs), so that an export
 * always parses and every value reads back exactly.
 *
 * - Characters outside XML 1.0's `Char` production (§2.2: C0 controls other than tab, LF and CR;
 *   lone surrogates; U+FFFE and U+FFFF) cannot appear in a document even as character references;
 *   they become U+FFFD, the replacement character, so the reader sees that something was there.
 * - `& < > " '` are escaped everywhere (`>` for `]]>`, the quotes so the same function serves both
 *   attribute quote styles).
 * - Tab, LF and CR are written as character references: a parser normalises literal ones in
 *   attribute values to spaces (§3.3.3) and a literal CR anywhere to LF (§2.11).
 *
 * The exports never write a DOCTYPE, so there are no entities beyond the five predefined ones.
 */

const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPECIAL = /[&<>"'\t\n\r]/g;
/** Any character that needs work: a quick test lets plain values (most ids and names) pass untouched. */
const NEEDS_WORK = /[&<>"'\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const REFERENCES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Replaces characters XML 1.0 does not allow with U+FFFD. */
export function cleanXmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Escapes a string for XML character data or a quoted attribute value (see the header). */
export function xmlEscape(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return cleanXmlText(text).replace(SPECIAL, (c) => REFERENCES[c] ?? c);
}

/** Collapses XML white space (space, tab, LF, CR) for `xsd:token` values (GEXF labels): runs become one space, ends trimmed. */
export function xmlToken(text: string): string {
  return text.replace(/[ \t\n\r]+/g, ' ').replace(/^ | $/g, '');
}

/** A number for an XML document: finite numbers in JavaScript's shortest round-trip form, else null. */
export function xmlNumber(value: number): string | null {
  return Number.isFinite(value) ? String(value) : null;
}
