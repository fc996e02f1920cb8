import { memo, type ReactNode } from 'react';
import type { CriticalSegment } from '../../../engine/figure/critical-path.js';
import type { GanttLayout, GanttRow } from '../../../engine/figure/layout-types.js';
import { COLOUR_PALETTE } from '../../../engine/figure/palette.js';
import { segmentsWidth } from '../../../engine/figure/span-label.js';
import { GUTTER } from './gantt-geometry.js';

// Bars, labels and collapse toggles of the visible rows, drawn from the shared layout through the
// screen map x' = a * x + b (identity once the layout for the current window has arrived). Three
// layers: row bands (hover, selection), then `between` (the arrows), then bars and labels, so a
// label's halo is never hidden under an arrowhead. The toggles are a layer of their own (buttons,
// reachable by Tab) beside the tree items, not inside them.

interface Props {
  layout: GanttLayout;
  first: number;
  last: number;
  a: number;
  b: number;
  /** Spans on the critical path and their own intervals on it; null when not shown. */
  critical: { spans: ReadonlySet<number>; segments: ReadonlyMap<number, CriticalSegment[]> } | null;
  selected: number | null;
  hovered: number | null;
  matches: ReadonlySet<number> | null;
  plotWidth: number;
  /** Left edge of the plot in the svg (the rows' x = 0), for the bands and toggles. */
  plotLeft: number;
  contentWidth: number;
  onToggle(span: number): void;
  between?: ReactNode;
}

const P = COLOUR_PALETTE;

export const GanttRows = memo(function GanttRows(props: Props) {
  const { layout, first, last, plotLeft, contentWidth, selected, hovered, onToggle } = props;
  const bands = [];
  const rows = [];
  const toggles = [];
  const pitch = layout.geometry.rowPitch;
  for (let r = first; r <= last && r < layout.rows.length; r++) {
    const row = layout.rows[r]!;
    const cls = `row-band${selected === row.span ? ' is-selected' : ''}${hovered === row.span ? ' is-hovered' : ''}`;
    bands.push(<rect key={row.span} className={cls} x={-plotLeft} y={row.y} width={contentWidth} height={pitch} />);
    const hasChildren = row.collapsed || layout.rows[r + 1]?.parentRow === r;
    rows.push(<Row key={row.span} row={row} hasChildren={hasChildren} {...props} />);
    if (hasChildren) toggles.push(<Toggle key={row.span} row={row} pitch={pitch} plotLeft={plotLeft} onToggle={onToggle} />);
  }
  return (
    <>
      <g className="gantt-bands" role="presentation">
        {bands}
      </g>
      {props.between}
      <g className="gantt-rows" role="presentation">
        {rows}
      </g>
      <g className="gantt-toggles">{toggles}</g>
    </>
  );
});

function Toggle({ row, pitch, plotLeft, onToggle }: { row: GanttRow; pitch: number; plotLeft: number; onToggle(span: number): void }) {
  const act = () => onToggle(row.span);
  return (
    <g
      className="row-toggle"
      role="button"
      tabIndex={0}
      aria-label={row.collapsed ? `Expand span ${row.span} (${row.hiddenDescendants} hidden)` : `Collapse span ${row.span}`}
      aria-expanded={!row.collapsed}
      transform={`translate(${-plotLeft + (GUTTER - 16) / 2 + 2},${row.y + pitch / 2})`}
      onPointerDown={(e) => e.stopPropagation()}
      onPointerUp={(e) => e.stopPropagation()}
      onClick={(e) => {
        e.stopPropagation();
        act();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          e.stopPropagation();
          act();
        }
      }}
    >
      <rect x={-2} y={-8} width={16} height={16} rx={3} className="toggle-hit" />
      <text className="toggle-mark" x={6} y={4} textAnchor="middle">
        {row.collapsed ? '▸' : '▾'}
      </text>
    </g>
  );
}

/**
 * A label outside its bar may sit on arrows: a background-coloured box as wide as the text in
 * narrow metrics hides the lines between its words (the glyph halo hides them only under glyphs).
 */
function Knockout({ row, a, b, fontSize }: { row: GanttRow; a: number; b: number; fontSize: number }) {
  const lb = row.label!;
  const w = segmentsWidth(lb.segments, fontSize, true);
  const x = a * lb.x + b;
  const left = lb.anchor === 'end' ? x - w : lb.anchor === 'middle' ? x - w / 2 : x;
  return <rect className="label-knockout" x={left - 1} y={lb.y - fontSize * 0.95} width={w + 2} height={fontSize * 1.25} />;
}

interface RowProps extends Props {
  row: GanttRow;
  hasChildren: boolean;
}

function Row({ row, layout, a, b, critical, selected, hovered, matches, hasChildren, plotWidth }: RowProps) {
  const style = row.kind === 'network' ? P.network : P.fork;
  const onCritical = critical?.spans.has(row.span) === true;
  const isSelected = selected === row.span;
  const outside = row.flags.outside !== null;
  const x = a * row.bar.x + b;
  const w = Math.max(1, a * row.bar.width);
  const cls = ['gantt-row', isSelected ? 'is-selected' : '', hovered === row.span ? 'is-hovered' : '', onCritical ? 'is-critical' : '', outside ? 'is-outside' : '', matches?.has(row.span) ? 'is-match' : ''].join(' ');
  const barTop = row.bar.y;
  // The critical path's own time on this span, as a mark along the bar's foot.
  const segs = onCritical ? (critical!.segments.get(row.span) ?? []) : [];
  const toX = (t: number) => a * ((t - layout.window.start) * layout.unitsPerNs) + b;
  return (
    <g
      className={cls}
      id={`gantt-span-${row.span}`}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-selected={isSelected}
      aria-expanded={hasChildren ? !row.collapsed : undefined}
      aria-label={`${row.tid} ${row.container}${row.link !== undefined && !row.link.exact ? ', inferred link' : ''}`}
      data-span={row.span}
      data-kind={row.kind}
      data-link-rule={row.link?.rule}
      data-link-exact={row.link === undefined ? undefined : String(row.link.exact)}
    >
      {/* A span wholly outside the zoomed window has no bar: its label (◂ or ▸) says where it is. */}
      {!outside && (
        <rect
          className="gantt-bar"
          x={x}
          y={barTop}
          width={w}
          height={row.bar.height}
          fill={style.fill}
          stroke={onCritical ? 'var(--critical)' : row.flags.negativeDuration ? P.anomaly : style.stroke}
          strokeWidth={onCritical || isSelected ? 2 : 1}
          strokeDasharray={style.dash ?? undefined}
        />
      )}
      {segs.map((s, i) => {
        const x0 = Math.max(0, toX(s.start));
        const x1 = Math.min(plotWidth, toX(s.end));
        return x1 > x0 ? <rect key={i} className="critical-segment" x={x0} y={barTop + row.bar.height + 1} width={Math.max(1, x1 - x0)} height={2.5} /> : null;
      })}
      {row.label !== null && row.label.placement !== 'inside' && <Knockout row={row} a={a} b={b} fontSize={layout.geometry.fontSize} />}
      {row.label !== null && (
        <text className={`gantt-label label-${row.label.placement}`} x={a * row.label.x + b} y={row.label.y} textAnchor={row.label.anchor}>
          {row.label.segments.map((s, i) => (
            <tspan key={i} fill={P.label[s.role]} fontWeight={s.bold ? 700 : undefined}>
              {i > 0 ? ' ' : ''}
              {s.text}
            </tspan>
          ))}
        </text>
      )}
    </g>
  );
}
