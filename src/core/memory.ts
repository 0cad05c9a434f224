/**
 * Giving memory back between stages. The heavy stages hold hundreds of megabytes in typed arrays
 * (near-duplicate sketches, the co-action walk) that V8 frees only when it next collects garbage,
 * and little is allocated afterwards to make it do so: meanwhile DuckDB fills its own budget, and
 * the process holds both. A full collection at a stage's end gives the arrays back at once.
 *
 * V8 offers `gc()` only behind the `--expose-gc` flag; set at run time, the flag applies to new
 * contexts, so the function is taken from one (the technique of the `expose-gc` package). Where it
 * is unavailable, nothing happens and memory is given back at V8's own pace.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
