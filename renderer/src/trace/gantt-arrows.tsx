import { memo } from 'react';
import type { GanttLayout } from '../../../engine/figure/layout-types.js';
import { COLOUR_PALETTE } from '../../../engine/figure/palette.js';
import { clipArrowPath } from './clip-arrow-path.js';

// The visible arrows, as the layout drew them. While a newer layout is pending they are mapped
// by an x-only transform (non-scaling strokes keep their width; heads stretch briefly).

interface Props {
  layout: GanttLayout;
  indices: readonly number[];
  /** The rows' y range on screen (with a margin): long vertical runs are clipped to it. */
  band: { lo: number; hi: number };
  a: number;
  b: number;
  critical: ReadonlySet<number> | null;
}

export const GanttArrows = memo(function GanttArrows({ layout, indices, band, a, b, critical }: Props) {
  const rowSpan = (r: number) => (r < 0 ? -1 : layout.rows[r]!.span);
  return (
    <g className="gantt-arrows" transform={a === 1 && b === 0 ? undefined : `matrix(${a},0,0,1,${b},0)`}>
      {indices.map((i) => {
        const arrow = layout.arrows[i]!;
        const from = rowSpan(arrow.fromRow);
        const to = rowSpan(arrow.toRow);
        const hot = critical !== null && (from < 0 || critical.has(from)) && (to < 0 || critical.has(to));
        return (
          <g key={i} className={`gantt-arrow arrow-${arrow.direction}${hot ? ' is-critical' : ''}`}>
            <path d={clipArrowPath(arrow.d, band.lo, band.hi)} fill="none" stroke={hot ? '#CC3311' : COLOUR_PALETTE.arrow} strokeDasharray={arrow.direction === 'return' ? COLOUR_PALETTE.returnDash : undefined} vectorEffect="non-scaling-stroke" />
            <path d={arrow.head} fill={hot ? '#CC3311' : COLOUR_PALETTE.arrow} stroke="none" />
          </g>
        );
      })}
    </g>
  );
});
