import type { OwnershipLane } from '../model/causal/ownership.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import { SpanEventCounts, type RecordColumns } from './event-counts.js';

// Per-span event counts of the causal model: each record of a thread goes to the one span that
// owns the thread at that moment (the ownership lanes the generator wrote), if the record also
// falls inside that span; a record no span owns is counted apart, per thread. One pass over
// time-ordered records, a cursor per thread: linear, and no record counted twice.

export interface ThreadCounts {
  total: number;
  /** probe id -> count. */
  byProbe: Map<number, number>;
}

interface Cursor {
  lane: OwnershipLane;
  i: number;
}

export class CausalEventCounter {
  readonly counts: SpanEventCounts;
  /** Records of threads that no span owned when they happened. */
  readonly threadCounts = new Map<number, ThreadCounts>();
  private readonly cursors = new Map<number, Cursor>();
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private readonly owner: Int32Array;

  constructor(traces: readonly AssembledTrace[], probeCount: number, lanes: Map<number, OwnershipLane>) {
    this.counts = new SpanEventCounts(traces, probeCount);
    const n = this.counts.spanCount;
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    this.owner = new Int32Array(n);
    traces.forEach((t, ti) => {
      const off = this.counts.offsets[ti]!;
      for (const s of t.spans) {
        this.start[off + s.index] = s.start;
        this.end[off + s.index] = s.end;
        this.owner[off + s.index] = ti;
      }
    });
    for (const [tid, lane] of lanes) this.cursors.set(tid, { lane, i: -1 });
  }

  add(cols: RecordColumns): void {
    const c = this.counts;
    for (let k = 0; k < cols.length; k++) {
      const p = cols.probe[k]!;
      if (p >= c.probeCount) throw new Error(`probe id ${p} outside the ${c.probeCount} known probes`);
      const tid = cols.tid[k]!;
      const ts = cols.ts[k]!;
      const cur = this.cursors.get(tid);
      let g = -1;
      if (cur !== undefined) {
        const l = cur.lane;
        while (cur.i + 1 < l.ts.length && l.ts[cur.i + 1]! <= ts) cur.i++;
        if (cur.i >= 0) g = l.span[cur.i]!;
      }
      if (g >= 0 && this.start[g]! <= ts && ts <= this.end[g]!) {
        c.totals[g]!++;
        c.byProbe[g * c.probeCount + p]!++;
        c.traceTotals[this.owner[g]!]!++;
        continue;
      }
      let tc = this.threadCounts.get(tid);
      if (tc === undefined) {
        tc = { total: 0, byProbe: new Map() };
        this.threadCounts.set(tid, tc);
      }
      tc.total++;
      tc.byProbe.set(p, (tc.byProbe.get(p) ?? 0) + 1);
    }
  }
}
