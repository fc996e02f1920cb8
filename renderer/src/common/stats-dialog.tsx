import { useEffect, useRef } from 'react';
import type { TraceStats } from '../../../engine/analysis/trace-stats.js';
import { formatCount, formatDurationFixed } from './format.js';
import '../anchors.css';

// The statistics of a trace or of a whole bundle (engine/analysis/trace-stats.ts), as a dialog:
// per container its spans, self time (with its share) and events; per kernel event its count, the
// spans that had it and the containers it happened in. Esc or Close ends it, focus goes back.

const TOP_CONTAINERS = 3;

interface Props {
  title: string;
  stats: TraceStats | null;
  /** Shown while the stats are on their way. */
  loading: boolean;
  onClose(): void;
}

export function StatsDialog({ title, stats, loading, onClose }: Props) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    return () => {
      if (back?.isConnected === true) back.focus();
    };
  }, []);
  return (
    <div className="modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal stats-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="stats-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <div className="panel-head">
          <h2 id="stats-title">{title}</h2>
          <button type="button" ref={closeRef} onClick={onClose}>
            Close
          </button>
        </div>
        {loading && <p className="muted" role="status">Reading every trace of the bundle…</p>}
        {stats !== null && (
          <div className="stats-body">
            <p className="muted">
              {stats.traces > 1 ? `${formatCount(stats.traces)} traces, ` : ''}
              {formatCount(stats.spans)} spans, {formatDurationFixed(stats.selfNs)} of self time, {formatCount(stats.events)} kernel events. Self time: a span’s own time, not spent waiting on its children.
            </p>
            <h3>By container</h3>
            <table className="data-table compact stats-containers">
              <thead>
                <tr>
                  <th scope="col">Container</th>
                  <th scope="col" className="num">Spans</th>
                  <th scope="col" className="num">Self time</th>
                  <th scope="col" className="num">Share</th>
                  <th scope="col" className="num">Events</th>
                </tr>
              </thead>
              <tbody>
                {stats.containers.map((c) => (
                  <tr key={c.container} data-container={c.container}>
                    <th scope="row">{c.container}</th>
                    <td className="num">{formatCount(c.spans)}</td>
                    <td className="num" data-ns={c.selfNs}>
                      {formatDurationFixed(c.selfNs)}
                    </td>
                    <td className="num">
                      {stats.selfNs > 0 ? ((100 * c.selfNs) / stats.selfNs).toFixed(1) : '0.0'}%
                    </td>
                    <td className="num">{formatCount(c.events)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>By kernel event</h3>
            <table className="data-table compact stats-events">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col" className="num">Count</th>
                  <th scope="col" className="num">Spans with it</th>
                  <th scope="col">Where (most first)</th>
                </tr>
              </thead>
              <tbody>
                {stats.byEvent.map((e) => {
                  const where = Object.entries(e.byContainer).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
                  return (
                    <tr key={e.event} data-event={e.event}>
                      <th scope="row" className="mono">
                        {e.event}
                      </th>
                      <td className="num">{formatCount(e.count)}</td>
                      <td className="num">{formatCount(e.spans)}</td>
                      <td className="stats-where">
                        {where
                          .slice(0, TOP_CONTAINERS)
                          .map(([c, n]) => `${c} ${formatCount(n)}`)
                          .join(', ')}
                        {where.length > TOP_CONTAINERS ? `, +${where.length - TOP_CONTAINERS} more` : ''}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}
