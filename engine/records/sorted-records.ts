// Over 300 lines: the in-memory record table, its binary spill runs and their merge are one external sort over one run format; they change together.
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileError, throwIfCancelled } from './line-reader.js';
import { MinHeap } from './min-heap.js';
import { cpuMergeOrder } from './cpu-merge.js';
import { FieldColumns, RecordColumns } from './record-columns.js';
import { RecordStream, type RecordStreamOptions } from './record-stream.js';

// Raw capture -> records in time order, parsed once. What a capture or an import needs is not a
// sorted text file but the records in order for the generator and the bundle: so we keep parsed
// fields (not text), order them with the per-CPU merge, and spill binary runs of fields when
// they exceed the memory budget. The `sort` command (text in, text out) is sort.ts.

export interface SortedRecordsOptions extends RecordStreamOptions {
  /** Approximate bytes of parsed records held in memory before spilling a run. */
  memoryBudgetBytes?: number;
  tmpDir?: string;
  /** Where temporary runs go when tmpDir is not given (beside this path). */
  near: string;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw fileError(e, path);
  }
}

/** Parsed fields of many records (every batch of a run), with the memory their details hold. */
class RecordTable extends FieldColumns {
  detailBytes = 0;

  /** `capacity`: the expected record count, so that the columns rarely need to grow. */
  constructor(capacity = 1 << 16) {
    super(capacity);
  }

  clear(): void {
    this.n = 0;
    this.details = [];
    this.detailBytes = 0;
  }

  /** Memory held: the allocated columns (not just the used part) and the details. */
  get bytes(): number {
    return this.ts.length * 28 + this.detailBytes;
  }

  /** Whether adding m records would double the columns past `budget` bytes. */
  wouldOutgrow(m: number, budget: number): boolean {
    return this.n + m > this.ts.length && this.ts.length * 2 * 28 + this.detailBytes > budget;
  }

  addAll(c: RecordColumns): void {
    while (this.n + c.n > this.capacity) this.growTo(this.capacity * 2);
    const o = this.n;
    this.ts.set(c.ts.subarray(0, c.n), o);
    this.tid.set(c.tid.subarray(0, c.n), o);
    this.cpu.set(c.cpu.subarray(0, c.n), o);
    this.probe.set(c.probe.subarray(0, c.n), o);
    this.comm.set(c.comm.subarray(0, c.n), o);
    this.line.set(c.line.subarray(0, c.n), o);
    for (let i = 0; i < c.n; i++) {
      const d = c.detailsAt[i]!;
      if (d < 0) this.detailsAt[o + i] = -1;
      else {
        const s = c.details[d]!;
        this.detailsAt[o + i] = this.details.length;
        this.details.push(s);
        this.detailBytes += 24 + s.length;
      }
    }
    this.n += c.n;
  }

  /** Copies record i into the next row of `out`. */
  emit(i: number, out: RecordColumns): void {
    out.ensure();
    const k = out.n++;
    out.ts[k] = this.ts[i]!;
    out.tid[k] = this.tid[i]!;
    out.cpu[k] = this.cpu[i]!;
    out.probe[k] = this.probe[i]!;
    out.comm[k] = this.comm[i]!;
    out.line[k] = this.line[i]!;
    const d = this.detailsAt[i]!;
    if (d < 0) out.detailsAt[k] = -1;
    else {
      out.detailsAt[k] = out.details.length;
      out.details.push(this.details[d]!);
    }
  }
}

const BATCH = 1 << 15;
const FIXED = 8 + 4 * 5 + 4; // ts, tid, cpu, probe, comm, line, details length

/** Records of `stream` in stable time order, in batches (the same columns object refilled). */
export async function* sortedColumns(stream: RecordStream, opts: SortedRecordsOptions): AsyncGenerator<RecordColumns> {
  const budget = opts.memoryBudgetBytes ?? 384 * 1024 * 1024;
  // Size the columns for the whole file (bpftrace lines are ~80 bytes), within the budget.
  const expected = Math.ceil((await fileSize(stream.path)) / 64) + 1024;
  const capacity = Math.max(1 << 16, Math.min(expected, Math.floor((budget * 0.7) / 28)));
  let table = new RecordTable(capacity);
  const runs: string[] = [];
  let tmp: string | null = null;
  try {
    for await (const c of stream.columns()) {
      if (table.n > 0 && (table.bytes >= budget || table.wouldOutgrow(c.n, budget))) {
        try {
          tmp ??= await mkdtemp(opts.tmpDir ? join(opts.tmpDir, 'misertrace-runs-') : join(dirname(opts.near), '.misertrace-runs-'));
        } catch (e) {
          throw fileError(e, opts.near);
        }
        const run = join(tmp, `run-${runs.length}.bin`);
        await writeRun(table, run);
        runs.push(run);
        table.clear(); // reuse its columns for the next run
      }
      table.addAll(c);
    }
    const out = new RecordColumns(BATCH);
    if (runs.length === 0) {
      const order = cpuMergeOrder(table.ts, table.cpu, table.n).order;
      for (let k = 0; k < order.length; k += BATCH) {
        throwIfCancelled(opts.signal);
        out.reset(out.buf);
        const end = Math.min(order.length, k + BATCH);
        for (let j = k; j < end; j++) table.emit(order[j]!, out);
        yield out;
      }
      return;
    }
    if (table.n > 0) {
      const last = join(tmp!, `run-${runs.length}.bin`);
      await writeRun(table, last);
      runs.push(last);
    }
    table = new RecordTable();
    yield* mergeRuns(runs, out, opts.signal);
  } finally {
    if (tmp !== null) await rm(tmp, { recursive: true, force: true });
  }
}

async function writeRun(t: RecordTable, path: string): Promise<void> {
  const order = cpuMergeOrder(t.ts, t.cpu, t.n).order;
  const fh = await open(path, 'wx').catch((e: unknown) => {
    throw fileError(e, path);
  });
  try {
    let buf = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const d = t.detailsAt[i]!;
      const text = d < 0 ? '' : t.details[d]!;
      const need = FIXED + text.length * 3;
      if (pos + need > buf.length) {
        await fh.write(buf.subarray(0, pos));
        pos = 0;
        if (need > buf.length) buf = Buffer.allocUnsafe(need * 2);
      }
      buf.writeDoubleLE(t.ts[i]!, pos);
      buf.writeInt32LE(t.tid[i]!, pos + 8);
      buf.writeInt32LE(t.cpu[i]!, pos + 12);
      buf.writeInt32LE(t.probe[i]!, pos + 16);
      buf.writeInt32LE(t.comm[i]!, pos + 20);
      buf.writeInt32LE(t.line[i]!, pos + 24);
      const len = text === '' ? 0 : buf.write(text, pos + FIXED, 'utf8');
      buf.writeUInt32LE(text === '' ? 0xffffffff : len, pos + 28);
      pos += FIXED + len;
    }
    await fh.write(buf.subarray(0, pos));
  } catch (e) {
    throw fileError(e, path);
  } finally {
    await fh.close();
  }
}

/** Reads one run of binary records sequentially. */
class RunCursor {
  private buf = Buffer.allocUnsafe(1 << 20);
  private end = 0;
  private pos = 0;
  private fileOff = 0;
  private eof = false;
  ts = 0;
  private at = 0;

  private constructor(private readonly fh: Awaited<ReturnType<typeof open>>) {}

  static async open(path: string): Promise<RunCursor> {
    return new RunCursor(await open(path, 'r'));
  }

  private size(p: number): number {
    const len = this.buf.readUInt32LE(p + 28);
    return FIXED + (len === 0xffffffff ? 0 : len);
  }

  /** Advances to the next record if it is buffered. */
  nextBuffered(): boolean {
    if (this.end - this.pos < FIXED || this.end - this.pos < this.size(this.pos)) return false;
    this.at = this.pos;
    this.ts = this.buf.readDoubleLE(this.pos);
    this.pos += this.size(this.pos);
    return true;
  }

  async next(): Promise<boolean> {
    if (this.nextBuffered()) return true;
    if (this.eof) return false;
    const keep = this.end - this.pos;
    const bigger = keep + (1 << 20) > this.buf.length ? Buffer.allocUnsafe(keep + (1 << 20)) : this.buf;
    this.buf.copy(bigger, 0, this.pos, this.end);
    this.buf = bigger;
    this.pos = 0;
    this.end = keep;
    const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, this.fileOff);
    this.fileOff += bytesRead;
    this.end += bytesRead;
    if (bytesRead === 0) this.eof = true;
    return this.next();
  }

  emit(out: RecordColumns): void {
    const b = this.buf;
    const p = this.at;
    out.ensure();
    const k = out.n++;
    out.ts[k] = this.ts;
    out.tid[k] = b.readInt32LE(p + 8);
    out.cpu[k] = b.readInt32LE(p + 12);
    out.probe[k] = b.readInt32LE(p + 16);
    out.comm[k] = b.readInt32LE(p + 20);
    out.line[k] = b.readInt32LE(p + 24);
    const len = b.readUInt32LE(p + 28);
    if (len === 0xffffffff) out.detailsAt[k] = -1;
    else {
      out.detailsAt[k] = out.details.length;
      out.details.push(b.toString('utf8', p + FIXED, p + FIXED + len));
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

async function* mergeRuns(runs: string[], out: RecordColumns, signal?: AbortSignal): AsyncGenerator<RecordColumns> {
  const cursors = await Promise.all(runs.map((r) => RunCursor.open(r)));
  try {
    const heap = new MinHeap((a, b) => cursors[a]!.ts < cursors[b]!.ts || (cursors[a]!.ts === cursors[b]!.ts && a < b));
    for (let k = 0; k < cursors.length; k++) if (await cursors[k]!.next()) heap.push(k);
    out.reset(out.buf);
    while (heap.size > 0) {
      const k = heap.peek();
      const c = cursors[k]!;
      c.emit(out);
      if (c.nextBuffered() || (await c.next())) heap.replaceTop(k);
      else heap.pop();
      if (out.n === BATCH) {
        throwIfCancelled(signal);
        yield out;
        out.reset(out.buf);
      }
    }
    if (out.n > 0) yield out;
  } finally {
    await Promise.all(cursors.map((c) => c.close()));
  }
}

/**
 * The records of a file in time order: read as they are (a sorted file), or ordered on the way
 * (a raw capture, `unsorted`). The stream's stats and names describe either.
 */
export function recordSource(
  path: string,
  opts: RecordStreamOptions & { unsorted?: boolean; memoryBudgetBytes?: number; tmpDir?: string; near?: string },
): { stream: RecordStream; columns: AsyncIterable<RecordColumns> } {
  const stream = new RecordStream(path, opts);
  if (!opts.unsorted) return { stream, columns: stream.columns() };
  return { stream, columns: sortedColumns(stream, { ...opts, near: opts.near ?? path }) };
}
