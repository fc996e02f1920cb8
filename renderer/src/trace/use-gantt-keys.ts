import { useCallback, type KeyboardEvent } from 'react';
import type { GanttLayout, TimeWindow } from '../../../engine/figure/layout-types.js';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { panWindow, zoomWindow } from './gantt-viewport.js';

// Keyboard control of the trace view:
//   ↑/↓ (j/k) select the previous/next row      ←/→ pan by 10% (Shift: 50%)
//   + / −  zoom in/out at the centre             0  whole trace
//   Enter or Space collapse/expand the selected span
//   z  zoom to the selected span                 c  critical path on/off
// Esc (clear the selection, then back), Backspace and Alt+← go back to the table: trace-screen.tsx.

interface Deps {
  detail: TraceDetail;
  layout: GanttLayout | null;
  rowOfSpan: Int32Array;
  extent: TimeWindow;
  win: TimeWindow;
  setWin(w: TimeWindow | null): void;
  scrollToSpan(span: number): void;
}

export function useGanttKeys({ detail, layout, rowOfSpan, extent, win, setWin, scrollToSpan }: Deps) {
  return useCallback(
    (e: KeyboardEvent<HTMLElement>) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const st = useTraceView.getState();
      const sel = st.selectedSpan;
      const moveSelection = (delta: number) => {
        if (layout === null || layout.rows.length === 0) return;
        const r = sel === null ? (delta > 0 ? -1 : layout.rows.length) : rowOfSpan[sel]!;
        const next = Math.max(0, Math.min(layout.rows.length - 1, (r < 0 && sel !== null ? 0 : r) + delta));
        const span = layout.rows[next]!.span;
        st.select(span);
        scrollToSpan(span);
      };
      let handled = true;
      switch (e.key) {
        case 'ArrowDown':
        case 'j':
          moveSelection(1);
          break;
        case 'ArrowUp':
        case 'k':
          moveSelection(-1);
          break;
        case 'ArrowLeft':
          setWin(panWindow(win, e.shiftKey ? -0.5 : -0.1, extent));
          break;
        case 'ArrowRight':
          setWin(panWindow(win, e.shiftKey ? 0.5 : 0.1, extent));
          break;
        case '+':
        case '=':
          setWin(zoomWindow(win, 1.5, 0.5, extent));
          break;
        case '-':
        case '_':
          setWin(zoomWindow(win, 1 / 1.5, 0.5, extent));
          break;
        case '0':
          setWin(null);
          break;
        case 'Enter':
        case ' ':
          if (sel !== null && (detail.spans[sel]?.childCount ?? 0) > 0) st.toggleCollapsed(sel);
          break;
        case 'z':
          if (sel !== null) {
            const s = detail.spans[sel]!;
            const pad = Math.max(50, Math.abs(s.end - s.start) * 0.1);
            setWin({ start: Math.min(s.start, s.end) - pad, end: Math.max(s.start, s.end) + pad });
          }
          break;
        case 'c':
          st.setCriticalPath(!st.criticalPath);
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    },
    [detail, layout, rowOfSpan, extent, win, setWin, scrollToSpan],
  );
}
