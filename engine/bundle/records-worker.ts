import { parentPort, workerData } from 'node:worker_threads';
import { Diagnostics, type DiagnosticKind } from '../model/diagnostics.js';
import { InputError } from '../model/meta.js';
import { CancelledError } from '../records/line-reader.js';
import type { RecordColumns } from '../records/record-columns.js';
import { recordSource } from '../records/sorted-records.js';
import { RecordOrder } from './record-order.js';
import type { DiagnosticsDelta, FromParser, ParseErrorData, ParseJob, ToParser } from './records-protocol.js';

// The records' reading thread (docs/adr/0110, 0130): reads and parses a capture (and orders a raw
// one, when asked to) exactly as recordSource does in process, checks the time order, and hands
// each batch's columns to the thread that writes the record chunks and feeds the model. At most
// IN_FLIGHT batches wait there unread, so a slower writer holds back the reading instead of the
// memory growing.

const IN_FLIGHT = 3;

if (parentPort === null) throw new Error('records-worker must run in a worker thread');
const port = parentPort;
// A thread started early (reader-thread.ts) gets its job as its first message.
let job = workerData as ParseJob | null;
const ctl = new AbortController();
let unacked = 0;
let wake: (() => void) | null = null;

port.on('message', (m: ToParser) => {
  if (m.type === 'job') {
    job = m.job;
    start();
    return;
  }
  if (m.type === 'cancel') ctl.abort();
  else unacked--;
  wake?.();
  wake = null;
});

const diagnostics = new Diagnostics();
let sentExamples = 0;
const sentCounts = new Map<DiagnosticKind, number>();

/** What the reading found since the last message (undefined when nothing). */
function newFindings(): DiagnosticsDelta | undefined {
  const counts: [DiagnosticKind, number][] = [];
  for (const [k, n] of diagnostics.counts) {
    const d = n - (sentCounts.get(k) ?? 0);
    if (d > 0) counts.push([k, d]);
    sentCounts.set(k, n);
  }
  if (counts.length === 0) return undefined;
  const examples = diagnostics.examples.slice(sentExamples);
  sentExamples = diagnostics.examples.length;
  return { examples, counts };
}

let bytes = 0;
let probesSent = 0;
let commsSent = 0;
let baseSent = false;

async function run(job: ParseJob): Promise<void> {
  const { stream, columns } = recordSource(job.path, {
    diagnostics,
    unsorted: job.unsorted,
    near: job.near,
    lenient: job.lenient,
    signal: ctl.signal,
    ...(job.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: job.memoryBudgetBytes } : {}),
    ...(job.chunkBytes !== undefined ? { chunkBytes: job.chunkBytes } : {}),
    onProgress: (b) => {
      bytes = b;
      // A raw capture is read whole before its first batch: progress (and findings) go on their own.
      if (job.unsorted) send({ type: 'progress', bytes: b, ...withFindings() });
    },
  });
  const order = new RecordOrder(job.path, job.lenient, diagnostics);
  for await (const c of columns) {
    const keep = order.check(c);
    const names = stream.names();
    const probes = names.probes.slice(probesSent).map((p) => p.name);
    probesSent = names.probes.length;
    const comms = names.comms.slice(commsSent);
    commsSent = names.comms.length;
    const baseSec = baseSent ? null : names.base.baseSec;
    baseSent = true;
    const batch = copyBatch(c);
    const mask = keep === null ? null : keep.slice(0, c.n);
    const msg: FromParser = { type: 'batch', batch, keep: mask, bytes, probes, comms, baseSec, ...withFindings() };
    const moved = [batch.tid, batch.ts, batch.cpu, batch.probe, batch.comm, batch.line, batch.detailsAt].map((a) => a.buffer as ArrayBuffer);
    port.postMessage(msg, mask === null ? moved : [...moved, mask.buffer as ArrayBuffer]);
    unacked++;
    while (unacked >= IN_FLIGHT && !ctl.signal.aborted) await new Promise<void>((r) => (wake = r));
    if (ctl.signal.aborted) throw new CancelledError();
  }
  const end: FromParser = { type: 'end', stats: stream.stats, bytes, firstTs: order.firstTs, lastTs: order.lastTs, ...withFindings() };
  port.postMessage(end);
}

function withFindings(): { diagnostics?: DiagnosticsDelta } {
  const d = newFindings();
  return d === undefined ? {} : { diagnostics: d };
}

function send(m: FromParser): void {
  port.postMessage(m);
}

/** The used part of each column, in buffers of its own (the batch object is refilled next time). */
function copyBatch(c: RecordColumns) {
  const n = c.n;
  return {
    n,
    tid: c.tid.slice(0, n),
    ts: c.ts.slice(0, n),
    cpu: c.cpu.slice(0, n),
    probe: c.probe.slice(0, n),
    comm: c.comm.slice(0, n),
    line: c.line.slice(0, n),
    detailsAt: c.detailsAt.slice(0, n),
    // One string, not one per record: structured clone costs per string. A line's details never
    // hold a newline (lines are split at them), and a record with none has no entry.
    details: c.details.join('\n'),
    detailCount: c.details.length,
  };
}

function errorData(e: unknown): ParseErrorData {
  const err = e instanceof Error ? e : new Error(String(e));
  const x = err as Error & { code?: unknown; exitCode?: unknown };
  return {
    name: err.name,
    message: err.message,
    ...(err instanceof InputError && err.hint !== undefined ? { hint: err.hint } : {}),
    ...(err.stack !== undefined ? { stack: err.stack } : {}),
    userError: err instanceof InputError,
    cancelled: err instanceof CancelledError,
    ...(typeof x.code === 'string' ? { code: x.code } : {}),
    ...(typeof x.exitCode === 'number' ? { exitCode: x.exitCode } : {}),
  };
}

function start(): void {
  run(job!).catch((e: unknown) => send({ type: 'error', error: errorData(e), ...withFindings() }));
}

if (job !== null) start();
