import { selfTimes } from './span-self-time.js';

// Two requests compared span by span (docs/adr/0070). The trees are aligned from the roots down:
// under two aligned spans, children are matched by kind and container, then in start order (the
// first catalog call with the first catalog call); a child left over on one side is added or
// removed, with its whole subtree. Each aligned pair gets its duration, self-time and kernel
// event-count differences. The ranking puts first the spans whose SELF time changed most: a
// parent's duration change includes its children's, so ranking by duration would put the root
// first every time; self-time changes of all rows add up to the root's change when calls are
// sequential, so the top rows are where the difference was spent.

export interface CompareSpan {
  parent: number;
  kind: 'network' | 'fork';
  container: string;
  tid: number;
  start: number;
  end: number;
}

export interface CompareCounts {
  total: number;
  byProbe: Record<string, number>;
}

export interface CompareSide {
  spans: readonly CompareSpan[];
  /** Per span index; missing entries count as no events. */
  counts: readonly (CompareCounts | undefined)[];
}

export type RowStatus = 'matched' | 'added' | 'removed';

export interface CompareRow {
  /** Span index in A (baseline) and in B (compared), -1 where the span is on one side only. */
  a: number;
  b: number;
  status: RowStatus;
  /** Depth in the aligned tree, and the aligned row of its parent (-1 for the root). */
  depth: number;
  parentRow: number;
  kind: CompareSpan['kind'];
  container: string;
  durationA: number;
  durationB: number;
  /** B minus A (ns); a removed span counts as 0 in B, an added one as 0 in A. */
  deltaDuration: number;
  selfA: number;
  selfB: number;
  deltaSelf: number;
  eventsA: number;
  eventsB: number;
  deltaEvents: number;
  /** Per probe, B minus A, probes whose count differs only. */
  deltaByProbe: Record<string, number>;
}

export interface TraceComparison {
  /** The aligned tree in pre-order (B's order within a matched parent, removed spans after). */
  rows: CompareRow[];
  /** Row indices, the largest |self-time change| first (then |event change|, then tree order). */
  ranked: number[];
  deltaDuration: number;
  matched: number;
  added: number;
  removed: number;
}

function childLists(spans: readonly CompareSpan[]): number[][] {
  const kids: number[][] = spans.map(() => []);
  for (let i = 0; i < spans.length; i++) {
    const p = spans[i]!.parent;
    if (p >= 0) kids[p]!.push(i);
  }
  // Pre-order keeps children in start order already; sorting makes it independent of the input order.
  for (const k of kids) k.sort((x, y) => spans[x]!.start - spans[y]!.start || x - y);
  return kids;
}

const label = (s: CompareSpan) => `${s.kind}\u0000${s.container}`;

export function compareTraces(A: CompareSide, B: CompareSide): TraceComparison {
  const kidsA = childLists(A.spans);
  const kidsB = childLists(B.spans);
  const selfA = selfTimes(A.spans);
  const selfB = selfTimes(B.spans);
  const rows: CompareRow[] = [];
  const dur = (s: CompareSpan | undefined) => (s === undefined ? 0 : s.end - s.start);
  const push = (a: number, b: number, depth: number, parentRow: number): number => {
    const sa = a >= 0 ? A.spans[a] : undefined;
    const sb = b >= 0 ? B.spans[b] : undefined;
    const ca = a >= 0 ? A.counts[a] : undefined;
    const cb = b >= 0 ? B.counts[b] : undefined;
    const deltaByProbe: Record<string, number> = {};
    for (const p of new Set([...Object.keys(ca?.byProbe ?? {}), ...Object.keys(cb?.byProbe ?? {})])) {
      const d = (cb?.byProbe[p] ?? 0) - (ca?.byProbe[p] ?? 0);
      if (d !== 0) deltaByProbe[p] = d;
    }
    const s = (sb ?? sa)!;
    const row: CompareRow = {
      a,
      b,
      status: sa && sb ? 'matched' : sa ? 'removed' : 'added',
      depth,
      parentRow,
      kind: s.kind,
      container: s.container,
      durationA: dur(sa),
      durationB: dur(sb),
      deltaDuration: dur(sb) - dur(sa),
      selfA: a >= 0 ? selfA[a]! : 0,
      selfB: b >= 0 ? selfB[b]! : 0,
      deltaSelf: (b >= 0 ? selfB[b]! : 0) - (a >= 0 ? selfA[a]! : 0),
      eventsA: ca?.total ?? 0,
      eventsB: cb?.total ?? 0,
      deltaEvents: (cb?.total ?? 0) - (ca?.total ?? 0),
      deltaByProbe,
    };
    rows.push(row);
    return rows.length - 1;
  };
  // Iterative pre-order over aligned pairs: fork chains can be thousands deep.
  type Item = { a: number; b: number; depth: number; parentRow: number };
  const stack: Item[] = [];
  if (A.spans.length > 0 || B.spans.length > 0) {
    const ra = A.spans.length > 0 ? 0 : -1;
    const rb = B.spans.length > 0 ? 0 : -1;
    // Roots of different kind or container are still the two requests' roots: compared as a pair.
    stack.push({ a: ra, b: rb, depth: 0, parentRow: -1 });
  }
  while (stack.length > 0) {
    const { a, b, depth, parentRow } = stack.pop()!;
    const row = push(a, b, depth, parentRow);
    const ka = a >= 0 ? kidsA[a]! : [];
    const kb = b >= 0 ? kidsB[b]! : [];
    const pairs: [number, number][] = [];
    // Per label, A's children in start order and how many of them are taken (no shift(): a 10,000-wide fan-out).
    const queue = new Map<string, { list: number[]; next: number }>();
    for (const x of ka) {
      const l = label(A.spans[x]!);
      let q = queue.get(l);
      if (q === undefined) queue.set(l, (q = { list: [], next: 0 }));
      q.list.push(x);
    }
    for (const y of kb) {
      const q = queue.get(label(B.spans[y]!));
      pairs.push([q !== undefined && q.next < q.list.length ? q.list[q.next++]! : -1, y]);
    }
    for (const q of queue.values()) for (let i = q.next; i < q.list.length; i++) pairs.push([q.list[i]!, -1]);
    for (let i = pairs.length - 1; i >= 0; i--) stack.push({ a: pairs[i]![0], b: pairs[i]![1], depth: depth + 1, parentRow: row });
  }
  const ranked = rows.map((_, i) => i);
  ranked.sort((x, y) => {
    const rx = rows[x]!;
    const ry = rows[y]!;
    return Math.abs(ry.deltaSelf) - Math.abs(rx.deltaSelf) || Math.abs(ry.deltaEvents) - Math.abs(rx.deltaEvents) || x - y;
  });
  return {
    rows,
    ranked,
    deltaDuration: rows.length > 0 ? rows[0]!.deltaDuration : 0,
    matched: rows.filter((r) => r.status === 'matched').length,
    added: rows.filter((r) => r.status === 'added').length,
    removed: rows.filter((r) => r.status === 'removed').length,
  };
}
