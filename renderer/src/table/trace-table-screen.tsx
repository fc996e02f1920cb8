import { useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { openTrace } from '../actions/trace-actions.js';
import { formatCount, formatDuration } from '../common/format.js';
import { useSession } from '../stores/session-store.js';
import { useTable } from '../stores/table-store.js';
import { BundleSummary } from './bundle-summary.js';
import { CompareBar } from './compare-bar.js';
import { ShapesPanel } from './shapes-panel.js';
import { DurationScatter } from './duration-scatter.js';
import { LatencyHistogram } from './latency-histogram.js';
import { filterRows, orderRows } from './table-model.js';
import { parseFilter } from './table-query.js';
import { TraceTable } from './trace-table.js';
import { BundleStatsButton } from './bundle-stats-button.js';
import { GroupByTypeButton } from './group-by-type-button.js';
import { RequestTypesView } from './request-types-view.js';
import { useRequestTypes } from '../stores/request-types-store.js';

const FILTER_HELP = 'Filter: a trace id (12), a container name (catalog), entry:frontend, dur>5ms, dur<1s, spans>10, events>=100, depth>3, shape:2 (a request shape, see the Shapes panel), inferred (a link the model inferred, or an orphan), orphan. Terms combine with AND.';

/** Adds or removes a bare term in the filter text (the toggle buttons write what the user could type). */
function toggleTerm(text: string, term: string): string {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  return (words.some((w) => w.toLowerCase() === term) ? words.filter((w) => w.toLowerCase() !== term) : [...words, term]).join(' ');
}

export function TraceTableScreen() {
  const bundle = useSession((s) => s.bundle);
  const table = useSession((s) => s.table);
  const filterText = useTable((s) => s.filterText);
  const setFilterText = useTable((s) => s.setFilterText);
  const range = useTable((s) => s.durationRange);
  const setRange = useTable((s) => s.setDurationRange);
  const sortKey = useTable((s) => s.sortKey);
  const filterInput = useRef<HTMLInputElement>(null);
  // "/" jumps to the filter, as in most list UIs; Escape in the filter goes back to the rows.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key === '/' && t?.tagName !== 'INPUT' && t?.tagName !== 'TEXTAREA') {
        e.preventDefault();
        filterInput.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const descending = useTable((s) => s.descending);
  const grouped = useRequestTypes((s) => s.grouped);
  // Typing stays responsive on 100k rows: the filter pass runs on the deferred text.
  const deferredText = useDeferredValue(filterText);
  const parsed = useMemo(() => parseFilter(deferredText), [deferredText]);
  const filtered = useMemo(() => (table === null ? new Int32Array(0) : filterRows(table, parsed.terms)), [table, parsed]);
  const order = useMemo(() => (table === null ? new Int32Array(0) : orderRows(table, filtered, range, { sortKey, descending })), [table, filtered, range, sortKey, descending]);
  if (bundle === null || table === null) return null;
  return (
    <main className="table-screen" aria-label="Traces">
      <BundleSummary bundle={bundle} />
      <div className="table-toolbar">
        <input
          ref={filterInput}
          type="search"
          className="filter-input"
          placeholder="Filter: catalog  dur>5ms  spans>10  #12  inferred"
          aria-label="Filter traces"
          title={FILTER_HELP}
          value={filterText}
          onChange={(e) => setFilterText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' || e.key === 'Enter') {
              e.preventDefault();
              (document.querySelector('.trace-scroller') as HTMLElement | null)?.focus();
            }
          }}
        />
        <span className="row-count" role="status" aria-live="polite">
          {formatCount(order.length)} of {formatCount(table.count)} traces
        </span>
        {table.inferredLinks !== undefined && (
          <button
            type="button"
            className={parsed.terms.some((t) => t.kind === 'link' && t.which === 'inferred') ? 'primary' : ''}
            aria-pressed={parsed.terms.some((t) => t.kind === 'link' && t.which === 'inferred')}
            title="Only traces with a link the model inferred (not seen in the records), or an orphan root: the filter term `inferred`"
            onClick={() => setFilterText(toggleTerm(filterText, 'inferred'))}
          >
            Inferred links only
          </button>
        )}
        {range !== null && (
          <button type="button" className="chip" onClick={() => setRange(null)} aria-label="Clear the latency range" data-min={range[0]} data-max={range[1]}>
            {formatDuration(range[0])} – {formatDuration(range[1])} ×
          </button>
        )}
        <GroupByTypeButton />
        <BundleStatsButton bundleId={bundle.bundleId} fileName={bundle.fileName} />
        <CompareBar table={table} />
        {parsed.errors.length > 0 && (
          <span className="filter-error" role="alert">
            {parsed.errors.join('; ')}
          </span>
        )}
      </div>
      {bundle.recordsOnly !== null ? (
        // Records without traces is not "no requests": say how to make them (ADR 0061).
        <div className="empty-state records-only" role="status">
          <h2>This bundle holds its records only</h2>
          <p>{bundle.recordsOnly}</p>
        </div>
      ) : table.count === 0 ? (
        <div className="empty-state">
          <h2>No request traces in this bundle</h2>
          <p>The capture saw no request arriving from the gateway ({bundle.gateway}). Check that the load went through a port published on the gateway and that the right network was traced.</p>
        </div>
      ) : (
        <>
          <div className="latency-row">
            <LatencyHistogram table={table} shownRows={filtered} />
            <DurationScatter table={table} listed={order} firstTs={bundle.firstTs} onOpen={(id) => void openTrace(id)} />
          </div>
          <ShapesPanel table={table} />
          {grouped ? (
            <RequestTypesView table={table} order={order} firstTs={bundle.firstTs} onOpen={(id) => void openTrace(id)} />
          ) : (
            <TraceTable table={table} order={order} firstTs={bundle.firstTs} onOpen={(id) => void openTrace(id)} />
          )}
        </>
      )}
    </main>
  );
}
