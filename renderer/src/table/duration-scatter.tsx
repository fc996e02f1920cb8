import { useEffect, useMemo, useRef, useState } from 'react';
import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { formatCount, formatDuration, formatOffset } from '../common/format.js';
import { useElementWidth } from '../common/use-element-width.js';
import { durationTicks } from './duration-ticks.js';
import { nearestPoint, pointX, pointY, scatterDomain, type ScatterFrame } from './scatter-model.js';
import '../anchors.css';

// Duration over time, beside the latency histogram: each trace a dot at its start (seconds into
// the capture) and its duration (log scale, as the histogram's). The listed traces (the filter
// and the brushed range) are drawn darker over the rest. Pointing reads out the nearest trace; a
// click opens it. Dots on a canvas (100k traces), axes in SVG. Keyboard users have the table,
// which lists the same traces.

const HEIGHT = 112;
const M = { top: 18, right: 12, bottom: 22, left: 44 };
const HIT_RADIUS = 8;

interface Props {
  table: TraceTableData;
  /** Rows listed in the table (filtered and brushed). */
  listed: Int32Array;
  firstTs: number;
  onOpen(traceId: number): void;
}

export function DurationScatter({ table, listed, firstTs, onOpen }: Props) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const domain = useMemo(() => scatterDomain(table.start, table.duration), [table]);
  const frame: ScatterFrame = { domain, width: Math.max(10, width - M.left - M.right), height: HEIGHT - M.top - M.bottom };
  const all = useMemo(() => Int32Array.from({ length: table.count }, (_, i) => i), [table]);

  useEffect(() => {
    const c = canvas.current;
    if (c === null || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(frame.width * ratio);
    c.height = Math.round(frame.height * ratio);
    const ctx = c.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, frame.width, frame.height);
    const css = getComputedStyle(c);
    const dot = (rows: ArrayLike<number>, colour: string, r: number) => {
      ctx.fillStyle = colour;
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k]!;
        ctx.fillRect(pointX(frame, table.start[i]!) - r, pointY(frame, table.duration[i]!) - r, 2 * r, 2 * r);
      }
    };
    dot(all, css.getPropertyValue('--scatter-all').trim() || '#b9c3d1', 1.5);
    dot(listed, css.getPropertyValue('--scatter-shown').trim() || '#2456a6', 1.5);
    // frame is rebuilt each render from these: its fields are the dependencies.
  }, [table, listed, all, width, frame.width, frame.height, domain]);

  const pick = (e: React.PointerEvent | React.MouseEvent): number => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const near = nearestPoint(frame, table.start, table.duration, listed, x, y, HIT_RADIUS);
    return near >= 0 ? near : nearestPoint(frame, table.start, table.duration, all, x, y, HIT_RADIUS);
  };
  const ticks = durationTicks(domain.d0, domain.d1, Math.max(2, Math.floor(frame.height / 24)));
  const tTicks = [0, 0.5, 1].map((f) => domain.t0 + f * (domain.t1 - domain.t0));
  return (
    <div className="scatter" ref={ref} aria-label="Duration over time" data-t0={domain.t0} data-t1={domain.t1} data-d0={domain.d0} data-d1={domain.d1} data-plot-left={M.left} data-plot-top={M.top}>
      {width > 0 && (
        <>
          <svg width={width} height={HEIGHT} role="img" aria-label={`Duration over time of ${formatCount(table.count)} traces, duration on a log scale; a click on a dot opens that trace`}>
            <text className="axis-label scatter-title" x={M.left} y={11}>
              Duration over time
            </text>
            {hover !== null && (
              <text className="axis-label scatter-readout" x={width - M.right} y={11} textAnchor="end">
                #{table.id[hover]}: {formatDuration(table.duration[hover]!)} at {formatOffset(table.start[hover]!, firstTs)}
              </text>
            )}
            <g transform={`translate(${M.left},${M.top})`}>
              <line className="axis-line" x1={0} x2={frame.width} y1={frame.height} y2={frame.height} />
              <line className="axis-line" x1={0} x2={0} y1={0} y2={frame.height} />
              {ticks.map((t) => (
                <text key={t} className="axis-label" x={-5} y={pointY(frame, 10 ** t) + 3} textAnchor="end">
                  {formatDuration(Math.round(10 ** t))}
                </text>
              ))}
              {tTicks.map((t, i) => (
                <text key={i} className="axis-label" x={pointX(frame, t)} y={frame.height + 15} textAnchor={i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}>
                  {formatOffset(t, firstTs)}
                </text>
              ))}
              {hover !== null && <circle className="scatter-hover" cx={pointX(frame, table.start[hover]!)} cy={pointY(frame, table.duration[hover]!)} r={4} />}
            </g>
          </svg>
          <canvas
            ref={canvas}
            className="scatter-canvas"
            aria-hidden="true"
            style={{ left: `${M.left}px`, top: `${M.top}px`, width: `${frame.width}px`, height: `${frame.height}px`, cursor: hover !== null ? 'pointer' : 'default' }}
            onPointerMove={(e) => {
              const r = pick(e);
              setHover(r < 0 ? null : r);
            }}
            onPointerLeave={() => setHover(null)}
            onClick={(e) => {
              const r = pick(e);
              if (r >= 0) onOpen(table.id[r]!);
            }}
          />
        </>
      )}
    </div>
  );
}
