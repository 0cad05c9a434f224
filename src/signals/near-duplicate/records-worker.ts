/**
 * Worker thread of the near-duplicate signal. It shares the sketches with the calling thread
 * (SharedArrayBuffers) and does two kinds of work:
 *
 * - `sketch`: a chunk of newline-separated records (its bytes transferred, not copied) sketched by
 *   RecordSketcher into the shared rows;
 * - `bands`: LSH bands scanned by BandScanner over the shared sketches; the verified pairs of each
 *   band go back as one transferred Int32Array (a, b, a, b, ...).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BandScanner, type ClusterOptions } from './lsh.js';
import { RecordSketcher, type SketchParams } from './records.js';

export interface WorkerInput {
  params: SketchParams;
  sketches: SharedArrayBuffer;
  state: SharedArrayBuffer;
}

export type WorkerRequest =
  | { kind: 'sketch'; id: number; bytes: Uint8Array }
  | { kind: 'bands'; id: number; bands: number[]; items: SharedArrayBuffer; options: ClusterOptions };

export type WorkerReply =
  | { kind: 'sketched'; id: number; records: number }
  | { kind: 'band'; id: number; band: number; compared: number; pairs: Int32Array }
  | { kind: 'bands-done'; id: number };

const input = workerData as WorkerInput;
const sketches = new Uint8Array(input.sketches);
const sketcher = new RecordSketcher(input.params, sketches, new Uint8Array(input.state));
const port = parentPort!;

port.on('message', (m: WorkerRequest) => {
  if (m.kind === 'sketch') {
    const reply: WorkerReply = { kind: 'sketched', id: m.id, records: sketcher.sketch(m.bytes) };
    port.postMessage(reply);
    return;
  }
  const scanner = new BandScanner(sketches, input.params.size, new Int32Array(m.items), m.options);
  let pairs = new Int32Array(1024);
  let length = 0;
  scanner.scan(
    m.bands,
    (a, b) => {
      if (length + 2 > pairs.length) {
        const grown = new Int32Array(2 * pairs.length);
        grown.set(pairs);
        pairs = grown;
      }
      pairs[length++] = a;
      pairs[length++] = b;
    },
    (band, compared) => {
      const done = pairs.slice(0, length);
      const reply: WorkerReply = { kind: 'band', id: m.id, band, compared, pairs: done };
      port.postMessage(reply, [done.buffer]);
      length = 0;
    },
  );
  const reply: WorkerReply = { kind: 'bands-done', id: m.id };
  port.postMessage(reply);
});
