import { INSTANCE_PREFIX } from '../capture/ftrace/tracefs-instance.js';
import type { ProbeSetName } from '../capture/probes/probe-catalog.js';
import { startSetTracing } from './kernel-only-tracing.js';
import { BLOCK, startPingPong } from './loopback-pingpong.js';

// What a probe set's events cost the kernel per event, measured so that a busy machine's drift
// cancels (docs/adr/0071): a loopback TCP ping-pong (one Python thread, two sockets, 1-byte sends)
// is traced with the set's events (its pid filtered, nobody reading, as the floor rows), and the
// events are switched on and off (events/enable) every half second for the whole run. Each block
// of round trips the ping-pong times is classed by the switch state it ran in entirely; the
// medians of both classes give the cost of a round trip's events, and the instances' counts how
// many events a round trip makes. Root and tracefs needed.
//   node dist/bench/causal-event-cost.js [--seconds 40] [--set causal|syscalls]

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const SECONDS = Number(arg('seconds', '40'));
const SET = arg('set', 'causal') as ProbeSetName;
const SWITCH_MS = 500;

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
};

async function main(): Promise<void> {
  const pp = await startPingPong();
  const blocks = pp.blocks;
  const tracing = await startSetTracing([pp.pid], SET, `${INSTANCE_PREFIX}${process.pid}-event-cost`);
  const windows: { on: boolean; from: number; to: number }[] = [];
  let events = 0;
  try {
    let on = true;
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      const from = Number(process.hrtime.bigint());
      const before = on ? await tracing.events() : 0;
      await new Promise((r) => setTimeout(r, SWITCH_MS));
      if (on) events += (await tracing.events()) - before;
      windows.push({ on, from, to: Number(process.hrtime.bigint()) });
      on = !on;
      await tracing.enabled(on);
    }
  } finally {
    await tracing.stop();
    pp.stop();
  }
  const per = { on: [] as number[], off: [] as number[] };
  let onTrips = 0;
  for (const b of blocks) {
    const w = windows.find((x) => b.start >= x.from && b.end <= x.to);
    if (!w) continue;
    (w.on ? per.on : per.off).push((b.end - b.start) / BLOCK);
  }
  for (const w of windows) if (w.on) onTrips += blocks.filter((b) => b.start >= w.from && b.end <= w.to).length * BLOCK;
  const on = median(per.on);
  const off = median(per.off);
  // Events per round trip from the on windows' counts against the round trips timed in them
  // (blocks across a switch are not timed, so this is an upper bound).
  const perTrip = onTrips > 0 ? events / onTrips : Number.NaN;
  const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))]!;
  const fast = { on: q(per.on, 0.1), off: q(per.off, 0.1) };
  console.log(`${SET} set, loopback TCP ping-pong, ${SECONDS} s switching every ${SWITCH_MS} ms: ${per.off.length} blocks of ${BLOCK} round trips timed off, ${per.on.length} on`);
  console.log(`round trip (2 sends, 2 receives), median: ${(off / 1000).toFixed(2)} us with the events off, ${(on / 1000).toFixed(2)} us on; fastest tenth: ${(fast.off / 1000).toFixed(2)} -> ${(fast.on / 1000).toFixed(2)} us; p10-p90 off ${spread(per.off)}, on ${spread(per.on)}`);
  // The fastest tenth is the least disturbed by other work on the machine; the median is shown beside it.
  console.log(`events per round trip <= ${perTrip.toFixed(2)}; kernel cost per event ~${((fast.on - fast.off) / Math.max(1, perTrip)).toFixed(0)} ns (fastest tenth), ~${((on - off) / Math.max(1, perTrip)).toFixed(0)} ns (medians)`);
}

function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.floor(p * (s.length - 1))]! / 1000).toFixed(2);
  return `${q(0.1)}-${q(0.9)} us`;
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(2);
});
