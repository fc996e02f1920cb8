import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeTraceJson } from '../../engine/export/chrome-trace.js';
import type { ExportInput } from '../../engine/export/export-types.js';
import { TimeBase } from '../../engine/model/time.js';
import type { FlatSpan } from '../../engine/model/trace-assembly.js';
import { openFixture, type OpenFixture } from '../figure/fixture-traces.js';
import { PROJECT_ROOT } from '../fixtures.js';
import { expected, inOrder, microsToNs, parseKeepingNumbers, type ReadSpan } from './round-trip.js';

// Trace Event JSON for Perfetto and chrome://tracing: valid against the published format,
// slices that nest on every thread track (what both viewers require), flows that bind to the
// right slices, exact times, and a round trip back to the traces.

const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/export/schemas/trace-event-format.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

interface Ev {
  ph: string;
  name: string;
  cat?: string;
  ts: string;
  dur: string;
  pid: number;
  tid: number;
  id?: number;
  bp?: string;
  args: Record<string, unknown>;
}

let mixed50: OpenFixture;
let input: ExportInput;
let text: string;
let events: Ev[];
beforeAll(async () => {
  mixed50 = await openFixture('mixed50');
  const ids = Array.from({ length: mixed50.bundle.traceCount }, (_, i) => i + 1);
  input = { traces: mixed50.traces(ids), base: mixed50.bundle.base, source: 'mixed50.mstrace' };
  text = chromeTraceJson(input);
  events = (parseKeepingNumbers(text, ['ts', 'dur']) as { traceEvents: Ev[] }).traceEvents;
});
afterAll(() => mixed50?.close());

const ns = (e: Ev) => microsToNs(e.ts);
const endNs = (e: Ev) => microsToNs(e.ts) + microsToNs(e.dur);

/** The deepest slice on (pid, tid) whose [start, end] holds t: what a flow event binds to. */
function enclosing(slices: readonly Ev[], pid: number, tid: number, t: bigint): Ev | undefined {
  let best: Ev | undefined;
  for (const s of slices) {
    if (s.pid !== pid || s.tid !== tid || ns(s) > t || endNs(s) < t) continue;
    if (!best || ns(s) > ns(best) || (ns(s) === ns(best) && endNs(s) < endNs(best))) best = s;
  }
  return best;
}

describe('Trace Event JSON export', () => {
  it('validates against the Trace Event Format schema', () => {
    const ok = validate(JSON.parse(text));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(JSON.parse(text).displayTimeUnit).toBe('ns');
  });

  it('writes one complete event per span, pid per container, tid per kernel thread, counts in args', () => {
    const slices = events.filter((e) => e.ph === 'X');
    const total = input.traces.reduce((a, t) => a + t.trace.spans.length, 0);
    expect(slices).toHaveLength(total);
    const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, (e.args as { name: string }).name]));
    const threads = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.tid}`));
    for (const s of slices) {
      expect(names.get(s.pid)).toBe(s.args['container']);
      expect(threads.has(`${s.pid}/${s.tid}`)).toBe(true);
      expect(s.tid % 4_194_304).toBe(s.args['tid']);
      const counts = mixed50.bundle.spanCounts(s.args['trace'] as number)[s.args['span'] as number]!;
      expect(s.args['events']).toBe(counts.total);
      expect(s.args['counts']).toEqual(Object.fromEntries(Object.entries(counts.byProbe).sort(([a], [b]) => (a < b ? -1 : 1))));
      // ts and dur are the exact nanoseconds, in microseconds with three decimals.
      expect(ns(s).toString()).toBe(s.args['start_ns']);
      expect(endNs(s).toString()).toBe(s.args['end_ns']);
    }
  });

  it('nests the slices of every thread track, with no two starting together', () => {
    const byTrack = new Map<string, Ev[]>();
    for (const e of events) if (e.ph === 'X') byTrack.set(`${e.pid}/${e.tid}`, [...(byTrack.get(`${e.pid}/${e.tid}`) ?? []), e]);
    for (const [track, list] of byTrack) {
      list.sort((a, b) => (ns(a) < ns(b) ? -1 : ns(a) > ns(b) ? 1 : endNs(a) > endNs(b) ? -1 : 1));
      const open: Ev[] = [];
      for (const s of list) {
        while (open.length > 0 && endNs(open[open.length - 1]!) <= ns(s) && ns(open[open.length - 1]!) < ns(s)) open.pop();
        const top = open[open.length - 1];
        if (top) {
          expect(ns(top) < ns(s), `${track}: two slices start at ${s.ts}`).toBe(true);
          expect(endNs(top) >= endNs(s), `${track}: ${s.name} at ${s.ts} overlaps ${top.name} at ${top.ts}`).toBe(true);
        }
        open.push(s);
      }
    }
  });

  it('links each request and fork with a flow that binds parent slice to child slice', () => {
    const slices = events.filter((e) => e.ph === 'X');
    const starts = events.filter((e) => e.ph === 's');
    const ends = new Map(events.filter((e) => e.ph === 'f').map((e) => [e.id, e]));
    expect(starts).toHaveLength(slices.length - input.traces.length);
    expect(ends.size).toBe(starts.length);
    for (const s of starts) {
      const f = ends.get(s.id)!;
      expect([f.name, f.cat, f.bp]).toEqual([s.name, s.cat, 'e']);
      const from = enclosing(slices, s.pid, s.tid, ns(s))!;
      const to = enclosing(slices, f.pid, f.tid, ns(f))!;
      expect(to.ts).toBe(f.ts); // the flow ends exactly at the child's start
      expect(from.args['trace']).toBe(to.args['trace']);
      expect(from.args['span']).toBe(to.args['parent_span']);
      expect(s.name).toBe(to.args['kind'] === 'fork' ? 'fork' : 'request');
    }
  });

  it('reads back into the same traces', () => {
    const slices = events.filter((e) => e.ph === 'X');
    const ends = new Map(events.filter((e) => e.ph === 'f').map((e) => [e.id, e]));
    const read = new Map<number, ReadSpan[]>();
    const parentOf = new Map<Ev, number>();
    for (const s of events.filter((e) => e.ph === 's')) {
      const from = enclosing(slices, s.pid, s.tid, ns(s))!;
      const f = ends.get(s.id)!;
      parentOf.set(enclosing(slices, f.pid, f.tid, ns(f))!, from.args['span'] as number);
    }
    for (const s of slices) {
      const trace = s.args['trace'] as number;
      if (!read.has(trace)) read.set(trace, []);
      read.get(trace)!.push({
        index: s.args['span'] as number,
        parent: parentOf.get(s) ?? -1,
        kind: s.cat as 'network' | 'fork',
        tid: s.args['tid'] as number,
        container: s.args['container'] as string,
        ip: s.args['ip'] as string,
        startNs: ns(s),
        endNs: endNs(s),
        counts: s.args['counts'] as Record<string, number>,
      });
    }
    for (const [id, spans] of read) read.set(id, inOrder(spans));
    expect(read).toEqual(expected(input.traces, input.base));
  });

  it('gives overlapping states of one thread their own lanes, and keeps flows bound', () => {
    const span = (index: number, parent: number, tid: number, start: number, end: number): FlatSpan => ({
      index,
      parent,
      depth: parent < 0 ? 0 : 1,
      kind: parent < 0 ? 'network' : 'fork',
      tid,
      container: 'c',
      ip: '10.0.0.2',
      start,
      end,
      childCount: 0,
    });
    // tid 7 holds span 0 [0,100], span 1 [50,150] (partial overlap) and span 2 [0,20] (same start).
    const spans = [span(0, -1, 7, 0, 100), span(1, 0, 7, 50, 150), span(2, 0, 7, 0, 20), span(3, 0, 8, 10, 30)];
    spans[0]!.childCount = 3;
    const out = parseKeepingNumbers(chromeTraceJson({ traces: [{ trace: { id: 1, spans } }], base: new TimeBase(5) }), ['ts', 'dur']) as { traceEvents: Ev[] };
    expect(validate(JSON.parse(chromeTraceJson({ traces: [{ trace: { id: 1, spans } }], base: new TimeBase(5) })))).toBe(true);
    const x = out.traceEvents.filter((e) => e.ph === 'X');
    const lane = (span: number) => x.find((e) => e.args['span'] === span)!.tid;
    // [0,100] on the thread's own track; [0,20] (same start) and [50,150] (partial overlap) share a second one.
    expect(lane(0)).toBe(7);
    expect(lane(2)).not.toBe(7);
    expect(lane(1)).toBe(lane(2));
    expect(lane(3)).toBe(8);
    const names = out.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => (e.args as { name: string }).name);
    expect(names).toContain('tid 7 (overlapping states 2)');
    for (const s of out.traceEvents.filter((e) => e.ph === 's')) expect(enclosing(x, s.pid, s.tid, ns(s))!.args['span']).toBe(0);
    for (const f of out.traceEvents.filter((e) => e.ph === 'f')) expect(enclosing(x, f.pid, f.tid, ns(f))!.ts).toBe(f.ts);
  });

  it('keeps nanoseconds exact past 2^53 (a machine up for 300 days)', () => {
    const base = TimeBase.fromString('25920000123456789'); // base 25920000 s = 2.592e16 ns > 2^53
    const spans: FlatSpan[] = [{ index: 0, parent: -1, depth: 0, kind: 'network', tid: 1, container: 'c', ip: '10.0.0.1', start: 1, end: 1_000_002, childCount: 0 }];
    const out = chromeTraceJson({ traces: [{ trace: { id: 1, spans } }], base });
    expect(out).toContain('"ts":25920000000000.001,');
    expect(out).toContain('"dur":1000.001,');
    expect(out).toContain('"start_ns":"25920000000000001"');
    expect(out).toContain('"end_ns":"25920000001000002"');
  });

  it('writes the same bytes for the same input', () => {
    expect(chromeTraceJson(input)).toBe(text);
    expect(chromeTraceJson(input, { indent: 2 })).toContain('\n  "traceEvents": [\n');
  });
});
