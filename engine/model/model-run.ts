import { CausalGenerator } from './causal/causal-generator.js';
import type { OwnershipLane } from './causal/ownership.js';
import type { Diagnostics } from './diagnostics.js';
import type { MetaEntry } from './meta.js';
import type { TraceRecord } from './record.js';
import { SpanGenerator, type GeneratorCounts } from './span-generator.js';
import type { ModelName } from './span-link.js';
import type { RelNs } from './time.js';
import { assembleAll, type AssembledTrace } from './trace-assembly.js';

// Either model behind one feed/finish shape, so that generate, bundle import, capture and the
// worker pick a model by name and handle the result alike.

export interface ModelOutput {
  model: ModelName;
  traces: AssembledTrace[];
  counts: GeneratorCounts & Record<string, number>;
  firstTs: RelNs;
  lastTs: RelNs;
  /** Causal model only: which span owns each thread's records over time (event counts). */
  ownership: Map<number, OwnershipLane> | null;
}

export interface ModelRun {
  feed(r: TraceRecord): void;
  finish(opts?: { lostEvents?: number }): ModelOutput;
}

export function startModel(model: ModelName, meta: readonly MetaEntry[], gateway: string, diagnostics: Diagnostics): ModelRun {
  if (model === 'causal') {
    const g = new CausalGenerator(meta, gateway, { diagnostics });
    return {
      feed: (r) => g.feed(r),
      finish: (opts) => {
        const res = g.finish(opts);
        return { model, traces: res.traces, counts: { ...res.counts }, firstTs: res.firstTs, lastTs: res.lastTs, ownership: res.ownership };
      },
    };
  }
  const g = new SpanGenerator(meta, gateway, { diagnostics });
  return {
    feed: (r) => g.feed(r),
    finish: () => {
      const res = g.finish();
      return { model, traces: assembleAll(res.roots), counts: { ...res.counts }, firstTs: res.firstTs, lastTs: res.lastTs, ownership: null };
    },
  };
}
