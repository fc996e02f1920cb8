import { memo, type ReactNode } from 'react';
import type { CriticalSegment } from '../../../engine/figure/critical-path.js';
import type { GanttLayout, GanttRow } from '../../../engine/figure/layout-types.js';
import { COLOUR_PALETTE } from '../../../engine/figure/palette.js';
import { segmentsWidth } from '../../../engine/figure/span-label.js';
import type { SchedSplit } from '../../../engine/analysis/sched-timeline.js';
import { SchedStrip } from './sched-strip.js';

// Bars and labels of the visible rows (the tree items), drawn from the shared layout through the
// screen map x' = a * x + b (identity once the layout for the current window has arrived). Three
// layers: row bands (hover, selection), then `between` (the arrows), then bars and labels, so a
// label's halo is never hidden under an arrowhead. The collapse toggles are buttons, so they
// live outside the tree (GanttToggles, an overlay on the gutter).

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
  /** Fill by container instead of by kind (the kind stays in the outline's pattern). */
  colours: ReadonlyMap<string, string> | null;
  plotWidth: number;
  /** Left edge of the plot in the svg (the rows' x = 0), for the bands and toggles. */
  plotLeft: number;
  contentWidth: number;
  between?: ReactNode;
  /** Per span, where its thread's time went (a strip along the bar's top); null without scheduler records. */
  sched?: readonly (SchedSplit | null)[] | null;
}

const P = COLOUR_PALETTE;

export function hasChildren(layout: GanttLayout, r: number): boolean {
  return layout.rows[r]!.collapsed || layout.rows[r + 1]?.parentRow === r;
}

export const GanttRows = memo(function GanttRows(props: Props) {
  const { layout, first, last, plotLeft, contentWidth, selected, hovered } = props;
  const bands = [];
  const rows = [];
  const pitch = layout.geometry.rowPitch;
  for (let r = first; r <= last && r < layout.rows.length; r++) {
    const row = layout.rows[r]!;
    const cls = `row-band${selected === row.span ? ' is-selected' : ''}${hovered === row.span ? ' is-hovered' : ''}`;
    bands.push(<rect key={row.span} className={cls} x={-plotLeft} y={row.y} width={contentWidth} height={pitch} />);
    rows.push(<Row key={row.span} row={row} hasChildren={hasChildren(layout, r)} {...props} />);
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
    </>
  );
});

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

function Row({ row, layout, a, b, critical, selected, hovered, matches, colours, hasChildren, plotWidth, sched }: RowProps) {
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
      data-span={row.span}
      data-kind={row.kind}
      data-container={row.container}
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
          fill={colours?.get(row.container) ?? style.fill}
          stroke={onCritical ? 'var(--critical)' : row.flags.negativeDuration ? P.anomaly : style.stroke}
          strokeWidth={onCritical || isSelected ? 2 : 1}
          strokeDasharray={style.dash ?? undefined}
        />
      )}
      {!outside && sched?.[row.span] && <SchedStrip split={sched[row.span]!} x={Math.max(x, 0) + 1} y={barTop + 1.5} w={Math.min(x + w, plotWidth) - Math.max(x, 0) - 2} h={4} />}
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
