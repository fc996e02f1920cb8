import { expandEvents } from '../capture/ftrace/ftrace-config.js';
import { createCaptureInstances, INSTANCE_PREFIX, type TracefsInstance } from '../capture/ftrace/tracefs-instance.js';
import { DiscoveryService } from '../capture/discovery/network-discovery.js';
import { ftraceEventsOf, loadCatalog, type ProbeSetName } from '../capture/probes/probe-catalog.js';
import { readerFilteredEvents, withExclusions } from '../capture/ftrace/noisy-processes.js';

// The kernel's share of a capture's cost (bench:capture --kernel-only, and the floor rows): the
// ftrace backend's instances, events, filters and pid filter of either probe set (docs/adr/0050),
// set up by the child's own code (createCaptureInstances), with nobody reading. Overwrite stays on
// so the kernel keeps recording every event once the buffer is full (with overwrite off it would
// drop them, which is cheaper). The causal set as a local capture sets it up (docs/adr/0125):
// no pid list, the thread filter being the reader's, and the names the capture leaves out under
// this bench's load (wrk, docker-proxy: what bench:toggle's captures report) left out from the start.

/** What a local causal capture leaves out under the benches' load (bench:toggle prints it). */
export const BENCH_LEFT_OUT = ['wrk', 'docker-proxy'];

const TRACEFS = '/sys/kernel/tracing';

export interface KernelOnlyTracing {
  /** The set's events enabled or disabled (each event's enable file; their filters stay). */
  enabled(on: boolean): Promise<void>;
  /** Events recorded so far, kept or overwritten. */
  events(): Promise<number>;
  /** Recording off, the instances removed; the events recorded. */
  stop(): Promise<{ events: number }>;
}

/** A set's events for the threads of a Docker network (its containers), recording. */
export async function startKernelOnlyTracing(network: string, set: ProbeSetName = 'syscalls', without: readonly string[] = []): Promise<KernelOnlyTracing> {
  const discovery = await new DiscoveryService().discover(network);
  return startSetTracing(discovery.meta.map((m) => m.tid), set, `${INSTANCE_PREFIX}${process.pid}-kernel-only`, without);
}

export function causalAsCaptured(e: ReturnType<typeof ftraceEventsOf>): Pick<ReturnType<typeof ftraceEventsOf>, 'traced' | 'sockets'> {
  const r = readerFilteredEvents(e);
  const named = new Set(r.byName.map((b) => b.event));
  const sockets = r.sockets.map((s) => {
    if (!named.has(s.event)) return s;
    const filter = withExclusions(s.filter, BENCH_LEFT_OUT);
    return filter === null ? { event: s.event } : { event: s.event, filter };
  });
  return { traced: r.traced, sockets };
}

/** A set's ftrace events as a local capture sets them up (the causal set: ADR 0125, this bench's names left out). */
export function setEventsAsCaptured(set: ProbeSetName, without: readonly string[] = []): Pick<ReturnType<typeof ftraceEventsOf>, 'traced' | 'sockets'> & { syscalls: ReturnType<typeof loadCatalog>['syscalls'] } {
  const catalog = loadCatalog();
  const variant = catalog.variants.find((v) => v.backend === 'ftrace' && v.set === set);
  if (!variant) throw new Error(`no ftrace variant of the ${set} set in the catalog`);
  const setEvents = ftraceEventsOf(catalog, variant);
  const asSet = set === 'causal' ? causalAsCaptured(setEvents) : setEvents;
  const kept = (e: string | { event: string }) => !without.includes(typeof e === 'string' ? e : e.event);
  return { traced: asSet.traced.filter(kept), sockets: asSet.sockets.filter(kept), syscalls: catalog.syscalls };
}

/**
 * A set's events for the given threads (and their children), recording. `without`: events of the
 * set left out (tcp:tcp_rcv_space_adjust: a steady capture, learning off, ADR 0106).
 */
export async function startSetTracing(tids: number[], set: ProbeSetName, base: string, without: readonly string[] = []): Promise<KernelOnlyTracing> {
  const events = setEventsAsCaptured(set, without);
  const all: TracefsInstance[] = [];
  const recording = async (on: boolean) => {
    for (const inst of all) await inst.write('tracing_on', on ? '1' : '0');
  };
  // Each of the set's events on its own: an instance's events/enable would enable every event.
  const enabled = async (on: boolean) => {
    const [traced, sockets] = all;
    for (const e of expandEvents(events.traced, events.syscalls)) await traced!.write(`events/${e.event.replace(':', '/')}/enable`, on ? '1' : '0');
    for (const e of events.sockets) await sockets!.write(`events/${e.event.replace(':', '/')}/enable`, on ? '1' : '0');
  };
  const count = async () => {
    let n = 0;
    for (const inst of all) {
      for (const cpu of await inst.cpuFiles()) {
        const stats = await inst.read(`per_cpu/cpu${cpu}/stats`);
        n += Number(/^entries:\s*(\d+)/m.exec(stats)?.[1] ?? 0) + Number(/^overrun:\s*(\d+)/m.exec(stats)?.[1] ?? 0);
      }
    }
    return n;
  };
  try {
    await createCaptureInstances(TRACEFS, base, { tids, traced: expandEvents(events.traced, events.syscalls), sockets: events.sockets, bufferKb: 8192, overwrite: true }, all);
    await recording(true);
  } catch (e) {
    for (const inst of all) await inst.remove();
    throw e;
  }
  return {
    enabled,
    events: count,
    async stop() {
      await recording(false);
      const events = await count();
      for (const inst of all) await inst.remove();
      return { events };
    },
  };
}
