import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { criticalPath, type CriticalSegment } from '../../../engine/figure/critical-path.js';
import type { GanttLayout, TimeWindow } from '../../../engine/figure/layout-types.js';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { useElementSize } from '../common/use-element-width.js';
import { useSession } from '../stores/session-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { countColumns } from './count-choice.js';
import { containerColours } from './container-colours.js';
import { GanttArrows } from './gantt-arrows.js';
import { GanttAxis } from './gantt-axis.js';
import { GANTT_GEOMETRY, GUTTER, LEFT_MARGIN, RIGHT_MARGIN, ROW_PITCH, plotWidthFor, shortContainerNames } from './gantt-geometry.js';
import { GanttLegend } from './gantt-legend.js';
import { GanttRows } from './gantt-rows.js';
import { GanttToggles } from './gantt-toggles.js';
import { GanttTooltip } from './gantt-tooltip.js';
import { clampWindow, layoutToScreen, panWindow, traceExtent, zoomWindow } from './gantt-viewport.js';
import type { WorkerViewOptions } from './layout-messages.js';
import { useGanttKeys } from './use-gantt-keys.js';
import { useGanttLayout } from './use-gantt-layout.js';
import { indexArrows, visibleArrows } from './visible-items.js';

// The interactive Gantt DAG of one trace: the shared layout, drawn for the rows in view only.
// Zoom: Ctrl/⌘+wheel, +/−, a drag across the axis, double-click a span. Pan: drag, Shift+wheel or
// a horizontal wheel, ←/→. Rows scroll vertically with the ordinary wheel; labels that overhang
// the plot widen the content, which then scrolls horizontally (never cut at the left edge).

const OVERSCAN_ROWS = 6;

export function GanttView({ detail, matches = null }: { detail: TraceDetail; matches?: ReadonlySet<number> | null }) {
  const [sizeRef, width, height] = useElementSize<HTMLDivElement>();
  const scroller = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [pointer, setPointer] = useState<{ x: number; y: number } | null>(null);
  // Room left of the plot for labels that overhang it; it only grows while a trace is shown, so
  // zooming never makes the plot jump sideways.
  const [labelRoom, setLabelRoom] = useState(LEFT_MARGIN);
  const plotWidth = plotWidthFor(width, labelRoom);
  const plotLeft = GUTTER + labelRoom;
  const extent = useMemo(() => traceExtent(detail.spans), [detail]);
  const storedWindow = useTraceView((s) => s.window);
  const win = storedWindow ?? extent;
  const setWindow = useTraceView((s) => s.setWindow);
  const collapsed = useTraceView((s) => s.collapsed);
  const shownCounts = useTraceView((s) => s.shownCounts);
  const showCritical = useTraceView((s) => s.criticalPath);
  const arrowMode = useTraceView((s) => s.arrows);
  const model = useSession((s) => s.bundle?.model ?? 'original');
  const colourBy = useTraceView((s) => s.colourBy);
  const colours = useMemo(() => (colourBy === 'container' ? containerColours(detail.spans.map((s) => s.container)) : null), [detail, colourBy]);
  const selected = useTraceView((s) => s.selectedSpan);
  const hovered = useTraceView((s) => s.hoverSpan);
  const select = useTraceView((s) => s.select);
  const hover = useTraceView((s) => s.hover);
  const toggleCollapsed = useTraceView((s) => s.toggleCollapsed);
  const containerNames = useMemo(() => shortContainerNames(new Set(detail.spans.map((s) => s.container))), [detail]);

  const view = useMemo<WorkerViewOptions>(
    () => ({
      window: win,
      windowRows: 'all',
      collapsed: [...collapsed].sort((x, y) => x - y),
      counts: countColumns(shownCounts),
      geometry: { ...GANTT_GEOMETRY, plotWidth },
      arrows: arrowMode,
      label: { containerNames },
    }),
    [win, collapsed, shownCounts, plotWidth, arrowMode, containerNames],
  );
  const [dragging, setDragging] = useState(false);
  const { layout, error } = useGanttLayout(detail, view, width > 0, dragging);
  const critical = useMemo(() => (showCritical ? criticalSets(detail) : null), [detail, showCritical]);
  const arrowIndex = useMemo(() => (layout === null ? null : indexArrows(layout)), [layout]);
  const rowOfSpan = useMemo(() => rowLookup(layout, detail.spans.length), [layout, detail]);
  useEffect(() => {
    if (layout === null) return;
    const need = Math.ceil(-layout.extent.left) + 8;
    if (need > labelRoom) setLabelRoom(need);
  }, [layout, labelRoom]);

  const setWin = useCallback((w: TimeWindow | null) => setWindow(w === null ? null : clampWindow(w, extent)), [setWindow, extent]);
  const viewportH = Math.max(0, height);
  const pitch = layout?.geometry.rowPitch ?? ROW_PITCH;
  const rowCount = layout?.rows.length ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / pitch) - OVERSCAN_ROWS);
  const last = Math.min(rowCount - 1, Math.ceil((scrollTop + viewportH) / pitch) + OVERSCAN_ROWS);
  const { a, b } = layout === null ? { a: 1, b: 0 } : layoutToScreen(layout.window, layout.geometry.plotWidth, win, plotWidth);
  const arrows = useMemo(() => (layout === null || arrowIndex === null ? [] : visibleArrows(layout, arrowIndex, first, last)), [layout, arrowIndex, first, last]);
  const stale = layout !== null && (a !== 1 || b !== 0);
  const contentWidth = Math.max(width, Math.ceil(plotLeft + Math.max(plotWidth + RIGHT_MARGIN, (layout?.extent.right ?? 0) + 10)));
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
  // A span chosen elsewhere (search, the details panel) is brought into view.
  useEffect(() => {
    if (selected !== null) scrollToSpan(selected);
  }, [selected, scrollToSpan]);

  const setRefs = useCallback(
    (el: HTMLDivElement | null) => {
      scroller.current = el;
      sizeRef(el);
    },
    [sizeRef],
  );
  /** Pointer x as a fraction across the plot. */
  const plotFraction = useCallback(
    (clientX: number) => {
      const el = scroller.current;
      if (el === null) return 0.5;
      return (clientX - el.getBoundingClientRect().left + el.scrollLeft - plotLeft) / plotWidth;
    },
    [plotLeft, plotWidth],
  );

  // The wheel listener must be non-passive to keep Ctrl+wheel from zooming the whole page.
  useEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const onWheel = (e: WheelEvent) => {
      const anchor = Math.max(0, Math.min(1, plotFraction(e.clientX)));
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
  }, [plotWidth, extent, setWin, plotFraction]);

  const drag = useRef<{ x: number; win: TimeWindow; moved: boolean; id: number } | null>(null);
  const spanAt = (clientY: number): number | null => {
    const el = scroller.current;
    if (el === null || layout === null) return null;
    const r = Math.floor((clientY - el.getBoundingClientRect().top + el.scrollTop) / pitch);
    return r >= 0 && r < layout.rows.length ? layout.rows[r]!.span : null;
  };

  const keys = useGanttKeys({ detail, layout, rowOfSpan, extent, win, setWin, scrollToSpan });

  return (
    <div className="gantt" data-rows={rowCount} data-window={`${win.start}-${win.end}`} data-stale={stale ? 'yes' : 'no'} data-label-room={labelRoom}>
      <div className="gantt-axis-wrap">
        <GanttAxis window={win} origin={detail.spans[0]!.start} plotWidth={plotWidth} width={width} plotLeft={plotLeft - scrollLeft} onZoomTo={setWin} />
      </div>
      <div className="gantt-body">
        <div
          className="gantt-scroll"
          ref={setRefs}
          tabIndex={0}
          role="tree"
          aria-label={`Spans of trace ${detail.traceId}: ↑/↓ select, ←/→ pan, +/− zoom, 0 reset, Enter collapse, z zoom to span, Esc back to the table`}
          aria-activedescendant={selected !== null && rowOfSpan[selected]! >= 0 ? `gantt-span-${selected}` : undefined}
          onScroll={(e) => {
            setScrollTop(e.currentTarget.scrollTop);
            setScrollLeft(e.currentTarget.scrollLeft);
          }}
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
          <div className="gantt-spacer" style={{ height: `${Math.max(rowCount * pitch, viewportH)}px`, width: `${contentWidth}px` }}>
            {layout !== null && viewportH > 0 && (
              <svg className="gantt-svg" width={contentWidth} height={viewportH} role="presentation">
                <g transform={`translate(${plotLeft},${-scrollTop})`} role="presentation">
                  <GanttRows
                    layout={layout}
                    first={first}
                    last={last}
                    a={a}
                    b={b}
                    critical={critical}
                    selected={selected}
                    hovered={hovered}
                    matches={matches}
                    colours={colours}
                    plotWidth={plotWidth}
                    plotLeft={plotLeft}
                    contentWidth={contentWidth}
                    sched={detail.sched?.spans ?? null}
                    between={<GanttArrows layout={layout} indices={arrows} band={band} a={a} b={b} critical={critical?.spans ?? null} />}
                  />
                </g>
              </svg>
            )}
          </div>
        </div>
        {layout !== null && viewportH > 0 && <GanttToggles layout={layout} first={first} last={last} scrollTop={scrollTop} height={viewportH} onToggle={toggleCollapsed} />}
      </div>
      <GanttLegend detail={detail} critical={showCritical} arrows={arrowMode} model={model} colours={colours} />
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

function criticalSets(detail: TraceDetail): { spans: Set<number>; segments: Map<number, CriticalSegment[]> } {
  const cp = criticalPath(detail.spans);
  const segments = new Map<number, CriticalSegment[]>();
  for (const s of cp.segments) {
    const list = segments.get(s.span);
    if (list === undefined) segments.set(s.span, [s]);
    else list.push(s);
  }
  return { spans: new Set(cp.spans), segments };
}

function rowLookup(layout: GanttLayout | null, spans: number): Int32Array {
  const out = new Int32Array(spans).fill(-1);
  if (layout !== null) for (const r of layout.rows) out[r.span] = r.row;
  return out;
}
