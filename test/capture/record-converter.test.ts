import { describe, expect, it } from 'vitest';
import { PlainEvent, RecordConverter } from '../../capture/ftrace/record-converter.js';

const ip = (s: string) => Uint8Array.from(s.split('.').map(Number));
const SK = 0xffff0000aaaa0000n;

function converter(tids = [10, 20]) {
  const lines: string[] = [];
  const c = new RecordConverter({
    syscalls: { send: ['write', 'writev', 'sendto', 'sendmsg'], recv: ['read', 'readv', 'recvfrom', 'recvmsg'] },
    comms: new Map([[10, 'node'], [20, 'httpd']]),
    tids,
    emit: (l) => lines.push(l),
  });
  return { c, lines };
}

const ev = (ts: number, pid: number, name: string, fields: Record<string, unknown> = {}, cpu = 0) => new PlainEvent(ts, cpu, pid, name, fields as never);

describe('ftrace events to records', () => {
  it('a TCP send: enter, tcp_send with the joined 4-tuple stamped at entry, exit with the bytes sent', () => {
    const { c, lines } = converter();
    c.feed(ev(1, 0, 'sock:inet_sock_set_state', { protocol: 6, skaddr: SK, sport: 40000, dport: 8080, saddr: ip('172.18.0.5'), daddr: ip('172.18.0.3'), newstate: 1 }));
    c.feed(ev(100, 10, 'syscalls:sys_enter_write'));
    c.feed(ev(150, 10, 'sock:sock_send_length', { sk: SK, family: 10, protocol: 6 }, 1));
    c.feed(ev(160, 10, 'syscalls:sys_exit_write', { ret: 42n }, 1));
    expect(lines).toEqual([
      'node|10|100|0|MT:sys_enter_write',
      'node|10|100|0|MT:tcp_send|"sport=40000 dport=8080 saddr=172.18.0.5 daddr=172.18.0.3"',
      'node|10|160|1|MT:sys_exit_write|"ret=42"',
    ]);
  });

  it('a send on a socket older than the capture gets its tcp_send when the tuple is learned', () => {
    const { c, lines } = converter();
    c.feed(ev(100, 10, 'syscalls:sys_enter_writev'));
    c.feed(ev(150, 10, 'sock:sock_send_length', { sk: SK, family: 2, protocol: 6 }));
    c.feed(ev(160, 10, 'syscalls:sys_exit_writev'));
    expect(c.unresolvedSends).toBe(1);
    c.feed(ev(300, 10, 'syscalls:sys_enter_read'));
    c.feed(ev(310, 10, 'tcp:tcp_rcv_space_adjust', { skaddr: SK, sport: 40000, dport: 7000, saddr: ip('172.18.0.3'), daddr: ip('172.18.0.2') }));
    c.feed(ev(320, 10, 'syscalls:sys_exit_read'));
    expect(c.unresolvedSends).toBe(0);
    expect(c.stats.lateSends).toBe(1);
    expect(lines).toEqual([
      'node|10|100|0|MT:sys_enter_writev',
      'node|10|160|0|MT:sys_exit_writev',
      'node|10|100|0|MT:tcp_send|"sport=40000 dport=7000 saddr=172.18.0.3 daddr=172.18.0.2"',
      'node|10|300|0|MT:sys_enter_read',
      'node|10|310|0|MT:tcp_rcv_space_adjust|"sport=40000 dport=7000 saddr=172.18.0.3 daddr=172.18.0.2"',
      'node|10|320|0|MT:sys_exit_read',
    ]);
  });

  it('drops syscalls that were not on TCP and receives that got no data', () => {
    const { c, lines } = converter();
    c.feed(ev(1, 20, 'syscalls:sys_enter_read'));
    c.feed(ev(2, 20, 'syscalls:sys_exit_read'));
    c.feed(ev(3, 20, 'syscalls:sys_enter_write'));
    c.feed(ev(4, 20, 'sock:sock_send_length', { sk: SK, family: 1, protocol: 0 }));
    c.feed(ev(5, 20, 'syscalls:sys_exit_write'));
    expect(lines).toEqual([]);
  });

  it('forks, exits and renames keep comms and the traced set; user events print like their bpftrace probes', () => {
    const { c, lines } = converter();
    c.feed(ev(1, 20, 'sched:sched_process_fork', { parent_pid: 20, child_pid: 21, child_comm: 'httpd' }));
    c.feed(ev(2, 21, 'task:task_rename', { pid: 21, newcomm: 'item' }));
    c.feed(ev(3, 0, 'sched:sched_migrate_task', { pid: 21, comm: 'item', orig_cpu: 0, dest_cpu: 1 }));
    c.feed(ev(4, 21, 'sched:sched_switch', { prev_pid: 21, prev_state: 1, next_pid: 0 }));
    c.feed(ev(5, 21, 'sched:sched_switch', { prev_pid: 99, prev_state: 0, next_pid: 21, next_comm: 'item' }));
    c.feed(ev(5, 99, 'sched:sched_wakeup', { pid: 21, comm: 'item', target_cpu: 1 }));
    c.feed(ev(5, 99, 'sched:sched_wakeup', { pid: 98, comm: 'other', target_cpu: 1 }));
    c.feed(ev(6, 21, 'sched:sched_process_exit'));
    c.feed(ev(7, 0, 'sched:sched_migrate_task', { pid: 21, comm: 'item', orig_cpu: 1, dest_cpu: 0 }));
    expect(lines).toEqual([
      'httpd|20|1|0|MT:sched_process_fork|"parent_pid=20 child_pid=21"',
      'item|21|3|0|tracepoint:sched:sched_migrate_task|"orig_cpu=0 dest_cpu=1"',
      'item|21|4|0|tracepoint:sched:sched_switch|"prev_state=1 next_pid=0"',
      // the switch that brings a traced thread on is its record too (ADR 0090); untraced threads' wakeups are not
      'item|21|5|0|tracepoint:sched:sched_switch|"prev_state=0 next_pid=21"',
      'item|21|5|0|tracepoint:sched:sched_wakeup|"target_cpu=1"',
      'item|21|6|0|MT:sched_process_exit|"pid=21"',
    ]);
  });

  it('tcp_probe reads IPv4 from sockaddr_in or v4-mapped sockaddr_in6 bytes', () => {
    const { c, lines } = converter();
    const sin = new Uint8Array(28);
    sin.set([172, 18, 0, 5], 4);
    const sin6 = new Uint8Array(28);
    sin6.set([172, 18, 0, 3], 20);
    c.feed(ev(1, 10, 'tcp:tcp_probe', { family: 2, sport: 1, dport: 2, saddr: sin, daddr: sin }));
    c.feed(ev(2, 10, 'tcp:tcp_probe', { family: 10, sport: 3, dport: 4, saddr: sin6, daddr: sin6 }));
    expect(lines).toEqual(['node|10|1|0|MT:tcp_probe|"sport=1 dport=2 saddr=172.18.0.5 daddr=172.18.0.5"', 'node|10|2|0|MT:tcp_probe|"sport=3 dport=4 saddr=172.18.0.3 daddr=172.18.0.3"']);
  });
});
