import { describe, expect, it } from 'vitest';
import { packedBuffers, packTraceTable, unpackTraceTable } from '../../engine/model/packed-trace-table.js';
import type { TraceTableColumns } from '../../engine/model/trace-table-columns.js';

// The packed trace table (docs/adr/0105) gives back exactly the columns it was made from, and its
// buffers can be transferred.

const base: TraceTableColumns = {
  count: 3,
  id: [1, 2, 7],
  start: [0, 1_500_000_123, 9_007_199_254_740_000],
  duration: [10, 0, 123_456_789],
  spanCount: [3, 1, 40],
  depth: [2, 0, 5],
  eventCount: [100, 0, 4242],
  rootContainer: [0, 1, 0],
  containers: [[0, 1], [1], []],
  containerNames: ['front', 'back|end'],
};

describe('packed trace table', () => {
  it('round-trips the fixed columns and the containers', () => {
    expect(unpackTraceTable(packTraceTable(base))).toEqual(base);
  });

  it('round-trips the optional columns: links, orphans, shapes', () => {
    const t = { ...base, inferredLinks: [0, 2, 1], orphans: [0, 1, 0], shape: [1, 0, 1], shapeKeys: ['a', 'b(c)'] };
    expect(unpackTraceTable(packTraceTable(t))).toEqual(t);
  });

  it('survives a structured clone with its buffers transferred', () => {
    const p = packTraceTable({ ...base, shape: [0, 0, 0], shapeKeys: ['x'] });
    const moved = structuredClone(p, { transfer: packedBuffers(p) });
    expect(p.numbers.length).toBe(0); // the sender's buffers are gone: moved, not copied
    expect(unpackTraceTable(moved)).toEqual({ ...base, shape: [0, 0, 0], shapeKeys: ['x'] });
  });

  it('packs an empty table', () => {
    const empty: TraceTableColumns = { count: 0, id: [], start: [], duration: [], spanCount: [], depth: [], eventCount: [], rootContainer: [], containers: [], containerNames: [] };
    expect(unpackTraceTable(packTraceTable(empty))).toEqual(empty);
  });
});
