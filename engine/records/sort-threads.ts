import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError, throwIfCancelled } from './line-reader.js';
import { sortSegment, type SegmentJob, type SegmentResult } from './sort-segment.js';

// Where the sorter's segments run: here and on `threads - 1` worker threads, each taking the
// next segment when it is free. This thread takes its share too (it would only wait otherwise,
// and a thread less is one V8 start and one JIT warm-up less). No threads for small files (a
// thread's start costs more than it saves) or builds without sort-worker.js. Results are the
// same either way.

type Reply = { ok: SegmentResult } | { error: { message: string; code?: string } };

/**
 * The thread's entry beside this module: compiled JS (dist/, and .vite/build/ for the app), or the
 * TypeScript source through tsx (tests). Null when neither is there. Names are variables so that
 * Vite leaves these URLs alone (with literals it inlines the files).
 */
export function sortWorkerEntry(): URL | null {
  const compiled = 'sort-worker.js';
  const dev = 'sort-worker-dev.mjs';
  for (const name of [compiled, dev]) {
    const u = new URL(name, import.meta.url);
    if (u.protocol === 'file:' && existsSync(fileURLToPath(u))) return u;
  }
  return null;
}

export class SegmentPool {
  private readonly workers: Worker[] = [];
  private readonly failures = new Set<(e: Error) => void>();
  /** Threads with a segment in flight. */
  private readonly busy = new Set<Worker>();
  /** Shared with the threads: non-zero asks them to stop between reads and close their files. */
  private readonly cancel = new Int32Array(new SharedArrayBuffer(4));
  private stopped = false;

  constructor(
    private readonly threads: number,
    private readonly entry: URL | null,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.onAbort);
  }

  /** Sorts every segment; `done` hears of each as it finishes (in any order). Results in job order. */
  async runAll(jobs: SegmentJob[], done: (job: SegmentJob, r: SegmentResult) => void): Promise<SegmentResult[]> {
    const results: SegmentResult[] = new Array(jobs.length);
    let next = 0;
    const take = () => (this.stopped || next >= jobs.length ? -1 : next++);
    const loop = async (sort: (job: SegmentJob) => Promise<SegmentResult>) => {
      try {
        for (let k = take(); k >= 0; k = take()) {
          results[k] = await sort(jobs[k]!);
          done(jobs[k]!, results[k]!);
        }
      } catch (e) {
        this.stopped = true;
        throw e;
      }
    };
    const extra = this.entry === null ? 0 : Math.min(this.threads - 1, jobs.length - 1);
    const loops: Promise<void>[] = [];
    for (let t = 0; t < extra; t++) {
      const w = new Worker(this.entry!);
      this.workers.push(w);
      loops.push(loop((job) => this.inWorker(w, job)));
    }
    loops.push(loop((job) => this.here(job)));
    await Promise.all(loops);
    // Stopped early (cancelled, or closed) with segments left: no partial answer.
    throwIfCancelled(this.signal);
    for (let k = 0; k < jobs.length; k++) if (results[k] === undefined) throw new CancelledError();
    return results;
  }

  private async here(job: SegmentJob): Promise<SegmentResult> {
    // Let signal handlers (Ctrl-C) and the threads' messages run between segments.
    await new Promise((r) => setImmediate(r));
    throwIfCancelled(this.signal);
    return sortSegment({ ...job, inPlace: true });
  }

  private inWorker(w: Worker, job: SegmentJob): Promise<SegmentResult> {
    throwIfCancelled(this.signal);
    return new Promise<SegmentResult>((resolve, reject) => {
      const off = () => {
        this.busy.delete(w);
        this.failures.delete(fail);
        w.off('message', done);
        w.off('error', fail);
        w.off('exit', exit);
      };
      const fail = (e: Error) => {
        off();
        reject(e);
      };
      const exit = (code: number) => fail(new Error(`the sort thread stopped (exit code ${code})`));
      const done = (m: Reply) => {
        off();
        if ('ok' in m) resolve(m.ok);
        else reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
      };
      this.failures.add(fail);
      this.busy.add(w);
      w.on('message', done);
      w.on('error', fail);
      w.on('exit', exit);
      w.postMessage({ ...job, cancel: this.cancel });
    });
  }

  private readonly onAbort = () => {
    void this.close(); // which fails the segments in flight
  };

  private closing: Promise<unknown> | null = null;

  /** Stops the threads (a segment being sorted there is dropped); they wind down meanwhile. */
  close(): Promise<unknown> {
    if (this.closing !== null) return this.closing;
    this.stopped = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    // A thread still sorting stops at its next read and closes its files (terminate would leave
    // them open in a long-lived process, the app's engine worker); it has a second to do so.
    Atomics.store(this.cancel, 0, 1);
    const ws = this.workers.splice(0);
    const replies = [...this.busy].map((w) => new Promise((r) => w.once('message', r).once('exit', r)));
    const settled = Promise.race([Promise.all(replies), new Promise((r) => setTimeout(r, 1000).unref())]);
    for (const f of [...this.failures]) f(new CancelledError());
    this.closing = settled.then(() => Promise.all(ws.map((w) => w.terminate())));
    return this.closing;
  }
}
