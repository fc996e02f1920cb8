import { memo } from 'react';
import type { GanttLayout } from '../../../engine/figure/layout-types.js';
import { COLOUR_PALETTE } from '../../../engine/figure/palette.js';
import { clipArrowPath } from './clip-arrow-path.js';

// The visible arrows, as the layout drew them. While a newer layout is pending they are mapped
// by an x-only transform (non-scaling strokes keep their width; heads stretch briefly). A link the
// model inferred (causal model, not seen in the records) is dotted with a hollow head, as in the
// exported figure.

interface Props {
  layout: GanttLayout;
  indices: readonly number[];
  /** The rows' y range on screen (with a margin): long vertical runs are clipped to it. */
  band: { lo: number; hi: number };
  a: number;
  b: number;
  critical: ReadonlySet<number> | null;
}

const P = COLOUR_PALETTE;
const CRITICAL = '#CC3311';

export const GanttArrows = memo(function GanttArrows({ layout, indices, band, a, b, critical }: Props) {
  const rowSpan = (r: number) => (r < 0 ? -1 : layout.rows[r]!.span);
  return (
    <g className="gantt-arrows" role="presentation" transform={a === 1 && b === 0 ? undefined : `matrix(${a},0,0,1,${b},0)`}>
      {indices.map((i) => {
        const arrow = layout.arrows[i]!;
        const from = rowSpan(arrow.fromRow);
        const to = rowSpan(arrow.toRow);
        const hot = critical !== null && (from < 0 || critical.has(from)) && (to < 0 || critical.has(to));
        const inferred = arrow.link !== undefined && !arrow.link.exact;
        const colour = hot ? CRITICAL : P.arrow;
        const dash = inferred ? P.inferredDash : arrow.direction === 'return' ? P.returnDash : undefined;
        return (
          <g key={i} className={`gantt-arrow arrow-${arrow.direction}${hot ? ' is-critical' : ''}${inferred ? ' is-inferred' : ''}`} data-link-rule={arrow.link?.rule}>
            <path d={clipArrowPath(arrow.d, band.lo, band.hi)} fill="none" stroke={colour} strokeDasharray={dash} vectorEffect="non-scaling-stroke" />
            <path d={arrow.head} fill={inferred ? P.background : colour} stroke={inferred ? colour : 'none'} vectorEffect="non-scaling-stroke" />
          </g>
        );
      })}
    </g>
  );
});
