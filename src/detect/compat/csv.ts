/**
 * CSV files byte-for-byte as the peer tools write them, so `diff` against their output works:
 * - CooRTweet results as written by R's `data.table::fwrite` (data.table src/fwrite.c): header and
 *   fields quoted only when they hold a comma, a quote or a line break, `\n` line ends, integers as
 *   digits, doubles to 15 significant digits without trailing zeros (`28.6666666666667`), in
 *   scientific notation only when that is shorter (`1e-05`, `1.5e+20`).
 * - coordination-network-toolkit edges as its `output_gephi_csv` writes them with Python's
 *   `csv.writer(quoting=csv.QUOTE_ALL)`: every field quoted, `\r\n` line ends.
 *
 * Unlike the report's CSV files (report/csv.ts), nothing is guarded against spreadsheet formula
 * injection: these files must equal the tools' own output.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type ColumnType = 'string' | 'int' | 'double';

export interface CsvColumn {
  name: string;
  type: ColumnType;
}

/**
 * fwrite's power-of-two lookup (`fwriteLookups.h`): for each binary exponent field, 2^(e - 1023) as
 * a decimal mantissa in [1, 10) (its first 41 significant digits, read as a double) and exponent.
 */
let lookups: { sig: Float64Array; pow: Int16Array } | undefined;
function powersOfTwo(): { sig: Float64Array; pow: Int16Array } {
  if (lookups) return lookups;
  const sig = new Float64Array(2048);
  const pow = new Int16Array(2048);
  for (let i = 0; i < 2048; i++) {
    const e = i - 1023;
    // 2^e = digits x 10^(exponent - digits + 1): 2^e itself, or 5^-e / 10^-e.
    const digits = (e >= 0 ? 2n ** BigInt(e) : 5n ** BigInt(-e)).toString();
    let exponent = e >= 0 ? digits.length - 1 : digits.length - 1 + e;
    let head = digits.slice(0, 41);
    const rest = digits.slice(41);
    if (
      rest &&
      (rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head.at(-1)) % 2)))
    ) {
      head = (BigInt(head) + 1n).toString();
      if (head.length > 41) {
        head = head.slice(0, 41);
        exponent++;
      }
    }
    sig[i] = Number(`${head[0]}.${head.slice(1)}`);
    pow[i] = exponent;
  }
  lookups = { sig, pow };
  return lookups;
}

const bits = new DataView(new ArrayBuffer(8));

/**
 * A double as `fwrite` writes it (data.table src/fwrite.c `writeFloat64`, NUM_SF = 15, scipen = 0),
 * step for step: its digits come from one multiplication by a table value, not from correct
 * rounding, so the 15th digit can differ from `toPrecision(15)` (292 / 11 is `26.5454545454546`
 * there). NaN is the empty NA.
 */
export function fwriteDouble(value: number): string {
  if (Number.isNaN(value)) return '';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : 'Inf';
  if (value === 0) return '0';
  const sign = value < 0 ? '-' : '';
  bits.setFloat64(0, Math.abs(value));
  const raw = bits.getBigUint64(0);
  const fraction = raw & 0xfffffffffffffn;
  const field = Number(raw >> 52n);
  const { sig, pow } = powersOfTwo();
  // The sum of 2^-(1..52) over the fraction's bits is exact in doubles: fraction / 2^52.
  let y = (1 + Number(fraction) / 2 ** 52) * sig[field]!;
  let exp = pow[field]!;
  if (y >= 9.99999999999999) {
    y /= 10;
    exp++;
  }
  let l = BigInt(Math.trunc(y * 1e15));
  if (l % 10n >= 5n) l += 10n;
  l /= 10n;
  if (l === 0n) return '0';
  let trailing = 0;
  while (l % 10n === 0n) {
    l /= 10n;
    trailing++;
  }
  let sf = 15 - trailing;
  if (sf === 0) {
    sf = 1;
    exp++;
  }
  const digits = l.toString();
  // The width in decimal notation, and fwrite's rule for choosing it over scientific notation.
  const dr = sf - exp - 1;
  const width = dr <= 0 ? sf - dr : sf > dr ? sf + 1 : dr + 2;
  if (width <= sf + (sf > 1 ? 1 : 0) + 2 + (Math.abs(exp) > 99 ? 3 : 2)) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const rest = digits.slice(exp + 1);
    return `${sign}${whole}${rest ? `.${rest}` : ''}`;
  }
  const abs = Math.abs(exp);
  return `${sign}${digits[0]}${sf > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/**
 * SQL for `fwriteDouble(d / 1e6)` where `d` is a column of microseconds (a BIGINT >= 0, below 10^15):
 * such a value has at most 15 significant digits, which fwrite writes exactly, so the text is its
 * shortest decimal form, or the scientific form when that is shorter. Lets DuckDB write time
 * differences itself (`COPY`) as `fwrite` does.
 */
export function fwriteMicrosSql(d: string): string {
  const ds = `CAST(${d} AS VARCHAR)`;
  const dd = `rtrim(${ds}, '0')`;
  const exp = `(length(${ds}) - 7)`;
  const sf = `length(${dd})`;
  const frac = `rtrim(lpad(CAST(${d} % 1000000 AS VARCHAR), 6, '0'), '0')`;
  const dec = `CASE WHEN ${d} >= 1000000 THEN CAST(${d} // 1000000 AS VARCHAR) || CASE WHEN ${frac} = '' THEN '' ELSE '.' || ${frac} END ELSE '0.' || ${frac} END`;
  const sciWidth = `(${sf} + CASE WHEN ${sf} > 1 THEN 1 ELSE 0 END + 2 + CASE WHEN abs(${exp}) > 99 THEN 3 ELSE 2 END)`;
  const sci = `substr(${dd}, 1, 1) || CASE WHEN ${sf} > 1 THEN '.' || substr(${dd}, 2) ELSE '' END || 'e' || CASE WHEN ${exp} < 0 THEN '-' ELSE '+' END || lpad(CAST(abs(${exp}) AS VARCHAR), 2, '0')`;
  return `CASE WHEN ${d} = 0 THEN '0' WHEN length(${dec}) <= ${sciWidth} THEN ${dec} ELSE ${sci} END`;
}

function fwriteField(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return '';
  if (type === 'double') return fwriteDouble(value as number);
  if (type === 'int') return String(value);
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function quoteAll(value: unknown): string {
  return `"${String(value ?? '').replaceAll('"', '""')}"`;
}

/** The lines of a CSV file in the style of `style` (header first), each with its line end. */
export function* csvLines<T extends object>(
  style: 'fwrite' | 'python-quote-all',
  columns: readonly CsvColumn[],
  rows: Iterable<T>,
): Generator<string> {
  if (style === 'fwrite') {
    yield `${columns.map((c) => fwriteField(c.name, 'string')).join(',')}\n`;
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      yield `${columns.map((c) => fwriteField(r[c.name], c.type)).join(',')}\n`;
    }
  } else {
    yield `${columns.map((c) => quoteAll(c.name)).join(',')}\r\n`;
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      yield `${columns.map((c) => quoteAll(r[c.name])).join(',')}\r\n`;
    }
  }
}

/** The whole CSV text (for small results; `writeCsvFile` streams large ones). */
export function csvText<T extends object>(
  style: 'fwrite' | 'python-quote-all',
  columns: readonly CsvColumn[],
  rows: Iterable<T>,
): string {
  return [...csvLines(style, columns, rows)].join('');
}

/** Writes the CSV to `path` in blocks of lines (no whole-file string in memory). */
export function writeCsvFile<T extends object>(
  path: string,
  style: 'fwrite' | 'python-quote-all',
  columns: readonly CsvColumn[],
  rows: Iterable<T>,
): void {
  const fd = openSync(path, 'w');
  try {
    let block: string[] = [];
    for (const line of csvLines(style, columns, rows)) {
      block.push(line);
      if (block.length === 10_000) {
        writeSync(fd, block.join(''));
        block = [];
      }
    }
    if (block.length) writeSync(fd, block.join(''));
  } finally {
    closeSync(fd);
  }
}
