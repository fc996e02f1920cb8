import { defaultCountLabel } from './count-columns.js';
import type { FigureOptions } from './figure-types.js';
import type { GanttViewOptions } from './layout-types.js';

// A figure export's choices as the app's export panel makes them (the IPC contract's
// FigureExportOptions has this shape), turned into the options `misertrace export` derives from
// its flags, so that the app's file is byte for byte the CLI's (e2e/ui/export.test.ts).

export interface FigureChoices {
  /** Probe names whose counts are printed on the bars. */
  counts: string[];
  /** Span indices whose subtrees are collapsed. */
  collapsed: number[];
  /** Time window (RelNs, as the spans' times); null for the whole trace. */
  window: { start: number; end: number } | null;
  palette: 'color' | 'greyscale';
  title: string | null;
  caption: string | null;
  width: number | null;
}

/** The CLI's options for these choices; `rootStart` is the first trace's root span start. */
export function figureOptionsFor(o: FigureChoices, rootStart: number): FigureOptions {
  const view: GanttViewOptions = { counts: o.counts.map((probe) => ({ probe, label: defaultCountLabel(probe) })) };
  if (o.collapsed.length > 0) view.collapsed = o.collapsed;
  const opts: FigureOptions = { view, greyscale: o.palette === 'greyscale', sharedScale: false, tooltips: true };
  if (o.window !== null) {
    // The CLI's --window is time since the request's start and keeps only the rows it touches.
    opts.windowFromStart = { start: o.window.start - rootStart, end: o.window.end - rootStart };
    view.windowRows = 'intersecting';
  }
  if (o.width !== null) opts.width = o.width;
  if (o.title !== null) opts.title = o.title;
  if (o.caption !== null) opts.caption = o.caption;
  return opts;
}
