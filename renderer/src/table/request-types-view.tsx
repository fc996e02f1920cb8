import { Fragment, useMemo } from 'react';
import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { openComparison } from '../actions/compare-actions.js';
import { formatCount, formatDurationFixed, formatOffset } from '../common/format.js';
import { useRequestTypes } from '../stores/request-types-store.js';
import { useTable } from '../stores/table-store.js';
import { requestTypes, typeRowsInOrder } from './request-types.js';
import { withShapeTerm } from './shape-term.js';
import { ShapeThumbnail } from './shape-thumbnail.js';
import '../anchors.css';

// The trace table grouped by request type: per entry container, its tree shapes, each with its
// count and latency distribution; a type opens to list its traces (in the table's sort, the first
// OPEN_LIMIT; "List all" shows the rest in the flat table through the filter the user could type).

const OPEN_LIMIT = 100;

interface Props {
  table: TraceTableData;
  /** The listed rows (filter, brushed range) in the table's sort. */
  order: Int32Array;
  firstTs: number;
  onOpen(traceId: number): void;
}

export function RequestTypesView({ table, order, firstTs, onOpen }: Props) {
  const groups = useMemo(() => requestTypes(table, order), [table, order]);
  const open = useRequestTypes((s) => (s.bundleId === table.bundleId ? s.open : null));
  const toggle = useRequestTypes((s) => s.toggle);
  const setGrouped = useRequestTypes((s) => s.setGrouped);
  const filterText = useTable((s) => s.filterText);
  const setFilterText = useTable((s) => s.setFilterText);
  const listAll = (root: string, shape: number) => {
    const words = filterText.trim().split(/\s+/).filter((w) => w !== '' && !/^entry:/i.test(w));
    setFilterText(withShapeTerm([...words, `entry:${root}`].join(' '), shape >= 0 ? shape + 1 : null));
    setGrouped(false);
  };
  const typeCount = groups.reduce((n, g) => n + g.types.length, 0);
  return (
    <div className="request-types" role="region" aria-label="Request types">
      <table className="types-table">
        <caption className="visually-hidden">
          {typeCount} request types over {order.length} listed traces: by entry container, then tree shape
        </caption>
        <thead>
          <tr>
            <th scope="col">Request type</th>
            <th scope="col">Tree</th>
            <th scope="col" className="num">
              Traces
            </th>
            <th scope="col" className="num">
              p50
            </th>
            <th scope="col" className="num">
              p90
            </th>
            <th scope="col" className="num">
              p99
            </th>
            <th scope="col" className="num">
              Max
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <Fragment key={g.root}>
              <tr className="entry-row">
                <th scope="rowgroup" colSpan={8}>
                  {g.root} <span className="muted">— entry of {formatCount(g.count)} traces, {g.types.length} type{g.types.length === 1 ? '' : 's'}</span>
                </th>
              </tr>
              {g.types.map((t) => {
                const isOpen = open?.has(t.key) === true;
                const label = t.shape >= 0 ? `Shape ${t.shape + 1}` : 'No shape';
                return (
                  <Fragment key={t.key}>
                    <tr className={`type-row${isOpen ? ' is-open' : ''}`} data-type={t.key} data-count={t.count}>
                      <td>
                        <button type="button" className="type-toggle" aria-expanded={isOpen} onClick={() => toggle(table.bundleId, t.key)} title={isOpen ? 'Hide its traces' : 'List its traces'}>
                          <span aria-hidden="true">{isOpen ? '▾' : '▸'}</span> {g.root} · {label}
                        </button>
                      </td>
                      <td>{t.shape >= 0 && table.shapeKeys !== undefined && <ShapeThumbnail shapeKey={table.shapeKeys[t.shape]!} />}</td>
                      <td className="num">
                        {formatCount(t.count)} <span className="muted">({((100 * t.count) / Math.max(1, order.length)).toFixed(0)}%)</span>
                      </td>
                      <td className="num">{formatDurationFixed(t.p50)}</td>
                      <td className="num">{formatDurationFixed(t.p90)}</td>
                      <td className="num">{formatDurationFixed(t.p99)}</td>
                      <td className="num">{formatDurationFixed(t.max)}</td>
                      <td className="type-actions">
                        <button type="button" disabled={t.count < 2} onClick={() => void openComparison(table.id[t.medianRow]!, table.id[t.slowestRow]!, `the slowest ${g.root} request of ${label.toLowerCase()} against its median`)}>
                          Slowest vs median
                        </button>
                      </td>
                    </tr>
                    {isOpen && <TypeTraces table={table} rows={typeRowsInOrder(t, order, OPEN_LIMIT)} total={t.count} firstTs={firstTs} onOpen={onOpen} onListAll={() => listAll(g.root, t.shape)} />}
                  </Fragment>
                );
              })}
            </Fragment>
          ))}
        </tbody>
      </table>
      {groups.length === 0 && <p className="empty-note">No trace matches the filter.</p>}
    </div>
  );
}

function TypeTraces({ table, rows, total, firstTs, onOpen, onListAll }: { table: TraceTableData; rows: number[]; total: number; firstTs: number; onOpen(id: number): void; onListAll(): void }) {
  return (
    <>
      {rows.map((r) => {
        const id = table.id[r]!;
        return (
          <tr key={id} className="type-trace" data-trace-id={id} onDoubleClick={() => onOpen(id)}>
            <td>
              <button type="button" className="link-button" onClick={() => onOpen(id)} aria-label={`Open trace #${id}`}>
                #{id}
              </button>
            </td>
            <td className="num muted">{formatOffset(table.start[r]!, firstTs)}</td>
            <td className="num">{formatCount(table.spanCount[r]!)} spans</td>
            <td className="num" colSpan={4}>
              {formatDurationFixed(table.duration[r]!)}
            </td>
            <td className="num muted">{formatCount(table.eventCount[r]!)} events</td>
          </tr>
        );
      })}
      {total > rows.length && (
        <tr className="type-trace">
          <td colSpan={8}>
            <button type="button" className="link-button" onClick={onListAll}>
              List all {formatCount(total)} in the table
            </button>
          </td>
        </tr>
      )}
    </>
  );
}
