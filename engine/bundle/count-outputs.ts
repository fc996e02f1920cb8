import type { AssembledTrace } from '../model/trace-assembly.js';
import type { HandlerOutputs } from '../render/dag-render.js';
import type { Bundle } from './bundle-reader.js';

/** The default `count` handler results, read from the counts a bundle already holds. */
export function storedCountOutputs(bundle: Bundle, traces: readonly AssembledTrace[]): HandlerOutputs {
  const counts = new Map(traces.map((t) => [t.id, bundle.spanCounts(t.id)]));
  return {
    trace: (id) => ({ count: counts.get(id)!.reduce((a, c) => a + c.total, 0) }),
    span: (id, i) => ({ count: counts.get(id)![i]!.total }),
  };
}
