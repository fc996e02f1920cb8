import { describe, expect, it } from 'vitest';
import { BpftraceRecordConverter, ntop4 } from '../../capture/bpftrace/bpftrace-records.js';
import { REC_EXIT, REC_FORK, syscallCode } from '../../capture/probes/record-codes.js';

// The converter on dump text as bpftrace 0.17 prints it (copied from real runs; the test beside
// this one produces it for real). Codes come from the same catalog order the script builder uses.

const groups = { send: ['write', 'writev', 'sendto', 'sendmsg'], recv: ['read', 'readv', 'recvfrom', 'recvmsg'] };
const WRITE = syscallCode(groups, 'write');
const READ = syscallCode(groups, 'read');
// 172.18.0.2 and 172.18.0.3 as u32 read from a sock (network byte order in memory).
const A2 = 33559212;
const A3 = 50336428;

function convert(lines: string[], end = true) {
  const c = new BpftraceRecordConverter(groups);
  for (const l of lines) c.lineText(l);
  if (end) c.end();
  const text = c.take().toString('utf8');
  return { out: text === '' ? [] : text.slice(0, -1).split('\n'), stats: c.stats };
}

describe('bpftrace record map dumps to records', () => {
  it('writes each entry as the printf set did, entries in exit-time order, records of a syscall in printf order', () => {
    const { out, stats } = convert([
      `@mt_a[9296, 10774495493894]: (${READ}, 10774495477059, 0, 1, 7000, 54896, ${A2}, ${A3}, 10774495479954, 0, 10774495481095, 1, 4396, node)`,
      `@mt_a[9296, 10774495400000]: (${WRITE}, 10774495390000, 1, 1, 54896, 7000, ${A3}, ${A2}, 0, 0, 0, 0, 4108, node)`,
      `@mt_a[9300, 10774495300000]: (${WRITE}, 10774495290000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4085, httpd)`,
      `@mt_a[9296, 10774495500000]: (${READ}, 10774495499000, 1, 1, 7000, 54896, ${A2}, ${A3}, 10774495499500, 1, 0, 0, 4101, node)`,
      `@mt_a[9300, 10774495000000]: (${REC_FORK}, 9300, 9301, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, httpd)`,
      `@mt_a[9301, 10774496000000]: (${REC_EXIT}, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, cgi)`,
      '@mt_na: 6',
    ]);
    expect(out).toEqual([
      'httpd|9300|10774495000000|0|MT:sched_process_fork|"parent_pid=9300 child_pid=9301"',
      'httpd|9300|10774495290000|0|MT:sys_enter_write',
      'httpd|9300|10774495300000|0|MT:sys_exit_write|"ret=-11"',
      'node|9296|10774495390000|1|MT:sys_enter_write',
      'node|9296|10774495390000|1|MT:tcp_send|"sport=54896 dport=7000 saddr=172.18.0.3 daddr=172.18.0.2"',
      'node|9296|10774495400000|1|MT:sys_exit_write|"ret=12"',
      'node|9296|10774495477059|0|MT:sys_enter_read',
      'node|9296|10774495479954|0|MT:tcp_rcv_space_adjust|"sport=7000 dport=54896 saddr=172.18.0.2 daddr=172.18.0.3"',
      'node|9296|10774495481095|1|MT:tcp_rcv_space_adjust|"sport=7000 dport=54896 saddr=172.18.0.2 daddr=172.18.0.3"',
      'node|9296|10774495493894|1|MT:sys_exit_read|"ret=300"',
      'node|9296|10774495499000|1|MT:sys_enter_read',
      'node|9296|10774495499500|1|MT:tcp_rcv_space_adjust|"sport=7000 dport=54896 saddr=172.18.0.2 daddr=172.18.0.3"',
      'node|9296|10774495500000|1|MT:sys_exit_read|"ret=5"',
      'cgi|9301|10774496000000|1|MT:sched_process_exit|"pid=9301"',
    ]);
    expect(stats).toEqual({ entries: 6, mapLost: 0, malformed: 0, unresolved: 0 });
  });

  it('a count above the entries printed is lost events (the map was full), reported as bpftrace reports its own', () => {
    const entry = (ts: number) => `@mt_b[7, ${ts}]: (${REC_EXIT}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, x)`;
    const { out, stats } = convert([entry(5), entry(6), '@mt_nb: 5', entry(9), '@mt_nb: 1', '', '@mt_nb: 0']);
    expect(out).toEqual(['x|7|5|0|MT:sched_process_exit|"pid=7"', 'x|7|6|0|MT:sched_process_exit|"pid=7"', 'Lost 3 events', 'x|7|9|0|MT:sched_process_exit|"pid=7"']);
    expect(stats.mapLost).toBe(3);
    // An entry written after its count was cleared shows up with a smaller count: nothing lost.
    expect(convert([entry(1), entry(2), '@mt_nb: 1']).stats.mapLost).toBe(0);
  });

  it('reads a comm holding ", " and ")" (it is the rest of the tuple up to the last parenthesis)', () => {
    const { out } = convert([`@mt_a[42, 100]: (${WRITE}, 90, 1, 1, 1, 2, ${A2}, ${A3}, 0, 0, 0, 0, 0, a, b) c)`, '@mt_na: 1']);
    expect(out).toEqual(['a, b) c|42|90|1|MT:sys_enter_write', 'a, b) c|42|90|1|MT:tcp_send|"sport=1 dport=2 saddr=172.18.0.2 daddr=172.18.0.3"', 'a, b) c|42|100|1|MT:sys_exit_write']);
  });

  it("passes bpftrace's own lines, custom probes' records and user maps through, drops empty-map lines", () => {
    const marker = `@misertrace_attached: 11161190683152${' '.repeat(20)}`;
    const custom = 'node|9551|11161261055175|1|tracepoint:sched:sched_switch|"prev_state=1 next_pid=0"';
    const { out } = convert(['Attaching 25 probes...', marker, '', custom, '@mt_na: 0', 'Lost 12 events', '@mine[3]: 7', '@count: 2']);
    expect(out).toEqual(['Attaching 25 probes...', marker, custom, 'Lost 12 events', '@mine[3]: 7', '@count: 2']);
  });

  it("pairs each dump with its own count when bpftrace prints the maps at exit (both maps, then both counts)", () => {
    const e = (m: string, ts: number) => `@mt_${m}[1, ${ts}]: (${REC_EXIT}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, x)`;
    const { out, stats } = convert(['', e('a', 3), e('b', 1), e('b', 2), '@mt_na: 1', '@mt_nb: 4']);
    expect(out.map((l) => l.split('|')[2] ?? l)).toEqual(['3', '1', '2', 'Lost 2 events']);
    expect(stats).toMatchObject({ entries: 3, mapLost: 2 });
  });

  it('entries without their count (the child died mid-dump) are written at the end, unchecked', () => {
    const e = `@mt_a[1, 3]: (${REC_EXIT}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, x)`;
    expect(convert([e], false).out).toEqual([]);
    expect(convert([e]).out).toEqual(['x|1|3|0|MT:sched_process_exit|"pid=1"']);
  });

  it('an entry it cannot read (unknown code, cut tuple) is counted and passed through for the sorter to skip', () => {
    const { out, stats } = convert(['@mt_a[1, 3]: (999, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, x)', '@mt_a[1, 4]: (2, 0, 0', '@mt_na: 2']);
    expect(out).toEqual(['@mt_a[1, 3]: (999, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, x)', '@mt_a[1, 4]: (2, 0, 0']);
    expect(stats).toEqual({ entries: 0, mapLost: 0, malformed: 2, unresolved: 0 });
  });

  it('ntop4 reads the u32 as bpftrace does', () => {
    expect([ntop4(A2), ntop4(16777343), ntop4(0), ntop4(0xffffffff)]).toEqual(['172.18.0.2', '127.0.0.1', '0.0.0.0', '255.255.255.255']);
  });
});

describe('the causal set in record maps', () => {
  it('one record per send, receive and connect, saddr:sport local, len from n1; a tuple never seen is counted, not printed', async () => {
    const { REC_CONNECT, REC_SOCK_RECV, REC_SOCK_SEND } = await import('../../capture/probes/record-codes.js');
    const { out, stats } = convert([
      `@mt_a[30410, 924804154022]: (${REC_SOCK_SEND}, 5, 0, 1, 46146, 38763, ${A3}, ${A2}, 0, 0, 0, 0, 0, python3)`,
      `@mt_a[30410, 924801758539]: (${REC_CONNECT}, 0, 0, 0, 46146, 38763, ${A3}, ${A2}, 0, 0, 0, 0, 0, python3)`,
      `@mt_a[30451, 924804167372]: (${REC_SOCK_RECV}, 5, 0, 0, 38763, 46146, ${A2}, ${A3}, 0, 0, 0, 0, 0, srv)`,
      `@mt_a[30451, 924804200000]: (${REC_SOCK_SEND}, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, srv)`,
      '@mt_na: 4',
    ]);
    expect(out).toEqual([
      'python3|30410|924801758539|0|MT:tcp_connect|"saddr=172.18.0.3 sport=46146 daddr=172.18.0.2 dport=38763"',
      'python3|30410|924804154022|1|MT:sock_send|"saddr=172.18.0.3 sport=46146 daddr=172.18.0.2 dport=38763 len=5"',
      'srv|30451|924804167372|0|MT:sock_recv|"saddr=172.18.0.2 sport=38763 daddr=172.18.0.3 dport=46146 len=5"',
    ]);
    expect(stats).toEqual({ entries: 4, mapLost: 0, malformed: 0, unresolved: 1 });
  });
});
