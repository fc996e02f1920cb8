import { closeSync, openSync } from 'node:fs';
import { isHelperFolder, replayHelperFolder } from '../capture/ftrace/helper-replay.js';

// npm run bench:ftrace -- WORKDIR [--runs N]: what converting the ftrace helper's pages costs per
// event, on pages a real capture read (keep its work folder with `misertrace capture
// --keep-work-dir`). The conversion runs after the capture, in the session's process; this
// measures it without the kernel, the load or the noise of a shared machine (CPU time of this
// process, median of N runs). Records go to /dev/null.

const dir = process.argv[2];
if (!dir || !isHelperFolder(dir)) {
  console.error('usage: ftrace-replay WORKDIR [--runs N] (a work folder of an ftrace capture, kept with --keep-work-dir)');
  process.exit(2);
}
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;

async function once(): Promise<{ cpuNs: number; events: number; records: number; pages: number }> {
  const fd = openSync('/dev/null', 'w');
  const u0 = process.cpuUsage();
  const r = await replayHelperFolder(dir!, fd);
  const u = process.cpuUsage(u0);
  closeSync(fd);
  return { cpuNs: (u.user + u.system) * 1000, events: r.events, records: r.converter.records, pages: r.pages };
}

const results = [];
for (let i = 0; i < RUNS; i++) results.push(await once());
const per = results.map((r) => r.cpuNs / r.events).sort((a, b) => a - b);
const med = per[Math.floor(per.length / 2)]!;
const r0 = results[0]!;
console.log(`ftrace pages replay: ${r0.pages} pages, ${r0.events} events -> ${r0.records} records, ${RUNS} runs`);
console.log(`  CPU per event: median ${med.toFixed(0)} ns (min ${per[0]!.toFixed(0)}, max ${per[per.length - 1]!.toFixed(0)}); 1M events convert in ${(med / 1000).toFixed(2)} s`);
