import { describe, expect, it } from 'vitest';
import { useCompare } from '../../renderer/src/stores/compare-store.js';

// Marks for comparing two traces: at most two (the oldest drops out), a second mark of the same
// trace removes it, and marks belong to one bundle (another bundle's table starts with none).

describe('compare marks', () => {
  it('keeps the last two marks of one bundle', () => {
    const s = () => useCompare.getState();
    s().toggleMark('b1', 3);
    s().toggleMark('b1', 7);
    expect([s().markedBundle, s().marked]).toEqual(['b1', [3, 7]]);
    s().toggleMark('b1', 9);
    expect(s().marked).toEqual([7, 9]);
    s().toggleMark('b1', 7);
    expect(s().marked).toEqual([9]);
    s().toggleMark('b2', 4);
    expect([s().markedBundle, s().marked]).toEqual(['b2', [4]]);
    s().clearMarks();
    expect(s().marked).toEqual([]);
  });
});
