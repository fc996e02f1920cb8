import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEventFormat } from '../../capture/ftrace/event-format.js';
import { PageSpool, replaySpool, type SpoolHeader } from '../../capture/ftrace/page-spool.js';
import { DEFAULT_LAYOUT } from '../../capture/ftrace/ring-buffer-page.js';

// The ftrace child copies pages to a spool during the capture; the session converts it after.
// Round marks release events as a live reader would; a spool cut short by a killed child still
// gives every whole page's records.

const dir = mkdtempSync(join(tmpdir(), 'misertrace-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// sched:sched_process_fork as this kernel describes it (parent/child comm as __data_loc strings).
const FORK = parseEventFormat(
  'name: sched_process_fork\nID: 366\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n' +
    '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\tfield:__data_loc char[] parent_comm;\toffset:8;\tsize:4;\tsigned:0;\n' +
    '\tfield:pid_t parent_pid;\toffset:12;\tsize:4;\tsigned:1;\n\tfield:__data_loc char[] child_comm;\toffset:16;\tsize:4;\tsigned:0;\n' +
    '\tfield:pid_t child_pid;\toffset:20;\tsize:4;\tsigned:1;\n',
  'sched:sched_process_fork',
);

/** A page of fork events, each `delta` ns after the previous one. */
function forkPage(base: bigint, forks: { delta: number; parent: number; child: number }[]): Buffer {
  const p = Buffer.alloc(4096);
  p.writeBigUInt64LE(base, 0);
  let o = 16;
  for (const f of forks) {
    const payload = Buffer.alloc(32);
    payload.writeUInt16LE(366, 0);
    payload.writeInt32LE(f.parent, 4);
    payload.writeUInt32LE(24 | (4 << 16), 8); // parent_comm at 24
    payload.writeInt32LE(f.parent, 12);
    payload.writeUInt32LE(28 | (4 << 16), 16); // child_comm at 28
    payload.writeInt32LE(f.child, 20);
    payload.write('sh\0\0', 24);
    payload.write('sh\0\0', 28);
    p.writeUInt32LE(8 | (f.delta << 5), o); // 8 words of data
    payload.copy(p, o + 4);
    o += 36;
  }
  p.writeBigUInt64LE(BigInt(o - 16), 8);
  return p.subarray(0, o);
}

const header: SpoolHeader = {
  layout: DEFAULT_LAYOUT,
  cpus: [0, 1],
  formats: [{ id: FORK.id, name: FORK.name, fields: [...FORK.fields] }],
  config: { tids: [10, 20], comms: { '10': 'httpd', '20': 'node' }, syscalls: { send: ['write'], recv: ['read'] } },
};

async function convert(path: string): Promise<{ lines: string[]; cut: number; unknown: number; missed: number }> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.psv`);
  const fd = openSync(out, 'w');
  try {
    const r = await replaySpool(path, fd);
    return { lines: readFileSync(out, 'utf8').trim().split('\n'), cut: r.cutBytes, unknown: r.unknownEvents, missed: r.missedInPages };
  } finally {
    closeSync(fd);
  }
}

describe('the page spool', () => {
  it('merges the CPUs in time order at the round marks, with exact timestamps', async () => {
    const path = join(dir, 'a.spool');
    const s = PageSpool.create(path, header);
    const t0 = 5_000_000_000_000n;
    s.page(1, forkPage(t0 + 30n, [{ delta: 0, parent: 20, child: 21 }]), 52);
    s.page(0, forkPage(t0, [{ delta: 10, parent: 10, child: 11 }, { delta: 40, parent: 10, child: 12 }]), 88);
    s.round(t0 + 100_000_000n); // releases everything up to 80 ms after t0
    s.page(0, forkPage(t0 + 200_000_000n, [{ delta: 1, parent: 10, child: 13 }]), 52);
    s.round(null);
    s.close();
    const { lines, cut } = await convert(path);
    expect(cut).toBe(0);
    expect(lines).toEqual([
      'httpd|10|5000000000010|0|MT:sched_process_fork|"parent_pid=10 child_pid=11"',
      'node|20|5000000000030|1|MT:sched_process_fork|"parent_pid=20 child_pid=21"',
      'httpd|10|5000000000050|0|MT:sched_process_fork|"parent_pid=10 child_pid=12"',
      'httpd|10|5000200000001|0|MT:sched_process_fork|"parent_pid=10 child_pid=13"',
    ]);
  });

  it('a spool cut short (the child killed mid-write) keeps every whole page and says how much was cut', async () => {
    const path = join(dir, 'b.spool');
    const s = PageSpool.create(path, header);
    s.page(0, forkPage(1_000n, [{ delta: 1, parent: 10, child: 11 }]), 52);
    s.round(2_000n);
    s.page(1, forkPage(3_000n, [{ delta: 1, parent: 20, child: 21 }]), 52);
    s.close();
    truncateSync(path, statSync(path).size - 20);
    appendFileSync(path, ''); // still a file of whole entries plus a tail
    const { lines, cut } = await convert(path);
    expect(lines).toEqual(['httpd|10|1001|0|MT:sched_process_fork|"parent_pid=10 child_pid=11"']);
    expect(cut).toBe(6 + 52 - 20);
  });

  it('counts what it cannot convert: events of an unknown type, events the kernel dropped before a page', async () => {
    const path = join(dir, 'c.spool');
    const s = PageSpool.create(path, header);
    const unknown = forkPage(1_000n, [{ delta: 1, parent: 10, child: 11 }, { delta: 1, parent: 10, child: 12 }]);
    unknown.writeUInt16LE(999, 16 + 36 + 4); // the second event's common_type: no format for it
    s.page(0, unknown, 88);
    // The kernel dropped 7 events before this page: RB_MISSED_EVENTS | RB_MISSED_STORED, the count after the data.
    const dropped = Buffer.alloc(60);
    forkPage(5_000n, [{ delta: 1, parent: 20, child: 21 }]).copy(dropped);
    dropped.writeBigUInt64LE(36n | (3n << 30n), 8);
    dropped.writeBigUInt64LE(7n, 52);
    s.page(1, dropped, 60);
    s.round(null);
    s.close();
    const r = await convert(path);
    expect(r.lines).toEqual(['httpd|10|1001|0|MT:sched_process_fork|"parent_pid=10 child_pid=11"', 'node|20|5001|1|MT:sched_process_fork|"parent_pid=20 child_pid=21"']);
    expect({ unknown: r.unknown, missed: r.missed }).toEqual({ unknown: 1, missed: 7 });
  });
});
