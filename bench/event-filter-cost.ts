import { withExclusions } from '../capture/ftrace/noisy-processes.js';
import { INSTANCE_PREFIX, TracefsInstance } from '../capture/ftrace/tracefs-instance.js';
import { BLOCK, startPingPong } from './loopback-pingpong.js';
import { median } from './overhead-summary.js';
import { BENCH_LEFT_OUT } from './kernel-only-tracing.js';

// What one send or receive event costs the kernel under each kind of filter the causal set uses
// (docs/adr/0125), so that the floor of a capture can be split into its parts: an event recorded
// (`protocol == 6`, as the set writes it), recorded through the names-left-out terms (`COMM !=
// "wrk" && ...`: every event of ours passes them), and one the filter rejects, by its protocol or
// by its process name (a left-out process's events: the tracepoint still fires). The loopback
// ping-pong of causal-event-cost.ts (4 events a round trip) runs under each state in turn, every
// half second, so the machine's drift cancels; a block of round trips counts for the state it ran
// in entirely. Root and tracefs needed.
//   node dist/bench/event-filter-cost.js [--seconds 60]

const at = process.argv.indexOf('--seconds');
const SECONDS = at >= 0 ? Number(process.argv[at + 1]) : 60;
if (!(SECONDS > 0)) {
  console.error('usage: event-filter-cost [--seconds N] (N > 0)');
  process.exit(2);
}
const SWITCH_MS = 500;
const EVENTS = ['sock/sock_send_length', 'sock/sock_recv_length'];

const STATES: { name: string; what: string; filter: string | null }[] = [
  { name: 'off', what: 'events disabled', filter: null },
  { name: 'recorded', what: 'recorded, `protocol == 6`', filter: 'protocol == 6' },
  { name: 'recorded, names left out', what: `recorded through \`${withExclusions('protocol == 6', BENCH_LEFT_OUT)}\``, filter: withExclusions('protocol == 6', BENCH_LEFT_OUT) },
  { name: 'rejected by protocol', what: 'fired, rejected: `protocol == 17`', filter: 'protocol == 17' },
  { name: 'rejected by name', what: 'fired, rejected: the ping-pong\'s own name left out', filter: withExclusions('protocol == 6', ['python3']) },
];

async function main(): Promise<void> {
  const pp = await startPingPong();
  const inst = await TracefsInstance.create('/sys/kernel/tracing', `${INSTANCE_PREFIX}${process.pid}-filter-cost`);
  const windows: { state: number; from: number; to: number }[] = [];
  try {
    await inst.write('tracing_on', '0');
    await inst.write('trace_clock', 'mono');
    await inst.write('buffer_size_kb', '8192');
    await inst.write('options/overwrite', '1');
    await inst.write('tracing_on', '1');
    const end = Date.now() + SECONDS * 1000;
    for (let i = 0; Date.now() < end; i++) {
      const state = i % STATES.length;
      const filter = STATES[state]!.filter;
      for (const e of EVENTS) {
        await inst.write(`events/${e}/enable`, '0');
        if (filter !== null) {
          await inst.write(`events/${e}/filter`, filter);
          await inst.write(`events/${e}/enable`, '1');
        }
      }
      const from = Number(process.hrtime.bigint());
      await new Promise((r) => setTimeout(r, SWITCH_MS));
      windows.push({ state, from, to: Number(process.hrtime.bigint()) });
    }
  } finally {
    await inst.remove();
    pp.stop();
  }
  const per: number[][] = STATES.map(() => []);
  for (const b of pp.blocks) {
    const w = windows.find((x) => b.start >= x.from && b.end <= x.to);
    if (w) per[w.state]!.push((b.end - b.start) / BLOCK);
  }
  const off = median(per[0]!);
  console.log(`loopback TCP ping-pong (2 sends, 2 receives a round trip: 4 events), ${SECONDS} s, the state switched every ${SWITCH_MS} ms; medians of blocks of ${BLOCK} round trips\n`);
  console.log('| state | blocks | round trip us | cost per event ns |');
  console.log('|---|---|---|---|');
  STATES.forEach((s, i) => {
    const m = median(per[i]!);
    console.log(`| ${s.name}: ${s.what} | ${per[i]!.length} | ${(m / 1000).toFixed(2)} | ${i === 0 ? '-' : ((m - off) / 4).toFixed(0)} |`);
  });
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
