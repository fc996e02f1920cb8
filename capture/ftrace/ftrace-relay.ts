import { closeSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENTS_LINE } from './ftrace-config.js';
import { convertHelperPages, PageStreamParser, readHelperFormats, type HelperConfig, type HelperFormats, type HelperReplay } from './helper-output.js';
import { countPageEvents, type EventWatch } from './ring-buffer-page.js';
import { NoisyProcesses } from './noisy-processes.js';
import { readOldConnections } from './old-connections.js';
import { TupleLearning } from './tuple-learning.js';

// The unprivileged half of an ftrace capture: follows what the root helper
// (misertrace-ftrace-helper.sh) writes to the work folder and keeps the records file the session
// reads as it did when the child wrote it: the helper's messages (Attaching, the attach marker
// with our clock's time, Lost N events) and live kernel event counts by name while it captures;
// after the helper ended, the pages converted to records (helper-output.ts).

const SHOW_EVERY_MS = 250;

export interface RelayNote {
  level: 'info' | 'warn';
  text: string;
}

export class FtraceRelay {
  /** Same shape as the bpftrace pump's (the session reads malformed and mapLost). */
  readonly stats = { malformed: 0, mapLost: 0 };
  /** What the conversion says (events, pages, records; skipped events). */
  readonly notes: RelayNote[] = [];
  readonly from: string;
  private out: FileHandle | null = null;
  private reading: Promise<void> | null = null;
  private done = false;
  private msgOffset = 0;
  private msgCarry = '';
  private attached = false;
  private fmt: HelperFormats | null = null;
  private parser: PageStreamParser | null = null;
  private pagesOffset = 0;
  /** Events counted so far, by type id, and in all. */
  private readonly counts = new Float64Array(1 << 16);
  private events = 0;
  /** One read buffer for every pass (a fresh 8 MiB one each pass was most of this process's cost). */
  private readonly chunk = Buffer.allocUnsafe(8 << 20);
  private shown = -1;
  private lastShown = 0;
  result: HelperReplay | null = null;
  /** Lines to the helper's stdin ("learn on|off"), when the child takes them (attach-phase.ts). */
  private control: ((line: string) => void) | null = null;
  /** The causal set's switch of tcp_rcv_space_adjust (tuple-learning.ts, docs/adr/0106). */
  private learning: TupleLearning | null = null;
  /** The causal set's threads and the busy processes left out, when the thread filter is ours (noisy-processes.ts, docs/adr/0125). */
  private noisy: NoisyProcesses | null = null;
  private watch: EventWatch | null = null;

  constructor(
    readonly dir: string,
    readonly to: string,
    private readonly cfg: HelperConfig,
  ) {
    this.from = join(dir, 'pages');
  }

  /** Threads added to the helper's filter during the capture (network-changes.ts): converted like the first ones. */
  addThreads(tids: readonly number[], comms: ReadonlyMap<number, string>): void {
    for (const t of tids) {
      if (!this.cfg.tids.includes(t)) this.cfg.tids.push(t);
      const c = comms.get(t);
      if (c !== undefined) this.cfg.comms[String(t)] = c;
    }
    this.noisy?.addThreads(tids, tids.flatMap((t) => (comms.has(t) ? [comms.get(t)!] : [])));
  }

  /** The helper's stdin: from now on, tcp_rcv_space_adjust is switched off while nothing needs it. */
  takeControl(write: (line: string) => void): void {
    this.control = write;
  }

  poll(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.reading ??= this.pass().finally(() => (this.reading = null));
    return this.reading;
  }

  private async pass(force = false): Promise<void> {
    const lines: string[] = [];
    const msg = await readFrom(join(this.dir, 'messages'), this.msgOffset);
    this.msgOffset += msg.length;
    const text = this.msgCarry + msg.toString('utf8');
    const parts = text.split('\n');
    this.msgCarry = parts.pop() ?? '';
    for (const l of parts) {
      if (l === '@misertrace_attached') {
        this.attached = true;
        lines.push(`@misertrace_attached: ${process.hrtime.bigint()}`);
      } else if (l !== '') lines.push(l);
    }
    if (this.attached) await this.count();
    if (this.fmt && this.events !== this.shown && (force || Date.now() - this.lastShown >= SHOW_EVERY_MS)) {
      this.shown = this.events;
      this.lastShown = Date.now();
      const byName: Record<string, number> = {};
      // The described events first (a handful of ids); the 65,536 slots only when some event
      // was of a type the formats do not describe.
      let described = 0;
      for (const [id, f] of this.fmt.formats) {
        const n = this.counts[id]!;
        if (n > 0) byName[f.name] = n;
        described += n;
      }
      if (described < this.events) {
        this.counts.forEach((n, id) => {
          if (n > 0 && !this.fmt!.formats.has(id)) byName[`id ${id}`] = n;
        });
      }
      lines.push(`${EVENTS_LINE} ${this.pagesOffset} ${JSON.stringify(byName)}`);
    }
    if (lines.length === 0) return;
    this.out ??= await open(this.to, 'a');
    await this.out.write(`${lines.join('\n')}\n`);
  }

  /** Live figures: counts the events of the pages written since the last pass, without decoding them. */
  private async count(): Promise<void> {
    if (this.fmt === null) {
      this.fmt = await readHelperFormats(join(this.dir, 'formats'));
      this.parser = new PageStreamParser(this.fmt.layout.pageSize);
      // Only the causal set learns tuples alone from it: the syscall set records each one.
      if (this.cfg.set === 'causal') this.learning = TupleLearning.forFormats(this.fmt.formats.values());
      // Steered (a local capture: the threads' /proc is this machine's), it waits for the
      // connections the application holds now to be learned before switching learning off.
      if (this.control !== null) this.learning?.expectOld(readOldConnections(this.cfg.tids));
      if (this.cfg.byName && this.control !== null) {
        const noisy = new NoisyProcesses(this.cfg.tids, Object.values(this.cfg.comms), this.cfg.byName);
        if (noisy.useFormats(this.fmt.formats.values())) this.noisy = noisy;
        this.learning?.followThreads(noisy.threads);
      }
      this.watch = this.control === null ? null : both(this.learning, this.noisy);
    }
    const chunk = await readFrom(this.from, this.pagesOffset, this.chunk);
    this.pagesOffset += chunk.length;
    const layout = this.fmt.layout;
    const watch = this.watch;
    // The parser keeps a copy of a cut tail, never a view into the reused buffer.
    this.parser!.feed(chunk, (_s, page) => (this.events += countPageEvents(page, layout.pageSize, layout, this.counts, watch)));
    // The names left out first: a thread renamed to one of them is not recorded until this lands.
    this.noisy?.review();
    for (const line of this.noisy?.changes() ?? []) this.control!(line);
    const turn = chunk.length > 0 && this.control !== null ? this.learning?.decide() : null;
    if (turn) this.control!(`learn ${turn}`);
  }

  /** How often tcp_rcv_space_adjust was switched off and on (null: never switched). */
  get learningSwitches(): { off: number; on: number } | null {
    return this.learning && this.control ? this.learning.switches : null;
  }

  /** After the helper ended: its last messages, then every page converted to records. */
  async finish(): Promise<{ cutBytes: number }> {
    await this.reading?.catch(() => undefined);
    await this.pass(true);
    this.done = true;
    await this.out?.close();
    this.out = null;
    const fmt = this.fmt ?? (await readHelperFormats(join(this.dir, 'formats')).catch(() => null));
    if (fmt === null) {
      this.notes.push({ level: 'warn', text: 'the ftrace helper wrote no event formats: no records' });
      return { cutBytes: 0 };
    }
    const fd = openSync(this.to, 'a');
    try {
      const r = convertHelperPages(this.from, fmt, this.cfg, fd);
      this.result = r;
      this.notes.push({
        level: 'info',
        text:
          `ftrace: ${r.events} events in ${r.pages} pages -> ${r.converter.records} records` +
          (this.learningSwitches && this.learningSwitches.off > 0 ? `; tcp_rcv_space_adjust switched off ${this.learningSwitches.off} and on ${this.learningSwitches.on} times (${this.learning!.times.slice(0, 6).map((t) => `${t.to} at ${(t.at / 1000).toFixed(1)} s`).join(', ')}${this.learning!.times.length > 6 ? ', ...' : ''}; needed only for connections older than the capture)` : '') +
          (this.noisy === null ? '' : noisyNote(this.noisy)) +
          (r.unresolvedSends > 0 ? `; ${r.unresolvedSends} records on sockets whose 4-tuple was never seen (connections older than the capture, closed unseen): left out, never given another socket's tuple` : ''),
      });
      // Never skipped silently: events of a type the formats do not describe, and events the
      // kernel says it dropped (its per-CPU stats, reported as lost, count them too).
      if (r.unknownEvents > 0) this.notes.push({ level: 'warn', text: `ftrace: ${r.unknownEvents} events of a type the helper did not describe were skipped` });
      if (r.missedInPages > 0) this.notes.push({ level: 'warn', text: `ftrace: pages say at least ${r.missedInPages} events were dropped by the kernel before them (buffer full): see the lost events` });
      return { cutBytes: r.cutBytes };
    } finally {
      closeSync(fd);
    }
  }

  async close(): Promise<void> {
    this.done = true;
    await this.reading?.catch(() => undefined);
    const out = this.out;
    this.out = null;
    await out?.close();
  }
}

/** What the capture's note says of the names left out (noisy-processes.ts). */
function noisyNote(n: NoisyProcesses): string {
  const list = (a: readonly string[]) => `${a.slice(0, 6).join(', ')}${a.length > 6 ? ', ...' : ''}`;
  const back = n.readmitted.length;
  return (
    (n.leftOut.length > 0 ? `; busy processes outside the traced containers left out in the kernel by name: ${list(n.leftOut)}` : '') +
    (back > 0 ? `; ${back} name${back === 1 ? '' : 's'} taken back in because a traced thread took ${back === 1 ? 'it' : 'them'} (${list(n.readmitted)}): that thread's sends and receives between its rename and the filter's rewrite (about a second) may be missing` : '')
  );
}

/** One watch of the page walk for two (either may be absent). */
function both(a: EventWatch | null, b: EventWatch | null): EventWatch | null {
  if (a === null || b === null) return a ?? b;
  return {
    wants: (id) => a.wants(id) || b.wants(id),
    event: (id, page, start) => {
      if (a.wants(id)) a.event(id, page, start);
      if (b.wants(id)) b.event(id, page, start);
    },
  };
}

async function readFrom(path: string, offset: number, into: Buffer | number = 1 << 20): Promise<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = typeof into === 'number' ? Buffer.allocUnsafe(into) : into;
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

