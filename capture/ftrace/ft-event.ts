import type { FieldValue } from './event-format.js';

// One decoded tracefs event as the record conversion sees it (raw-reader.ts hands on a reused
// cursor; tests and eager sources use PlainEvent).

export interface FtEvent {
  /** ns offset from the converter's origin (ns-origin.ts). */
  ts: number;
  cpu: number;
  /** common_pid: the thread that was current. */
  pid: number;
  /** `group:event` */
  name: string;
  /** A field of the payload, decoded on demand (most events need none or a few). */
  get(field: string): FieldValue | undefined;
  /** An integer field as a Number (0 when absent; 64-bit values may round). */
  num(field: string): number;
  /** A pointer field as an exact Number key: its low 53 bits (kernel addresses differ only there). */
  key(field: string): number;
  /** Bytes `at`..`at+3` of an array field as one little-endian u32 (an IPv4 address; 0 when absent). */
  addr(field: string, at?: number): number;
}

/** The low 53 bits of a 64-bit value, exactly. */
export function key53(v: bigint): number {
  return Number(v & 0x1fffffffffffffn);
}

export function fieldNum(v: FieldValue | undefined): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
}

/** An event from plain values (tests, and sources that decode eagerly). */
export class PlainEvent implements FtEvent {
  constructor(
    readonly ts: number,
    readonly cpu: number,
    readonly pid: number,
    readonly name: string,
    private readonly fields: Record<string, FieldValue> = {},
  ) {}

  get(field: string): FieldValue | undefined {
    return this.fields[field];
  }

  num(field: string): number {
    return fieldNum(this.fields[field]);
  }

  key(field: string): number {
    const v = this.fields[field];
    return typeof v === 'bigint' ? key53(v) : typeof v === 'number' ? v : 0;
  }

  addr(field: string, at = 0): number {
    const v = this.fields[field];
    return v instanceof Uint8Array && v.length >= at + 4 ? (v[at]! | (v[at + 1]! << 8) | (v[at + 2]! << 16) | (v[at + 3]! << 24)) >>> 0 : 0;
  }
}
