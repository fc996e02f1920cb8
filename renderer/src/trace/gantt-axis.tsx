import { useMemo, useRef, useState, type PointerEvent } from 'react';
import type { TimeWindow } from '../../../engine/figure/layout-types.js';
import { timeAxis } from '../../../engine/figure/time-axis.js';
import { AXIS_HEIGHT } from './gantt-geometry.js';

// The time axis of the current window (always exact: the axis is cheap, so it never waits for a
// layout). Dragging across it selects a time range to zoom into.

interface Props {
  window: TimeWindow;
  origin: number;
  plotWidth: number;
  width: number;
  /** Where the plot's x = 0 is on screen (the rows' left label room, minus the horizontal scroll). */
  plotLeft: number;
  onZoomTo(w: TimeWindow): void;
}

export function GanttAxis({ window: w, origin, plotWidth, width, plotLeft, onZoomTo }: Props) {
  const axis = useMemo(() => timeAxis(w, origin, plotWidth / (w.end - w.start), plotWidth, 'Time since request start'), [w, origin, plotWidth]);
  const [sel, setSel] = useState<{ x0: number; x1: number } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const xAt = (e: PointerEvent) => Math.max(0, Math.min(plotWidth, e.clientX - (svg.current?.getBoundingClientRect().left ?? 0) - plotLeft));
  return (
    <svg
      ref={svg}
      className="gantt-axis"
      width={width}
      height={AXIS_HEIGHT}
      role="img"
      aria-label={`${axis.title}: drag across it to zoom into a time range`}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        const x = xAt(e);
        setSel({ x0: x, x1: x });
      }}
      onPointerMove={(e) => sel !== null && setSel({ ...sel, x1: xAt(e) })}
      onPointerUp={() => {
        if (sel !== null && Math.abs(sel.x1 - sel.x0) > 4) {
          const a = Math.min(sel.x0, sel.x1);
          const b = Math.max(sel.x0, sel.x1);
          const len = w.end - w.start;
          onZoomTo({ start: w.start + (a / plotWidth) * len, end: w.start + (b / plotWidth) * len });
        }
        setSel(null);
      }}
    >
      <g transform={`translate(${plotLeft},0)`}>
        <line className="axis-line" x1={0} x2={plotWidth} y1={AXIS_HEIGHT - 1} y2={AXIS_HEIGHT - 1} />
        {axis.ticks.map((t) => (
          <g key={t.t} transform={`translate(${t.x},0)`}>
            <line className="axis-tick" y1={AXIS_HEIGHT - 6} y2={AXIS_HEIGHT - 1} />
            <text className="axis-label" y={AXIS_HEIGHT - 9} textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        <text className="axis-unit" x={-6} y={AXIS_HEIGHT - 9} textAnchor="end">
          {axis.unit}
        </text>
        {sel !== null && <rect className="axis-selection" x={Math.min(sel.x0, sel.x1)} y={0} width={Math.abs(sel.x1 - sel.x0)} height={AXIS_HEIGHT} />}
      </g>
    </svg>
  );
}
