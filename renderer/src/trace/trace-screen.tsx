import { useEffect, useState } from 'react';
import { ExportPanel } from '../export/export-panel.js';
import { FigureEditor } from '../export/figure-editor.js';
import { useElementWidth } from '../common/use-element-width.js';
import { useExport } from '../stores/export-store.js';
import { useSession } from '../stores/session-store.js';
import { DETAILS_WIDTH, useTraceView } from '../stores/trace-view-store.js';
import { GanttMinimap } from './gantt-minimap.js';
import { GanttView } from './gantt-view.js';
import { PanelSplitter } from './panel-splitter.js';
import { SpanDetails } from './span-details.js';
import { SpanSearchBar } from './span-search-bar.js';
import { TraceToolbar } from './trace-toolbar.js';

// The trace view: toolbar, the Gantt (Ctrl+F finds spans), and a resizable side column with the
// export panel (when open) and the selected span's details. Esc clears the selection (or closes the export panel),
// then goes back to the table, as Backspace and Alt+← do.

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return el !== null && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export function TraceScreen() {
  const detail = useTraceView((s) => s.detail);
  const selected = useTraceView((s) => s.selectedSpan);
  const sideWidth = useTraceView((s) => s.detailsWidth);
  const setSideWidth = useTraceView((s) => s.setDetailsWidth);
  const exportOpen = useExport((s) => s.open);
  const editorOpen = useExport((s) => s.editorOpen);
  const [bodyRef, bodyWidth] = useElementWidth<HTMLDivElement>();
  const [search, setSearch] = useState<{ open: boolean; query: string }>({ open: false, query: '' });
  const [matches, setMatches] = useState<ReadonlySet<number> | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        setSearch((s) => ({ ...s, open: true }));
        (document.querySelector('.span-search input') as HTMLInputElement | null)?.focus();
        return;
      }
      if (e.defaultPrevented || typing(e.target)) return;
      const back = () => {
        e.preventDefault();
        useSession.getState().setScreen('traces');
      };
      if (e.key === 'Backspace' && !e.altKey && !e.ctrlKey && !e.metaKey) back();
      else if (e.key === 'ArrowLeft' && e.altKey) back();
      else if (e.key === 'Escape') {
        if (useExport.getState().editorOpen) useExport.getState().set({ editorOpen: false });
        else if (useExport.getState().open) useExport.getState().set({ open: false });
        else if (useTraceView.getState().selectedSpan !== null) useTraceView.getState().select(null);
        else back();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (detail === null) return <p className="muted">Open a trace from the table.</p>;
  const max = Math.max(DETAILS_WIDTH.min, bodyWidth * DETAILS_WIDTH.maxShare);
  const width = Math.min(sideWidth, max);
  return (
    <main className="trace-screen" aria-label={`Trace ${detail.traceId}`}>
      <TraceToolbar detail={detail} />
      {editorOpen && <FigureEditor />}
      <div className="trace-body" ref={bodyRef}>
        <div className="gantt-column">
          {search.open && (
            <SpanSearchBar
              detail={detail}
              query={search.query}
              onQuery={(query) => setSearch({ open: true, query })}
              onMatches={setMatches}
              onClose={() => {
                setSearch((s) => ({ ...s, open: false }));
                setMatches(null);
                (document.querySelector('.gantt-scroll') as HTMLElement | null)?.focus();
              }}
            />
          )}
          <GanttMinimap key={`minimap:${detail.bundleId}:${detail.traceId}`} detail={detail} />
          <GanttView key={`${detail.bundleId}:${detail.traceId}`} detail={detail} matches={search.open ? matches : null} />
        </div>
        <PanelSplitter width={width} min={DETAILS_WIDTH.min} max={max} onChange={setSideWidth} />
        <div className="side-column" style={{ width: `${width}px` }}>
          {exportOpen && <ExportPanel />}
          {selected !== null ? (
            <SpanDetails detail={detail} span={selected} />
          ) : (
            <aside className="span-details span-details-empty" aria-label="Span details">
              <p className="muted">Click a span (or use ↑/↓) to see its times, thread, event counts and raw records.</p>
              <p className="muted">Zoom: Ctrl+wheel, +/−, drag across the axis, double-click a span. Pan: drag or ←/→. Collapse: the ▾ at a row’s start (Tab to it) or Enter. Back to the table: Esc, Backspace or Alt+←.</p>
            </aside>
          )}
        </div>
      </div>
    </main>
  );
}
