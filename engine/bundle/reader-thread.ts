import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseJob } from './records-protocol.js';

// Whether and where the records' reading thread comes from (docs/adr/0110, 0130), kept apart from the reading
// itself so that the CLI can start the thread before it loads the command's own modules: a
// thread's start (its isolate, Node's bootstrap, the parser's modules) took as long as this
// thread's module loading, and ran in its way. An early thread waits for its job; unused, it
// does not keep the process alive.

/**
 * The compiled worker beside this module (a variable name keeps bundlers from inlining it), for
 * sorted input unless MISERTRACE_READ_THREAD=0; for a raw capture (`raw`) only when
 * MISERTRACE_READ_THREAD=1 asks: it is ordered whole before its first batch, so nothing overlaps
 * (bundle import of 1M records: wall x1.11 on the thread). Sorted, wall x0.97 at 1M records and
 * x0.80 at 10M, for 6-7% more CPU (docs/adr/0130).
 */
export function readerEntry(raw = false): URL | null {
  const asked = process.env['MISERTRACE_READ_THREAD'];
  if (asked === '0' || (raw && asked !== '1')) return null;
  const compiled = 'records-worker.js';
  const url = new URL(compiled, import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

let early: { worker: Worker; dead: boolean } | null = null;

/** Starts a reading thread now, for the reading a command is about to do (`raw`: of a raw capture). */
export function startReaderEarly(raw = false): void {
  const entry = readerEntry(raw);
  if (early !== null || entry === null) return;
  const e = { worker: new Worker(entry, { workerData: null }), dead: false };
  // A thread that failed before its job came is not handed out: the reading starts another.
  e.worker.once('error', () => (e.dead = true));
  e.worker.once('exit', () => (e.dead = true));
  e.worker.unref();
  early = e;
}

/** A thread reading `job`: the early one when there is one still alive, else a new one. */
export function readerFor(entry: URL, job: ParseJob): Worker {
  const e = early;
  early = null;
  if (e !== null && !e.dead) {
    e.worker.ref();
    e.worker.postMessage({ type: 'job', job });
    return e.worker;
  }
  if (e !== null) void e.worker.terminate();
  return new Worker(entry, { workerData: job });
}
