import { close, constants, open, read } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MinHeap } from '../../../../engine/node/min-heap.js';
import { readField, type EventFormat, type FieldValue } from './event-format.js';
import type { FtEvent } from './record-converter.js';
import { parsePage, type PageLayout } from './ring-buffer-page.js';
import type { TracefsInstance } from './tracefs-instance.js';

// Reads the binary per-CPU ring buffers (per_cpu/cpuN/trace_pipe_raw) of one or more tracefs
// instances without blocking, decodes the events with their formats, and hands them on in
// global time order: a k-way merge of the per-CPU streams, released up to a watermark below
// which every stream has been read (all instances use the same clock).

const openP = promisify(open);
const readP = promisify(read);
const closeP = promisify(close);

/** An event whose fields are decoded only when asked for. */
class RawEvent implements FtEvent {
  readonly name: string;
  constructor(
    readonly ts: bigint,
    readonly cpu: number,
    readonly pid: number,
    private readonly fmt: EventFormat,
    private readonly data: Buffer,
  ) {
    this.name = fmt.name;
  }

  get(field: string): FieldValue | undefined {
    const f = this.fmt.fields.get(field);
    return f && f.offset + f.size <= this.data.length ? readField(this.data, f) : undefined;
  }
}

interface Stream {
  cpu: number;
  fd: number;
  queue: FtEvent[];
  head: number;
}

export interface ReaderStats {
  pages: number;
  events: number;
  unknownEvents: number;
  /** Events the kernel reported missing in page headers (-1 counted as 1). */
  missedInPages: number;
}

export class RawReader {
  readonly stats: ReaderStats = { pages: 0, events: 0, unknownEvents: 0, missedInPages: 0 };
  private readonly streams: Stream[] = [];
  private readonly heap: MinHeap;

  private constructor(
    private readonly layout: PageLayout,
    private readonly formats: ReadonlyMap<number, EventFormat>,
  ) {
    this.heap = new MinHeap((a, b) => {
      const ea = this.streams[a]!;
      const eb = this.streams[b]!;
      const ta = ea.queue[ea.head]!.ts;
      const tb = eb.queue[eb.head]!.ts;
      return ta < tb || (ta === tb && a < b);
    });
  }

  static async open(instances: readonly TracefsInstance[], layout: PageLayout, formats: ReadonlyMap<number, EventFormat>): Promise<RawReader> {
    const r = new RawReader(layout, formats);
    try {
      for (const inst of instances) {
        for (const cpu of await inst.cpuFiles()) {
          const fd = await openP(join(inst.dir, 'per_cpu', `cpu${cpu}`, 'trace_pipe_raw'), constants.O_RDONLY | constants.O_NONBLOCK);
          r.streams.push({ cpu, fd, queue: [], head: 0 });
        }
      }
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  /** Reads every CPU buffer until it is empty right now. */
  async readAvailable(): Promise<void> {
    for (let i = 0; i < this.streams.length; i++) {
      const s = this.streams[i]!;
      const wasEmpty = s.head >= s.queue.length;
      for (;;) {
        // A fresh buffer per page: decoded events keep views into it.
        const page = Buffer.alloc(this.layout.pageSize);
        let n: number;
        try {
          n = (await readP(s.fd, page, 0, page.length, null)).bytesRead;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw e;
        }
        if (n === 0) break;
        this.stats.pages++;
        const parsed = parsePage(page.subarray(0, n), this.layout);
        if (parsed.missed !== 0) this.stats.missedInPages += Math.max(1, parsed.missed);
        for (const raw of parsed.events) {
          const e = this.decode(raw.ts, s.cpu, raw.data);
          if (e) s.queue.push(e);
        }
      }
      if (wasEmpty && s.head < s.queue.length) this.heap.push(i);
    }
  }

  private decode(ts: bigint, cpu: number, data: Buffer): FtEvent | null {
    if (data.length < 8) return null;
    const fmt = this.formats.get(data.readUInt16LE(0));
    if (!fmt) {
      this.stats.unknownEvents++;
      return null;
    }
    this.stats.events++;
    return new RawEvent(ts, cpu, data.readInt32LE(4), fmt, data);
  }

  /** Hands on, in time order, every event at or below the watermark (all events when null). */
  release(watermark: bigint | null, feed: (e: FtEvent) => void): void {
    while (this.heap.size > 0) {
      const i = this.heap.peek();
      const s = this.streams[i]!;
      const e = s.queue[s.head]!;
      if (watermark !== null && e.ts > watermark) return;
      feed(e);
      s.head++;
      if (s.head >= s.queue.length) {
        s.queue = [];
        s.head = 0;
        this.heap.pop();
      } else {
        if (s.head > 4096) {
          s.queue = s.queue.slice(s.head);
          s.head = 0;
        }
        this.heap.replaceTop(i);
      }
    }
  }

  async close(): Promise<void> {
    const fds = this.streams.splice(0).map((s) => s.fd);
    await Promise.all(fds.map((fd) => closeP(fd).catch(() => undefined)));
  }
}
