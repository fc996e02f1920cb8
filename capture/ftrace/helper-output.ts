import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { MinHeap } from '../../engine/records/min-heap.js';
import { parseEventFormat, type EventFormat } from './event-format.js';
import { PageWindow } from './page-window.js';
import type { FtraceChildConfig } from './ftrace-config.js';
import { RawReader } from './raw-reader.js';
import { RecordConverter, type ConverterOptions, type ConverterStats } from './record-converter.js';
import { ByteSink } from './record-sink.js';
import { parseHeaderPage, type PageLayout } from './ring-buffer-page.js';

// What the root helper (misertrace-ftrace-helper.sh) leaves in the work folder, read without
// privileges: `formats` (the page layout and each event's tracefs format) and `pages`, the raw
// ring-buffer pages of every stream (instance and CPU), each run of one stream's pages after a
// line `MTSTREAM <instance> <cpu>`. Each stream's pages are in time order; the conversion merges
// the streams by page time (a page's events are never older than its base timestamp), so memory
// holds about one page per stream beyond what it released.

const MARKER = Buffer.from('MTSTREAM ');

export interface HelperFormats {
  layout: PageLayout;
  formats: Map<number, EventFormat>;
  /** Events the kernel of the capture does not have. */
  missing: string[];
}

export function parseHelperFormats(text: string): HelperFormats {
  const sections = text.split(/^#(format|missing) (\S+)\n?/m);
  const subbuf = Number(/^subbuf_kb (\d+)/m.exec(sections[0] ?? '')?.[1] ?? 0);
  let layout: PageLayout | null = null;
  const formats = new Map<number, EventFormat>();
  const missing: string[] = [];
  for (let i = 1; i + 2 < sections.length + 1; i += 3) {
    const [kind, name, body] = [sections[i]!, sections[i + 1]!, sections[i + 2] ?? ''];
    if (kind === 'missing') missing.push(name);
    else if (name === 'header_page') layout = parseHeaderPage(body, subbuf > 0 ? subbuf : null);
    else {
      const f = parseEventFormat(body, name);
      formats.set(f.id, f);
    }
  }
  if (layout === null) throw new Error('the helper wrote no page layout (header_page)');
  return { layout, formats, missing };
}

export async function readHelperFormats(path: string): Promise<HelperFormats> {
  return parseHelperFormats(await readFile(path, 'utf8'));
}

/** Splits the `pages` file as it grows: stream markers and whole pages; keeps a cut tail for the next call. */
export class PageStreamParser {
  private carry: Buffer = Buffer.alloc(0);
  /** Bytes consumed so far (whole entries). */
  offset = 0;
  private current = -1;
  readonly streams: { key: string; cpu: number }[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly pageSize: number) {}

  /** Feeds the next bytes; calls onPage(stream, page, fileOffset) for each whole page. */
  feed(chunk: Buffer, onPage: (stream: number, page: Buffer, at: number) => void): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let p = 0;
    for (;;) {
      if (buf.length - p >= MARKER.length && buf.compare(MARKER, 0, MARKER.length, p, p + MARKER.length) === 0) {
        const nl = buf.indexOf(10, p);
        if (nl < 0) break;
        const key = buf.toString('latin1', p + MARKER.length, nl);
        let i = this.index.get(key);
        if (i === undefined) {
          i = this.streams.length;
          this.index.set(key, i);
          this.streams.push({ key, cpu: Number(key.split(' ')[1] ?? 0) });
        }
        this.current = i;
        p = nl + 1;
        continue;
      }
      if (buf.length - p < this.pageSize) break;
      if (this.current < 0) throw new Error(`pages before any stream marker at byte ${this.offset + p}`);
      onPage(this.current, buf.subarray(p, p + this.pageSize), this.offset + p);
      p += this.pageSize;
    }
    this.offset += p;
    this.carry = Buffer.from(buf.subarray(p));
  }

  /** Bytes at the end that were not a whole entry. */
  get cutBytes(): number {
    return this.carry.length;
  }
}

/** What the conversion needs of the launch's configuration (ftrace-config.json). */
export type HelperConfig = Pick<FtraceChildConfig, 'tids' | 'comms' | 'syscalls' | 'byName'> & { set?: string };

export interface HelperReplay {
  pages: number;
  events: number;
  converter: ConverterStats;
  unresolvedSends: number;
  cutBytes: number;
  unknownEvents: number;
  missedInPages: number;
}

/** Converts the helper's pages to record lines appended to `recordsFd`, in time order. */
export function convertHelperPages(pagesPath: string, fmt: HelperFormats, cfg: HelperConfig, recordsFd: number): HelperReplay {
  const fd = openSync(pagesPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const pageSize = fmt.layout.pageSize;
    // Pass 1: where each stream's pages are.
    const parser = new PageStreamParser(pageSize);
    const offsets: number[][] = [];
    const chunk = Buffer.allocUnsafe(4 << 20);
    for (let pos = 0; pos < size; ) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      pos += n;
      parser.feed(chunk.subarray(0, n), (s, _page, at) => (offsets[s] ??= []).push(at));
    }
    const cpus = parser.streams.map((s) => s.cpu);
    const reader = RawReader.forPages(cpus, fmt.layout, fmt.formats);
    const sink = new ByteSink(recordsFd, reader.origin);
    const converter = new RecordConverter({
      syscalls: cfg.syscalls,
      comms: new Map(Object.entries(cfg.comms).map(([k, v]) => [Number(k), v])),
      tids: cfg.tids,
      sink,
      origin: reader.origin,
      ...(cfg.set !== undefined ? { set: cfg.set } : {}),
    } as ConverterOptions);
    const feed = (e: Parameters<RecordConverter['feed']>[0]) => converter.feed(e);
    // Pass 2: a k-way merge by page base time.
    const next = cpus.map(() => 0);
    const windows = cpus.map(() => new PageWindow(fd, pageSize));
    const pageOf = (s: number): Buffer => windows[s]!.page(offsets[s]![next[s]!]!);
    const baseOf = (s: number): bigint => pageOf(s).readBigUInt64LE(0);
    const bases: bigint[] = cpus.map((_c, s) => ((offsets[s]?.length ?? 0) > 0 ? baseOf(s) : 0n));
    const live = cpus.map((_c, s) => s).filter((s) => (offsets[s]?.length ?? 0) > 0);
    if (live.length > 0) reader.origin.seed(live.map((s) => bases[s]!).reduce((a, b) => (b < a ? b : a)));
    const heap = new MinHeap((a, b) => bases[a]! < bases[b]! || (bases[a] === bases[b] && a < b));
    for (const s of live) heap.push(s);
    while (heap.size > 0) {
      const s = heap.peek();
      reader.ingest(s, pageOf(s), pageSize);
      next[s]!++;
      if (next[s]! < offsets[s]!.length) {
        bases[s] = baseOf(s);
        heap.replaceTop(s);
      } else heap.pop();
      // Every page still to come starts at or after the smallest next base: what is older is final.
      if (heap.size > 0) reader.release(reader.origin.offset(bases[heap.peek()]!) - 1, feed);
    }
    reader.release(null, feed);
    sink.flush();
    return {
      pages: reader.stats.pages,
      events: reader.stats.events,
      converter: converter.stats,
      unresolvedSends: converter.unresolvedSends,
      cutBytes: parser.cutBytes,
      unknownEvents: reader.stats.unknownEvents,
      missedInPages: reader.stats.missedInPages,
    };
  } finally {
    closeSync(fd);
  }
}
