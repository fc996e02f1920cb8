import { closeSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { EventFormat } from './event-format.js';
import type { FtraceChildConfig } from './ftrace-config.js';
import { RawReader } from './raw-reader.js';
import { RecordConverter, type ConverterStats } from './record-converter.js';
import { ByteSink } from './record-sink.js';
import type { PageLayout } from './ring-buffer-page.js';

// The ftrace child's page spool (docs/adr/0022): during the capture the child only copies the
// ring buffers' pages to this file, with a mark per read round; the pages are decoded, merged
// and converted to records after the child stopped, off the CPUs the traced application needs
// while it runs (as perf and trace-cmd record do). Replaying the marks releases events exactly
// as the child would have released them live: the same records.
// File: one JSON header line, then entries `u16 tag | u32 length | bytes`: tag < 0xffff is a page
// of that stream; tag 0xffff is a round mark whose 8 bytes are the round's start (CLOCK_MONOTONIC
// ns), all ones for the final mark (release everything).

/** Events older than this before a read round started are surely all read. */
export const WATERMARK_LAG_NS = 20_000_000;
const ROUND = 0xffff;
const FINAL = 0xffffffffffffffffn;

export interface SpoolHeader {
  layout: PageLayout;
  cpus: number[];
  formats: { id: number; name: string; fields: [string, EventFormat['fields'] extends Map<string, infer F> ? F : never][] }[];
  config: Pick<FtraceChildConfig, 'tids' | 'comms' | 'syscalls' | 'set'>;
}

export class PageSpool {
  /** Entries of the current round, written with one syscall at the round's mark (a write per page cost the child a syscall per 4 KiB). */
  private slab = Buffer.allocUnsafe(256 << 10);
  private used = 0;
  /** Bytes written so far (and queued for the next write). */
  bytes = 0;
  private constructor(private readonly fd: number) {}

  static create(path: string, header: SpoolHeader): PageSpool {
    // Readable by the (unprivileged) session that converts it, like the records file.
    const fd = openSync(path, 'w', 0o644);
    writeSync(fd, `${JSON.stringify(header)}\n`);
    return new PageSpool(fd);
  }

  private reserve(n: number): number {
    if (this.used + n > this.slab.length) {
      this.flush();
      if (n > this.slab.length) this.slab = Buffer.allocUnsafe(n);
    }
    const at = this.used;
    this.used += n;
    this.bytes += n;
    return at;
  }

  page(stream: number, page: Buffer, n: number): void {
    const at = this.reserve(6 + n);
    this.slab.writeUInt16LE(stream, at);
    this.slab.writeUInt32LE(n, at + 2);
    page.copy(this.slab, at + 6, 0, n);
  }

  /** A read round started at `startNs` (null: the last round, after tracing stopped); writes the round out. */
  round(startNs: bigint | null): void {
    const at = this.reserve(14);
    this.slab.writeUInt16LE(ROUND, at);
    this.slab.writeUInt32LE(8, at + 2);
    this.slab.writeBigUInt64LE(startNs ?? FINAL, at + 6);
    this.flush();
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.slab, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export function spoolHeader(reader: RawReader, layout: PageLayout, formats: ReadonlyMap<number, EventFormat>, cfg: FtraceChildConfig): SpoolHeader {
  return {
    layout,
    cpus: reader.streamCpus,
    formats: [...formats.values()].map((f) => ({ id: f.id, name: f.name, fields: [...f.fields] })),
    config: { tids: cfg.tids, comms: cfg.comms, syscalls: cfg.syscalls, ...(cfg.set ? { set: cfg.set } : {}) },
  };
}

export function spoolFormats(h: SpoolHeader): Map<number, EventFormat> {
  return new Map(h.formats.map((f) => [f.id, { id: f.id, name: f.name, fields: new Map(f.fields) }]));
}

export interface SpoolReplay {
  pages: number;
  events: number;
  converter: ConverterStats;
  unresolvedSends: number;
  /** Bytes at the end that were not a whole entry (the child was killed mid-write). */
  cutBytes: number;
  /** Events whose type the spool's header does not describe (skipped, counted). */
  unknownEvents: number;
  /** Events the kernel marked missing in page headers (dropped before those pages; a page that says only "some" counts 1). */
  missedInPages: number;
  /** Events converted after a later one (read after their round's watermark): their socket joins may be wrong. */
  outOfOrder: number;
}

/**
 * Converts a spool to record lines appended to `recordsFd`, reading it in chunks: memory holds
 * the pages of about one round.
 */
export async function replaySpool(path: string, recordsFd: number): Promise<SpoolReplay> {
  const fh = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let pos = 0;
    let header: SpoolHeader | null = null;
    let reader: RawReader | null = null;
    let converter: RecordConverter | null = null;
    let sink: ByteSink | null = null;
    const feed = (e: Parameters<RecordConverter['feed']>[0]) => converter!.feed(e);
    for (;;) {
      // A fresh chunk each time: queued events keep views into its pages until released.
      const chunk = Buffer.allocUnsafe(4 << 20);
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let p = 0;
      if (header === null) {
        const nl = buf.indexOf(10);
        if (nl < 0) {
          carry = Buffer.from(buf);
          continue;
        }
        header = JSON.parse(buf.toString('utf8', 0, nl)) as SpoolHeader;
        reader = RawReader.forPages(header.cpus, header.layout, spoolFormats(header));
        sink = new ByteSink(recordsFd, reader.origin);
        converter = new RecordConverter({
          syscalls: header.config.syscalls,
          comms: new Map(Object.entries(header.config.comms).map(([k, v]) => [Number(k), v])),
          tids: header.config.tids,
          ...(header.config.set ? { set: header.config.set } : {}),
          sink,
          origin: reader.origin,
        });
        p = nl + 1;
      }
      while (p + 6 <= buf.length) {
        const tag = buf.readUInt16LE(p);
        const n = buf.readUInt32LE(p + 2);
        if (p + 6 + n > buf.length) break;
        const body = buf.subarray(p + 6, p + 6 + n);
        if (tag === ROUND) {
          const start = body.readBigUInt64LE(0);
          if (start === FINAL) reader!.release(null, feed);
          else if (reader!.origin.ready) reader!.release(reader!.origin.offset(start) - WATERMARK_LAG_NS, feed);
          sink!.flush();
        } else reader!.ingest(tag, body, n);
        p += 6 + n;
      }
      carry = Buffer.from(buf.subarray(p));
    }
    if (header === null || reader === null || converter === null || sink === null) throw new Error(`${path} is not a page spool (no header)`);
    // A spool cut short (child killed): what was read is still released and converted.
    reader.release(null, feed);
    converter.finish();
    sink.flush();
    return {
      pages: reader.stats.pages,
      events: reader.stats.events,
      converter: converter.stats,
      unresolvedSends: converter.unresolvedSends,
      cutBytes: carry.length,
      unknownEvents: reader.stats.unknownEvents,
      missedInPages: reader.stats.missedInPages,
      outOfOrder: reader.stats.outOfOrder,
    };
  } finally {
    await fh.close();
  }
}
