// Self time of each span: its duration minus the time some child of it is running (the union of
// the children's intervals, clipped to the span). What a span did itself, rather than waited on.

export interface TimedSpan {
  parent: number;
  start: number;
  end: number;
}

/** Per span (pre-order list), its self time in the list's time unit. */
export function selfTimes(spans: readonly TimedSpan[]): number[] {
  const kids: number[][] = spans.map(() => []);
  for (let i = 1; i < spans.length; i++) {
    const p = spans[i]!.parent;
    if (p >= 0) kids[p]!.push(i);
  }
  return spans.map((s, i) => {
    const list = kids[i]!.map((k) => [Math.max(s.start, spans[k]!.start), Math.min(s.end, spans[k]!.end)] as const).filter(([a, b]) => b > a);
    list.sort((x, y) => x[0] - y[0]);
    let covered = 0;
    let curA = -Infinity;
    let curB = -Infinity;
    for (const [a, b] of list) {
      if (a > curB) {
        if (curB > curA) covered += curB - curA;
        curA = a;
        curB = b;
      } else if (b > curB) curB = b;
    }
    if (curB > curA) covered += curB - curA;
    return Math.max(0, s.end - s.start - covered);
  });
}
