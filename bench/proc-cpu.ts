import { existsSync, readdirSync, readFileSync } from 'node:fs';

// CPU time of a process with everything it started (bench:capture's "child CPU"). The ftrace
// backend's child is a shell (misertrace-ftrace-helper.sh) whose work is done by the programs it
// starts (dd each read round, sleep, the writers): its own utime+stime is about nothing. A child
// that ended and was reaped is in its parent's cutime+cstime; one still running is counted from
// its own stat, so a sample is the same whether or not a dd was reaped in between.

const TICK = 100;

function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Seconds of CPU of `pid` and of all its descendants, running or reaped; 0 when it is gone. */
export function treeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  let ticks = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    const f = statFields(p);
    if (!f) continue;
    // utime, stime, cutime, cstime (fields 14-17 of proc(5); the slice starts at field 3).
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    todo.push(...(children.get(p) ?? []));
  }
  return ticks / TICK;
}

/**
 * CPU seconds the given containers have used (cgroup v1 cpuacct or v2 cpu.stat): a figure the
 * other work on a shared machine disturbs far less than throughput does. NaN when unknown.
 */
export function containersCpuSeconds(ids: Iterable<string>): number {
  let sum = 0;
  for (const id of ids) {
    const v1 = `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`;
    const v2 = `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`;
    try {
      if (existsSync(v1)) sum += Number(readFileSync(v1, 'utf8')) / 1e9;
      else sum += Number(/^usage_usec (\d+)/m.exec(readFileSync(v2, 'utf8'))?.[1]) / 1e6;
    } catch {
      return Number.NaN;
    }
  }
  return sum;
}
