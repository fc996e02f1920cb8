import * as d3 from 'd3';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { formatCount, formatDuration } from '../common/format.js';
import { useElementWidth } from '../common/use-element-width.js';
import { useTable } from '../stores/table-store.js';
import { durationTicks } from './duration-ticks.js';
import { binDurations, countInto, logDuration } from './histogram-model.js';

// All traces by latency (log scale, said so on the chart), with the currently listed ones drawn
// darker. Brushing a range filters the table to those durations; a click without dragging clears
// the brush. Pointing at a bin reads out its range and counts.

const HEIGHT = 112;
const M = { top: 18, right: 16, bottom: 22, left: 40 };

export function LatencyHistogram({ table, shownRows }: { table: TraceTableData; shownRows: Int32Array }) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const brushRef = useRef<SVGGElement>(null);
  const range = useTable((s) => s.durationRange);
  const setRange = useTable((s) => s.setDurationRange);
  const bins = useMemo(() => binDurations(table.duration), [table]);
  // The shown bars are the rows passing the text filter, before the brush: brushing must not hollow out the picture it is drawn on.
  const shown = useMemo(() => countInto(bins.edges, table.duration, shownRows), [bins, table, shownRows]);
  const [hoverBin, setHoverBin] = useState<number | null>(null);
  const innerW = Math.max(10, width - M.left - M.right);
  const innerH = HEIGHT - M.top - M.bottom;
  const x = useMemo(() => d3.scaleLinear().domain([bins.edges[0]!, bins.edges[bins.edges.length - 1]!]).range([0, innerW]), [bins, innerW]);
  const maxCount = Math.max(1, ...bins.all);
  const y = d3.scaleLinear().domain([0, maxCount]).range([innerH, 0]).nice();

  useEffect(() => {
    const g = brushRef.current;
    if (g === null || width === 0) return;
    const brush = d3
      .brushX<unknown>()
      .extent([
        [0, 0],
        [innerW, innerH],
      ])
      .on('end', (ev: d3.D3BrushEvent<unknown>) => {
        if (ev.sourceEvent === undefined) return; // our own brush.move below
        const sel = ev.selection as [number, number] | null;
        if (sel === null) setRange(null);
        else setRange([Math.floor(10 ** x.invert(sel[0])), Math.ceil(10 ** x.invert(sel[1]))]);
      });
    const sel = d3.select(g);
    sel.call(brush);
    // Keep the drawn brush in step with the store (cleared by the toolbar, or a new bundle).
    const cur = useTable.getState().durationRange;
    sel.call(brush.move, cur === null ? null : [x(logDuration(cur[0])), x(logDuration(cur[1]))]);
    return () => {
      sel.on('.brush', null);
      sel.selectAll('*').remove();
    };
  }, [x, innerW, innerH, width, setRange, range]);

  const ticks = durationTicks(x.domain()[0]!, x.domain()[1]!, Math.max(2, Math.floor(innerW / 70)));
  return (
    <div className="histogram" ref={ref} aria-label="Latency histogram">
      {width > 0 && (
        <svg
          width={width}
          height={HEIGHT}
          role="img"
          aria-label={`Latency histogram of ${table.count} traces, duration on a log scale`}
          onPointerMove={(e) => {
            const px = e.clientX - e.currentTarget.getBoundingClientRect().left - M.left;
            const v = x.invert(px);
            const i = bins.edges.findIndex((edge, k) => k < bins.all.length && v >= edge && v < bins.edges[k + 1]!);
            setHoverBin(px < 0 || px > innerW || i < 0 ? null : i);
          }}
          onPointerLeave={() => setHoverBin(null)}
        >
          <text className="axis-label hist-title" x={M.left} y={11}>
            Traces by duration (log scale)
          </text>
          {hoverBin !== null && (
            <text className="axis-label hist-readout" x={width - M.right} y={11} textAnchor="end">
              {formatDuration(Math.round(10 ** bins.edges[hoverBin]!))} – {formatDuration(Math.round(10 ** bins.edges[hoverBin + 1]!))}: {formatCount(bins.all[hoverBin]!)} traces
              {shown[hoverBin] !== bins.all[hoverBin] ? `, ${formatCount(shown[hoverBin]!)} listed` : ''}
            </text>
          )}
          <g transform={`translate(${M.left},${M.top})`}>
            {bins.all.map((c, i) => {
              const x0 = x(bins.edges[i]!);
              const w = Math.max(1, x(bins.edges[i + 1]!) - x0 - 1);
              return (
                <g key={i} className={hoverBin === i ? 'hist-hover' : undefined}>
                  <rect className="hist-all" x={x0} y={y(c)} width={w} height={innerH - y(c)} />
                  <rect className="hist-shown" x={x0} y={y(shown[i]!)} width={w} height={innerH - y(shown[i]!)} />
                </g>
              );
            })}
            <line className="axis-line" x1={0} x2={innerW} y1={innerH} y2={innerH} />
            {ticks.map((t) => (
              <text key={t} className="axis-label" x={x(t)} y={innerH + 15} textAnchor="middle">
                {formatDuration(Math.round(10 ** t))}
              </text>
            ))}
            <text className="axis-label" x={-6} y={6} textAnchor="end">
              {y.domain()[1]}
            </text>
            <text className="axis-label" x={-6} y={innerH} textAnchor="end">
              0
            </text>
            <g ref={brushRef} className="hist-brush" />
          </g>
        </svg>
      )}
    </div>
  );
}
