import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Between writing the records and generating the traces of a big capture, the records step
// leaves hundreds of MB of dead buffers (the in-memory sort's columns) that V8 frees only at a
// full collection, which it starts late: the generation then grew on top of them (10M records:
// 1.03 GB peak instead of 0.65). One full collection here lets the generation start from what is
// live. Node exposes gc() only behind a flag; the flag can be set at run time for a new context.

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null; // not offered here: V8 collects on its own, only later
    }
  }
  gc?.();
}
