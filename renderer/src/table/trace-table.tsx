import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { formatCount, formatDurationFixed, formatOffset } from '../common/format.js';
import { useElementSize } from '../common/use-element-width.js';
import { useCompare } from '../stores/compare-store.js';
import { useTable } from '../stores/table-store.js';
import type { SortKey } from './table-model.js';

// The virtualized trace table: only the rows in view (plus a margin) exist in the DOM, so 100k
// traces scroll as smoothly as 10. Keyboard: arrows, PageUp/PageDown, Home/End move the cursor,
// Enter opens the trace; C (or Ctrl+click) marks a trace for comparing two (compare-bar.tsx).

export const ROW_HEIGHT = 28;
const OVERSCAN = 8;
const NO_MARKS: readonly number[] = [];

const COLUMNS: { key: SortKey; label: string; className: string }[] = [
  { key: 'id', label: 'Trace', className: 'col-id' },
  { key: 'entry', label: 'Entry container', className: 'col-entry' },
  { key: 'start', label: 'Start', className: 'col-start' },
  { key: 'duration', label: 'Duration', className: 'col-duration' },
  { key: 'spans', label: 'Spans', className: 'col-spans' },
  { key: 'containers', label: 'Containers', className: 'col-containers' },
  { key: 'events', label: 'Events', className: 'col-events' },
];

interface Props {
  table: TraceTableData;
  order: Int32Array;
  firstTs: number;
  onOpen(traceId: number): void;
}

export function TraceTable({ table, order, firstTs, onOpen }: Props) {
  const sortKey = useTable((s) => s.sortKey);
  const descending = useTable((s) => s.descending);
  const setSort = useTable((s) => s.setSort);
  const cursorId = useTable((s) => s.cursorId);
  const setCursor = useTable((s) => s.setCursor);
  const marked = useCompare((s) => (s.markedBundle === table.bundleId ? s.marked : NO_MARKS));
  const toggleMark = useCompare((s) => s.toggleMark);
  const [sizeRef, , height] = useElementSize<HTMLDivElement>();
  const scroller = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);

  // Row lookups built once per table/order, so a key press is O(1).
  const rowOfId = useMemo(() => new Map(table.id.map((id, row) => [id, row])), [table]);
  const posOfRow = useMemo(() => {
    const p = new Int32Array(table.count).fill(-1);
    order.forEach((row, pos) => (p[row] = pos));
    return p;
  }, [table, order]);
  const cursorRow = cursorId === null ? undefined : rowOfId.get(cursorId);
  const cursorPos = cursorRow === undefined ? -1 : posOfRow[cursorRow]!;
  const maxDuration = useMemo(() => Math.max(1, ...table.duration), [table]);

  const setRefs = useCallback(
    (el: HTMLDivElement | null) => {
      scroller.current = el;
      sizeRef(el);
    },
    [sizeRef],
  );

  const scrollToPos = useCallback(
    (pos: number) => {
      const el = scroller.current;
      if (el === null) return;
      const top = pos * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    },
    [],
  );

  useEffect(() => {
    if (cursorPos >= 0) scrollToPos(cursorPos);
  }, [cursorPos, scrollToPos]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (order.length === 0) return;
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
    let next: number | null = null;
    if (e.key in moves) next = (cursorPos < 0 ? -1 : cursorPos) + moves[e.key]!;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = order.length - 1;
    else if ((e.key === 'c' || e.key === 'C') && !e.ctrlKey && !e.metaKey && cursorPos >= 0) {
      e.preventDefault();
      toggleMark(table.bundleId, table.id[order[cursorPos]!]!);
      return;
    }
    else if (e.key === 'Enter' && cursorPos >= 0) {
      e.preventDefault();
      onOpen(table.id[order[cursorPos]!]!);
      return;
    }
    if (next === null) return;
    e.preventDefault();
    next = Math.max(0, Math.min(order.length - 1, next));
    setCursor(table.id[order[next]!]!);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(order.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let pos = first; pos < last; pos++) {
    const row = order[pos]!;
    const id = table.id[row]!;
    const names = table.containers[row]!.map((c) => table.containerNames[c]!);
    const dur = table.duration[row]!;
    const orphan = (table.orphans?.[row] ?? 0) > 0;
    const inferred = (table.inferredLinks?.[row] ?? 0) + (orphan ? 1 : 0);
    rows.push(
      <div
        key={id}
        role="row"
        aria-rowindex={pos + 2}
        aria-selected={pos === cursorPos}
        data-trace-id={id}
        className={`trace-row${pos === cursorPos ? ' trace-row-cursor' : ''}${pos % 2 === 1 ? ' trace-row-odd' : ''}${marked.includes(id) ? ' trace-row-marked' : ''}`}
        data-marked={marked.includes(id) ? 'true' : undefined}
        style={{ transform: `translateY(${pos * ROW_HEIGHT}px)` }}
        onClick={(e) => (e.ctrlKey || e.metaKey ? toggleMark(table.bundleId, id) : setCursor(id))}
        onDoubleClick={() => onOpen(id)}
      >
        <span role="gridcell" className="col-id">
          #{id}
        </span>
        <span role="gridcell" className="col-entry">
          {table.containerNames[table.rootContainer[row]!]}
        </span>
        <span role="gridcell" className="col-start">
          {formatOffset(table.start[row]!, firstTs)}
        </span>
        <span role="gridcell" className="col-duration" title={`${formatCount(dur)} ns`}>
          <span className="duration-bar" style={{ width: `${Math.max(1, (dur / maxDuration) * 100)}%` }} />
          <span className="duration-text">{formatDurationFixed(dur)}</span>
        </span>
        <span role="gridcell" className="col-spans">
          {inferred > 0 && (
            <span className="inferred-mark" title={`${inferred} link(s) inferred by the model${orphan ? '; the root is an orphan' : ''}`}>
              ≈{' '}
            </span>
          )}
          {formatCount(table.spanCount[row]!)}
        </span>
        <span role="gridcell" className="col-containers" title={names.join(', ')}>
          <span className="container-count">{names.length}</span> {names.join(', ')}
        </span>
        <span role="gridcell" className="col-events">
          {formatCount(table.eventCount[row]!)}
        </span>
      </div>,
    );
  }

  return (
    <div className="trace-table" role="grid" aria-label="Request traces" aria-rowcount={order.length + 1} aria-colcount={COLUMNS.length}>
      <div className="trace-row trace-head" role="row" aria-rowindex={1}>
        {COLUMNS.map((c) => (
          <span key={c.key} role="columnheader" className={c.className} aria-sort={sortKey === c.key ? (descending ? 'descending' : 'ascending') : 'none'}>
            <button type="button" className="sort-button" onClick={() => setSort(c.key)}>
              {c.label}
              <span className="sort-mark" aria-hidden="true">
                {sortKey === c.key ? (descending ? ' ▼' : ' ▲') : ''}
              </span>
            </button>
          </span>
        ))}
      </div>
      <div
        className="trace-scroller"
        role="rowgroup"
        ref={setRefs}
        tabIndex={0}
        aria-label="Trace rows (arrows to move, Enter to open)"
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div className="trace-spacer" style={{ height: `${order.length * ROW_HEIGHT}px` }}>
          {rows}
        </div>
        {order.length === 0 && <p className="empty-note">No trace matches the filter.</p>}
      </div>
    </div>
  );
}
