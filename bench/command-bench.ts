import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// What users run: a `misertrace` command as a whole process (start-up, parsing, writing the
// bundle, exit), timed from outside. Wall time from here; CPU time and peak RSS from
// /usr/bin/time (GNU time) when the machine has it.

export interface CommandRun {
  seconds: number;
  /** user + sys, null without GNU time. */
  cpuSeconds: number | null;
  maxRssMB: number | null;
}

const GNU_TIME = '/usr/bin/time';
const hasTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%e', 'true']).status === 0;

/** Runs `node BIN ...argv` once (`env`: added to this process's); throws with its stderr if it fails. */
export function runCommand(bin: string, argv: string[], env?: Record<string, string>): CommandRun {
  const cmd = hasTime ? GNU_TIME : process.execPath;
  const args = hasTime ? ['-f', '@@time %U %S %M', process.execPath, bin, ...argv] : [bin, ...argv];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`misertrace ${argv.join(' ')} exited ${r.status}:\n${r.stderr}`);
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (m === null) return { seconds, cpuSeconds: null, maxRssMB: null };
  return { seconds, cpuSeconds: Number(m[1]) + Number(m[2]), maxRssMB: Number(m[3]) / 1024 };
}

/** The same for bare `node -e 0`: what any Node command pays before it does anything. */
export function nodeStartSeconds(runs: number): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ['-e', '0']);
    xs.push((performance.now() - t0) / 1000);
  }
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
