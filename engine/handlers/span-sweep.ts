import type { TraceRecord } from '../model/record.js';
import type { RelNs } from '../model/time.js';

// Which spans consume which record, in one pass over time-ordered records: a record is consumed
// by every span of its thread with start <= ts <= end. Spans are grouped by tid and sorted by
// start; per tid a cursor admits spans as time passes and closed spans are dropped for good, so
// the cost is linear in records plus spans (times the few spans a thread has open at once),
// instead of offering every record to every open span as the original does.

export interface SweepSpan {
  tid: number;
  start: RelNs;
  end: RelNs;
}

interface TidLane {
  spans: number[];
  next: number;
  open: number[];
}

export class SpanSweep {
  private readonly lanes = new Map<number, TidLane>();

  constructor(private readonly spans: readonly SweepSpan[]) {
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      let lane = this.lanes.get(s.tid);
      if (lane === undefined) {
        lane = { spans: [], next: 0, open: [] };
        this.lanes.set(s.tid, lane);
      }
      lane.spans.push(i);
    }
    for (const lane of this.lanes.values()) lane.spans.sort((a, b) => spans[a]!.start - spans[b]!.start || a - b);
  }

  /** Calls `consume(spanIndex)` for each span that consumes the record. */
  offer(tid: number, ts: RelNs, consume: (span: number) => void): void {
    const lane = this.lanes.get(tid);
    if (lane === undefined) return;
    const spans = this.spans;
    while (lane.next < lane.spans.length && spans[lane.spans[lane.next]!]!.start <= ts) lane.open.push(lane.spans[lane.next++]!);
    const open = lane.open;
    let w = 0;
    for (let r = 0; r < open.length; r++) {
      const i = open[r]!;
      if (spans[i]!.end < ts) continue;
      open[w++] = i;
      consume(i);
    }
    open.length = w;
  }
}

/**
 * The general case, for span handlers with `recordValid`: every open span is offered every
 * record (the original's cost), since any record may be valid for it.
 */
export class OpenSpanSweep {
  private readonly order: number[];
  private next = 0;
  private open: number[] = [];

  constructor(private readonly spans: readonly SweepSpan[]) {
    this.order = spans.map((_, i) => i).sort((a, b) => spans[a]!.start - spans[b]!.start || a - b);
  }

  offer(r: TraceRecord, accepts: (span: number, r: TraceRecord) => boolean, consume: (span: number) => void): void {
    const spans = this.spans;
    while (this.next < this.order.length && spans[this.order[this.next]!]!.start <= r.ts) this.open.push(this.order[this.next++]!);
    let w = 0;
    for (let k = 0; k < this.open.length; k++) {
      const i = this.open[k]!;
      if (spans[i]!.end < r.ts) continue;
      this.open[w++] = i;
      if (spans[i]!.tid === r.tid || accepts(i, r)) consume(i);
    }
    this.open.length = w;
  }
}
