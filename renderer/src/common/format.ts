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

/** A time inside the capture as an offset from its first record, e.g. "+1.886 s". */
export function formatOffset(rel: number, firstTs: number): string {
  return `+${formatDuration(rel - firstTs)}`;
}

/** Short probe label: `MT:tracepoint:syscalls:sys_enter_read` -> `sys_enter_read`. */
export function probeLabel(name: string): string {
  return name.split(':').pop() ?? name;
}
