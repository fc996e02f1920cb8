import type { SpanCounts } from '../figure/layout-types.js';
import type { FlatSpan } from '../model/trace-assembly.js';
import type { SchedSplit } from '../analysis/sched-timeline.js';

// Names and attributes shared by the interchange exports, so a span reads the same in Perfetto,
// Jaeger and an OTLP backend.

/** Operation name: what kind of work the span is (stable, for grouping and search in Jaeger). */
export function operationName(s: FlatSpan): string {
  return s.kind === 'network' ? 'network thread state' : 'fork thread state';
}

/** Slice name in the Trace Event format, where the trace is not otherwise visible. */
export function spanLabel(traceId: number, s: FlatSpan): string {
  return `trace ${traceId} ${s.kind}`;
}

/** Counts by probe name, sorted by name (the same order in every export). */
export function sortedCounts(c: SpanCounts | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (c) for (const k of Object.keys(c.byProbe).sort()) out[k] = c.byProbe[k]!;
  return out;
}

/** Attribute key of a probe's count: `misertrace.count.<probe name>`. */
export function countKey(probe: string): string {
  return `misertrace.count.${probe}`;
}

/** Where the span's time went (ADR 0090), as `misertrace.sched.*` integer attributes; none without a split. */
export function schedAttributes(s: SchedSplit | null | undefined): [string, number][] {
  if (!s) return [];
  return [
    ['misertrace.sched.on_cpu_ns', s.onCpuNs],
    ['misertrace.sched.runnable_ns', s.runnableNs],
    ['misertrace.sched.blocked_ns', s.blockedNs],
    ['misertrace.sched.page_faults', s.faults],
    ['misertrace.sched.migrations', s.migrations],
  ];
}
