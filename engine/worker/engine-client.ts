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

export interface EngineClient {
  run<J extends EngineJob>(job: J, onProgress?: (p: EngineProgress) => void): RunningJob<ResultOf<J>>;
  dispose(): Promise<void>;
}

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
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  private exited: string | null = null;

  constructor() {
    this.worker = new Worker(workerEntry());
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => {
      this.exited = `engine worker exited with code ${code}`;
      if (!this.disposed) this.failAll(new Error(this.exited));
    });
  }

  run<J extends EngineJob>(job: J, onProgress?: (p: EngineProgress) => void): RunningJob<ResultOf<J>> {
    if (this.disposed) throw new Error('EngineClient used after dispose');
    const id = this.nextId++;
    if (this.exited !== null) return { id, result: Promise.reject(new Error(this.exited)), cancel: () => undefined };
    const result = new Promise<ResultOf<J>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(onProgress ? { onProgress } : {}) });
    });
    this.post({ type: 'run', id, job });
    return { id, result, cancel: () => this.post({ type: 'cancel', id }) };
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
      if (m.type === 'result') p.resolve(m.result);
      else p.reject(fromErrorData(m.error));
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new CancelledError());
    await this.worker.terminate();
  }
}
