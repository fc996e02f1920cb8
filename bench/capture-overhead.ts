import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CaptureSession, type CaptureResult } from '../capture/session/capture-session.js';
import { DemoApp, DemoImages } from '../e2e/demo-app/demo-app.js';
import { startKernelOnlyTracing } from './kernel-only-tracing.js';

// npm run bench:capture — what a capture costs the application. The demo app under a fixed wrk
// load (127.0.0.1 only, bounded duration), without and with capture, alternating the order each
// round, on fresh containers every time. Prints throughput and p50/p99 latency of both, their
// ratio, the capture child's CPU and lost events. Target: >= 90% of throughput, p99 within 1.2x,
// nothing lost. The verdict uses the median of per-round (paired) ratios.
//   --duration S (10)  --rounds N (3)  --connections C (8)  --threads T (2)
//   --endpoints stock,item (stock = Node event loop only; item = fork-per-request CGI path)
//   --backend ftrace|bpftrace (ftrace, the default of a capture)
//   --kernel-only  instead of capturing, enable the ftrace backend's events and pid filter with
//                nobody reading them (kernel-only-tracing.ts): the kernel's share of the cost
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
const PATHS: Record<string, string> = { stock: '/stock?id=1', item: '/item?id=1', checkout: '/checkout?item=1' };

interface WrkResult {
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
  const { stdout } = await run('wrk', [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url], { timeout: (seconds + 30) * 1000 });
  const num = (re: RegExp) => {
    const m = re.exec(stdout);
    if (!m) throw new Error(`unexpected wrk output:\n${stdout}`);
    return m[1]!;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)),
    p50ms: toMs(num(/^\s+50%\s+(\S+)/m)),
    p99ms: toMs(num(/^\s+99%\s+(\S+)/m)),
    requests: Number(num(/(\d+) requests in/)),
    errors: Number(errors?.[1] ?? 0) + (sockErr ? sockErr.slice(1).reduce((s, x) => s + Number(x), 0) : 0),
  };
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
  mode: 'off' | 'on';
  wrk: WrkResult;
  childCpu?: number;
  ourCpu?: number;
  records?: number;
  lost?: number;
  capture?: CaptureResult;
}

async function measure(images: DemoImages, endpoint: string, mode: 'off' | 'on', round: number, dir: string): Promise<Row> {
  const app = new DemoApp({ images });
  await app.up();
  let session: CaptureSession | null = null;
  try {
    const url = `${app.url}${PATHS[endpoint]}`;
    await wrk(url, 2); // warm-up: JIT, connection pools
    if (mode === 'on' && KERNEL_ONLY) {
      const tracing = await startKernelOnlyTracing(app.network);
      let events = 0;
      let w: WrkResult;
      try {
        w = await wrk(url, DURATION);
      } finally {
        events = (await tracing.stop()).events;
      }
      return { endpoint, round, mode, wrk: w, records: events, childCpu: 0, ourCpu: 0, lost: 0 };
    }
    if (mode === 'on') {
      session = new CaptureSession({ network: app.network, output: join(dir, `${endpoint}-${round}.mstrace`), backend: BACKEND });
      await session.start();
    }
    const pid = session?.childPid ?? null;
    const c0 = pid ? cpuSeconds(pid) : 0;
    const u0 = process.cpuUsage();
    const w = await wrk(url, DURATION);
    const row: Row = { endpoint, round, mode, wrk: w };
    if (session && pid) {
      row.childCpu = (cpuSeconds(pid) - c0) / DURATION;
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
  console.error(`capture overhead: ${KERNEL_ONLY ? 'kernel only (ftrace events, nobody reading)' : BACKEND}, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} rounds, endpoints ${ENDPOINTS.join(', ')}`);
  const images = await DemoImages.build();
  const rows: Row[] = [];
  try {
    for (const endpoint of ENDPOINTS) {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const mode of round % 2 === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
          const r = await measure(images, endpoint, mode, round, dir);
          rows.push(r);
          const cap =
            r.records !== undefined
              ? `  child ${(r.childCpu! * 100).toFixed(0)}% CPU, us ${(r.ourCpu! * 100).toFixed(0)}%, ${r.records} records (${(r.records / r.wrk.requests).toFixed(1)}/request)${r.capture ? `, ${r.capture.traceCount} traces` : ''}, lost ${r.lost}`
              : '';
          console.log(
            `${endpoint.padEnd(6)} round ${round} capture ${mode.padEnd(3)} ${r.wrk.rps.toFixed(0).padStart(6)} req/s  p50 ${r.wrk.p50ms.toFixed(2).padStart(7)} ms  p99 ${r.wrk.p99ms.toFixed(2).padStart(7)} ms  errors ${r.wrk.errors}${cap}`,
          );
        }
      }
    }
  } finally {
    await images.remove();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nsummary (medians over rounds):');
  let ok = true;
  for (const endpoint of ENDPOINTS) {
    const of = (mode: 'off' | 'on', f: (r: Row) => number) => median(rows.filter((r) => r.endpoint === endpoint && r.mode === mode).map(f));
    const rpsRatio = of('on', (r) => r.wrk.rps) / of('off', (r) => r.wrk.rps);
    const p50Ratio = of('on', (r) => r.wrk.p50ms) / of('off', (r) => r.wrk.p50ms);
    const p99Ratio = of('on', (r) => r.wrk.p99ms) / of('off', (r) => r.wrk.p99ms);
    const lost = rows.filter((r) => r.endpoint === endpoint && r.lost !== undefined).reduce((s, r) => s + r.lost!, 0);
    // Paired: each round's on/off runs are next to each other in time, so their ratio cancels the
    // slow drift of a shared machine that the ratio of medians keeps.
    const rounds = [...new Set(rows.filter((r) => r.endpoint === endpoint).map((r) => r.round))];
    const pair = (f: (r: Row) => number) =>
      median(
        rounds.map((k) => {
          const at = (mode: 'off' | 'on') => rows.find((r) => r.endpoint === endpoint && r.round === k && r.mode === mode)!;
          return f(at('on')) / f(at('off'));
        }),
      );
    const pairedRps = pair((r) => r.wrk.rps);
    const pairedP99 = pair((r) => r.wrk.p99ms);
    const pass = pairedRps >= 0.9 && pairedP99 <= 1.2 && lost === 0;
    ok &&= pass;
    console.log(
      `${endpoint.padEnd(6)} throughput ${of('off', (r) => r.wrk.rps).toFixed(0)} -> ${of('on', (r) => r.wrk.rps).toFixed(0)} req/s (x${rpsRatio.toFixed(3)}), ` +
        `p50 ${of('off', (r) => r.wrk.p50ms).toFixed(2)} -> ${of('on', (r) => r.wrk.p50ms).toFixed(2)} ms (x${p50Ratio.toFixed(2)}), ` +
        `p99 ${of('off', (r) => r.wrk.p99ms).toFixed(2)} -> ${of('on', (r) => r.wrk.p99ms).toFixed(2)} ms (x${p99Ratio.toFixed(2)}), ` +
        `child CPU ${(of('on', (r) => r.childCpu ?? 0) * 100).toFixed(0)}%, lost ${lost}; ` +
        `paired per round: throughput x${pairedRps.toFixed(3)}, p99 x${pairedP99.toFixed(2)}: ${pass ? 'meets' : 'MISSES'} the target (>= 0.90 throughput, p99 <= 1.2x, 0 lost)`,
    );
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(2);
});
