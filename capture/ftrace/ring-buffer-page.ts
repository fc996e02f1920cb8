import type { NsOrigin } from './ns-origin.js';
import { u16, u32 } from './le-bytes.js';

// One page of a tracefs ring buffer as read from per_cpu/cpuN/trace_pipe_raw (the layout of
// events/header_page and events/header_event): a u64 base timestamp, a commit word (data length,
// plus flags for missed events), then events with a 32-bit header of type_len:5 time_delta:27.
// type_len 1..28: data of type_len*4 bytes; 0: length in the next word; 29: padding; 30: time
// extend; 31: absolute time stamp. Timestamps are exact nanoseconds of the instance's trace_clock.

export interface PageLayout {
  /** Bytes per page (sub-buffer). */
  pageSize: number;
  /** Offset of the commit word. */
  commitOffset: number;
  /** Size of the commit word (8 on 64-bit). */
  commitSize: number;
  /** Offset of the first event. */
  dataOffset: number;
}

export const DEFAULT_LAYOUT: PageLayout = { pageSize: 4096, commitOffset: 8, commitSize: 8, dataOffset: 16 };

/** Reads events/header_page; the page size comes from buffer_subbuf_size_kb when there is one. */
export function parseHeaderPage(text: string, subbufKb: number | null): PageLayout {
  const field = (name: string) => {
    const m = new RegExp(`field:\\s*[^;]*\\b${name};\\s*offset:(\\d+);\\s*size:(\\d+);`).exec(text);
    if (!m) throw new Error(`header_page has no ${name} field`);
    return { offset: Number(m[1]), size: Number(m[2]) };
  };
  const commit = field('commit');
  const data = field('data');
  return { pageSize: subbufKb ? subbufKb * 1024 : data.offset + data.size, commitOffset: commit.offset, commitSize: commit.size, dataOffset: data.offset };
}

const RB_MISSED_EVENTS = 1 << 31;
const RB_MISSED_STORED = 1 << 30;
const TS_UNIT = 2 ** 27;

/** One event of a page: its time (ns offset from the origin) and where its payload is. */
export type OnEvent = (ts: number, start: number, len: number) => void;

/**
 * Walks the events of one page (its first `n` bytes) in order, with exact timestamps as Number
 * offsets from `origin` (ns-origin.ts): BigInt only once per page and for absolute stamps.
 * Returns the events the writer dropped before this page when the kernel says how many, -1 when
 * it only says some were, else 0.
 */
export function walkPage(page: Buffer, n: number, layout: PageLayout, origin: NsOrigin, onEvent: OnEvent): number {
  const base = page.readBigUInt64LE(0);
  origin.seed(base);
  let ts = origin.offset(base);
  const commitWord = layout.commitSize === 8 ? Number(page.readBigUInt64LE(layout.commitOffset) & 0xffffffffn) : u32(page, layout.commitOffset);
  const flags = commitWord & (RB_MISSED_EVENTS | RB_MISSED_STORED);
  const length = commitWord & ~(RB_MISSED_EVENTS | RB_MISSED_STORED) & 0x7fffffff;
  const end = Math.min(layout.dataOffset + length, n);
  let missed = 0;
  if (flags & RB_MISSED_EVENTS) {
    missed = -1;
    if (flags & RB_MISSED_STORED && end + 8 <= n) missed = Number(page.readBigUInt64LE(end));
  }
  let p = layout.dataOffset;
  while (p + 4 <= end) {
    const head = u32(page, p);
    const typeLen = head & 0x1f;
    const delta = head >>> 5;
    if (typeLen === 29) {
      // Padding (a discarded event, or the rest of the page when time_delta is 0). The kernel's
      // own reader does not advance the clock for it.
      if (delta === 0) break;
      p += 4 + u32(page, p + 4);
      continue;
    }
    if (typeLen === 30) {
      ts += u32(page, p + 4) * TS_UNIT + delta;
      p += 8;
      continue;
    }
    if (typeLen === 31) {
      ts = origin.offset((BigInt(u32(page, p + 4)) << 27n) | BigInt(delta));
      p += 8;
      continue;
    }
    ts += delta;
    let len: number;
    let start: number;
    if (typeLen === 0) {
      len = u32(page, p + 4) - 4;
      start = p + 8;
    } else {
      len = typeLen * 4;
      start = p + 4;
    }
    if (len < 0 || start + len > end) break;
    onEvent(ts, start, len);
    p = start + ((len + 3) & ~3);
  }
  return missed;
}

/** Events of some types looked at while counting (tuple-learning.ts): payload at `start`. */
export interface EventWatch {
  wants(id: number): boolean;
  event(id: number, page: Buffer, start: number): void;
}

/**
 * Counts the events of one page by type id into `counts` (indexed by id), without their times:
 * the live figures of a capture (ftrace-relay.ts) need only how many of each, and this runs on the
 * machine being measured. `watch` sees the events of the types it wants. Returns the number of
 * events counted.
 */
export function countPageEvents(page: Buffer, n: number, layout: PageLayout, counts: Float64Array, watch: EventWatch | null = null): number {
  const commitWord = u32(page, layout.commitOffset);
  const end = Math.min(layout.dataOffset + (commitWord & ~(RB_MISSED_EVENTS | RB_MISSED_STORED) & 0x7fffffff), n);
  let events = 0;
  let p = layout.dataOffset;
  while (p + 4 <= end) {
    const head = u32(page, p);
    const typeLen = head & 0x1f;
    if (typeLen === 29) {
      if (head >>> 5 === 0) break;
      p += 4 + u32(page, p + 4);
      continue;
    }
    if (typeLen >= 30) {
      p += 8;
      continue;
    }
    const start = typeLen === 0 ? p + 8 : p + 4;
    const len = typeLen === 0 ? u32(page, p + 4) - 4 : typeLen * 4;
    if (len < 0 || start + len > end) break;
    if (len >= 8) {
      const id = u16(page, start);
      counts[id]!++;
      events++;
      if (watch !== null && watch.wants(id)) watch.event(id, page, start);
    }
    p = start + ((len + 3) & ~3);
  }
  return events;
}
