/**
 * Numeric columns between DuckDB and typed arrays, one data chunk (2,048 rows) at a time: the
 * chunk's vector is copied whole, so no value crosses the Node-API boundary on its own (each such
 * crossing costs microseconds; bulk.ts has the string-based way for mixed values). Used where
 * TypeScript does what SQL does badly over millions of rows (detect/coactions.ts).
 *
 * 64-bit integers stay as pairs of 32-bit halves (low, high) in a Uint32Array of twice the length,
 * so that no BigInt is made per value. Columns must hold no NULL.
 */
import {
  type DuckDBAppender,
  DuckDBBigIntType,
  DuckDBDataChunk,
  DuckDBDoubleType,
  DuckDBIntegerType,
  type DuckDBType,
  DuckDBUBigIntType,
  DuckDBUIntegerType,
  DuckDBUTinyIntType,
} from '@duckdb/node-api';
import type { Store } from './store.js';

/** u64 and i64 are read and written as 32-bit halves (see the header). */
export type ColumnKind = 'u8' | 'i32' | 'u32' | 'f64' | 'u64' | 'i64';
type ColumnArray = Uint8Array | Int32Array | Uint32Array | Float64Array;

const SQL_TYPE: Record<ColumnKind, string> = {
  u8: 'UTINYINT',
  i32: 'INTEGER',
  u32: 'UINTEGER',
  f64: 'DOUBLE',
  u64: 'UBIGINT',
  i64: 'BIGINT',
};

const DUCKDB_TYPE: Record<ColumnKind, DuckDBType> = {
  u8: DuckDBUTinyIntType.instance,
  i32: DuckDBIntegerType.instance,
  u32: DuckDBUIntegerType.instance,
  f64: DuckDBDoubleType.instance,
  u64: DuckDBUBigIntType.instance,
  i64: DuckDBBigIntType.instance,
};

/** Values per row in the typed array of a kind: 64-bit kinds take two 32-bit halves. */
const WIDTH: Record<ColumnKind, number> = { u8: 1, i32: 1, u32: 1, f64: 1, u64: 2, i64: 2 };

/** A vector's data as the typed array of its kind (a view, not a copy). */
function view(items: ArrayBufferView, kind: ColumnKind): ColumnArray {
  const { buffer, byteOffset, byteLength } = items;
  switch (kind) {
    case 'u8':
      return new Uint8Array(buffer, byteOffset, byteLength);
    case 'i32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'f64':
      return new Float64Array(buffer, byteOffset, byteLength / 8);
    default:
      return new Uint32Array(buffer, byteOffset, byteLength / 4);
  }
}

/** A typed array of the kind for `length` rows. */
function allocate(kind: ColumnKind, length: number): ColumnArray {
  const bytes = length * WIDTH[kind] * (kind === 'u8' ? 1 : kind === 'f64' ? 8 : 4);
  return view(new Uint8Array(bytes), kind);
}

/** One data chunk's columns, as views of DuckDB's vectors: valid only during the callback. */
export type ChunkColumns<K extends string> = Record<K, ColumnArray>;

/**
 * Streams the rows of `sql`, each column cast to its kind's SQL type, sorted by `orderBy` (over the
 * columns of `sql`; unsorted without it): `begin` gets the row count first, then `chunk` each data
 * chunk's columns (views, not copies) and row count, in order. When the caller knows the row count
 * (`rows`), the query is not materialised to count it.
 */
export async function scanColumns<K extends string>(
  store: Store,
  sql: string,
  kinds: Record<K, ColumnKind>,
  orderBy: string | null,
  visit: {
    rows?: number;
    begin?: (rows: number) => void;
    chunk: (columns: ChunkColumns<K>, count: number) => void;
  },
): Promise<number> {
  const names = Object.keys(kinds) as K[];
  const select = names.map((n) => `"${n}"::${SQL_TYPE[kinds[n]]} AS "${n}"`).join(', ');
  // The rows are counted first, so that what they fill can be allocated once, at its size.
  const source = visit.rows === undefined ? 'columns_read' : `(${sql})`;
  if (visit.rows === undefined) await store.run(`CREATE OR REPLACE TEMP TABLE columns_read AS ${sql}`);
  try {
    const rows = visit.rows ?? Number((await store.value<number>(`SELECT count(*) FROM columns_read`)) ?? 0);
    visit.begin?.(rows);
    let read = 0;
    const result = await store.connection.stream(
      `SELECT ${select} FROM ${source}${orderBy ? ` ORDER BY ${orderBy}` : ''}`,
    );
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const count = chunk.rowCount;
      const columns = {} as ChunkColumns<K>;
      names.forEach((n, i) => {
        const items = (chunk.getColumnVector(i) as unknown as { items: ArrayBufferView }).items;
        columns[n] = view(items, kinds[n]).subarray(0, count * WIDTH[kinds[n]]);
      });
      visit.chunk(columns, count);
      read += count;
    }
    if (read !== rows) throw new Error(`expected ${rows} rows, read ${read}`);
    return rows;
  } finally {
    await store.run(`DROP TABLE IF EXISTS columns_read`);
  }
}

/** The rows of `sql` as one typed array per column of `kinds` (see scanColumns), sorted by `orderBy`. */
export async function readColumns<K extends string>(
  store: Store,
  sql: string,
  kinds: Record<K, ColumnKind>,
  orderBy: string | null = null,
): Promise<Record<K, ColumnArray>> {
  const names = Object.keys(kinds) as K[];
  const out = {} as Record<K, ColumnArray>;
  let at = 0;
  await scanColumns(store, sql, kinds, orderBy, {
    begin: (rows) => {
      for (const n of names) out[n] = allocate(kinds[n], rows);
    },
    chunk: (columns, count) => {
      for (const n of names) out[n].set(columns[n] as never, at * WIDTH[kinds[n]]);
      at += count;
    },
  });
  return out;
}

const CHUNK_ROWS = 2048;

/**
 * Appends rows to a table, a data chunk at a time. Write a row's values into `columns[i][row]`
 * (64-bit columns through `int64`), then call `next()`; `close()` appends what is left.
 */
export class ColumnWriter {
  readonly columns: ColumnArray[];
  /** The row being written, inside the current chunk. */
  row = 0;
  private readonly types: DuckDBType[];
  private written = 0;

  private constructor(
    private readonly appender: DuckDBAppender,
    private readonly kinds: ColumnKind[],
  ) {
    this.columns = kinds.map((k) => allocate(k, CHUNK_ROWS));
    this.types = kinds.map((k) => DUCKDB_TYPE[k]);
  }

  /** A writer to the temporary table `table`, whose columns are of `kinds`, in order. */
  static async open(store: Store, table: string, kinds: ColumnKind[]): Promise<ColumnWriter> {
    return new ColumnWriter(await store.connection.createAppender(table, 'main', 'temp'), kinds);
  }

  /** Sets 64-bit column `column` of the current row to the integer `value` (exact below 2^53). */
  int64(column: number, value: number): void {
    const high = Math.floor(value / 4294967296);
    const halves = this.columns[column] as Uint32Array;
    halves[2 * this.row] = value - high * 4294967296;
    halves[2 * this.row + 1] = high;
  }

  /** Sets a 64-bit column from the two halves of a value read by readColumns. */
  halves(column: number, from: Uint32Array, index: number): void {
    const halves = this.columns[column] as Uint32Array;
    halves[2 * this.row] = from[2 * index]!;
    halves[2 * this.row + 1] = from[2 * index + 1]!;
  }

  next(): void {
    if (++this.row === CHUNK_ROWS) this.flush();
  }

  get rowsWritten(): number {
    return this.written + this.row;
  }

  private flush(): void {
    if (this.row === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.row);
    this.kinds.forEach((kind, i) => {
      const vector = chunk.getColumnVector(i) as unknown as { items: ArrayBufferView; flush(): void };
      view(vector.items, kind).set(this.columns[i]!.subarray(0, this.row * WIDTH[kind]) as never);
      vector.flush();
    });
    this.appender.appendDataChunk(chunk);
    this.written += this.row;
    this.row = 0;
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }
}
