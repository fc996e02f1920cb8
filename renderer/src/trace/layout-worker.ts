/// <reference lib="webworker" />
import { layoutGantt } from '../../../engine/figure/gantt-layout.js';
import type { SpanCounts } from '../../../engine/figure/layout-types.js';
import type { AssembledTrace } from '../../../engine/model/trace-assembly.js';
import type { FromLayoutWorker, ToLayoutWorker } from './layout-messages.js';

// Runs the shared Gantt layout off the UI thread, so a 10,000-span trace re-lays out while the
// view keeps drawing the previous layout through a transform. Requests that were overtaken by a
// newer one before they started are skipped.

const scope = self as unknown as DedicatedWorkerGlobalScope;
let current: { key: string; trace: AssembledTrace; counts: SpanCounts[] } | null = null;
let pending: Extract<ToLayoutWorker, { type: 'layout' }> | null = null;
let scheduled = false;

async function run(): Promise<void> {
  scheduled = false;
  const job = pending;
  pending = null;
  if (job === null) return;
  const post = (m: FromLayoutWorker) => scope.postMessage(m);
  if (current === null || current.key !== job.key) {
    post({ type: 'error', id: job.id, key: job.key, message: 'the layout worker has no such trace' });
    return;
  }
  let out: FromLayoutWorker;
  try {
    const t0 = performance.now();
    const layout = layoutGantt({ trace: current.trace, counts: current.counts }, job.view);
    out = { type: 'layout', id: job.id, key: job.key, layoutJson: JSON.stringify(layout), ms: performance.now() - t0 };
  } catch (e) {
    out = { type: 'error', id: job.id, key: job.key, message: e instanceof Error ? e.message : String(e) };
  }
  // Requests that came in while this layout ran are queued behind us: let them in. If one did,
  // this result is already stale; posting it would only make the UI thread deserialize a
  // 10,000-row layout for nothing, in the middle of a drag.
  await new Promise((r) => setTimeout(r, 0));
  if (pending !== null) return;
  post(out);
}

scope.onmessage = (ev: MessageEvent<ToLayoutWorker>) => {
  const m = ev.data;
  if (m.type === 'set-trace') {
    current = { key: m.key, trace: m.trace, counts: m.counts };
    return;
  }
  // Latest wins: a request queued behind a running layout replaces any older queued one.
  pending = m;
  if (!scheduled) {
    scheduled = true;
    setTimeout(() => void run(), 0);
  }
};
