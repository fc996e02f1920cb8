import {
  useEffect,
  useMemo,
  useRef,
  type KeyboardEvent,
  type PointerEvent,
} from "react";
import type { TimeWindow } from "../../../engine/figure/layout-types.js";
import type { TraceDetail } from "../../../electron/ipc-contract.js";
import { formatDuration } from "../common/format.js";
import { useElementWidth } from "../common/use-element-width.js";
import { useTraceView } from "../stores/trace-view-store.js";
import { clampWindow, panWindow, traceExtent } from "./gantt-viewport.js";
import { minimapLines } from "./minimap-model.js";
import { TraceStatsButton } from "./trace-stats-button.js";
import "../anchors.css";

// The overview track above the Gantt: every span of the trace as one thin line (one pixel row
// per span, squeezed to the track's height), with the current zoom window drawn over it. Drag the
// window to pan, press elsewhere on the track to move the window there (and keep dragging), or
// Tab to it and use ←/→ (Shift: a whole window), Home/End. Drawn on a canvas: a 10,000-span trace
// would be 10,000 SVG nodes for a 40 px strip. Beside it, the trace's Statistics.

const HEIGHT = 40;

export function GanttMinimap({ detail }: { detail: TraceDetail }) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const extent = useMemo(() => traceExtent(detail.spans), [detail]);
  const lines = useMemo(
    () => minimapLines(detail.spans, extent),
    [detail, extent],
  );
  const stored = useTraceView((s) => s.window);
  const setWindow = useTraceView((s) => s.setWindow);
  const win = stored ?? extent;
  const len = extent.end - extent.start;
  const xOf = (t: number) => ((t - extent.start) / len) * width;
  const drag = useRef<{ x: number; win: TimeWindow } | null>(null);

  useEffect(() => {
    const c = canvas.current;
    if (c === null || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(width * ratio);
    c.height = Math.round(HEIGHT * ratio);
    const ctx = c.getContext("2d");
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    // The colours come from the stylesheet, so the track follows the light or dark theme.
    const css = getComputedStyle(c);
    const colour = {
      network: css.getPropertyValue("--minimap-network").trim() || "#2b7ba6",
      fork: css.getPropertyValue("--minimap-fork").trim() || "#c2410c",
    };
    const pitch = (HEIGHT - 4) / Math.max(1, lines.length);
    const h = Math.max(1, Math.min(3, pitch));
    for (const l of lines) {
      ctx.fillStyle = colour[l.kind];
      ctx.fillRect(
        l.x0 * width,
        2 + l.row * pitch,
        Math.max(1, (l.x1 - l.x0) * width),
        h,
      );
    }
  }, [lines, width]);

  const setWin = (w: TimeWindow) => {
    const c = clampWindow(w, extent);
    setWindow(c.start <= extent.start && c.end >= extent.end ? null : c);
  };
  const timeAt = (e: PointerEvent) =>
    extent.start +
    ((e.clientX - e.currentTarget.getBoundingClientRect().left) /
      Math.max(1, width)) *
      len;
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    let start = win;
    const t = timeAt(e);
    // Outside the window: the window jumps there, centred, and the drag goes on from it.
    if (t < win.start || t > win.end) {
      const half = (win.end - win.start) / 2;
      start = clampWindow({ start: t - half, end: t + half }, extent);
      setWin(start);
    }
    drag.current = { x: e.clientX, win: start };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (d === null) return;
    const span = d.win.end - d.win.start;
    setWin(
      panWindow(
        d.win,
        ((e.clientX - d.x) / Math.max(1, width)) * (len / span),
        extent,
      ),
    );
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 1 : 0.1;
    const span = win.end - win.start;
    let next: TimeWindow | null = null;
    if (e.key === "ArrowLeft") next = panWindow(win, -step, extent);
    else if (e.key === "ArrowRight") next = panWindow(win, step, extent);
    else if (e.key === "Home")
      next = { start: extent.start, end: extent.start + span };
    else if (e.key === "End")
      next = { start: extent.end - span, end: extent.end };
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    setWin(next);
  };
  const origin = detail.spans[0]!.start;
  const left = Math.max(0, xOf(win.start));
  const right = Math.min(width, xOf(win.end));
  const whole = stored === null;
  return (
    <div className="overview-row">
      <div
        className="gantt-minimap"
        ref={ref}
        style={{ height: `${HEIGHT}px` }}
        data-window-left={left.toFixed(1)}
        data-window-width={(right - left).toFixed(1)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = null)}
        onPointerCancel={() => (drag.current = null)}
      >
        <canvas
          ref={canvas}
          className="minimap-canvas"
          style={{ width: `${width}px`, height: `${HEIGHT}px` }}
          aria-hidden="true"
        />
        {width > 0 && (
          <>
            <div
              className="minimap-shade"
              style={{ left: 0, width: `${left}px` }}
            />
            <div
              className="minimap-shade"
              style={{ left: `${right}px`, right: 0 }}
            />
            <div
              className={`minimap-window${whole ? " is-whole" : ""}`}
              style={{
                left: `${left}px`,
                width: `${Math.max(4, right - left)}px`,
              }}
              role="slider"
              tabIndex={0}
              aria-label="Overview of the whole trace: the shown time window (←/→ pan, Shift for a whole window, Home/End)"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(
                ((win.start - extent.start) / len) * 100,
              )}
              aria-valuetext={`${formatDuration(Math.max(0, win.start - origin))} to ${formatDuration(Math.max(0, win.end - origin))} of ${formatDuration(len)}`}
              onKeyDown={onKeyDown}
            />
          </>
        )}
      </div>
      <TraceStatsButton detail={detail} />
    </div>
  );
}
