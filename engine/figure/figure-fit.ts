import { InputError } from '../model/meta.js';
import { formatDuration } from '../model/time.js';
import { defaultCountColumns } from './count-columns.js';
import type { FigureOptions, FigureTrace } from './figure-types.js';
import { DEFAULT_GEOMETRY, layoutGantt } from './gantt-layout.js';
import type { GanttGeometry, GanttLayout, GanttViewOptions, TimeWindow } from './layout-types.js';
import { segmentsWidth, shortenLabel } from './span-label.js';

// Fits the panels' layouts into the figure: one plot width for all panels (their time axes line
// up), as wide as the figure allows once labels that overhang the plot have room, and a row
// pitch that meets a requested height.

export const FIGURE_MARGIN = 16;
/** The plot keeps at least this share of the figure's width; past that, labels are shortened instead. */
const MIN_PLOT_SHARE = 0.5;
const MIN_PLOT_WIDTH = 80;
const MAX_FIT_ROUNDS = 6;

/** Geometry at a font size: rows and bars scale with the text, as in the default 11 / 24 / 16. */
export function geometryFor(fontSize: number | undefined, partial: Partial<GanttGeometry> = {}): Partial<GanttGeometry> {
  if (fontSize === undefined) return partial;
  const k = fontSize / DEFAULT_GEOMETRY.fontSize;
  return { rowPitch: DEFAULT_GEOMETRY.rowPitch * k, barHeight: DEFAULT_GEOMETRY.barHeight * k, fontSize, ...partial };
}

/** Arrow sizes shrink with rows smaller than the default, so arrows stay inside their rows. */
function scaledForPitch(g: Partial<GanttGeometry>, rowPitch: number): Partial<GanttGeometry> {
  const base = g.rowPitch ?? DEFAULT_GEOMETRY.rowPitch;
  const k = Math.min(1, rowPitch / base);
  const barHeight = (g.barHeight ?? DEFAULT_GEOMETRY.barHeight) * (rowPitch / base);
  return {
    ...g,
    rowPitch,
    barHeight,
    arrowRadius: DEFAULT_GEOMETRY.arrowRadius * k,
    arrowHeadLength: DEFAULT_GEOMETRY.arrowHeadLength * k,
    arrowHeadHalfWidth: DEFAULT_GEOMETRY.arrowHeadHalfWidth * k,
  };
}

function extentOf(trace: FigureTrace['trace']): TimeWindow {
  let start = Infinity;
  let end = -Infinity;
  for (const s of trace.spans) {
    start = Math.min(start, s.start, s.end);
    end = Math.max(end, s.start, s.end);
  }
  return { start, end };
}

function relativeWindows(traces: readonly FigureTrace[], rel: NonNullable<FigureOptions['windowFromStart']>): TimeWindow[] {
  return traces.map(({ trace }) => {
    const ext = extentOf(trace);
    const t0 = trace.spans[0]!.start;
    const start = rel.start == null ? ext.start : t0 + rel.start;
    const end = rel.end == null ? ext.end : t0 + rel.end;
    if (end <= start) throw new InputError(`the window ends before it starts in trace ${trace.id}`, `trace ${trace.id} lasts ${formatDuration(ext.end - t0)}`);
    return { start, end };
  });
}

function sharedWindows(traces: readonly FigureTrace[]): TimeWindow[] {
  const ext = traces.map(({ trace }) => extentOf(trace));
  const longest = Math.max(...ext.map((e) => e.end - e.start), 1);
  return ext.map((e) => ({ start: e.start, end: e.start + longest }));
}

export interface FittedPanels {
  layouts: GanttLayout[];
  /** Labels shortened to stay on the page. */
  truncated: number;
  /** Overhang of labels and arrows left of the plot's x = 0 and right of its plotWidth. */
  left: number;
  right: number;
}

/**
 * Lays out every panel at a plot width that leaves room for the overhangs, within `width`.
 * `chromeHeight` is everything but the rows, for fitting a requested height.
 */
export function fitPanels(traces: readonly FigureTrace[], opts: FigureOptions, width: number, chromeHeight: number): FittedPanels {
  // Panels show the same counts, so a column missing from one trace's records reads as 0 there.
  const view: GanttViewOptions = { ...opts.view, counts: opts.view?.counts ?? defaultCountColumns(traces.flatMap((t) => t.counts ?? [])) };
  const windows = opts.windowFromStart ? relativeWindows(traces, opts.windowFromStart) : opts.sharedScale && !view.window ? sharedWindows(traces) : null;
  let geometry: Partial<GanttGeometry> = { ...view.geometry };
  const run = (plotWidth: number) =>
    traces.map((t, i) =>
      layoutGantt({ trace: t.trace, counts: t.counts }, { ...view, ...(windows ? { window: windows[i] } : {}), geometry: { ...geometry, plotWidth } }),
    );
  const minPlot = Math.max(MIN_PLOT_WIDTH, MIN_PLOT_SHARE * (width - 2 * FIGURE_MARGIN));
  // First guess: room for the client arrows on both sides, which most figures have; labels that
  // still overhang cost another round.
  const clientArrows = 2 * DEFAULT_GEOMETRY.clientArrowLength + DEFAULT_GEOMETRY.arrowHeadHalfWidth;
  let plotWidth = Math.max(minPlot, width - 2 * FIGURE_MARGIN - clientArrows);
  let layouts = run(plotWidth);
  layouts.forEach((l, i) => {
    if (l.rows.length > 0) return;
    const t = traces[i]!.trace;
    const ext = extentOf(t);
    throw new InputError(`no span of trace ${t.id} falls in the time window`, `trace ${t.id} lasts ${formatDuration(ext.end - t.spans[0]!.start)} from its start`);
  });
  if (opts.height !== undefined) {
    const rows = layouts.reduce((a, l) => a + l.rows.length, 0);
    const pitch = Math.min(layouts[0]!.geometry.rowPitch, (opts.height - chromeHeight) / Math.max(1, rows));
    if (!(pitch >= 1)) {
      throw new InputError(
        `a height of ${Math.round(opts.height)} px leaves ${Math.floor(opts.height - chromeHeight)} px for ${rows} rows; at least ${Math.ceil(chromeHeight + rows)} px are needed`,
        'leave the height out (the figure grows with its rows), collapse subtrees (--collapse, --max-depth) or show a time window (--window)',
      );
    }
    geometry = scaledForPitch(geometry, pitch);
    layouts = run(plotWidth);
  }
  for (let round = 0; round < MAX_FIT_ROUNDS; round++) {
    const left = Math.max(0, ...layouts.map((l) => -l.extent.left));
    const right = Math.max(0, ...layouts.map((l) => l.extent.right - plotWidth));
    const room = width - 2 * FIGURE_MARGIN - left - right;
    if (room >= plotWidth - 0.5) return { layouts, left, right, truncated: 0 };
    if (plotWidth <= minPlot) break;
    plotWidth = Math.max(minPlot, Math.floor(room));
    layouts = run(plotWidth);
  }
  return squeezeLabels(layouts, width - 2 * FIGURE_MARGIN - plotWidth, plotWidth);
}

/**
 * The figure is too narrow for some labels even with the smallest plot: share the margin out
 * and shorten the labels that would leave the page.
 */
function squeezeLabels(layouts: GanttLayout[], margin: number, plotWidth: number): FittedPanels {
  const needLeft = Math.max(0, ...layouts.map((l) => -l.extent.left));
  const needRight = Math.max(0, ...layouts.map((l) => l.extent.right - plotWidth));
  const left = Math.min(needLeft, Math.max(margin - needRight, margin / 2));
  const right = margin - left;
  let truncated = 0;
  for (const l of layouts) {
    const fs = l.geometry.fontSize;
    for (const row of l.rows) {
      const lb = row.label;
      if (!lb || lb.anchor === 'middle') continue;
      let room = lb.anchor === 'start' ? plotWidth + right - lb.x : lb.x + left;
      if (lb.width <= room) continue;
      // A wide bar (the root's, typically) holds more of its label than the margin beside it.
      const inside = row.bar.width - 2 * l.geometry.labelGap;
      if (row.flags.outside === null && inside > room) {
        room = inside;
        lb.x = row.bar.x + row.bar.width / 2;
        lb.anchor = 'middle';
        lb.placement = 'inside';
        lb.overhangs = false;
      }
      const segments = shortenLabel(lb.segments, room, fs) ?? [];
      lb.segments = segments;
      lb.text = segments.map((s) => s.text).join(' ');
      lb.width = segmentsWidth(segments, fs);
      lb.truncated = true;
      truncated++;
    }
    l.extent = { left: Math.max(l.extent.left, -left), right: Math.min(l.extent.right, plotWidth + right) };
  }
  return { layouts, left, right, truncated };
}
