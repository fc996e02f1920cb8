import { floorMicros } from './exact-time.js';
import type { ExportInput, ExportOptions, ExportSource, ExportTrace } from './export-types.js';
import { jsonChunks, LazyArray, RawJson, type JsonValue } from './json-text.js';
import { countKey, operationName, schedAttributes, sortedCounts } from './span-attributes.js';
import { spanIdHex, traceIdHex } from './trace-ids.js';

// Jaeger's JSON trace model (what its query API returns and its UI's "JSON File" upload reads):
// {"data": [trace, ...]}, one process per container, CHILD_OF for network edges (the parent
// waits for the child's response) and FOLLOWS_FROM for forks (it does not). Jaeger counts time
// in whole microseconds; the exact nanoseconds travel in tags.

type Tag = { key: string; type: 'string' | 'int64' | 'bool' | 'float64'; value: JsonValue };

const str = (key: string, value: string): Tag => ({ key, type: 'string', value });
const int = (key: string, value: number): Tag => ({ key, type: 'int64', value });

export function jaegerJson(input: ExportInput, opts: ExportOptions = {}): string {
  return [...jaegerChunks(input, opts)].join('');
}

/** The file as text chunks, one trace made at a time. */
export function* jaegerChunks(input: ExportSource, opts: ExportOptions = {}): Generator<string> {
  function* data(): Generator<JsonValue> {
    for (const t of input.traces) yield jaegerTrace(input, t);
  }
  yield* jsonChunks({ data: new LazyArray(data()) }, opts.indent ?? 0);
  yield '\n';
}

function jaegerTrace(input: ExportSource, { trace, counts, sched }: ExportTrace): JsonValue {
  const off = input.clockOffsetNs ?? 0n;
  const root = trace.spans[0]!;
  const traceID = traceIdHex(input.base.abs(root.start), root.tid, trace.id);
  const processIds = new Map<string, string>();
  const processes: Record<string, JsonValue> = {};
  const spans = trace.spans.map((s) => {
    let pid = processIds.get(s.container);
    if (pid === undefined) {
      pid = `p${processIds.size + 1}`;
      processIds.set(s.container, pid);
      const tags: Tag[] = [str('container.name', s.container), str('ip', s.ip)];
      const cid = input.containerIds?.[s.container];
      if (cid) tags.push(str('container.id', cid));
      processes[pid] = { serviceName: s.container, tags };
    }
    const start = input.base.abs(s.start) + off;
    const end = input.base.abs(s.end) + off;
    const startUs = floorMicros(start);
    const durUs = end > start ? floorMicros(end) - startUs : 0n;
    const c = counts?.[s.index];
    const tags: Tag[] = [
      str('span.kind', s.kind === 'network' ? 'server' : 'internal'),
      str('misertrace.kind', s.kind),
      int('misertrace.trace', trace.id),
      int('misertrace.span_index', s.index),
      int('thread.id', s.tid),
      str('misertrace.start_ns', start.toString()),
      str('misertrace.end_ns', end.toString()),
      int('misertrace.duration_ns', s.end - s.start),
      int('misertrace.events', c?.total ?? 0),
      ...Object.entries(sortedCounts(c)).map(([probe, n]) => int(countKey(probe), n)),
      ...schedAttributes(sched?.spans[s.index]).map(([k, n]) => int(k, n)),
    ];
    const parent = s.parent >= 0 ? trace.spans[s.parent]! : null;
    return {
      traceID,
      spanID: spanIdHex(s.tid, s.index),
      flags: 1,
      operationName: operationName(s),
      references: parent ? [{ refType: s.kind === 'fork' ? 'FOLLOWS_FROM' : 'CHILD_OF', traceID, spanID: spanIdHex(parent.tid, parent.index) }] : [],
      startTime: new RawJson(startUs.toString()),
      duration: new RawJson(durUs.toString()),
      tags,
      logs: [],
      processID: pid,
      warnings: null,
    };
  });
  return { traceID, spans, processes, warnings: null };
}
