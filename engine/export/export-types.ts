import type { SpanCounts } from '../figure/layout-types.js';
import type { TraceSched } from '../analysis/sched-timeline.js';
import type { TimeBase } from '../model/time.js';
import type { AssembledTrace } from '../model/trace-assembly.js';

// What every interchange export takes: request traces with their per-span event counts, the
// exact time base, and a little about where they came from.

export interface ExportTrace {
  trace: AssembledTrace;
  /** Per span index (Bundle.spanCounts); missing entries count as no events. */
  counts?: readonly (SpanCounts | undefined)[];
  /** Where each span's time went (Bundle.spanSched, ADR 0090); absent without scheduler records. */
  sched?: TraceSched | null;
}

export interface ExportInput extends ExportSource {
  traces: readonly ExportTrace[];
}

/** What the streamed exports (`*Chunks`) take: the same, with traces that need not all be in memory. */
export interface ExportSource {
  /**
   * Iterated more than once (the Trace Event format places every span before it writes one):
   * an array, or an iterable that reads the traces again each time (the CLI's, from the
   * bundle), so a bundle of millions of spans is never held whole.
   */
  traces: Iterable<ExportTrace>;
  base: TimeBase;
  /**
   * Added to every exported timestamp. 0 (the default) keeps the captured clock (CLOCK_MONOTONIC,
   * ns since boot) exactly; a wall-clock offset makes viewers show real dates.
   */
  clockOffsetNs?: bigint;
  /** Container id by container name (the bundle's meta), written as resource/process attributes. */
  containerIds?: Readonly<Record<string, string>>;
  /** Where the traces come from (e.g. the bundle's file name), written into the file's metadata. */
  source?: string;
}

export interface ExportOptions {
  /** Spaces of indentation; 0 (default) writes compact JSON. */
  indent?: number;
}
