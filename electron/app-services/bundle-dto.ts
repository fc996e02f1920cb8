import type { Bundle, TraceSummary } from '../../engine/bundle/bundle-reader.js';
import type { BundleManifest } from '../../engine/bundle/manifest.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import type { TraceDetail, TraceTableData } from '../ipc-contract.js';

// Engine results -> the contract's DTOs. Pure, so the same mapping serves every transport.

export function toTraceTable(bundleId: string, rows: readonly TraceSummary[]): TraceTableData {
  const names = new Map<string, number>();
  const nameIndex = (n: string): number => {
    let i = names.get(n);
    if (i === undefined) {
      i = names.size;
      names.set(n, i);
    }
    return i;
  };
  const t: TraceTableData = {
    bundleId,
    count: rows.length,
    id: new Array<number>(rows.length),
    start: new Array<number>(rows.length),
    duration: new Array<number>(rows.length),
    spanCount: new Array<number>(rows.length),
    depth: new Array<number>(rows.length),
    eventCount: new Array<number>(rows.length),
    rootContainer: new Array<number>(rows.length),
    containers: new Array<number[]>(rows.length),
    containerNames: [],
  };
  rows.forEach((r, i) => {
    t.id[i] = r.id;
    t.start[i] = r.start;
    t.duration[i] = r.duration;
    t.spanCount[i] = r.spanCount;
    t.depth[i] = r.depth;
    t.eventCount[i] = r.eventCount;
    t.rootContainer[i] = nameIndex(r.rootContainer);
    t.containers[i] = r.containers.map(nameIndex);
  });
  t.containerNames = [...names.keys()];
  return t;
}

type SpanCounts = ReturnType<Bundle['spanCounts']>;

/** `probeNames`: the bundle's probes in its order; `timeBaseNs`: its manifest's. */
export function toTraceDetail(bundleId: string, probeNames: readonly string[], timeBaseNs: BundleManifest['timeBaseNs'], t: AssembledTrace, counts: SpanCounts): TraceDetail {
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
  };
}
