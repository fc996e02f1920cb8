import { useEffect, useMemo, useState } from 'react';
import { compareTraces } from '../../../engine/analysis/trace-compare.js';
import { formatDurationFixed } from '../common/format.js';
import { useCompare } from '../stores/compare-store.js';
import { useSession } from '../stores/session-store.js';
import { AlignedTable } from './aligned-table.js';
import { deltaClass, probeDeltas, signedCount, signedDuration } from './compare-format.js';
import '../analysis.css';

// Two requests side by side at kernel granularity (engine/analysis/trace-compare.ts): the spans
// that explain most of the difference first (their own time changed most), then both trees
// aligned with per-span duration and event-count differences, added and removed spans marked.

const TOP = 8;

export function CompareScreen() {
  const pair = useCompare((s) => s.pair);
  const swap = useCompare((s) => s.swap);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const cmp = useMemo(() => (pair === null ? null : compareTraces({ spans: pair.a.spans, counts: pair.a.counts }, { spans: pair.b.spans, counts: pair.b.counts })), [pair]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t?.tagName === 'INPUT') return;
      if (e.key === 'Escape' || e.key === 'Backspace' || (e.altKey && e.key === 'ArrowLeft')) {
        e.preventDefault();
        useSession.getState().setScreen('traces');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    setFocusRow(null);
  }, [pair]);
  if (pair === null || cmp === null) return null;
  const durA = pair.a.spans[0] === undefined ? 0 : pair.a.spans[0].end - pair.a.spans[0].start;
  const durB = pair.b.spans[0] === undefined ? 0 : pair.b.spans[0].end - pair.b.spans[0].start;
  const top = cmp.ranked.slice(0, TOP).filter((i) => cmp.rows[i]!.deltaSelf !== 0 || cmp.rows[i]!.deltaEvents !== 0 || cmp.rows[i]!.status !== 'matched');
  const scale = Math.max(1, ...top.map((i) => Math.abs(cmp.rows[i]!.deltaSelf)));
  return (
    <main className="compare-screen" aria-label="Compare two traces">
      <div className="compare-toolbar">
        <button type="button" onClick={() => useSession.getState().setScreen('traces')} title="Back to the trace table (Esc, Backspace, Alt+←)">
          ← Traces
        </button>
        <h1 className="compare-title">
          #{pair.b.traceId} compared with #{pair.a.traceId}
        </h1>
        <button type="button" onClick={swap} title="Make the other trace the baseline">
          Swap
        </button>
      </div>
      <div className="compare-summary" aria-label="Comparison summary">
        <span className="muted">{pair.why}</span>
        <span>
          A (baseline) #{pair.a.traceId}: <strong>{formatDurationFixed(durA)}</strong>
        </span>
        <span>
          B #{pair.b.traceId}: <strong>{formatDurationFixed(durB)}</strong>
        </span>
        <span className={deltaClass(cmp.deltaDuration)} data-testid="compare-delta">
          B − A: <strong>{signedDuration(cmp.deltaDuration)}</strong>
          {durA > 0 && ` (${cmp.deltaDuration >= 0 ? '+' : '−'}${Math.abs((100 * cmp.deltaDuration) / durA).toFixed(0)}%)`}
        </span>
        <span>
          {cmp.matched} matched, <span className="status-added">{cmp.added} added</span>, <span className="status-removed">{cmp.removed} removed</span>
        </span>
      </div>
      <section className="compare-top" aria-labelledby="compare-top-heading">
        <h2 id="compare-top-heading">Where the difference is</h2>
        {top.length === 0 ? (
          <p className="muted">The two requests took the same time in every span and counted the same events.</p>
        ) : (
          <ol className="compare-ranked">
            {top.map((i) => {
              const r = cmp.rows[i]!;
              return (
                <li key={i} data-row={i}>
                  <button type="button" className="ranked-button" onClick={() => setFocusRow(i)} title="Show this span in the aligned trees">
                    <span className="ranked-bar-box" aria-hidden="true">
                      <span className={`ranked-bar ${deltaClass(r.deltaSelf)}`} style={{ width: `${Math.max(2, (Math.abs(r.deltaSelf) / scale) * 100)}%` }} />
                    </span>
                    <span className={`ranked-self ${deltaClass(r.deltaSelf)}`}>{signedDuration(r.deltaSelf)} own time</span>
                    <span className="ranked-name">
                      {r.container} <span className="muted">{r.kind === 'fork' ? 'fork' : 'request'}</span>
                      {r.status !== 'matched' && <span className={`status-${r.status}`}> ({r.status})</span>}
                    </span>
                    <span className="ranked-detail muted">
                      duration {signedDuration(r.deltaDuration)}; events {signedCount(r.deltaEvents)}
                      {Object.keys(r.deltaByProbe).length > 0 ? ` (${probeDeltas(r.deltaByProbe)})` : ''}
                    </span>
                  </button>
                </li>
              );
            })}
          </ol>
        )}
      </section>
      <AlignedTable cmp={cmp} focusRow={focusRow} traceA={pair.a.traceId} traceB={pair.b.traceId} />
    </main>
  );
}
