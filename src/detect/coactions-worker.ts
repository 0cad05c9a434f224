/**
 * Worker thread of the co-action walk (coactions.ts): it shares the walk's structures with the
 * calling thread (typed arrays over SharedArrayBuffers, in workerData) and walks the blocks of
 * accounts it is sent; each block's pairs of posts go back as transferred columns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CoActionCounts, type PairEvents, type WalkData, walkAccounts } from './coactions.js';

export interface WalkRequest {
  block: number;
  from: number;
  to: number;
  keepAll: boolean;
}

export interface WalkReply {
  block: number;
  events: PairEvents;
  counts: CoActionCounts;
}

const data = workerData as WalkData;
const port = parentPort!;

port.on('message', (m: WalkRequest) => {
  const { events, counts } = walkAccounts(data, m.from, m.to, m.keepAll);
  const reply: WalkReply = { block: m.block, events, counts };
  const { sid, a1, a2, p1, p2, idf } = events;
  port.postMessage(
    reply,
    [sid, a1, a2, p1, p2, idf].map((c) => c.buffer as ArrayBuffer),
  );
});
