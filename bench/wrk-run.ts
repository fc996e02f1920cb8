import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

// One wrk run of bench:capture (127.0.0.1 only, bounded duration): throughput, p50/p99 latency,
// errors, and wrk's own CPU (an enabled syscall tracepoint slows every process's syscalls, the
// load generator's included).

const run = promisify(execFile);

export interface WrkResult {
  /** CPU seconds wrk itself used (user + system; /usr/bin/time), NaN when unknown. */
  cpu: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  errors: number;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v.trim());
  if (!m) throw new Error(`wrk latency "${v}"`);
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export async function wrk(url: string, seconds: number, threads: number, connections: number): Promise<WrkResult> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error('the benchmark only loads 127.0.0.1');
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url];
  const timed = existsSync('/usr/bin/time');
  const { stdout, stderr } = await run(timed ? '/usr/bin/time' : 'wrk', timed ? ['-f', 'MTCPU %U %S', 'wrk', ...args] : args, { timeout: (seconds + 30) * 1000 });
  const cpuM = /MTCPU ([\d.]+) ([\d.]+)/.exec(stderr);
  const num = (re: RegExp) => {
    const m = re.exec(stdout);
    if (!m) throw new Error(`unexpected wrk output:\n${stdout}`);
    return m[1]!;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    cpu: cpuM ? Number(cpuM[1]) + Number(cpuM[2]) : Number.NaN,
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)),
    p50ms: toMs(num(/^\s+50%\s+(\S+)/m)),
    p99ms: toMs(num(/^\s+99%\s+(\S+)/m)),
    requests: Number(num(/(\d+) requests in/)),
    errors: Number(errors?.[1] ?? 0) + (sockErr ? sockErr.slice(1).reduce((s, x) => s + Number(x), 0) : 0),
  };
}
