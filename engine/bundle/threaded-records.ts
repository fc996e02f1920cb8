import { Diagnostics } from '../model/diagnostics.js';
import { InputError, NoRecordsError } from '../model/meta.js';
import { emptyStats, type StreamStats } from '../model/psv-parse.js';
import { ProbeTable } from '../model/record.js';
import { TimeBase } from '../model/time.js';
import { CancelledError, throwIfCancelled } from '../records/line-reader.js';
import { RecordColumns, type ColumnNames } from '../records/record-columns.js';
import type { RecordStreamOptions } from '../records/record-stream.js';
import { recordSource } from '../records/sorted-records.js';
import { readerEntry, readerFor } from './reader-thread.js';
import type { DiagnosticsDelta, FromParser, ParseErrorData, ParseJob } from './records-protocol.js';

// The records of a capture read, parsed and checked for time order on a thread of their own
// (docs/adr/0110, 0130), while this thread writes the record chunks and feeds the model:
// the same batches, names, stats, findings and errors as recordSource in process. The thread reads
// when a compiled worker sits beside this module (the CLI's dist/; not the tests on the sources,
// nor the app's bundled main) and reader-thread.ts says it pays: sorted input, unless
// MISERTRACE_READ_THREAD=0; a raw capture only with MISERTRACE_READ_THREAD=1.

/** What a consumer of the records needs of their reader besides the batches. */
export interface RecordFeed {
  readonly stats: StreamStats;
  readonly timeBase: TimeBase | null;
  names(): ColumnNames;
}

/** A batch of records; `checked`: their time order checked on the reading thread (what it left out). */
export interface RecordBatch {
  cols: RecordColumns;
  checked: { keep: Uint8Array | null } | null;
}

/** What the reading thread found at the end: the first and last kept times. */
export interface ReadingEnd {
  firstTs: number;
  lastTs: number;
}

export type SourceOptions = Pick<RecordStreamOptions, 'lenient' | 'diagnostics' | 'signal' | 'onProgress' | 'chunkBytes'> & {
  unsorted?: boolean;
  memoryBudgetBytes?: number;
  near?: string;
};

/** Whether records are read on a thread of their own here (their buffers then die with its heap). */
export function readsOffThread(raw: boolean): boolean {
  return readerEntry(raw) !== null;
}

/** The records of `path` in time order, read on another thread when it can be (`end` then says what it made last). */
export function readRecords(path: string, opts: SourceOptions): { stream: RecordFeed; batches: AsyncIterable<RecordBatch>; end: () => ReadingEnd | null } {
  const entry = readerEntry(opts.unsorted === true);
  if (entry === null) {
    const { stream, columns } = recordSource(path, opts);
    return { stream, batches: inProcess(columns), end: () => null };
  }
  const src = new ThreadedSource(entry, path, opts);
  return { stream: src, batches: src.batches(), end: () => src.end };
}

async function* inProcess(columns: AsyncIterable<RecordColumns>): AsyncGenerator<RecordBatch> {
  const b: RecordBatch = { cols: new RecordColumns(0), checked: null };
  for await (const c of columns) {
    b.cols = c;
    yield b;
  }
}

class ThreadedSource implements RecordFeed {
  stats: StreamStats = emptyStats();
  timeBase: TimeBase | null = null;
  end: ReadingEnd | null = null;
  private readonly probes = new ProbeTable();
  private readonly comms: string[] = [];
  private readonly diagnostics: Diagnostics;

  constructor(
    private readonly entry: URL,
    private readonly path: string,
    private readonly opts: SourceOptions,
  ) {
    this.diagnostics = opts.diagnostics ?? new Diagnostics();
  }

  names(): ColumnNames {
    return { probes: this.probes.list, comms: this.comms, base: this.timeBase! };
  }

  async *batches(): AsyncGenerator<RecordBatch> {
    const job: ParseJob = {
      path: this.path,
      unsorted: this.opts.unsorted === true,
      near: this.opts.near ?? this.path,
      lenient: this.opts.lenient === true,
      ...(this.opts.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: this.opts.memoryBudgetBytes } : {}),
      ...(this.opts.chunkBytes !== undefined ? { chunkBytes: this.opts.chunkBytes } : {}),
    };
    throwIfCancelled(this.opts.signal);
    const worker = readerFor(this.entry, job);
    const queue: FromParser[] = [];
    let wake: (() => void) | null = null;
    let exited = false;
    const poke = () => {
      wake?.();
      wake = null;
    };
    worker.on('message', (m: FromParser) => {
      queue.push(m);
      poke();
    });
    // An error the worker did not catch (it cannot start, a bug): reported as an internal error.
    worker.on('error', (e) => {
      queue.push({ type: 'error', error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}), userError: false, cancelled: false } });
      poke();
    });
    worker.on('exit', () => {
      exited = true;
      poke();
    });
    const signal = this.opts.signal;
    const cancel = () => worker.postMessage({ type: 'cancel' });
    signal?.addEventListener('abort', cancel, { once: true });
    const next = async (): Promise<FromParser> => {
      while (queue.length === 0) {
        if (exited) throw new Error('the thread reading the records stopped without a word');
        await new Promise<void>((r) => (wake = r));
      }
      return queue.shift()!;
    };
    let finished = false;
    try {
      const out = new RecordColumns(0);
      const batch: RecordBatch = { cols: out, checked: null };
      for (;;) {
        const m = await next();
        if (m.diagnostics) this.merge(m.diagnostics);
        if (m.type === 'error') {
          finished = true;
          throw rebuild(m.error);
        }
        this.opts.onProgress?.(m.bytes);
        if (m.type === 'progress') continue;
        if (m.type === 'end') {
          finished = true;
          this.stats = m.stats;
          this.end = { firstTs: m.firstTs, lastTs: m.lastTs };
          return;
        }
        for (const p of m.probes) this.probes.get(p);
        for (const c of m.comms) this.comms.push(c);
        if (m.baseSec !== null) this.timeBase = new TimeBase(m.baseSec);
        const b = m.batch;
        out.n = b.n;
        out.tid = b.tid;
        out.ts = b.ts;
        out.cpu = b.cpu;
        out.probe = b.probe;
        out.comm = b.comm;
        out.line = b.line;
        out.detailsAt = b.detailsAt;
        out.details = b.detailCount === 0 ? [] : b.details.split('\n');
        batch.checked = { keep: m.keep };
        yield batch;
        worker.postMessage({ type: 'ack' });
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
      if (!finished && !exited) {
        // Stopped by the consumer (an error, a cancel): the reader cleans up (a raw capture's
        // spilled runs) and says so before it ends.
        cancel();
        for (;;) {
          const m = await next().catch(() => null);
          if (m === null || m.type === 'end' || m.type === 'error') break;
        }
      }
      await worker.terminate();
    }
  }

  /** The reading's findings, in the order and with the counts the reading in process gives. */
  private merge(d: DiagnosticsDelta): void {
    const shown = new Map<string, number>();
    for (const x of d.examples) {
      this.diagnostics.add(x.kind, x.line, x.tid, x.message);
      shown.set(x.kind, (shown.get(x.kind) ?? 0) + 1);
    }
    for (const [k, n] of d.counts) this.diagnostics.counts.set(k, this.diagnostics.count(k) + n - (shown.get(k) ?? 0));
  }
}

/** The worker's error as the in-process reading would have thrown it. */
function rebuild(e: ParseErrorData): Error {
  if (e.cancelled) return new CancelledError();
  let err: Error;
  if (e.userError) {
    err = e.name === 'NoRecordsError' ? new NoRecordsError(e.message, e.hint) : new InputError(e.message, e.hint);
    err.name = e.name;
  } else {
    err = new Error(e.message);
    err.name = e.name;
    if (e.stack !== undefined) err.stack = e.stack;
  }
  if (e.code !== undefined) (err as { code?: string }).code = e.code;
  if (e.exitCode !== undefined) (err as { exitCode?: number }).exitCode = e.exitCode;
  return err;
}
