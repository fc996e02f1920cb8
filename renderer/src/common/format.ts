import { formatDuration } from '../../../engine/model/time.js';

// Display formats. Absolute timestamps stay exact: the bundle's base (a decimal string) plus an
// integer offset, added as BigInt.

export { formatDuration };

export function absoluteNs(timeBaseNs: string, rel: number): string {
  return (BigInt(timeBaseNs) + BigInt(rel)).toString();
}

const counts = new Intl.NumberFormat('en-US');
export function formatCount(n: number): string {
  return counts.format(n);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * A duration for a table column: the unit by magnitude and always two decimals (ns whole), so
 * the numbers of a column line up and compare at a glance ("1.50 ms" above "12.37 ms").
 */
export function formatDurationFixed(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** A time inside the capture as an offset from its first record, always in seconds to the ms: "+1.886 s", "+0.042 s". */
export function formatOffset(rel: number, firstTs: number): string {
  return `+${((rel - firstTs) / 1e9).toFixed(3)} s`;
}

