import type { SpanDto } from '../../../electron/ipc-contract.js';

// The critical path: from the root, repeatedly the child that ends last (the one its parent waited
// for longest), down to a leaf. Those spans bound when the trace can end. O(spans), once per trace.

export function criticalPath(spans: readonly SpanDto[]): Set<number> {
  const out = new Set<number>();
  if (spans.length === 0) return out;
  // Latest-ending child per span, from one pass over the pre-order list.
  const lastChild = new Int32Array(spans.length).fill(-1);
  for (const s of spans) {
    if (s.parent < 0) continue;
    const cur = lastChild[s.parent]!;
    if (cur < 0 || Math.max(s.start, s.end) > Math.max(spans[cur]!.start, spans[cur]!.end)) lastChild[s.parent] = s.index;
  }
  for (let i = 0; i >= 0; i = lastChild[i]!) out.add(i);
  return out;
}
