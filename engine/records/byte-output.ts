import type { AtomicTextWriter } from './atomic-file.js';

// Buffers small byte writes (lines, run records) into 1 MB blocks for an atomic writer; large
// ranges are written as they are.

export class ByteOutput {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;

  constructor(private readonly w: AtomicTextWriter) {}

  /** True when n more bytes fit; else flush (and `grow`) first. Sync on the hot path. */
  fits(n: number): boolean {
    return this.pos + n <= this.buf.length;
  }

  /** Flushes and makes room for at least n bytes. */
  async makeRoom(n: number): Promise<void> {
    await this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  /** Appends src[a, b); make sure it fits first. */
  put(src: Uint8Array, a: number, b: number): void {
    if (b - a < 512) {
      const d = this.buf;
      let w = this.pos;
      for (let i = a; i < b; i++) d[w++] = src[i]!;
      this.pos = w;
    } else {
      this.buf.set(src.subarray(a, b), this.pos);
      this.pos += b - a;
    }
  }

  /** Appends src[a, b), flushing as needed; a large range goes to the file as it is, not copied. */
  async putRange(src: Uint8Array, a: number, b: number): Promise<void> {
    if (b - a >= 1 << 18) {
      await this.flush();
      await this.w.writeBytes(src.subarray(a, b));
      return;
    }
    if (!this.fits(b - a)) await this.flush();
    this.put(src, a, b);
  }

  putString(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  byte(v: number): void {
    this.buf[this.pos++] = v;
  }

  f64(v: number): void {
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  u32(v: number): void {
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    await this.w.writeBytes(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}
