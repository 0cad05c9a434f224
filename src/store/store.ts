/**
 * The investigation store: one embedded DuckDB file per investigation (default `lockstep.duckdb`
 * in the working directory). Opening it creates the schema, and marks ingests left `running` by a
 * killed process as `interrupted` (DuckDB's write-ahead log has already rolled their data back).
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { StoreError } from '../core/errors.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

export const DEFAULT_STORE = 'lockstep.duckdb';

export interface StoreOptions {
  readOnly?: boolean;
  /** DuckDB memory limit, e.g. `2GB`. Defaults to `LOCKSTEP_MEMORY` or 3GB. */
  memoryLimit?: string;
  /** DuckDB worker threads; defaults to the number of cores. */
  threads?: number;
}

export type Row = Record<string, unknown>;

/** Converts DuckDB's JS values to plain ones: safe bigints to numbers, timestamps to Date. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

export class Store {
  private constructor(
    readonly path: string,
    /** A reader's own spill folder, removed on close; null for the writer's shared one. */
    private readonly readerSpill: string | null,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** DuckDB's memory limit as configured (e.g. `3GB`). */
    private readonly memoryLimit: string,
    /** False for a store made by `connect()`: closing it closes only its connection. */
    private readonly ownsInstance = true,
  ) {}

  static async open(path: string = DEFAULT_STORE, options: StoreOptions = {}): Promise<Store> {
    const full = resolve(path);
    refuseNonStore(full);
    if (!options.readOnly) {
      try {
        mkdirSync(dirname(full), { recursive: true });
      } catch (err) {
        throw storeOpenError(full, err);
      }
    }
    const memoryLimit = options.memoryLimit ?? process.env.LOCKSTEP_MEMORY ?? '3GB';
    const readerSpill = options.readOnly ? `${full}.tmp-read-${process.pid}-${++readers}` : null;
    const settings: Record<string, string> = {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      preserve_insertion_order: 'false',
      memory_limit: memoryLimit,
      // Only one process can write a store, but several can read it: each reader spills into a
      // folder of its own (a shared one let concurrent readers overwrite each other's spill files).
      temp_directory: readerSpill ?? `${full}.tmp`,
    };
    if (options.threads) settings.threads = String(options.threads);
    if (options.readOnly) settings.access_mode = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(full, settings);
    } catch (err) {
      throw storeOpenError(full, err);
    }
    const connection = await instance.connect();
    const store = new Store(full, readerSpill, instance, connection, memoryLimit);
    if (!options.readOnly) await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    await this.connection.run(SCHEMA_SQL);
    const version = await this.value<string>(`SELECT value FROM meta WHERE key = 'schema_version'`);
    if (version === undefined) {
      await this.run(`INSERT INTO meta VALUES ('schema_version', ?)`, [String(SCHEMA_VERSION)]);
    } else if (Number(version) > SCHEMA_VERSION) {
      throw new StoreError(
        `${this.path} was written by a newer Lockstep (schema ${version}); upgrade Lockstep to open it`,
      );
    }
    await this.run(
      `UPDATE ingests SET status = 'interrupted', message = 'the process stopped before the ingest finished; nothing from it was kept'
       WHERE status = 'running'`,
    );
  }

  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** All rows as plain objects. */
  async all<T = Row>(sql: string, params?: DuckDBValue[]): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map((row) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(row)) out[k] = plain(v);
      return out as T;
    });
  }

  /** The first column of the first row, or undefined. */
  async value<T = unknown>(sql: string, params?: DuckDBValue[]): Promise<T | undefined> {
    const reader = await this.connection.runAndReadAll(sql, params);
    const rows = reader.getRowsJS();
    return rows.length ? (plain(rows[0]![0]) as T) : undefined;
  }

  /**
   * Runs `work` with DuckDB's memory limit lowered by `bytes` (at most half of it), for work that
   * holds that much in JavaScript: DuckDB gives back what it had cached, and the two together stay
   * within the store's limit. The limit is instance-wide; it is restored afterwards.
   */
  async lendMemory<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const total = parseBytes(this.memoryLimit);
    const lent = Math.min(bytes, total / 2);
    if (!Number.isFinite(total) || lent <= 0) return work();
    await this.run(`SET memory_limit = '${Math.floor((total - lent) / 2 ** 20)}MiB'`);
    try {
      return await work();
    } finally {
      await this.run(`SET memory_limit = '${this.memoryLimit}'`);
    }
  }

  /** Opened with `readOnly`: nothing can be ingested or saved. */
  get readOnly(): boolean {
    return this.readerSpill !== null;
  }

  /**
   * Another connection to the same database, with its own temporary tables and transactions (long
   * work such as a detection, beside short reads on this one; the workbench server does this). Close
   * it before this store; closing it leaves this store open.
   */
  async connect(): Promise<Store> {
    return new Store(
      this.path,
      this.readerSpill,
      this.instance,
      await this.instance.connect(),
      this.memoryLimit,
      false,
    );
  }

  close(): void {
    this.connection.closeSync();
    if (!this.ownsInstance) return;
    this.instance.closeSync();
    if (this.readerSpill) rmSync(this.readerSpill, { recursive: true, force: true });
  }
}

/** Bytes of a DuckDB memory size such as `3GB`, `2.5 GiB` or `512MB` (NaN when not one). */
export function parseBytes(size: string): number {
  const m = /^\s*([\d.]+)\s*([KMGT]?)(i?)B?\s*$/i.exec(size);
  if (!m) return Number.NaN;
  const power = ' KMGT'.indexOf(m[2]!.toUpperCase() || ' ');
  return Number(m[1]) * (m[3] ? 1024 : 1000) ** power;
}

/** Read-only stores opened by this process (each gets its own spill folder). */
let readers = 0;

/**
 * Refuses an existing file that is not a DuckDB database. DuckDB itself reports most such files, but
 * opens a `.csv` or `.parquet` file as an in-memory database, where everything ingested would vanish.
 */
function refuseNonStore(path: string): void {
  let size: number;
  try {
    const info = statSync(path);
    if (info.isDirectory())
      throw new StoreError(`${path} is a folder, not a Lockstep store; choose a file path with --db`);
    size = info.size;
  } catch (err) {
    if (err instanceof StoreError) throw err;
    return; // no file yet: a new store
  }
  if (size === 0) return;
  const magic = Buffer.alloc(12);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, magic, 0, 12, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return; // let DuckDB report what it cannot open
  }
  // A DuckDB file has an 8-byte checksum, then "DUCK".
  if (magic.subarray(8, 12).toString('latin1') !== 'DUCK')
    throw new StoreError(
      `${path} is not a Lockstep store (not a DuckDB database); choose another path with --db`,
    );
}

function storeOpenError(path: string, err: unknown): StoreError {
  const text = String((err as Error)?.message ?? err);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new StoreError(
      `cannot create the folder for the store ${path} (${code}); choose another path with --db`,
    );
  const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(text);
  if (lock || /Could not set lock/.test(text)) {
    const who = lock ? ` (process ${lock[2]})` : '';
    return new StoreError(
      `the store ${path} is in use by another Lockstep process${who}; wait for it to finish, or choose another store with --db`,
    );
  }
  if (/not a valid DuckDB database|Unable to open database|database file .* is not/i.test(text)) {
    return new StoreError(
      `${path} is not a Lockstep store (not a DuckDB database); choose another path with --db`,
    );
  }
  if (/No such file|does not exist|cannot open file/i.test(text)) {
    return new StoreError(
      `no store at ${path}; ingest some data first (lockstep ingest FILE) or choose one with --db`,
    );
  }
  return new StoreError(`cannot open the store ${path}: ${text.split('\n')[0]}`);
}
