import { describe, expect, it } from 'vitest';
import { layoutGantt } from '../../engine/figure/gantt-layout.js';
import { clipArrowPath } from '../../renderer/src/trace/clip-arrow-path.js';
import { clampWindow, layoutToScreen, MIN_WINDOW_NS, panWindow, traceExtent, zoomWindow } from '../../renderer/src/trace/gantt-viewport.js';
import { indexArrows, visibleArrows } from '../../renderer/src/trace/visible-items.js';
import type { SpanDto } from '../../electron/ipc-contract.js';

// The trace view's pure parts (the critical path is test/figure/critical-path.test.ts): zoom/pan arithmetic, the map from a layout to
// the screen, which arrows a scroll position needs, and clipping long arrows to the screen.

function span(index: number, parent: number, depth: number, start: number, end: number, childCount = 0): SpanDto {
  return { index, parent, depth, kind: index % 2 ? 'fork' : 'network', tid: 100 + index, container: 'c', ip: '10.0.0.1', start, end, childCount };
}

describe('trace view model', () => {
  it('zooms around the anchor, pans by fractions, and never leaves the trace', () => {
    const ext = { start: 1000, end: 2000 };
    const z = zoomWindow(ext, 2, 0.25, ext);
    expect(z).toEqual({ start: 1125, end: 1625 }); // the time at 25% (1250) stays at 25%
    expect(panWindow(z, 0.5, ext)).toEqual({ start: 1375, end: 1875 });
    expect(panWindow(z, 10, ext).end).toBe(2050); // 5% slack past the end, no further
    expect(zoomWindow(ext, 1e9, 0.5, ext).end - zoomWindow(ext, 1e9, 0.5, ext).start).toBe(MIN_WINDOW_NS);
    expect(clampWindow({ start: 0, end: 1e9 }, ext)).toEqual({ start: 950, end: 2050 });
    expect(traceExtent([span(0, -1, 0, 5, 5)])).toEqual({ start: 5, end: 6 });
  });

  it('maps a layout drawn for one window onto another', () => {
    const spans = [span(0, -1, 0, 0, 1000, 1), span(1, 0, 1, 200, 600)];
    const laid = layoutGantt({ trace: { id: 1, spans } }, { window: { start: 0, end: 1000 }, geometry: { plotWidth: 500 } });
    const shown = { start: 100, end: 600 };
    const fresh = layoutGantt({ trace: { id: 1, spans } }, { window: shown, geometry: { plotWidth: 800 } });
    const { a, b } = layoutToScreen(laid.window, 500, shown, 800);
    const child = laid.rows[1]!.bar;
    expect(a * child.x + b).toBeCloseTo(fresh.rows[1]!.bar.x, 6);
    expect(a * child.width).toBeCloseTo(fresh.rows[1]!.bar.width, 6);
  });

  it('finds the arrows of the rows in view and the trunks crossing it, not the others', () => {
    // A root with 200 children: at the bottom, the root's trunk crosses the view.
    const spans = [span(0, -1, 0, 0, 100_000, 200), ...Array.from({ length: 200 }, (_, i) => span(i + 1, 0, 1, 10 + i * 400, 300 + i * 400))];
    const layout = layoutGantt({ trace: { id: 1, spans } }, { geometry: { plotWidth: 1000 } });
    const index = indexArrows(layout);
    const top = visibleArrows(layout, index, 0, 20);
    // Rows 0..20: their own arrows, plus one call arrow standing for the trunk to children below.
    const calls = top.map((i) => layout.arrows[i]!).filter((a) => a.direction === 'call' && a.edge !== 'client');
    expect(calls.filter((a) => a.toRow > 20)).toHaveLength(1);
    expect(calls.filter((a) => a.toRow <= 20)).toHaveLength(20);
    // Responses from children below the view would stand as full-height lines: not drawn.
    expect(top.map((i) => layout.arrows[i]!).filter((a) => a.direction === 'return' && a.fromRow > 20)).toHaveLength(0);
    const bottom = visibleArrows(layout, index, 180, 200);
    expect(bottom.length).toBeLessThan(60);
    expect(bottom.map((i) => layout.arrows[i]!).some((a) => a.toRow === 200 || a.fromRow === 200)).toBe(true);
  });

  it('clips the vertical runs of arrow paths to the band on screen, keeping the rest', () => {
    const ret = 'M10,5000H18Q22,5000 22,4996V30';
    expect(clipArrowPath(ret, 0, 1000)).toBe('M10,5000H18Q22,5000 22,4996M22,1000V30'); // enters the band at its bottom
    expect(clipArrowPath(ret, 4000, 6000)).toBe('M10,5000H18Q22,5000 22,4996V4000M22,30');
    expect(clipArrowPath('M6,20V4996Q6,5000 10,5000H40', 100, 200)).toBe('M6,20M6,100V200M6,4996Q6,5000 10,5000H40');
    expect(clipArrowPath('M6,20V80', 0, 1000)).toBe('M6,20V80'); // inside: unchanged
  });
});
