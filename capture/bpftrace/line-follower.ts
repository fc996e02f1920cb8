import { open, type FileHandle } from 'node:fs/promises';

// Reads the complete lines appended to a file another process is writing (the capture child's
// output). A read may end inside a line or a UTF-8 sequence: the rest waits for the next read.

export class LineFollower {
  private fh: FileHandle | null = null;
  private pos = 0;
  private carry: Buffer = Buffer.alloc(0);
  private readonly buf: Buffer;

  constructor(
    readonly path: string,
    bufferBytes = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  /** Bytes read so far. */
  get bytes(): number {
    return this.pos;
  }

  /** Bytes of an unfinished last line (a child killed mid-write leaves one). */
  get partialBytes(): number {
    return this.carry.length;
  }

  /**
   * Hands the complete lines appended since the last call to onLines, a buffer at a time:
   * bytes [0, end) of `lines` are whole lines, each ending with a newline (`lines` is reused
   * after the callback). Each callback is awaited before reading on.
   */
  async read(onLines: (lines: Buffer, end: number) => void | Promise<void>): Promise<void> {
    if (this.fh === null) {
      try {
        this.fh = await open(this.path, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // not created yet
        throw e;
      }
    }
    for (;;) {
      const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, this.pos);
      if (bytesRead === 0) return;
      this.pos += bytesRead;
      const chunk = this.carry.length > 0 ? Buffer.concat([this.carry, this.buf.subarray(0, bytesRead)]) : this.buf.subarray(0, bytesRead);
      const nl = chunk.lastIndexOf(10);
      if (nl < 0) {
        this.carry = Buffer.from(chunk);
        continue;
      }
      const rest = Buffer.from(chunk.subarray(nl + 1));
      await onLines(chunk, nl + 1);
      this.carry = rest;
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }
}
