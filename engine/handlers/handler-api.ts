import type { TraceRecord } from '../model/record.js';
import type { StateKind } from '../model/state.js';
import type { RelNs } from '../model/time.js';
import type { PyJsonValue } from '../render/py-json.js';

// The per-span and per-trace handler API (docs/request-model.md section 6), the seed's
// CustomThreadStateHandler / CustomTraceHandler in our words. A user module exports
// `createSpanHandler` and `createTraceHandler` (default export or named exports).

export interface SpanInfo {
  traceId: number;
  /** Index of the span in its trace's pre-order list. */
  index: number;
  kind: StateKind;
  tid: number;
  container: string;
  ip: string;
  /** Relative to the capture's time base (ns). */
  start: RelNs;
  end: RelNs;
}

export interface TraceInfo {
  id: number;
  spans: readonly SpanInfo[];
}

export interface SpanHandler {
  init?(): void;
  /** Called for each record this span consumes: start <= ts <= end and same tid (or recordValid). */
  consume(record: TraceRecord): void;
  result(): PyJsonValue;
  /** Lets a span take records of other threads (e.g. a kernel worker acting for it). */
  recordValid?(record: TraceRecord): boolean;
}

export interface TraceHandler {
  init?(): void;
  /** Called with every record any span of the trace consumed. */
  consume(record: TraceRecord): void;
  result(): PyJsonValue;
}

export interface HandlerModule {
  name: string;
  createSpanHandler(span: SpanInfo): SpanHandler;
  createTraceHandler(trace: TraceInfo): TraceHandler;
}
