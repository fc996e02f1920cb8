import { closeSync, fchownSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { readEventFormat, type EventFormat } from './event-format.js';
import type { FtraceChildConfig } from './ftrace-config.js';
import { RawReader } from './raw-reader.js';
import { EVENTS_LINE, expandEvents } from './ftrace-config.js';
import { PageSpool, spoolHeader } from './page-spool.js';
import { parseHeaderPage } from './ring-buffer-page.js';
import { createCaptureInstances, INSTANCE_PREFIX, removeStaleInstances, type TracefsInstance } from './tracefs-instance.js';

// The ftrace backend's capture child (runs elevated, like bpftrace): two private tracefs
// instances with trace_clock mono (bpftrace's clock), one filtered by set_event_pid with
// options/event-fork (the traced threads and their children), one unfiltered for TCP socket
// state changes. During the capture it only copies the binary per-CPU pages to the page spool
// (page-spool.ts), with a mark per read round; the session converts the spool to records after
// the child ended. To the records file it writes "Attaching N probes...", the attach marker,
// "Lost N events" lines as bpftrace would, and the kernel events counted so far (live figures).
// On ^C / SIGTERM / SIGHUP it stops tracing, copies what is left, removes the instances and
// exits. Usage: ftrace-child CONFIG.json

// A read round every 100 ms. Each wake-up costs the child about 0.5 ms of CPU on these VMs even
// when there is nothing to read (timer, scheduler, four EAGAIN reads): at 20 ms rounds an idle
// child took 3% of a core. A round's pages go out in one write (page-spool.ts), so a longer
// round is not a longer burst of syscalls; 8 MiB per CPU buffer holds seconds of events.
const POLL_MS = 100;
// Below the application's threads: a wake-up of ours should not preempt a request in flight (p99).
// The buffers are large enough for the child to run late under saturation.
const NICE = 10;

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
  try {
    setPriority(NICE);
  } catch {
    // Not allowed (an unprivileged test run): the default priority only costs some p99.
  }
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
  const write = (text: string) => {
    if (out >= 0 && text !== '') writeSync(out, text);
  };
  try {
    const { traced } = await createCaptureInstances(tracefs, base, { tids: cfg.tids, traced: tracedEvents, sockets: cfg.sockets, bufferKb: cfg.bufferKb, overwrite: false }, instances);
    if (stopping) return 0;
    reader = await RawReader.open(instances, layout, formats);
    out = openSync(cfg.output, 'a', 0o644);
    // The session (unprivileged, the owner of the work folder) appends the converted records to
    // this file after we end: it must be theirs, not root's.
    const owner = statSync(dirname(cfg.output));
    fchownSync(out, owner.uid, owner.gid);
    // During the capture pages are only copied to the spool: decoding and converting them waits
    // until the capture ended (page-spool.ts), off the CPUs the application needs now.
    const spoolPath = process.env.MISERTRACE_FTRACE_TEE || cfg.spool;
    const spool = PageSpool.create(spoolPath, spoolHeader(reader, layout, formats, cfg));
    const counts = new Map<number, number>();
    const r = reader;
    const onPage = (i: number, page: Buffer, n: number) => {
      spool.page(i, page, n);
      r.countEvents(page, n, counts);
    };
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
    // Live figures: kernel events by name, when they changed (the session's drain waits for
    // this file to go quiet).
    let shown = -1;
    const showCounts = () => {
      if (r.stats.events === shown) return;
      shown = r.stats.events;
      const byName: Record<string, number> = {};
      for (const [id, n] of counts) byName[formats.get(id)?.name ?? `id ${id}`] = n;
      write(`${EVENTS_LINE} ${spool.bytes} ${JSON.stringify(byName)}\n`);
    };
    let lastShown = 0;
    while (!stopping) {
      // The round's time is taken BEFORE its reads: the replay releases every event older than
      // it (less a lag) as complete. Taken after, a round that ran long (this child is niced, the
      // application saturates the CPUs) released events of streams read early in it before their
      // late ones, and a socket's state change then came after the records it explains
      // (docs/adr/0050: sends tagged with a closed socket's 4-tuple).
      const roundStart = process.hrtime.bigint();
      reader.readPagesSync(onPage);
      spool.round(roundStart);
      if (Date.now() - lastLostCheck >= 1000) {
        lastLostCheck = Date.now();
        await checkLost();
      }
      if (Date.now() - lastShown >= 250) {
        lastShown = Date.now();
        showCounts();
      }
      await Promise.race([stopSignal, new Promise((res) => setTimeout(res, POLL_MS))]);
    }
    // Stop recording first, then copy everything that is left.
    for (const inst of instances) await inst.write('tracing_on', '0');
    reader.readPagesSync(onPage);
    spool.round(null);
    spool.close();
    await checkLost();
    showCounts();
    const st = reader.stats;
    process.stdout.write(`ftrace: ${st.events} events in ${st.pages} pages spooled, ${lostSeen} lost\n`);
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
