// Latency histogram of all traces: bins over log10(duration), since request latencies span
// orders of magnitude (a cached hit in µs beside a slow path in seconds). Pure, computed once
// per table; the "shown" counts are recomputed only when the filter changes.

export interface HistogramBins {
  /** log10(ns) edges: bin i covers [edges[i], edges[i+1]). */
  edges: number[];
  all: number[];
}

const MIN_DURATION = 1; // log10 of zero is -inf; a 0 ns trace sits in the first bin

export function logDuration(ns: number): number {
  return Math.log10(Math.max(MIN_DURATION, ns));
}

export function binDurations(durations: readonly number[], binCount = 48): HistogramBins {
  if (durations.length === 0) return { edges: [0, 1], all: [0] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of durations) {
    const l = logDuration(d);
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  // Pad a degenerate range (all traces equally long) to one decade so the bars have width.
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / binCount;
  const edges = Array.from({ length: binCount + 1 }, (_, i) => lo + i * step);
  edges[binCount] = hi + step * 1e-6; // the longest trace falls inside the last bin
  return { edges, all: countInto(edges, durations, null) };
}

/** Counts of `durations` (optionally only the rows in `rows`) per bin. */
export function countInto(edges: readonly number[], durations: readonly number[], rows: ArrayLike<number> | null): number[] {
  const n = edges.length - 1;
  const out = new Array<number>(n).fill(0);
  const lo = edges[0]!;
  const step = (edges[n]! - lo) / n;
  const add = (d: number) => {
    const i = Math.min(n - 1, Math.max(0, Math.floor((logDuration(d) - lo) / step)));
    out[i]!++;
  };
  if (rows === null) for (const d of durations) add(d);
  else for (let k = 0; k < rows.length; k++) add(durations[rows[k]!]!);
  return out;
}
