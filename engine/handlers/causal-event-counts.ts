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

/** The cursor of a thread without a lane: it never moves (its lane is empty). */
const NO_CURSOR: Cursor = { lane: { ts: new Float64Array(0), span: new Int32Array(0) }, i: -1 };

export class CausalEventCounter {
  readonly counts: SpanEventCounts;
  private readonly cursors = new Map<number, Cursor>();
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private readonly owner: Int32Array;
  // Records no span owned, per thread: a slot per thread in first-seen order, its counts dense by
  // probe (a Map per thread and probe cost a third of the counting), made into Maps when asked.
  private readonly slotOf = new Map<number, number>();
  private slotTids: number[] = [];
  private apart = new Uint32Array(0);
  private made: Map<number, ThreadCounts> | null = null;
  // Most records are of the thread of the record before: its cursor and slot, looked up once.
  private lastTid = NaN;
  private lastCursor: Cursor = NO_CURSOR;
  private lastSlot = -1;

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

  /** Records of threads that no span owned when they happened (tid -> total and probe id -> count). */
  get threadCounts(): Map<number, ThreadCounts> {
    if (this.made !== null) return this.made;
    const P = this.counts.probeCount;
    const out = new Map<number, ThreadCounts>();
    this.slotTids.forEach((tid, slot) => {
      const byProbe = new Map<number, number>();
      let total = 0;
      for (let p = 0; p < P; p++) {
        const n = this.apart[slot * P + p]!;
        if (n > 0) byProbe.set(p, n);
        total += n;
      }
      out.set(tid, { total, byProbe });
    });
    this.made = out;
    return out;
  }

  add(cols: RecordColumns): void {
    const c = this.counts;
    const P = c.probeCount;
    this.made = null;
    for (let k = 0; k < cols.length; k++) {
      const p = cols.probe[k]!;
      if (p >= P) throw new Error(`probe id ${p} outside the ${P} known probes`);
      const tid = cols.tid[k]!;
      const ts = cols.ts[k]!;
      if (tid !== this.lastTid) {
        this.lastTid = tid;
        this.lastCursor = this.cursors.get(tid) ?? NO_CURSOR;
        this.lastSlot = this.slotOf.get(tid) ?? -1;
      }
      const cur = this.lastCursor;
      const l = cur.lane;
      while (cur.i + 1 < l.ts.length && l.ts[cur.i + 1]! <= ts) cur.i++;
      const g = cur.i >= 0 ? l.span[cur.i]! : -1;
      if (g >= 0 && this.start[g]! <= ts && ts <= this.end[g]!) {
        c.totals[g]!++;
        c.byProbe[g * P + p]!++;
        c.traceTotals[this.owner[g]!]!++;
        continue;
      }
      if (this.lastSlot < 0) this.lastSlot = this.newSlot(tid);
      this.apart[this.lastSlot * P + p]!++;
    }
  }

  private newSlot(tid: number): number {
    const slot = this.slotTids.length;
    this.slotTids.push(tid);
    this.slotOf.set(tid, slot);
    const P = Math.max(1, this.counts.probeCount);
    if ((slot + 1) * P > this.apart.length) {
      const grown = new Uint32Array(Math.max(64 * P, this.apart.length * 2));
      grown.set(this.apart);
      this.apart = grown;
    }
    return slot;
  }
}
