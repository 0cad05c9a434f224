/**
 * Worker thread of echo tracing's lexical tier: builds its own anchor index from the talking points'
 * wordings (workerData), then scans the chunks of documents it is sent (scan.ts) and sends back each
 * document's sentences and matches. Any split of the documents between threads gives the same result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DocumentScanner, type ScanDocument, type ScanResult, type ScanSetup } from './scan.js';

export type ScanRequest = { id: number; docs: ScanDocument[] };
export type ScanReply = { id: number; results: ScanResult[] } | { id: number; error: string };

const scanner = new DocumentScanner(workerData as ScanSetup);
const port = parentPort!;
port.on('message', (m: ScanRequest) => {
  try {
    const reply: ScanReply = { id: m.id, results: m.docs.map((d) => scanner.scan(d)) };
    port.postMessage(reply);
  } catch (err) {
    port.postMessage({ id: m.id, error: String((err as Error)?.stack ?? err) } satisfies ScanReply);
  }
});
