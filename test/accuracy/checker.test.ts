import { describe, expect, it } from 'vitest';
import type { AccuracyRow } from '../../e2e/accuracy/accuracy-table.js';
import { checkRequest, checkRequests, tally, type CheckSpan, type CheckTrace } from '../../e2e/accuracy/checker.js';
import { flagValues } from '../../e2e/accuracy/cli-runner.js';
import { belowFloors } from '../../e2e/accuracy/floors.js';
import { parseTree, truthTree, type GtHandler } from '../../e2e/accuracy/truth-tree.js';

// The accuracy checker on hand-made logs and traces: one request /stock (frontend -> inventory ->
// kvstore), its true tree from the logs, and traces that get it right or wrong in each way.

const FE = 101;
const INV = 202;
const KV = 303;

/** Request `rid` whose frontend handling starts at `t` (times in ns, relative). */
function stockLogs(rid: string, t: number): GtHandler[] {
  return [
    { svc: 'frontend', rid, tid: FE, start: t + 10, end: t + 900, calls: [{ to: 'inventory', start: t + 20, end: t + 880 }] },
    { svc: 'inventory', rid, tid: INV, start: t + 100, end: t + 800, calls: [{ to: 'kvstore', start: t + 200, end: t + 700 }] },
    { svc: 'kvstore', rid, tid: KV, start: t + 300, end: t + 600, calls: [] },
  ];
}

const span = (parent: number, role: string, tid: number, start: number, end: number, link?: CheckSpan['link']): CheckSpan => ({ parent, kind: 'network', role, tid, start, end, link });

/** The right trace for a request logged at `t`. */
function stockSpans(t: number): CheckSpan[] {
  return [span(-1, 'frontend', FE, t + 5, t + 905), span(0, 'inventory', INV, t + 90, t + 810), span(1, 'kvstore', KV, t + 290, t + 610)];
}

const TREE = 'N:frontend(N:inventory(N:kvstore))';
const truthOf = (t: number) => truthTree(TREE, stockLogs('r-1', t))!;

describe('truthTree', () => {
  it('puts each logged handler on its node, and each call window on the callee', () => {
    const n = truthOf(0);
    expect(n).toMatchObject({ role: 'frontend', tid: FE, handler: { start: 10, end: 900 } });
    expect(n.children[0]).toMatchObject({ role: 'inventory', tid: INV, handler: { start: 100, end: 800 }, window: { start: 20, end: 880 } });
    expect(n.children[0]!.children[0]).toMatchObject({ role: 'kvstore', tid: KV, window: { start: 200, end: 700 } });
  });

  it('gives two calls to one service their own handlers, by window (/checkout: a CGI call, then /reserve)', () => {
    const logs: GtHandler[] = [
      { svc: 'frontend', rid: 'r', tid: FE, start: 0, end: 1000, calls: [{ to: 'catalog', start: 10, end: 400 }, { to: 'inventory', start: 500, end: 900 }] },
      { svc: 'inventory', rid: 'r', tid: INV, start: 600, end: 800, calls: [] },
      { svc: 'inventory', rid: 'r', tid: INV, start: 100, end: 300, calls: [] },
    ];
    const n = truthTree('N:frontend(N:catalog(F:catalog(N:inventory)),N:inventory)', logs)!;
    expect(n.children[0]!.children[0]!.children[0]!.handler).toEqual({ start: 100, end: 300 });
    expect(n.children[1]!.handler).toEqual({ start: 600, end: 800 });
  });

  it('is null when the root service logged nothing for the request; bad tree text says where', () => {
    expect(truthTree(TREE, stockLogs('r', 0).slice(1))).toBeNull();
    expect(() => parseTree('N:frontend(N:x')).toThrow(/expected , or \) at 14/);
  });
});

describe('checkRequest', () => {
  it('correct: one trace, every part under its true parent on its thread', () => {
    const c = checkRequest(truthOf(0), [{ id: 1, spans: stockSpans(0) }]);
    expect(c).toMatchObject({ verdict: 'correct', traceId: 1 });
  });

  it('missing: no trace is rooted on the frontend handling (wrong thread, or too short)', () => {
    const wrongTid = stockSpans(0).map((s, i) => (i === 0 ? { ...s, tid: 999 } : s));
    expect(checkRequest(truthOf(0), [{ id: 1, spans: wrongTid }]).verdict).toBe('missing');
    expect(checkRequest(truthOf(0), []).verdict).toBe('missing');
  });

  it('split: the root handling is cut, its first piece a trace ending before the handler did', () => {
    const tooShort = stockSpans(0).map((s, i) => (i === 0 ? { ...s, end: 500 } : s));
    expect(checkRequest(truthOf(0), [{ id: 1, spans: tooShort }])).toMatchObject({ verdict: 'split', detail: 'its root handling is cut: 1 trace(s) hold pieces of it' });
  });

  it('split: the kvstore part is a trace of its own', () => {
    const traces: CheckTrace[] = [
      { id: 1, spans: stockSpans(0).slice(0, 2) },
      { id: 2, spans: [{ ...stockSpans(0)[2]!, parent: -1 }] },
    ];
    expect(checkRequest(truthOf(0), traces)).toMatchObject({ verdict: 'split', detail: 'N:kvstore is in trace 2' });
  });

  it('merged: the trace also holds another request\'s parts, or the request sits inside another trace', () => {
    const other = stockSpans(2000).slice(1).map((s) => ({ ...s, parent: s.parent === 0 ? 0 : 3 }));
    const c = checkRequest(truthOf(0), [{ id: 1, spans: [...stockSpans(0), ...other] }]);
    expect(c).toMatchObject({ verdict: 'merged', detail: "2 span(s) of the trace are not this request's", inferred: 0 });
    // Linked in by an inference: two wrong inferred links.
    const guessed = other.map((s) => ({ ...s, link: { rule: 'last-read', exact: false } }));
    expect(checkRequest(truthOf(0), [{ id: 1, spans: [...stockSpans(0), ...guessed] }])).toMatchObject({ verdict: 'merged', inferred: 2, inferredRight: 0 });
    // Request 2 (at 2000) has no trace rooted on its handling: its root is inside trace 1.
    const inner = [...stockSpans(0), ...stockSpans(2000).map((s) => ({ ...s, parent: s.parent + 3 }))].map((s, i) => (i === 3 ? { ...s, parent: 0 } : s));
    expect(checkRequest(truthOf(2000), [{ id: 1, spans: inner }])).toMatchObject({ verdict: 'merged', detail: 'its root is inside trace 1' });
  });

  it("merged: on an event loop, another request's root span on the same thread contains this handling", () => {
    const truth = truthTree(TREE, stockLogs('r-1', 0), { start: 0, end: 1000 })!;
    expect(checkRequest(truth, [{ id: 1, spans: stockSpans(0) }])).toMatchObject({ verdict: 'correct' });
    const long = stockSpans(0).map((s, i) => (i === 0 ? { ...s, start: -5000, end: 5000 } : s));
    expect(checkRequest(truth, [{ id: 7, spans: long }])).toMatchObject({ verdict: 'merged', detail: 'its root is inside trace 7' });
  });

  it('merged: a span of the right thread runs past its caller\'s reply (it took in later work)', () => {
    const long = stockSpans(0).map((s, i) => (i === 2 ? { ...s, end: 5000 } : s));
    expect(checkRequest(truthOf(0), [{ id: 1, spans: long }])).toMatchObject({ verdict: 'merged', detail: "N:kvstore span runs past its caller's reply" });
  });

  it('wrong parent: the kvstore part hangs under the frontend', () => {
    const spans = stockSpans(0).map((s, i) => (i === 2 ? { ...s, parent: 0 } : s));
    expect(checkRequest(truthOf(0), [{ id: 1, spans }])).toMatchObject({ verdict: 'wrong-parent', detail: 'N:kvstore is under span 0' });
  });

  it('counts inferred links and how many of them put the part under its true parent', () => {
    const inferred = { rule: 'slice', exact: false };
    const right = stockSpans(0).map((s, i) => (i > 0 ? { ...s, link: inferred } : s));
    expect(checkRequest(truthOf(0), [{ id: 1, spans: right }])).toMatchObject({ verdict: 'correct', inferred: 2, inferredRight: 2 });
    const wrong = right.map((s, i) => (i === 2 ? { ...s, parent: 0 } : s));
    const c = checkRequest(truthOf(0), [{ id: 1, spans: wrong }]);
    expect(c).toMatchObject({ verdict: 'wrong-parent', inferred: 2, inferredRight: 1 });
    expect(tally([c, checkRequest(truthOf(0), [{ id: 1, spans: right }])])).toMatchObject({ requests: 2, correct: 1, 'wrong-parent': 1, inferred: 4, inferredRight: 3, byRule: { slice: [4, 3] } });
  });
});

describe('checkRequests (every request of a capture at once)', () => {
  // Two /stock requests on one event loop: A logged at 0, B at 50, their frontend spans nested so
  // that each root span contains both handlers (and lies in both load-generator windows).
  const win = { start: -100, end: 1100 };
  const a = truthTree(TREE, stockLogs('a', 0), win)!;
  const b = truthTree(TREE, stockLogs('b', 50), win)!;
  const traceOf = (id: number, t: number, root: [number, number]): CheckTrace => ({ id, spans: stockSpans(t).map((s, i) => (i === 0 ? { ...s, start: root[0], end: root[1] } : s)) });

  it('gives each trace to one request: both right when each has a whole trace, whichever root fits first', () => {
    // Trace 1 (B's) comes first and its root also fits A's handling: A must still get trace 2.
    const traces = [traceOf(1, 50, [-50, 1000]), traceOf(2, 0, [-40, 990])];
    expect(checkRequests([a, b], traces).map((c) => [c.verdict, c.traceId])).toEqual([
      ['correct', 2],
      ['correct', 1],
    ]);
  });

  it("a request whose only fitting trace is another request's whole trace is merged, not correct", () => {
    const c = checkRequests([a, b], [traceOf(1, 50, [-50, 1000])]);
    expect(c.map((x) => x.verdict)).toEqual(['merged', 'correct']);
    expect(c[0]!.detail).toMatch(/match other requests/);
  });

  it('swapped children: the root fits both, but no trace matches A wholly', () => {
    const swapped = (id: number, own: number, other: number): CheckTrace => ({ id, spans: [stockSpans(own)[0]!, ...stockSpans(other).slice(1)] });
    const c = checkRequests([a, b], [swapped(1, 0, 50), swapped(2, 50, 0)]);
    expect(c.map((x) => x.verdict)).not.toContain('correct');
  });
});

describe('harness plumbing', () => {
  it('reads the models and probe sets a help text offers', () => {
    expect(flagValues('usage: misertrace generate -i X [--model original|causal]', '--model')).toEqual(['original', 'causal']);
    expect(flagValues('  --probe-set causal|syscalls|auto   the set', '--probe-set')).toEqual(['causal', 'syscalls']);
    expect(flagValues('usage: misertrace generate -i X', '--model')).toEqual([]);
  });

  it('names every row below its model\'s floor at that concurrency, and rows with nothing checked', () => {
    const row = (model: string, concurrency: number, correctPct: number, requests = 10) => ({ model, concurrency, correctPct, requests, endpoint: 'stock', backend: 'ftrace', probeSet: 'default', keepAlive: false }) as AccuracyRow;
    const floors = { causal: { '1': 100, '8': 99 } };
    expect(belowFloors([row('causal', 1, 100), row('causal', 8, 99), row('original', 8, 10), row('causal', 2, 50)], floors)).toEqual([]);
    expect(belowFloors([row('causal', 8, 98.9), row('causal', 1, 100, 0)], floors)).toEqual([
      'causal stock (ftrace/default, concurrency 8, keep-alive off): 98.9% correct, floor 99%',
      'causal stock (ftrace/default, concurrency 1): no request could be checked',
    ]);
    const perEndpoint = { original: { '1': { checkout: 0, '*': 90 } } };
    expect(belowFloors([row('original', 1, 0), { ...row('original', 1, 0), endpoint: 'checkout' }], perEndpoint)).toEqual([
      'original stock (ftrace/default, concurrency 1, keep-alive off): 0% correct, floor 90%',
    ]);
  });
});
