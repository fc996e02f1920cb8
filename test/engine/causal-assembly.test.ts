import { describe, expect, it } from 'vitest';
import { addKid, assembleCausal, type CausalSpan } from '../../engine/model/causal/causal-span.js';

// Traces from the causal model's spans: pre-order, children in creation order, each span placed
// once with its global index; spans in a cycle no root reaches become a trace of their own.

function span(serial: number, tid: number): CausalSpan {
  return { serial, kind: 'network', tid, container: 'c', ip: '10.0.0.1', start: serial * 10, end: serial * 10 + 5, firstData: serial * 10, parent: null, kids: null, rule: 'root', exact: true, bound: true, answered: true, flat: -1 };
}

describe('assembleCausal', () => {
  it('numbers traces by their roots, spans in pre-order with children by serial, and sets flat', () => {
    const r1 = span(1, 1);
    const r0 = span(0, 1);
    const a = span(5, 2);
    const b = span(3, 3);
    const c = span(4, 4);
    addKid(r1, a);
    addKid(r1, b); // b was made before a: listed first
    addKid(b, c);
    const traces = assembleCausal([r1, r0], [r0, r1, a, b, c], () => {
      throw new Error('every span is reachable');
    });
    expect(traces.map((t) => [t.id, t.spans.map((s) => [s.tid, s.parent, s.depth, s.childCount])])).toEqual([
      [1, [[1, -1, 0, 0]]],
      [2, [[1, -1, 0, 2], [3, 0, 1, 1], [4, 1, 2, 0], [2, 0, 1, 0]]],
    ]);
    expect([r0, r1, b, c, a].map((s) => s.flat)).toEqual([0, 1, 2, 3, 4]);
  });

  it('makes a cycle no root reaches one trace, reported once, each span placed once', () => {
    const root = span(0, 1);
    const x = span(1, 2);
    const y = span(2, 3);
    addKid(x, y);
    addKid(y, x); // a wrong deferred bind: x and y each other's parent
    x.parent = y;
    y.parent = x;
    const unreached: CausalSpan[] = [];
    const traces = assembleCausal([root], [root, x, y], (s) => unreached.push(s));
    expect(unreached).toEqual([x]);
    expect(traces.map((t) => t.spans.map((s) => s.tid))).toEqual([[1], [2, 3]]);
    expect(traces[1]!.spans.map((s) => s.childCount)).toEqual([1, 0]);
    expect([x.rule, x.parent, x.flat, y.flat]).toEqual(['orphan', null, 1, 2]);
  });
});
