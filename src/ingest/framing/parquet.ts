/**
 * Parquet input, read through DuckDB's built-in Parquet reader on a private in-memory instance, in
 * chunks, so any size streams. Rows become plain objects for the adapter (generic mapping).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DuckDBInstance, DuckDBTypeId, JSDuckDBValueConverter } from '@duckdb/node-api';
import { InputError } from '../../core/errors.js';

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

function plain(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/** Calls `onRow` for every row with its 1-based row number and the total row count. */
export async function readParquetRows(
  path: string,
  onRow: (row: Record<string, unknown>, rowNumber: number, total: number) => Promise<void> | void,
): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    threads: '1',
  });
  const connection = await instance.connect();
  try {
    let total: number;
    try {
      total = Number(
        (
          await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(path)})`)
        ).getRowsJS()[0]![0],
      );
    } catch (err) {
      throw new InputError(
        `${path}: cannot read as Parquet (${String((err as Error).message).split('\n')[0]})`,
      );
    }
    const result = await connection.stream(`SELECT * FROM read_parquet(${sqlString(path)})`);
    let n = 0;
    const names = result.columnNames();
    // A timestamp without a zone stays zone-less text, so that --timezone applies to it and the
    // zone-less warning is counted, as for the same value in a CSV.
    const naive = result
      .columnTypes()
      .map((t) =>
        [
          DuckDBTypeId.TIMESTAMP,
          DuckDBTypeId.TIMESTAMP_S,
          DuckDBTypeId.TIMESTAMP_MS,
          DuckDBTypeId.TIMESTAMP_NS,
        ].includes(t.typeId),
      );
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const row of chunk.convertRows(JSDuckDBValueConverter)) {
        const obj: Record<string, unknown> = {};
        names.forEach((name, i) => {
          const v = row[i];
          obj[name] =
            naive[i] && v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : plain(v);
        });
        await onRow(obj, ++n, total);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
