import type { AssembledTrace } from '../model/trace-assembly.js';
import type { RelNs } from '../model/time.js';
import { SpanSweep } from './span-sweep.js';

// The default per-span event counts (total and per probe) for every span of every trace, in one
// linear sweep over time-ordered records. Records arrive as columns so a source (file parser or
// bundle query) need not build an object per record.

export interface RecordColumns {
  length: number;
  tid: ArrayLike<number>;
  ts: ArrayLike<RelNs>;
  probe: ArrayLike<number>;
}

export class SpanEventCounts {
  /** Global span index of trace i's span 0 is offsets[i]. */
  readonly offsets: Int32Array;
  readonly totals: Uint32Array;
  /** Dense [span * probeCount + probe]. */
  readonly byProbe: Uint32Array;
  readonly traceTotals: Float64Array;

  constructor(
    readonly traces: readonly AssembledTrace[],
    readonly probeCount: number,
  ) {
    this.offsets = new Int32Array(traces.length + 1);
    for (let i = 0; i < traces.length; i++) this.offsets[i + 1] = this.offsets[i]! + traces[i]!.spans.length;
    const n = this.offsets[traces.length]!;
    this.totals = new Uint32Array(n);
    this.byProbe = new Uint32Array(n * Math.max(1, probeCount));
    this.traceTotals = new Float64Array(traces.length);
  }

  get spanCount(): number {
    return this.totals.length;
  }

  /** Counts of one span as probe id -> count (non-zero only). */
  spanProbes(traceIndex: number, spanIndex: number): Map<number, number> {
    const g = this.offsets[traceIndex]! + spanIndex;
    const out = new Map<number, number>();
    for (let p = 0; p < this.probeCount; p++) {
      const c = this.byProbe[g * this.probeCount + p]!;
      if (c > 0) out.set(p, c);
    }
    return out;
  }
}

export class EventCounter {
  readonly counts: SpanEventCounts;
  private readonly sweep: SpanSweep;
  private readonly owner: Int32Array;
  private probe = 0;
  private readonly consume = (g: number) => {
    const c = this.counts;
    c.totals[g]!++;
    c.byProbe[g * c.probeCount + this.probe]!++;
    c.traceTotals[this.owner[g]!]!++;
  };

  constructor(traces: readonly AssembledTrace[], probeCount: number) {
    this.counts = new SpanEventCounts(traces, probeCount);
    const flat: { tid: number; start: RelNs; end: RelNs }[] = [];
    this.owner = new Int32Array(this.counts.spanCount);
    traces.forEach((t, ti) => {
      for (const s of t.spans) {
        this.owner[flat.length] = ti;
        flat.push({ tid: s.tid, start: s.start, end: s.end });
      }
    });
    this.sweep = new SpanSweep(flat);
  }

  add(cols: RecordColumns): void {
    for (let i = 0; i < cols.length; i++) {
      const p = cols.probe[i]!;
      if (p >= this.counts.probeCount) throw new Error(`probe id ${p} outside the ${this.counts.probeCount} known probes`);
      this.probe = p;
      this.sweep.offer(cols.tid[i]!, cols.ts[i]!, this.consume);
    }
  }
}
