import type { PyJsonValue } from '../render/py-json.js';
import type { HandlerModule, SpanHandler, TraceHandler } from './handler-api.js';

// The default handlers: `count` is the number the original prints in custom.json; `byProbe`
// adds counts per probe name (what the figure shows: Migrations 3, Page Faults User 4).

// One per span of every trace rendered (hundreds of thousands at 10M records): the per-probe
// counts are a plain object made on the first record, a few times smaller than a Map.
class Counter implements SpanHandler, TraceHandler {
  private n = 0;
  private probes: Record<string, number> | null = null;
  constructor(private readonly byProbe: boolean) {}
  consume(record: { probe: { name: string } }): void {
    this.n++;
    if (this.byProbe) {
      const p = (this.probes ??= {});
      p[record.probe.name] = (p[record.probe.name] ?? 0) + 1;
    }
  }
  result(): PyJsonValue {
    if (!this.byProbe) return { count: this.n };
    const probes: { [k: string]: PyJsonValue } = {};
    for (const [k, v] of Object.entries(this.probes ?? {}).sort((a, b) => a[0].localeCompare(b[0]))) probes[k] = v;
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
