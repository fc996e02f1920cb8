import { ExportPanel } from '../export/export-panel.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { GanttView } from './gantt-view.js';
import { SpanDetails } from './span-details.js';
import { TraceToolbar } from './trace-toolbar.js';

export function TraceScreen() {
  const detail = useTraceView((s) => s.detail);
  const selected = useTraceView((s) => s.selectedSpan);
  if (detail === null) return <p className="muted">Open a trace from the table.</p>;
  return (
    <main className="trace-screen" aria-label={`Trace ${detail.traceId}`}>
      <TraceToolbar detail={detail} />
      <ExportPanel />
      <div className="trace-body">
        <GanttView key={`${detail.bundleId}:${detail.traceId}`} detail={detail} />
        {selected !== null ? (
          <SpanDetails detail={detail} span={selected} />
        ) : (
          <aside className="span-details span-details-empty">
            <p className="muted">Click a span (or use ↑/↓) to see its times, thread, event counts and raw records.</p>
            <p className="muted">Zoom: Ctrl+wheel, +/−, drag across the axis, double-click a span. Pan: drag or ←/→. Collapse: the ▾ at a row’s start or Enter.</p>
          </aside>
        )}
      </div>
    </main>
  );
}
