import type { TraceDetail, TraceTableData } from '../../../electron/ipc-contract.js';
import { groupByShape } from '../../../engine/analysis/shape-groups.js';
import { deepLink } from '../common/deep-link.js';
import { useCompare } from '../stores/compare-store.js';
import { useContextMenu, type MenuItem } from '../stores/context-menu-store.js';
import { useNotices } from '../stores/notice-store.js';
import { useSession } from '../stores/session-store.js';
import { useTable } from '../stores/table-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { withShapeTerm } from '../table/shape-term.js';
import { openComparison } from './compare-actions.js';
import { openTrace } from './trace-actions.js';

// What the right-click menus of a span (the Gantt) and of a trace row (the table) offer. Each
// item does what a button or a filter term elsewhere does, so the menu is a shortcut, not the
// only way.

function copy(text: string, what: string): void {
  const done = navigator.clipboard?.writeText(text);
  const say = (ok: boolean) => useNotices.getState().pushInfo(ok ? `Copied ${what}` : `Could not copy ${what}`, text, { ttlMs: 2500 });
  if (done === undefined) say(false);
  else done.then(() => say(true), () => say(false));
}

/** The comparison of a trace with the median trace of its shape, or null (no shapes, or it is the median). */
function shapeMedianItem(table: TraceTableData | null, traceId: number): MenuItem {
  const none = { label: 'Compare with its shape’s median', run: () => undefined, disabled: true };
  if (table?.shape === undefined) return none;
  const row = table.id.indexOf(traceId);
  const shape = table.shape[row];
  if (row < 0 || shape === undefined || shape < 0) return none;
  const rows = table.shape.flatMap((s, i) => (s === shape ? [i] : []));
  const g = groupByShape(table.shape, table.duration, rows)[0]!;
  const median = table.id[g.medianRow]!;
  if (median === traceId) return { ...none, label: 'Compare with its shape’s median (it is the median)' };
  return { label: `Compare with its shape’s median (#${median})`, run: () => void openComparison(median, traceId, `#${traceId} against the median of shape ${shape + 1}`) };
}

function filterTable(text: string): void {
  useTable.getState().setFilterText(text);
  useSession.getState().setScreen('traces');
}

export function openSpanMenu(detail: TraceDetail, span: number, x: number, y: number, returnFocus: HTMLElement | null): void {
  const s = detail.spans[span]!;
  const bundle = useSession.getState().bundle;
  const view = useTraceView.getState();
  view.select(span);
  view.hover(null); // the hover card would sit under the menu
  const pad = Math.max(50, (s.end - s.start) * 0.1);
  const items: MenuItem[] = [
    { label: 'Copy span id', run: () => copy(`${bundle?.fileName ?? ''} trace #${detail.traceId} span ${span}`, `span ${span}`) },
    { label: 'Copy link to this span', run: () => copy(deepLink(bundle?.path ?? '', detail.traceId, span), 'the link'), disabled: bundle === null },
    { label: 'Zoom to this span', run: () => view.setWindow({ start: Math.min(s.start, s.end) - pad, end: Math.max(s.start, s.end) + pad }) },
  ];
  if (s.childCount > 0) items.push({ label: view.collapsed.has(span) ? 'Expand its subtree' : 'Collapse its subtree', run: () => useTraceView.getState().toggleCollapsed(span) });
  items.push(
    { label: `Filter the table to ${s.container}`, run: () => filterTable(s.container) },
    shapeMedianItem(useSession.getState().table, detail.traceId),
  );
  useContextMenu.getState().open({ x, y, title: `Span ${span} of trace #${detail.traceId}: ${s.tid} ${s.container}`, items, returnFocus });
}

export function openTraceMenu(table: TraceTableData, traceId: number, x: number, y: number, returnFocus: HTMLElement | null): void {
  const bundle = useSession.getState().bundle;
  const row = table.id.indexOf(traceId);
  const root = table.containerNames[table.rootContainer[row]!]!;
  const compare = useCompare.getState();
  const marks = compare.markedBundle === table.bundleId ? compare.marked : [];
  const other = marks.find((m) => m !== traceId);
  const shape = table.shape?.[row];
  const items: MenuItem[] = [
    { label: `Open trace #${traceId}`, run: () => void openTrace(traceId) },
    { label: 'Copy trace id', run: () => copy(`${bundle?.fileName ?? ''} trace #${traceId}`, `trace #${traceId}`) },
    { label: 'Copy link to this trace', run: () => copy(deepLink(bundle?.path ?? '', traceId), 'the link'), disabled: bundle === null },
    other !== undefined
      ? { label: `Compare with #${other}`, run: () => void openComparison(other, traceId, `#${traceId} against #${other}`) }
      : { label: marks.includes(traceId) ? 'Unmark for comparing' : 'Mark for comparing', run: () => useCompare.getState().toggleMark(table.bundleId, traceId) },
    shapeMedianItem(table, traceId),
    { label: `Filter to this entry container (${root})`, run: () => filterTable(`entry:${root}`) },
  ];
  if (shape !== undefined && shape >= 0) items.push({ label: `Only this request shape (shape ${shape + 1})`, run: () => filterTable(withShapeTerm(useTable.getState().filterText, shape + 1)) });
  useContextMenu.getState().open({ x, y, title: `Trace #${traceId}`, items, returnFocus });
}

/** A context-menu event from the keyboard (the menu key, Shift+F10) has no pointer position. */
function fromKeyboard(e: MouseEvent | KeyboardEvent): boolean {
  if (!('clientX' in e)) return true;
  const n = e as MouseEvent & { pointerType?: string };
  return n.pointerType === '' || (n.clientX === 0 && n.clientY === 0);
}

function below(el: Element | null): { x: number; y: number } {
  if (el === null) return { x: 100, y: 100 };
  const r = el.getBoundingClientRect();
  return { x: r.left + Math.min(40, r.width / 2), y: r.bottom };
}

/** The Gantt's right-click (or menu key): the span under the pointer, else the selected one. */
function ganttMenu(e: MouseEvent | KeyboardEvent, detail: TraceDetail): void {
  const view = useTraceView.getState();
  const kb = fromKeyboard(e);
  const hit = kb ? null : (e.target as Element).closest('.gantt-row[data-span]');
  const span = kb ? view.selectedSpan : hit !== null ? Number(hit.getAttribute('data-span')) : view.hoverSpan;
  if (span === null || detail.spans[span] === undefined) return;
  e.preventDefault();
  const at = kb ? below(document.getElementById(`gantt-span-${span}`)) : { x: (e as MouseEvent).clientX, y: (e as MouseEvent).clientY };
  openSpanMenu(detail, span, at.x, at.y, document.querySelector<HTMLElement>('.gantt-scroll'));
}

/** The trace table's right-click (or menu key): the row under the pointer, else the cursor's. */
function tableMenu(e: MouseEvent | KeyboardEvent, table: TraceTableData): void {
  const kb = fromKeyboard(e);
  const row = kb ? document.querySelector('.trace-row-cursor[data-trace-id]') : (e.target as Element).closest('.trace-row[data-trace-id]');
  if (row === null) return;
  e.preventDefault();
  const id = Number(row.getAttribute('data-trace-id'));
  useTable.getState().setCursor(id);
  const at = kb ? below(row) : { x: (e as MouseEvent).clientX, y: (e as MouseEvent).clientY };
  openTraceMenu(table, id, at.x, at.y, document.querySelector<HTMLElement>('.trace-scroller'));
}

/**
 * The window's contextmenu and keydown events, routed to the menu of what they happened on: a
 * span in the Gantt or a row of the trace table. The menu key and Shift+F10 open the menu of the
 * selected span or the cursor's row (Chromium does not turn them into a contextmenu event on
 * every platform). Listening on the window keeps the screens' own components out of it.
 */
export function routeContextMenu(e: MouseEvent | KeyboardEvent): void {
  if (e.defaultPrevented) return;
  if ('key' in e && !(e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10'))) return;
  const t = e.target instanceof Element ? e.target : null;
  if (t === null) return;
  const detail = useTraceView.getState().detail;
  const table = useSession.getState().table;
  if (t.closest('.gantt-scroll') !== null && detail !== null) ganttMenu(e, detail);
  else if (t.closest('.trace-scroller') !== null && table !== null) tableMenu(e, table);
}
