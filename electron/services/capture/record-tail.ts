import { open, type FileHandle } from 'node:fs/promises';
import { Emitter, type Disposable } from './lifecycle.js';

// Follows the raw records file while the capture child writes it, for live figures: records,
// bytes, records per probe, lost events (bpftrace's `Lost N events` lines), the probe count of
// `Attaching N probes...` and our attach marker `@misertrace_attached: <ns>`, which the last
// probe of the script prints once everything is attached. The parse is deliberately light (field
// positions only); the full parse happens once, when the capture is sorted.

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
}

export class RecordTail implements Disposable {
  readonly onAttached = new Emitter<{ probes: number | null; atNs: string }>();
  readonly onLost = new Emitter<number>();
  private fh: FileHandle | null = null;
  private pos = 0;
  private carry: Buffer = Buffer.alloc(0);
  private reading: Promise<void> | null = null;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  readonly figures: TailFigures = {
    bytes: 0,
    lines: 0,
    records: 0,
    byProbe: new Map(),
    lostEvents: 0,
    malformed: 0,
    attachingProbes: null,
    attachedAtNs: null,
  };

  constructor(readonly path: string) {}

  /** Reads what was appended since the last call (one read loop at a time). */
  poll(): Promise<void> {
    this.reading ??= this.readNew().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readNew(): Promise<void> {
    if (this.fh === null) {
      try {
        this.fh = await open(this.path, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // not created yet
        throw e;
      }
    }
    for (;;) {
      const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, this.pos);
      if (bytesRead === 0) return;
      this.pos += bytesRead;
      this.figures.bytes = this.pos;
      // A chunk may end inside a UTF-8 sequence: decode only up to the last newline.
      const chunk = this.carry.length > 0 ? Buffer.concat([this.carry, this.buf.subarray(0, bytesRead)]) : this.buf.subarray(0, bytesRead);
      const nl = chunk.lastIndexOf(10);
      if (nl < 0) {
        this.carry = Buffer.from(chunk);
        continue;
      }
      const text = chunk.toString('utf8', 0, nl);
      this.carry = Buffer.from(chunk.subarray(nl + 1));
      for (const line of text.split('\n')) this.account(line);
    }
  }

  private account(line: string): void {
    const f = this.figures;
    f.lines++;
    if (line === '' || line.trim() === '') return;
    const c = line.charCodeAt(0);
    if (c === 64 /* @ */) {
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
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  dispose(): void {
    void this.close();
    this.onAttached.dispose();
    this.onLost.dispose();
  }
}
