import { ShapeInterner } from '../analysis/shape-groups.js';
import { shapeKey, type ShapeSpan } from '../analysis/tree-shape.js';
import type { Bundle } from './bundle-reader.js';

// Per trace of a bundle, its shape (engine/analysis/tree-shape.ts) as an index into the bundle's
// distinct shape keys: the trace table's `shape` column. One ordered scan of the spans table,
// one trace's spans in memory at a time.

export interface TraceShapeColumn {
  /** Per trace, in the order of `ids`: index into `keys`; -1 for a trace without spans. */
  shape: number[];
  keys: string[];
}

export function traceShapeColumn(b: Bundle, ids: readonly number[]): TraceShapeColumn {
  const interner = new ShapeInterner();
  const byId = new Map<number, number>();
  let current = -1;
  let spans: ShapeSpan[] = [];
  const flush = () => {
    if (spans.length > 0) byId.set(current, interner.intern(shapeKey(spans)));
    spans = [];
  };
  for (const [traceId, parent, kind, container] of b.spanTreeRows()) {
    if (traceId !== current) {
      flush();
      current = traceId;
    }
    spans.push({ parent, kind, container });
  }
  flush();
  return { shape: ids.map((id) => byId.get(id) ?? -1), keys: interner.keys };
}
