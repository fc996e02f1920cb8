import { close, constants, open, readSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MinHeap } from '../../engine/records/min-heap.js';
import { readField, type EventFormat, type FieldValue } from './event-format.js';
import { NsOrigin } from './ns-origin.js';
import type { FtEvent } from './ft-event.js';
import { walkPage, type PageLayout } from './ring-buffer-page.js';
import type { TracefsInstance } from './tracefs-instance.js';
import { i16, i32, u16, u32 } from './le-bytes.js';

// Reads the binary per-CPU ring buffers (per_cpu/cpuN/trace_pipe_raw) of one or more tracefs
// instances without blocking (readPagesSync: the live kernel test reads real pages with it),
// and hands events on in global time order: a k-way merge of the per-CPU streams, released up to
// a watermark below which every stream has been read (all instances use the same clock; the
// conversion of the root helper's pages feeds them through ingest, helper-output.ts). Converting runs for every event of a capture, so it
// avoids work per event: Number timestamps (ns-origin.ts), events queued as columns, fields
// decoded only when the converter asks for them, straight from the page.

const openP = promisify(open);
const closeP = promisify(close);

/**
 * The event at the head of a stream, as the converter sees it: one reused object per stream
 * (nothing is allocated per event), fields decoded only when asked for, from the page it came in.
 * The converter does not keep it after feed returns.
 */
class Cursor implements FtEvent {
  ts = 0;
  pid = 0;
  name = '';
  private fmt: EventFormat | null = null;
  private page: Buffer = Buffer.alloc(0);
  private start = 0;
  private len = 0;
  constructor(readonly cpu: number) {}

  load(q: EventQueue, i: number): this {
    this.ts = q.ts[i]!;
    this.pid = q.pid[i]!;
    this.fmt = q.fmt[i]!;
    this.name = this.fmt.name;
    this.page = q.page[i]!;
    this.start = q.start[i]!;
    this.len = q.len[i]!;
    return this;
  }

  get(field: string): FieldValue | undefined {
    const f = this.fmt?.fields.get(field);
    return f && f.offset + f.size <= this.len ? readField(this.page, f, this.start) : undefined;
  }

  num(field: string): number {
    const f = this.fmt?.fields.get(field);
    if (!f || f.offset + f.size > this.len || f.arrayLength > 0) return 0;
    const at = this.start + f.offset;
    const p = this.page;
    switch (f.size) {
      case 1:
        return f.signed ? p.readInt8(at) : p[at]!;
      case 2:
        return f.signed ? i16(p, at) : u16(p, at);
      case 4:
        return f.signed ? i32(p, at) : u32(p, at);
      case 8:
        return (f.signed ? i32(p, at + 4) : u32(p, at + 4)) * P32 + u32(p, at);
      default:
        return 0;
    }
  }

  key(field: string): number {
    const f = this.fmt?.fields.get(field);
    if (!f || f.size !== 8 || f.offset + 8 > this.len) return 0;
    const at = this.start + f.offset;
    // Bits 0-52: the low word and 21 bits of the high one, exactly.
    return (u32(this.page, at + 4) & 0x1fffff) * P32 + u32(this.page, at);
  }

  addr(field: string, at = 0): number {
    const f = this.fmt?.fields.get(field);
    if (!f || at + 4 > f.size || f.offset + f.size > this.len) return 0;
    return u32(this.page, this.start + f.offset + at);
  }
}

const P32 = 2 ** 32;

/** A stream's undelivered events: a ring of columns (a busy capture reads ~100k events a second). */
class EventQueue {
  private mask = 1023;
  ts = new Float64Array(1024);
  pid = new Int32Array(1024);
  start = new Int32Array(1024);
  len = new Int32Array(1024);
  fmt: (EventFormat | undefined)[] = new Array<EventFormat | undefined>(1024);
  page: (Buffer | undefined)[] = new Array<Buffer | undefined>(1024);
  /** Index of the first event (masked when used); `count` events follow it. */
  private first = 0;
  count = 0;

  get empty(): boolean {
    return this.count === 0;
  }

  /** Slot of the first event. */
  get head(): number {
    return this.first;
  }

  push(ts: number, pid: number, fmt: EventFormat, page: Buffer, start: number, len: number): void {
    if (this.count > this.mask) this.grow();
    const i = (this.first + this.count++) & this.mask;
    this.ts[i] = ts;
    this.pid[i] = pid;
    this.start[i] = start;
    this.len[i] = len;
    this.fmt[i] = fmt;
    this.page[i] = page;
  }

  shift(): void {
    // Drop the page reference so a page can go once all its events are delivered.
    this.page[this.first] = undefined;
    this.first = (this.first + 1) & this.mask;
    this.count--;
  }

  private grow(): void {
    const n = (this.mask + 1) * 2;
    const order = Array.from({ length: this.count }, (_, k) => (this.first + k) & this.mask);
    const pick = <T extends Float64Array | Int32Array>(a: T, b: T): T => {
      order.forEach((from, k) => (b[k] = a[from]!));
      return b;
    };
    this.ts = pick(this.ts, new Float64Array(n));
    this.pid = pick(this.pid, new Int32Array(n));
    this.start = pick(this.start, new Int32Array(n));
    this.len = pick(this.len, new Int32Array(n));
    const fmt = new Array<EventFormat | undefined>(n);
    const page = new Array<Buffer | undefined>(n);
    order.forEach((from, k) => {
      fmt[k] = this.fmt[from];
      page[k] = this.page[from];
    });
    this.fmt = fmt;
    this.page = page;
    this.first = 0;
    this.mask = n - 1;
  }
}

interface Stream {
  cpu: number;
  fd: number;
  queue: EventQueue;
  cursor: Cursor;
}

export interface ReaderStats {
  pages: number;
  events: number;
  unknownEvents: number;
  /** Events the kernel reported missing in page headers (-1 counted as 1). */
  missedInPages: number;
  /** Events handed on after a later one (their page was read after the watermark passed them). */
  outOfOrder: number;
}

export class RawReader {
  readonly stats: ReaderStats = { pages: 0, events: 0, unknownEvents: 0, missedInPages: 0, outOfOrder: 0 };
  private lastReleased = -Infinity;
  /** Origin of the events' Number timestamps, set by the first page read. */
  readonly origin = new NsOrigin();
  private readonly streams: Stream[] = [];
  private readonly heap: MinHeap;

  private constructor(
    private readonly layout: PageLayout,
    private readonly formats: ReadonlyMap<number, EventFormat>,
  ) {
    this.heap = new MinHeap((a, b) => {
      const qa = this.streams[a]!.queue;
      const qb = this.streams[b]!.queue;
      const ta = qa.ts[qa.head]!;
      const tb = qb.ts[qb.head]!;
      return ta < tb || (ta === tb && a < b);
    });
  }

  static async open(instances: readonly TracefsInstance[], layout: PageLayout, formats: ReadonlyMap<number, EventFormat>): Promise<RawReader> {
    const r = new RawReader(layout, formats);
    try {
      for (const inst of instances) {
        for (const cpu of await inst.cpuFiles()) {
          const fd = await openP(join(inst.dir, 'per_cpu', `cpu${cpu}`, 'trace_pipe_raw'), constants.O_RDONLY | constants.O_NONBLOCK);
          r.streams.push({ cpu, fd, queue: new EventQueue(), cursor: new Cursor(cpu) });
        }
      }
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  /**
   * Reads every CPU buffer until it is empty right now, handing each page on as it is. The page
   * buffer is reused for the next read: onPage must copy what it keeps (the capture child writes
   * it to the spool), so reading allocates nothing.
   */
  readPagesSync(onPage: (stream: number, page: Buffer, n: number) => void): void {
    const page = (this.scratch ??= Buffer.allocUnsafe(this.layout.pageSize));
    for (let i = 0; i < this.streams.length; i++) {
      const s = this.streams[i]!;
      for (;;) {
        let n: number;
        try {
          n = readSync(s.fd, page, 0, page.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw e;
        }
        if (n === 0) break;
        onPage(i, page, n);
      }
    }
  }

  private scratch: Buffer | null = null;

  /** The CPU of each stream, in stream order. */
  get streamCpus(): number[] {
    return this.streams.map((s) => s.cpu);
  }

  /** Counts the events of one page by format id, without decoding them (live figures). */
  countEvents(page: Buffer, n: number, counts: Map<number, number>): number {
    let events = 0;
    walkPage(page, n, this.layout, this.origin, (_ts, start, len) => {
      if (len < 8) return;
      const id = u16(page, start);
      counts.set(id, (counts.get(id) ?? 0) + 1);
      events++;
    });
    this.stats.pages++;
    this.stats.events += events;
    return events;
  }

  /** Queues the events of one page read from stream `i`. */
  ingest(i: number, page: Buffer, n: number): void {
    const queue = this.streams[i]!.queue;
    const wasEmpty = queue.empty;
    this.stats.pages++;
    const missed = walkPage(page, n, this.layout, this.origin, (ts, start, len) => {
      if (len < 8) return;
      const fmt = this.formats.get(u16(page, start));
      if (!fmt) {
        this.stats.unknownEvents++;
        return;
      }
      this.stats.events++;
      queue.push(ts, i32(page, start + 4), fmt, page, start, len);
    });
    if (missed !== 0) this.stats.missedInPages += Math.max(1, missed);
    if (wasEmpty && !queue.empty) this.heap.push(i);
  }

  /** A reader fed by ingest() alone (replays of recorded pages): one stream per CPU given. */
  static forPages(cpus: readonly number[], layout: PageLayout, formats: ReadonlyMap<number, EventFormat>): RawReader {
    const r = new RawReader(layout, formats);
    for (const cpu of cpus) r.streams.push({ cpu, fd: -1, queue: new EventQueue(), cursor: new Cursor(cpu) });
    return r;
  }

  /** Hands on, in time order, every event at or below the watermark (ns offset; all events when null). */
  release(watermark: number | null, feed: (e: FtEvent) => void): void {
    while (this.heap.size > 0) {
      const i = this.heap.peek();
      const s = this.streams[i]!;
      const q = s.queue;
      const ts = q.ts[q.head]!;
      if (watermark !== null && ts > watermark) return;
      if (ts < this.lastReleased) this.stats.outOfOrder++;
      else this.lastReleased = ts;
      feed(s.cursor.load(q, q.head));
      q.shift();
      if (q.empty) this.heap.pop();
      else this.heap.replaceTop(i);
    }
  }

  async close(): Promise<void> {
    const fds = this.streams.splice(0).map((s) => s.fd).filter((fd) => fd >= 0);
    await Promise.all(fds.map((fd) => closeP(fd).catch(() => undefined)));
  }
}
