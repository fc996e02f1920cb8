import type { RecordColumns } from '../handlers/event-counts.js';

// What counting each span's events needs of every record (thread, time, probe: 13 bytes), kept
// in memory while the records pass by once anyway, so that the count pass after the model does
// not read and decode the stored chunks again (docs/adr/0111). A probe id beyond a byte's range
// (never in a real capture: a few dozen probes) gives up: `usable` turns false and the counts
// are read back from the bundle as before.

interface Block {
  length: number;
  tid: Int32Array;
  ts: Float64Array;
  probe: Uint8Array;
}

export class RecordLog {
  private readonly blocks: Block[] = [];
  usable = true;
  records = 0;

  /** Appends a batch; `keep[i] === 0` leaves record i out (it is not in the bundle either). */
  add(c: { n: number; tid: ArrayLike<number>; ts: ArrayLike<number>; probe: ArrayLike<number> }, keep: Uint8Array | null = null): void {
    if (!this.usable) return;
    const n = c.n;
    const b: Block = { length: 0, tid: new Int32Array(n), ts: new Float64Array(n), probe: new Uint8Array(n) };
    if (keep === null && typed(c.tid) && typed(c.ts) && typed(c.probe)) {
      // Every record kept: the columns copied whole once the probes are known to fit a byte (an
      // element loop storing three columns was a tenth of the model's time in `generate`).
      const probe = c.probe;
      for (let i = 0; i < n; i++) {
        if (probe[i]! > 255) {
          this.drop();
          return;
        }
      }
      b.tid.set(c.tid.subarray(0, n));
      b.ts.set(c.ts.subarray(0, n));
      b.probe.set(probe.subarray(0, n));
      b.length = n;
      this.records += n;
      this.blocks.push(b);
      return;
    }
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (keep !== null && keep[i] === 0) continue;
      const p = c.probe[i]!;
      if (p > 255) {
        this.drop();
        return;
      }
      b.tid[k] = c.tid[i]!;
      b.ts[k] = c.ts[i]!;
      b.probe[k++] = p;
    }
    b.length = k;
    this.records += k;
    this.blocks.push(b);
  }

  /** The records in the order they were added, a batch at a time. */
  *batches(): Generator<RecordColumns> {
    yield* this.blocks;
  }

  /** Frees what it holds (the counts are done, or it cannot be used). */
  drop(): void {
    this.usable = false;
    this.blocks.length = 0;
  }
}

type TypedNumbers = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

function typed(a: ArrayLike<number>): a is TypedNumbers {
  return ArrayBuffer.isView(a);
}
