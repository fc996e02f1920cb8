import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Diagnostics } from '../model/diagnostics.js';
import { InputError, NoRecordsError } from '../model/meta.js';
import { emptyStats, type StreamStats } from '../model/psv-parse.js';
import { writeAtomically } from './atomic-file.js';
import { ByteOutput } from './byte-output.js';
import { fileError } from './line-reader.js';
import { MalformedLineError } from './malformed-line.js';
import { mergeRuns } from './sort-merge.js';
import { fileRun, gatherRun, memoryRun, type Run } from './sort-run.js';
import { releaseSegmentBuffers, type SegmentJob, type SegmentResult } from './sort-segment.js';
import { SegmentPool, sortWorkerEntry } from './sort-threads.js';

// Sort a raw capture into global time order. The file is cut into segments at line boundaries;
// each segment is scanned and put in order on its own (bpftrace's output is ordered per CPU, so
// that is a k-way merge of its per-CPU sequences, sort-segment.ts), two at a time on two threads
// (docs/adr/0115), and the sorted segments are merged (sort-merge.ts). A file that fits the memory
// budget is two segments kept in memory; a larger one becomes segments of a quarter of the budget,
// each written to disk as a run and merged from there, but each thread's last (docs/adr/0131).
// Lines are kept as bytes, never as JS strings. Stable: equal timestamps keep file order (within
// a segment by position, across segments by segment order).

export interface SortOptions {
  lenient?: boolean;
  /** Approximate bytes held in memory. */
  memoryBudgetBytes?: number;
  /** Where temporary runs go; defaults to a hidden directory beside the output. */
  tmpDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: { stage: 'read' | 'merge'; bytes: number; records: number }) => void;
  /** Threads for the segments, this one included (0 or 1: this one only). Default: 2 (or the cores, if fewer) for files of 16 MB and more. */
  threads?: number;
}

export interface SortResult {
  stats: StreamStats;
  diagnostics: Diagnostics;
  runs: number;
  /** Records that were out of order even within their CPU (sorted anyway, stably). */
  cpuDisorder: number;
}

/** Below this, a thread's start (~40 ms) costs more than the second core saves. */
const THREADS_FROM_BYTES = 16 << 20;

export async function sortTraceFile(input: string, output: string, opts: SortOptions = {}): Promise<SortResult> {
  const budget = opts.memoryBudgetBytes ?? 512 * 1024 * 1024;
  let size: number;
  try {
    const s = await stat(input);
    if (s.isDirectory()) throw new InputError(`${input} is a directory, not a trace file`);
    size = s.size;
  } catch (e) {
    throw e instanceof InputError ? e : fileError(e, input);
  }
  const threads = opts.threads ?? (size >= THREADS_FROM_BYTES ? Math.min(2, availableParallelism()) : 0);
  // In memory, a segment takes about twice its size (its lines, then sorted) plus 24 bytes a record.
  const inMemory = size <= budget * 0.4;
  const segBytes = inMemory ? Math.ceil(size / Math.max(1, threads)) : Math.max(256, Math.floor(budget / 4));
  const starts = await lineStarts(input, size, segBytes);
  const pool = new SegmentPool(threads, sortWorkerEntry(), opts.signal);
  let tmp: string | null = null;
  const runs: Run[] = [];
  try {
    if (!inMemory) {
      try {
        tmp = await mkdtemp(opts.tmpDir ? join(opts.tmpDir, 'misertrace-sort-') : join(dirname(output), '.misertrace-sort-'));
      } catch (e) {
        throw fileError(e, output);
      }
    }
    const jobs: SegmentJob[] = [];
    const segments = starts.length - 1;
    // The last segment of each thread stays in memory: it ends with the segment phase, when its
    // sorted bytes take about what sorting it took, so the peak holds, and its run is neither
    // written nor read back (run files are written at about 680 MB/s on the 2-core machine:
    // 10M records wrote 1.4 GB, runs and output, in 2.8 s).
    const onDisk = segments - Math.max(1, threads);
    for (let k = 0; k < segments; k++) {
      const job: SegmentJob = { path: input, start: starts[k]!, end: starts[k + 1]!, first: k === 0, lenient: opts.lenient === true };
      if (tmp !== null && k < onDisk) job.runPath = join(tmp, `run-${k}.bin`);
      jobs.push(job);
    }
    let bytesDone = 0;
    let recordsDone = 0;
    const results = await pool
      .runAll(jobs, (j, r) => {
        bytesDone += j.end - j.start;
        recordsDone += r.records;
        opts.onProgress?.({ stage: 'read', bytes: bytesDone, records: recordsDone });
      })
      .catch((e: unknown) => {
        // A thread's file error, in words (a full disk is where the runs go, beside the output).
        const code = (e as NodeJS.ErrnoException).code;
        throw code === undefined ? e : fileError(e, code === 'ENOSPC' ? output : input);
      });
    void pool.close(); // the threads end while we merge; awaited below
    const whole = combine(input, results, opts.lenient === true);
    for (let k = 0; k < jobs.length; k++) {
      const r = results[k]!;
      if (r.records === 0) continue;
      const offset = whole.offsets[k]!;
      if (r.gather) runs.push(gatherRun(r.gather.lines, r.gather.order, r.gather.at, r.gather.len, r.ts!, offset));
      else runs.push(r.bytes ? memoryRun(r.bytes, r.ts!, r.ends!, offset) : await fileRun(jobs[k]!.runPath!, offset));
    }
    await writeAtomically(output, (w) =>
      mergeRuns(runs, new ByteOutput(w), {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onRecords: (n) => opts.onProgress?.({ stage: 'merge', bytes: 0, records: n }),
      }),
    );
    return { stats: whole.stats, diagnostics: whole.diagnostics, runs: inMemory ? 1 : Math.max(1, runs.length), cpuDisorder: whole.disorder };
  } finally {
    releaseSegmentBuffers();
    await pool.close();
    await Promise.all(runs.map((r) => r.close()));
    if (tmp !== null) await rm(tmp, { recursive: true, force: true });
  }
}

/** The segments' findings as one file's: line numbers, times, counts and the first error. */
function combine(path: string, results: SegmentResult[], lenient: boolean) {
  const stats = emptyStats();
  const diagnostics = new Diagnostics();
  const offsets: number[] = [];
  const lastTs = new Map<number, number>();
  let base: number | null = null;
  let lines = 0;
  let disorder = 0;
  for (const r of results) {
    if (r.binaryAt !== undefined) {
      throw new InputError(`${path} is not a text trace (binary data at byte ${r.binaryAt})`, 'pass the PSV text that bpftrace printed (trace.psv) or a sorted .psv');
    }
    for (const m of r.malformed) {
      if (!lenient) throw new MalformedLineError(path, lines + m.line, m.reason, m.text);
      diagnostics.add('malformed-line', lines + m.line, -1, `${m.reason}: ${m.text.slice(0, 120)}`);
    }
    const rest = r.stats.malformed - r.malformed.length;
    if (rest > 0) diagnostics.counts.set('malformed-line', diagnostics.count('malformed-line') + rest);
    lines += r.lines;
    for (const k of ['lines', 'records', 'malformed', 'ownLines', 'lostEvents', 'lostLines'] as const) stats[k] += r.stats[k];
    if (r.stats.attachedProbes !== null) stats.attachedProbes = r.stats.attachedProbes;
    if (r.baseSec !== null) base ??= r.baseSec;
    const offset = r.baseSec === null ? 0 : (r.baseSec - base!) * 1e9;
    offsets.push(offset);
    // A CPU's records out of order across a segment boundary.
    disorder += r.disorder;
    const e = r.cpuEnds;
    for (let i = 0; i < e.length; i += 3) {
      const prev = lastTs.get(e[i]!);
      if (prev !== undefined && e[i + 1]! + offset < prev) disorder++;
      lastTs.set(e[i]!, e[i + 2]! + offset);
    }
  }
  if (stats.records === 0) {
    throw new NoRecordsError(
      stats.lines === 0 ? `${path} is empty` : `${path} holds no trace records (${stats.lines} lines, ${stats.malformed} malformed)`,
      'pass the output of a capture (bpftrace prints one "comm"|"tid"|"nsecs"|"cpu"|"probe" line per event)',
    );
  }
  return { stats, diagnostics, offsets, disorder };
}

/** Segment bounds: 0, then the first line start at least `every` bytes after the one before, and the size. */
export async function lineStarts(path: string, size: number, every: number): Promise<number[]> {
  const starts = [0];
  if (size <= every) return [0, size];
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fileError(e, path);
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    for (let cut = every; cut < size; ) {
      // The line that holds byte cut - 1 ends at the first newline from there.
      let pos = cut - 1;
      let next = size;
      while (pos < size) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) {
          next = pos + nl + 1;
          break;
        }
        pos += bytesRead;
      }
      if (next >= size) break;
      starts.push(next);
      cut = next + every;
    }
  } finally {
    await fh.close();
  }
  starts.push(size);
  return starts;
}
