import type { GanttLayout } from '../../../engine/figure/layout-types.js';

// Which rows and arrows to draw for a vertical scroll position, without looking at all of them:
// rows are a contiguous range; arrows are found from per-row lists (an arrow is listed at both
// of its end rows) plus the trunks passing through the view from ancestors above it.

export interface ArrowIndex {
  /** Arrow indices by end row. */
  atRow: number[][];
  /** Per row: the arrows to its farthest shown child (the trunk that reaches furthest down). */
  trunk: number[][];
  /** Per row: the row of its farthest shown child, -1 when none. */
  reach: Int32Array;
}

export function indexArrows(layout: GanttLayout): ArrowIndex {
  const n = layout.rows.length;
  const atRow: number[][] = Array.from({ length: n }, () => []);
  const trunk: number[][] = Array.from({ length: n }, () => []);
  const reach = new Int32Array(n).fill(-1);
  layout.arrows.forEach((a, i) => {
    if (a.rowMin >= 0 && a.rowMin < n) atRow[a.rowMin]!.push(i);
    if (a.rowMax !== a.rowMin && a.rowMax >= 0 && a.rowMax < n) atRow[a.rowMax]!.push(i);
    const parent = a.edge === 'client' ? -1 : a.direction === 'call' ? a.fromRow : a.toRow;
    if (parent < 0) return;
    if (a.rowMax > reach[parent]!) {
      reach[parent] = a.rowMax;
      trunk[parent] = [i];
    } else if (a.rowMax === reach[parent]!) trunk[parent]!.push(i);
  });
  return { atRow, trunk, reach };
}

export function visibleArrows(layout: GanttLayout, index: ArrowIndex, first: number, last: number): number[] {
  const out = new Set<number>();
  for (let r = first; r <= last && r < index.atRow.length; r++) {
    for (const i of index.atRow[r]!) {
      const a = layout.arrows[i]!;
      // Calls to children below the view share one trunk (same x); the farthest one draws it.
      // Returns are kept: each climbs at its own child's end, a distinct visible line.
      if (a.direction === 'call' && a.edge !== 'client' && a.toRow > last && !index.trunk[a.fromRow]!.includes(i)) continue;
      out.add(i);
    }
  }
  // Trunks of ancestors of the first visible row cross the view from above.
  if (first < layout.rows.length) {
    for (let p = layout.rows[first]!.parentRow, guard = 0; p >= 0 && guard < 100_000; p = layout.rows[p]!.parentRow, guard++) {
      if (index.reach[p]! >= first) for (const i of index.trunk[p]!) out.add(i);
    }
  }
  return [...out];
}
