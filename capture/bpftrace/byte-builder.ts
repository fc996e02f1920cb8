// A growable byte buffer for building output without a JS string per piece.

export class ByteBuilder {
  bytes: Buffer;
  length = 0;

  constructor(initialBytes = 1 << 16) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + n));
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
  }

  /** Appends src[a, e). */
  put(src: Uint8Array, a: number, e: number): void {
    const n = e - a;
    this.room(n);
    const d = this.bytes;
    if (n < 64) {
      let w = this.length;
      for (let i = a; i < e; i++) d[w++] = src[i]!;
    } else d.set(src.subarray(a, e), this.length);
    this.length += n;
  }

  putBytes(src: Uint8Array): void {
    this.put(src, 0, src.length);
  }

  byte(v: number): void {
    this.room(1);
    this.bytes[this.length++] = v;
  }

  putString(s: string): void {
    this.room(Buffer.byteLength(s));
    this.length += this.bytes.write(s, this.length, 'utf8');
  }

  truncate(n: number): void {
    this.length = n;
  }

  /** A copy of the bytes so far; empties the builder. */
  take(): Buffer {
    const out = Buffer.from(this.bytes.subarray(0, this.length));
    this.length = 0;
    return out;
  }
}
