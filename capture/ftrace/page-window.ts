import { readSync } from 'node:fs';

// The pages of one stream (one CPU of one instance) read from the helper's pages file a window at
// a time, for the conversion after a capture (helper-output.ts). The helper writes a stream's
// pages back to back, one block per read round, so most of a stream's next pages are in the
// window already read; one read() per 4 KiB page (and one more for its base time) was about a
// sixth of the conversion's CPU. A window is never reused: the reader keeps pages (views into
// it) until their events are released, and a fresh window leaves those views intact.

const WINDOW = 256 << 10;

export class PageWindow {
  private win: Buffer = Buffer.alloc(0);
  private start = 0;

  constructor(
    private readonly fd: number,
    private readonly pageSize: number,
  ) {}

  /** The page at `offset` of the file (a view: do not write to it). */
  page(offset: number): Buffer {
    let at = offset - this.start;
    if (at < 0 || at + this.pageSize > this.win.length) {
      const buf = Buffer.allocUnsafe(Math.max(WINDOW, this.pageSize));
      const n = readSync(this.fd, buf, 0, buf.length, offset);
      if (n < this.pageSize) throw new Error(`the pages file ends inside the page at byte ${offset}`);
      this.win = buf.subarray(0, n);
      this.start = offset;
      at = 0;
    }
    return this.win.subarray(at, at + this.pageSize);
  }
}
