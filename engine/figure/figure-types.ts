import type { TimeBase } from '../model/time.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import type { FigureSource } from './figure-command.js';
import type { GanttLayout, GanttViewOptions, SpanCounts } from './layout-types.js';

// Inputs and outputs of the SVG figure (engine/figure/svg.ts), shared by the CLI and the app.

export type LengthUnit = 'px' | 'in' | 'cm' | 'mm' | 'pt';

/** CSS user units (px) per unit. */
export const PX_PER: Readonly<Record<LengthUnit, number>> = { px: 1, in: 96, cm: 96 / 2.54, mm: 96 / 25.4, pt: 96 / 72 };

export interface FigureTrace {
  trace: AssembledTrace;
  /** Per span index (Bundle.spanCounts). */
  counts?: readonly (SpanCounts | undefined)[];
  /** Panel heading; default "Trace N" when the figure has several panels, none for one. */
  heading?: string;
}

export interface FigureOptions {
  /** Total width in px (user units); default 960. */
  width?: number;
  /** Total height in px; rows shrink to fit it. Default: as tall as the rows need. */
  height?: number;
  /** Unit of the width and height attributes (the drawing itself is in px at 96 per inch). Default px. */
  unit?: LengthUnit;
  title?: string;
  caption?: string;
  greyscale?: boolean;
  /** Applied to every panel. */
  view?: GanttViewOptions;
  /**
   * The time window as offsets (ns) from each trace's root start, so one window fits every panel;
   * a side left out is the trace's own edge. Overrides view.window.
   */
  windowFromStart?: { start?: number | null; end?: number | null };
  /** Every panel at the same ns per px, so durations compare across panels. */
  sharedScale?: boolean;
  /** A <title> per bar (hover text in browsers). Default true. */
  tooltips?: boolean;
  /** For exact absolute start times in the hover text. */
  base?: TimeBase;
  /** The bundle and the command that regenerate the figure, written into its <metadata>. */
  source?: FigureSource;
}

export interface FigurePanelPlacement {
  /** Position of the panel's rows box (layout coordinates (0,0)) in the SVG. */
  x: number;
  y: number;
  layout: GanttLayout;
}

export interface Figure {
  svg: string;
  width: number;
  height: number;
  panels: FigurePanelPlacement[];
  /** What the figure had to give up (e.g. labels shortened to fit the width), for the user to see. */
  warnings: string[];
}
