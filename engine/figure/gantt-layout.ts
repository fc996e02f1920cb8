import type { AssembledTrace } from '../model/trace-assembly.js';
import { callArrow, clientRequestArrow, clientResponseArrow, returnArrow, type ArrowShape } from './arrow-paths.js';
import { countValue, defaultCountColumns } from './count-columns.js';
import {
  GANTT_LAYOUT_VERSION,
  type BarFlags,
  type GanttArrow,
  type GanttGeometry,
  type GanttLabel,
  type GanttLayout,
  type GanttRow,
  type GanttViewOptions,
  type LayoutStats,
  type LegendEntry,
  type SpanCounts,
  type TimeWindow,
} from './layout-types.js';
import { DEFAULT_LABEL_FIELDS, labelSegments, segmentsWidth, type LabelContext } from './span-label.js';
import { timeAxis } from './time-axis.js';

// The Gantt layout of one request trace: pure data in, pure data out, O(spans) time and memory
// (no per-row scans of other rows), iterative (fork chains can be thousands deep). Rows follow
// the trace's pre-order (the seed figure's tree order); x is time only, so depth shows through
// the arrows, not through indentation that a deep tree would push off the page.

export const DEFAULT_GEOMETRY: Readonly<GanttGeometry> = {
  plotWidth: 900,
  rowPitch: 24,
  barHeight: 16,
  fontSize: 11,
  minBarWidth: 3,
  labelGap: 4,
  arrowStub: 8,
  arrowInset: 6,
  arrowRadius: 4,
  arrowHeadLength: 6,
  arrowHeadHalfWidth: 3,
  clientArrowLength: 18,
};

export interface LayoutInput {
  trace: AssembledTrace;
  /** Per span index (Bundle.spanCounts); missing entries count as zero. */
  counts?: readonly (SpanCounts | undefined)[];
}

const LEGEND_LABELS = {
  network: 'Network thread state',
  fork: 'Fork thread state',
  call: 'Request or fork (at the child’s start)',
  return: 'Response or exit (at the child’s end)',
  inferred: 'Inferred link (dotted, hollow head)',
} as const;

function resolveGeometry(partial: Partial<GanttGeometry> | undefined): GanttGeometry {
  const g = { ...DEFAULT_GEOMETRY, ...partial };
  for (const [k, v] of Object.entries(g)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`geometry.${k} must be a finite number >= 0, got ${v}`);
  }
  if (g.plotWidth <= 0 || g.rowPitch <= 0) throw new RangeError('geometry.plotWidth and geometry.rowPitch must be > 0');
  return g;
}

function traceExtent(trace: AssembledTrace): TimeWindow {
  let start = Infinity;
  let end = -Infinity;
  for (const s of trace.spans) {
    start = Math.min(start, s.start, s.end);
    end = Math.max(end, s.start, s.end);
  }
  return { start, end };
}

export function layoutGantt(input: LayoutInput, view: GanttViewOptions = {}): GanttLayout {
  const { trace } = input;
  const spans = trace.spans;
  const n = spans.length;
  if (n === 0) throw new Error(`trace ${trace.id} has no spans`);
  const g = resolveGeometry(view.geometry);
  const counts = input.counts ?? [];
  const root = spans[0]!;

  const win: TimeWindow = { ...(view.window ?? traceExtent(trace)) };
  if (!Number.isFinite(win.start) || !Number.isFinite(win.end)) throw new RangeError('window start and end must be finite');
  if (win.end < win.start) throw new RangeError(`window ends (${win.end}) before it starts (${win.start})`);
  // A trace of one zero-length span (or a zero-width window) still needs a scale.
  if (win.end === win.start) win.end = win.start + 1;
  const unitsPerNs = g.plotWidth / (win.end - win.start);
  const xOf = (t: number) => (t - win.start) * unitsPerNs;
  const origin = view.origin ?? root.start;
  const columns = view.counts ? [...view.counts] : defaultCountColumns(counts);
  const onlyIntersecting = view.window != null && view.windowRows === 'intersecting';

  // Subtree sizes from the pre-order list: a child's index is always above its parent's.
  const size = new Int32Array(n).fill(1);
  for (let i = n - 1; i > 0; i--) size[spans[i]!.parent]! += size[i]!;
  const collapsed = new Uint8Array(n);
  for (const i of view.collapsed ?? []) if (Number.isInteger(i) && i >= 0 && i < n) collapsed[i] = 1;
  if (view.maxDepth !== undefined) for (const s of spans) if (s.depth === view.maxDepth && s.childCount > 0) collapsed[s.index] = 1;

  const stats: LayoutStats = { spans: n, rows: 0, hiddenByCollapse: 0, hiddenByWindow: 0, widened: 0, zeroDuration: 0, negativeDuration: 0, labelOverhangs: 0 };
  /** Row of the nearest shown ancestor-or-self, per span. */
  const shownAt = new Int32Array(n).fill(-1);
  const rows: GanttRow[] = [];
  const labelsShown = g.rowPitch >= g.fontSize + 2;
  const barY = (g.rowPitch - Math.min(g.barHeight, g.rowPitch)) / 2;
  const barH = Math.min(g.barHeight, g.rowPitch);

  for (let i = 0; i < n; ) {
    const s = spans[i]!;
    const lo = Math.min(s.start, s.end);
    const hi = Math.max(s.start, s.end);
    const parentShown = s.parent >= 0 ? shownAt[s.parent]! : -1;
    if (onlyIntersecting && (hi < win.start || lo > win.end)) {
      stats.hiddenByWindow++;
      shownAt[i] = parentShown;
      // A collapsed span's subtree stays hidden even when the span itself is out of the window.
      if (collapsed[i] && size[i]! > 1) {
        for (let k = i + 1; k < i + size[i]!; k++) shownAt[k] = parentShown;
        stats.hiddenByCollapse += size[i]! - 1;
        i += size[i]!;
      } else i++;
      continue;
    }
    const r = rows.length;
    shownAt[i] = r;
    const flags: BarFlags = {
      widened: false,
      zeroDuration: s.end === s.start,
      negativeDuration: s.end < s.start,
      clippedStart: lo < win.start && hi >= win.start,
      clippedEnd: hi > win.end && lo <= win.end,
      outside: hi < win.start ? 'before' : lo > win.end ? 'after' : null,
    };
    const y = r * g.rowPitch;
    let x0 = xOf(Math.max(lo, win.start));
    let x1 = xOf(Math.min(hi, win.end));
    if (flags.outside === 'before') x0 = x1 = 0;
    else if (flags.outside === 'after') x0 = x1 = g.plotWidth;
    else if (x1 - x0 < g.minBarWidth) {
      flags.widened = true;
      x1 = x0 + g.minBarWidth;
      if (x1 > g.plotWidth) {
        x1 = g.plotWidth;
        x0 = Math.max(0, x1 - g.minBarWidth);
      }
    }
    if (flags.widened) stats.widened++;
    if (flags.zeroDuration) stats.zeroDuration++;
    if (flags.negativeDuration) stats.negativeDuration++;
    const hidden = collapsed[i] ? size[i]! - 1 : 0;
    rows.push({
      row: r,
      span: i,
      parentRow: parentShown,
      depth: s.depth,
      kind: s.kind,
      tid: s.tid,
      container: s.container,
      ip: s.ip,
      start: s.start,
      end: s.end,
      y,
      bar: { x: x0, y: y + barY, width: x1 - x0, height: barH },
      flags,
      collapsed: hidden > 0,
      hiddenDescendants: hidden,
      counts: columns.map((c) => countValue(counts[i], c.probe)),
      label: null,
    });
    if (s.link !== undefined) rows[r]!.link = s.link;
    if (hidden > 0) {
      stats.hiddenByCollapse += hidden;
      i += size[i]!;
    } else i++;
  }
  stats.rows = rows.length;

  const arrows = layoutArrows(rows, g, view);
  const extent = { left: 0, right: g.plotWidth };
  for (const a of arrows) {
    if (a.edge === 'client' && a.direction === 'call') extent.left = Math.min(extent.left, a.tip.x - g.clientArrowLength);
    extent.right = Math.max(extent.right, a.tip.x + g.arrowHeadHalfWidth);
  }
  if (labelsShown) {
    const ctx: LabelContext = {
      fields: view.label?.fields ?? DEFAULT_LABEL_FIELDS,
      columns,
      containerNames: view.label?.containerNames ?? {},
      origin,
    };
    // Arrows beside a bar push its outside labels away: what leaves its end (a response, the
    // client's response) a right label, what enters its start from the left a left label.
    const rightArrow = new Uint8Array(rows.length);
    const leftArrow = new Uint8Array(rows.length);
    for (const a of arrows) {
      if (a.direction === 'return') rightArrow[a.fromRow] = a.edge === 'client' ? 2 : 1;
      else if (a.edge === 'client') leftArrow[a.toRow] = 2;
      else if (a.tip.x === rows[a.toRow]!.bar.x) leftArrow[a.toRow] = 1;
    }
    for (const row of rows) {
      row.label = placeLabel(row, ctx, g, rightArrow[row.row]!, leftArrow[row.row]!);
      if (row.label.overhangs) stats.labelOverhangs++;
      const l = row.label;
      const left = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - l.width : l.x - l.width / 2;
      extent.left = Math.min(extent.left, left);
      extent.right = Math.max(extent.right, left + l.width);
    }
  }

  const axis = timeAxis(win, origin, unitsPerNs, g.plotWidth, origin === root.start ? 'Time since request start' : 'Time');
  return {
    version: GANTT_LAYOUT_VERSION,
    traceId: trace.id,
    geometry: g,
    window: win,
    unitsPerNs,
    size: { width: g.plotWidth, height: rows.length * g.rowPitch },
    extent,
    rows,
    arrows,
    axis,
    legend: legendFor(rows, arrows),
    countColumns: columns,
    labelsShown,
    stats,
  };
}

function layoutArrows(rows: readonly GanttRow[], g: GanttGeometry, view: GanttViewOptions): GanttArrow[] {
  const mode = view.arrows ?? 'all';
  const out: GanttArrow[] = [];
  if (mode === 'none') return out;
  // Object literals with every field, not spreads: spreads are slow per object at 10,000+ arrows.
  const push = (shape: ArrowShape, direction: GanttArrow['direction'], edge: GanttArrow['edge'], fromRow: number, toRow: number, rowMin: number, rowMax: number, link?: GanttRow['link']) => {
    const a: GanttArrow = { direction, edge, fromRow, toRow, rowMin, rowMax, d: shape.d, head: shape.head, tip: shape.tip };
    if (link !== undefined) a.link = link;
    out.push(a);
  };
  for (const row of rows) {
    // A bar cut by the window edge does not show the true start or end an arrow would point at.
    const startShown = row.flags.outside === null && !row.flags.clippedStart;
    const endShown = row.flags.outside === null && !row.flags.clippedEnd;
    if (row.parentRow < 0) {
      if (row.row === 0 && row.depth === 0 && view.clientArrows !== false) {
        if (startShown) push(clientRequestArrow(row.bar, g), 'call', 'client', -1, 0, 0, 0);
        if (endShown && mode === 'all') push(clientResponseArrow(row.bar, g), 'return', 'client', 0, -1, 0, 0);
      }
      continue;
    }
    const parent = rows[row.parentRow]!;
    if (parent.flags.outside !== null) continue;
    if (startShown) push(callArrow(parent.bar, row.bar, g), 'call', row.kind, parent.row, row.row, parent.row, row.row, row.link);
    if (endShown && mode === 'all') push(returnArrow(row.bar, parent.bar, g), 'return', row.kind, row.row, parent.row, parent.row, row.row, row.link);
  }
  return out;
}

/**
 * Inside the bar when it fits; else right of the bar (past its response arrow), else left of it
 * (before the head of the arrow coming in); else on the roomier side, overhanging the plot (the
 * SVG widens its margin to keep it visible). `rightArrow`: 0 none, 1 a response arrow leaves the
 * bar's end, 2 the client's response does; `leftArrow`: 0 none, 1 a request arrow comes in
 * horizontally, 2 the client's request does.
 */
function placeLabel(row: GanttRow, ctx: LabelContext, g: GanttGeometry, rightArrow: number, leftArrow: number): GanttLabel {
  const segments = labelSegments(row, row.flags.outside, ctx);
  const width = segmentsWidth(segments, g.fontSize);
  const text = segments.map((s) => s.text).join(' ');
  const y = row.bar.y + row.bar.height / 2 + g.fontSize * 0.35;
  const b = row.bar;
  const label = (x: number, anchor: GanttLabel['anchor'], placement: GanttLabel['placement'], overhangs: boolean): GanttLabel => ({
    text,
    segments,
    x,
    y,
    anchor,
    placement,
    width,
    overhangs,
  });
  if (row.flags.outside === null && width + 2 * g.labelGap <= b.width) return label(b.x + b.width / 2, 'middle', 'inside', false);
  const xr = b.x + b.width + g.labelGap + (rightArrow === 1 ? g.arrowStub : rightArrow === 2 ? g.clientArrowLength : 0);
  const xl = b.x - g.labelGap - (leftArrow === 1 ? g.arrowHeadLength + 2 : leftArrow === 2 ? g.clientArrowLength : 0);
  const roomRight = g.plotWidth - xr;
  if (row.flags.outside !== 'after' && width <= roomRight) return label(xr, 'start', 'right', false);
  if (row.flags.outside !== 'before' && width <= xl) return label(xl, 'end', 'left', false);
  const right = row.flags.outside === 'before' || (row.flags.outside !== 'after' && roomRight >= xl);
  return right ? label(xr, 'start', 'right', true) : label(xl, 'end', 'left', true);
}

function legendFor(rows: readonly GanttRow[], arrows: readonly GanttArrow[]): LegendEntry[] {
  const out: LegendEntry[] = [];
  for (const k of ['network', 'fork'] as const) if (rows.some((r) => r.kind === k)) out.push({ key: k, label: LEGEND_LABELS[k] });
  for (const d of ['call', 'return'] as const) if (arrows.some((a) => a.direction === d)) out.push({ key: d, label: LEGEND_LABELS[d] });
  if (arrows.some((a) => a.link !== undefined && !a.link.exact)) out.push({ key: 'inferred', label: LEGEND_LABELS.inferred });
  return out;
}
