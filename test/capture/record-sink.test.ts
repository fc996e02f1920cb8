import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NsOrigin } from '../../capture/ftrace/ns-origin.js';
import { ByteSink, LineSink } from '../../capture/ftrace/record-sink.js';

// The ftrace child writes records as bytes (ByteSink); they must be exactly the lines LineSink
// formats as strings, whatever the values.

const dir = mkdtempSync(join(tmpdir(), 'misertrace-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Rec = [string, number, number, number, string, string?];

function both(origin: bigint, recs: Rec[], chunk?: number): { bytes: string; lines: string } {
  const path = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, 'w');
  const o1 = new NsOrigin(origin);
  const o2 = new NsOrigin(origin);
  const b = new ByteSink(fd, o1);
  const lines: string[] = [];
  const l = new LineSink(o2, (x) => lines.push(x));
  recs.forEach((r, i) => {
    b.record(...r);
    l.record(...r);
    if (chunk && i % chunk === 0) b.flush();
  });
  b.flush();
  closeSync(fd);
  return { bytes: readFileSync(path, 'utf8'), lines: lines.map((x) => `${x}\n`).join('') };
}

describe('record sinks', () => {
  it('writes the same bytes as the string lines: seconds boundaries, below the origin, zero origin, big ids, UTF-8 comms, details', () => {
    const recs: Rec[] = [
      ['node', 1, 0, 0, 'MT:sys_enter_read'],
      ['node', 4194304, 999_999_999, 1, 'MT:sys_exit_read'],
      ['node', 7, 1_000_000_000, 63, 'MT:tcp_send', 'sport=1 dport=2 saddr=1.2.3.4 daddr=5.6.7.8'],
      ['httpd ü', 2147483647, 1_000_000_001, 0, 'MT:sched_process_fork', 'parent_pid=1 child_pid=2'],
      ['item.cgi', 9, -1, 2, 'MT:sched_process_exit', 'pid=9'],
      ['x'.repeat(15), 10, 86_399_123_456_789, 3, 'tracepoint:sched:sched_switch', 'prev_state=1 next_pid=0'],
      ['node', 1, 5, 0, 'MT:sys_enter_read', 'd'.repeat(5000)],
    ];
    const big = both(1_764_000_000_000_000_000n, recs);
    expect(big.bytes).toBe(big.lines);
    expect(big.bytes.split('\n')[1]).toBe('node|4194304|1764000000999999999|1|MT:sys_exit_read');
    expect(big.bytes.split('\n')[4]).toBe('item.cgi|9|1763999999999999999|2|MT:sched_process_exit|"pid=9"');
    const zero = both(0n, recs.filter((r) => r[2] >= 0));
    expect(zero.bytes).toBe(zero.lines);
    expect(zero.bytes.startsWith('node|1|0|0|MT:sys_enter_read\n')).toBe(true);
  });

  it('keeps every record across buffer refills (more than its 1 MiB buffer between flushes)', () => {
    const recs: Rec[] = Array.from({ length: 40_000 }, (_, i) => [`c${i % 7}`, i, i * 12_345, i % 4, i % 2 ? 'MT:sys_exit_write' : 'MT:tcp_send', i % 3 ? `sport=${i} dport=80 saddr=10.0.0.1 daddr=10.0.0.2` : undefined]);
    const r = both(3_000_000_000n, recs, 25_000);
    expect(r.bytes).toBe(r.lines);
    expect(r.bytes.split('\n').length - 1).toBe(40_000);
  });
});
