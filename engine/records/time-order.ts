import { InputError } from '../model/meta.js';

// generate needs time-ordered input. An earlier record than the one before it stops the run
// with a hint to sort, or, with --lenient, is passed on for the generator to count and skip.

export class TimeOrderCheck {
  private prevTs = -Infinity;
  private prevLine = 0;

  constructor(
    private readonly path: string,
    private readonly lenient: boolean,
  ) {}

  /** True when the record (ts, line) is not earlier than the last in-order one. */
  inOrder(ts: number, line: number): boolean {
    if (ts >= this.prevTs) {
      this.prevTs = ts;
      this.prevLine = line;
      return true;
    }
    if (!this.lenient) {
      throw new InputError(
        `${this.path}:${line}: input is not sorted by time (this record is earlier than line ${this.prevLine})`,
        `sort the capture first (misertrace sort -i ${this.path} -o sorted.psv), or import it in one step (misertrace bundle import -i ${this.path} ...); --lenient skips such records instead`,
      );
    }
    return false;
  }
}
