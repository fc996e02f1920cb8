import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordTail } from '../../capture/bpftrace/record-tail.js';

describe('following the records file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-tail-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts records per probe, lost events and the attach marker as the file grows, lines cut anywhere', async () => {
    const path = join(dir, 'raw.psv');
    const tail = new RecordTail(path);
    const attached: string[] = [];
    tail.onAttached.on((a) => attached.push(`${a.probes}@${a.atNs}`));
    await tail.poll(); // the file does not exist yet
    expect(tail.figures.records).toBe(0);
    appendFileSync(path, 'Attaching 23 probes...\n@misertrace_attached: 1234       \nnode|1|5|0|MT:sys_enter_re');
    await tail.poll();
    expect(attached).toEqual(['23@1234']);
    expect(tail.figures.records).toBe(0);
    appendFileSync(path, 'ad\n"node"|"1"|"6"|"0"|"MT:tcp_rcv_space_adjust"|"sport=1 dport=2 saddr=a daddr=b"\nLost 12 events\n');
    appendFileSync(path, 'ünïcödé|7|8|1|tracepoint:sched:sched_switch|"x=1"\ncut|line\nLister|3|9|0|MT:sys_exit_read\nAtlas|4|10|1|MT:sys_exit_read|\n\n');
    await tail.poll();
    expect(tail.figures.records).toBe(5);
    expect(Object.fromEntries(tail.figures.byProbe)).toEqual({ 'MT:sys_enter_read': 1, 'MT:tcp_rcv_space_adjust': 1, 'tracepoint:sched:sched_switch': 1, 'MT:sys_exit_read': 2 });
    expect(tail.figures.lostEvents).toBe(12);
    expect(tail.figures.malformed).toBe(1);
    await tail.close();
    tail.dispose();
  });

  it('takes the ftrace child live kernel event counts, which its records replace at the end', async () => {
    const path = join(dir, 'events.psv');
    const tail = new RecordTail(path);
    appendFileSync(path, 'Attaching 22 probes...\n@misertrace_attached: 99\n@misertrace_events: 4096 {"syscalls:sys_enter_read":3,"tcp:tcp_rcv_space_adjust":2}\n');
    await tail.poll();
    expect(tail.figures.kernelEvents).toBe(5);
    expect(Object.fromEntries(tail.figures.byKernelEvent)).toEqual({ 'syscalls:sys_enter_read': 3, 'tcp:tcp_rcv_space_adjust': 2 });
    expect(tail.figures.records).toBe(0);
    expect(tail.figures.spoolBytes).toBe(4096);
    appendFileSync(path, '@misertrace_events: 8192 {"syscalls:sys_enter_read":7}\nnode|1|5|0|MT:sys_enter_read\n@misertrace_events: {not json\n');
    await tail.poll();
    expect(tail.figures.kernelEvents).toBe(7);
    expect(tail.figures.records).toBe(1);
    expect(tail.figures.malformed).toBe(1);
    await tail.close();
    tail.dispose();
  });
});
