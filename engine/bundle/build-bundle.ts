import { stat } from 'node:fs/promises';
import type { BundleManifest } from './manifest.js';
import { BundleWriter } from './bundle-writer.js';
import { CausalEventCounter } from '../handlers/causal-event-counts.js';
import { EventCounter, type RecordColumns } from '../handlers/event-counts.js';
import { Diagnostics } from '../model/diagnostics.js';
import { InputError, type MetaEntry } from '../model/meta.js';
import { ProbeTable } from '../model/record.js';
import { startModel } from '../model/model-run.js';
import { DEFAULT_MODEL, type ModelName } from '../model/span-link.js';
import { TimeBase } from '../model/time.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import { CancelledError, CancelPoint, isDiskFull } from '../records/line-reader.js';
import { RecordView, type ColumnNames, type RecordColumns as ParsedColumns } from '../records/record-columns.js';
import { RecordChunkReader } from './record-chunk-reader.js';
import { writeRecords, type RecordInputs } from './write-records.js';
import { collectGarbage } from './collect-garbage.js';
import { readsOffThread } from './threaded-records.js';
import { FusedModel } from './fused-model.js';
import { RecordLog } from './record-log.js';
import { SchedTimelines } from '../analysis/sched-timeline.js';
import { writeSpanSched } from './span-sched-store.js';

// generate: records first, then traces (ADR 0061). writeRecords() puts the records in time order
// into the bundle and renames it into place; generateTraces() reads them back, runs the span
// generator, counts each span's events with a second pass and adds traces, spans and counts in
// one transaction. If the generation fails or is stopped, the bundle keeps its records and its
// manifest says the traces are pending; `misertrace generate -i B.mstrace` adds them later.

export type BuildStage = 'generate' | 'count' | 'write';
// Share of the 'generate' stage's progress that reading and storing the records takes.
const RECORDS_SHARE = 0.6;

export interface BuildBundleOptions extends RecordInputs {
  onProgress?: (stage: BuildStage, fraction: number) => void;
}

export interface BuildResult {
  output: string;
  traces: AssembledTrace[];
  manifest: BundleManifest;
  diagnostics: Diagnostics;
}

/** The generation stopped after the records were written: they are kept, and this says how to go on. */
export class TracesPendingError extends InputError {
  constructor(
    readonly path: string,
    readonly records: number,
    cause: unknown,
  ) {
    // A full disk is the machine's state, not a bug: no stack trace, exit 3 (environment).
    const full = isDiskFull(cause);
    const why =
      cause instanceof CancelledError
        ? 'interrupted while generating the traces'
        : full
          ? `the disk is full (${(cause as Error).message}) while writing the traces`
          : cause instanceof InputError
            ? cause.message
            : `internal error while generating the traces (please report it):\n${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
    super(
      `${why}\n  ${path} keeps its ${records} records, without traces`,
      full ? `free some space (or move the bundle to another file system), then: misertrace generate -i ${path}` : `generate them again: misertrace generate -i ${path}`,
    );
    this.name = 'TracesPendingError';
    (this as { exitCode?: number }).exitCode = cause instanceof CancelledError ? 130 : full ? 3 : cause instanceof InputError ? 2 : 70;
  }
}

/** A raw capture up to this size is ordered and fed to the model in one pass (about 3M records; docs/adr/0121). */
export const FUSED_RAW_BYTES = 256 * 1024 * 1024;

/** The file's size; unknown (infinite) when it cannot be read, which the records' step then reports. */
async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return Infinity;
  }
}

export async function buildBundle(o: BuildBundleOptions): Promise<BuildResult> {
  const diagnostics = new Diagnostics();
  const model = o.model ?? DEFAULT_MODEL;
  // The causal model runs in the records' pass (ADR 0080): its state is bounded, and a failure of
  // its own waits until the records are in. The original model's states can pile up until the
  // heap runs out (keep-alive load): it runs after the records are safe in the bundle (ADR 0061).
  // A raw capture is ordered in memory on the way: above FUSED_RAW_BYTES the model waits until
  // that memory is free (bundle import of 10M records: 1.03 GB peak fused, 0.72 GB after); below,
  // both fit, and the model saves its pass over the stored records (docs/adr/0121).
  const small = (await sizeOf(o.sortedPath)) <= FUSED_RAW_BYTES;
  const fusable = model === 'causal' && (o.unsorted !== true || small);
  const fused = fusable ? new FusedModel(model, o.meta, o.gateway, { ...(o.lenient !== undefined ? { lenient: o.lenient } : {}), source: o.sortedPath, ...(o.signal ? { signal: o.signal } : {}) }) : null;
  const written = await writeRecords({
    ...o,
    diagnostics,
    ...(fused !== null ? { onBatch: (c: ParsedColumns, names: ColumnNames, keep: Uint8Array | null) => fused.feed(c, names, keep) } : {}),
    onProgress: (f) => o.onProgress?.('generate', f * RECORDS_SHARE),
  });
  // What comes next starts from what is live (collect-garbage.ts). Not after a raw capture fed to
  // the model in the records' pass (ADR 0121): its peak is behind it, and the collection's pass
  // over the model's state costs 60 ms a million records for nothing. Sorted input fed to the
  // model keeps it above FUSED_RAW_BYTES only (generate of 10M peaked 70 MB higher without, in
  // the same time); below, the peak stays far from any limit and the pass is a few percent of
  // the command (docs/adr/0126). Read on another thread, the ordering's buffers went with that
  // thread's heap: nothing to collect here either.
  if (!(fused !== null && (o.unsorted === true || small)) && !readsOffThread(o.unsorted === true)) collectGarbage();
  // A model record without the fields the model needs is bad input, like a malformed line.
  if (fused === null && o.lenient !== true) diagnostics.stopOn(['bad-details'], o.sortedPath);
  try {
    if (fused !== null && fused.error !== null) throw fused.error;
    return await generateTraces(o.output, {
      meta: o.meta,
      gateway: o.gateway,
      diagnostics,
      ...(fused !== null ? { fed: fused } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: (stage: BuildStage, f: number) => o.onProgress!(stage, stage === 'generate' ? RECORDS_SHARE + f * (1 - RECORDS_SHARE) : f) } : {}),
    });
  } catch (e) {
    throw new TracesPendingError(o.output, written.stream.records, e);
  }
}

export interface GenerateTracesOptions {
  meta: readonly MetaEntry[];
  gateway: string;
  /** What reading the records found (malformed lines, lost events); the model's findings are added. */
  diagnostics: Diagnostics;
  /** The model that makes the traces (DEFAULT_MODEL when absent). */
  model?: ModelName;
  /** A model already fed every record while they were written (ADR 0080): no model pass over the bundle. */
  fed?: FusedModel;
  signal?: AbortSignal;
  onProgress?: (stage: BuildStage, fraction: number) => void;
}

/** Adds (or replaces) the traces of the records bundle at `path`. */
export async function generateTraces(path: string, o: GenerateTracesOptions): Promise<BuildResult> {
  const writer = BundleWriter.reopen(path);
  try {
    const db = writer.connection;
    const m: Record<string, unknown> = {};
    for (const r of db.prepare('SELECT key, value FROM manifest').all() as { key: string; value: string }[]) m[r.key] = JSON.parse(r.value);
    const manifest = m as unknown as BundleManifest;
    const probes = new ProbeTable();
    for (const [name] of db.prepare('SELECT name FROM probes ORDER BY id').raw(true).all() as [string][]) probes.get(name);
    const comms = (db.prepare('SELECT name FROM comms ORDER BY id').raw(true).all() as [string][]).map((r) => r[0]);
    const view = new RecordView({ probes: probes.list, comms, base: TimeBase.fromString(manifest.timeBaseNs) });
    const reader = new RecordChunkReader(db);
    // A model fed in the records' pass logged every record the bundle took: their count, without
    // a scan of every chunk row (a tenth of a second per 5M records).
    const total = o.fed?.log.usable === true ? o.fed.log.records : reader.count;
    const diagnostics = o.diagnostics;
    const gen = o.fed?.run ?? startModel(o.model ?? DEFAULT_MODEL, o.meta, o.gateway, diagnostics);
    // Scheduler records (capture --sched) make each span's on-CPU / runnable / blocked split (ADR 0090).
    const sched = SchedTimelines.forProbes(probes.list.map((p) => p.name));
    const cancel = new CancelPoint(o.signal);
    let done = 0;
    // The counts after the model need each record's thread, time and probe: kept from this pass
    // (or the fed one) instead of reading the chunks back once more (docs/adr/0111).
    const log = o.fed?.log ?? new RecordLog();
    // A model fed in the records' pass needs this pass only for scheduler records.
    for (const c of o.fed === undefined || sched !== null ? reader.timeOrder() : []) {
      sched?.add(c);
      if (o.fed === undefined) log.add(c);
      for (let i = 0; i < c.n && o.fed === undefined; i++) {
        gen.feed(view.at(c, i));
        // A chunk can take minutes where the model's states pile up (an event-loop server under
        // keep-alive load): a cancel must not wait for the chunk's end.
        if ((i & 1023) === 1023 && cancel.due()) await cancel.pause();
      }
      done += c.n;
      o.onProgress?.('generate', total > 0 ? done / total : 1);
    }
    // With lost events the causal model marks every link inferred: any record may be missing.
    const res = gen.finish({ lostEvents: manifest.capture?.lostEvents ?? 0 });
    o.fed?.mergeInto(diagnostics);
    const traces = res.traces;
    // A model fed in the records' pass leaves a short tail of synchronous steps: the event loop
    // turns here and before the write, so that a Ctrl-C since the bundle was renamed into place
    // stops the generation (its records kept) instead of waiting for the traces to be written.
    await cancel.pause();

    // Per-span event counts: the records again, without their details. The original model
    // offers a record to every span of its thread in its window; the causal model gives it to
    // the one span that owned the thread then, or counts it apart for the thread.
    const counter: { add(c: RecordColumns): void; counts: EventCounter['counts'] } =
      res.ownership === null ? new EventCounter(traces, probes.size) : new CausalEventCounter(traces, probes.size, res.ownership);
    done = 0;
    const kept = log.usable && log.records === total;
    for (const c of kept ? log.batches() : reader.timeOrder(false)) {
      counter.add(c);
      done += c.length;
      o.onProgress?.('count', total > 0 ? done / total : 1);
      if (cancel.due()) await cancel.pause();
    }
    log.drop();
    await cancel.pause();
    o.onProgress?.('write', 0);
    const { tracesPending: _pending, ...rest } = manifest;
    const out: BundleManifest = {
      ...rest,
      model: res.model,
      firstTs: res.firstTs,
      lastTs: res.lastTs,
      generator: { ...res.counts, unsorted: res.counts.unsorted + diagnostics.count('unsorted-record') },
      traceCount: traces.length,
      spanCount: counter.counts.spanCount,
      complete: true,
    };
    writer.commitTraces(() => {
      writer.setTraces(traces, counter.counts);
      if (counter instanceof CausalEventCounter) writer.setThreadCounts(counter.threadCounts);
      writeSpanSched(writer.connection, traces, sched);
      writer.setDiagnostics(diagnostics);
      writer.setManifest(out);
    });
    o.onProgress?.('write', 1);
    return { output: path, traces, manifest: out, diagnostics };
  } catch (e) {
    writer.abort();
    throw e;
  }
}
