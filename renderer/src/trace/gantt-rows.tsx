import { memo } from 'react';
import type { GanttLayout, GanttRow } from '../../../engine/figure/layout-types.js';
import { COLOUR_PALETTE } from '../../../engine/figure/palette.js';
import { GUTTER, LEFT_MARGIN } from './gantt-geometry.js';

// Bars, labels and collapse toggles of the visible rows, drawn from the shared layout through the
// screen map x' = a * x + b (identity once the layout for the current window has arrived).

interface Props {
  layout: GanttLayout;
  first: number;
  last: number;
  a: number;
  b: number;
  critical: ReadonlySet<number> | null;
  selected: number | null;
  hovered: number | null;
  plotWidth: number;
  onToggle(span: number): void;
}

const P = COLOUR_PALETTE;

export const GanttRows = memo(function GanttRows({ layout, first, last, a, b, critical, selected, hovered, plotWidth, onToggle }: Props) {
  const out = [];
  const pitch = layout.geometry.rowPitch;
  for (let r = first; r <= last && r < layout.rows.length; r++) {
    const row = layout.rows[r]!;
    out.push(
      <Row
        key={row.span}
        row={row}
        pitch={pitch}
        a={a}
        b={b}
        onCritical={critical?.has(row.span) === true}
        isSelected={selected === row.span}
        isHovered={hovered === row.span}
        plotWidth={plotWidth}
        onToggle={onToggle}
        hasChildren={row.collapsed || (layout.rows[r + 1]?.parentRow === r)}
      />,
    );
  }
  return <g className="gantt-rows">{out}</g>;
});

interface RowProps {
  row: GanttRow;
  pitch: number;
  a: number;
  b: number;
  onCritical: boolean;
  isSelected: boolean;
  isHovered: boolean;
  plotWidth: number;
  hasChildren: boolean;
  onToggle(span: number): void;
}

function Row({ row, pitch, a, b, onCritical, isSelected, isHovered, plotWidth, hasChildren, onToggle }: RowProps) {
  const style = row.kind === 'network' ? P.network : P.fork;
  const x = a * row.bar.x + b;
  const w = Math.max(1, a * row.bar.width);
  const cls = ['gantt-row', isSelected ? 'is-selected' : '', isHovered ? 'is-hovered' : '', onCritical ? 'is-critical' : ''].join(' ');
  return (
    <g className={cls} data-span={row.span} data-kind={row.kind} transform={`translate(0,${row.y})`}>
      <rect className="row-band" x={-GUTTER - LEFT_MARGIN} y={0} width={plotWidth + GUTTER + LEFT_MARGIN + 400} height={pitch} />
      {hasChildren && (
        <g
          className="row-toggle"
          role="button"
          aria-label={row.collapsed ? `Expand span ${row.span} (${row.hiddenDescendants} hidden)` : `Collapse span ${row.span}`}
          aria-expanded={!row.collapsed}
          transform={`translate(${-GUTTER - LEFT_MARGIN + 4},${pitch / 2})`}
          onPointerDown={(e) => e.stopPropagation()}
          onClick={(e) => {
            e.stopPropagation();
            onToggle(row.span);
          }}
        >
          <rect x={-2} y={-8} width={16} height={16} className="toggle-hit" />
          <text className="toggle-mark" x={6} y={4} textAnchor="middle">
            {row.collapsed ? '▸' : '▾'}
          </text>
        </g>
      )}
      <rect
        className="gantt-bar"
        x={x}
        y={row.bar.y - row.y}
        width={w}
        height={row.bar.height}
        fill={style.fill}
        stroke={onCritical ? '#CC3311' : row.flags.negativeDuration ? P.anomaly : style.stroke}
        strokeWidth={onCritical || isSelected ? 2 : 1}
        strokeDasharray={style.dash ?? undefined}
      />
      {row.label !== null && (
        <text className={`gantt-label label-${row.label.placement}`} x={a * row.label.x + b} y={row.label.y - row.y} textAnchor={row.label.anchor}>
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
