import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ftraceHelperArgs, ftraceHelperPath } from '../capture/ftrace/helper-command.js';

// CPU of the ftrace backend's root helper (misertrace-ftrace-helper.sh, docs/adr/0020) with the
// helper's own processes (dd, sleep, writers) included: idle, and with one traced thread making
// N write() calls a second. Root and tracefs needed. Run: node --import tsx bench/ftrace-helper-cpu.ts [SECONDS]

const SECONDS = Number(process.argv[2] ?? 10);
const RATES = [0, 2000, 20000];

/** utime+stime of a process and of its reaped children, in clock ticks (100 a second). */
function ticks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return 0;
  }
}

/** The helper and its children still running (those reaped are in its cutime/cstime). */
function treeTicks(pid: number): number {
  const kids = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).stdout.trim().split(/\s+/).filter(Boolean).map(Number);
  return ticks(pid) + kids.reduce((n, k) => n + ticks(k), 0);
}

async function measure(rate: number, base: string): Promise<string> {
  const dir = mkdtempSync(join(base, 'run-'));
  const load = spawn('/bin/sh', ['-c', rate === 0 ? 'exec sleep 1000' : `while :; do i=0; while [ $i -lt ${rate / 10} ]; do echo x > /dev/null; i=$((i+1)); done; sleep 0.1; done`], { stdio: 'ignore' });
  const cfg = { tids: [load.pid!], syscalls: { send: ['write'], recv: ['read'] }, traced: ['syscalls:sys_enter_write', 'syscalls:sys_exit_write'], sockets: [{ event: 'sock:inet_sock_set_state', filter: 'newstate == 1' }], userEvents: [], bufferKb: 8192 };
  const helper: ChildProcess = spawn(ftraceHelperPath(), ftraceHelperArgs(dir, cfg), { stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const t0 = treeTicks(helper.pid!);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const used = treeTicks(helper.pid!) - t0;
    return `helper, ${String(rate).padStart(5)} writes/s traced: ${((used * 10) / SECONDS).toFixed(1)} ms CPU per s`;
  } finally {
    helper.kill('SIGINT');
    await new Promise((r) => helper.once('exit', r));
    load.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = join(tmpdir(), 'misertrace-helper-bench');
mkdirSync(base, { recursive: true });
for (const rate of RATES) console.log(await measure(rate, base));
rmSync(base, { recursive: true, force: true });
