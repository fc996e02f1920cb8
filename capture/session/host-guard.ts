import { readFile, statfs } from 'node:fs/promises';

// The host must not run out of memory or disk because of a capture: when either gets short, the
// capture stops early and keeps what it has (the bundle says why).

export interface HostLimits {
  /** Stop when MemAvailable falls below this (bytes). */
  minAvailableMemory: number;
  /** Stop when the work directory's file system has less free space than this (bytes). */
  minFreeDisk: number;
}

export const DEFAULT_LIMITS: HostLimits = { minAvailableMemory: 200 * 1024 * 1024, minFreeDisk: 256 * 1024 * 1024 };

export async function memAvailable(): Promise<number | null> {
  const text = await readFile('/proc/meminfo', 'utf8');
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

export async function freeDisk(path: string): Promise<number> {
  const s = await statfs(path);
  return s.bavail * s.bsize;
}

/** Why the capture must stop now, or null when the host is fine. */
export async function hostShortage(workDir: string, limits: HostLimits): Promise<string | null> {
  const mem = await memAvailable();
  if (mem !== null && mem < limits.minAvailableMemory) {
    return `the host is short of memory (${Math.round(mem / 1048576)} MiB available)`;
  }
  const disk = await freeDisk(workDir);
  if (disk < limits.minFreeDisk) return `the disk is almost full (${Math.round(disk / 1048576)} MiB free where the capture is written)`;
  return null;
}
