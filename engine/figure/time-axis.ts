import type { RelNs } from '../model/time.js';
import type { AxisTick, TimeAxis, TimeUnit, TimeWindow } from './layout-types.js';

// Axis ticks at 1, 2 or 5 times a power of ten nanoseconds, labelled in one unit for the whole
// axis (the unit goes in the title, as figures in papers do), with just enough decimals to tell
// neighbouring ticks apart. Tick times are integers, so labels are exact, not float noise.

const UNITS: readonly [TimeUnit, number][] = [
  ['s', 1e9],
  ['ms', 1e6],
  ['µs', 1e3],
  ['ns', 1],
];

/** Pixels (units) wanted between two ticks. */
const TICK_SPACING = 70;

export function niceStep(rawNs: number): number {
  if (!(rawNs > 1)) return 1;
  const pow = 10 ** Math.floor(Math.log10(rawNs));
  for (const m of [1, 2, 5, 10]) if (m * pow >= rawNs) return m * pow;
  return 10 * pow;
}

export function timeAxis(window: TimeWindow, origin: RelNs, unitsPerNs: number, plotWidth: number, title: string): TimeAxis {
  const span = window.end - window.start;
  const count = Math.max(2, Math.floor(plotWidth / TICK_SPACING));
  const stepNs = niceStep(span / count);
  const reach = Math.max(Math.abs(window.start - origin), Math.abs(window.end - origin), stepNs);
  const [unit, unitNs] = UNITS.find(([, ns]) => reach >= ns) ?? UNITS[UNITS.length - 1]!;
  const decimals = Math.max(0, Math.ceil(-Math.log10(stepNs / unitNs) - 1e-9));
  const ticks: AxisTick[] = [];
  const first = Math.ceil((window.start - origin) / stepNs);
  for (let k = first; ; k++) {
    const rel = k * stepNs;
    const t = origin + rel;
    if (t > window.end) break;
    const label = (rel / unitNs).toFixed(decimals);
    ticks.push({ t, x: (t - window.start) * unitsPerNs, label: /^-0(\.0*)?$/.test(label) ? label.slice(1) : label });
  }
  return { origin, unit, unitNs, stepNs, ticks, title: `${title} (${unit})` };
}
