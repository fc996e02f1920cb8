import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { groupByShape, ShapeInterner, type ShapeGroup } from '../../../engine/analysis/shape-groups.js';

// Request types for the table's grouped view: the listed traces grouped by their entry (root)
// container, then by tree shape inside it (engine/analysis: the Shapes panel's shapes). The
// shape grouping is reused as is: each (root container, shape) pair is interned as one key.

export interface RequestType extends ShapeGroup {
  /** The root container's name; `shape` is the table's shape index (-1: a bundle without shapes). */
  root: string;
  key: string;
}

export interface EntryGroup {
  root: string;
  count: number;
  types: RequestType[];
}

export function requestTypes(t: TraceTableData, rows: ArrayLike<number>): EntryGroup[] {
  const pairs = new ShapeInterner();
  const keyOf = new Int32Array(t.count);
  for (let i = 0; i < t.count; i++) keyOf[i] = pairs.intern(`${t.rootContainer[i]!}:${t.shape?.[i] ?? -1}`);
  const byRoot = new Map<string, RequestType[]>();
  for (const g of groupByShape(keyOf, t.duration, rows)) {
    const [root, shape] = pairs.keys[g.shape]!.split(':').map(Number) as [number, number];
    const name = t.containerNames[root]!;
    const list = byRoot.get(name) ?? [];
    list.push({ ...g, shape, root: name, key: `${root}:${shape}` });
    byRoot.set(name, list);
  }
  const out = [...byRoot].map(([root, types]) => ({ root, types, count: types.reduce((n, x) => n + x.count, 0) }));
  // The busiest entry first, then by name: a total order.
  return out.sort((a, b) => b.count - a.count || a.root.localeCompare(b.root));
}

/** The members of one type in the table's current order (its sort), at most `limit`. */
export function typeRowsInOrder(type: RequestType, order: Int32Array, limit: number): number[] {
  const members = new Set(type.rows);
  const out: number[] = [];
  for (let k = 0; k < order.length && out.length < limit; k++) if (members.has(order[k]!)) out.push(order[k]!);
  return out;
}
