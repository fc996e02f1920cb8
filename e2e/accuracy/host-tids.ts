import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// The services log gettid() as their container sees it (its own pid namespace); the capture's
// records carry the host's tids. /proc/<pid>/task/<tid>/status has NSpid: the id in every pid
// namespace from the host's down, so the host's first field and the last (innermost) field pair
// them up. Read after the run from the host, while the services' threads still exist.

/** Namespaced tid -> host tid for every thread in the pid namespace of `hostPid`. */
export function hostTidsOf(hostPid: number): Map<number, number> {
  const ns = readlinkSync(`/proc/${hostPid}/ns/pid`);
  const out = new Map<number, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/ns/pid`) !== ns) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const m = /^NSpid:\s+([\d\s]+)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
        const ids = m ? m[1]!.trim().split(/\s+/).map(Number) : [];
        if (ids.length >= 2) out.set(ids[ids.length - 1]!, ids[0]!);
      }
    } catch {
      // The process ended while we read /proc: it has no thread to map any more.
    }
  }
  return out;
}
