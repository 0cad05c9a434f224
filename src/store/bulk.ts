/**
 * Reading many small values out of DuckDB quickly. Every value that crosses the Node-API boundary
 * costs a few microseconds, so a million edges read row by row take seconds; joined into a few large
 * strings inside DuckDB and split in JavaScript they take a fraction of that.
 */
import type { Store } from './store.js';

const FIELD = '\u001f';
const RECORD = '\u001e';

/**
 * Rows of `sql` as arrays of strings (NULL as ''), in no particular order. Only for values that
 * cannot contain the ASCII unit and record separators: numbers, hashes, ids.
 */
export async function fetchFields(
  store: Store,
  sql: string,
  columns: string[],
  chunk = 500_000,
): Promise<string[][]> {
  const table = `bulk_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await store.run(`CREATE TEMP TABLE ${table} AS SELECT row_number() OVER () AS rn, * FROM (${sql})`);
  try {
    const total = Number((await store.value<number>(`SELECT count(*) FROM ${table}`)) ?? 0);
    const rows: string[][] = [];
    const record = columns.map((c) => `coalesce(CAST("${c}" AS VARCHAR), '')`).join(`, '${FIELD}', `);
    for (let from = 0; from < total; from += chunk) {
      const text = await store.value<string>(
        `SELECT string_agg(concat(${record}), '${RECORD}') FROM ${table}
         WHERE rn > ${from} AND rn <= ${from + chunk}`,
      );
      if (text) for (const line of text.split(RECORD)) rows.push(line.split(FIELD));
    }
    return rows;
  } finally {
    await store.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

/** Loads rows of plain values (numbers, ids) into a new temporary table through one VALUES insert per chunk. */
export async function insertValues(
  store: Store,
  table: string,
  columns: string,
  rows: (string | number)[][],
  chunk = 20_000,
): Promise<void> {
  await store.run(`CREATE OR REPLACE TEMP TABLE ${table} (${columns})`);
  for (let i = 0; i < rows.length; i += chunk) {
    const values = rows
      .slice(i, i + chunk)
      .map(
        (r) =>
          `(${r.map((v) => (typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`)).join(', ')})`,
      )
      .join(', ');
    await store.run(`INSERT INTO ${table} VALUES ${values}`);
  }
}
