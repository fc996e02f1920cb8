import { useEffect, useMemo, useRef, useState } from 'react';
import { layoutGantt } from '../../../engine/figure/gantt-layout.js';
import type { GanttLayout, GanttViewOptions, SpanCounts } from '../../../engine/figure/layout-types.js';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import type { FromLayoutWorker, ToLayoutWorker, WorkerViewOptions } from './layout-messages.js';

// The layout the trace view draws, from the shared pure layout function. Small traces are laid
// out synchronously (a few ms); large ones in a worker, latest request wins, and until its answer
// arrives the caller keeps drawing the previous layout through a transform.

/** Above this many spans the layout takes longer than a frame: use the worker. */
export const WORKER_THRESHOLD = 1500;
/**
 * A big trace is laid out again only once the view has been still this long: during a drag or a
 * held key the old layout is drawn transformed, and no 10,000-row layout lands mid-gesture.
 */
export const SETTLE_MS = 120;

/**
 * `hold`: a gesture (a drag) is under way; big traces ask for no layout until it ends, however
 * slowly the pointer moves.
 */
export function useGanttLayout(detail: TraceDetail, view: WorkerViewOptions, enabled: boolean, hold = false): { layout: GanttLayout | null; error: string | null; lastMs: number } {
  const trace = useMemo(() => ({ id: detail.traceId, spans: detail.spans }), [detail]);
  const counts = detail.counts as SpanCounts[];
  const big = detail.spans.length > WORKER_THRESHOLD;
  const viewKey = JSON.stringify(view);

  const sync = useMemo(() => {
    if (big || !enabled) return null;
    const t0 = performance.now();
    try {
      const layout = layoutGantt({ trace, counts }, toView(view));
      return { layout, error: null, lastMs: performance.now() - t0 };
    } catch (e) {
      return { layout: null, error: e instanceof Error ? e.message : String(e), lastMs: 0 };
    }
    // viewKey stands for view: a new object with the same content must not lay out again.
  }, [big, enabled, trace, counts, viewKey]);

  const worker = useLayoutWorker(big && enabled, hold, detail, trace, counts, view, viewKey);
  return big ? worker : (sync ?? { layout: null, error: null, lastMs: 0 });
}

function toView(v: WorkerViewOptions): GanttViewOptions {
  return { ...v, collapsed: v.collapsed };
}

function useLayoutWorker(active: boolean, hold: boolean, detail: TraceDetail, trace: { id: number; spans: TraceDetail['spans'] }, counts: SpanCounts[], view: WorkerViewOptions, viewKey: string) {
  const [state, setState] = useState<{ layout: GanttLayout | null; error: string | null; lastMs: number }>({ layout: null, error: null, lastMs: 0 });
  const workerRef = useRef<Worker | null>(null);
  const lastId = useRef(0);
  const key = `${detail.bundleId}:${detail.traceId}`;

  useEffect(() => {
    if (!active) return;
    const w = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module', name: 'gantt-layout' });
    workerRef.current = w;
    w.onmessage = (ev: MessageEvent<FromLayoutWorker>) => {
      const m = ev.data;
      if (m.key !== key || m.id !== lastId.current) return; // stale: a newer request is out
      if (m.type === 'layout') setState({ layout: JSON.parse(m.layoutJson) as GanttLayout, error: null, lastMs: m.ms });
      else setState((s) => ({ ...s, error: m.message }));
    };
    const msg: ToLayoutWorker = { type: 'set-trace', key, trace, counts };
    w.postMessage(msg);
    setState({ layout: null, error: null, lastMs: 0 });
    return () => {
      w.terminate();
      workerRef.current = null;
    };
  }, [active, key, trace, counts]);

  const first = useRef(true);
  useEffect(() => {
    const w = workerRef.current;
    if (!active || w === null) return;
    // Any answer still on its way is stale from now on (also when a drag begins).
    const id = ++lastId.current;
    if (hold) return;
    const send = () => {
      const msg: ToLayoutWorker = { type: 'layout', id, key, view };
      w.postMessage(msg);
    };
    if (first.current) {
      first.current = false;
      send();
      return;
    }
    const t = setTimeout(send, SETTLE_MS);
    return () => clearTimeout(t);
    // viewKey stands for view: a new object with the same content must not lay out again.
  }, [active, hold, key, viewKey, trace]);

  return state;
}
