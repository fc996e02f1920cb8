import { probeEventName } from '../../../engine/model/record.js';
import { formatCount, formatDurationFixed } from '../common/format.js';

// Signed differences as the compare screen prints them: "+1.20 ms", "−300 ns", "+896 page_fault_user".

export function signedDuration(ns: number): string {
  if (ns === 0) return '0';
  return `${ns > 0 ? '+' : '−'}${formatDurationFixed(Math.abs(ns))}`;
}

export function signedCount(n: number): string {
  if (n === 0) return '0';
  return `${n > 0 ? '+' : '−'}${formatCount(Math.abs(n))}`;
}

/** The largest per-probe changes, by size: "+896 page_fault_user, −3 sys_enter_read". */
export function probeDeltas(byProbe: Record<string, number>, max = 3): string {
  return Object.entries(byProbe)
    .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]) || x[0].localeCompare(y[0]))
    .slice(0, max)
    .map(([p, d]) => `${signedCount(d)} ${probeEventName(p)}`)
    .join(', ');
}

export function deltaClass(d: number): string {
  return d > 0 ? 'delta-up' : d < 0 ? 'delta-down' : 'delta-none';
}
