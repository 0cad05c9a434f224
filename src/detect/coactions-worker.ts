/**
 * Worker thread of the co-action walk (coactions.ts): it shares the walk's structures with the
 * calling thread (typed arrays over SharedArrayBuffers, in workerData) and walks the blocks of
 * accounts it is sent; each block's pair totals go back as transferred columns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CoActionCounts, type PairTotals, type WalkData, walkAccounts } from './coactions.js';

export interface WalkRequest {
  block: number;
  from: number;
  to: number;
  minParticipation: number;
}

export interface WalkReply {
  block: number;
  totals: PairTotals;
  counts: CoActionCounts;
}

const data = workerData as WalkData;
const port = parentPort!;

port.on('message', (m: WalkRequest) => {
  const { totals, counts } = walkAccounts(data, m.from, m.to, m.minParticipation);
  const reply: WalkReply = { block: m.block, totals, counts };
  const { a1, a2, k, w, sigs, mu, sa1, sa2, sid, sk, smu } = totals;
  port.postMessage(
    reply,
    [a1, a2, k, w, sigs, mu, sa1, sa2, sid, sk, smu].map((c) => c.buffer as ArrayBuffer),
  );
});
