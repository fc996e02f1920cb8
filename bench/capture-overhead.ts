import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, probeGroup, type ProbeSetName } from '../capture/probes/probe-catalog.js';
import { CaptureSession, type CaptureResult } from '../capture/session/capture-session.js';
import { DemoApp, DemoImages } from '../e2e/demo-app/demo-app.js';
import { startKernelOnlyTracing } from './kernel-only-tracing.js';
import { printSummary, type Mode, type Row } from './overhead-summary.js';
import { containersCpuSeconds, treeCpuSeconds } from './proc-cpu.js';
import { wrk as wrkRun, type WrkResult } from './wrk-run.js';
import { remoteCapture } from '../capture/remote/remote-capture.js';
import type { RemotePrompts } from '../capture/remote/remote-prompts.js';
import { RemoteHost } from '../capture/remote/ssh-connection.js';
import { startSshd, type SshdServer } from '../e2e/helpers/sshd-server.js';
import { BENCH_ENDPOINTS, benchEndpoint, benchEndpointsArg } from './bench-endpoints.js';

// npm run bench:capture — what a capture costs the application. The demo app under a fixed wrk
// load (127.0.0.1 only, bounded duration), captured with each probe set, and with each set's
// events enabled in the kernel with nobody reading (its floor: kernel-only-tracing.ts), each run
// paired with an untraced run right before or after it (the order alternates), the modes in an
// order that rotates each round, on fresh containers every time. Prints throughput and p50/p99
// latency, the capture child's CPU and lost events; the verdict uses the median over rounds of
// each pair's ratio (a shared machine drifts within seconds; a pair's two runs are adjacent). Targets: causal set >= 0.97 of throughput, p99
// within 1.10x (docs/adr/0050); syscall set >= 0.90, p99 within 1.2x; nothing lost.
// The default run is short (/stock, both sets, ftrace, 3 rounds of 8 s); --sweep is the long one.
//   --duration S (8)  --rounds N (3; 5 with --sweep)  --connections C (8)  --threads T (2)
//   --endpoints stock (stock = Node event loop only; item = fork-per-request CGI path; checkout;
//                cart = nginx + redis, order = PostgreSQL, price = Python: the third-party servers)
//   --sets causal,syscalls (the probe sets to measure, each beside the others)
//   --backends ftrace[,bpftrace] (--backend too; ftrace, the default of a capture)
//   --sweep      every endpoint, both backends, 5 rounds (hours on a 2-CPU machine)
//   --reuse-app  one app per endpoint for all its runs, not fresh containers per run: a pair's two
//                runs are seconds apart instead of half a minute, so many short rounds (--duration
//                3 --rounds 20) cancel more of a busy machine's drift; state builds up in the app
//   --no-floor   leave out the kernel-only rows
//   --kernel-only  only the kernel-only rows (no capture)
//   --host       also capture as a remote host through a loopback OpenSSH server started here
//                (e2e/helpers/sshd-server.ts; docs/adr/0065): rows ssh:SET beside capture:SET
//   --sched      also each capture with the scheduler group added (capture --sched, docs/adr/0090):
//                rows capture:SET:BACKEND+sched beside capture:SET:BACKEND
//   --generate   also sort/generate each capture (slow under this load: the model's span count
//                grows with concurrency; the overhead itself is measured without it)

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const SWEEP = process.argv.includes('--sweep');
const REUSE_APP = process.argv.includes('--reuse-app');
const DURATION = Number(arg('duration', '8'));
const ROUNDS = Number(arg('rounds', SWEEP ? '5' : '3'));
const CONNECTIONS = Number(arg('connections', '8'));
const THREADS = Number(arg('threads', '2'));
const ENDPOINTS = benchEndpointsArg(arg('endpoints', SWEEP ? BENCH_ENDPOINTS.join(',') : 'stock')).map((e) => e.name);
const BACKENDS = arg('backends', arg('backend', SWEEP ? 'ftrace,bpftrace' : 'ftrace')).split(',') as Backend[];
type Backend = 'bpftrace' | 'ftrace';
for (const b of BACKENDS) if (b !== 'ftrace' && b !== 'bpftrace') throw new Error(`unknown backend ${b} (ftrace or bpftrace)`);
const GENERATE = process.argv.includes('--generate');
const KERNEL_ONLY = process.argv.includes('--kernel-only');
const FLOOR = !process.argv.includes('--no-floor');
const HOST = process.argv.includes('--host');
const SCHED = process.argv.includes('--sched');
const SETS = arg('sets', 'causal,syscalls').split(',') as ProbeSetName[];
// What a run measures (overhead-summary.ts): untraced, a capture with a set and a backend, or a
// set's kernel-only floor (its events enabled, nobody reading: backend-independent).
const MODES: Mode[] = [
  'off',
  ...SETS.flatMap((set) => [
    ...(KERNEL_ONLY ? [] : BACKENDS.map((b) => `capture:${set}:${b}` as const)),
    ...(SCHED && !KERNEL_ONLY ? BACKENDS.map((b) => `capture:${set}:${b}+sched` as const) : []),
    ...(HOST && !KERNEL_ONLY ? BACKENDS.map((b) => `ssh:${set}:${b}` as const) : []),
    ...(FLOOR || KERNEL_ONLY ? [`floor:${set}` as const] : []),
  ]),
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
const wrk = (url: string, seconds: number) => wrkRun(url, seconds, THREADS, CONNECTIONS);
const appCpuSeconds = (app: DemoApp) => containersCpuSeconds([...app.containers.values()].map((c) => c.id));

async function measure(images: DemoImages, endpoint: string, mode: Mode, round: number, dir: string, shared: DemoApp | null): Promise<Row> {
  const app = shared ?? new DemoApp({ images, thirdParty: benchEndpoint(endpoint).thirdParty });
  if (!shared) await app.up();
  let session: CaptureSession | null = null;
  try {
    const url = `${app.url}${benchEndpoint(endpoint).path}`;
    await wrk(url, shared ? 1 : 2); // warm-up: JIT, connection pools
    const [, setName, backendName] = mode.split(':');
    const set = mode === 'off' ? null : (setName as ProbeSetName);
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
      const [backend, extra] = backendName!.split('+');
      const probes = extra === 'sched' ? probeGroup(loadCatalog(), 'sched') : [];
      session = new CaptureSession({ network: app.network, output: join(dir, `${endpoint}-${round}-${mode.replaceAll(':', '-')}.mstrace`), backend: backend as Backend, probeSet: set!, probes }, remote ? remoteCapture(remote.host, remote.prompts).collaborators : {});
      await session.start();
    }
    const pid = session ? (session.childPid !== null && session.childPid > 0 ? session.childPid : -1) : null;
    const c0 = pid ? treeCpuSeconds(pid) : 0;
    const u0 = process.cpuUsage();
    const a0 = appCpuSeconds(app);
    const w = await wrk(url, DURATION);
    const row: Row = { endpoint, round, mode, wrk: w, cpuPerRequestUs: ((appCpuSeconds(app) - a0 + w.cpu) / w.requests) * 1e6 };
    if (session && pid) {
      row.childCpu = pid > 0 ? (treeCpuSeconds(pid) - c0) / DURATION : 0;
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
    if (!shared) await app.down();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-bench-'));
  console.error(`capture overhead: ${MODES.join(', ')}, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} rounds, endpoints ${ENDPOINTS.join(', ')}`);
  const images = await DemoImages.build();
  const rows: Row[] = [];
  let shared: DemoApp | null = null;
  try {
    for (const endpoint of ENDPOINTS) {
      await shared?.down();
      shared = null;
      if (REUSE_APP) {
        shared = new DemoApp({ images, thirdParty: benchEndpoint(endpoint).thirdParty });
        await shared.up();
      }
      for (let round = 1; round <= ROUNDS; round++) {
        // Each round starts at another mode, and each mode's untraced partner runs right before
        // it in odd rounds, right after it in even ones.
        const traced = MODES.filter((m) => m !== 'off');
        const order = traced.map((_m, i) => traced[(i + round - 1) % traced.length]!);
        for (const run of order.flatMap((m) => (round % 2 === 1 ? [['off', m], [m, m]] : [[m, m], ['off', m]]) as [Mode, Mode][])) {
          const [mode, pairedWith] = run;
          const r = await measure(images, endpoint, mode, round, dir, shared);
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
    await shared?.down();
    await images.remove();
    rmSync(dir, { recursive: true, force: true });
    loopback?.host.dispose();
    await loopback?.sshd.stop();
  }
  const ok = printSummary(rows, ENDPOINTS, MODES);
  process.exitCode = ok ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(2);
});
