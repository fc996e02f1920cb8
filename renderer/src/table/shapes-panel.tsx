import { useMemo, useState } from 'react';
import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { groupByShape } from '../../../engine/analysis/shape-groups.js';
import { shapeContainers } from '../../../engine/analysis/tree-shape.js';
import { openComparison } from '../actions/compare-actions.js';
import { formatCount, formatDurationFixed } from '../common/format.js';
import { useTable } from '../stores/table-store.js';
import { selectedShape, withShapeTerm } from './shape-term.js';
import { ShapeThumbnail } from './shape-thumbnail.js';
import '../analysis.css';

// Request types: one row per tree shape of the bundle (engine/analysis), most frequent first,
// with its latency distribution. A shape's button writes `shape:N` into the filter (what the user
// could type); "Slowest vs median" opens the shape's slowest trace compared against its median.
// Shape N is the bundle's N-th distinct shape by trace id, the same number in the filter.

export function ShapesPanel({ table }: { table: TraceTableData }) {
  const [open, setOpen] = useState(true);
  const filterText = useTable((s) => s.filterText);
  const setFilterText = useTable((s) => s.setFilterText);
  const groups = useMemo(() => (table.shape === undefined ? [] : groupByShape(table.shape, table.duration).filter((g) => g.shape >= 0)), [table]);
  if (table.shape === undefined || table.shapeKeys === undefined || groups.length === 0) return null;
  const keys = table.shapeKeys;
  const chosen = selectedShape(filterText);
  return (
    <section className="shapes-panel" aria-labelledby="shapes-heading">
      <div className="shapes-head">
        <button type="button" className="icon-button" aria-expanded={open} aria-controls="shapes-body" onClick={() => setOpen(!open)} title={open ? 'Hide the shapes' : 'Show the shapes'}>
          {open ? '▾' : '▸'}
        </button>
        <h2 id="shapes-heading">Request shapes</h2>
        <span className="muted">
          {formatCount(groups.length)} shape{groups.length === 1 ? '' : 's'} over {formatCount(table.count)} traces (same calls, forks and containers, whatever the order)
        </span>
        {chosen !== null && (
          <button type="button" className="chip" onClick={() => setFilterText(withShapeTerm(filterText, null))} title="Show the traces of every shape">
            shape {chosen} <span aria-hidden="true">×</span>
            <span className="visually-hidden">: show every shape</span>
          </button>
        )}
      </div>
      {open && (
        <div id="shapes-body" className="shapes-body">
          <table className="shapes-table">
            <thead>
              <tr>
                <th scope="col">Shape</th>
                <th scope="col">Tree</th>
                <th scope="col" className="num">Traces</th>
                <th scope="col" className="num">p50</th>
                <th scope="col" className="num">p90</th>
                <th scope="col" className="num">p99</th>
                <th scope="col" className="num">Max</th>
                <th scope="col" className="num">Spans</th>
                <th scope="col">Containers</th>
                <th scope="col">
                  <span className="visually-hidden">Compare</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => {
                const n = g.shape + 1;
                const on = chosen === n;
                const names = shapeContainers(keys[g.shape]!);
                return (
                  <tr key={g.shape} className={on ? 'shape-row is-chosen' : 'shape-row'} data-shape={n}>
                    <td>
                      <button type="button" className="link-button" aria-pressed={on} onClick={() => setFilterText(withShapeTerm(filterText, on ? null : n))} title={`Only the traces of this shape: the filter term shape:${n}`}>
                        Shape {n}
                      </button>
                    </td>
                    <td title={keys[g.shape]}>
                      <ShapeThumbnail shapeKey={keys[g.shape]!} />
                    </td>
                    <td className="num">
                      {formatCount(g.count)} <span className="muted">({((100 * g.count) / table.count).toFixed(0)}%)</span>
                    </td>
                    <td className="num">{formatDurationFixed(g.p50)}</td>
                    <td className="num">{formatDurationFixed(g.p90)}</td>
                    <td className="num">{formatDurationFixed(g.p99)}</td>
                    <td className="num">{formatDurationFixed(g.max)}</td>
                    <td className="num">{formatCount(table.spanCount[g.medianRow]!)}</td>
                    <td className="shape-containers" title={names.join(', ')}>
                      {names.join(', ')}
                    </td>
                    <td>
                      <button
                        type="button"
                        disabled={g.count < 2}
                        onClick={() => void openComparison(table.id[g.medianRow]!, table.id[g.slowestRow]!, `the slowest trace of shape ${n} against the shape's median`)}
                        title={`Trace #${table.id[g.slowestRow]} (${formatDurationFixed(g.max)}) compared span by span against #${table.id[g.medianRow]} (the median, ${formatDurationFixed(g.p50)})`}
                      >
                        Slowest vs median
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
