import { useEffect, useRef } from 'react';
import type { TraceComparison } from '../../../engine/analysis/trace-compare.js';
import { openTraceAtSpan } from '../actions/compare-actions.js';
import { formatCount, formatDurationFixed } from '../common/format.js';
import { deltaClass, probeDeltas, signedCount, signedDuration } from './compare-format.js';

// Both trees aligned, one row per span pair in tree order. Rows beyond LIMIT are not drawn (a
// 10,000-span pair would make a page of 10,000 rows); the ranking above covers every row. A span's
// name opens its trace (B's, or A's for a removed span) at that span.

const LIMIT = 1500;
const STATUS_MARK = { matched: '', added: '+ ', removed: '− ' } as const;

export function AlignedTable({ cmp, focusRow, traceA, traceB }: { cmp: TraceComparison; focusRow: number | null; traceA: number; traceB: number }) {
  const focused = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    focused.current?.scrollIntoView({ block: 'nearest' });
  }, [focusRow]);
  const rows = cmp.rows.slice(0, LIMIT);
  return (
    <section className="aligned" aria-labelledby="aligned-heading">
      <h2 id="aligned-heading">Aligned spans</h2>
      <div className="aligned-scroll" tabIndex={0} aria-label="Aligned spans (scrolls)">
        <table className="aligned-table">
          <thead>
            <tr>
              <th scope="col">Span</th>
              <th scope="col" className="num">A</th>
              <th scope="col" className="num">B</th>
              <th scope="col" className="num">Δ duration</th>
              <th scope="col" className="num">Δ own time</th>
              <th scope="col" className="num">Events A</th>
              <th scope="col" className="num">Events B</th>
              <th scope="col">Δ events</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} ref={i === focusRow ? focused : undefined} className={`aligned-row status-row-${r.status}${i === focusRow ? ' is-focus' : ''}`} data-row={i} data-status={r.status}>
                <td className="aligned-name" style={{ paddingLeft: `${6 + Math.min(r.depth, 30) * 14}px` }} title={`A span ${r.a < 0 ? '—' : r.a}, B span ${r.b < 0 ? '—' : r.b}`}>
                  <span className={`status-${r.status}`}>{STATUS_MARK[r.status]}</span>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => void (r.b >= 0 ? openTraceAtSpan(traceB, r.b) : openTraceAtSpan(traceA, r.a))}
                    title={`Open trace #${r.b >= 0 ? traceB : traceA} at span ${r.b >= 0 ? r.b : r.a}`}
                  >
                    {r.container}
                  </button>{' '}
                  <span className="muted">{r.kind === 'fork' ? 'fork' : 'request'}</span>
                </td>
                <td className="num">{r.a < 0 ? '—' : formatDurationFixed(r.durationA)}</td>
                <td className="num">{r.b < 0 ? '—' : formatDurationFixed(r.durationB)}</td>
                <td className={`num ${deltaClass(r.deltaDuration)}`}>{signedDuration(r.deltaDuration)}</td>
                <td className={`num ${deltaClass(r.deltaSelf)}`}>{signedDuration(r.deltaSelf)}</td>
                <td className="num">{r.a < 0 ? '—' : formatCount(r.eventsA)}</td>
                <td className="num">{r.b < 0 ? '—' : formatCount(r.eventsB)}</td>
                <td className={deltaClass(r.deltaEvents)}>
                  {signedCount(r.deltaEvents)}
                  {Object.keys(r.deltaByProbe).length > 0 && <span className="muted"> {probeDeltas(r.deltaByProbe, 2)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {cmp.rows.length > LIMIT && <p className="muted">{formatCount(cmp.rows.length - LIMIT)} more aligned spans not drawn; the ranking above covers all of them.</p>}
      </div>
    </section>
  );
}
