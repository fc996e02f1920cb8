import { SCHED_PROBES, SchedTimelines, type SchedColumns } from '../engine/analysis/sched-timeline.js';

// What "where the time went" costs the generation (docs/adr/0090): the scheduler timelines built
// from time-ordered record batches as the bundle hands them to generateTraces (details as text,
// other probes' records skipped), then every span's split. Synthetic: THREADS threads switching
// in and out, woken, faulting, on two CPUs, among as many other records; a span per 40 records of
// a thread. Prints CPU ns per record and per span (this process's CPU time, not wall time: a
// shared machine's load stretches the wall clock, not the work; medians of 5 runs).
//   node dist/bench/sched-split.js [--records 2000000] [--threads 64]

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const RECORDS = Number(arg('records', '2000000'));
const THREADS = Number(arg('threads', '64'));
const BATCH = 65536;
const NAMES = [SCHED_PROBES.switch, SCHED_PROBES.wakeup, SCHED_PROBES.fault, 'MT:sock_send'];

function batches(): SchedColumns[] {
  const out: SchedColumns[] = [];
  const details: string[] = [];
  const at = new Map<string, number>();
  const detail = (s: string) => {
    let i = at.get(s);
    if (i === undefined) at.set(s, (i = details.push(s) - 1));
    return i;
  };
  // Each thread cycles: in, fault, out (asleep), other record, wakeup.
  for (let from = 0; from < RECORDS; from += BATCH) {
    const n = Math.min(BATCH, RECORDS - from);
    const c = { n, tid: new Int32Array(n), ts: new Float64Array(n), cpu: new Int32Array(n), probe: new Int32Array(n), detailsAt: new Int32Array(n), details };
    for (let i = 0; i < n; i++) {
      const k = from + i;
      const tid = 1000 + (k % THREADS);
      const step = Math.floor(k / THREADS) % 5;
      c.tid[i] = tid;
      c.ts[i] = k * 100;
      c.cpu[i] = (k >> 7) & 1;
      c.probe[i] = step === 0 || step === 2 ? 0 : step === 1 ? 2 : step === 3 ? 3 : 1;
      c.detailsAt[i] = step === 0 ? detail(`prev_state=0 next_pid=${tid}`) : step === 2 ? detail('prev_state=1 next_pid=0') : -1;
    }
    out.push(c);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const input = batches();
  const spans: { tid: number; start: number; end: number }[] = [];
  const per = RECORDS / THREADS;
  for (let t = 0; t < THREADS; t++) for (let s = 0; s + 40 <= per; s += 40) spans.push({ tid: 1000 + t, start: (s * THREADS + t) * 100, end: ((s + 40) * THREADS + t) * 100 });
  const build: number[] = [];
  const split: number[] = [];
  let check = 0;
  for (let run = 0; run < 5; run++) {
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const t0 = cpuMs();
    const tl = new SchedTimelines(NAMES);
    for (const c of input) tl.add(c);
    const t1 = cpuMs();
    for (const s of spans) check += tl.split(s.tid, s.start, s.end)?.onCpuNs ?? 0;
    const t2 = cpuMs();
    build.push(((t1 - t0) * 1e6) / RECORDS);
    split.push(((t2 - t1) * 1e6) / spans.length);
  }
  console.log(`sched timelines: ${RECORDS} records (${THREADS} threads, 4 in 5 scheduler records), ${spans.length} spans`);
  console.log(`  build  ${median(build).toFixed(1)} ns/record (runs ${build.map((x) => x.toFixed(1)).join(', ')})`);
  console.log(`  split  ${median(split).toFixed(0)} ns/span (runs ${split.map((x) => x.toFixed(0)).join(', ')}; first run includes the per-thread sums)`);
  if (!(check > 0)) throw new Error('no on-CPU time found: the synthetic stream is wrong');
}

main();
