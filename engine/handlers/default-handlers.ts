import type { PyJsonValue } from '../render/py-json.js';
import type { HandlerModule, SpanHandler, TraceHandler } from './handler-api.js';

// The default handlers: `count` is the number the original prints in custom.json; `byProbe`
// adds counts per probe name (what the figure shows: Migrations 3, Page Faults User 4).

class Counter implements SpanHandler, TraceHandler {
  private n = 0;
  private readonly probes = new Map<string, number>();
  constructor(private readonly byProbe: boolean) {}
  consume(record: { probe: { name: string } }): void {
    this.n++;
    if (this.byProbe) this.probes.set(record.probe.name, (this.probes.get(record.probe.name) ?? 0) + 1);
  }
  result(): PyJsonValue {
    if (!this.byProbe) return { count: this.n };
    const probes: { [k: string]: PyJsonValue } = {};
    for (const [k, v] of [...this.probes.entries()].sort((a, b) => a[0].localeCompare(b[0]))) probes[k] = v;
    return { count: this.n, probes };
  }
}

export const countHandlers: HandlerModule = {
  name: 'count',
  createSpanHandler: () => new Counter(false),
  createTraceHandler: () => new Counter(false),
};

export const countByProbeHandlers: HandlerModule = {
  name: 'count-by-probe',
  createSpanHandler: () => new Counter(true),
  createTraceHandler: () => new Counter(true),
};
