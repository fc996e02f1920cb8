import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError, throwIfCancelled } from './line-reader.js';
import { sortSegment, type SegmentJob, type SegmentResult } from './sort-segment.js';

// Where the sorter's segments run: on worker threads (one segment each at a time), or here,
// one after the other, when threads are not wanted (small files: a thread's start costs more
// than it saves) or not shipped (a bundle without sort-worker.js). Results are the same either way.

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
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly failures = new Set<(e: Error) => void>();
  private closed = false;

  constructor(
    private readonly threads: number,
    private readonly entry: URL | null,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.onAbort);
  }

  get threaded(): boolean {
    return this.threads > 0 && this.entry !== null;
  }

  async run(job: SegmentJob): Promise<SegmentResult> {
    throwIfCancelled(this.signal);
    if (!this.threaded) {
      // Let signal handlers run between segments (Ctrl-C), then work here.
      await new Promise((r) => setImmediate(r));
      throwIfCancelled(this.signal);
      return sortSegment(job);
    }
    const w = await this.worker();
    try {
      return await new Promise<SegmentResult>((resolve, reject) => {
        const off = () => {
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
        w.on('message', done);
        w.on('error', fail);
        w.on('exit', exit);
        w.postMessage(job);
      });
    } finally {
      this.release(w);
    }
  }

  private async worker(): Promise<Worker> {
    for (;;) {
      throwIfCancelled(this.signal);
      const w = this.idle.pop();
      if (w) return w;
      if (this.all.length < this.threads) {
        const fresh = new Worker(this.entry!);
        this.all.push(fresh);
        return fresh;
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(w: Worker): void {
    if (this.closed) return;
    this.idle.push(w);
    this.waiting.shift()?.();
  }

  private readonly onAbort = () => {
    for (const f of [...this.failures]) f(new CancelledError());
    for (const wake of this.waiting.splice(0)) wake();
    void this.close();
  };

  /** Stops the threads (a segment being sorted is dropped). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
