import type { TraceRecord } from '../model/record.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import type { PyJsonValue } from '../render/py-json.js';
import type { HandlerModule, SpanHandler, SpanInfo, TraceHandler } from './handler-api.js';
import { OpenSpanSweep, SpanSweep } from './span-sweep.js';

// Second pass of section 6: after the DAGs are known, feed the time-ordered records to one span
// handler per node of the selected traces and one trace handler per trace.

export interface HandlerResults {
  trace: Map<number, PyJsonValue>;
  /** traceId -> results by span index. */
  span: Map<number, PyJsonValue[]>;
  recordsSeen: number;
  consumptions: number;
}

/** `traces` is read once (an iterable that reads a bundle trace by trace need not hold them all). */
export async function runHandlers(
  traces: Iterable<AssembledTrace>,
  batches: AsyncIterable<readonly TraceRecord[]> | Iterable<readonly TraceRecord[]>,
  mod: HandlerModule,
): Promise<HandlerResults> {
  const infos: SpanInfo[] = [];
  const owner: number[] = [];
  const traceHandlers: TraceHandler[] = [];
  const traceIds: number[] = [];
  let ti = 0;
  for (const t of traces) {
    traceIds.push(t.id);
    const spans = t.spans.map((s) => ({ traceId: t.id, index: s.index, kind: s.kind, tid: s.tid, container: s.container, ip: s.ip, start: s.start, end: s.end }));
    for (const s of spans) {
      infos.push(s);
      owner.push(ti);
    }
    const th = mod.createTraceHandler({ id: t.id, spans });
    th.init?.();
    traceHandlers.push(th);
    ti++;
  }
  const spanHandlers: SpanHandler[] = infos.map((s) => {
    const h = mod.createSpanHandler(s);
    h.init?.();
    return h;
  });
  let recordsSeen = 0;
  let consumptions = 0;
  let current: TraceRecord;
  const consume = (i: number) => {
    consumptions++;
    spanHandlers[i]!.consume(current);
    traceHandlers[owner[i]!]!.consume(current);
  };
  if (spanHandlers.some((h) => typeof h.recordValid === 'function')) {
    const sweep = new OpenSpanSweep(infos);
    const accepts = (i: number, r: TraceRecord) => spanHandlers[i]!.recordValid?.(r) === true;
    for await (const batch of batches) {
      recordsSeen += batch.length;
      for (const r of batch) {
        current = r;
        sweep.offer(r, accepts, consume);
      }
    }
  } else {
    const sweep = new SpanSweep(infos);
    for await (const batch of batches) {
      recordsSeen += batch.length;
      for (const r of batch) {
        current = r;
        sweep.offer(r.tid, r.ts, consume);
      }
    }
  }
  const trace = new Map<number, PyJsonValue>();
  const span = new Map<number, PyJsonValue[]>();
  // Each handler is let go once it has given its result, so the results of a bundle's hundreds of
  // thousands of spans take the place of their handlers instead of adding to them (issue 13).
  const done = null as unknown as SpanHandler & TraceHandler;
  traceIds.forEach((id, ti) => {
    trace.set(id, traceHandlers[ti]!.result());
    traceHandlers[ti] = done;
    span.set(id, []);
  });
  infos.forEach((s, i) => {
    span.get(s.traceId)![s.index] = spanHandlers[i]!.result();
    spanHandlers[i] = done;
  });
  return { trace, span, recordsSeen, consumptions };
}
