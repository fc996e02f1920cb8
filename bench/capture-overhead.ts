import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProbeSetName } from '../capture/probes/probe-catalog.js';
import { CaptureSession, type CaptureResult } from '../capture/session/capture-session.js';
import { DemoApp, DemoImages } from '../e2e/demo-app/demo-app.js';
import { startKernelOnlyTracing } from './kernel-only-tracing.js';
import { remoteCapture } from '../capture/remote/remote-capture.js';
import type { RemotePrompts } from '../capture/remote/remote-prompts.js';
import { RemoteHost } from '../capture/remote/ssh-connection.js';
import { startSshd, type SshdServer } from '../e2e/helpers/sshd-server.js';

// npm run bench:capture — what a capture costs the application. The demo app under a fixed wrk
// load (127.0.0.1 only, bounded duration), captured with each probe set, and with each set's
// events enabled in the kernel with nobody reading (its floor: kernel-only-tracing.ts), each run
// paired with an untraced run right before or after it (the order alternates), the modes in an
// order that rotates each round, on fresh containers every time. Prints throughput and p50/p99
// latency, the capture child's CPU and lost events; the verdict uses the median over rounds of
// each pair's ratio (a shared machine drifts within seconds; a pair's two runs are adjacent). Targets: causal set >= 0.97 of throughput, p99
// within 1.10x (docs/adr/0050); syscall set >= 0.90, p99 within 1.2x; nothing lost.
//   --duration S (10)  --rounds N (3)  --connections C (8)  --threads T (2)
//   --endpoints stock,item (stock = Node event loop only; item = fork-per-request CGI path; checkout)
//   --sets causal,syscalls (the probe sets to measure, each beside the others)
//   --backend ftrace|bpftrace (ftrace, the default of a capture)
//   --no-floor   leave out the kernel-only rows
//   --kernel-only  only the kernel-only rows (no capture)
//   --host       also capture as a remote host through a loopback OpenSSH server started here
//                (e2e/helpers/sshd-server.ts; docs/adr/0065): rows ssh:SET beside capture:SET
//   --generate   also sort/generate each capture (slow under this load: the model's span count
//                grows with concurrency; the overhead itself is measured without it)

const run = promisify(execFile);

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const DURATION = Number(arg('duration', '10'));
const ROUNDS = Number(arg('rounds', '3'));
const CONNECTIONS = Number(arg('connections', '8'));
const THREADS = Number(arg('threads', '2'));
const ENDPOINTS = arg('endpoints', 'stock,item').split(',');
const BACKEND = arg('backend', 'ftrace') as 'bpftrace' | 'ftrace';
const GENERATE = process.argv.includes('--generate');
const KERNEL_ONLY = process.argv.includes('--kernel-only');
const FLOOR = !process.argv.includes('--no-floor');
const HOST = process.argv.includes('--host');
const SETS = arg('sets', 'causal,syscalls').split(',') as ProbeSetName[];
const TARGET: Record<ProbeSetName, { rps: number; p99: number }> = { causal: { rps: 0.97, p99: 1.1 }, syscalls: { rps: 0.9, p99: 1.2 } };
/** What a run measures: untraced, a capture with a set, or a set's kernel-only floor. */
type Mode = 'off' | `capture:${ProbeSetName}` | `ssh:${ProbeSetName}` | `floor:${ProbeSetName}`;
const MODES: Mode[] = [
  'off',
  ...SETS.flatMap((set) => [...(KERNEL_ONLY ? [] : [`capture:${set}` as const]), ...(HOST && !KERNEL_ONLY ? [`ssh:${set}` as const] : []), ...(FLOOR || KERNEL_ONLY ? [`floor:${set}` as const] : [])]),
];
/** --host: the loopback sshd and the one connection to it, opened at the first ssh: run. */
let loopback: { sshd: SshdServer; host: RemoteHost; prompts: RemotePrompts } | null = null;
async function loopbackHost(): Promise<{ host: RemoteHost; prompts: RemotePrompts }> {
  if (loopback) return loopback;
  const sshd = await startSshd();
  sshd.sudoWithoutPassword(true);
  const prompts: RemotePrompts = { secret: async () => sshd.password, confirmHostKey: async () => true };
  loopback = { sshd, prompts, host: await RemoteHost.connect('mt-key', { prompts, configFile: sshd.sshConfig, agent: false }) };
  return loopback;
}
const PATHS: Record<string, string> = { stock: '/stock?id=1', item: '/item?id=1', checkout: '/checkout?item=1' };

interface WrkResult {
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

async function wrk(url: string, seconds: number): Promise<WrkResult> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error('the benchmark only loads 127.0.0.1');
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url];
  // wrk's own CPU too: an enabled syscall tracepoint slows every process's syscalls, the load
  // generator's included.
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

/**
 * CPU seconds the app's containers have used (cgroup v1 cpuacct or v2 cpu.stat): a figure the
 * other work on a shared machine disturbs far less than throughput does.
 */
function appCpuSeconds(app: DemoApp): number {
  let sum = 0;
  for (const c of app.containers.values()) {
    const v1 = `/sys/fs/cgroup/cpuacct/docker/${c.id}/cpuacct.usage`;
    const v2 = `/sys/fs/cgroup/system.slice/docker-${c.id}.scope/cpu.stat`;
    try {
      if (existsSync(v1)) sum += Number(readFileSync(v1, 'utf8')) / 1e9;
      else sum += Number(/^usage_usec (\d+)/m.exec(readFileSync(v2, 'utf8'))?.[1]) / 1e6;
    } catch {
      return Number.NaN;
    }
  }
  return sum;
}

/** CPU seconds a process has used (utime + stime), or 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

interface Row {
  endpoint: string;
  round: number;
  /** The traced mode an untraced run is paired with. */
  pairedWith?: Mode;
  mode: Mode;
  wrk: WrkResult;
  childCpu?: number;
  ourCpu?: number;
  /** CPU of the app's containers and of wrk per request, us. */
  cpuPerRequestUs?: number;
  records?: number;
  lost?: number;
  capture?: CaptureResult;
}

async function measure(images: DemoImages, endpoint: string, mode: Mode, round: number, dir: string): Promise<Row> {
  const app = new DemoApp({ images });
  await app.up();
  let session: CaptureSession | null = null;
  try {
    const url = `${app.url}${PATHS[endpoint]}`;
    await wrk(url, 2); // warm-up: JIT, connection pools
    const set = mode === 'off' ? null : (mode.slice(mode.indexOf(':') + 1) as ProbeSetName);
    if (mode.startsWith('floor:')) {
      const tracing = await startKernelOnlyTracing(app.network, set!);
      let events = 0;
      let w: WrkResult;
      const a0 = appCpuSeconds(app);
      try {
        w = await wrk(url, DURATION);
      } finally {
        events = (await tracing.stop()).events;
      }
      return { endpoint, round, mode, wrk: w, records: events, childCpu: 0, ourCpu: 0, lost: 0, cpuPerRequestUs: ((appCpuSeconds(app) - a0 + w.cpu) / w.requests) * 1e6 };
    }
    if (mode.startsWith('capture:') || mode.startsWith('ssh:')) {
      const remote = mode.startsWith('ssh:') ? await loopbackHost() : null;
      // ssh: the same capture with the tracer run through the loopback sshd (its CPU, and the
      // transfer's, is on the machine, as the server's would be; the child CPU column is 0).
      session = new CaptureSession({ network: app.network, output: join(dir, `${endpoint}-${round}-${mode.replace(':', '-')}.mstrace`), backend: BACKEND, probeSet: set! }, remote ? remoteCapture(remote.host, remote.prompts).collaborators : {});
      await session.start();
    }
    const pid = session ? (session.childPid !== null && session.childPid > 0 ? session.childPid : -1) : null;
    const c0 = pid ? cpuSeconds(pid) : 0;
    const u0 = process.cpuUsage();
    const a0 = appCpuSeconds(app);
    const w = await wrk(url, DURATION);
    const row: Row = { endpoint, round, mode, wrk: w, cpuPerRequestUs: ((appCpuSeconds(app) - a0 + w.cpu) / w.requests) * 1e6 };
    if (session && pid) {
      row.childCpu = pid > 0 ? (cpuSeconds(pid) - c0) / DURATION : 0;
      const u = process.cpuUsage(u0);
      row.ourCpu = (u.user + u.system) / 1e6 / DURATION;
      if (GENERATE) {
        row.capture = await session.stop();
        row.records = row.capture.records;
        row.lost = row.capture.lostEvents;
      } else {
        // Let the output drain, then read the figures and discard the capture.
        await new Promise((r) => setTimeout(r, 1500));
        const f = session.figures();
        row.records = f.records;
        row.lost = f.lostEvents;
        await session.cancel({ keep: false });
      }
    }
    return row;
  } finally {
    session?.dispose();
    await app.down();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-bench-'));
  console.error(`capture overhead: ${MODES.join(', ')} (${BACKEND}), wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} rounds, endpoints ${ENDPOINTS.join(', ')}`);
  const images = await DemoImages.build();
  const rows: Row[] = [];
  try {
    for (const endpoint of ENDPOINTS) {
      for (let round = 1; round <= ROUNDS; round++) {
        // Each round starts at another mode, and each mode's untraced partner runs right before
        // it in odd rounds, right after it in even ones.
        const traced = MODES.filter((m) => m !== 'off');
        const order = traced.map((_m, i) => traced[(i + round - 1) % traced.length]!);
        for (const run of order.flatMap((m) => (round % 2 === 1 ? [['off', m], [m, m]] : [[m, m], ['off', m]]) as [Mode, Mode][])) {
          const [mode, pairedWith] = run;
          const r = await measure(images, endpoint, mode, round, dir);
          if (mode === 'off') r.pairedWith = pairedWith;
          rows.push(r);
          const cap =
            r.records !== undefined
              ? `  child ${(r.childCpu! * 100).toFixed(0)}% CPU, us ${(r.ourCpu! * 100).toFixed(0)}%, ${r.records} ${mode.startsWith('floor:') ? 'kernel events' : 'records'} (${(r.records / r.wrk.requests).toFixed(1)}/request)${r.capture ? `, ${r.capture.traceCount} traces` : ''}, lost ${r.lost}`
              : '';
          console.log(
            `${endpoint.padEnd(8)} round ${round} ${(mode === 'off' ? `off (${pairedWith})` : mode).padEnd(24)} ${r.wrk.rps.toFixed(0).padStart(6)} req/s  p50 ${r.wrk.p50ms.toFixed(2).padStart(7)} ms  p99 ${r.wrk.p99ms.toFixed(2).padStart(7)} ms  CPU ${(r.cpuPerRequestUs ?? Number.NaN).toFixed(0)} us/request  errors ${r.wrk.errors}${cap}`,
          );
        }
      }
    }
  } finally {
    await images.remove();
    rmSync(dir, { recursive: true, force: true });
    loopback?.host.dispose();
    await loopback?.sshd.stop();
  }
  console.log('\nsummary (medians over rounds; x = the median ratio to the untraced run paired with each):');
  let ok = true;
  for (const endpoint of ENDPOINTS) {
    const off = rows.filter((r) => r.endpoint === endpoint && r.mode === 'off');
    console.log(`${endpoint.padEnd(8)} untraced ${median(off.map((r) => r.wrk.rps)).toFixed(0)} req/s, p50 ${median(off.map((r) => r.wrk.p50ms)).toFixed(2)} ms, p99 ${median(off.map((r) => r.wrk.p99ms)).toFixed(2)} ms, CPU ${median(off.map((r) => r.cpuPerRequestUs ?? Number.NaN)).toFixed(0)} us/request (app + wrk)`);
    for (const mode of MODES.filter((m) => m !== 'off')) {
      const mine = rows.filter((r) => r.endpoint === endpoint && r.mode === mode);
      // Paired: each run and its untraced partner are next to each other in time, so their ratio
      // cancels the drift of a shared machine that the ratio of medians keeps.
      const pair = (f: (r: Row) => number) => median(mine.map((r) => f(r) / f(off.find((o) => o.round === r.round && o.pairedWith === mode)!)));
      const rps = pair((r) => r.wrk.rps);
      const cpu = pair((r) => r.cpuPerRequestUs ?? Number.NaN);
      const p50 = pair((r) => r.wrk.p50ms);
      const p99 = pair((r) => r.wrk.p99ms);
      const lost = mine.reduce((n, r) => n + (r.lost ?? 0), 0);
      const set = mode.slice(mode.indexOf(':') + 1) as ProbeSetName;
      const verdict = mode.startsWith('capture:') || mode.startsWith('ssh:') ? (rps >= TARGET[set].rps && p99 <= TARGET[set].p99 && lost === 0 ? 'meets' : 'MISSES') : '';
      if (verdict === 'MISSES' && (set !== 'causal' || endpoint === 'stock')) ok = false;
      console.log(
        `${endpoint.padEnd(8)} ${mode.padEnd(16)} throughput ${median(mine.map((r) => r.wrk.rps)).toFixed(0)} req/s x${rps.toFixed(3)}, p50 x${p50.toFixed(2)}, p99 x${p99.toFixed(2)}, CPU per request (app + wrk) x${cpu.toFixed(3)}` +
          (mode.startsWith('capture:') || mode.startsWith('ssh:') ? `, child CPU ${(median(mine.map((r) => r.childCpu ?? 0)) * 100).toFixed(0)}%, lost ${lost}: ${verdict} the target (>= ${TARGET[set].rps} throughput, p99 <= ${TARGET[set].p99}x, 0 lost)` : ` (kernel only, ${median(mine.map((r) => (r.records ?? 0) / r.wrk.requests)).toFixed(1)} events/request)`),
      );
    }
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(2);
});
