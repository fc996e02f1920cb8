import { describe, expect, it } from 'vitest';
import type { TraceTableData } from '../../electron/ipc-contract.js';
import { binDurations, countInto } from '../../renderer/src/table/histogram-model.js';
import { durationTicks } from '../../renderer/src/table/duration-ticks.js';
import { filterRows, orderRows } from '../../renderer/src/table/table-model.js';
import { parseFilter } from '../../renderer/src/table/table-query.js';

// The trace table's pure model: the filter language, filtering and sorting over columns, the
// latency histogram, at the 100k rows the table is built for.

function table(n: number): TraceTableData {
  const names = ['front', 'catalog', 'inventory', 'kvstore'];
  const t: TraceTableData = { bundleId: 'b1', count: n, id: [], start: [], duration: [], spanCount: [], depth: [], eventCount: [], rootContainer: [], containers: [], containerNames: names };
  for (let i = 0; i < n; i++) {
    t.id.push(i + 1);
    t.start.push(i * 1000);
    t.duration.push(((i * 7919) % 1000) * 1000 + 500); // 0.5 µs .. ~1 ms, scrambled
    t.spanCount.push((i % 10) + 1);
    t.depth.push(i % 4);
    t.eventCount.push((i * 31) % 500);
    t.rootContainer.push(0);
    t.containers.push(i % 3 === 0 ? [0, 1, 2, 3] : [0, 2, 3]);
  }
  return t;
}

describe('trace table model', () => {
  it('parses the filter language and reports what it cannot read', () => {
    expect(parseFilter('12').terms).toEqual([{ kind: 'num', field: 'id', cmp: '=', value: 12 }]);
    expect(parseFilter('dur>5ms spans<=3').terms).toEqual([
      { kind: 'num', field: 'duration', cmp: '>', value: 5e6 },
      { kind: 'num', field: 'spanCount', cmp: '<=', value: 3 },
    ]);
    expect(parseFilter('dur<1.5µs').terms).toEqual([{ kind: 'num', field: 'duration', cmp: '<', value: 1500 }]);
    expect(parseFilter('Catalog entry:FRONT').terms).toEqual([
      { kind: 'container', text: 'catalog' },
      { kind: 'entry', text: 'front' },
    ]);
    expect(parseFilter('dur>3parsecs').errors[0]).toMatch(/unknown unit/);
    expect(parseFilter('weight>3').errors[0]).toMatch(/unknown field "weight"/);
    expect(parseFilter('spans>3ms').errors[0]).toMatch(/takes a plain number/);
  });

  it('filters and sorts 100,000 rows exactly', () => {
    const t = table(100_000);
    const rows = filterRows(t, parseFilter('catalog dur>500us').terms);
    const expected = t.id.filter((_, i) => i % 3 === 0 && t.duration[i]! > 500_000).length;
    expect(rows.length).toBe(expected);
    const sorted = orderRows(t, rows, null, { sortKey: 'duration', descending: true });
    for (let k = 1; k < sorted.length; k++) {
      const a = sorted[k - 1]!;
      const b = sorted[k]!;
      expect(t.duration[a]! > t.duration[b]! || (t.duration[a] === t.duration[b] && t.id[a]! > t.id[b]!)).toBe(true);
    }
    const ranged = orderRows(t, filterRows(t, []), [100_000, 200_000], { sortKey: 'id', descending: false });
    expect(ranged.length).toBe(t.duration.filter((d) => d >= 100_000 && d <= 200_000).length);
    expect([...ranged].every((r, k) => k === 0 || t.id[r]! > t.id[ranged[k - 1]!]!)).toBe(true);
  });

  it('bins latencies on a log scale, every trace in exactly one bin', () => {
    const d = [1000, 2000, 1_000_000, 999_999_999, 0];
    const h = binDurations(d, 10);
    expect(h.all.reduce((a, b) => a + b, 0)).toBe(5);
    expect(h.all[0]).toBe(1); // the 0 ns trace, counted as 1 ns
    expect(h.all[9]).toBe(1); // the longest, inside the last bin
    expect(countInto(h.edges, d, Int32Array.from([1, 2]))).toEqual(countInto(h.edges, [2000, 1_000_000], null));
    // One value only: a one-decade range around it, not a zero-width axis.
    const one = binDurations([5000], 4);
    expect(one.edges[4]! - one.edges[0]!).toBeCloseTo(1, 5);
  });

  it('puts histogram ticks on round durations', () => {
    expect(durationTicks(3, 6, 20).map((v) => Math.round(10 ** v))).toEqual([1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]);
    expect(durationTicks(3, 6, 5).map((v) => Math.round(10 ** v))).toEqual([1000, 10_000, 100_000, 1_000_000]);
  });
});
