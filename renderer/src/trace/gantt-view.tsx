import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { GanttLayout, TimeWindow } from '../../../engine/figure/layout-types.js';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { useElementSize } from '../common/use-element-width.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { countColumns } from './count-choice.js';
import { criticalPath } from './critical-path.js';
import { GanttArrows } from './gantt-arrows.js';
import { GanttAxis } from './gantt-axis.js';
import { GANTT_GEOMETRY, GUTTER, LEFT_MARGIN, ROW_PITCH, plotWidthFor } from './gantt-geometry.js';
import { GanttRows } from './gantt-rows.js';
import { GanttTooltip } from './gantt-tooltip.js';
import { clampWindow, layoutToScreen, panWindow, traceExtent, zoomWindow } from './gantt-viewport.js';
import type { WorkerViewOptions } from './layout-messages.js';
import { useGanttKeys } from './use-gantt-keys.js';
import { useGanttLayout } from './use-gantt-layout.js';
import { indexArrows, visibleArrows } from './visible-items.js';

// The interactive Gantt DAG of one trace: the shared layout, drawn for the rows in view only.
// Zoom: Ctrl/⌘+wheel, +/−, a drag across the axis, double-click a span. Pan: drag, Shift+wheel or
// a horizontal wheel, ←/→. Rows scroll vertically with the ordinary wheel.

const OVERSCAN_ROWS = 6;

export function GanttView({ detail }: { detail: TraceDetail }) {
  const [sizeRef, width, height] = useElementSize<HTMLDivElement>();
  const scroller = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [pointer, setPointer] = useState<{ x: number; y: number } | null>(null);
  const plotWidth = plotWidthFor(width);
  const extent = useMemo(() => traceExtent(detail.spans), [detail]);
  const storedWindow = useTraceView((s) => s.window);
  const win = storedWindow ?? extent;
  const setWindow = useTraceView((s) => s.setWindow);
  const collapsed = useTraceView((s) => s.collapsed);
  const shownCounts = useTraceView((s) => s.shownCounts);
  const showCritical = useTraceView((s) => s.criticalPath);
  const selected = useTraceView((s) => s.selectedSpan);
  const hovered = useTraceView((s) => s.hoverSpan);
  const select = useTraceView((s) => s.select);
  const hover = useTraceView((s) => s.hover);
  const toggleCollapsed = useTraceView((s) => s.toggleCollapsed);

  const view = useMemo<WorkerViewOptions>(
    () => ({
      window: win,
      windowRows: 'all',
      collapsed: [...collapsed].sort((x, y) => x - y),
      counts: countColumns(shownCounts),
      geometry: { ...GANTT_GEOMETRY, plotWidth },
    }),
    [win, collapsed, shownCounts, plotWidth],
  );
  const [dragging, setDragging] = useState(false);
  const { layout, error } = useGanttLayout(detail, view, width > 0, dragging);
  const critical = useMemo(() => (showCritical ? criticalPath(detail.spans) : null), [detail, showCritical]);
  const arrowIndex = useMemo(() => (layout === null ? null : indexArrows(layout)), [layout]);
  const rowOfSpan = useMemo(() => rowLookup(layout, detail.spans.length), [layout, detail]);

  const setWin = useCallback((w: TimeWindow | null) => setWindow(w === null ? null : clampWindow(w, extent)), [setWindow, extent]);
  const viewportH = Math.max(0, height);
  const pitch = layout?.geometry.rowPitch ?? ROW_PITCH;
  const rowCount = layout?.rows.length ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / pitch) - OVERSCAN_ROWS);
  const last = Math.min(rowCount - 1, Math.ceil((scrollTop + viewportH) / pitch) + OVERSCAN_ROWS);
  const { a, b } = layout === null ? { a: 1, b: 0 } : layoutToScreen(layout.window, layout.geometry.plotWidth, win, plotWidth);
  const arrows = useMemo(() => (layout === null || arrowIndex === null ? [] : visibleArrows(layout, arrowIndex, first, last)), [layout, arrowIndex, first, last]);
  const stale = layout !== null && (a !== 1 || b !== 0);
  // Quantized, so that the memoized arrows re-clip every few rows of scrolling, not every pixel.
  const band = useMemo(() => {
    const step = pitch * 8;
    const lo = Math.floor(scrollTop / step) * step - step;
    return { lo, hi: lo + viewportH + 3 * step };
  }, [scrollTop, viewportH, pitch]);

  const scrollToSpan = useCallback(
    (span: number) => {
      const r = rowOfSpan[span] ?? -1;
      const el = scroller.current;
      if (r < 0 || el === null) return;
      const top = r * pitch;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + pitch > el.scrollTop + el.clientHeight) el.scrollTop = top + pitch - el.clientHeight;
    },
    [rowOfSpan, pitch],
  );

  // The wheel listener must be non-passive to keep Ctrl+wheel from zooming the whole page.
  useEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const onWheel = (e: WheelEvent) => {
      const rect = el.getBoundingClientRect();
      const anchor = Math.max(0, Math.min(1, (e.clientX - rect.left - GUTTER - LEFT_MARGIN) / plotWidth));
      const cur = useTraceView.getState().window ?? extent;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        setWin(zoomWindow(cur, Math.exp(-e.deltaY * 0.002), anchor, extent));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const d = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX;
        setWin(panWindow(cur, d / plotWidth, extent));
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [plotWidth, extent, setWin]);

  const drag = useRef<{ x: number; win: TimeWindow; moved: boolean; id: number } | null>(null);
  const spanAt = (clientY: number): number | null => {
    const el = scroller.current;
    if (el === null || layout === null) return null;
    const r = Math.floor((clientY - el.getBoundingClientRect().top + el.scrollTop) / pitch);
    return r >= 0 && r < layout.rows.length ? layout.rows[r]!.span : null;
  };

  const keys = useGanttKeys({ detail, layout, rowOfSpan, extent, win, setWin, scrollToSpan });

  return (
    <div className="gantt" ref={sizeRef} data-rows={rowCount} data-window={`${win.start}-${win.end}`} data-stale={stale ? 'yes' : 'no'}>
      <GanttAxis window={win} origin={detail.spans[0]!.start} plotWidth={plotWidth} width={width} onZoomTo={setWin} />
      <div
        className="gantt-scroll"
        ref={scroller}
        tabIndex={0}
        role="tree"
        aria-label={`Spans of trace ${detail.traceId}: ↑/↓ select, ←/→ pan, +/− zoom, 0 reset, Enter collapse, z zoom to span`}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={keys}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          drag.current = { x: e.clientX, win, moved: false, id: e.pointerId };
        }}
        onPointerMove={(e) => {
          const rect = e.currentTarget.getBoundingClientRect();
          const d = drag.current;
          if (d !== null && (d.moved || Math.abs(e.clientX - d.x) > 3)) {
            if (!d.moved) {
              e.currentTarget.setPointerCapture(d.id);
              setDragging(true);
            }
            d.moved = true;
            setWin(panWindow(d.win, -(e.clientX - d.x) / plotWidth, extent));
            return;
          }
          const s = spanAt(e.clientY);
          if (s !== hovered) hover(s);
          setPointer({ x: e.clientX - rect.left, y: e.clientY - rect.top });
        }}
        onPointerLeave={() => {
          hover(null);
          setPointer(null);
        }}
        onPointerCancel={() => {
          drag.current = null;
          setDragging(false);
        }}
        onPointerUp={(e) => {
          const d = drag.current;
          drag.current = null;
          if (d?.moved === true) setDragging(false);
          if (d !== null && !d.moved) {
            const s = spanAt(e.clientY);
            if (s !== null) select(s);
          }
        }}
        onDoubleClick={(e) => {
          const s = spanAt(e.clientY);
          if (s === null) return;
          const sp = detail.spans[s]!;
          const pad = Math.max(50, (sp.end - sp.start) * 0.1);
          setWin({ start: Math.min(sp.start, sp.end) - pad, end: Math.max(sp.start, sp.end) + pad });
        }}
      >
        <div className="gantt-spacer" style={{ height: `${Math.max(rowCount * pitch, viewportH)}px` }}>
          {layout !== null && viewportH > 0 && (
            <svg className="gantt-svg" width={width} height={viewportH}>
              <g transform={`translate(${GUTTER + LEFT_MARGIN},${-scrollTop})`}>
                <GanttRows layout={layout} first={first} last={last} a={a} b={b} critical={critical} selected={selected} hovered={hovered} plotWidth={plotWidth} onToggle={toggleCollapsed} />
                <GanttArrows layout={layout} indices={arrows} band={band} a={a} b={b} critical={critical} />
              </g>
            </svg>
          )}
        </div>
      </div>
      {layout === null && error === null && <div className="gantt-status">Laying out {detail.spans.length} spans…</div>}
      {error !== null && (
        <div className="gantt-status error-box" role="alert">
          The layout failed: {error}
        </div>
      )}
      {hovered !== null && pointer !== null && drag.current === null && <GanttTooltip detail={detail} span={hovered} x={pointer.x} y={pointer.y + 30} />}
    </div>
  );
}

function rowLookup(layout: GanttLayout | null, spans: number): Int32Array {
  const out = new Int32Array(spans).fill(-1);
  if (layout !== null) for (const r of layout.rows) out[r.span] = r.row;
  return out;
}
