import { describe, expect, it } from 'vitest';
import { compareTraces, type CompareSide, type CompareSpan } from '../../engine/analysis/trace-compare.js';
import { selfTimes } from '../../engine/analysis/span-self-time.js';

// Hand-made requests whose differences are known. Times in ns.
const span = (parent: number, kind: CompareSpan['kind'], container: string, start: number, end: number): CompareSpan => ({ parent, kind, container, tid: 0, start, end });
const side = (spans: CompareSpan[], events: (number | Record<string, number>)[] = []): CompareSide => ({
  spans,
  counts: spans.map((_, i) => {
    const e = events[i] ?? 0;
    const byProbe = typeof e === 'number' ? { x: e } : e;
    return { total: Object.values(byProbe).reduce((a, b) => a + b, 0), byProbe };
  }),
});

describe('selfTimes', () => {
  it('subtracts the union of the children, clipped to the span', () => {
    // root 0-100, children 10-40 and 30-50 (overlap: 40 covered), a child sticking out 90-120 (10 inside).
    const s = selfTimes([span(-1, 'network', 'r', 0, 100), span(0, 'network', 'a', 10, 40), span(0, 'network', 'b', 30, 50), span(0, 'fork', 'r', 90, 120)]);
    expect(s).toEqual([50, 30, 20, 30]);
  });
});

describe('compareTraces', () => {
  // fe -> auth (sequential), then catalog which forks a worker.
  const baseline = side(
    [span(-1, 'network', 'fe', 0, 100), span(0, 'network', 'auth', 10, 30), span(0, 'network', 'catalog', 40, 90), span(2, 'fork', 'catalog', 50, 80)],
    [5, 10, 20, { x: 30, page_fault: 4 }],
  );

  it('matches by path of kind and container and ranks the span whose own time grew first', () => {
    // Same shape; the worker took 60 ns longer (50-140), everything after it moved on.
    const slow = side(
      [span(-1, 'network', 'fe', 0, 160), span(0, 'network', 'auth', 10, 30), span(0, 'network', 'catalog', 40, 150), span(2, 'fork', 'catalog', 50, 140)],
      [5, 10, 20, { x: 30, page_fault: 900 }],
    );
    const c = compareTraces(baseline, slow);
    expect(c.rows.map((r) => [r.a, r.b, r.status, r.depth])).toEqual([
      [0, 0, 'matched', 0],
      [1, 1, 'matched', 1],
      [2, 2, 'matched', 1],
      [3, 3, 'matched', 2],
    ]);
    expect(c.deltaDuration).toBe(60);
    expect(c.rows.map((r) => r.deltaDuration)).toEqual([60, 0, 60, 60]);
    expect(c.rows.map((r) => r.deltaSelf)).toEqual([0, 0, 0, 60]);
    // The worker explains the difference: first; its page faults are the event difference.
    expect(c.ranked[0]).toBe(3);
    expect(c.rows[3]!.deltaEvents).toBe(896);
    expect(c.rows[3]!.deltaByProbe).toEqual({ page_fault: 896 });
    expect(c.rows[1]!.deltaByProbe).toEqual({});
    expect([c.matched, c.added, c.removed]).toEqual([4, 0, 0]);
  });

  it('pairs repeated calls in start order and shows extra ones as added or removed, subtree included', () => {
    // A: fe calls kv twice. B: fe calls kv three times, the third kv forks; and no auth... A has auth.
    const a = side([span(-1, 'network', 'fe', 0, 100), span(0, 'network', 'kv', 10, 20), span(0, 'network', 'auth', 20, 30), span(0, 'network', 'kv', 30, 40)]);
    const b = side([
      span(-1, 'network', 'fe', 0, 200),
      span(0, 'network', 'kv', 10, 25),
      span(0, 'network', 'kv', 30, 45),
      span(0, 'network', 'kv', 50, 150),
      span(3, 'fork', 'kv', 60, 140),
    ]);
    const c = compareTraces(a, b);
    expect(c.rows.map((r) => [r.a, r.b, r.status])).toEqual([
      [0, 0, 'matched'],
      [1, 1, 'matched'],
      [3, 2, 'matched'],
      [-1, 3, 'added'],
      [-1, 4, 'added'],
      [2, -1, 'removed'],
    ]);
    expect(c.rows[3]!.parentRow).toBe(0);
    expect(c.rows[4]!.parentRow).toBe(3);
    expect(c.rows[5]!.deltaDuration).toBe(-10);
    expect([c.matched, c.added, c.removed]).toEqual([3, 2, 1]);
    // The added fork (80 ns of its own) explains most, then the added kv call's own 20.
    expect(c.ranked.slice(0, 2)).toEqual([4, 3]);
  });

  it('compares a trace with itself as no difference at all', () => {
    const c = compareTraces(baseline, baseline);
    expect(c.rows.every((r) => r.status === 'matched' && r.deltaDuration === 0 && r.deltaEvents === 0)).toBe(true);
    expect(c.ranked).toEqual([0, 1, 2, 3]);
  });

  it('aligns 10,000-deep chains and a 10,000-wide fan-out without recursion', () => {
    const chain = (n: number, stretch: number) =>
      side(Array.from({ length: n }, (_, i) => span(i - 1, i === 0 ? 'network' : 'fork', 'f', i, n * 2 + stretch - i)));
    const c = compareTraces(chain(10_000, 0), chain(10_000, 7));
    expect(c.matched).toBe(10_000);
    expect(c.rows[9_999]!.depth).toBe(9_999);
    const fan = (n: number) => side([span(-1, 'network', 'fe', 0, n + 10), ...Array.from({ length: n }, (_, i) => span(0, 'network', 'kv', i, i + 1))]);
    const f = compareTraces(fan(10_000), fan(9_000));
    expect([f.matched, f.removed]).toEqual([9_001, 1_000]);
  });
});
