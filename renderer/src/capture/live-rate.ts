// The rate shown beside a live count, from the recent figures: the count's growth over the last
// few seconds (since the first sample when there are fewer). The session's own per-tick rate
// reads 0 between two reads of the ftrace child's counters while the count already shows
// hundreds of events; this one is 0 only when the count did not move.

export interface RateSample {
  /** Elapsed ms since the capture started. */
  t: number;
  n: number;
}

/** Over at least this long, when the samples reach back that far. */
const WINDOW_MS = 3000;

export function liveRate(samples: readonly RateSample[]): number {
  const last = samples[samples.length - 1];
  if (last === undefined) return 0;
  let from: RateSample = { t: 0, n: 0 };
  for (let i = samples.length - 2; i >= 0; i--) {
    from = samples[i]!;
    if (last.t - from.t >= WINDOW_MS) break;
  }
  if (samples.length === 1) from = { t: 0, n: 0 };
  const dt = (last.t - from.t) / 1000;
  return dt > 0 ? Math.max(0, (last.n - from.n) / dt) : 0;
}
