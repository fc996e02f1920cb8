import { TOOL_VERSION } from '../version.js';
import type { ExportInput, ExportOptions, ExportSource } from './export-types.js';
import { jsonChunks, LazyArray, type JsonValue } from './json-text.js';
import { countKey, operationName, schedAttributes, sortedCounts } from './span-attributes.js';
import { spanIdHex, traceIdHex } from './trace-ids.js';

// OTLP/JSON (the ExportTraceServiceRequest / TracesData message of opentelemetry-proto in the
// protobuf JSON mapping, with OTLP's exceptions: trace and span ids in hex, enums as integers):
// one resourceSpans per container with service.name, spans of every exported trace inside it.
// Times are fixed64 nanoseconds, written as decimal strings, exact. Network states are SERVER
// spans (they serve a request), forks INTERNAL.

const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_SERVER = 2;

type KeyValue = { key: string; value: { stringValue: string } | { intValue: string } };

const str = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });
// int64 in the protobuf JSON mapping is a decimal string.
const int = (key: string, v: number | bigint): KeyValue => ({ key, value: { intValue: v.toString() } });

export function otlpJson(input: ExportInput, opts: ExportOptions = {}): string {
  return [...otlpChunks(input, opts)].join('');
}

/**
 * The file as text chunks. Spans are grouped by container, in order of first appearance: one
 * pass over the traces finds the containers, then one pass per container writes its spans, so
 * no span is held longer than it takes to write it.
 */
export function* otlpChunks(input: ExportSource, opts: ExportOptions = {}): Generator<string> {
  const containers = new Set<string>();
  for (const { trace } of input.traces) for (const s of trace.spans) containers.add(s.container);
  const resourceSpans = [...containers].map((container) => {
    const attributes = [str('service.name', container), str('container.name', container)];
    const cid = input.containerIds?.[container];
    if (cid) attributes.push(str('container.id', cid));
    return {
      resource: { attributes },
      scopeSpans: [{ scope: { name: 'misertrace', version: TOOL_VERSION }, spans: new LazyArray(spansOf(input, container)) }],
    };
  });
  yield* jsonChunks({ resourceSpans }, opts.indent ?? 0);
  yield '\n';
}

function* spansOf(input: ExportSource, container: string): Generator<JsonValue> {
  const off = input.clockOffsetNs ?? 0n;
  for (const { trace, counts, sched } of input.traces) {
    const root = trace.spans[0]!;
    let traceId: string | null = null;
    for (const s of trace.spans) {
      if (s.container !== container) continue;
      traceId ??= traceIdHex(input.base.abs(root.start), root.tid, trace.id);
      const start = input.base.abs(s.start) + off;
      const end = s.end >= s.start ? input.base.abs(s.end) + off : start;
      const c = counts?.[s.index];
      const parent = s.parent >= 0 ? trace.spans[s.parent]! : null;
      yield {
        traceId,
        spanId: spanIdHex(s.tid, s.index),
        parentSpanId: parent ? spanIdHex(parent.tid, parent.index) : undefined,
        name: operationName(s),
        kind: s.kind === 'network' ? SPAN_KIND_SERVER : SPAN_KIND_INTERNAL,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: end.toString(),
        attributes: [
          int('thread.id', s.tid),
          str('network.local.address', s.ip),
          str('misertrace.kind', s.kind),
          str('misertrace.edge', parent === null ? 'client' : s.kind === 'fork' ? 'fork' : 'request'),
          int('misertrace.trace', trace.id),
          int('misertrace.span_index', s.index),
          int('misertrace.duration_ns', s.end - s.start),
          int('misertrace.events', c?.total ?? 0),
          ...Object.entries(sortedCounts(c)).map(([probe, n]) => int(countKey(probe), n)),
          ...schedAttributes(sched?.spans[s.index]).map(([k, n]) => int(k, n)),
        ],
      };
    }
  }
}
