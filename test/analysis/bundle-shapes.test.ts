import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicateCapture } from '../../bench/replicate.js';
import { groupByShape } from '../../engine/analysis/shape-groups.js';
import { shapeKey } from '../../engine/analysis/tree-shape.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { traceShapeColumn } from '../../engine/bundle/trace-shapes.js';
import { InProcessEngineClient } from '../../engine/worker/engine-client.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import { FIXTURES } from '../fixtures.js';

// Shapes of real bundles: mixed50 (the real capture) and the same capture replicated 80 times
// (4,000 traces, 1.46M records, imported by the engine as the app imports). Every copy is the
// same 50 requests, so each shape of the large bundle holds exactly 80 times the traces it holds
// in mixed50, and its latency distribution is the same.

let dir: TempDir;
let small: Bundle;
let large: Bundle;

beforeAll(async () => {
  dir = tempDir('misertrace-shapes-');
  small = Bundle.open(await buildFixtureBundle('mixed50', dir.path));
  const raw = join(dir.path, 'replicated.psv');
  const info = await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 80, tracePath: raw, metaPath: join(dir.path, 'replicated.meta.psv') });
  const path = join(dir.path, 'large.mstrace');
  const engine = new InProcessEngineClient();
  try {
    await engine.run({ kind: 'import', input: raw, meta: info.meta, gateway: '172.29.77.1', output: path, capture: { backend: 'bpftrace', network: 'replicated' } }).result;
  } finally {
    await engine.dispose();
  }
  large = Bundle.open(path);
}, 300_000);

afterAll(() => {
  small?.close();
  large?.close();
  dir?.remove();
});

function shapesOf(b: Bundle) {
  const rows = b.traceSummaries();
  const col = traceShapeColumn(b, rows.map((r) => r.id));
  return { rows, col, groups: groupByShape(col.shape, rows.map((r) => r.duration)) };
}

describe('shapes of a bundle', () => {
  it('the scan gives each trace the key of its own tree (mixed50)', () => {
    const { rows, col } = shapesOf(small);
    expect(rows.length).toBe(50);
    for (const r of rows) expect(col.keys[col.shape[rows.indexOf(r)]!]).toBe(shapeKey(small.trace(r.id)!.spans));
    expect(col.keys.length).toBeGreaterThan(1);
    expect(col.keys.length).toBeLessThan(50);
  });

  it('4,000 traces: the same shapes, 80 times the traces each, the same latency spread', () => {
    const s = shapesOf(small);
    const l = shapesOf(large);
    expect(l.rows.length).toBe(4_000);
    expect(l.col.shape.every((x) => x >= 0)).toBe(true);
    expect([...l.col.keys].sort()).toEqual([...s.col.keys].sort());
    const smallByKey = new Map(s.groups.map((g) => [s.col.keys[g.shape]!, g]));
    for (const g of l.groups) {
      const sg = smallByKey.get(l.col.keys[g.shape]!)!;
      expect(g.count).toBe(80 * sg.count);
      expect(g.max).toBe(sg.max);
      expect(g.p50).toBe(sg.p50);
      expect(l.rows[g.slowestRow]!.duration).toBe(g.max);
    }
  });
});
