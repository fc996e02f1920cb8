import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventFormat, readEventFormat, readField } from '../../capture/ftrace/event-format.js';
import { RawReader } from '../../capture/ftrace/raw-reader.js';
import { NsOrigin } from '../../capture/ftrace/ns-origin.js';
import { countPageEvents, DEFAULT_LAYOUT, parseHeaderPage, walkPage } from '../../capture/ftrace/ring-buffer-page.js';
import { TracefsInstance } from '../../capture/ftrace/tracefs-instance.js';
import { detectKernelFeatures } from '../../capture/probes/kernel-features.js';

const features = await detectKernelFeatures();
const tracefs = features.uid === 0 && features.tracefs.readable ? features.tracefs.path : null;
if (!tracefs) console.warn('[skip] reading a real tracefs ring buffer: needs root and a mounted tracefs');

/** A page as the kernel writes it: header, then events with 32-bit headers. */
function page(base: bigint, events: { delta: number; payload?: Buffer; extend?: bigint; abs?: bigint; pad?: number }[], missed?: number): Buffer {
  const p = Buffer.alloc(4096);
  p.writeBigUInt64LE(base, 0);
  let o = 16;
  for (const e of events) {
    if (e.extend !== undefined) {
      p.writeUInt32LE(30 | (Number(e.extend & 0x7ffffffn) << 5), o);
      p.writeUInt32LE(Number(e.extend >> 27n), o + 4);
      o += 8;
    } else if (e.abs !== undefined) {
      p.writeUInt32LE(31 | (Number(e.abs & 0x7ffffffn) << 5), o);
      p.writeUInt32LE(Number(e.abs >> 27n), o + 4);
      o += 8;
    } else if (e.pad !== undefined) {
      p.writeUInt32LE(29 | (1 << 5), o);
      p.writeUInt32LE(e.pad, o + 4);
      o += 4 + e.pad;
    } else {
      const len = e.payload!.length;
      if (len <= 112) {
        p.writeUInt32LE((len / 4) | (e.delta << 5), o);
        e.payload!.copy(p, o + 4);
        o += 4 + len;
      } else {
        p.writeUInt32LE(0 | (e.delta << 5), o);
        p.writeUInt32LE(len + 4, o + 4);
        e.payload!.copy(p, o + 8);
        o += 8 + len;
      }
    }
  }
  let commit = o - 16;
  if (missed !== undefined) {
    commit |= (1 << 31) | (1 << 30);
    p.writeBigUInt64LE(BigInt(missed), o);
  }
  p.writeBigUInt64LE(BigInt(commit >>> 0), 8);
  return p;
}

describe('ring buffer pages', () => {
  it('decodes deltas, time extends, absolute stamps, padding, long events and missed counts', () => {
    const small = Buffer.alloc(8, 1);
    const long = Buffer.alloc(200, 2);
    const p = page(1_000_000_000n, [{ delta: 5, payload: small }, { delta: 0, extend: 3n << 27n }, { delta: 7, payload: long }, { delta: 0, pad: 12 }, { delta: 0, abs: 5_000_000_000n }, { delta: 1, payload: small }], 42);
    const origin = new NsOrigin(0n);
    const events: { ts: bigint; start: number; len: number }[] = [];
    const missed = walkPage(p, p.length, DEFAULT_LAYOUT, origin, (ts, start, len) => events.push({ ts: origin.absolute(ts), start, len }));
    expect(missed).toBe(42);
    expect(events.map((e) => e.ts)).toEqual([1_000_000_005n, 1_000_000_005n + (3n << 27n) + 7n, 5_000_000_001n]);
    expect(events.map((e) => e.len)).toEqual([8, 200, 8]);
    expect(p[events[1]!.start]).toBe(2);
  });

  it('counts the events of a page by type id as walkPage finds them (the live figures: no times decoded)', () => {
    const ev = (id: number, len = 8) => {
      const b = Buffer.alloc(len);
      b.writeUInt16LE(id, 0);
      return b;
    };
    const p = page(1n, [{ delta: 1, payload: ev(7) }, { delta: 0, extend: 9n << 27n }, { delta: 2, payload: ev(300, 200) }, { delta: 0, pad: 12 }, { delta: 0, abs: 5n }, { delta: 1, payload: ev(7) }], 3);
    const counts = new Float64Array(1 << 16);
    expect(countPageEvents(p, p.length, DEFAULT_LAYOUT, counts)).toBe(3);
    expect([counts[7], counts[300]]).toEqual([2, 1]);
    const walked: number[] = [];
    walkPage(p, p.length, DEFAULT_LAYOUT, new NsOrigin(0n), (_ts, start) => walked.push(p.readUInt16LE(start)));
    expect(walked).toEqual([7, 300, 7]);
  });

  it('keeps timestamps past 2^53 ns exact (uptime over 104 days): Number offsets from a whole-second origin', () => {
    const base = (1n << 60n) + 123_456_789n;
    const p = page(base, [{ delta: 5, payload: Buffer.alloc(8) }, { delta: 0, extend: 7n << 27n }, { delta: 1, payload: Buffer.alloc(8) }]);
    const origin = new NsOrigin();
    const got: string[] = [];
    walkPage(p, p.length, DEFAULT_LAYOUT, origin, (ts) => got.push(origin.format(ts)));
    expect(got).toEqual([String(base + 5n), String(base + 5n + (7n << 27n) + 1n)]);
    expect(origin.ns % 1_000_000_000n).toBe(0n);
    // Below the origin and across a second boundary.
    const o = new NsOrigin(5_000_000_000n);
    expect(o.format(-1)).toBe('4999999999');
    expect(o.format(1_000_000_007)).toBe('6000000007');
    expect(new NsOrigin(0n).format(42)).toBe('42');
  });

  it('reads the page layout from header_page', () => {
    const text = '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n';
    expect(parseHeaderPage(text, null)).toEqual({ pageSize: 4096, commitOffset: 8, commitSize: 8, dataOffset: 16 });
    expect(parseHeaderPage(text, 8).pageSize).toBe(8192);
  });

  it('decodes event fields from a format: scalars, arrays, char arrays and __data_loc strings', () => {
    const fmt = parseEventFormat(
      `name: x\nID: 77\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n` +
        `\tfield:__data_loc char[] comm;\toffset:8;\tsize:4;\tsigned:0;\n\tfield:__u16 sport;\toffset:12;\tsize:2;\tsigned:0;\n` +
        `\tfield:__u8 saddr[4];\toffset:14;\tsize:4;\tsigned:0;\n\tfield:const void * skaddr;\toffset:24;\tsize:8;\tsigned:0;\n\tfield:char name[16];\toffset:32;\tsize:16;\tsigned:0;\n`,
      'g:x',
    );
    expect(fmt.id).toBe(77);
    const d = Buffer.alloc(64);
    d.writeUInt32LE(48 | (5 << 16), 8);
    d.write('node\0', 48);
    d.writeUInt16LE(8080, 12);
    Buffer.from([172, 18, 0, 5]).copy(d, 14);
    d.writeBigUInt64LE(0xffff888812345678n, 24);
    d.write('httpd', 32);
    const f = (n: string) => readField(d, fmt.fields.get(n)!);
    expect(f('comm')).toBe('node');
    expect(f('sport')).toBe(8080);
    expect([...(f('saddr') as Uint8Array)]).toEqual([172, 18, 0, 5]);
    expect(f('skaddr')).toBe(0xffff888812345678n);
    expect(f('name')).toBe('httpd');
  });

  it.skipIf(!tracefs)('reads real events of this process from a private instance, with exact mono timestamps', async () => {
    const inst = await TracefsInstance.create(tracefs!, `misertrace-${process.pid}-unit`);
    try {
      await inst.write('trace_clock', 'mono');
      await inst.write('buffer_size_kb', '256');
      const fmt = await readEventFormat(tracefs!, 'sched:sched_process_fork');
      await inst.setEventPids([process.pid]);
      await inst.enableEvent('sched:sched_process_fork');
      const layout = parseHeaderPage(readFileSync(join(tracefs!, 'events', 'header_page'), 'utf8'), Number(readFileSync(join(tracefs!, 'buffer_subbuf_size_kb'), 'utf8')));
      const reader = await RawReader.open([inst], layout, new Map([[fmt.id, fmt]]));
      const t0 = process.hrtime.bigint();
      execFileSync('/bin/true');
      const t1 = process.hrtime.bigint();
      // Queued events keep views into their page: each gets a copy (the spool's copy, in a capture).
      reader.readPagesSync((i, page, n) => reader.ingest(i, Buffer.from(page.subarray(0, n)), n));
      const got: { ts: bigint; pid: number; parent: unknown }[] = [];
      reader.release(null, (e) => got.push({ ts: reader.origin.absolute(e.ts), pid: e.pid, parent: e.get('parent_pid') }));
      await reader.close();
      // One fork of ours (the /bin/true child), stamped between our own clock readings.
      const mine = got.filter((g) => g.parent === process.pid);
      expect(mine.length).toBeGreaterThanOrEqual(1);
      expect(mine[0]!.ts > t0 && mine[0]!.ts < t1).toBe(true);
    } finally {
      await inst.remove();
    }
  });
});
