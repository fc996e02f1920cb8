import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BundleError } from '../bundle/bundle-errors.js';
import { InputError } from '../model/meta.js';
import { CancelledError } from '../records/line-reader.js';
import { runJob } from './jobs.js';
import type { EngineErrorData, EngineJob, EngineProgress, FromWorker, ResultOf, ToWorker } from './protocol.js';

// One engine interface, two transports (as Perfetto does): a worker thread in the app, and
// in-process for tests and the CLI. Both run the same jobs (jobs.ts).

export interface RunningJob<R> {
  id: number;
  result: Promise<R>;
  cancel(): void;
}

export interface RunOptions {
  /**
   * The job fails with EngineTimeoutError after this long, and the worker that ran it is replaced
   * (a job stuck in one SQLite statement never sees a cancel message). For jobs that only read
   * (a writer stopped this way could leave its file half written). In process: not enforced.
   */
  timeoutMs?: number;
}

export interface EngineClient {
  run<J extends EngineJob>(job: J, onProgress?: (p: EngineProgress) => void, opts?: RunOptions): RunningJob<ResultOf<J>>;
  /** Counts the times the engine was replaced: what it held (open bundles) is gone when it changed. */
  readonly generation?: number;
  dispose(): Promise<void>;
}

/** A job that did not answer in time (or after its cancel): it was stopped with its worker. */
export class EngineTimeoutError extends InputError {
  constructor(what: string, ms: number) {
    super(`${what} took longer than ${Math.round(ms / 100) / 10} s and was stopped`, 'the file may be damaged or hostile; check it with `misertrace bundle verify`');
    this.name = 'EngineTimeoutError';
  }
}

/** How long a cancelled read may take to notice before its worker is replaced. */
const CANCEL_GRACE_MS = 2000;
/** Jobs that only read a bundle: replacing their worker loses nothing but its open handles. */
const READ_JOBS: ReadonlySet<EngineJob['kind']> = new Set(['bundle-open', 'bundle-trace', 'bundle-span-records']);

/** Rebuilds an error that crossed the thread boundary, keeping user errors as InputError. */
export function fromErrorData(e: EngineErrorData): Error {
  if (e.cancelled) return new CancelledError();
  if (e.bundle) return new BundleError(e.bundle.path, e.bundle.reason, e.message, e.hint);
  if (e.userError) {
    // The name tells kinds of user error apart (NoRecordsError, TraceMissingError…).
    const err = new InputError(e.message, e.hint);
    err.name = e.name;
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** What a job reads, for a timeout's message. */
function describeJob(job: EngineJob): string {
  switch (job.kind) {
    case 'bundle-open':
      return `opening ${job.path}`;
    case 'bundle-trace':
      return `reading trace ${job.traceId}`;
    case 'bundle-span-records':
      return `reading the records of span ${job.spanIndex}`;
    default:
      return `the engine's ${job.kind} job`;
  }
}

export class InProcessEngineClient implements EngineClient {
  private nextId = 1;
  private readonly running = new Set<AbortController>();

  run<J extends EngineJob>(job: J, onProgress?: (p: EngineProgress) => void): RunningJob<ResultOf<J>> {
    const ctl = new AbortController();
    this.running.add(ctl);
    const result = runJob(job, { signal: ctl.signal, onProgress: onProgress ?? (() => undefined) }).finally(() => this.running.delete(ctl));
    return { id: this.nextId++, result: result as Promise<ResultOf<J>>, cancel: () => ctl.abort() };
  }

  async dispose(): Promise<void> {
    for (const c of this.running) c.abort();
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: EngineProgress) => void;
  timer?: NodeJS.Timeout;
}

/**
 * The worker entry beside this module: compiled JS (dist/ for the CLI, .vite/build/ where the app's
 * main is bundled), or the TypeScript source run through tsx. The names are variables so that
 * Vite leaves these URLs alone (with literals it inlines the files as data: URLs).
 */
function workerEntry(): URL {
  const compiled = 'engine-worker.js';
  const dev = 'engine-worker-dev.mjs';
  const js = new URL(compiled, import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  return new URL(dev, import.meta.url);
}

export class WorkerEngineClient implements EngineClient {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  private exited: string | null = null;
  private generationValue = 0;

  /** `entry`: another build of the worker (bench:ui starts the one Vite builds for the app). */
  constructor(private readonly entry: URL = workerEntry()) {
    this.worker = this.spawn();
  }

  get generation(): number {
    return this.generationValue;
  }

  private spawn(): Worker {
    const w = new Worker(this.entry);
    w.on('message', (m: FromWorker) => {
      if (w === this.worker) this.onMessage(m);
    });
    w.on('error', (e) => {
      if (w === this.worker) this.failAll(e);
    });
    w.on('exit', (code) => {
      if (w !== this.worker) return;
      this.exited = `engine worker exited with code ${code}`;
      if (!this.disposed) this.failAll(new Error(this.exited));
    });
    return w;
  }

  run<J extends EngineJob>(job: J, onProgress?: (p: EngineProgress) => void, opts: RunOptions = {}): RunningJob<ResultOf<J>> {
    if (this.disposed) throw new Error('EngineClient used after dispose');
    const id = this.nextId++;
    if (this.exited !== null) return { id, result: Promise.reject(new Error(this.exited)), cancel: () => undefined };
    const result = new Promise<ResultOf<J>>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject, ...(onProgress ? { onProgress } : {}) };
      if (opts.timeoutMs !== undefined) p.timer = setTimeout(() => this.replace(id, new EngineTimeoutError(describeJob(job), opts.timeoutMs!)), opts.timeoutMs);
      this.pending.set(id, p);
    });
    this.post({ type: 'run', id, job });
    const cancel = () => {
      if (!this.pending.has(id)) return;
      this.post({ type: 'cancel', id });
      // A read inside one long SQLite statement cannot see the message: its worker goes. Jobs
      // that write (import, export) stop at their own cancel points and remove their files.
      if (READ_JOBS.has(job.kind)) setTimeout(() => this.replace(id, new CancelledError()), CANCEL_GRACE_MS).unref();
    };
    return { id, result, cancel };
  }

  /**
   * The job `id` is stuck: it fails with `why`, the other jobs of its worker fail too (their
   * worker is gone), and a new worker takes the next jobs. The old one is told to terminate;
   * JavaScript stops at once, a native SQLite statement only when it returns (better-sqlite3 has
   * no interrupt), so a statement that never returns keeps its thread: docs/adr/0076.
   */
  private replace(id: number, why: Error): void {
    const stuck = this.pending.get(id);
    if (stuck === undefined || this.disposed) return;
    this.pending.delete(id);
    clearTimeout(stuck.timer);
    stuck.reject(why);
    this.failAll(new Error('the engine was restarted after a stuck job; open the bundle again'));
    const old = this.worker;
    this.generationValue++;
    this.worker = this.spawn();
    void old.terminate().catch(() => undefined);
  }

  private post(m: ToWorker): void {
    if (!this.disposed) this.worker.postMessage(m);
  }

  private onMessage(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return; // a late answer to a job already settled: dropped
    if (m.type === 'progress') p.onProgress?.(m.progress);
    else {
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.type === 'result') p.resolve(m.result);
      else p.reject(fromErrorData(m.error));
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new CancelledError());
    await this.worker.terminate();
  }
}
