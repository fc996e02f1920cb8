import { describe, expect, it } from 'vitest';
import { criticalPath, type CriticalPathSpan } from '../../engine/figure/critical-path.js';
import { openFixture } from './fixture-traces.js';

// The critical path on hand-made traces whose path is known, and on a real one (mixed50 trace 1,
// where the catalog chain is 61% of the request and ends before a short last call).

/** [parent, start, end] per span, in pre-order. */
const trace = (...rows: [number, number, number][]): CriticalPathSpan[] => rows.map(([parent, start, end]) => ({ parent, start, end }));
const segs = (spans: CriticalPathSpan[]) => criticalPath(spans).segments.map((s) => [s.span, s.start, s.end]);

describe('critical path', () => {
  it('goes through calls made one after another', () => {
    const t = trace([-1, 0, 100], [0, 10, 30], [0, 40, 90]);
    expect(segs(t)).toEqual([[0, 0, 10], [1, 10, 30], [0, 30, 40], [2, 40, 90], [0, 90, 100]]);
    expect(criticalPath(t).spans).toEqual([0, 2, 1]);
  });

  it('of parallel calls takes only the one that finished last', () => {
    const t = trace([-1, 0, 100], [0, 10, 80], [0, 20, 60]);
    expect(segs(t)).toEqual([[0, 0, 10], [1, 10, 80], [0, 80, 100]]);
  });

  it('does not stop at a short call that ends last (the old "child that ends last" rule did)', () => {
    // A long call, then a short one: both are on the path, the long one too.
    const t = trace([-1, 0, 100], [0, 5, 60], [1, 10, 55], [0, 70, 75]);
    expect(criticalPath(t).spans).toEqual([0, 3, 1, 2]);
    expect(segs(t)).toEqual([[0, 0, 5], [1, 5, 10], [2, 10, 55], [1, 55, 60], [0, 60, 70], [3, 70, 75], [0, 75, 100]]);
  });

  it('goes down nested calls and skips a sibling that overlaps the chosen one', () => {
    // A's children: A1 [12,18] then A3 [30,85]; A2 [20,40] overlaps A3 (parallel): not on the path.
    const t = trace([-1, 0, 100], [0, 10, 90], [1, 12, 18], [1, 20, 40], [1, 30, 85]);
    expect(criticalPath(t).spans).toEqual([0, 1, 4, 2]);
    expect(segs(t)).toEqual([[0, 0, 10], [1, 10, 12], [2, 12, 18], [1, 18, 30], [4, 30, 85], [1, 85, 90], [0, 90, 100]]);
  });

  it('clips a child that outlives its parent, and ignores one wholly after it', () => {
    const t = trace([-1, 0, 50], [0, 10, 70], [0, 60, 80]);
    expect(segs(t)).toEqual([[0, 0, 10], [1, 10, 50]]);
  });

  it('takes back-to-back calls (one ends the nanosecond the next starts) and zero-length ones', () => {
    const t = trace([-1, 0, 30], [0, 0, 10], [0, 10, 10], [0, 10, 30]);
    expect(criticalPath(t).spans).toEqual([0, 3, 2, 1]);
    expect(segs(t)).toEqual([[1, 0, 10], [3, 10, 30]]);
  });

  it('walks a 20,000-deep fork chain without recursion', () => {
    const n = 20_000;
    const t = trace(...Array.from({ length: n }, (_, i): [number, number, number] => [i - 1, i, 2 * n - i]));
    const cp = criticalPath(t);
    expect(cp.spans.length).toBe(n);
    expect(cp.segments.reduce((a, s) => a + s.end - s.start, 0)).toBe(2 * n);
  });

  it('on mixed50 trace 1 runs through the catalog chain, not only the last short call', async () => {
    const f = await openFixture('mixed50');
    try {
      const t = f.bundle.trace(1)!;
      const cp = criticalPath(t.spans);
      const on = new Set(cp.spans);
      // The catalog request (span 1) and its fork chain down to the inventory and kvstore calls.
      const catalog = t.spans.filter((s) => s.container === 'oracle-catalog' && s.depth <= 2);
      expect(catalog.length).toBeGreaterThan(0);
      for (const s of catalog) expect(on.has(s.index), `span ${s.index} ${s.container}`).toBe(true);
      expect(t.spans.filter((s) => on.has(s.index)).map((s) => s.container)).toEqual(expect.arrayContaining(['oracle-frontend', 'oracle-catalog', 'oracle-inventory', 'oracle-kvstore']));
      // The path's segments tile the root's interval: no gap, no overlap.
      const root = t.spans[0]!;
      let at = root.start;
      for (const s of cp.segments) {
        expect(s.start).toBe(at);
        at = s.end;
      }
      expect(at).toBe(root.end);
      // The catalog span itself covers most of the request.
      const cat = t.spans[1]!;
      expect((cat.end - cat.start) / (root.end - root.start)).toBeGreaterThan(0.6);
    } finally {
      f.close();
    }
  });
});
