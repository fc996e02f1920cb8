import { describe, expect, it } from 'vitest';
import { PlainEvent, RecordConverter } from '../../capture/ftrace/record-converter.js';

// The join of socket pointers to 4-tuples (capture/ftrace/socket-join.ts) on hand-made event
// sequences, through the converter of both probe sets: pointer reuse after close, records before
// ESTABLISHED, connections older than the capture, and socket events delivered late.

const ip = (s: string) => Uint8Array.from(s.split('.').map(Number));
const SK = 0xffff0000aaaa0000n;
const SYSCALLS = { send: ['write', 'writev', 'sendto', 'sendmsg'], recv: ['read', 'readv', 'recvfrom', 'recvmsg'] };

function converter(set: 'causal' | 'syscalls' = 'causal') {
  const lines: string[] = [];
  const c = new RecordConverter({ syscalls: SYSCALLS, comms: new Map([[10, 'app'], [20, 'db']]), tids: [10, 20], set, emit: (l) => lines.push(l) });
  return { c, lines };
}

const ev = (ts: number, pid: number, name: string, fields: Record<string, unknown> = {}) => new PlainEvent(ts, 0, pid, name, fields as never);
const state = (ts: number, pid: number, newstate: number, t: [string, number, string, number] | null, sk = SK) =>
  ev(ts, pid, 'sock:inet_sock_set_state', {
    protocol: 6,
    skaddr: sk,
    newstate,
    saddr: ip(t?.[0] ?? '0.0.0.0'),
    sport: t?.[1] ?? 0,
    daddr: ip(t?.[2] ?? '0.0.0.0'),
    dport: t?.[3] ?? 0,
  });
const send = (ts: number, pid: number, len: number, sk = SK) => ev(ts, pid, 'sock:sock_send_length', { sk, family: 2, protocol: 6, ret: len });
const recv = (ts: number, pid: number, len: number, sk = SK) => ev(ts, pid, 'sock:sock_recv_length', { sk, family: 2, protocol: 6, ret: len });
const rcvSpace = (ts: number, pid: number, t: [string, number, string, number], sk = SK) =>
  ev(ts, pid, 'tcp:tcp_rcv_space_adjust', { skaddr: sk, saddr: ip(t[0]), sport: t[1], daddr: ip(t[2]), dport: t[3] });

const A: [string, number, string, number] = ['172.18.0.3', 41000, '172.18.0.4', 5432];
const B: [string, number, string, number] = ['172.18.0.3', 41002, '172.18.0.4', 5432];
const HOST: [string, number, string, number] = ['127.0.0.1', 8080, '127.0.0.1', 53000];
const ESTABLISHED = 1, SYN_SENT = 2, CLOSE = 7;

describe('socket pointer -> 4-tuple join', () => {
  it('causal records: sends and receives with their tuple and length (0: end of stream), errors counted, not recorded', () => {
    const { c, lines } = converter();
    c.feed(state(1, 0, ESTABLISHED, A));
    c.feed(send(10, 10, 120));
    c.feed(send(11, 10, -11));
    c.feed(recv(20, 10, 64));
    c.feed(recv(21, 10, 0));
    c.feed(recv(22, 10, -11));
    expect(lines).toEqual([
      'app|10|10|0|MT:sock_send|"saddr=172.18.0.3 sport=41000 daddr=172.18.0.4 dport=5432 len=120"',
      'app|10|20|0|MT:sock_recv|"saddr=172.18.0.3 sport=41000 daddr=172.18.0.4 dport=5432 len=64"',
      'app|10|21|0|MT:sock_recv|"saddr=172.18.0.3 sport=41000 daddr=172.18.0.4 dport=5432 len=0"',
    ]);
    expect(c.stats.sendErrors).toBe(1);
  });

  it('a pointer reused after CLOSE: each socket its own tuple', () => {
    const { c, lines } = converter();
    c.feed(state(1, 0, ESTABLISHED, A));
    c.feed(send(10, 10, 5));
    c.feed(state(30, 0, CLOSE, A));
    c.feed(state(40, 0, ESTABLISHED, B));
    c.feed(send(50, 10, 6));
    expect(lines.map((l) => /sport=(\d+)/.exec(l)?.[1])).toEqual(['41000', '41002']);
  });

  it('tcp_connect waits for ESTABLISHED (the local port is chosen after SYN_SENT) and keeps its own time', () => {
    const { c, lines } = converter();
    c.feed(state(10, 10, SYN_SENT, ['172.18.0.3', 0, '172.18.0.4', 5432]));
    expect(lines).toEqual([]);
    c.feed(state(12, 0, ESTABLISHED, A));
    c.feed(send(13, 10, 9));
    expect(lines).toEqual([
      'app|10|10|0|MT:tcp_connect|"saddr=172.18.0.3 sport=41000 daddr=172.18.0.4 dport=5432"',
      'app|10|13|0|MT:sock_send|"saddr=172.18.0.3 sport=41000 daddr=172.18.0.4 dport=5432 len=9"',
    ]);
    // An untraced thread's connect is no record (the sockets instance sees every process).
    c.feed(state(20, 99, SYN_SENT, ['172.18.0.9', 0, '172.18.0.4', 5432], 0xffff0000bbbb0000n));
    c.feed(state(21, 0, ESTABLISHED, ['172.18.0.9', 50000, '172.18.0.4', 5432], 0xffff0000bbbb0000n));
    expect(lines).toHaveLength(2);
  });

  it('a connection older than the capture resolves at its first receive, or at its CLOSE', () => {
    const { c, lines } = converter();
    c.feed(send(10, 10, 7));
    expect(lines).toEqual([]);
    c.feed(rcvSpace(20, 10, A));
    c.feed(recv(21, 10, 30));
    expect(lines.map((l) => l.split('|')[2])).toEqual(['10', '21']);
    expect(lines[0]).toContain('sport=41000');
    const other = 0xffff0000cccc0000n;
    c.feed(send(30, 20, 3, other));
    c.feed(state(40, 0, CLOSE, B, other));
    expect(lines[2]).toBe('db|20|30|0|MT:sock_send|"saddr=172.18.0.3 sport=41002 daddr=172.18.0.4 dport=5432 len=3"');
    expect(c.stats.join.late).toBe(2);
  });

  it("a record of an old socket is never given the tuple of the next socket at its address (another thread's connect)", () => {
    const { c, lines } = converter();
    c.feed(send(10, 10, 7)); // an old connection whose tuple was never seen, closed unseen
    c.feed(state(25, 20, SYN_SENT, ['172.18.0.3', 0, '172.18.0.4', 5432]));
    c.feed(state(26, 0, ESTABLISHED, B));
    expect(lines).toEqual(['db|20|25|0|MT:tcp_connect|"saddr=172.18.0.3 sport=41002 daddr=172.18.0.4 dport=5432"']);
    c.finish();
    expect(c.unresolvedSends).toBe(1);
  });

  it('a waiting record is not given the tuple of a CLOSE older than it (a late CLOSE of the previous socket)', () => {
    for (const set of ['causal', 'syscalls'] as const) {
      const { c, lines } = converter(set);
      if (set === 'causal') c.feed(send(30, 10, 4));
      else {
        c.feed(ev(29, 10, 'syscalls:sys_enter_write'));
        c.feed(send(30, 10, 4));
        c.feed(ev(31, 10, 'syscalls:sys_exit_write'));
      }
      c.feed(state(10, 0, CLOSE, HOST)); // late: the host socket that had this address before
      expect(lines.filter((l) => l.includes('127.0.0.1'))).toEqual([]);
      c.feed(state(20, 0, ESTABLISHED, A)); // late too: the send's own socket
      const tagged = lines.filter((l) => l.includes('sport='));
      expect(tagged).toHaveLength(1);
      expect(tagged[0]).toContain('sport=41000');
      expect(tagged[0]!.split('|')[2]).toBe(set === 'causal' ? '30' : '29');
    }
  });

  it('a lost CLOSE: a new tuple at a known address starts a new socket', () => {
    const { c, lines } = converter();
    c.feed(state(1, 0, ESTABLISHED, A));
    c.feed(send(10, 10, 1));
    c.feed(rcvSpace(20, 10, B));
    c.feed(send(30, 10, 1));
    expect(lines.map((l) => /sport=(\d+)/.exec(l)?.[1])).toEqual(['41000', '41002']);
    expect(c.stats.join.reused).toBe(1);
  });
});
