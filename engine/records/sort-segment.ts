import { closeSync, openSync, readSync } from 'node:fs';
import { emptyStats, type StreamStats } from '../model/psv-parse.js';
import { ByteScanner, type LineArena } from './byte-scanner.js';
import { cpuMergeOrder } from './cpu-merge.js';
import { CancelledError } from './line-reader.js';
import { RecordColumns } from './record-columns.js';
import { writeRunFile } from './sort-run.js';
import { grown } from './typed-grow.js';

// One segment of a raw capture (whole lines, bytes [start, end) of the file) scanned and put in
// stable time order, on its own: the sorter runs two of these at once, one per core (sort.ts,
// sort-threads.ts), then merges them. A segment knows nothing of the lines before it, so line
// numbers are its own (1-based) and its times count from its own first second (`baseSec`);
// sort.ts shifts both. The result is either kept in memory (sorted bytes, times, line ends) or
// written as a run file (sort-run.ts) when the whole file does not fit the memory budget.

export interface SegmentJob {
  path: string;
  start: number;
  end: number;
  /** Whether this segment starts the file (where a binary file is caught). */
  first: boolean;
  lenient: boolean;
  /** Write the sorted segment here instead of returning it. */
  runPath?: string;
  /** Sorted on the thread that merges: return the lines where they are, with their order, not a sorted copy. */
  inPlace?: boolean;
  /** Set to non-zero (shared memory) to stop a thread's segment between reads, its files closed. */
  cancel?: Int32Array;
}

export interface MalformedLine {
  line: number;
  text: string;
  reason: string;
}

export interface SegmentResult {
  stats: StreamStats;
  /** Lines in the segment (its last line number). */
  lines: number;
  records: number;
  baseSec: number | null;
  /** Not lenient: the first malformed line (the segment stopped there). Lenient: examples. */
  malformed: MalformedLine[];
  disorder: number;
  /** Per CPU: [cpu, first ts, last ts] in file order, to count disorder across segments. */
  cpuEnds: Float64Array;
  /** In memory (no runPath): the sorted lines, each with its newline; times and line ends in that order. */
  bytes?: Uint8Array;
  ts?: Float64Array;
  ends?: Int32Array;
  /** In place (`inPlace`): the lines as scanned, and which to take in turn; `ts` is in that order. */
  gather?: { lines: Uint8Array; order: Int32Array; at: Int32Array; len: Int32Array };
  /** A binary file: the offset of its first NUL byte. */
  binaryAt?: number;
}

const READ = 1 << 22;

const spare = { arena: null as Buffer | null, ts: new Float64Array(0), cpu: new Int32Array(0), at: new Int32Array(0), len: new Int32Array(0) };
const MAX_EXAMPLES = 50;

export function sortSegment(job: SegmentJob): SegmentResult {
  const stats = emptyStats();
  const size = job.end - job.start;
  // The bare lines: no longer than the raw ones (quotes dropped), bar the rare line the string parser rewrites.
  // A thread sorts segment after segment of a large file: their buffers are used again (fresh
  // memory costs a page fault per 4 KB, about a tenth of the CPU at 10M records).
  const arena: LineArena = { buf: spare.arena !== null && spare.arena.length >= size + 1024 ? spare.arena : Buffer.allocUnsafeSlow(size + 1024), pos: 0 };
  spare.arena = null;
  const scanner = new ByteScanner(stats, { lineArena: arena });
  const cols = new RecordColumns();
  const guess = Math.ceil(size / 60) + 16;
  let n = 0;
  let ts = spare.ts.length >= guess ? spare.ts : new Float64Array(guess);
  let cpu = spare.cpu.length >= guess ? spare.cpu : new Int32Array(guess);
  let at = spare.at.length >= guess ? spare.at : new Int32Array(guess);
  let len = spare.len.length >= guess ? spare.len : new Int32Array(guess);
  const malformed: MalformedLine[] = [];
  let stop = false;
  const other = (res: { kind: string; reason?: string }, line: number, text: string) => {
    if (res.kind !== 'malformed') return;
    if (malformed.length < MAX_EXAMPLES) malformed.push({ line, text: text.length > 200 ? text.slice(0, 200) : text, reason: res.reason! });
    if (!job.lenient) stop = true;
  };
  const fd = openSync(job.path, 'r');
  let line = 1;
  try {
    let buf = Buffer.allocUnsafe(Math.min(READ, size) * 2 + 1);
    let carry = 0;
    let pos = job.start;
    while (pos < job.end && !stop) {
      if (job.cancel !== undefined && Atomics.load(job.cancel, 0) !== 0) throw new CancelledError();
      if (buf.length - carry < READ) {
        const bigger = Buffer.allocUnsafe(carry + READ * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const got = readSync(fd, buf, carry, Math.min(READ, job.end - pos), pos);
      if (got === 0) break; // the file shrank under us: scan what we have
      if (job.first && pos === job.start) {
        const nul = buf.subarray(carry, carry + got).indexOf(0);
        if (nul >= 0) return { ...emptyResult(stats), binaryAt: nul };
      }
      pos += got;
      const filled = carry + got;
      const cut = pos >= job.end ? filled : buf.lastIndexOf(10, filled - 1) + 1;
      if (cut <= 0) {
        carry = filled;
        continue;
      }
      line = scanner.scan(buf, cut, line, cols, other);
      if (n + cols.n > ts.length) {
        const c = Math.max(ts.length * 2, n + cols.n);
        ts = grown(ts, c);
        cpu = grown(cpu, c);
        at = grown(at, c);
        len = grown(len, c);
      }
      for (let i = 0; i < cols.n; i++, n++) {
        ts[n] = cols.ts[i]!;
        cpu[n] = cols.cpu[i]!;
        at[n] = cols.lineStart[i]!;
        len[n] = cols.lineEnd[i]! - cols.lineStart[i]! + 1; // with its newline
      }
      buf.copyWithin(0, cut, filled);
      carry = filled - cut;
    }
  } finally {
    closeSync(fd);
  }
  const { order, disorder } = cpuMergeOrder(ts, cpu, n);
  const result: SegmentResult = {
    stats,
    lines: line - 1,
    records: n,
    baseSec: scanner.base?.baseSec ?? null,
    malformed,
    disorder,
    cpuEnds: cpuEnds(ts, cpu, n),
  };
  if (stop) return result;
  const lines = arena.buf;
  if (job.runPath !== undefined) {
    writeRunFile(job.runPath, lines, order, ts, at, len, job.cancel);
    Object.assign(spare, { arena: lines, ts, cpu, at, len });
    return result;
  }
  if (job.inPlace) {
    // The result keeps the arena, `at` and `len`: a later segment on this thread must not take them.
    spare.at = new Int32Array(0);
    spare.len = new Int32Array(0);
    const sorted = new Float64Array(n);
    for (let k = 0; k < n; k++) sorted[k] = ts[order[k]!]!;
    return { ...result, ts: sorted, gather: { lines, order, at, len } };
  }
  // Records next to each other in the file and in time order are next to each other in the arena
  // (a raw capture is ordered per CPU): such a stretch is copied as one range.
  const bytes = new Uint8Array(new ArrayBuffer(Math.max(1, arena.pos)));
  const sortedTs = new Float64Array(n);
  const ends = new Int32Array(n);
  let w = 0;
  for (let k = 0; k < n; ) {
    const i = order[k]!;
    let j = i;
    sortedTs[k] = ts[i]!;
    w += len[i]!;
    ends[k++] = w;
    while (k < n && order[k] === j + 1 && at[j + 1] === at[j]! + len[j]!) {
      j++;
      sortedTs[k] = ts[j]!;
      w += len[j]!;
      ends[k++] = w;
    }
    const a = at[i]!;
    const b = at[j]! + len[j]!;
    const d = w - (b - a);
    if (b - a < 64) for (let x = a; x < b; x++) bytes[d + x - a] = lines[x]!;
    else lines.copy(bytes, d, a, b);
  }
  return { ...result, bytes: bytes.subarray(0, w), ts: sortedTs, ends };
}

/** Drops the buffers kept for the next segment (a sort here is over: the memory goes back). */
export function releaseSegmentBuffers(): void {
  Object.assign(spare, { arena: null, ts: new Float64Array(0), cpu: new Int32Array(0), at: new Int32Array(0), len: new Int32Array(0) });
}

function emptyResult(stats: StreamStats): SegmentResult {
  return { stats, lines: 0, records: 0, baseSec: null, malformed: [], disorder: 0, cpuEnds: new Float64Array(0) };
}

/** [cpu, first ts, last ts] for each CPU seen, in order of first appearance. */
function cpuEnds(ts: Float64Array, cpu: Int32Array, n: number): Float64Array {
  // Indexed by CPU number (small; a sparse array copes with odd ones).
  const first: number[] = [];
  const last: number[] = [];
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cpu[i]!;
    if (first[c] === undefined) {
      first[c] = ts[i]!;
      seen.push(c);
    }
    last[c] = ts[i]!;
  }
  const out = new Float64Array(seen.length * 3);
  seen.forEach((c, k) => {
    out[3 * k] = c;
    out[3 * k + 1] = first[c]!;
    out[3 * k + 2] = last[c]!;
  });
  return out;
}
