import { invoke } from '../ipc/explorer-api.js';
import { useNotices } from '../stores/notice-store.js';
import { useSession } from '../stores/session-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { defaultShownCounts } from '../trace/count-choice.js';

// Loading a trace and a span's raw records. A request answered after the user moved on (another
// trace, another span) is dropped, never shown for the wrong selection.

let traceToken = 0;

export async function openTrace(traceId: number): Promise<void> {
  const bundle = useSession.getState().bundle;
  if (bundle === null) return;
  const token = ++traceToken;
  useTraceView.getState().setLoading(traceId);
  const r = await invoke('traceDetail', { bundleId: bundle.bundleId, traceId });
  if (token !== traceToken) return;
  if (!r.ok) {
    useTraceView.getState().setLoading(null);
    useNotices.getState().pushError(`Could not open trace #${traceId}`, r.error);
    return;
  }
  useTraceView.getState().show(r.value, defaultShownCounts(r.value.counts));
  useSession.getState().setScreen('trace');
}

const PAGE = 200;

export async function loadSpanRecords(spanIndex: number, more = false): Promise<void> {
  const view = useTraceView.getState();
  const detail = view.detail;
  const bundle = useSession.getState().bundle;
  if (detail === null || bundle === null) return;
  const have = more && view.records?.spanIndex === spanIndex ? view.records.records : [];
  view.setRecords({ spanIndex, records: have, more: false, loading: true });
  const r = await invoke('spanRecords', { bundleId: bundle.bundleId, traceId: detail.traceId, spanIndex, offset: have.length, limit: PAGE });
  const now = useTraceView.getState();
  if (now.detail !== detail || now.selectedSpan !== spanIndex) return; // the user moved on
  if (!r.ok) {
    now.setRecords({ spanIndex, records: have, more: false, loading: false });
    useNotices.getState().pushError(`Could not read the records of span ${spanIndex}`, r.error);
    return;
  }
  now.setRecords({ spanIndex, records: [...have, ...r.value.records], more: r.value.more, loading: false });
}
