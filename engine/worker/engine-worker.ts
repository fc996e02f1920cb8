import { parentPort } from 'node:worker_threads';
import { runJob, toErrorData } from './jobs.js';
import { packedBuffers } from '../model/packed-trace-table.js';
import type { EngineProgress, FromWorker, JobResult, ToWorker } from './protocol.js';

// Worker entry: runs engine jobs off the app's main thread; several may run at once, each
// cancellable by id. Jobs yield between chunks, so a cancel message gets in.

if (parentPort === null) throw new Error('engine-worker must run in a worker thread');
const port = parentPort;
const running = new Map<number, AbortController>();

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  const ctl = new AbortController();
  running.set(msg.id, ctl);
  const send = (m: FromWorker) => port.postMessage(m);
  // Progress is throttled: a stage change or 50 ms since the last message.
  let last = { stage: '', at: 0 };
  const onProgress = (progress: EngineProgress) => {
    const now = Date.now();
    if (progress.stage === last.stage && now - last.at < 50 && progress.fraction < 1) return;
    last = { stage: progress.stage, at: now };
    send({ type: 'progress', id: msg.id, progress });
  };
  runJob(msg.job, { signal: ctl.signal, onProgress })
    .then((result) => port.postMessage({ type: 'result', id: msg.id, result } satisfies FromWorker, transferable(result)))
    .catch((e: unknown) => send({ type: 'error', id: msg.id, error: toErrorData(e) }))
    .finally(() => running.delete(msg.id));
});

/**
 * Buffers main takes over instead of copying: an export's bytes (megabytes of SVG) and a bundle's
 * packed trace table (docs/adr/0105).
 */
function transferable(result: JobResult): ArrayBuffer[] {
  if (result.kind === 'export') return [result.bytes.buffer as ArrayBuffer];
  if (result.kind === 'bundle-open') return packedBuffers(result.table);
  return [];
}
