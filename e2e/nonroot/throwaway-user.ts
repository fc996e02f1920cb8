import { readdirSync, readFileSync } from 'node:fs';
import { ftraceHelperPath } from '../../capture/ftrace/helper-command.js';

// The throwaway user of the non-root capture test: its sudoers rule and its processes.

/** What the user may run as root for a backend: exactly the elevated part (docs/adr/0020). */
export function sudoersFor(user: string, backend: 'ftrace' | 'bpftrace'): string {
  // ftrace: the root helper, named exactly (no env, no Node). bpftrace takes its buffer sizes as
  // environment variables, which sudo resets: env carries them.
  return backend === 'ftrace' ? `${user} ALL=(root) ${ftraceHelperPath()}\n` : `${user} ALL=(root) /usr/bin/env\n`;
}

/** Pids of the processes running as `uid` (to end them after a failed run). */
export function userProcesses(uid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(real) === uid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
