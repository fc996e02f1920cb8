import type { GanttLayout } from '../../../engine/figure/layout-types.js';

// Which rows and arrows to draw for a vertical scroll position, without looking at all of them:
// rows are a contiguous range; arrows are found from per-row lists (an arrow is listed at both
// of its end rows) plus the trunks passing through the view from ancestors above it. An arrow is
// drawn only when both its ends are in view, except one trunk per parent that leads to children
// out of view: on a trace with 100 children under the root, the 100 responses climbing from rows
// far below would otherwise stand in the view as a barcode of full-height dashed lines.

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
    if (a.edge === 'client' || a.direction !== 'call') return;
    const parent = a.fromRow;
    if (a.rowMax > reach[parent]!) {
      reach[parent] = a.rowMax;
      trunk[parent] = [i];
    } else if (a.rowMax === reach[parent]!) trunk[parent]!.push(i);
  });
  return { atRow, trunk, reach };
}

export function visibleArrows(layout: GanttLayout, index: ArrowIndex, first: number, last: number): number[] {
  const out = new Set<number>();
  const inView = (r: number) => r < 0 || (r >= first && r <= last);
  for (let r = first; r <= last && r < index.atRow.length; r++) {
    for (const i of index.atRow[r]!) {
      const a = layout.arrows[i]!;
      if (inView(a.fromRow) && inView(a.toRow)) out.add(i);
      // A call to a child below the view: only the parent's farthest trunk, one line for all of them.
      else if (a.direction === 'call' && a.toRow > last && index.trunk[a.fromRow]!.includes(i)) out.add(i);
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
