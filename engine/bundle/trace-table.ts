import type { TraceSummary } from './bundle-reader.js';
import type { TraceTableColumns } from '../model/trace-table-columns.js';
import type { TraceShapeColumn } from './trace-shapes.js';

export type { TraceTableColumns };

// A bundle's trace summaries as columns (one array per field, container names interned): the
// shape the app's trace table takes. Built where the bundle is read (the engine worker in the
// app), because a list of objects per trace costs the receiving thread far more to copy than a
// few arrays of numbers (50,000 traces: ~0.6 s of main as objects).

export function traceTableColumns(rows: readonly TraceSummary[], shapes?: TraceShapeColumn): TraceTableColumns {
  const names = new Map<string, number>();
  const nameIndex = (n: string): number => {
    let i = names.get(n);
    if (i === undefined) {
      i = names.size;
      names.set(n, i);
    }
    return i;
  };
  const n = rows.length;
  const t: TraceTableColumns = {
    count: n,
    id: new Array<number>(n),
    start: new Array<number>(n),
    duration: new Array<number>(n),
    spanCount: new Array<number>(n),
    depth: new Array<number>(n),
    eventCount: new Array<number>(n),
    rootContainer: new Array<number>(n),
    containers: new Array<number[]>(n),
    containerNames: [],
  };
  rows.forEach((r, i) => {
    t.id[i] = r.id;
    t.start[i] = r.start;
    t.duration[i] = r.duration;
    t.spanCount[i] = r.spanCount;
    t.depth[i] = r.depth;
    t.eventCount[i] = r.eventCount;
    t.rootContainer[i] = nameIndex(r.rootContainer);
    t.containers[i] = r.containers.map(nameIndex);
  });
  t.containerNames = [...names.keys()];
  if (rows.some((r) => r.inferredLinks !== undefined)) {
    t.inferredLinks = rows.map((r) => r.inferredLinks ?? 0);
    t.orphans = rows.map((r) => (r.orphan === true ? 1 : 0));
  }
  if (shapes !== undefined) {
    t.shape = shapes.shape;
    t.shapeKeys = shapes.keys;
  }
  return t;
}
