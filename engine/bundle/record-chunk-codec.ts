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

/**
 * Records waiting to be encoded: the writer's current group (record-chunk-writer.ts), a record's
 * fields together (32 bytes) in one buffer seen as `ts` and `fields`: record k's time is ts[4k],
 * its other fields are fields[8k + F_SEQ ...].
 */
export interface ChunkSource {
  ts: Float64Array;
  fields: Int32Array;
  /** The records' details, at the index in their F_DETAILS field (-1: none). */
  details: string[];
}

/** The record's seq less the group's first. */
export const F_SEQ = 2;
export const F_LINE = 3;
export const F_CPU = 4;
export const F_PROBE = 5;
export const F_COMM = 6;
export const F_DETAILS = 7;

/** Chars of a chunk's details joined at most (a chunk of long lines is written one by one). */
const JOIN_MAX = 1 << 20;

export class ChunkEncoder {
  private buf = Buffer.allocUnsafe(1 << 16);
  /** The same bytes as `buf`: stores through a plain Uint8Array. */
  private u8 = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);

  /**
   * The chunk of records src[at[0]], ..., src[at[n - 1]] (in that order), record k's seq
   * being seqBase + its F_SEQ field: a view of an internal buffer, valid until the next call.
   */
  encode(src: ChunkSource, at: Int32Array, n: number, seqBase: number): Buffer {
    // One pass over the records writes the six number columns and the details' lengths into
    // regions of R bytes each (room for n values of up to 10 bytes), moved together after: a
    // loop per column cost more (each one loading at[j] again). Most values take one byte,
    // written here; the others by putMore(). The details are joined and written with one call,
    // not one per record: if they are ASCII (as a capture's are), each one's byte length is its
    // length and the joined bytes are theirs one after the other; if not (or too long to join),
    // details() writes them again one by one.
    const R = 10 + 10 * n;
    this.room(0, 7 * R);
    const u = this.u8;
    const { ts, fields, details } = src;
    let p6 = 6 * R;
    let all = '';
    let chars = 0;
    let p0 = put(u, 0, n);
    let p1 = R;
    let p2 = 2 * R;
    let p3 = 3 * R;
    let p4 = 4 * R;
    let p5 = 5 * R;
    let prevSeq = 0;
    let prevTs = 0;
    let prevLine = 0;
    for (let j = 0; j < n; j++) {
      const k = at[j]!;
      const q = k << 3;
      const s = seqBase + fields[q + F_SEQ]!;
      let v = s - prevSeq;
      prevSeq = s;
      if (v < 0x80) u[p0++] = v;
      else p0 = putMore(u, p0, v);
      const t = ts[k << 2]!;
      let d = t - prevTs;
      prevTs = t;
      v = d < 0 ? -2 * d - 1 : 2 * d;
      if (v < 0x80) u[p1++] = v;
      else p1 = putMore(u, p1, v);
      const l = fields[q + F_LINE]!;
      d = l - prevLine;
      prevLine = l;
      v = d < 0 ? -2 * d - 1 : 2 * d;
      if (v < 0x80) u[p2++] = v;
      else p2 = putMore(u, p2, v);
      // A negative id too is one byte, as put() writes it.
      v = fields[q + F_CPU]!;
      if (v < 0x80) u[p3++] = v;
      else p3 = putMore(u, p3, v);
      v = fields[q + F_PROBE]!;
      if (v < 0x80) u[p4++] = v;
      else p4 = putMore(u, p4, v);
      v = fields[q + F_COMM]!;
      if (v < 0x80) u[p5++] = v;
      else p5 = putMore(u, p5, v);
      const i = fields[q + F_DETAILS]!;
      if (i < 0) u[p6++] = 0;
      else {
        const text = details[i]!;
        chars += text.length;
        if (chars <= JOIN_MAX) all += text;
        v = text.length + 1;
        if (v < 0x80) u[p6++] = v;
        else p6 = putMore(u, p6, v);
      }
    }
    let p = p0;
    u.copyWithin(p, R, p1);
    p += p1 - R;
    u.copyWithin(p, 2 * R, p2);
    p += p2 - 2 * R;
    u.copyWithin(p, 3 * R, p3);
    p += p3 - 3 * R;
    u.copyWithin(p, 4 * R, p4);
    p += p4 - 4 * R;
    u.copyWithin(p, 5 * R, p5);
    p += p5 - 5 * R;
    const lengthsAt = p;
    u.copyWithin(p, 6 * R, p6);
    p += p6 - 6 * R;
    if (chars === 0) return this.buf.subarray(0, p);
    if (chars > JOIN_MAX) return this.details(src, at, n, lengthsAt);
    // Room for 3 bytes a char: a write cut short could count as many bytes as chars.
    const b = this.room(p, chars * 3);
    const written = b.write(all, p, 'utf8');
    if (written === chars) return b.subarray(0, p + written);
    return this.details(src, at, n, lengthsAt);
  }

  /** Writes the details' lengths + 1 (0: none) from `p`, then their bytes, one by one; the chunk's bytes. */
  private details(src: ChunkSource, at: Int32Array, n: number, p: number): Buffer {
    const fields = src.fields;
    const details = src.details;
    const u = this.u8;
    let bytes = 0;
    for (let j = 0; j < n; j++) {
      const i = fields[(at[j]! << 3) + F_DETAILS]!;
      if (i < 0) {
        u[p++] = 0;
        continue;
      }
      const d = details[i]!;
      const len = d.length === 0 ? 1 : Buffer.byteLength(d, 'utf8') + 1;
      bytes += len;
      if (len < 0x80) u[p++] = len;
      else p = putMore(u, p, len);
    }
    const b = this.room(p, bytes);
    for (let j = 0; j < n; j++) {
      const i = fields[(at[j]! << 3) + F_DETAILS]!;
      if (i >= 0 && details[i]!.length > 0) p += b.write(details[i]!, p, 'utf8');
    }
    return b.subarray(0, p);
  }

  /** The buffer, with room for k more bytes after its first `used`. */
  private room(used: number, k: number): Buffer {
    if (used + k <= this.buf.length) return this.buf;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, used + k + 1024));
    this.buf.copy(b, 0, 0, used);
    this.buf = b;
    this.u8 = new Uint8Array(b.buffer, b.byteOffset, b.length);
    return b;
  }
}

/** put() for v >= 0x80, without a loop up to four bytes (time deltas take three). */
function putMore(b: Uint8Array, p: number, v: number): number {
  if (v >= 0x10000000) return put(b, p, v);
  b[p] = v | 0x80;
  if (v < 0x4000) {
    b[p + 1] = v >>> 7;
    return p + 2;
  }
  b[p + 1] = (v >>> 7) | 0x80;
  if (v < 0x200000) {
    b[p + 2] = v >>> 14;
    return p + 3;
  }
  b[p + 2] = (v >>> 14) | 0x80;
  b[p + 3] = v >>> 21;
  return p + 4;
}

/** Writes v (0 <= v < 2^53) at b[p] as a LEB128 varint; returns the position after it. */
function put(b: Uint8Array, p: number, v: number): number {
  if (v < 0x80) {
    b[p] = v;
    return p + 1;
  }
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
  return p;
}

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
