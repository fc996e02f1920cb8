import { open, mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Diagnostics } from '../model/diagnostics.js';
import type { StreamStats } from '../model/psv-parse.js';
import { writeAtomically } from './atomic-file.js';
import { ByteOutput } from './byte-output.js';
import { fileError, throwIfCancelled } from './line-reader.js';
import { cpuMergeOrder } from './cpu-merge.js';
import { MinHeap } from './min-heap.js';
import { grown } from './typed-grow.js';
import type { LineArena } from './byte-scanner.js';
import type { RecordColumns } from './record-columns.js';
import { RecordStream } from './record-stream.js';

// Sort a raw capture into global time order. bpftrace's output is ordered per CPU only, so each
// in-memory chunk is a k-way merge of its per-CPU sequences (O(n log k)); chunks beyond the
// memory budget become sorted runs on disk (binary: ts, length, bare line), merged at the end.
// Lines are kept as bytes in one arena, never as JS strings. Stable: equal timestamps keep file
// order (within a chunk by index, across runs by run order).

export interface SortOptions {
  lenient?: boolean;
  /** Approximate bytes held in memory per run. */
  memoryBudgetBytes?: number;
  /** Where temporary runs go; defaults to a hidden directory beside the output. */
  tmpDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: { stage: 'read' | 'merge'; bytes: number; records: number }) => void;
}

export interface SortResult {
  stats: StreamStats;
  diagnostics: Diagnostics;
  runs: number;
  /** Records that were out of order even within their CPU (sorted anyway, stably). */
  cpuDisorder: number;
}

const NL = 10;

/**
 * One in-memory run: bare line bytes in an arena, with ts, cpu and location per record. The
 * scanner writes every bare line straight into the arena (LineArena), so adding a record only
 * notes where its line is; a record that does not fit the run stays in the arena, moved to its
 * start for the next run.
 */
class Chunk {
  n = 0;
  readonly lines: LineArena;
  off: Int32Array;
  len: Int32Array;
  ts: Float64Array;
  cpu: Int32Array;

  /**
   * Sized for the expected bytes and records up front, so that it rarely grows. `slack`: room past
   * the run's `bytes` for one read batch, which the scanner writes whole before the run sees where
   * to cut it; without it the scanner doubled the buffer near every run's end (10M records: a
   * 384 MB buffer became 768 MB, 1.04 GB peak).
   */
  constructor(
    private readonly bytes = 1 << 24,
    records = 1 << 16,
    slack = 0,
  ) {
    this.lines = { buf: Buffer.allocUnsafe(bytes + slack), pos: 0 };
    this.off = new Int32Array(records);
    this.len = new Int32Array(records);
    this.ts = new Float64Array(records);
    this.cpu = new Int32Array(records);
  }

  get arena(): Buffer {
    return this.lines.buf;
  }

  /**
   * Adds records from index `from` on, until the chunk is full (its columns are sized once, to
   * the budget, and its lines may not end past it). Returns the index of the first record not added.
   */
  addAll(c: RecordColumns, from: number): number {
    for (let i = from; i < c.n; i++) {
      const start = c.lineStart[i]!;
      const end = c.lineEnd[i]!;
      // end + 1: each line is followed by its newline in the arena.
      if (this.n > 0 && (this.n === this.off.length || end + 1 > this.bytes)) return i;
      if (this.n === this.off.length) this.grow();
      const k = this.n++;
      this.off[k] = start;
      this.len[k] = end - start;
      this.ts[k] = c.ts[i]!;
      this.cpu[k] = c.cpu[i]!;
    }
    return c.n;
  }

  private grow(): void {
    const c = this.off.length * 2;
    this.off = grown(this.off, c);
    this.len = grown(this.len, c);
    this.ts = grown(this.ts, c);
    this.cpu = grown(this.cpu, c);
  }

  /** Empties the run; the lines of c's records from `from` on move to the arena's start. */
  clear(c?: RecordColumns, from = 0): void {
    this.n = 0;
    if (c === undefined || from >= c.n) {
      this.lines.pos = 0;
      return;
    }
    const shift = c.lineStart[from]!;
    this.lines.buf.copyWithin(0, shift, this.lines.pos);
    this.lines.pos -= shift;
    for (let i = from; i < c.n; i++) {
      c.lineStart[i]! -= shift;
      c.lineEnd[i]! -= shift;
    }
  }

  /** Indices in stable time order (per-CPU merge). */
  order(): { order: Int32Array; disorder: number } {
    return cpuMergeOrder(this.ts, this.cpu, this.n);
  }
}

export async function sortTraceFile(input: string, output: string, opts: SortOptions = {}): Promise<SortResult> {
  const budget = opts.memoryBudgetBytes ?? 512 * 1024 * 1024;
  let size: number;
  try {
    size = (await stat(input)).size;
  } catch (e) {
    throw fileError(e, input);
  }
  // A run holds at most the budget: ~3/4 line bytes, ~1/4 fields (24 bytes a record).
  const arenaBytes = Math.max(256, Math.min(size + 1024, Math.floor(budget * 0.75)));
  const records = Math.max(16, Math.min(Math.ceil(size / 40) + 1024, Math.floor((budget * 0.25) / 24)));
  // Read in pieces well below the budget, so a run never overshoots it by much. A batch's bare
  // lines, each with its newline, take no more bytes than its raw lines.
  const chunkBytes = Math.max(256, Math.min(1 << 22, budget >> 2));
  let chunk = new Chunk(arenaBytes, records, Math.min(size + 1024, chunkBytes + (64 << 10)));
  const stream = new RecordStream(input, {
    chunkBytes,
    lineArena: chunk.lines,
    ...(opts.lenient !== undefined ? { lenient: opts.lenient } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const runs: string[] = [];
  let tmp: string | null = null;
  let disorder = 0;
  try {
    const spill = async () => {
      try {
        tmp ??= await mkdtemp(opts.tmpDir ? join(opts.tmpDir, 'misertrace-sort-') : join(dirname(output), '.misertrace-sort-'));
      } catch (e) {
        throw fileError(e, output);
      }
      const run = join(tmp, `run-${runs.length}.bin`);
      const { order, disorder: d } = chunk.order();
      disorder += d;
      await writeAtomically(run, (w) => writeRun(chunk, order, new ByteOutput(w)));
      runs.push(run);
    };
    for await (const c of stream.columns()) {
      for (let from = chunk.addAll(c, 0); from < c.n; from = chunk.addAll(c, from)) {
        await spill();
        chunk.clear(c, from); // reuse its memory for the next run, keeping the batch's rest
      }
      opts.onProgress?.({ stage: 'read', bytes: stream.bytesRead, records: stream.stats.records });
    }
    if (runs.length === 0) {
      const { order, disorder: d } = chunk.order();
      disorder += d;
      await writeAtomically(output, (w) => writeLines(chunk, order, new ByteOutput(w)));
    } else {
      if (chunk.n > 0) await spill();
      chunk = new Chunk(1, 1); // release the last run's memory before merging
      await mergeRuns(runs, output, opts);
    }
  } finally {
    if (tmp !== null) await rm(tmp, { recursive: true, force: true });
  }
  return { stats: stream.stats, diagnostics: stream.diagnostics, runs: Math.max(1, runs.length), cpuDisorder: disorder };
}

/**
 * Records that follow each other in the file and in time order lie one after the other in the
 * arena, each line with its newline (a raw capture is ordered per CPU: ~9 a run on 2 CPUs): such
 * a run is copied out as one range.
 */
async function writeLines(c: Chunk, order: Int32Array, out: ByteOutput): Promise<void> {
  const { off, len } = c;
  const n = order.length;
  for (let k = 0; k < n; ) {
    const i = order[k]!;
    let j = i;
    for (k++; k < n && order[k] === j + 1 && off[j + 1] === off[j]! + len[j]! + 1; k++) j++;
    const a = off[i]!;
    const b = off[j]! + len[j]! + 1;
    if (!out.fits(b - a)) await out.makeRoom(b - a);
    out.put(c.arena, a, b);
  }
  await out.flush();
}

async function writeRun(c: Chunk, order: Int32Array, out: ByteOutput): Promise<void> {
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (!out.fits(c.len[i]! + 12)) await out.makeRoom(c.len[i]! + 12);
    out.f64(c.ts[i]!);
    out.u32(c.len[i]!);
    out.put(c.arena, c.off[i]!, c.off[i]! + c.len[i]!);
  }
  await out.flush();
}

/** Reads one binary run sequentially: (ts f64, length u32, bytes) records. */
class RunReader {
  private buf = Buffer.allocUnsafe(1 << 20);
  private end = 0;
  pos = 0;
  ts = 0;
  start = 0;
  len = 0;
  private fileOff = 0;
  private done = false;

  private constructor(private readonly fh: Awaited<ReturnType<typeof open>>) {}

  static async open(path: string): Promise<RunReader> {
    return new RunReader(await open(path, 'r'));
  }

  /** Moves to the next record if it is already buffered (the common case: no await). */
  nextBuffered(): boolean {
    if (this.end - this.pos < 12) return false;
    const len = this.buf.readUInt32LE(this.pos + 8);
    if (this.end - this.pos < 12 + len) return false;
    this.ts = this.buf.readDoubleLE(this.pos);
    this.start = this.pos + 12;
    this.len = len;
    this.pos += 12 + len;
    return true;
  }

  /** Moves to the next record; false at the end of the run. */
  async next(): Promise<boolean> {
    if (this.nextBuffered()) return true;
    if (!(await this.fill(12))) return false;
    const len = this.buf.readUInt32LE(this.pos + 8);
    if (!(await this.fill(12 + len))) throw new Error('sort run file cut short');
    this.ts = this.buf.readDoubleLE(this.pos);
    this.start = this.pos + 12;
    this.len = len;
    this.pos += 12 + len;
    return true;
  }

  get bytes(): Buffer {
    return this.buf;
  }

  private async fill(n: number): Promise<boolean> {
    if (this.end - this.pos >= n) return true;
    if (this.done) return false;
    const keep = this.end - this.pos;
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(n * 2);
      this.buf.copy(bigger, 0, this.pos, this.end);
      this.buf = bigger;
    } else this.buf.copy(this.buf, 0, this.pos, this.end);
    this.pos = 0;
    this.end = keep;
    while (this.end < n) {
      const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, this.fileOff);
      if (bytesRead === 0) {
        this.done = true;
        return this.end >= n;
      }
      this.fileOff += bytesRead;
      this.end += bytesRead;
    }
    return true;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

async function mergeRuns(runs: string[], output: string, opts: SortOptions): Promise<void> {
  const readers = await Promise.all(runs.map((r) => RunReader.open(r)));
  try {
    const heap = new MinHeap((a, b) => readers[a]!.ts < readers[b]!.ts || (readers[a]!.ts === readers[b]!.ts && a < b));
    for (let k = 0; k < readers.length; k++) if (await readers[k]!.next()) heap.push(k);
    let written = 0;
    await writeAtomically(output, async (w) => {
      const out = new ByteOutput(w);
      while (heap.size > 0) {
        const k = heap.peek();
        const r = readers[k]!;
        if (!out.fits(r.len + 1)) await out.makeRoom(r.len + 1);
        out.put(r.bytes, r.start, r.start + r.len);
        out.byte(NL);
        if (r.nextBuffered() || (await r.next())) heap.replaceTop(k);
        else heap.pop();
        if ((++written & 0xffff) === 0) {
          throwIfCancelled(opts.signal);
          opts.onProgress?.({ stage: 'merge', bytes: 0, records: written });
        }
      }
      await out.flush();
    });
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}
