import type { SpanLink } from '../model/span-link.js';
import type { StateKind } from '../model/state.js';
import type { RelNs } from '../model/time.js';

// The Gantt layout contract shared by the SVG figure (engine/figure/svg.ts) and the app's
// interactive view (renderer/). Both draw the same GanttLayout, so this file changes only by
// adding optional fields; a breaking change bumps GANTT_LAYOUT_VERSION.
//
// Coordinates are abstract units: 1 unit is 1 CSS px when drawn at scale 1. x grows with time
// (the time window maps to [0, geometry.plotWidth]); y grows downward, row r occupying
// [r * rowPitch, (r + 1) * rowPitch). Labels may overhang the plot (see GanttLayout.extent).
// All values are plain data (no classes, no functions) so a layout can cross a worker boundary.

export const GANTT_LAYOUT_VERSION = 1;

/** Event counts of one span: records consumed by its handler, in total and by probe name (Bundle.spanCounts). */
export interface SpanCounts {
  total: number;
  byProbe: Readonly<Record<string, number>>;
}

/** The pseudo-probe name that selects SpanCounts.total in a CountColumn. */
export const TOTAL_COUNT_PROBE = '*';

/** One count shown in the labels, e.g. {probe: 'tracepoint:sched:sched_migrate_task', label: 'Migrations'}. */
export interface CountColumn {
  probe: string;
  label: string;
}

/** Parts of a span label, in the order given by LabelOptions.fields. */
export type LabelField = 'tid' | 'container' | 'ip' | 'kind' | 'start' | 'duration' | 'counts';

export interface LabelOptions {
  /** Default ['tid', 'container', 'counts'], the seed figure's label. */
  fields?: readonly LabelField[];
  /** Display names by container name (e.g. 'oracle-catalog' -> 'Catalog'); others shown as they are. */
  containerNames?: Readonly<Record<string, string>>;
}

/** Sizes in abstract units. Every field has a default (DEFAULT_GEOMETRY in gantt-layout.ts). */
export interface GanttGeometry {
  /** Width the time window spans. */
  plotWidth: number;
  /** Distance between the tops of two rows. */
  rowPitch: number;
  barHeight: number;
  fontSize: number;
  /** Bars narrower than this (very short, zero or negative durations) are widened to it. */
  minBarWidth: number;
  /** Space between a bar (or an arrow beside it) and a label outside it, and padding inside a bar. */
  labelGap: number;
  /** Horizontal run of a response arrow from the child's end before it turns up to the parent. */
  arrowStub: number;
  /** Distance of a request arrow's vertical trunk from the parent bar's start. */
  arrowInset: number;
  /** Radius of an arrow's bend. */
  arrowRadius: number;
  /** Length and half-width of an arrowhead. */
  arrowHeadLength: number;
  arrowHeadHalfWidth: number;
  /** Length of the client arrows into and out of the root (request from and response to the gateway). */
  clientArrowLength: number;
}

export interface TimeWindow {
  start: RelNs;
  end: RelNs;
}

export interface GanttViewOptions {
  /** The time shown; default the whole trace (earliest start to latest end of its spans). */
  window?: TimeWindow | null;
  /** With a window: keep a row for every span ('all', rows stay put while zooming) or only spans that overlap it. Default 'all'. */
  windowRows?: 'all' | 'intersecting';
  /** Span indices (FlatSpan.index) whose subtrees are hidden; their own rows stay. */
  collapsed?: Iterable<number>;
  /** Collapse every span at this depth (0 = root) that has children. */
  maxDepth?: number;
  /** Counts shown in labels; default: every probe of the counts that is not a model probe (`MT:`), by name. */
  counts?: readonly CountColumn[];
  label?: LabelOptions;
  geometry?: Partial<GanttGeometry>;
  /** Which arrows to draw: all (default), only requests (parent to child at the child's start), or none. */
  arrows?: 'all' | 'requests' | 'none';
  /** Arrows from the outside client into the root's start and out of its end. Default true. */
  clientArrows?: boolean;
  /** Time 0 of the axis; default the root span's start. */
  origin?: RelNs;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarFlags {
  /** Drawn wider than its duration (minBarWidth). */
  widened: boolean;
  zeroDuration: boolean;
  /** end < start in the data; the bar covers [end, start]. */
  negativeDuration: boolean;
  /** The span starts before / ends after the window: the bar is cut at the plot's edge. */
  clippedStart: boolean;
  clippedEnd: boolean;
  /** The span lies wholly before or after the window (only with windowRows 'all'); its bar has width 0 at that edge. */
  outside: 'before' | 'after' | null;
}

export type LabelRole = 'tid' | 'container' | 'ip' | 'kind' | 'start' | 'duration' | 'count-name' | 'count-value' | 'hidden' | 'outside';

export interface LabelSegment {
  text: string;
  role: LabelRole;
  /** Drawn bold (the tid, as in the seed figure). */
  bold: boolean;
}

export interface GanttLabel {
  /** The segments joined with single spaces: what a search in the SVG finds. */
  text: string;
  segments: LabelSegment[];
  /** Anchor point: x per `anchor`, y is the text baseline. */
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  placement: 'inside' | 'right' | 'left';
  /** Estimated width (generous: the widest of the fonts in FONT_STACK). */
  width: number;
  /** The label did not fit inside the plot on either side of its bar and overhangs it. */
  overhangs: boolean;
  /** Set when a figure shortened the label (ending in '…') to keep it on the page. */
  truncated?: boolean;
}

export interface GanttRow {
  /** Index in GanttLayout.rows. */
  row: number;
  /** FlatSpan.index of the span drawn here. */
  span: number;
  /** Row of the nearest shown ancestor, -1 for the root (or when no ancestor is shown). */
  parentRow: number;
  depth: number;
  kind: StateKind;
  tid: number;
  container: string;
  ip: string;
  start: RelNs;
  end: RelNs;
  /** Top of the row. */
  y: number;
  bar: Rect;
  flags: BarFlags;
  /** This span's subtree is hidden (collapsed or below maxDepth). */
  collapsed: boolean;
  /** Number of spans hidden under this row by collapsing. */
  hiddenDescendants: number;
  /** Values of GanttLayout.countColumns for this span (0 when the span has no such records). */
  counts: number[];
  /** null when labels are off (rows too small for text). */
  label: GanttLabel | null;
  /** How the span was linked to its parent (the causal model); absent for the original model. */
  link?: SpanLink;
}

/** 'call': request or fork, from the parent to the child's start. 'return': response or exit, from the child's end back to the parent. */
export type ArrowDirection = 'call' | 'return';

export interface GanttArrow {
  direction: ArrowDirection;
  /** Kind of the edge: the child's kind, or 'client' for the arrows into and out of the root. */
  edge: StateKind | 'client';
  /** Rows joined (fromRow is the parent's for calls, the child's for returns; -1 for the client side). */
  fromRow: number;
  toRow: number;
  /** Rows the arrow crosses (inclusive), to draw only the arrows of visible rows. */
  rowMin: number;
  rowMax: number;
  /** SVG path data of the shaft (straight segments and quadratic bends), ending at the head's base. */
  d: string;
  /** SVG path data of the arrowhead, a closed triangle whose tip touches the target. */
  head: string;
  tip: { x: number; y: number };
  /** The child span's link to its parent (the causal model), for the client arrows absent. */
  link?: SpanLink;
}

export type TimeUnit = 'ns' | 'µs' | 'ms' | 's';

export interface AxisTick {
  /** Time of the tick (RelNs, same base as the spans). */
  t: RelNs;
  x: number;
  /** Value in the axis unit, e.g. '2.5' (the unit is in TimeAxis.title). */
  label: string;
}

export interface TimeAxis {
  /** Time 0 of the tick labels. */
  origin: RelNs;
  unit: TimeUnit;
  /** Nanoseconds per unit. */
  unitNs: number;
  /** Nanoseconds between ticks (1, 2 or 5 times a power of ten). */
  stepNs: number;
  ticks: AxisTick[];
  /** e.g. 'Time since request start (ms)'. */
  title: string;
}

/**
 * Client arrows share the look of call and return arrows, so they have no entry of their own.
 * 'inferred': arrows of links a model inferred rather than saw (drawn dotted, hollow heads).
 */
export type LegendKey = 'network' | 'fork' | 'call' | 'return' | 'inferred';

export interface LegendEntry {
  key: LegendKey;
  label: string;
}

export interface LayoutStats {
  spans: number;
  rows: number;
  hiddenByCollapse: number;
  hiddenByWindow: number;
  widened: number;
  zeroDuration: number;
  negativeDuration: number;
  labelOverhangs: number;
}

export interface GanttLayout {
  version: typeof GANTT_LAYOUT_VERSION;
  traceId: number;
  /** The geometry used, every field resolved. */
  geometry: GanttGeometry;
  window: TimeWindow;
  /** x = (t - window.start) * unitsPerNs. */
  unitsPerNs: number;
  /** The rows' box: width = plotWidth, height = rows * rowPitch. */
  size: { width: number; height: number };
  /** Leftmost and rightmost x drawn (bars, labels, arrows); below 0 or above plotWidth when something overhangs. */
  extent: { left: number; right: number };
  rows: GanttRow[];
  arrows: GanttArrow[];
  axis: TimeAxis;
  /** What the figure shows, in drawing order: the kinds present, then the arrows drawn. */
  legend: LegendEntry[];
  countColumns: CountColumn[];
  /** false when rows are too small for text (geometry.rowPitch < fontSize + 2). */
  labelsShown: boolean;
  stats: LayoutStats;
}
