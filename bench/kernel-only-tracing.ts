import { expandEvents } from '../capture/ftrace/ftrace-config.js';
import { createCaptureInstances, INSTANCE_PREFIX, type TracefsInstance } from '../capture/ftrace/tracefs-instance.js';
import { DiscoveryService } from '../capture/discovery/network-discovery.js';
import { ftraceEventsOf, loadCatalog, type ProbeSetName } from '../capture/probes/probe-catalog.js';

// The kernel's share of a capture's cost (bench:capture --kernel-only, and the floor rows): the
// ftrace backend's instances, events, filters and pid filter of either probe set (docs/adr/0050),
// set up by the child's own code (createCaptureInstances), with nobody reading. Overwrite stays on
// so the kernel keeps recording every event once the buffer is full (with overwrite off it would
// drop them, which is cheaper).

const TRACEFS = '/sys/kernel/tracing';

export async function startKernelOnlyTracing(network: string, set: ProbeSetName = 'syscalls'): Promise<{ stop(): Promise<{ events: number }> }> {
  const catalog = loadCatalog();
  const variant = catalog.variants.find((v) => v.backend === 'ftrace' && v.set === set);
  if (!variant) throw new Error(`no ftrace variant of the ${set} set in the catalog`);
  const events = ftraceEventsOf(catalog, variant);
  const discovery = await new DiscoveryService().discover(network);
  const base = `${INSTANCE_PREFIX}${process.pid}-kernel-only`;
  const all: TracefsInstance[] = [];
  try {
    await createCaptureInstances(
      TRACEFS,
      base,
      { tids: discovery.meta.map((m) => m.tid), traced: expandEvents(events.traced, catalog.syscalls), sockets: events.sockets, bufferKb: 8192, overwrite: true },
      all,
    );
    for (const inst of all) await inst.write('tracing_on', '1');
  } catch (e) {
    for (const inst of all) await inst.remove();
    throw e;
  }
  return {
    async stop() {
      let events = 0;
      for (const inst of all) {
        await inst.write('tracing_on', '0');
        // Every event recorded, kept or overwritten.
        for (const cpu of await inst.cpuFiles()) {
          const stats = await inst.read(`per_cpu/cpu${cpu}/stats`);
          events += Number(/^entries:\s*(\d+)/m.exec(stats)?.[1] ?? 0) + Number(/^overrun:\s*(\d+)/m.exec(stats)?.[1] ?? 0);
        }
      }
      for (const inst of all) await inst.remove();
      return { events };
    },
  };
}
