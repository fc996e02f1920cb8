import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Diagnostics } from '../model/diagnostics.js';
import { formatRecordLine, type StreamStats } from '../model/psv-parse.js';
import type { TraceRecord } from '../model/record.js';
import type { RelNs } from '../model/time.js';
import { AtomicTextWriter, writeAtomically } from './atomic-file.js';
import { readLineBatches, throwIfCancelled } from './line-reader.js';
import { MinHeap } from './min-heap.js';
import { RecordStream } from './record-stream.js';

// Sort a raw capture into global time order. bpftrace's output is ordered per CPU only, so each
// in-memory chunk is a k-way merge of its per-CPU sequences (O(n log k)); chunks that do not fit
// the memory budget become sorted runs on disk, merged at the end. Stable: equal timestamps keep
// file order (within a chunk by index, across runs by run order).

export interface SortOptions {
  lenient?: boolean;
  /** Approximate bytes of line text held in memory per run. */
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

class Chunk {
  lines: string[] = [];
  ts: RelNs[] = [];
  cpu: number[] = [];
  bytes = 0;
  add(r: TraceRecord, raw: string): void {
    // Bare lines are kept as they are; bpftrace's quoted lines are rewritten bare.
    const line = raw.charCodeAt(0) === 34 || raw.charCodeAt(raw.length - 1) === 13 ? formatRecordLine(r) : raw;
    this.lines.push(line);
    this.ts.push(r.ts);
    this.cpu.push(r.cpu);
    this.bytes += line.length * 2 + 64;
  }
}

/** Indices of a chunk in stable time order, by merging its per-CPU sequences. */
function sortChunk(c: Chunk): { order: Int32Array; disorder: number } {
  const byCpu = new Map<number, number[]>();
  for (let i = 0; i < c.cpu.length; i++) {
    let l = byCpu.get(c.cpu[i]!);
    if (l === undefined) byCpu.set(c.cpu[i]!, (l = []));
    l.push(i);
  }
  const ts = c.ts;
  const lists = [...byCpu.values()];
  let disorder = 0;
  for (const l of lists) {
    let sorted = true;
    for (let k = 1; k < l.length; k++) if (ts[l[k]!]! < ts[l[k - 1]!]!) { sorted = false; disorder++; }
    if (!sorted) l.sort((a, b) => ts[a]! - ts[b]! || a - b);
  }
  const pos = new Int32Array(lists.length);
  const head = (li: number) => lists[li]![pos[li]!]!;
  const heap = new MinHeap((a, b) => {
    const ia = head(a);
    const ib = head(b);
    return ts[ia]! < ts[ib]! || (ts[ia] === ts[ib] && ia < ib);
  });
  for (let li = 0; li < lists.length; li++) heap.push(li);
  const order = new Int32Array(c.lines.length);
  let o = 0;
  while (heap.size > 0) {
    const li = heap.peek();
    order[o++] = head(li);
    pos[li]!++;
    if (pos[li]! < lists[li]!.length) heap.replaceTop(li);
    else heap.pop();
  }
  return { order, disorder };
}

async function writeChunk(c: Chunk, order: Int32Array, w: AtomicTextWriter): Promise<void> {
  const batch: string[] = [];
  for (let k = 0; k < order.length; k++) {
    batch.push(c.lines[order[k]!]!);
    if (batch.length === 8192) {
      await w.write(`${batch.join('\n')}\n`);
      batch.length = 0;
    }
  }
  if (batch.length > 0) await w.write(`${batch.join('\n')}\n`);
}

export async function sortTraceFile(input: string, output: string, opts: SortOptions = {}): Promise<SortResult> {
  const budget = opts.memoryBudgetBytes ?? 512 * 1024 * 1024;
  const stream = new RecordStream(input, { ...(opts.lenient !== undefined ? { lenient: opts.lenient } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  const runs: string[] = [];
  let tmp: string | null = null;
  let disorder = 0;
  let chunk = new Chunk();
  try {
    const spill = async () => {
      tmp ??= await mkdtemp(opts.tmpDir ? join(opts.tmpDir, 'misertrace-sort-') : join(dirname(output), '.misertrace-sort-'));
      const run = join(tmp, `run-${runs.length}.psv`);
      const { order, disorder: d } = sortChunk(chunk);
      disorder += d;
      await writeAtomically(run, (w) => writeChunk(chunk, order, w));
      runs.push(run);
      chunk = new Chunk();
    };
    for await (const b of stream.batches(true)) {
      for (let i = 0; i < b.records.length; i++) {
        chunk.add(b.records[i]!, b.raws[i]!);
        if (chunk.bytes >= budget) await spill();
      }
      opts.onProgress?.({ stage: 'read', bytes: stream.bytesRead, records: stream.stats.records });
    }
    if (runs.length === 0) {
      const { order, disorder: d } = sortChunk(chunk);
      disorder += d;
      await writeAtomically(output, (w) => writeChunk(chunk, order, w));
    } else {
      if (chunk.lines.length > 0) await spill();
      await mergeRuns(runs, output, stream, opts);
    }
  } finally {
    if (tmp !== null) await rm(tmp, { recursive: true, force: true });
  }
  return { stats: stream.stats, diagnostics: stream.diagnostics, runs: Math.max(1, runs.length), cpuDisorder: disorder };
}

async function mergeRuns(runs: string[], output: string, stream: RecordStream, opts: SortOptions): Promise<void> {
  const base = stream.parser.timeBase!;
  const iters = runs.map((r) => readLineBatches(r, opts.signal ? { signal: opts.signal } : {}));
  const bufs: string[][] = runs.map(() => []);
  const pos = new Int32Array(runs.length);
  const headTs = new Float64Array(runs.length);
  const tsOf = (line: string) => {
    const a = line.indexOf('|', line.indexOf('|') + 1);
    return base.rel(line.slice(a + 1, line.indexOf('|', a + 1)));
  };
  const refill = async (k: number): Promise<boolean> => {
    for (;;) {
      const n = await iters[k]!.next();
      if (n.done) return false;
      const lines = n.value.lines.filter((l) => l !== '');
      if (lines.length > 0) {
        bufs[k] = lines;
        pos[k] = 0;
        return true;
      }
    }
  };
  const heap = new MinHeap((a, b) => headTs[a]! < headTs[b]! || (headTs[a] === headTs[b] && a < b));
  for (let k = 0; k < runs.length; k++) {
    if (await refill(k)) {
      headTs[k] = tsOf(bufs[k]![0]!);
      heap.push(k);
    }
  }
  let written = 0;
  await writeAtomically(output, async (w) => {
    const out: string[] = [];
    while (heap.size > 0) {
      const k = heap.peek();
      out.push(bufs[k]![pos[k]!]!);
      pos[k]!++;
      let alive = true;
      if (pos[k]! >= bufs[k]!.length) alive = await refill(k);
      if (alive) {
        headTs[k] = tsOf(bufs[k]![pos[k]!]!);
        heap.replaceTop(k);
      } else heap.pop();
      if (out.length === 8192) {
        written += out.length;
        await w.write(`${out.join('\n')}\n`);
        out.length = 0;
        throwIfCancelled(opts.signal);
        opts.onProgress?.({ stage: 'merge', bytes: 0, records: written });
      }
    }
    if (out.length > 0) await w.write(`${out.join('\n')}\n`);
  });
}
