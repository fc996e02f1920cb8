import { openSync } from 'node:fs';
import { RecordConverter } from '../electron/services/capture/ftrace/record-converter.js';
import { ByteSink } from '../electron/services/capture/ftrace/record-sink.js';
import { RawReader } from '../electron/services/capture/ftrace/raw-reader.js';
import { readTee, teeFormats } from '../electron/services/capture/ftrace/page-tee.js';

// npm run bench:ftrace -- PAGES.tee [--runs N]: what the ftrace child's own work costs per event,
// on pages a real capture read (recorded with MISERTRACE_FTRACE_TEE=PAGES.tee). The child runs
// on the CPUs the traced application needs, so its CPU time per event is what the application
// pays; this measures it without the kernel, the load or the noise of a shared machine
// (CPU time of this process, median of N runs). Records go to /dev/null.

const file = process.argv[2];
if (!file) {
  console.error('usage: ftrace-replay PAGES.tee [--runs N]');
  process.exit(2);
}
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;
const { header, pages } = readTee(file);
const formats = teeFormats(header);
// Pages come in read rounds; replay them in rounds of this many, releasing up to 20 ms before
// the newest event read, as the child does.
const ROUND = Math.max(1, header.cpus.length * 4);

function once(): { cpuNs: number; events: number; records: number } {
  const reader = RawReader.forPages(header.cpus, header.layout, formats);
  const sink = new ByteSink(openSync('/dev/null', 'w'), reader.origin);
  const conv = new RecordConverter({
    syscalls: header.config.syscalls,
    comms: new Map(Object.entries(header.config.comms).map(([k, v]) => [Number(k), v])),
    tids: header.config.tids,
    sink,
    origin: reader.origin,
  });
  const u0 = process.cpuUsage();
  let newest = 0;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    reader.ingest(p.stream, p.page, p.page.length);
    if ((i + 1) % ROUND === 0) {
      if (reader.origin.ready) newest = Math.max(newest, reader.origin.offset(p.page.readBigUInt64LE(0)));
      reader.release(newest - 20_000_000, (e) => conv.feed(e));
      sink.flush();
    }
  }
  reader.release(null, (e) => conv.feed(e));
  sink.flush();
  const u = process.cpuUsage(u0);
  return { cpuNs: (u.user + u.system) * 1000, events: reader.stats.events, records: conv.stats.records };
}

/** Events by name, to see what the kernel recorded that the converter drops. */
function histogram(): [string, number][] {
  const reader = RawReader.forPages(header.cpus, header.layout, formats);
  const n = new Map<string, number>();
  for (const p of pages) reader.ingest(p.stream, p.page, p.page.length);
  reader.release(null, (e) => n.set(e.name, (n.get(e.name) ?? 0) + 1));
  return [...n].sort((a, b) => b[1] - a[1]);
}

const results = Array.from({ length: RUNS }, once);
const per = results.map((r) => r.cpuNs / r.events).sort((a, b) => a - b);
const med = per[Math.floor(per.length / 2)]!;
const r0 = results[0]!;
console.log(`ftrace reader replay: ${pages.length} pages, ${r0.events} events -> ${r0.records} records, ${RUNS} runs`);
console.log(`  CPU per event: median ${med.toFixed(0)} ns (min ${per[0]!.toFixed(0)}, max ${per[per.length - 1]!.toFixed(0)}); at 100k events/s that is ${((med * 1e5) / 1e7).toFixed(1)}% of one CPU`);
console.log(`  events by name: ${histogram().map(([k, v]) => `${k} ${v}`).join(', ')}`);
