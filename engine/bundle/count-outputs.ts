import type { AssembledTrace } from '../model/trace-assembly.js';
import type { HandlerOutputs } from '../render/dag-render.js';
import type { Bundle } from './bundle-reader.js';

/**
 * The default `count` handler results, read from the counts a bundle already holds, one trace at a
 * time as they are asked for (renders ask trace by trace), so millions of spans are never held.
 * `_traces`: the traces that will be asked about (kept for callers; nothing is read ahead).
 */
export function storedCountOutputs(bundle: Bundle, _traces?: readonly AssembledTrace[]): HandlerOutputs {
  let id = -1;
  let totals: number[] = [];
  const of = (traceId: number) => {
    if (traceId !== id) {
      totals = bundle.spanEventTotals(traceId);
      id = traceId;
    }
    return totals;
  };
  return {
    trace: (t) => ({ count: of(t).reduce((a, n) => a + (n ?? 0), 0) }),
    span: (t, i) => ({ count: of(t)[i]! }),
  };
}
