import type { SpanRecordsState } from '../stores/trace-view-store.js';
import { probeEventName } from '../../../engine/model/record.js';

// The span's raw records (the thread's records inside the span's time), as bpftrace printed them.
// The details go under the probe name, wrapped, so the side panel never cuts them off.

export function SpanRecords({ state, onMore }: { state: SpanRecordsState | null; onMore(): void }) {
  if (state === null || (state.loading && state.records.length === 0)) return <p className="muted">Reading records…</p>;
  if (state.records.length === 0) return <p className="muted">This thread logged no records during the span.</p>;
  return (
    <div className="records">
      <table className="data-table compact mono" aria-label="Raw records">
        <thead>
          <tr>
            <th>Line</th>
            <th>nsecs</th>
            <th>CPU</th>
            <th>Probe and details</th>
          </tr>
        </thead>
        <tbody>
          {state.records.map((r) => (
            <tr key={r.seq} data-line={r.line}>
              <td className="num">{r.line}</td>
              <td className="num">{r.tsNs}</td>
              <td className="num">{r.cpu}</td>
              <td className="record-what">
                <div title={r.probe}>{probeEventName(r.probe)}</div>
                {r.details !== '' && <div className="details">{r.details}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row-gap">
        <span className="muted">{state.records.length} records shown</span>
        {state.more && (
          <button type="button" onClick={onMore} disabled={state.loading}>
            {state.loading ? 'Reading…' : 'Load more'}
          </button>
        )}
      </div>
    </div>
  );
}
