import { Emitter, type Disposable } from '../session/lifecycle.js';
import { EVENTS_LINE } from '../ftrace/ftrace-config.js';
import { LineFollower } from './line-follower.js';

// Follows the raw records file while it is written (by the ftrace child, or by the converter of
// bpftrace's output, bpftrace-output.ts), for live figures: records, bytes, records per probe,
// lost events (`Lost N events` lines), the probe count of `Attaching N probes...` and our attach
// marker `@misertrace_attached: <ns>`, which the last probe of the script prints once everything
// is attached. The parse is deliberately light (field positions only); the full parse happens
// once, when the capture is sorted.

export const ATTACH_MARKER = '@misertrace_attached:';
const ATTACHING = /^Attaching (\d+) probes?\.\.\./;
const LOST = /^Lost (\d+) events/;

export interface TailFigures {
  bytes: number;
  lines: number;
  records: number;
  /** Records per probe name (as printed: `MT:tcp_send`, `tracepoint:sched:sched_migrate_task`). */
  byProbe: Map<string, number>;
  lostEvents: number;
  malformed: number;
  attachingProbes: number | null;
  /** Kernel time (CLOCK_MONOTONIC ns) at which the attach marker fired. */
  attachedAtNs: string | null;
  /** Kernel events so far, by event name, when the child reports them instead of records (ftrace). */
  kernelEvents: number;
  byKernelEvent: Map<string, number>;
  /** Bytes the ftrace child has written to its page spool. */
  spoolBytes: number;
}

export class RecordTail implements Disposable {
  readonly onAttached = new Emitter<{ probes: number | null; atNs: string }>();
  readonly onLost = new Emitter<number>();
  private readonly follower: LineFollower;
  private reading: Promise<void> | null = null;
  readonly figures: TailFigures = {
    bytes: 0,
    lines: 0,
    records: 0,
    byProbe: new Map(),
    lostEvents: 0,
    malformed: 0,
    attachingProbes: null,
    attachedAtNs: null,
    kernelEvents: 0,
    byKernelEvent: new Map(),
    spoolBytes: 0,
  };

  constructor(readonly path: string) {
    this.follower = new LineFollower(path);
  }

  /** Reads what was appended since the last call (one read loop at a time). */
  poll(): Promise<void> {
    this.reading ??= this.readNew().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readNew(): Promise<void> {
    await this.follower.read((lines, end) => this.accountBytes(lines, end));
    this.figures.bytes = this.follower.bytes;
  }

  /**
   * Record lines are counted from their bytes: this runs in the capturing process for every
   * record (~100k a second under load), and a string per line cost a few % of a CPU that the
   * traced application needs. Other lines (ours and bpftrace's) go to account().
   */
  private accountBytes(buf: Buffer, end: number): void {
    const f = this.figures;
    let s = 0;
    while (s < end) {
      let nl = buf.indexOf(10, s);
      if (nl < 0 || nl >= end) nl = end;
      const c = buf[s]!;
      // '@' (markers), 'A' (Attaching), 'L' (Lost), blanks, and records of such comms: the string path.
      if (nl === s || c === 64 || c === 65 || c === 76 || c === 32 || c === 9 || c === 13) {
        this.account(buf.toString('utf8', s, nl));
        s = nl + 1;
        continue;
      }
      f.lines++;
      let p = s - 1;
      for (let k = 0; k < 4 && p < nl; k++) {
        p = buf.indexOf(0x7c, p + 1);
        if (p < 0 || p > nl) p = nl;
      }
      if (p >= nl) {
        f.malformed++;
        s = nl + 1;
        continue;
      }
      let q = buf.indexOf(0x7c, p + 1);
      if (q < 0 || q > nl) q = nl;
      if (buf[p + 1] === 34 && q - p >= 3) {
        p++;
        q--;
      }
      const probe = buf.toString('utf8', p + 1, q);
      f.records++;
      f.byProbe.set(probe, (f.byProbe.get(probe) ?? 0) + 1);
      s = nl + 1;
    }
  }

  private account(line: string): void {
    const f = this.figures;
    f.lines++;
    if (line === '' || line.trim() === '') return;
    const c = line.charCodeAt(0);
    if (c === 64 /* @ */) {
      if (line.startsWith(EVENTS_LINE)) {
        // The ftrace relay's live counts (the records come after the capture, ftrace-relay.ts).
        try {
          const rest = line.slice(EVENTS_LINE.length).trim();
          const sp = rest.indexOf(' ');
          const byName = JSON.parse(rest.slice(sp + 1)) as Record<string, number>;
          f.spoolBytes = Number(rest.slice(0, sp)) || 0;
          f.kernelEvents = Object.values(byName).reduce((a, b) => a + b, 0);
          f.byKernelEvent = new Map(Object.entries(byName));
        } catch {
          f.malformed++;
        }
        return;
      }
      if (line.startsWith(ATTACH_MARKER) && f.attachedAtNs === null) {
        f.attachedAtNs = line.slice(ATTACH_MARKER.length).trim();
        this.onAttached.fire({ probes: f.attachingProbes, atNs: f.attachedAtNs });
      }
      return;
    }
    if (c === 65 /* A */) {
      const m = ATTACHING.exec(line);
      if (m) {
        f.attachingProbes = Number(m[1]);
        return;
      }
    }
    if (c === 76 /* L */) {
      const m = LOST.exec(line);
      if (m) {
        f.lostEvents += Number(m[1]);
        this.onLost.fire(Number(m[1]));
        return;
      }
    }
    let p = -1;
    for (let k = 0; k < 4; k++) {
      p = line.indexOf('|', p + 1);
      if (p < 0) {
        f.malformed++;
        return;
      }
    }
    const e = line.indexOf('|', p + 1);
    let probe = line.slice(p + 1, e < 0 ? line.length : e);
    if (probe.charCodeAt(0) === 34) probe = probe.slice(1, -1);
    f.records++;
    f.byProbe.set(probe, (f.byProbe.get(probe) ?? 0) + 1);
  }

  async close(): Promise<void> {
    await this.reading;
    await this.follower.close();
  }

  dispose(): void {
    void this.close();
    this.onAttached.dispose();
    this.onLost.dispose();
  }
}
