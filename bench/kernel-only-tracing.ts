import { expandEvents } from '../electron/services/capture/ftrace/ftrace-config.js';
import { INSTANCE_PREFIX, TracefsInstance } from '../electron/services/capture/ftrace/tracefs-instance.js';
import { DiscoveryService } from '../electron/services/discovery/network-discovery.js';
import { loadCatalog } from '../electron/services/probes/probe-catalog.js';

// The kernel's share of a capture's cost (bench:capture --kernel-only): the ftrace backend's
// instances, events, filters and pid filter exactly as its child sets them up, with nobody
// reading. Overwrite stays on so the kernel keeps recording every event once the buffer is full
// (with overwrite off it would drop them, which is cheaper than recording).

const TRACEFS = '/sys/kernel/tracing';

export async function startKernelOnlyTracing(network: string): Promise<{ stop(): Promise<{ events: number }> }> {
  const catalog = loadCatalog();
  const discovery = await new DiscoveryService().discover(network);
  const base = `${INSTANCE_PREFIX}${process.pid}-kernel-only`;
  const traced = await TracefsInstance.create(TRACEFS, `${base}-traced`);
  const sockets = await TracefsInstance.create(TRACEFS, `${base}-sockets`);
  const all = [traced, sockets];
  try {
    for (const inst of all) {
      await inst.write('tracing_on', '0');
      await inst.write('trace_clock', 'mono');
      await inst.write('buffer_size_kb', '8192');
      await inst.write('options/overwrite', '1');
    }
    await traced.write('options/event-fork', '1');
    await traced.setEventPids(discovery.meta.map((m) => m.tid));
    for (const e of expandEvents(catalog.ftrace.traced, catalog.syscalls)) await traced.enableEvent(e.event, e.filter);
    for (const s of catalog.ftrace.sockets) await sockets.enableEvent(s.event, s.filter);
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
