/**
 * Sketching texts in bulk: newline-separated UTF-8 records (row number, tab, text), as the store
 * hands them over, into one b-bit MinHash row per record of a shared array. The same code runs in the calling thread and
 * in worker threads (records-worker.ts), which write to SharedArrayBuffers.
 */
import { OnePermutationHasher } from './minhash.js';
import { maskUtf8 } from './shingles.js';

export interface SketchParams {
  /** Sketch positions per text. */
  size: number;
  shingleSize: number;
  minChars: number;
  seed: number;
}

/** Per-row state: too short (or absent), sketched, or sketched and posted more than once. */
export const SHORT = 0;
export const SKETCHED = 1;
export const REPEATED = 2;

export class RecordSketcher {
  private readonly hasher: OnePermutationHasher;
  private cps = new Uint32Array(4096);

  constructor(
    private readonly params: SketchParams,
    private readonly sketches: Uint8Array,
    private readonly state: Uint8Array,
  ) {
    this.hasher = new OnePermutationHasher(params.size, params.seed);
  }

  /**
   * Sketches the records of `bytes`: each is the row's number in decimal, a tab, then the text; a
   * text starting with a space (normalised text never does) is marked REPEATED. Returns how many
   * records were read. (Numbered records let the store hand them over in any order: a query that
   * keeps no order costs half as much.)
   */
  sketch(bytes: Uint8Array): number {
    const { size, shingleSize, minChars, seed } = this.params;
    let records = 0;
    for (let start = 0; start < bytes.length; records++) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      let row = 0;
      let s = start;
      while (s < end && bytes[s] !== 0x09) row = row * 10 + (bytes[s++]! - 0x30);
      s++; // the tab
      start = end + 1;
      const repeated = bytes[s] === 0x20 && s < end;
      if (repeated) s++;
      this.state[row] = SHORT;
      if (end - s < minChars) continue;
      if (this.cps.length < end - s) this.cps = new Uint32Array(2 * (end - s));
      const m = maskUtf8(bytes, s, end, this.cps);
      if (m < minChars) continue;
      this.hasher.sketchShinglesBits(this.cps, m, shingleSize, seed, this.sketches, row * size);
      this.state[row] = repeated ? REPEATED : SKETCHED;
    }
    return records;
  }
}
