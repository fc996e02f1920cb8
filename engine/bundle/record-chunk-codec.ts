import { crc32 } from 'node:zlib';
import type { RecordColumns } from '../records/record-columns.js';

// One chunk of records of one thread, as the bytes stored in `record_chunks.data` (ADR 0060).
// Columns one after the other, each as LEB128 varints: seq and ts as deltas from the previous
// record (both only grow within a thread, so the deltas are small), line as a zigzag delta (a
// raw capture is ordered by time, not by line), cpu, probe and comm ids as they are, then each
// record's details length + 1 (0: no details) and the details' UTF-8 bytes. No compression: the
// deltas already make a record ~12 bytes plus its details, and decoding stays at memory speed.

/** Records in a chunk at most. */
export const CHUNK_MAX = 1024;
/**
 * The writer closes every open chunk each GROUP records, so no chunk crosses a multiple of GROUP
 * in seq: reading in time order fills GROUP rows at a time from whole chunks.
 */
export const GROUP = 1 << 16;

/** A thread's records waiting to be encoded, as columns (`n` of them are used). */
export class ChunkColumns {
  n = 0;
  seq: Float64Array;
  ts: Float64Array;
  line: Int32Array;
  cpu: Int32Array;
  probe: Int32Array;
  comm: Int32Array;
  details: (string | null)[];

  constructor(public capacity: number) {
    this.seq = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.line = new Int32Array(capacity);
    this.cpu = new Int32Array(capacity);
    this.probe = new Int32Array(capacity);
    this.comm = new Int32Array(capacity);
    this.details = new Array<string | null>(capacity).fill(null);
  }

  /** Four times the room (fewer copies on the way to CHUNK_MAX), keeping the first `n` records. */
  grow(): void {
    const c = Math.min(this.capacity * 4, Math.max(CHUNK_MAX, this.capacity * 2));
    const g = <T extends Float64Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(c);
      b.set(a);
      return b;
    };
    this.seq = g(this.seq);
    this.ts = g(this.ts);
    this.line = g(this.line);
    this.cpu = g(this.cpu);
    this.probe = g(this.probe);
    this.comm = g(this.comm);
    for (let i = this.capacity; i < c; i++) this.details.push(null);
    this.capacity = c;
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
    if (v < 0x80) {
      this.buf[this.pos++] = v;
      return;
    }
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

// The decoder's cursor, module-level: a closure per chunk cost more than the decoding.
let D: Uint8Array = new Uint8Array(0);
let P = 0;

function uint(): number {
  // Most values (ids, seq steps, small deltas) take one byte.
  const first = D[P];
  if (first !== undefined && first < 0x80) {
    P++;
    return first;
  }
  let v = 0;
  let mul = 1;
  for (;;) {
    if (P >= D.length) throw new ChunkDamaged('chunk ends inside a value');
    const b = D[P++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 128;
    if (mul > 2 ** 56) throw new ChunkDamaged('value too long');
  }
}

let slots = new Int32Array(CHUNK_MAX);
let lengths = new Int32Array(CHUNK_MAX);

/**
 * Decodes the chunk `data` of thread `tid` into record columns. With `scatter`, record `seq`
 * goes to row seq - base (the time-order read fills a window of seqs from many chunks);
 * otherwise they fill rows 0..n-1 (out.n = n) and their seqs go to `seqs`. `details: false` skips
 * the text (the counting pass needs only times, threads and probes). Returns the record count.
 */
export function decodeInto(
  data: Uint8Array,
  out: RecordColumns,
  tid: number,
  how: { scatter: true; base: number } | { scatter: false; seqs: Float64Array },
  details: boolean,
): number {
  D = data;
  P = 0;
  const n = uint();
  if (n > data.length || n > CHUNK_MAX) throw new ChunkDamaged(`chunk says ${n} records in ${data.length} bytes`);
  if (slots.length < n) slots = new Int32Array(n);
  const at = slots;
  let prev = 0;
  if (how.scatter) {
    const cap = out.tid.length;
    for (let i = 0; i < n; i++) {
      prev += uint();
      const k = prev - how.base;
      if (k < 0 || k >= cap) throw new ChunkDamaged(`record ${prev} lies outside its group`);
      at[i] = k;
    }
  } else {
    if (out.tid.length < n) throw new Error(`decodeInto: room for ${out.tid.length} records, the chunk has ${n}`);
    for (let i = 0; i < n; i++) {
      at[i] = i;
      how.seqs[i] = prev += uint();
    }
    out.n = n;
    out.details.length = 0;
  }
  prev = 0;
  for (let i = 0; i < n; i++) {
    const k = at[i]!;
    out.ts[k] = prev += unzigzag(uint());
    out.tid[k] = tid;
  }
  prev = 0;
  for (let i = 0; i < n; i++) out.line[at[i]!] = prev += unzigzag(uint());
  for (let i = 0; i < n; i++) out.cpu[at[i]!] = uint();
  for (let i = 0; i < n; i++) out.probe[at[i]!] = uint();
  for (let i = 0; i < n; i++) out.comm[at[i]!] = uint();
  if (!details) {
    for (let i = 0; i < n; i++) out.detailsAt[at[i]!] = -1;
    return n;
  }
  if (lengths.length < n) lengths = new Int32Array(n);
  const lens = lengths;
  let total = 0;
  for (let i = 0; i < n; i++) {
    lens[i] = uint();
    if (lens[i]! > 0) total += lens[i]! - 1;
  }
  if (P + total !== data.length) throw new ChunkDamaged('details do not fill the chunk');
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < n; i++) {
    const l = lens[i]!;
    const k = at[i]!;
    if (l === 0) out.detailsAt[k] = -1;
    else {
      out.detailsAt[k] = out.details.push(l === 1 ? '' : buf.toString('utf8', P, P + l - 1)) - 1;
      P += l - 1;
    }
  }
  return n;
}
