/**
 * CSV cells and rows for files investigators open in spreadsheets: RFC 4180 quoting, and safe
 * against spreadsheet formula injection (OWASP, "CSV Injection").
 *
 * The safety rule: a text cell whose first visible character could start a formula in Excel,
 * LibreOffice or Google Sheets gets a single quote (`'`) in front, so the spreadsheet shows it as
 * text. The characters are OWASP's `=`, `+`, `-`, `@`, tab and carriage return, their full-width and
 * small-form look-alikes (`＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫`) and the minus sign `−`. "First visible" skips
 * leading white space and invisible format characters (RLM, zero-width space, BOM, ...), so
 * `"\u200F=cmd"` or `" =cmd"` are neutralised too. Text that itself starts with `'` also gets one, so
 * the rule is reversible: whenever a text cell starts with `'`, exactly one quote was added.
 *
 * Numbers are different: a `number` value is written as a number, `-2.5` stays `-2.5`, because
 * numeric columns are computed by Lockstep, never copied from posts. Numbers that arrive as text
 * (an account id `-1001234567890` from a Telegram export) are text and get the quote, which also
 * stops spreadsheets from rounding them to 15 digits or showing them as `-1.00123E+12`.
 *
 * Characters that are never legitimate in text (C0 controls other than tab, newline and carriage
 * return; lone UTF-16 surrogates) become U+FFFD, the replacement character: NUL breaks common CSV
 * readers, and a lone surrogate cannot be written as UTF-8. The XML exports replace the same
 * characters (and U+FFFE, U+FFFF, which XML cannot hold), so a text reads the same in every export.
 */

/** What a CSV cell can hold; `null` and `undefined` are empty cells. */
export type CsvValue = string | number | bigint | boolean | null | undefined;

/** The UTF-8 byte order mark: Excel reads a CSV as UTF-8 only when the file starts with it. */
export const CSV_BOM = '\uFEFF';

/** Record separator (RFC 4180 §2.1). */
export const CSV_EOL = '\r\n';

/** Characters that can start a formula (OWASP) and their full-width and small-form look-alikes. */
export const FORMULA_TRIGGERS: readonly string[] = [
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  '\uFF1D', // ＝ full-width equals
  '\uFF0B', // ＋ full-width plus
  '\uFF0D', // － full-width hyphen-minus
  '\uFF20', // ＠ full-width commercial at
  '\uFE66', // ﹦ small equals
  '\uFE62', // ﹢ small plus
  '\uFE63', // ﹣ small hyphen-minus
  '\uFE6B', // ﹫ small commercial at
  '\u2212', // − minus sign
];

const TRIGGER_SET = new Set(FORMULA_TRIGGERS);
/** Leading characters a spreadsheet may skip before reading a formula: white space and invisible format characters. */
const LEADING_INVISIBLE = /^[\s\p{Cc}\p{Cf}]*/u;
/** C0 controls except tab, LF, CR; lone surrogates. */
const INVALID_TEXT =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_QUOTES = /[",\r\n]/;

/** Replaces characters that are never legitimate in text (see the header) with U+FFFD. */
export function cleanCsvText(text: string): string {
  return text.replace(INVALID_TEXT, '\uFFFD');
}

/** True when a text cell would be read as a formula, or starts with the quote that marks neutralised text. */
export function needsFormulaGuard(text: string): boolean {
  if (text.startsWith("'")) return true;
  const start = LEADING_INVISIBLE.exec(text)?.[0].length ?? 0;
  // Tab and CR are triggers themselves, so check the very first character as well as the first visible one.
  const first = text[0];
  if (first !== undefined && TRIGGER_SET.has(first)) return true;
  const visible = String.fromCodePoint(text.codePointAt(start) ?? 0x20);
  return TRIGGER_SET.has(visible);
}

/** The text of a cell before quoting: numbers as numbers, text cleaned and neutralised. */
function cellText(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    // NaN and ±Infinity are not numbers to a spreadsheet; write them as (guarded) text.
    return guardText(String(value));
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return guardText(cleanCsvText(value));
}

const guardText = (text: string): string => (needsFormulaGuard(text) ? `'${text}` : text);

/** One CSV cell: neutralised against formula injection, cleaned, quoted when RFC 4180 requires it. */
export function csvCell(value: CsvValue): string {
  const text = cellText(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, with its CRLF terminator. */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',') + CSV_EOL;
}

/** A whole CSV file in pieces: the BOM and header row, then one piece per row. */
export function* csvLines(header: readonly string[], rows: Iterable<readonly CsvValue[]>): Generator<string> {
  yield CSV_BOM + csvRow(header);
  for (const row of rows) yield csvRow(row);
}

/** A whole CSV file: the BOM, the header row and the rows. */
export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  return [...csvLines(header, rows)].join('');
}
