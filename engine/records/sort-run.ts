import { closeSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteOutput } from './byte-output.js';
import { CancelledError } from './line-reader.js';

// Sorted runs, the merge's input (sort-merge.ts), read a block at a time: the times of a block's
// records, where each record's line ends, and the lines themselves (each with its newline), so
// that the merge compares times only and copies a stretch of lines as one range.
// A run is either a sorted segment held in memory (one block) or a run file the segment's thread
// wrote: blocks of [count u32, byte length u32, ts f64 x count, ends i32 x count, line bytes].

export interface Run {
  /** The current block. */
  ts: Float64Array;
  /** End of each record's line in `bytes` (a record starts where the one before ends). */
  ends: Int32Array;
  bytes: Uint8Array;
  n: number;
  /** Cursor in the block. */
  i: number;
  /** Added to `ts` for the file's common time base (segments count from their own). */
  offset: number;
  /** Writes the lines of the block's records [i, j) to `out`. */
  put(out: ByteOutput, i: number, j: number): Promise<void> | void;
  /** Loads the next block (i = 0); false at the end of the run. */
  next(): Promise<boolean>;
  close(): Promise<void>;
}

export function memoryRun(bytes: Uint8Array, ts: Float64Array, ends: Int32Array, offset: number): Run {
  return { ts, ends, bytes, n: ts.length, i: 0, offset, put: putStretch, next: async () => false, close: async () => undefined };
}

/** Records i to j - 1 lie one after the other in `bytes`: one range. */
function putStretch(this: Run, out: ByteOutput, i: number, j: number): Promise<void> | void {
  const a = i === 0 ? 0 : this.ends[i - 1]!;
  const b = this.ends[j - 1]!;
  if (b - a < 1 << 16 && out.fits(b - a)) out.put(this.bytes, a, b);
  else return out.putRange(this.bytes, a, b);
}

/**
 * A segment sorted on this thread, its lines left where the scanner wrote them: taken in `order`,
 * a stretch at a time (records next to each other in the file and in time order are next to
 * each other in `lines`: a raw capture is ordered per CPU). No sorted copy is made.
 */
export function gatherRun(lines: Uint8Array, order: Int32Array, at: Int32Array, len: Int32Array, ts: Float64Array, offset: number): Run {
  const put = async (out: ByteOutput, i: number, j: number) => {
    for (let k = i; k < j; ) {
      const first = order[k]!;
      let last = first;
      for (k++; k < j && order[k] === last + 1 && at[last + 1] === at[last]! + len[last]!; k++) last++;
      const a = at[first]!;
      const b = at[last]! + len[last]!;
      if (out.fits(b - a)) out.put(lines, a, b);
      else await out.putRange(lines, a, b);
    }
  };
  return { ts, ends: new Int32Array(0), bytes: lines, n: ts.length, i: 0, offset, put, next: async () => false, close: async () => undefined };
}

const BLOCK = 1 << 16;
const HEAD = 8;

/** Writes the records in `order` (lines at `at`, `len` bytes with the newline) as a run file. */
export function writeRunFile(path: string, lines: Uint8Array, order: Int32Array, ts: Float64Array, at: Int32Array, len: Int32Array, cancel?: Int32Array): void {
  const fd = openSync(path, 'wx');
  try {
    const head = Buffer.alloc(HEAD);
    const bts = new Float64Array(BLOCK);
    const bends = new Int32Array(BLOCK);
    let bytes = Buffer.allocUnsafe(1 << 23);
    for (let k0 = 0; k0 < order.length; k0 += BLOCK) {
      if (cancel !== undefined && Atomics.load(cancel, 0) !== 0) throw new CancelledError();
      const m = Math.min(BLOCK, order.length - k0);
      let size = 0;
      for (let k = 0; k < m; k++) size += len[order[k0 + k]!]!;
      if (size > bytes.length) bytes = Buffer.allocUnsafe(size);
      let w = 0;
      for (let k = 0; k < m; k++) {
        const i = order[k0 + k]!;
        const a = at[i]!;
        const b = a + len[i]!;
        if (b - a < 64) for (let x = a; x < b; x++) bytes[w++] = lines[x]!;
        else {
          bytes.set(lines.subarray(a, b), w);
          w += b - a;
        }
        bts[k] = ts[i]!;
        bends[k] = w;
      }
      head.writeUInt32LE(m, 0);
      head.writeUInt32LE(w, 4);
      writeAll(fd, head);
      writeAll(fd, new Uint8Array(bts.buffer, 0, m * 8));
      writeAll(fd, new Uint8Array(bends.buffer, 0, m * 4));
      writeAll(fd, bytes.subarray(0, w));
    }
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let o = 0; o < b.length; ) o += writeSync(fd, b, o, b.length - o);
}

/** A run file read back block by block. */
export async function fileRun(path: string, offset: number): Promise<Run> {
  const fh = await open(path, 'r');
  const run = new FileRun(fh, offset);
  return run;
}

class FileRun implements Run {
  put = putStretch;
  ts = new Float64Array(0);
  ends = new Int32Array(0);
  bytes: Uint8Array = new Uint8Array(0);
  n = 0;
  i = 0;
  private pos = 0;
  private readonly head = Buffer.alloc(HEAD);

  constructor(
    private readonly fh: FileHandle,
    readonly offset: number,
  ) {}

  async next(): Promise<boolean> {
    if (!(await this.readFull(this.head))) return false;
    const m = this.head.readUInt32LE(0);
    const size = this.head.readUInt32LE(4);
    if (this.ts.length < m) {
      this.ts = new Float64Array(m);
      this.ends = new Int32Array(m);
    }
    if (this.bytes.length < size) this.bytes = new Uint8Array(size);
    const ok =
      (await this.readFull(new Uint8Array(this.ts.buffer, 0, m * 8))) &&
      (await this.readFull(new Uint8Array(this.ends.buffer, 0, m * 4))) &&
      (await this.readFull(this.bytes.subarray(0, size)));
    if (!ok) throw new Error('sort run file cut short');
    this.n = m;
    this.i = 0;
    return m > 0;
  }

  /** Fills `b` from the file; false at its end (nothing read). */
  private async readFull(b: Uint8Array): Promise<boolean> {
    let o = 0;
    while (o < b.length) {
      const { bytesRead } = await this.fh.read(b, o, b.length - o, this.pos);
      if (bytesRead === 0) {
        if (o === 0) return false;
        throw new Error('sort run file cut short');
      }
      o += bytesRead;
      this.pos += bytesRead;
    }
    return true;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
