import { defaultCountColumns } from './count-columns.js';
import type { FigureOptions, FigureTrace } from './figure-types.js';
import { DEFAULT_GEOMETRY, layoutGantt } from './gantt-layout.js';
import type { GanttGeometry, GanttLayout, GanttViewOptions, TimeWindow } from './layout-types.js';

// Fits the panels' layouts into the figure: one plot width for all panels (their time axes line
// up), as wide as the figure allows once labels that overhang the plot have room, and a row
// pitch that meets a requested height.

export const FIGURE_MARGIN = 16;
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
    if (end <= start) throw new RangeError(`the window ends before it starts in trace ${trace.id}`);
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
  let plotWidth = Math.max(MIN_PLOT_WIDTH, width - 2 * FIGURE_MARGIN - DEFAULT_GEOMETRY.clientArrowLength - 4);
  let layouts = run(plotWidth);
  if (opts.height !== undefined) {
    const rows = layouts.reduce((a, l) => a + l.rows.length, 0);
    const pitch = Math.min(layouts[0]!.geometry.rowPitch, (opts.height - chromeHeight) / Math.max(1, rows));
    if (!(pitch >= 1)) {
      throw new RangeError(`a height of ${opts.height} px leaves ${Math.floor(opts.height - chromeHeight)} px for ${rows} rows; at least ${Math.ceil(chromeHeight + rows)} px are needed`);
    }
    geometry = scaledForPitch(geometry, pitch);
    layouts = run(plotWidth);
  }
  for (let round = 0; round < MAX_FIT_ROUNDS; round++) {
    const left = Math.max(0, ...layouts.map((l) => -l.extent.left));
    const right = Math.max(0, ...layouts.map((l) => l.extent.right - plotWidth));
    const room = width - 2 * FIGURE_MARGIN - left - right;
    if (room >= plotWidth - 0.5 || plotWidth <= MIN_PLOT_WIDTH) return { layouts, left, right };
    plotWidth = Math.max(MIN_PLOT_WIDTH, Math.floor(room));
    layouts = run(plotWidth);
  }
  const left = Math.max(0, ...layouts.map((l) => -l.extent.left));
  const right = Math.max(0, ...layouts.map((l) => l.extent.right - plotWidth));
  return { layouts, left, right };
}
