import type { TimeWindow } from '../../../engine/figure/layout-types.js';

// Zoom and pan as pure functions on the time window. The window never leaves the trace's extent
// (plus a margin) and never gets narrower than MIN_WINDOW_NS, so a key held down cannot lose it.

export const MIN_WINDOW_NS = 50;

export function traceExtent(spans: readonly { start: number; end: number }[]): TimeWindow {
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    start = Math.min(start, s.start, s.end);
    end = Math.max(end, s.start, s.end);
  }
  if (end <= start) end = start + 1;
  return { start, end };
}

/** Keeps `w` inside the extent (with 5% slack on each side) and at least MIN_WINDOW_NS wide. */
export function clampWindow(w: TimeWindow, extent: TimeWindow): TimeWindow {
  const slack = (extent.end - extent.start) * 0.05;
  const lo = extent.start - slack;
  const hi = extent.end + slack;
  let len = Math.max(MIN_WINDOW_NS, Math.min(w.end - w.start, hi - lo));
  let start = w.start;
  if (start < lo) start = lo;
  if (start + len > hi) start = hi - len;
  len = Math.round(len);
  start = Math.round(start);
  return { start, end: start + len };
}

/** Zoom by `factor` (>1 zooms in) keeping the time under `anchor` (0..1 across the plot) in place. */
export function zoomWindow(w: TimeWindow, factor: number, anchor: number, extent: TimeWindow): TimeWindow {
  const len = w.end - w.start;
  const t = w.start + len * anchor;
  const nlen = len / factor;
  return clampWindow({ start: t - nlen * anchor, end: t - nlen * anchor + nlen }, extent);
}

/** Pan by a fraction of the window's width (positive moves later in time). */
export function panWindow(w: TimeWindow, fraction: number, extent: TimeWindow): TimeWindow {
  const d = (w.end - w.start) * fraction;
  return clampWindow({ start: w.start + d, end: w.end + d }, extent);
}

/**
 * Maps x of a layout computed for window `laid` at plot width `laidWidth` onto the screen showing
 * window `shown` at plot width `plotWidth`: screen = a * x + b. While a fresh layout is on its way,
 * the previous one is drawn through this map, so zooming and panning never wait for the layout.
 */
export function layoutToScreen(laid: TimeWindow, laidWidth: number, shown: TimeWindow, plotWidth: number): { a: number; b: number } {
  const shownLen = shown.end - shown.start;
  const a = ((laid.end - laid.start) / shownLen) * (plotWidth / laidWidth);
  const b = ((laid.start - shown.start) * plotWidth) / shownLen;
  return { a, b };
}
