import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import type { RecordColumns as Columns } from '../records/record-columns.js';

// The counting pass needs (tid, ts, probe) of every record again once the spans are known.
// Rather than hold them in memory (grows with the file) or read them back through SQLite (slow,
// and churns the heap), we append them in binary blocks to a temp file and read it back into
// reused typed arrays.

const BLOCK = 1 << 16;

export class CountSpill {
  private readonly fd: number;
  private readonly ts = new Float64Array(BLOCK);
  private readonly tid = new Int32Array(BLOCK);
  private readonly probe = new Int32Array(BLOCK);
  private n = 0;
  private closed = false;
  records = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx+');
  }

  /** Appends the records of a batch (keep[i] === 0 skips record i). */
  add(c: Columns, keep: Uint8Array | null): void {
    for (let i = 0; i < c.n; i++) {
      if (keep !== null && keep[i] === 0) continue;
      this.ts[this.n] = c.ts[i]!;
      this.tid[this.n] = c.tid[i]!;
      this.probe[this.n] = c.probe[i]!;
      if (++this.n === BLOCK) this.flush();
    }
  }

  private flush(): void {
    if (this.n === 0) return;
    const head = new Uint32Array([this.n, 0]);
    writeSync(this.fd, head);
    writeSync(this.fd, this.ts.subarray(0, this.n));
    writeSync(this.fd, this.tid.subarray(0, this.n));
    writeSync(this.fd, this.probe.subarray(0, this.n));
    this.records += this.n;
    this.n = 0;
  }

  /** Reads everything back, block by block, in the order it was added. */
  *blocks(): Generator<{ length: number; ts: Float64Array; tid: Int32Array; probe: Int32Array }> {
    this.flush();
    const head = new Uint32Array(2);
    let pos = 0;
    for (;;) {
      if (readSync(this.fd, head, 0, 8, pos) < 8) return;
      const n = head[0]!;
      pos += 8;
      pos += readSync(this.fd, this.ts, 0, n * 8, pos);
      pos += readSync(this.fd, this.tid, 0, n * 4, pos);
      pos += readSync(this.fd, this.probe, 0, n * 4, pos);
      yield { length: n, ts: this.ts, tid: this.tid, probe: this.probe };
    }
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    unlinkSync(this.path);
  }
}
