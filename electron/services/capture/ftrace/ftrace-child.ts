import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readEventFormat, type EventFormat } from './event-format.js';
import type { FtraceChildConfig } from './ftrace-config.js';
import { RawReader } from './raw-reader.js';
import { RecordConverter } from './record-converter.js';
import { ByteSink } from './record-sink.js';
import { teePages } from './page-tee.js';
import { parseHeaderPage } from './ring-buffer-page.js';
import { INSTANCE_PREFIX, removeStaleInstances, TracefsInstance } from './tracefs-instance.js';

// The ftrace backend's capture child (runs elevated, like bpftrace): two private tracefs
// instances with trace_clock mono (bpftrace's clock), one filtered by set_event_pid with
// options/event-fork (the traced threads and their children), one unfiltered for TCP socket
// state changes. It reads the binary per-CPU buffers, converts the events to record lines
// (record-converter.ts), writes them to the records file with "Attaching N probes...", the
// attach marker and "Lost N events" lines as bpftrace would, and on ^C / SIGTERM / SIGHUP drains
// what is left, removes the instances and exits. Usage: ftrace-child CONFIG.json

// Short rounds keep each burst of decoding short: the traced application's p99 pays for long ones.
const POLL_MS = 20;
/** Events older than this before a read round started are surely all read. */
const WATERMARK_LAG_NS = 20_000_000;

function expandEvents(list: FtraceChildConfig['traced'], syscalls: FtraceChildConfig['syscalls']): { event: string; filter?: string }[] {
  const out: { event: string; filter?: string }[] = [];
  for (const spec of list) {
    const e = typeof spec === 'string' ? { event: spec } : spec;
    const m = /^(.*)\{send,recv\}$/.exec(e.event);
    if (m) for (const sc of [...syscalls.send, ...syscalls.recv]) out.push({ ...e, event: `${m[1]}${sc}` });
    else out.push(e);
  }
  return out;
}

async function main(): Promise<number> {
  const configPath = process.argv[2];
  if (!configPath) {
    process.stderr.write('usage: ftrace-child CONFIG.json\n');
    return 2;
  }
  // Signals are ours from the start: a ^C during setup must still remove the instances.
  let stopping = false;
  const stopSignal = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        stopping = true;
        resolve();
      });
    }
  });
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as FtraceChildConfig;
  const tracefs = cfg.tracefs;
  for (const n of await removeStaleInstances(tracefs)) process.stdout.write(`removed the stale tracefs instance ${n}\n`);

  const tracedEvents: { event: string; filter?: string }[] = [...expandEvents(cfg.traced, cfg.syscalls), ...cfg.userEvents.map((u) => ({ event: u.event }))];
  const formats = new Map<number, EventFormat>();
  for (const name of [...new Set([...tracedEvents.map((t) => t.event), ...cfg.sockets.map((s) => s.event)])]) {
    try {
      const f = await readEventFormat(tracefs, name);
      formats.set(f.id, f);
    } catch {
      process.stdout.write(`ERROR: tracepoint not found: ${name}\n`);
      return 1;
    }
  }
  const subbuf = await readFile(join(tracefs, 'buffer_subbuf_size_kb'), 'utf8').then((t) => Number(t.trim()), () => null);
  const layout = parseHeaderPage(await readFile(join(tracefs, 'events', 'header_page'), 'utf8'), subbuf);

  const base = `${INSTANCE_PREFIX}${process.pid}`;
  const instances: TracefsInstance[] = [];
  let reader: RawReader | null = null;
  let out = -1;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await reader?.close();
    for (const i of instances) await i.remove().catch((e: unknown) => process.stdout.write(`${String(e)}\n`));
  };
  let flushRecords = () => {};
  // Our own lines (lost events) go after the records converted before them.
  const write = (text: string) => {
    flushRecords();
    if (out >= 0 && text !== '') writeSync(out, text);
  };
  try {
    const traced = await TracefsInstance.create(tracefs, `${base}-traced`);
    instances.push(traced);
    const sockets = await TracefsInstance.create(tracefs, `${base}-sockets`);
    instances.push(sockets);
    for (const inst of instances) {
      await inst.write('tracing_on', '0');
      await inst.write('trace_clock', 'mono');
      await inst.write('buffer_size_kb', String(cfg.bufferKb));
      await inst.write('options/overwrite', '0');
    }
    await traced.write('options/event-fork', '1');
    await traced.setEventPids(cfg.tids);
    for (const e of tracedEvents) await traced.enableEvent(e.event, e.filter);
    for (const s of cfg.sockets) await sockets.enableEvent(s.event, s.filter);
    if (stopping) return 0;
    reader = await RawReader.open(instances, layout, formats);
    out = openSync(cfg.output, 'a', 0o644);
    const sink = new ByteSink(out, reader.origin);
    flushRecords = () => sink.flush();
    const converter = new RecordConverter({ syscalls: cfg.syscalls, comms: new Map(Object.entries(cfg.comms).map(([k, v]) => [Number(k), v])), tids: cfg.tids, sink, origin: reader.origin });
    if (process.env.MISERTRACE_FTRACE_TEE) teePages(process.env.MISERTRACE_FTRACE_TEE, reader, layout, formats, cfg);
    for (const inst of instances) await inst.write('tracing_on', '1');
    const probes = tracedEvents.length + cfg.sockets.length;
    write(`Attaching ${probes} probes...\n@misertrace_attached: ${process.hrtime.bigint()}\n`);

    const cpus = await traced.cpuFiles();
    let lostSeen = 0;
    let lastLostCheck = 0;
    const checkLost = async () => {
      let lost = 0;
      for (const inst of instances) for (const c of cpus) lost += await inst.lostOn(c);
      if (lost > lostSeen) {
        write(`Lost ${lost - lostSeen} events\n`);
        lostSeen = lost;
      }
    };
    while (!stopping) {
      const roundStart = process.hrtime.bigint();
      reader.readAvailableSync();
      if (reader.origin.ready) reader.release(reader.origin.offset(roundStart) - WATERMARK_LAG_NS, (e) => converter.feed(e));
      sink.flush();
      if (Date.now() - lastLostCheck >= 1000) {
        lastLostCheck = Date.now();
        await checkLost();
      }
      await Promise.race([stopSignal, new Promise((r) => setTimeout(r, POLL_MS))]);
    }
    // Stop recording first, then read and convert everything that is left.
    for (const inst of instances) await inst.write('tracing_on', '0');
    reader.readAvailableSync();
    reader.release(null, (e) => converter.feed(e));
    sink.flush();
    await checkLost();
    const st = reader.stats;
    process.stdout.write(
      `ftrace: ${st.events} events read in ${st.pages} pages, ${converter.stats.records} records written, ${lostSeen} lost` +
        `${converter.unresolvedSends > 0 ? `, ${converter.unresolvedSends} sends on sockets whose 4-tuple was never seen (no tcp_send record)` : ''}\n`,
    );
    return 0;
  } catch (e) {
    process.stdout.write(`ERROR: ${(e as Error).message}\n`);
    return 1;
  } finally {
    if (out >= 0) closeSync(out);
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stdout.write(`ERROR: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
