import type { GanttLayout, GanttViewOptions, SpanCounts } from '../../../engine/figure/layout-types.js';

export type { GanttLayout };
import type { AssembledTrace } from '../../../engine/model/trace-assembly.js';

// Messages between the trace view and its layout worker. The trace goes over once (keyed); each
// zoom/pan/collapse asks for a layout by id, and only the newest answer is used.

/** The view options as they cross to the worker (collapsed as an array: Sets do clone, but arrays are cheaper to build). */
export type WorkerViewOptions = Omit<GanttViewOptions, 'collapsed'> & { collapsed: number[] };

export type ToLayoutWorker =
  | { type: 'set-trace'; key: string; trace: AssembledTrace; counts: SpanCounts[] }
  | { type: 'layout'; id: number; key: string; view: WorkerViewOptions };

/**
 * The layout travels as JSON text: for 10,000 spans it is ~12 MB of small objects, and parsing
 * JSON on the UI thread costs less than structured-clone deserialization of the same objects.
 */
export type FromLayoutWorker =
  | { type: 'layout'; id: number; key: string; layoutJson: string; ms: number }
  | { type: 'error'; id: number; key: string; message: string };
