// A bundle's traces as columns (one array per field, container names interned), the shape the
// app's trace table takes. Browser-safe: the engine worker builds it (engine/bundle/trace-table.ts)
// and the IPC contract extends it, so the two cannot drift.

export interface TraceTableColumns {
  count: number;
  id: number[];
  /** RelNs of the root span's start. */
  start: number[];
  duration: number[];
  spanCount: number[];
  depth: number[];
  eventCount: number[];
  /** Index into containerNames. */
  rootContainer: number[];
  /** Per trace, indices into containerNames of every container the trace touches. */
  containers: number[][];
  containerNames: string[];
  /** Bundles that record links (causal model): per trace, links the model inferred, and 1 for an orphan root. */
  inferredLinks?: number[];
  orphans?: number[];
  /** Per trace, index into shapeKeys (engine/analysis/tree-shape.ts): the request types of the Shapes view. */
  shape?: number[];
  shapeKeys?: string[];
}
