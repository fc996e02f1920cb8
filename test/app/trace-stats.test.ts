import { describe, expect, it } from 'vitest';
import { StatsAccumulator, traceStats } from '../../engine/analysis/trace-stats.js';

// A hand-made trace whose answers are known: root A 0-100 calls B 10-40 and B' 30-60 (overlapping:
// A waits 10-60, so its self time is 50), B calls C 20-30 (B's self time 20).

const spans = [
  { parent: -1, start: 0, end: 100, container: 'a' },
  { parent: 0, start: 10, end: 40, container: 'b' },
  { parent: 1, start: 20, end: 30, container: 'c' },
  { parent: 0, start: 30, end: 60, container: 'b' },
];
const counts: { total: number; byProbe: Record<string, number> }[] = [
  { total: 3, byProbe: { read: 2, write: 1 } },
  { total: 1, byProbe: { read: 1 } },
  { total: 0, byProbe: {} },
  { total: 5, byProbe: { read: 4, fault: 1 } },
];

describe('trace statistics', () => {
  it('sums self time, spans and events per container, and counts per kernel event', () => {
    const s = traceStats(spans, counts);
    expect(s.containers).toEqual([
      { container: 'a', spans: 1, selfNs: 50, events: 3 },
      { container: 'b', spans: 2, selfNs: 20 + 30, events: 6 },
      { container: 'c', spans: 1, selfNs: 10, events: 0 },
    ]);
    expect(s.selfNs).toBe(110);
    expect(s.byEvent).toEqual([
      { event: 'read', count: 7, spans: 3, byContainer: { a: 2, b: 5 } },
      { event: 'fault', count: 1, spans: 1, byContainer: { b: 1 } },
      { event: 'write', count: 1, spans: 1, byContainer: { a: 1 } },
    ]);
  });

  it('folds many traces into one bundle view', () => {
    const acc = new StatsAccumulator();
    acc.add(spans, counts);
    acc.add(spans, counts);
    const s = acc.result();
    expect([s.traces, s.spans, s.events, s.selfNs]).toEqual([2, 8, 18, 220]);
  });
});
