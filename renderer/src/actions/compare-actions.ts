import { invoke } from '../ipc/explorer-api.js';
import { openTrace } from './trace-actions.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { useCompare } from '../stores/compare-store.js';
import { useNotices } from '../stores/notice-store.js';
import { useSession } from '../stores/session-store.js';

// Loads the two traces of a comparison (two ordinary traceDetail requests, in parallel) and shows
// the compare screen. A newer request wins over one still loading.

let token = 0;

export async function openComparison(aId: number, bId: number, why: string): Promise<void> {
  const bundle = useSession.getState().bundle;
  if (bundle === null) return;
  const mine = ++token;
  useCompare.getState().setLoading(true);
  const [a, b] = await Promise.all([invoke('traceDetail', { bundleId: bundle.bundleId, traceId: aId }), invoke('traceDetail', { bundleId: bundle.bundleId, traceId: bId })]);
  if (mine !== token) return;
  if (!a.ok || !b.ok) {
    useCompare.getState().setLoading(false);
    useNotices.getState().pushError(`Could not open traces #${aId} and #${bId} to compare`, (!a.ok ? a.error : !b.ok ? b.error : null)!);
    return;
  }
  useCompare.getState().show({ a: a.value, b: b.value, why });
  useSession.getState().setScreen('compare');
}

/** From the compare screen: one of the two traces in the trace view, with the span selected. */
export async function openTraceAtSpan(traceId: number, spanIndex: number): Promise<void> {
  await openTrace(traceId);
  const view = useTraceView.getState();
  if (view.detail?.traceId !== traceId) return; // it failed, or the user moved on
  view.select(spanIndex); // the details panel loads the span's records
}
