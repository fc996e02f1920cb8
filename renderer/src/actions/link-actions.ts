import { useNotices } from '../stores/notice-store.js';
import { useSession } from '../stores/session-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { openBundlePath } from './bundle-actions.js';
import { openTrace } from './trace-actions.js';

// Main's open requests: a bundle (the OS, the menu, a second launch), or a deep link's trace and
// span (misertrace://open?…, checked by main: electron/app-services/deep-links.ts). The bundle
// is opened unless it is the one open already; then the trace, and the span selected with its
// records. A trace or span the bundle does not have is said, the bundle stays open.

export async function openRequested(path: string, at?: { traceId: number; spanIndex: number | null }): Promise<void> {
  const open = useSession.getState().bundle;
  if (open?.path !== path && !(await openBundlePath(path))) return;
  if (at === undefined) return;
  const table = useSession.getState().table;
  const name = useSession.getState().bundle?.fileName ?? path;
  if (table === null || !table.id.includes(at.traceId)) {
    useNotices.getState().pushError(`The link's trace is not in ${name}`, { kind: 'trace-missing', message: `${name} has no trace #${at.traceId}`, hint: 'the bundle was perhaps made again since the link was copied' });
    return;
  }
  await openTrace(at.traceId);
  const view = useTraceView.getState();
  if (at.spanIndex === null || view.detail?.traceId !== at.traceId) return;
  const n = view.detail.spans.length;
  if (at.spanIndex < n) view.select(at.spanIndex); // the details panel loads its records
  else useNotices.getState().pushError(`The link's span is not in trace #${at.traceId}`, { kind: 'input', message: `trace #${at.traceId} has spans 0 to ${n - 1}, not span ${at.spanIndex}`, hint: 'the trace is shown without a selection' });
}

export function linkRefused(message: string, hint: string): void {
  useNotices.getState().pushError('Could not open the link', { kind: 'input', message, hint });
}
