import type { TraceTableColumns } from './trace-table-columns.js';

// The trace table as it travels: every numeric column in one Float64Array and the containers of
// each trace as offsets into one Int32Array, so the engine worker can transfer the buffers to main
// (no copy) and a MessagePort carries them to the renderer as flat bytes. A structured clone of
// arrays of numbers, or of one small array per trace, costs the thread that makes or takes it
// per element: 50,000 traces held main 0.25-0.4 s that way (docs/adr/0105).

const FIXED = ['id', 'start', 'duration', 'spanCount', 'depth', 'eventCount', 'rootContainer'] as const;
const OPTIONAL = ['inferredLinks', 'orphans', 'shape'] as const;
type OptionalColumn = (typeof OPTIONAL)[number];

export interface PackedTraceTable {
  count: number;
  /** The fixed columns, then the optional ones present (in `optional`), `count` values each. */
  numbers: Float64Array;
  optional: OptionalColumn[];
  /** Trace i's containers are containerIndex[containerStart[i] .. containerStart[i + 1]). */
  containerStart: Int32Array;
  containerIndex: Int32Array;
  containerNames: string[];
  shapeKeys?: string[];
}

export function packTraceTable(t: TraceTableColumns): PackedTraceTable {
  const n = t.count;
  const optional = OPTIONAL.filter((c) => t[c] !== undefined);
  const numbers = new Float64Array(n * (FIXED.length + optional.length));
  [...FIXED, ...optional].forEach((c, k) => numbers.set(t[c]!, k * n));
  const containerStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) containerStart[i + 1] = containerStart[i]! + t.containers[i]!.length;
  const containerIndex = new Int32Array(containerStart[n]!);
  for (let i = 0; i < n; i++) containerIndex.set(t.containers[i]!, containerStart[i]!);
  return { count: n, numbers, optional, containerStart, containerIndex, containerNames: t.containerNames, ...(t.shapeKeys !== undefined ? { shapeKeys: t.shapeKeys } : {}) };
}

/** The buffers a postMessage may transfer rather than copy. */
export function packedBuffers(p: PackedTraceTable): ArrayBuffer[] {
  return [p.numbers.buffer, p.containerStart.buffer, p.containerIndex.buffer] as ArrayBuffer[];
}

export function unpackTraceTable(p: PackedTraceTable): TraceTableColumns {
  const n = p.count;
  const column = (k: number): number[] => Array.from(p.numbers.subarray(k * n, (k + 1) * n));
  const containers = new Array<number[]>(n);
  for (let i = 0; i < n; i++) containers[i] = Array.from(p.containerIndex.subarray(p.containerStart[i]!, p.containerStart[i + 1]!));
  const t: TraceTableColumns = {
    count: n,
    id: column(0),
    start: column(1),
    duration: column(2),
    spanCount: column(3),
    depth: column(4),
    eventCount: column(5),
    rootContainer: column(6),
    containers,
    containerNames: p.containerNames,
  };
  p.optional.forEach((c, k) => (t[c] = column(FIXED.length + k)));
  if (p.shapeKeys !== undefined) t.shapeKeys = p.shapeKeys;
  return t;
}
