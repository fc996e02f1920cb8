import type { RelNs } from '../time.js';
import type { CausalSpan } from './causal-span.js';

// Which span owns a thread's records over time: a list of change points per tid. A record at
// time ts on a thread belongs to the span of the last change point at or before ts, if ts also
// lies inside that span; otherwise to no span (counted apart for the thread). So each record
// is counted once at most, where the original model counts it in every open span of its thread.

export interface OwnershipLane {
  ts: Float64Array;
  /** Global span index (CausalSpan.flat), -1 for no owner. */
  span: Int32Array;
}

export class OwnershipLog {
  private readonly lanes = new Map<number, { ts: number[]; spans: (CausalSpan | null)[] }>();

  /** From `ts` on, the records of `tid` belong to `span` (null: to no span). */
  set(tid: number, ts: RelNs, span: CausalSpan | null): void {
    let lane = this.lanes.get(tid);
    if (lane === undefined) {
      lane = { ts: [], spans: [] };
      this.lanes.set(tid, lane);
    }
    const n = lane.ts.length;
    if (n > 0) {
      if (lane.spans[n - 1] === span) return;
      // A change dated back to a syscall's entry never precedes an earlier change on the thread.
      if (ts <= lane.ts[n - 1]!) {
        lane.spans[n - 1] = span;
        if (n > 1 && lane.spans[n - 2] === span) {
          lane.ts.pop();
          lane.spans.pop();
        }
        return;
      }
    }
    lane.ts.push(ts);
    lane.spans.push(span);
  }

  /** The lanes with global span indexes (after assembly set CausalSpan.flat). */
  resolve(): Map<number, OwnershipLane> {
    const out = new Map<number, OwnershipLane>();
    for (const [tid, l] of this.lanes) {
      // Plain loops: TypedArray.from walks an iterator and calls back per element (a third of finish()).
      const n = l.ts.length;
      const span = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const s = l.spans[i]!;
        span[i] = s === null ? -1 : s.flat;
      }
      out.set(tid, { ts: new Float64Array(l.ts), span });
    }
    return out;
  }

  get changePoints(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.ts.length;
    return n;
  }
}
