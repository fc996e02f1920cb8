import { TOOL_VERSION } from '../version.js';
import { microsDecimal, microsRaw } from './exact-time.js';
import type { ExportInput, ExportOptions, ExportSource, ExportTrace } from './export-types.js';
import type { FlatSpan } from '../model/trace-assembly.js';
import { jsonChunks, LazyArray, RawJson, type JsonValue } from './json-text.js';
import { schedAttributes, sortedCounts, spanLabel } from './span-attributes.js';
import { assignLanes, laneTid, type TrackSlice } from './thread-tracks.js';

// Trace Event Format (JSON object form), as chrome://tracing and Perfetto open it: one complete
// ('X') event per span, ts and dur in microseconds written exactly from the bigint nanoseconds;
// pid = container (numbered in order of appearance, named by metadata), tid = kernel tid (more
// lanes when a thread's states overlap, see thread-tracks.ts); per-span event counts in args;
// a flow ('s' -> 'f') per request and fork edge, the 'f' at the child's start with binding point
// "enclosing slice", so it attaches to the child's own slice.

/** Where a span goes: held for every span of the export, so only what the slices and flows need. */
interface Placed {
  pid: number;
  track: number;
  lo: number;
  hi: number;
}

export function chromeTraceJson(input: ExportInput, opts: ExportOptions = {}): string {
  return [...chromeTraceChunks(input, opts)].join('');
}

/**
 * The file as text chunks. The traces are read three times (placing every span on its track,
 * then the slices, then the flows), so only the placement of each span is held, not the events.
 */
export function* chromeTraceChunks(input: ExportSource, opts: ExportOptions = {}): Generator<string> {
  const off = input.clockOffsetNs ?? 0n;
  const abs = (rel: number) => input.base.abs(rel) + off;
  const pids = new Map<string, number>();
  const byThread = new Map<string, { pid: number; tid: number; items: Placed[] }>();
  const placed: Placed[][] = [];
  const ids: number[] = [];
  for (const { trace } of input.traces) {
    ids.push(trace.id);
    placed.push(trace.spans.map((s) => {
      if (!pids.has(s.container)) pids.set(s.container, pids.size + 1);
      const pid = pids.get(s.container)!;
      const p: Placed = { pid, track: s.tid, lo: Math.min(s.start, s.end), hi: Math.max(s.start, s.end) };
      const key = `${pid}/${s.tid}`;
      let th = byThread.get(key);
      if (!th) byThread.set(key, (th = { pid, tid: s.tid, items: [] }));
      th.items.push(p);
      return p;
    }));
  }

  const meta: JsonValue[] = [];
  for (const [container, pid] of pids) {
    meta.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: container } });
    meta.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
  }
  // Only spans with others nested in them (few): the rest have none.
  const nestedOf = new Map<Placed, Placed[]>();
  let threadOrder = 0;
  for (const th of byThread.values()) {
    const slices: TrackSlice[] = th.items;
    const la = assignLanes(slices);
    th.items.forEach((p, i) => {
      p.track = laneTid(th.tid, la.lane[i]!);
      if (la.nested[i]!.length > 0) nestedOf.set(p, la.nested[i]!.map((j) => th.items[j]!));
    });
    for (let k = 0; k < la.lanes; k++) {
      const name = k === 0 ? `tid ${th.tid}` : `tid ${th.tid} (overlapping states ${k + 1})`;
      meta.push({ name: 'thread_name', ph: 'M', pid: th.pid, tid: laneTid(th.tid, k), args: { name } });
      meta.push({ name: 'thread_sort_index', ph: 'M', pid: th.pid, tid: laneTid(th.tid, k), args: { sort_index: threadOrder++ } });
    }
  }

  function* slices(): Generator<JsonValue> {
    let ti = 0;
    for (const { trace, counts, sched } of input.traces) {
      for (const s of trace.spans) yield slice(trace.id, s, placed[ti]![s.index]!, counts, sched);
      ti++;
    }
  }
  const slice = (traceId: number, s: FlatSpan, p: Placed, counts: ExportTrace['counts'], sched: ExportTrace['sched']): JsonValue => {
    const dur = s.end >= s.start ? BigInt(s.end - s.start) : 0n;
    return {
      name: spanLabel(traceId, s),
      cat: s.kind,
      ph: 'X',
      ts: microsRaw(abs(s.start)),
      dur: new RawJson(microsDecimal(dur)),
      pid: p.pid,
      tid: p.track,
      args: {
        trace: traceId,
        span: s.index,
        parent_span: s.parent,
        kind: s.kind,
        tid: s.tid,
        container: s.container,
        ip: s.ip,
        start_ns: abs(s.start).toString(),
        end_ns: abs(s.end).toString(),
        duration_ns: s.end - s.start,
        events: counts?.[s.index]?.total ?? 0,
        counts: sortedCounts(counts?.[s.index]),
        ...Object.fromEntries(schedAttributes(sched?.spans[s.index]).map(([k, n]) => [k.replace('misertrace.', '').replace('.', '_'), n])),
      },
    };
  };
  function* flows(): Generator<JsonValue> {
    let flowId = 0;
    let ti = 0;
    for (const { trace } of input.traces) {
      for (const s of trace.spans) {
        if (s.parent < 0) continue;
        const p = placed[ti]![s.index]!;
        const parent = placed[ti]![s.parent]!;
        const id = ++flowId;
        const name = s.kind === 'network' ? 'request' : 'fork';
        const cat = `misertrace.${name}`;
        yield { name, cat, ph: 's', id, ts: microsRaw(abs(sourceTs(parent, s.start, nestedOf.get(parent) ?? []))), pid: parent.pid, tid: parent.track };
        yield { name, cat, ph: 'f', bp: 'e', id, ts: microsRaw(abs(s.start)), pid: p.pid, tid: p.track };
      }
      ti++;
    }
  }

  const doc = {
    traceEvents: new LazyArray(
      (function* () {
        yield* meta;
        yield* slices();
        yield* flows();
      })(),
    ),
    displayTimeUnit: 'ns',
    otherData: {
      generator: `MiSeRTrace Explorer ${TOOL_VERSION}`,
      source: input.source ?? '',
      clock: off === 0n ? 'CLOCK_MONOTONIC (ns since boot, as captured)' : `CLOCK_MONOTONIC + ${off} ns`,
      traces: ids.join(','),
    },
  };
  yield* jsonChunks(doc, opts.indent ?? 0);
  yield '\n';
}

/**
 * A flow start binds to the deepest slice open at its ts on its track. The child's start, moved
 * into the parent, is right unless another state of the same thread nested in the parent covers
 * it; then the parent's own start, which nothing nested can cover (nested slices start later).
 */
function sourceTs(parent: Placed, childStart: number, nested: readonly Placed[]): number {
  const ts = Math.min(Math.max(childStart, parent.lo), parent.hi);
  return nested.some((n) => n.lo <= ts && ts <= n.hi) ? parent.lo : ts;
}
