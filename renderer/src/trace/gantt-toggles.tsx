import { memo } from 'react';
import type { GanttLayout, GanttRow } from '../../../engine/figure/layout-types.js';
import { GUTTER } from './gantt-geometry.js';
import { hasChildren } from './gantt-rows.js';

// The collapse toggles of the visible rows, on an overlay of the gutter left of the rows: buttons
// reachable by Tab (after the tree) with a visible focus ring, kept out of the tree itself (a
// tree's items may not hold buttons). The gutter stays put when the rows scroll sideways.

interface Props {
  layout: GanttLayout;
  first: number;
  last: number;
  scrollTop: number;
  height: number;
  onToggle(span: number): void;
}

export const GanttToggles = memo(function GanttToggles({ layout, first, last, scrollTop, height, onToggle }: Props) {
  const pitch = layout.geometry.rowPitch;
  const out = [];
  for (let r = first; r <= last && r < layout.rows.length; r++) if (hasChildren(layout, r)) out.push(<Toggle key={layout.rows[r]!.span} row={layout.rows[r]!} pitch={pitch} onToggle={onToggle} />);
  return (
    <svg className="gantt-toggles" width={GUTTER} height={height} role="group" aria-label="Collapse and expand">
      <g transform={`translate(0,${-scrollTop})`}>{out}</g>
    </svg>
  );
});

function Toggle({ row, pitch, onToggle }: { row: GanttRow; pitch: number; onToggle(span: number): void }) {
  const act = () => onToggle(row.span);
  return (
    <g
      className="row-toggle"
      role="button"
      tabIndex={0}
      aria-label={row.collapsed ? `Expand span ${row.span} (${row.hiddenDescendants} hidden)` : `Collapse span ${row.span}`}
      aria-expanded={!row.collapsed}
      transform={`translate(${(GUTTER - 16) / 2 + 2},${row.y + pitch / 2})`}
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

