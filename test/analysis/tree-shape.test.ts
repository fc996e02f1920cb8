import { describe, expect, it } from 'vitest';
import { chainTrace, syntheticTrace } from '../../bench/synthetic-trace.js';
import { SHAPE_TEXT_LIMIT, shapeContainers, shapeKey, type ShapeSpan } from '../../engine/analysis/tree-shape.js';
import { groupByShape, nearestRank, ShapeInterner } from '../../engine/analysis/shape-groups.js';

// Hand-made trees whose shapes are known: pre-order lists of (parent, kind, container).
const net = (parent: number, container: string): ShapeSpan => ({ parent, kind: 'network', container });
const fork = (parent: number, container: string): ShapeSpan => ({ parent, kind: 'fork', container });

describe('shapeKey', () => {
  it('writes kinds and containers with the children in canonical order and repeats counted', () => {
    // frontend calls kvstore, catalog (which forks a worker), kvstore again.
    const t = [net(-1, 'frontend'), net(0, 'kvstore'), net(0, 'catalog'), fork(2, 'catalog'), net(0, 'kvstore')];
    expect(shapeKey(t)).toBe('N:frontend(N:catalog(F:catalog),N:kvstore×2)');
  });

  it('gives the same key whatever order the calls were made in', () => {
    const a = [net(-1, 'fe'), net(0, 'b'), net(1, 'c'), net(0, 'a')];
    const b = [net(-1, 'fe'), net(0, 'a'), net(0, 'b'), net(2, 'c')];
    expect(shapeKey(a)).toBe(shapeKey(b));
  });

  it('tells apart a different fan-out, a fork from a call, and where a child hangs', () => {
    const base = shapeKey([net(-1, 'fe'), net(0, 'kv'), net(0, 'kv')]);
    expect(shapeKey([net(-1, 'fe'), net(0, 'kv'), net(0, 'kv'), net(0, 'kv')])).not.toBe(base);
    expect(shapeKey([net(-1, 'fe'), net(0, 'kv'), fork(0, 'kv')])).not.toBe(base);
    expect(shapeKey([net(-1, 'fe'), net(0, 'kv'), net(1, 'kv')])).not.toBe(base);
  });

  it('escapes container names that hold the text syntax', () => {
    const odd = shapeKey([net(-1, 'a(b),c'), net(0, 'x×2')]);
    expect(odd).toBe('N:a\\(b\\)\\,c(N:x\\×2)');
    expect(shapeContainers(odd)).toEqual(['a(b),c', 'x×2']);
    expect(odd).not.toBe(shapeKey([net(-1, 'a'), net(0, 'b'), net(0, 'c')]));
  });

  it('keeps a 10,000-deep fork chain short and linear (digests, still canonical)', () => {
    const chain = chainTrace(10_000).spans;
    const t0 = performance.now();
    const k = shapeKey(chain);
    expect(performance.now() - t0).toBeLessThan(5_000); // quadratic text would be ~100 MB, not a time bound
    expect(k.length).toBeLessThanOrEqual(SHAPE_TEXT_LIMIT);
    expect(shapeKey(chainTrace(10_000).spans)).toBe(k);
    expect(shapeKey(chainTrace(9_999).spans)).not.toBe(k);
  });
});

describe('groupByShape', () => {
  it('counts each shape and gives nearest-rank percentiles, the median and the slowest trace', () => {
    // Rows 0..9: shape 0 with durations 10..100, rows 10..12: shape 1.
    const shape = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
    const duration = [100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 7, 5, 6];
    const g = groupByShape(shape, duration);
    expect(g.map((x) => [x.shape, x.count])).toEqual([[0, 10], [1, 3]]);
    expect([g[0]!.p50, g[0]!.p90, g[0]!.p99, g[0]!.max]).toEqual([50, 90, 100, 100]);
    expect(g[0]!.medianRow).toBe(5);
    expect(g[0]!.slowestRow).toBe(0);
    expect([g[1]!.p50, g[1]!.medianRow, g[1]!.slowestRow]).toEqual([6, 12, 10]);
    expect(Array.from(g[1]!.rows)).toEqual([11, 12, 10]);
    // Restricted to some rows (a filtered table).
    expect(groupByShape(shape, duration, [9, 10]).map((x) => [x.shape, x.count])).toEqual([[0, 1], [1, 1]]);
  });

  it('nearest rank', () => {
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 99)).toBe(4);
    expect(nearestRank([5], 90)).toBe(5);
    expect(Number.isNaN(nearestRank([], 50))).toBe(true);
  });

  it('groups 4,000 synthetic traces of 10 shapes, 400 each', () => {
    const interner = new ShapeInterner();
    const shapes: number[] = [];
    const durations: number[] = [];
    for (let i = 0; i < 4_000; i++) {
      const { trace } = syntheticTrace({ spans: 20 + (i % 10), seed: (i % 10) + 1 });
      shapes.push(interner.intern(shapeKey(trace.spans)));
      durations.push(1_000 + i);
    }
    const g = groupByShape(shapes, durations);
    expect(interner.keys.length).toBe(10);
    expect(g.map((x) => x.count)).toEqual(new Array(10).fill(400));
    expect(g.every((x) => x.max === durations[x.slowestRow])).toBe(true);
  });
});

describe('parseShape', () => {
  it('reads a shape text back: kinds, escaped names, repeats, nesting', async () => {
    const { parseShape } = await import('../../engine/analysis/shape-parse.js');
    const key = shapeKey([net(-1, 'fe(1)'), net(0, 'kv'), net(0, 'kv'), net(0, 'cat'), fork(3, 'cat')]);
    expect(parseShape(key)).toEqual({
      kind: 'network',
      container: 'fe(1)',
      count: 1,
      kids: [
        { kind: 'network', container: 'cat', count: 1, kids: [{ kind: 'fork', container: 'cat', count: 1, kids: [] }] },
        { kind: 'network', container: 'kv', count: 2, kids: [] },
      ],
    });
    expect(parseShape(shapeKey(chainTrace(10_000).spans))?.kind).toBe('network');
    expect(parseShape('N:a(')).toBeNull();
    expect(parseShape('garbage')).toBeNull();
  });
});
