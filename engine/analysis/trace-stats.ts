import { selfTimes } from './span-self-time.js';

// Statistics of one trace or of a whole bundle: per container, its spans, their self time (what
// the spans did themselves, not waiting on children: span-self-time.ts) and their kernel events;
// per kernel event (probe), its count, the spans that had it and its count per container. The
// renderer folds one trace; the engine worker folds every trace of a bundle the same way.

export interface StatsSpan {
  parent: number;
  start: number;
  end: number;
  container: string;
}

export interface ContainerStat {
  container: string;
  spans: number;
  selfNs: number;
  events: number;
}

export interface EventStat {
  event: string;
  count: number;
  /** Spans with at least one. */
  spans: number;
  byContainer: Record<string, number>;
}

export interface TraceStats {
  traces: number;
  spans: number;
  /** Self time over all spans (ns): the containers' shares are of this. */
  selfNs: number;
  events: number;
  /** Most self time first. */
  containers: ContainerStat[];
  /** Most frequent first. */
  byEvent: EventStat[];
}

export class StatsAccumulator {
  private traces = 0;
  private spans = 0;
  private readonly containers = new Map<string, ContainerStat>();
  private readonly events = new Map<string, EventStat>();

  add(spans: readonly StatsSpan[], counts: readonly { total: number; byProbe: Readonly<Record<string, number>> }[]): void {
    this.traces++;
    const self = selfTimes(spans);
    spans.forEach((s, i) => {
      this.spans++;
      let c = this.containers.get(s.container);
      if (c === undefined) this.containers.set(s.container, (c = { container: s.container, spans: 0, selfNs: 0, events: 0 }));
      c.spans++;
      c.selfNs += self[i]!;
      const k = counts[i];
      if (k === undefined) return;
      c.events += k.total;
      for (const [event, n] of Object.entries(k.byProbe)) {
        if (n <= 0) continue;
        let e = this.events.get(event);
        if (e === undefined) this.events.set(event, (e = { event, count: 0, spans: 0, byContainer: {} }));
        e.count += n;
        e.spans++;
        e.byContainer[s.container] = (e.byContainer[s.container] ?? 0) + n;
      }
    });
  }

  result(): TraceStats {
    const containers = [...this.containers.values()].sort((a, b) => b.selfNs - a.selfNs || a.container.localeCompare(b.container));
    const byEvent = [...this.events.values()].sort((a, b) => b.count - a.count || a.event.localeCompare(b.event));
    return {
      traces: this.traces,
      spans: this.spans,
      selfNs: containers.reduce((n, c) => n + c.selfNs, 0),
      events: containers.reduce((n, c) => n + c.events, 0),
      containers,
      byEvent,
    };
  }
}

export function traceStats(spans: readonly StatsSpan[], counts: readonly { total: number; byProbe: Readonly<Record<string, number>> }[]): TraceStats {
  const acc = new StatsAccumulator();
  acc.add(spans, counts);
  return acc.result();
}
