import { useMemo } from 'react';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { CopyButton } from '../common/copy-button.js';
import { deepLink } from '../common/deep-link.js';
import { formatDuration } from '../common/format.js';
import { useExport } from '../stores/export-store.js';
import { useSession } from '../stores/session-store.js';
import { useTraceView, type ArrowMode } from '../stores/trace-view-store.js';
import { CountChooser } from './count-chooser.js';
import { traceExtent, zoomWindow } from './gantt-viewport.js';

// One line of controls at 1024 px: back, the trace (title ellipsized, full on hover), zoom, what
// is drawn (critical path, arrows, depth), counts and export.

const MAX_DEPTH_CHOICES = 12;

export function TraceToolbar({ detail }: { detail: TraceDetail }) {
  const setScreen = useSession((s) => s.setScreen);
  const fileName = useSession((s) => s.bundle?.fileName ?? '');
  const bundlePath = useSession((s) => s.bundle?.path ?? '');
  const selected = useTraceView((s) => s.selectedSpan);
  const win = useTraceView((s) => s.window);
  const setWindow = useTraceView((s) => s.setWindow);
  const critical = useTraceView((s) => s.criticalPath);
  const setCritical = useTraceView((s) => s.setCriticalPath);
  const collapsed = useTraceView((s) => s.collapsed);
  const expandToDepth = useTraceView((s) => s.expandToDepth);
  const arrows = useTraceView((s) => s.arrows);
  const setArrows = useTraceView((s) => s.setArrows);
  const setExport = useExport((s) => s.set);
  const extent = useMemo(() => traceExtent(detail.spans), [detail]);
  const maxDepth = useMemo(() => detail.spans.reduce((m, s) => Math.max(m, s.depth), 0), [detail]);
  const root = detail.spans[0]!;
  const cur = win ?? extent;
  const zoom = (extent.end - extent.start) / (cur.end - cur.start);
  const title = `Trace #${detail.traceId}: ${root.container}, ${formatDuration(root.end - root.start)}, ${detail.spans.length} spans`;
  return (
    <div className="trace-toolbar">
      <button type="button" onClick={() => setScreen('traces')} title="Back to the trace table (Esc, Backspace, Alt+←)">
        ← Traces
      </button>
      <h1 className="trace-title" title={title}>
        Trace #{detail.traceId}{' '}
        <span className="muted">
          {root.container}, {formatDuration(root.end - root.start)}, {detail.spans.length} spans
        </span>
      </h1>
      <CopyButton label={`Copy: a reference to trace #${detail.traceId}`} text={`${fileName} trace #${detail.traceId}`} />
      <CopyButton
        label={selected === null ? `Copy link: opens trace #${detail.traceId} in the app` : `Copy link: opens span ${selected} of trace #${detail.traceId} in the app`}
        text={deepLink(bundlePath, detail.traceId, selected ?? undefined)}
      >
        Link
      </CopyButton>
      <div className="zoom-controls" role="group" aria-label="Zoom">
        <button type="button" aria-label="Zoom out" onClick={() => setWindow(zoomWindow(cur, 1 / 1.5, 0.5, extent))}>
          −
        </button>
        <span className="zoom-level" aria-label="Zoom level">
          {zoom < 10 ? zoom.toFixed(1) : Math.round(zoom)}×
        </span>
        <button type="button" aria-label="Zoom in" onClick={() => setWindow(zoomWindow(cur, 1.5, 0.5, extent))}>
          +
        </button>
        <button type="button" onClick={() => setWindow(null)} disabled={win === null} aria-label="Whole trace" title="Whole trace (0)">
          Whole
        </button>
      </div>
      <label className="check-label" title="Critical path (c)">
        <input type="checkbox" checked={critical} onChange={(e) => setCritical(e.target.checked)} /> Critical path
      </label>
      <select aria-label="Arrows" value={arrows} onChange={(e) => setArrows(e.target.value as ArrowMode)}>
        <option value="all">All arrows</option>
        <option value="requests">Requests</option>
        <option value="none">No arrows</option>
      </select>
      <select
        aria-label="Expand to depth"
        value={collapsed.size === 0 ? 'all' : 'custom'}
        onChange={(e) => expandToDepth(e.target.value === 'all' ? null : Number(e.target.value))}
      >
        <option value="all">All levels</option>
        {collapsed.size > 0 && (
          <option value="custom" disabled>
            {collapsed.size} collapsed
          </option>
        )}
        <option value="0">Collapse all</option>
        {Array.from({ length: Math.min(maxDepth, MAX_DEPTH_CHOICES) - 1 }, (_, i) => i + 1).map((d) => (
          <option key={d} value={d}>
            Depth {d}
          </option>
        ))}
      </select>
      <CountChooser detail={detail} />
      <button type="button" onClick={() => setExport({ open: true })} aria-haspopup="dialog">
        Export…
      </button>
    </div>
  );
}
