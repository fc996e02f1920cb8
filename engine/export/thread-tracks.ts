// Slices on one thread track of the Trace Event format must nest: Perfetto moves a slice that
// partially overlaps another to an overflow track, chrome://tracing draws it wrongly, and a flow
// whose `ts` falls where two slices start together binds to either. A kernel thread can hold
// overlapping states (a thread serving two requests at once, or the same thread in two traces),
// so each thread gets as many tracks ("lanes") as it needs; lane 0 is the thread itself.

export interface TrackSlice {
  /** Earliest and latest time of the slice (start and end, in whichever order the data has them). */
  lo: number;
  hi: number;
}

export interface LaneAssignment {
  /** Lane of each slice, by input index. */
  lane: Int32Array;
  /** Direct children of each slice on its lane (slices nested right inside it), by input index. */
  nested: number[][];
  lanes: number;
}

/**
 * Assigns each slice of one thread to the first lane where it nests properly: inside the open
 * slice it overlaps (starting strictly after it, ending no later), or after it. O(n log n + n·lanes).
 */
export function assignLanes(slices: readonly TrackSlice[]): LaneAssignment {
  const order = slices.map((_, i) => i).sort((a, b) => slices[a]!.lo - slices[b]!.lo || slices[b]!.hi - slices[a]!.hi || a - b);
  const stacks: number[][] = [];
  const lane = new Int32Array(slices.length);
  const nested: number[][] = slices.map(() => []);
  for (const i of order) {
    const s = slices[i]!;
    let placed = false;
    for (let k = 0; k < stacks.length && !placed; k++) {
      const st = stacks[k]!;
      while (st.length > 0 && slices[st[st.length - 1]!]!.hi <= s.lo && slices[st[st.length - 1]!]!.lo < s.lo) st.pop();
      const top = st.length > 0 ? st[st.length - 1]! : -1;
      if (top < 0 || (slices[top]!.lo < s.lo && slices[top]!.hi >= s.hi)) {
        if (top >= 0) nested[top]!.push(i);
        st.push(i);
        lane[i] = k;
        placed = true;
      }
    }
    if (!placed) {
      lane[i] = stacks.length;
      stacks.push([i]);
    }
  }
  return { lane, nested, lanes: stacks.length };
}

/** Lanes past the first get synthetic thread ids above the kernel's tid range (PID_MAX_LIMIT = 2^22). */
export function laneTid(tid: number, lane: number): number {
  return lane === 0 ? tid : tid + lane * 4_194_304;
}
