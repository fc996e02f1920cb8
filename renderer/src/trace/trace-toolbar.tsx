import { useMemo } from 'react';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { formatDuration } from '../common/format.js';
import { useExport } from '../stores/export-store.js';
import { useSession } from '../stores/session-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { CountChooser } from './count-chooser.js';
import { traceExtent, zoomWindow } from './gantt-viewport.js';

export function TraceToolbar({ detail }: { detail: TraceDetail }) {
  const setScreen = useSession((s) => s.setScreen);
  const win = useTraceView((s) => s.window);
  const setWindow = useTraceView((s) => s.setWindow);
  const critical = useTraceView((s) => s.criticalPath);
  const setCritical = useTraceView((s) => s.setCriticalPath);
  const collapsed = useTraceView((s) => s.collapsed);
  const setCollapsed = useTraceView((s) => s.setCollapsed);
  const exportOpen = useExport((s) => s.open);
  const setExport = useExport((s) => s.set);
  const extent = useMemo(() => traceExtent(detail.spans), [detail]);
  const root = detail.spans[0]!;
  const cur = win ?? extent;
  const zoom = (extent.end - extent.start) / (cur.end - cur.start);
  return (
    <div className="trace-toolbar">
      <button type="button" onClick={() => setScreen('traces')} aria-label="Back to the trace table">
        ← Traces
      </button>
      <h1 className="trace-title">
        Trace #{detail.traceId} <span className="muted">{root.container}, {formatDuration(root.end - root.start)}, {detail.spans.length} spans</span>
      </h1>
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
        <button type="button" onClick={() => setWindow(null)} disabled={win === null}>
          Whole trace
        </button>
      </div>
      <label className="check-label">
        <input type="checkbox" checked={critical} onChange={(e) => setCritical(e.target.checked)} /> Critical path
      </label>
      {collapsed.size > 0 && (
        <button type="button" onClick={() => setCollapsed(new Set())}>
          Expand all ({collapsed.size})
        </button>
      )}
      <CountChooser detail={detail} />
      <button type="button" className={exportOpen ? 'primary' : ''} aria-expanded={exportOpen} onClick={() => setExport({ open: !exportOpen })}>
        Export…
      </button>
    </div>
  );
}
