/**
 * Worker threads for echo tracing's lexical tier (scan-worker.ts). Each worker builds its own anchor
 * index once; chunks of documents are dealt to the least busy worker and their results come back in
 * the order asked for. Documents cross as strings (structured clone): a document costs milliseconds to
 * scan and microseconds to copy.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanDocument, ScanResult, ScanSetup } from './scan.js';
import type { ScanReply, ScanRequest } from './scan-worker.js';

const WORKER_FILE = fileURLToPath(new URL('./scan-worker.js', import.meta.url));

export class ScanPool {
  private readonly workers: Worker[];
  private readonly busy: number[];
  private readonly waiting = new Map<
    number,
    { worker: number; resolve: (r: ScanResult[]) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  constructor(count: number, setup: ScanSetup) {
    // Workers inherit the process's flags; `--input-type` (of `node -e`) would stop them loading a file.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    this.workers = Array.from(
      { length: count },
      () => new Worker(WORKER_FILE, { workerData: setup, execArgv }),
    );
    this.busy = this.workers.map(() => 0);
    this.workers.forEach((w) => {
      w.on('message', (m: ScanReply) => {
        const job = this.waiting.get(m.id);
        if (!job) return;
        this.waiting.delete(m.id);
        this.busy[job.worker]!--;
        if ('error' in m) job.reject(new Error(`echo scan worker failed: ${m.error}`));
        else job.resolve(m.results);
      });
      w.on('error', (err) => {
        for (const job of this.waiting.values()) job.reject(err);
        this.waiting.clear();
      });
    });
  }

  scan(docs: ScanDocument[]): Promise<ScanResult[]> {
    const worker = this.busy.indexOf(Math.min(...this.busy));
    const id = this.nextId++;
    this.busy[worker]!++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { worker, resolve, reject });
      const request: ScanRequest = { id, docs };
      this.workers[worker]!.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
