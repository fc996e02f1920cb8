import { crc32 } from 'node:zlib';

// One chunk of records of one thread, as the bytes stored in `record_chunks.data` (ADR 0060).
// Columns one after the other, each as LEB128 varints: seq and ts as deltas from the previous
// record (both only grow within a thread, so the deltas are small), line as a zigzag delta (a
// raw capture is ordered by time, not by line), cpu, probe and comm ids as they are, then each
// record's details length + 1 (0: no details) and the details' UTF-8 bytes. No compression: the
// deltas already make a record ~12 bytes plus its details, and decoding stays at memory speed.

/** Records of one chunk as columns (`n` of them are used). */
export class ChunkColumns {
  n = 0;
  seq: Float64Array;
  ts: Float64Array;
  line: Int32Array;
  cpu: Int32Array;
  probe: Int32Array;
  comm: Int32Array;
  details: (string | null)[];

  constructor(readonly capacity: number) {
    this.seq = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.line = new Int32Array(capacity);
    this.cpu = new Int32Array(capacity);
    this.probe = new Int32Array(capacity);
    this.comm = new Int32Array(capacity);
    this.details = new Array<string | null>(capacity).fill(null);
  }
}

export class ChunkEncoder {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;

  /** The encoded chunk: a view of an internal buffer, valid until the next call. */
  encode(c: ChunkColumns): Buffer {
    this.pos = 0;
    const n = c.n;
    this.uint(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      this.uint(c.seq[i]! - prev);
      prev = c.seq[i]!;
    }
    prev = 0;
    for (let i = 0; i < n; i++) {
      this.uint(zigzag(c.ts[i]! - prev));
      prev = c.ts[i]!;
    }
    prev = 0;
    for (let i = 0; i < n; i++) {
      this.uint(zigzag(c.line[i]! - prev));
      prev = c.line[i]!;
    }
    for (let i = 0; i < n; i++) this.uint(c.cpu[i]!);
    for (let i = 0; i < n; i++) this.uint(c.probe[i]!);
    for (let i = 0; i < n; i++) this.uint(c.comm[i]!);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const d = c.details[i];
      const len = d == null ? 0 : d.length === 0 ? 1 : Buffer.byteLength(d, 'utf8') + 1;
      bytes += len;
      this.uint(len);
    }
    this.room(bytes);
    for (let i = 0; i < n; i++) {
      const d = c.details[i];
      if (d != null && d.length > 0) this.pos += this.buf.write(d, this.pos, 'utf8');
    }
    return this.buf.subarray(0, this.pos);
  }

  private room(k: number): void {
    if (this.pos + k <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + k + 1024));
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  private uint(v: number): void {
    if (this.pos + 10 > this.buf.length) this.room(10);
    const b = this.buf;
    let p = this.pos;
    // Above 2^31 bit operations would wrap: divide instead (times beyond ~2 s of capture).
    while (v >= 0x80000000) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }
}

const zigzag = (v: number) => (v < 0 ? -2 * v - 1 : 2 * v);
const unzigzag = (v: number) => (v % 2 === 1 ? -(v + 1) / 2 : v / 2);

/** A chunk whose bytes do not decode (or do not match their checksum): the bundle is damaged. */
export class ChunkDamaged extends Error {}

export function chunkChecksum(data: Uint8Array): number {
  return crc32(data);
}

/**
 * Decodes a chunk into `out` (grown when needed). `details: false` skips the text (the counting
 * pass needs only times, threads and probes).
 */
export function decodeChunk(data: Uint8Array, out: ChunkColumns | null, details = true): ChunkColumns {
  let p = 0;
  const uint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (p >= data.length) throw new ChunkDamaged('chunk ends inside a value');
      const b = data[p++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw new ChunkDamaged('value too long');
    }
  };
  const n = uint();
  if (n > data.length) throw new ChunkDamaged(`chunk says ${n} records in ${data.length} bytes`);
  const c = out !== null && out.capacity >= n ? out : new ChunkColumns(Math.max(n, out?.capacity ?? 0));
  c.n = n;
  let prev = 0;
  for (let i = 0; i < n; i++) c.seq[i] = prev += uint();
  prev = 0;
  for (let i = 0; i < n; i++) c.ts[i] = prev += unzigzag(uint());
  prev = 0;
  for (let i = 0; i < n; i++) c.line[i] = prev += unzigzag(uint());
  for (let i = 0; i < n; i++) c.cpu[i] = uint();
  for (let i = 0; i < n; i++) c.probe[i] = uint();
  for (let i = 0; i < n; i++) c.comm[i] = uint();
  if (!details) return c;
  const lens = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    lens[i] = uint();
    if (lens[i]! > 0) total += lens[i]! - 1;
  }
  if (p + total !== data.length) throw new ChunkDamaged('details do not fill the chunk');
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < n; i++) {
    const l = lens[i]!;
    if (l === 0) c.details[i] = null;
    else {
      c.details[i] = l === 1 ? '' : buf.toString('utf8', p, p + l - 1);
      p += l - 1;
    }
  }
  return c;
}
