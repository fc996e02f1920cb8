import { logDuration } from './histogram-model.js';

// The duration-over-time scatter's geometry, pure: each trace a point at (its start, log10 of its
// duration), the domains padded so no point sits on the frame, and the nearest point to a pixel
// (the one a click opens). A linear scan per click: 100k traces take well under a frame.

export interface ScatterDomain {
  t0: number;
  t1: number;
  /** log10(ns). */
  d0: number;
  d1: number;
}

export function scatterDomain(start: readonly number[], duration: readonly number[]): ScatterDomain {
  let t0 = Infinity;
  let t1 = -Infinity;
  let d0 = Infinity;
  let d1 = -Infinity;
  for (let i = 0; i < start.length; i++) {
    t0 = Math.min(t0, start[i]!);
    t1 = Math.max(t1, start[i]!);
    const l = logDuration(duration[i]!);
    d0 = Math.min(d0, l);
    d1 = Math.max(d1, l);
  }
  if (!Number.isFinite(t0)) return { t0: 0, t1: 1, d0: 0, d1: 1 };
  const tp = Math.max(1, (t1 - t0) * 0.02);
  const dp = Math.max(0.05, (d1 - d0) * 0.06);
  return { t0: t0 - tp, t1: t1 + tp, d0: d0 - dp, d1: d1 + dp };
}

export interface ScatterFrame {
  domain: ScatterDomain;
  width: number;
  height: number;
}

export function pointX(f: ScatterFrame, t: number): number {
  return ((t - f.domain.t0) / (f.domain.t1 - f.domain.t0)) * f.width;
}

export function pointY(f: ScatterFrame, ns: number): number {
  return f.height - ((logDuration(ns) - f.domain.d0) / (f.domain.d1 - f.domain.d0)) * f.height;
}

/** The row nearest to (x, y) within `radius` px, or -1; `rows` limits the search (the listed traces). */
export function nearestPoint(f: ScatterFrame, start: readonly number[], duration: readonly number[], rows: ArrayLike<number>, x: number, y: number, radius: number): number {
  let best = -1;
  let bestD = radius * radius;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    const dx = pointX(f, start[r]!) - x;
    const dy = pointY(f, duration[r]!) - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = r;
    }
  }
  return best;
}
