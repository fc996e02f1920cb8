import type { Bundle } from '../../engine/bundle/bundle-reader.js';
import type { BundleManifest } from '../../engine/bundle/manifest.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import type { TraceSched } from '../../engine/analysis/sched-timeline.js';
import type { TraceDetail } from '../ipc-contract.js';

// Engine results -> the contract's DTOs. Pure, so the same mapping serves every transport.

type SpanCounts = ReturnType<Bundle['spanCounts']>;

/** `probeNames`: the bundle's probes in its order; `timeBaseNs`: its manifest's. */
export function toTraceDetail(bundleId: string, probeNames: readonly string[], timeBaseNs: BundleManifest['timeBaseNs'], t: AssembledTrace, counts: SpanCounts, sched: TraceSched | null = null): TraceDetail {
  const seen = new Set<string>();
  for (const c of counts) if (c) for (const p of Object.keys(c.byProbe)) seen.add(p);
  const probes = probeNames.filter((n) => seen.has(n));
  return {
    bundleId,
    traceId: t.id,
    timeBaseNs,
    spans: t.spans.map((s) => ({ ...s })),
    probes,
    counts: t.spans.map((s) => counts[s.index] ?? { total: 0, byProbe: {} }),
    ...(sched ? { sched: { spans: t.spans.map((s) => sched.spans[s.index] ?? null), criticalPath: sched.criticalPath } } : {}),
  };
}
