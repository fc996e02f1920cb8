import { openSync, readFileSync, writeSync } from 'node:fs';
import type { EventFormat } from './event-format.js';
import type { FtraceChildConfig } from './ftrace-config.js';
import type { RawReader } from './raw-reader.js';
import type { PageLayout } from './ring-buffer-page.js';

// A recording of the raw pages a capture read (MISERTRACE_FTRACE_TEE=file for the ftrace child),
// so that the reader and converter can be measured on real events, again and again, without a
// kernel or a load (bench/ftrace-replay.ts). File: one JSON header line, then per page
// u16 stream | u32 length | the page's bytes.

export interface TeeHeader {
  layout: PageLayout;
  cpus: number[];
  formats: { id: number; name: string; fields: [string, EventFormat['fields'] extends Map<string, infer F> ? F : never][] }[];
  config: Pick<FtraceChildConfig, 'tids' | 'comms' | 'syscalls'>;
}

export function teePages(path: string, reader: RawReader, layout: PageLayout, formats: ReadonlyMap<number, EventFormat>, cfg: FtraceChildConfig): void {
  const fd = openSync(path, 'w', 0o600);
  const header: TeeHeader = {
    layout,
    cpus: reader.streamCpus,
    formats: [...formats.values()].map((f) => ({ id: f.id, name: f.name, fields: [...f.fields] })),
    config: { tids: cfg.tids, comms: cfg.comms, syscalls: cfg.syscalls },
  };
  writeSync(fd, `${JSON.stringify(header)}\n`);
  const head = Buffer.alloc(6);
  reader.tee = (stream, page, n) => {
    head.writeUInt16LE(stream, 0);
    head.writeUInt32LE(n, 2);
    writeSync(fd, head);
    writeSync(fd, page, 0, n);
  };
}

export interface TeePage {
  stream: number;
  page: Buffer;
}

export function readTee(path: string): { header: TeeHeader; pages: TeePage[] } {
  const all = readFileSync(path);
  const nl = all.indexOf(10);
  const header = JSON.parse(all.toString('utf8', 0, nl)) as TeeHeader;
  const pages: TeePage[] = [];
  for (let p = nl + 1; p + 6 <= all.length; ) {
    const stream = all.readUInt16LE(p);
    const n = all.readUInt32LE(p + 2);
    pages.push({ stream, page: all.subarray(p + 6, p + 6 + n) });
    p += 6 + n;
  }
  return { header, pages };
}

export function teeFormats(h: TeeHeader): Map<number, EventFormat> {
  return new Map(h.formats.map((f) => [f.id, { id: f.id, name: f.name, fields: new Map(f.fields) }]));
}
