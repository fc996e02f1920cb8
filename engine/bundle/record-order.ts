import type { Diagnostics } from '../model/diagnostics.js';
import type { RecordColumns } from '../records/record-columns.js';
import { TimeOrderCheck } from '../records/time-order.js';

// The records must be in time order (the generator and the counting sweep rely on it): with
// --lenient an out-of-order record is counted and not stored. One check for the records read
// in process and on the reading thread (docs/adr/0110), so both keep and report the same.

export class RecordOrder {
  private readonly order: TimeOrderCheck;
  private keep: Uint8Array | null = null;
  firstTs = NaN;
  lastTs = 0;

  constructor(
    path: string,
    lenient: boolean,
    private readonly diagnostics: Diagnostics,
  ) {
    this.order = new TimeOrderCheck(path, lenient);
  }

  /** Checks a batch; null when every record is kept, else a mask (`keep[i] === 0`: left out), valid until the next call. */
  check(c: RecordColumns): Uint8Array | null {
    let skipped = false;
    for (let i = 0; i < c.n; i++) {
      const ok = this.order.inOrder(c.ts[i]!, c.line[i]!);
      if (!ok) {
        if (!skipped) {
          skipped = true;
          if (this.keep === null || this.keep.length < c.n) this.keep = new Uint8Array(c.tid.length);
          this.keep.fill(1, 0, c.n);
        }
        this.keep![i] = 0;
        this.diagnostics.add('unsorted-record', c.line[i]!, c.tid[i]!, `record at line ${c.line[i]!} is earlier than the record before it`);
      } else {
        if (Number.isNaN(this.firstTs)) this.firstTs = c.ts[i]!;
        this.lastTs = c.ts[i]!;
      }
    }
    return skipped ? this.keep : null;
  }
}
