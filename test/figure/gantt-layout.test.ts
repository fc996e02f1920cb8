import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainTrace, syntheticTrace } from '../../bench/synthetic-trace.js';
import { DEFAULT_GEOMETRY, layoutGantt } from '../../engine/figure/gantt-layout.js';
import type { GanttLayout, GanttRow } from '../../engine/figure/layout-types.js';
import type { AssembledTrace, FlatSpan } from '../../engine/model/trace-assembly.js';
import { openFixture, type OpenFixture } from './fixture-traces.js';

let seq20: OpenFixture;
beforeAll(async () => {
  seq20 = await openFixture('seq20');
});
afterAll(() => seq20?.close());

function span(index: number, parent: number, depth: number, start: number, end: number, extra: Partial<FlatSpan> = {}): FlatSpan {
  return { index, parent, depth, kind: 'network', tid: 100 + index, container: 'c', ip: '10.0.0.1', start, end, childCount: 0, ...extra };
}

function withChildCounts(spans: FlatSpan[]): AssembledTrace {
  for (const s of spans) if (s.parent >= 0) spans[s.parent]!.childCount++;
  return { id: 1, spans };
}

const mid = (r: GanttRow) => r.bar.y + r.bar.height / 2;

describe('layout of a real trace (seq20, trace 1)', () => {
  let layout: GanttLayout;
  let trace: AssembledTrace;
  beforeAll(() => {
    const [t] = seq20.traces([1]);
    trace = t!.trace;
    layout = layoutGantt(t!);
  });

  it('has one row per span, in the trace order, with the parent rows of the tree', () => {
    expect(layout.rows.map((r) => r.span)).toEqual(trace.spans.map((s) => s.index));
    layout.rows.forEach((r, i) => {
      const s = trace.spans[i]!;
      expect(r.parentRow).toBe(s.parent);
      expect([r.kind, r.tid, r.container, r.start, r.end]).toEqual([s.kind, s.tid, s.container, s.start, s.end]);
      expect(r.y).toBe(i * DEFAULT_GEOMETRY.rowPitch);
    });
  });

  it('places bars on one time scale over the whole trace', () => {
    const start = Math.min(...trace.spans.map((s) => s.start));
    const end = Math.max(...trace.spans.map((s) => s.end));
    expect(layout.window).toEqual({ start, end });
    expect(layout.unitsPerNs).toBeCloseTo(DEFAULT_GEOMETRY.plotWidth / (end - start), 12);
    for (const r of layout.rows) {
      expect(r.bar.x).toBeCloseTo((r.start - start) * layout.unitsPerNs, 6);
      if (!r.flags.widened) expect(r.bar.width).toBeCloseTo((r.end - r.start) * layout.unitsPerNs, 6);
      else expect(r.bar.width).toBe(DEFAULT_GEOMETRY.minBarWidth);
    }
    expect(layout.rows[0]!.bar).toMatchObject({ x: 0 });
  });

  it('shows the user-probe counts of the bundle, named as in the seed figure', () => {
    expect(layout.countColumns.map((c) => c.label)).toEqual(['Migrations', 'User page faults']);
    const counts = seq20.bundle.spanCounts(1);
    layout.rows.forEach((r) => {
      expect(r.counts).toEqual(layout.countColumns.map((c) => counts[r.span]!.byProbe[c.probe] ?? 0));
      expect(r.label!.text).toBe(`${r.tid} ${r.container} Migrations: ${r.counts[0]} User page faults: ${r.counts[1]}`);
    });
  });

  it('draws a request arrow to each child start and a response arrow from each child end', () => {
    const calls = layout.arrows.filter((a) => a.direction === 'call' && a.edge !== 'client');
    const returns = layout.arrows.filter((a) => a.direction === 'return' && a.edge !== 'client');
    expect(calls).toHaveLength(trace.spans.length - 1);
    expect(returns).toHaveLength(trace.spans.length - 1);
    for (const a of calls) {
      const child = layout.rows[a.toRow]!;
      const parent = layout.rows[a.fromRow]!;
      expect(parent.row).toBe(child.parentRow);
      expect(a.edge).toBe(child.kind);
      // Either into the start from the left, or onto the top edge right at the start.
      if (a.tip.y === mid(child)) expect(a.tip.x).toBe(child.bar.x);
      else {
        expect(a.tip.y).toBe(child.bar.y);
        expect(a.tip.x - child.bar.x).toBeLessThanOrEqual(DEFAULT_GEOMETRY.arrowInset);
      }
      expect(a.d.startsWith('M')).toBe(true);
    }
    for (const a of returns) {
      const child = layout.rows[a.fromRow]!;
      const parent = layout.rows[a.toRow]!;
      expect(a.tip.y).toBe(parent.bar.y + parent.bar.height);
      expect(a.tip.x).toBeCloseTo(child.bar.x + child.bar.width + DEFAULT_GEOMETRY.arrowStub, 6);
      expect(a.d).toMatch(/^M[\d.]+,[\d.]+H/);
      expect([a.rowMin, a.rowMax]).toEqual([parent.row, child.row]);
    }
    const client = layout.arrows.filter((a) => a.edge === 'client');
    expect(client.map((a) => a.direction)).toEqual(['call', 'return']);
    expect(client[0]!.tip).toEqual({ x: 0, y: mid(layout.rows[0]!) });
  });

  it('keeps labels clear of their bars: inside only when they fit, else beside it', () => {
    for (const r of layout.rows) {
      const l = r.label!;
      if (l.placement === 'inside') {
        expect(l.width + 2 * DEFAULT_GEOMETRY.labelGap).toBeLessThanOrEqual(r.bar.width);
        expect(l.x).toBeCloseTo(r.bar.x + r.bar.width / 2, 6);
      } else if (l.placement === 'right') {
        expect(l.anchor).toBe('start');
        expect(l.x).toBeGreaterThan(r.bar.x + r.bar.width + DEFAULT_GEOMETRY.arrowStub);
      } else {
        expect(l.anchor).toBe('end');
        expect(l.x).toBeLessThan(r.bar.x);
      }
      expect(l.overhangs).toBe(false);
    }
    expect(new Set(layout.rows.map((r) => r.label!.placement))).toEqual(new Set(['inside', 'right', 'left']));
  });

  it('has a time axis in ms from the request start, with exact tick labels', () => {
    expect(layout.axis.unit).toBe('ms');
    expect(layout.axis.title).toBe('Time since request start (ms)');
    expect(layout.axis.ticks[0]).toMatchObject({ label: '0', x: 0 });
    const labels = layout.axis.ticks.map((t) => Number(t.label));
    for (let i = 1; i < labels.length; i++) expect(labels[i]! - labels[i - 1]!).toBeCloseTo(layout.axis.stepNs / 1e6, 9);
    for (const t of layout.axis.ticks) expect(t.x).toBeCloseTo((t.t - layout.window.start) * layout.unitsPerNs, 6);
  });

  it('lists in the legend the kinds present and the arrows drawn', () => {
    expect(layout.legend.map((e) => e.key)).toEqual(['network', 'fork', 'call', 'return']);
    expect(layout.legend[0]!.label).toBe('Network thread state');
  });

  it('collapses subtrees, counting what it hides, and draws no arrows into them', () => {
    const c = layoutGantt(seq20.traces([1])[0]!, { collapsed: [2] });
    const hidden = c.rows.find((r) => r.span === 2)!;
    const subtree = trace.spans.filter((s) => {
      let p = s.parent;
      while (p > 2) p = trace.spans[p]!.parent;
      return p === 2;
    }).length;
    expect(hidden.collapsed).toBe(true);
    expect(hidden.hiddenDescendants).toBe(subtree);
    expect(c.rows).toHaveLength(trace.spans.length - subtree);
    expect(c.stats.hiddenByCollapse).toBe(subtree);
    expect(hidden.label!.text).toContain(`(+${subtree} hidden)`);
    expect(c.arrows.some((a) => a.fromRow === hidden.row && a.direction === 'call')).toBe(false);
    const byDepth = layoutGantt(seq20.traces([1])[0]!, { maxDepth: 1 });
    expect(byDepth.rows.every((r) => r.depth <= 1)).toBe(true);
    expect(byDepth.rows.filter((r) => r.collapsed).map((r) => r.span)).toEqual(trace.spans.filter((s) => s.depth === 1 && s.childCount > 0).map((s) => s.index));
  });

  it('zooms into a time window: bars cut at the edges, no arrows to starts or ends it cuts off', () => {
    const root = trace.spans[0]!;
    const window = { start: root.start + 5_000_000, end: root.start + 15_000_000 };
    const all = layoutGantt(seq20.traces([1])[0]!, { window });
    expect(all.rows).toHaveLength(trace.spans.length);
    expect(all.unitsPerNs).toBeCloseTo(DEFAULT_GEOMETRY.plotWidth / 10_000_000, 12);
    for (const r of all.rows) {
      if (r.end < window.start) expect(r.flags.outside).toBe('before');
      else if (r.start > window.end) expect(r.flags.outside).toBe('after');
      else {
        expect(r.bar.x).toBeGreaterThanOrEqual(0);
        expect(r.bar.x + r.bar.width).toBeLessThanOrEqual(DEFAULT_GEOMETRY.plotWidth + 1e-9);
        expect(r.flags.clippedStart).toBe(r.start < window.start);
        expect(r.flags.clippedEnd).toBe(r.end > window.end);
      }
    }
    for (const a of all.arrows) {
      if (a.direction === 'call' && a.edge !== 'client') expect(all.rows[a.toRow]!.flags.clippedStart).toBe(false);
      if (a.direction === 'return' && a.edge !== 'client') expect(all.rows[a.fromRow]!.flags.clippedEnd).toBe(false);
    }
    expect(all.arrows.some((a) => a.edge === 'client')).toBe(false);
    expect(all.axis.ticks[0]!.label).toBe('5');
    const some = layoutGantt(seq20.traces([1])[0]!, { window, windowRows: 'intersecting' });
    expect(some.rows.length).toBe(all.rows.filter((r) => r.flags.outside === null).length);
    expect(some.stats.hiddenByWindow).toBe(all.rows.length - some.rows.length);
  });

  it('follows the label options: fields, order and display names', () => {
    const l = layoutGantt(seq20.traces([1])[0]!, {
      label: { fields: ['container', 'tid', 'duration'], containerNames: { 'oracle-frontend': 'Frontend' } },
      counts: [],
    });
    const root = l.rows[0]!;
    expect(root.label!.text).toBe(`Frontend ${root.tid} ${Number(((root.end - root.start) / 1e6).toPrecision(4))} ms`);
    expect(root.label!.segments.map((s) => s.role)).toEqual(['container', 'tid', 'duration']);
    expect(root.label!.segments[1]!.bold).toBe(true);
  });
});

describe('layout of awkward traces', () => {
  it('gives zero and negative durations a minimum visible width and flags them', () => {
    const t = withChildCounts([span(0, -1, 0, 0, 1_000_000), span(1, 0, 1, 500_000, 500_000), span(2, 0, 1, 700_000, 600_000), span(3, 0, 1, 999_999, 1_000_000)]);
    const l = layoutGantt({ trace: t });
    const [, zero, neg, tiny] = l.rows;
    expect(zero!.flags).toMatchObject({ zeroDuration: true, widened: true, negativeDuration: false });
    expect(zero!.bar.width).toBe(DEFAULT_GEOMETRY.minBarWidth);
    expect(zero!.bar.x).toBeCloseTo(450, 6);
    expect(neg!.flags).toMatchObject({ negativeDuration: true, zeroDuration: false });
    expect(neg!.bar.x).toBeCloseTo(540, 6); // covers [end, start]
    expect(neg!.bar.width).toBeCloseTo(90, 6);
    // A 1 ns span at the very end is widened inward, not past the plot.
    expect(tiny!.flags.widened).toBe(true);
    expect(tiny!.bar.x + tiny!.bar.width).toBeLessThanOrEqual(DEFAULT_GEOMETRY.plotWidth);
    expect(l.stats).toMatchObject({ zeroDuration: 1, negativeDuration: 1, widened: 2 });
  });

  it('lays out a trace of a single zero-length span', () => {
    const l = layoutGantt({ trace: { id: 9, spans: [span(0, -1, 0, 42, 42)] } });
    expect(l.rows[0]!.bar.width).toBe(DEFAULT_GEOMETRY.minBarWidth);
    expect(l.axis.unit).toBe('ns');
    expect(l.axis.ticks.length).toBeGreaterThan(0);
  });

  it('keeps very unequal durations visible side by side', () => {
    const t = withChildCounts([span(0, -1, 0, 0, 1e9), span(1, 0, 1, 10, 11), span(2, 0, 1, 5e8, 9e8)]);
    const l = layoutGantt({ trace: t });
    expect(l.rows[1]!.bar.width).toBe(DEFAULT_GEOMETRY.minBarWidth);
    expect(l.rows[2]!.bar.width).toBeCloseTo(360, 6);
    expect(l.axis.unit).toBe('s');
    expect(l.axis.ticks.map((t) => t.label)).toEqual(['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0']);
  });

  it('handles a fork chain 20,000 deep without recursion', () => {
    const t = chainTrace(20_000);
    const l = layoutGantt({ trace: t }, { geometry: { rowPitch: 4, barHeight: 3 } });
    expect(l.rows).toHaveLength(20_000);
    expect(l.labelsShown).toBe(false);
    expect(l.rows[19_999]!.parentRow).toBe(19_998);
    expect(l.arrows.filter((a) => a.edge === 'fork')).toHaveLength(2 * 19_999);
    const collapsed = layoutGantt({ trace: t }, { collapsed: [1] });
    expect(collapsed.rows).toHaveLength(2);
    expect(collapsed.rows[1]!.hiddenDescendants).toBe(19_998);
  });

  it('grows linearly with the number of spans', () => {
    // CPU time, not wall time: other processes on a busy machine stretch the latter.
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const best = (n: number) => {
      const input = syntheticTrace({ spans: n, seed: 3 });
      let t = Infinity;
      for (let i = 0; i < 4; i++) {
        const t0 = cpuMs();
        layoutGantt(input);
        t = Math.min(t, cpuMs() - t0);
      }
      return Math.max(t, 0.5);
    };
    best(2_000);
    const small = best(2_000);
    const large = best(32_000);
    // 16x the spans: linear work takes ~16x (seen 9x-22x on a loaded machine); quadratic, ~256x.
    expect(large / small).toBeLessThan(80);
  });

  it('rejects bad geometry and windows as developer errors', () => {
    const t = { trace: withChildCounts([span(0, -1, 0, 0, 10)]) };
    expect(() => layoutGantt(t, { geometry: { rowPitch: 0 } })).toThrow(RangeError);
    expect(() => layoutGantt(t, { geometry: { plotWidth: Number.NaN } })).toThrow(/plotWidth/);
    expect(() => layoutGantt(t, { window: { start: 10, end: 5 } })).toThrow(/before it starts/);
    expect(() => layoutGantt({ trace: { id: 1, spans: [] } })).toThrow(/no spans/);
  });
});

describe('layout options together', () => {
  it('keeps a collapsed subtree hidden when the window also hides its root', () => {
    // root [0,100] > a [0,10] (collapsed) > b [50,60]: the window [40,100] hides a, and b stays hidden under it.
    const t = withChildCounts([span(0, -1, 0, 0, 100), span(1, 0, 1, 0, 10), span(2, 1, 2, 50, 60), span(3, 0, 1, 70, 80)]);
    const l = layoutGantt({ trace: t }, { window: { start: 40, end: 100 }, windowRows: 'intersecting', collapsed: [1] });
    expect(l.rows.map((r) => r.span)).toEqual([0, 3]);
    expect(l.stats).toMatchObject({ hiddenByWindow: 1, hiddenByCollapse: 1 });
    const open = layoutGantt({ trace: t }, { window: { start: 40, end: 100 }, windowRows: 'intersecting' });
    expect(open.rows.map((r) => r.span)).toEqual([0, 2, 3]);
    expect(open.rows[1]!.parentRow).toBe(0); // its parent is out of the window: linked to the root
  });
});
