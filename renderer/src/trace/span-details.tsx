import { useEffect, useLayoutEffect, useRef } from 'react';
import { isModelProbe, probeEventName } from '../../../engine/model/record.js';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { loadSpanRecords } from '../actions/trace-actions.js';
import { absoluteNs, formatCount, formatDuration } from '../common/format.js';
import { CopyButton } from '../common/copy-button.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { linkText } from './link-text.js';
import { SpanRecords } from './span-records.js';
import { SchedDetails } from './sched-strip.js';

// Everything about the selected span: times (exact), thread, container, state kind, event counts
// by probe, and its raw records, read from the bundle by index a page at a time.

/** One line a user pastes into notes or an issue: which span of which trace, and its facts. */
export function spanSummary(detail: TraceDetail, span: number): string {
  const s = detail.spans[span]!;
  const root = detail.spans[0]!;
  const link = s.link === undefined ? '' : `, link ${s.link.rule} (${s.link.exact ? 'exact' : 'inferred'})`;
  return `trace #${detail.traceId} span ${span}: tid ${s.tid} ${s.container} (${s.ip}), ${s.kind}, +${formatDuration(s.start - root.start)} for ${formatDuration(s.end - s.start)}, start ${absoluteNs(detail.timeBaseNs, s.start)} ns, end ${absoluteNs(detail.timeBaseNs, s.end)} ns${link}`;
}

export function SpanDetails({ detail, span }: { detail: TraceDetail; span: number }) {
  const s = detail.spans[span];
  const records = useTraceView((st) => st.records);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    void loadSpanRecords(span);
  }, [detail, span]);
  // A new selection starts at its heading, not at the previous span's scroll position.
  useLayoutEffect(() => {
    const el = ref.current;
    const col = el?.parentElement;
    if (el && col) col.scrollTop = el.offsetTop;
  }, [detail, span]);
  if (s === undefined) return null;
  const root = detail.spans[0]!;
  const parent = s.parent >= 0 ? detail.spans[s.parent] : undefined;
  const c = detail.counts[span] ?? { total: 0, byProbe: {} };
  const byProbe = Object.entries(c.byProbe).sort((x, y) => y[1] - x[1]);
  return (
    <aside className="span-details" aria-label={`Span ${span} details`} ref={ref}>
      <h2>
        <span className={`kind-dot kind-${s.kind}`} aria-hidden="true" /> {s.tid} {s.container}
      </h2>
      <div className="row-gap copy-row">
        <CopyButton label={`Copy span: span ${span} as one line of text`} text={spanSummary(detail, span)}>
          Copy span
        </CopyButton>
        <CopyButton label="Copy times: the exact start and end (ns)" text={`${absoluteNs(detail.timeBaseNs, s.start)} ${absoluteNs(detail.timeBaseNs, s.end)}`}>
          Copy times
        </CopyButton>
      </div>
      <dl className="facts">
        <dt>State</dt>
        <dd>{s.kind === 'network' ? 'Network thread state' : 'Fork thread state'}</dd>
        <dt>Thread</dt>
        <dd>tid {s.tid}</dd>
        <dt>Container</dt>
        <dd>
          {s.container} ({s.ip})
        </dd>
        <dt>Starts</dt>
        <dd title={`${absoluteNs(detail.timeBaseNs, s.start)} ns (monotonic clock)`}>
          +{formatDuration(s.start - root.start)} <span className="muted mono">{absoluteNs(detail.timeBaseNs, s.start)}</span>
        </dd>
        <dt>Ends</dt>
        <dd title={`${absoluteNs(detail.timeBaseNs, s.end)} ns`}>
          +{formatDuration(s.end - root.start)} <span className="muted mono">{absoluteNs(detail.timeBaseNs, s.end)}</span>
        </dd>
        <dt>Duration</dt>
        <dd>
          {formatDuration(s.end - s.start)} <span className="muted">({formatCount(s.end - s.start)} ns)</span>
        </dd>
        <dt>Parent</dt>
        <dd>{parent === undefined ? 'none (request from outside)' : `${parent.tid} ${parent.container}`}</dd>
        <dt>Children</dt>
        <dd>{s.childCount}</dd>
        <dt>Depth</dt>
        <dd>{s.depth}</dd>
        {s.link !== undefined && (
          <>
            <dt>Link</dt>
            <dd className={s.link.exact ? '' : 'link-inferred'} data-link-rule={s.link.rule}>
              {linkText(s.link).replace(/^Link: /, '')}
            </dd>
          </>
        )}
      </dl>
      {detail.sched !== undefined && (
        <>
          <h3>Where the time went</h3>
          <SchedDetails split={detail.sched.spans[span] ?? null} />
        </>
      )}
      <h3>Events: {formatCount(c.total)}</h3>
      {byProbe.length === 0 ? (
        <p className="muted">No events recorded in this span.</p>
      ) : (
        <table className="data-table compact" aria-label="Event counts by probe">
          <tbody>
            {byProbe.map(([p, n]) => (
              <tr key={p} className={isModelProbe(p) ? 'model-probe' : ''}>
                <td title={p}>{probeEventName(p)}</td>
                <td className="num">{formatCount(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Raw records</h3>
      <SpanRecords state={records?.spanIndex === span ? records : null} onMore={() => void loadSpanRecords(span, true)} />
    </aside>
  );
}
