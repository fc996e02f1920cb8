import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeSetName } from '../capture/probes/probe-catalog.js';
import { INSTANCE_PREFIX } from '../capture/ftrace/tracefs-instance.js';
import { DemoApp, DemoImages } from '../e2e/demo-app/demo-app.js';
import { median } from './overhead-summary.js';
import { containersCpuSeconds, treeCpuSeconds } from './proc-cpu.js';
import { wrk as wrkRun, type WrkResult } from './wrk-run.js';
import { startKernelOnlyTracing } from './kernel-only-tracing.js';
import { startHelperOnly } from './helper-only-capture.js';
import { benchEndpointsArg, type BenchEndpoint } from './bench-endpoints.js';

// npm run bench:toggle — what a capture costs the application, with the machine's drift taken
// out (docs/adr/0071). bench:capture pairs each traced run with an untraced one, but a capture
// takes seconds to start and stop, so a pair's two runs are 5-10 s apart, and on a shared VM
// untraced /stock alone ranges x0.8-1.2 between such runs: 20 rounds cannot show 3%.
// Here ONE ftrace capture (`misertrace capture`, the command users run, as its own process) runs for the whole measurement and the rounds switch it between
// "traced" (its events enabled and its thread filter set, exactly as the capture set them up)
// and "untraced" (every event disabled and the thread filter emptied: the kernel runs as if
// nothing were traced; the command and its helper stay, idle). Each round is a pair of adjacent
// wrk runs of --duration seconds, in alternating order; the verdict is the median of the
// pairs' ratios. What "untraced" still pays (the idle command and helper) is printed beside.
//   --endpoints stock (any of the demo app's: stock, item, checkout, cart, order, price)  --duration 2  --rounds 40  --set causal  --connections 8  --threads 2  --cli PATH
//   --keep-filter: "untraced" keeps the thread filter (only the events are off), so the ratio
//                  leaves out what the filter costs every context switch of the machine
//   --helper-only: the capture's root helper alone, reading and writing the pages, nobody walking
//                  them (no Node relay): helper-only-capture.ts; --without-learning as below
//   --kernel-only: no command, no reader: the set's events as a capture sets them up
//                  (kernel-only-tracing.ts), recording with nobody reading, switched on and off:
//                  the kernel's share of the cost; --without-learning leaves tcp_rcv_space_adjust
//                  out (a steady capture, where it is mostly off: ADR 0106)
// Root, tracefs and Docker needed; loads only 127.0.0.1.

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const DURATION = Number(arg('duration', '2'));
const ROUNDS = Number(arg('rounds', '40'));
const SET = arg('set', 'causal') as ProbeSetName;
const CONNECTIONS = Number(arg('connections', '8'));
const THREADS = Number(arg('threads', '2'));
const ENDPOINTS = benchEndpointsArg(arg('endpoints', 'stock'));
const TRACEFS = '/sys/kernel/tracing';
const KEEP_FILTER = process.argv.includes('--keep-filter');
const KERNEL_ONLY = process.argv.includes('--kernel-only');
const HELPER_ONLY = process.argv.includes('--helper-only');
const WITHOUT_LEARNING = process.argv.includes('--without-learning');
// --cli: another build's bin/misertrace.js (an older commit), to compare builds in one session.
const CLI = resolve(arg('cli', resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'misertrace.js')));

/** `misertrace capture` running; resolves once it printed its "capturing:" line. */
async function startCli(network: string, output: string): Promise<{ pid: number; stderr: () => string; stop: () => Promise<string> }> {
  const child = spawn(process.execPath, [CLI, 'capture', '-n', network, '-o', output, '--backend', 'ftrace', '--probe-set', SET], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 1)));
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('capturing:')) res();
    });
    void exited.then((c) => rej(new Error(`misertrace capture exited (${c}) before attaching:\n${err.slice(-2000)}`)));
  });
  return {
    pid: child.pid!,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      const code = await exited;
      clearTimeout(timer);
      if (code !== 0 && code !== 1) throw new Error(`misertrace capture exited ${code}:\n${err.slice(-2000)}`);
      return err;
    },
  };
}

/** --helper-only: the root helper alone (helper-only-capture.ts), in startCli's shape. */
async function helperOnly(network: string, dir: string): Promise<Awaited<ReturnType<typeof startCli>>> {
  const work = mkdtempSync(join(dir, 'helper-'));
  const h = await startHelperOnly(network, SET, work, WITHOUT_LEARNING ? ['tcp:tcp_rcv_space_adjust'] : []);
  let said = '';
  return {
    pid: h.pid,
    stderr: () => said,
    stop: async () => {
      said = await h.stop();
      console.log(`helper only: ${said.trim().split('\n').pop()}; ${(statSync(join(work, 'pages')).size / 1e6).toFixed(1)} MB of pages nobody walked`);
      return said;
    },
  };
}

/** The capture's tracefs instances, and which of their events it enabled. */
class CaptureSwitch {
  private pids = '';
  private saved: [string, string][] = [];
  private on = true;
  constructor(
    private readonly enables: string[],
    private readonly pidFile: string,
  ) {}

  static find(before: ReadonlySet<string>): CaptureSwitch {
    const dirs = readdirSync(join(TRACEFS, 'instances')).filter((d) => d.startsWith(INSTANCE_PREFIX) && !before.has(d));
    const traced = dirs.find((d) => d.endsWith('-traced'));
    if (!traced) throw new Error(`the capture's tracefs instances were not found (new: ${dirs.join(', ') || 'none'})`);
    const enables: string[] = [];
    for (const d of dirs) {
      const ev = join(TRACEFS, 'instances', d, 'events');
      for (const g of readdirSync(ev, { withFileTypes: true }).filter((x) => x.isDirectory())) {
        for (const e of readdirSync(join(ev, g.name), { withFileTypes: true }).filter((x) => x.isDirectory())) {
          const f = join(ev, g.name, e.name, 'enable');
          if (existsSync(f) && readFileSync(f, 'utf8').trim() === '1') enables.push(f);
        }
      }
    }
    return new CaptureSwitch(enables, join(TRACEFS, 'instances', traced, 'set_event_pid'));
  }

  get events(): number {
    return this.enables.length;
  }

  /** Off: events first, then the thread filter (kept, with the threads event-fork added). */
  set(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    if (on) {
      if (!KEEP_FILTER) for (const p of this.pids.split(/\s+/).filter(Boolean)) writeFileSync(this.pidFile, `${p}\n`, { flag: 'a' });
      for (const [f, v] of this.saved) writeFileSync(f, v);
    } else {
      // Each event back as it was: the relay switches tcp_rcv_space_adjust itself (docs/adr/0106).
      this.saved = this.enables.map((f) => [f, readFileSync(f, 'utf8').trim()] as [string, string]);
      for (const f of this.enables) writeFileSync(f, '0');
      if (!KEEP_FILTER) {
        this.pids = readFileSync(this.pidFile, 'utf8');
        writeFileSync(this.pidFile, '');
      }
    }
  }
}

interface Run {
  on: boolean;
  w: WrkResult;
  cpuPerRequestUs: number;
  /** CPU of `misertrace capture` and everything it started (the helper, its reads), per second of the run. */
  tracerCpu: number;
}

async function measureEndpoint(images: DemoImages, ep: BenchEndpoint, dir: string): Promise<{ runs: Run[]; records: number; lost: number }> {
  const endpoint = ep.name;
  const app = new DemoApp({ images, thirdParty: ep.thirdParty });
  await app.up();
  let cli: Awaited<ReturnType<typeof startCli>> | null = null;
  try {
    const url = `${app.url}${ep.path}`;
    const wrk = () => wrkRun(url, DURATION, THREADS, CONNECTIONS);
    await wrk(); // warm-up: JIT, connection pools
    if (KERNEL_ONLY) return await kernelOnly(app, wrk, endpoint);
    const before = new Set(readdirSync(join(TRACEFS, 'instances')));
    cli = HELPER_ONLY ? await helperOnly(app.network, dir) : await startCli(app.network, join(dir, `${endpoint}.mstrace`));
    const sw = CaptureSwitch.find(before);
    const pid = cli.pid;
    const runs: Run[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const on of round % 2 === 1 ? [false, true] : [true, false]) {
        try {
          sw.set(on);
        } catch (e) {
          // The capture's instances are gone: it stopped by itself; what it said is the why.
          throw new Error(`${String(e)}\n--- misertrace capture said:\n${cli.stderr().slice(-3000)}`);
        }
        runs.push(await measured(app, wrk, endpoint, round, on, pid));
      }
    }
    sw.set(true);
    const err = await cli.stop();
    cli = null;
    const records = Number(/wrote .*?, (\d+) records/.exec(err)?.[1] ?? Number.NaN);
    const lost = Number(/stopped after \d+ rounds, (\d+) events lost/.exec(err)?.[1] ?? Number.NaN);
    // What the capture steered while it ran (ADRs 0106, 0125).
    for (const m of [/tcp_rcv_space_adjust switched[^;]*\)/, /busy processes[^;\n]*/, /\d+ names? taken back[^;\n]*/]) {
      const said = m.exec(err)?.[0];
      if (said) console.log(`${endpoint}: ${said}`);
    }
    return { runs, records, lost };
  } finally {
    await cli?.stop().catch(() => undefined);
    await app.down();
  }
}

/** One wrk run with the app's and wrk's CPU per request, and the tracer's CPU (pid null: none). */
async function measured(app: DemoApp, wrk: () => Promise<WrkResult>, endpoint: string, round: number, on: boolean, pid: number | null): Promise<Run> {
  const ids = [...app.containers.values()].map((c) => c.id);
  const c0 = pid === null ? 0 : treeCpuSeconds(pid);
  const a0 = containersCpuSeconds(ids);
  const w = await wrk();
  const a1 = containersCpuSeconds(ids);
  const tracerCpu = pid === null ? 0 : (treeCpuSeconds(pid) - c0) / DURATION;
  const run = { on, w, tracerCpu, cpuPerRequestUs: ((a1 - a0 + w.cpu) / w.requests) * 1e6 };
  console.log(`${endpoint.padEnd(8)} round ${String(round).padStart(3)} ${on ? 'traced  ' : 'untraced'} ${w.rps.toFixed(0).padStart(6)} req/s  p50 ${w.p50ms.toFixed(2).padStart(6)} ms  p99 ${w.p99ms.toFixed(2).padStart(6)} ms  CPU ${run.cpuPerRequestUs.toFixed(0)} us/request  tracer ${(tracerCpu * 100).toFixed(1)}% CPU  errors ${w.errors}`);
  return run;
}

/** --kernel-only: the set's events recording with nobody reading, switched per run. */
async function kernelOnly(app: DemoApp, wrk: () => Promise<WrkResult>, endpoint: string): Promise<{ runs: Run[]; records: number; lost: number }> {
  const tracing = await startKernelOnlyTracing(app.network, SET, WITHOUT_LEARNING ? ['tcp:tcp_rcv_space_adjust'] : []);
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const on of round % 2 === 1 ? [false, true] : [true, false]) {
        await tracing.enabled(on);
        runs.push(await measured(app, wrk, endpoint, round, on, null));
      }
    }
  } finally {
    const { events } = await tracing.stop();
    console.log(`${endpoint}: kernel only, ${events} events recorded (kept or overwritten)`);
  }
  return { runs, records: Number.NaN, lost: 0 };
}

function summary(endpoint: string, r: { runs: Run[]; records: number; lost: number }): boolean {
  const pairs: { rps: number; p50: number; p99: number; cpu: number }[] = [];
  for (let i = 0; i + 1 < r.runs.length; i += 2) {
    const a = r.runs[i]!;
    const b = r.runs[i + 1]!;
    const [on, off] = a.on ? [a, b] : [b, a];
    pairs.push({ rps: on.w.rps / off.w.rps, p50: on.w.p50ms / off.w.p50ms, p99: on.w.p99ms / off.w.p99ms, cpu: on.cpuPerRequestUs / off.cpuPerRequestUs });
  }
  const of = (on: boolean) => r.runs.filter((x) => x.on === on);
  const med = (xs: number[]) => median(xs);
  const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))]!;
  const rps = pairs.map((p) => p.rps);
  const tput = med(rps);
  const p99 = med(pairs.map((p) => p.p99));
  const requests = of(true).reduce((s, x) => s + x.w.requests, 0);
  console.log(`\n| endpoint | set | pairs | untraced req/s (p10-p90) | traced req/s | throughput | p50 | p99 | CPU/request | tracer CPU traced / untraced | records/request | lost | verdict |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
  const ok = tput >= 0.97 && p99 <= 1.1 && r.lost === 0;
  // records/request: the traced runs' requests made every record (untraced runs make none).
  console.log(
    `| ${endpoint} | ${SET} | ${pairs.length} | ${med(of(false).map((x) => x.w.rps)).toFixed(0)} (${q(of(false).map((x) => x.w.rps), 0.1).toFixed(0)}-${q(of(false).map((x) => x.w.rps), 0.9).toFixed(0)}) | ${med(of(true).map((x) => x.w.rps)).toFixed(0)} | x${tput.toFixed(3)} (pairs p25-p75 ${q(rps, 0.25).toFixed(3)}-${q(rps, 0.75).toFixed(3)}) | x${med(pairs.map((p) => p.p50)).toFixed(2)} | x${p99.toFixed(2)} | x${med(pairs.map((p) => p.cpu)).toFixed(3)} | ${(med(of(true).map((x) => x.tracerCpu)) * 100).toFixed(1)}% / ${(med(of(false).map((x) => x.tracerCpu)) * 100).toFixed(1)}% | ${(r.records / Math.max(1, requests)).toFixed(1)} | ${r.lost} | ${ok ? 'ok' : 'MISSES'} (>= 0.97, p99 <= 1.10x, 0 lost) |`,
  );
  return ok;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-toggle-'));
  console.error(`capture overhead, toggled within one ftrace capture (${SET} set${KEEP_FILTER ? ', the thread filter kept when untraced' : ''}${HELPER_ONLY ? ', helper only: no Node relay' : ''}${KERNEL_ONLY ? `, kernel only: no command, nobody reading${WITHOUT_LEARNING ? ', without tcp_rcv_space_adjust' : ''}` : ''}): wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} pairs, endpoints ${ENDPOINTS.map((e) => e.name).join(', ')}`);
  const images = await DemoImages.build();
  let ok = true;
  try {
    for (const ep of ENDPOINTS) ok = summary(ep.name, await measureEndpoint(images, ep, dir)) && ok;
  } finally {
    await images.remove();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(2);
});
