import type { TimeWindow } from '../../../engine/figure/layout-types.js';

// The minimap's picture of a trace, pure: one line per span, in span order (the trace's tree
// order, as the Gantt lists its rows), its start and end as fractions of the trace's extent.

export interface MinimapLine {
  row: number;
  kind: 'network' | 'fork';
  x0: number;
  x1: number;
}

export function minimapLines(spans: readonly { start: number; end: number; kind: 'network' | 'fork' }[], extent: TimeWindow): MinimapLine[] {
  const len = Math.max(1, extent.end - extent.start);
  return spans.map((s, row) => ({
    row,
    kind: s.kind,
    x0: (Math.min(s.start, s.end) - extent.start) / len,
    x1: (Math.max(s.start, s.end) - extent.start) / len,
  }));
}
