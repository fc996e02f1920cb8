// The critical path of a request trace: the chain of work that decided when the request ended.
// Walk back in time from the root's end: the span is blocked on the child that finished last
// (before that moment), so the path goes down into that child; when a span has no child left
// that finishes before the current moment, the span was busy on its own from its start, and the
// walk returns to its parent at the moment the span began, looking for the sibling call that
// finished before it (calls made one after another), and so on back to the root's start.
// Children are clipped to their parent's interval; children overlapping a later chosen sibling
// ran in parallel with it and are skipped. O(spans log spans), iterative (fork chains run deep).

export interface CriticalPathSpan {
  /** Parent index, -1 for the root; spans are in pre-order (a parent comes before its children). */
  parent: number;
  start: number;
  end: number;
}

/** A time interval during which `span` itself (not a child it waited on) was on the path. */
export interface CriticalSegment {
  span: number;
  start: number;
  end: number;
}

export interface CriticalPath {
  /** Every span the path passes through, root first, in the order the walk entered them. */
  spans: number[];
  /** The path's intervals in time order; together they cover the root's interval. */
  segments: CriticalSegment[];
}

export function criticalPath(spans: readonly CriticalPathSpan[]): CriticalPath {
  const n = spans.length;
  if (n === 0) return { spans: [], segments: [] };
  // Each span's interval clipped to its parent's (a child outliving its parent does not delay it).
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const usable = new Uint8Array(n);
  const kids: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const s = spans[i]!;
    let a = Math.min(s.start, s.end);
    let b = Math.max(s.start, s.end);
    const p = s.parent;
    if (p >= 0 && p < i) {
      if (!usable[p]) continue;
      a = Math.max(a, lo[p]!);
      b = Math.min(b, hi[p]!);
      if (a > b) continue; // wholly outside its parent: cannot have delayed it
      kids[p]!.push(i);
    } else if (i !== 0) continue; // not connected to the root
    lo[i] = a;
    hi[i] = b;
    usable[i] = 1;
  }
  // Children by end, latest first: the walk only ever looks further back in time, so a per-span
  // cursor passes each child once.
  for (const k of kids) if (k.length > 1) k.sort((x, y) => hi[y]! - hi[x]! || lo[y]! - lo[x]!);
  const cursor = new Int32Array(n);
  const path: number[] = [0];
  const segments: CriticalSegment[] = [];
  let cur = 0;
  let bound = hi[0]!;
  for (let guard = 0; guard < 4 * n + 4; guard++) {
    const list = kids[cur]!;
    let c = cursor[cur]!;
    while (c < list.length && hi[list[c]!]! > bound) c++; // ran past `bound`: in parallel with what came after
    if (c < list.length) {
      const child = list[c]!;
      cursor[cur] = c + 1;
      if (bound > hi[child]!) segments.push({ span: cur, start: hi[child]!, end: bound });
      path.push(child);
      cur = child;
      bound = hi[child]!;
      continue;
    }
    cursor[cur] = c;
    if (bound > lo[cur]!) segments.push({ span: cur, start: lo[cur]!, end: bound });
    if (cur === 0) break;
    bound = lo[cur]!;
    cur = spans[cur]!.parent;
  }
  segments.reverse();
  return { spans: path, segments };
}
