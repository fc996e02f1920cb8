// Request types: the traces of a bundle grouped by shape (tree-shape.ts), each group with its
// latency distribution and the two traces a user opens first, its median and its slowest.

export interface ShapeGroup {
  /** Index into the interned shape keys (the table's `shapeKeys`). */
  shape: number;
  count: number;
  /** Row indices of the group's traces, fastest first (ties by row). */
  rows: Int32Array;
  /** Durations (ns), nearest rank. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** The row whose duration is the group's p50 (the "median trace"), and its slowest row. */
  medianRow: number;
  slowestRow: number;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/**
 * Groups rows by their shape index; `rows` restricts it (e.g. to the filtered table). Groups come
 * most frequent first, then by slowest p99, then by shape index, so the order is total.
 */
export function groupByShape(shape: ArrayLike<number>, duration: ArrayLike<number>, rows?: ArrayLike<number>): ShapeGroup[] {
  const members = new Map<number, number[]>();
  const n = rows === undefined ? shape.length : rows.length;
  for (let k = 0; k < n; k++) {
    const r = rows === undefined ? k : rows[k]!;
    const s = shape[r]!;
    let list = members.get(s);
    if (list === undefined) members.set(s, (list = []));
    list.push(r);
  }
  const out: ShapeGroup[] = [];
  for (const [s, list] of members) {
    const sorted = Int32Array.from(list).sort((a, b) => duration[a]! - duration[b]! || a - b);
    const d = Array.from(sorted, (r) => duration[r]!);
    const medianRank = Math.max(1, Math.ceil(0.5 * sorted.length)) - 1;
    out.push({
      shape: s,
      count: sorted.length,
      rows: sorted,
      p50: nearestRank(d, 50),
      p90: nearestRank(d, 90),
      p99: nearestRank(d, 99),
      max: d[d.length - 1]!,
      medianRow: sorted[medianRank]!,
      slowestRow: sorted[sorted.length - 1]!,
    });
  }
  return out.sort((a, b) => b.count - a.count || b.p99 - a.p99 || a.shape - b.shape);
}

/** Interns shape keys: per trace an index into `keys`, as the trace table carries them. */
export class ShapeInterner {
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();
  intern(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.keys.push(key);
      this.index.set(key, i);
    }
    return i;
  }
}
