import { describe, expect, it } from 'vitest';
import type { TraceTableData } from '../../electron/ipc-contract.js';
import { filterRows } from '../../renderer/src/table/table-model.js';
import { parseFilter } from '../../renderer/src/table/table-query.js';
import { selectedShape, withShapeTerm } from '../../renderer/src/table/shape-term.js';

// The `shape:N` filter term (what the Shapes panel's buttons write): shapes numbered from 1, a
// bundle without a shape column matches none, the panel replaces its own term only.

function table(shape: number[] | undefined): TraceTableData {
  const n = 6;
  const z = () => new Array<number>(n).fill(0);
  return { bundleId: 'b', count: n, id: [1, 2, 3, 4, 5, 6], start: z(), duration: [5, 4, 3, 2, 1, 9], spanCount: z(), depth: z(), eventCount: z(), rootContainer: z(), containers: z().map(() => [0]), containerNames: ['fe'], shape, shapeKeys: shape && ['N:fe', 'N:fe(N:kv)', 'N:fe(N:kv×2)'] };
}

describe('shape filter term', () => {
  it('parses shape:N and keeps the rows of shape N', () => {
    expect(parseFilter('shape:2').terms).toEqual([{ kind: 'num', field: 'shape', cmp: '=', value: 2 }]);
    const t = table([0, 1, 1, 2, 0, 1]);
    expect(Array.from(filterRows(t, parseFilter('shape:2').terms))).toEqual([1, 2, 5]);
    expect(Array.from(filterRows(t, parseFilter('shape:2 dur>3').terms))).toEqual([1, 5]);
    expect(Array.from(filterRows(t, parseFilter('shape>1').terms))).toEqual([1, 2, 3, 5]);
    expect(Array.from(filterRows(table(undefined), parseFilter('shape:1').terms))).toEqual([]);
  });

  it('the panel writes and reads its own term and leaves the others', () => {
    expect(withShapeTerm('catalog dur>5ms', 3)).toBe('catalog dur>5ms shape:3');
    expect(withShapeTerm('catalog shape:3 dur>5ms', 1)).toBe('catalog dur>5ms shape:1');
    expect(withShapeTerm('shape:3', null)).toBe('');
    expect(selectedShape('catalog shape:12')).toBe(12);
    expect(selectedShape('catalog')).toBeNull();
  });
});
