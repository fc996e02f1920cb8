import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventFormat, FieldSpec } from '../../capture/ftrace/event-format.js';
import { FtraceRelay } from '../../capture/ftrace/ftrace-relay.js';
import { ftraceHelperArgs, ftraceHelperPath } from '../../capture/ftrace/helper-command.js';
import { parseProcTcp } from '../../capture/ftrace/old-connections.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TupleLearning } from '../../capture/ftrace/tuple-learning.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { pollUntil } from './relay-poll.js';

// /proc/net/tcp and tcp6 as the kernel prints them: an established IPv4 connection, a listener,
// one in CLOSE_WAIT, an IPv4-mapped one in tcp6, and a pure IPv6 one (left out).
const PROC_TCP = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:1F90 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 20 4 30 10 -1',
  '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0',
  '   2: 0100007F:A002 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1',
  '   3: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:A004 01 00000000:00000000 00:00000000 00000000 0 0 4 1 0 20 4 30 10 -1',
  '   4: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:A006 01 00000000:00000000 00:00000000 00000000 0 0 5 1 0 20 4 30 10 -1',
].join('\n');

// The causal set switches tcp_rcv_space_adjust off while no socket needs its tuple (docs/adr/0106):
// the decision on synthetic events, then for real: the root helper, tracefs and a traced process
// with two loopback connections older than the capture, the second idle for a while.

function format(id: number, name: string, fields: Record<string, number>): EventFormat {
  const m = new Map<string, FieldSpec>();
  for (const [f, offset] of Object.entries(fields)) m.set(f, { name: f, type: 'x', offset, size: 8, signed: false, arrayLength: 0, dataLoc: false, isChar: false });
  return { id, name, fields: m };
}
const FORMATS = [
  format(10, 'sock:sock_send_length', { sk: 8, family: 16, protocol: 18 }),
  format(11, 'sock:sock_recv_length', { sk: 8, family: 16, protocol: 18 }),
  format(12, 'sock:inet_sock_set_state', { skaddr: 8, newstate: 20, sport: 24, dport: 26, saddr: 32, daddr: 36 }),
  format(13, 'tcp:tcp_rcv_space_adjust', { skaddr: 8, sport: 24, dport: 26, saddr: 32, daddr: 36 }),
];
const LOOPBACK = 0x0100007f; // 127.0.0.1 as the kernel's __be32 read little-endian

/** One event payload: common_type, the pointer at 8 (as the kernel's 0xffff... address), family and protocol at 16 and 18, a state at 20. */
function payload(id: number, sk: number, state = 0, family = 2, ports: [number, number] = [0, 0]): Buffer {
  const b = Buffer.alloc(40);
  b.writeUInt16LE(ports[0], 24);
  b.writeUInt16LE(ports[1], 26);
  b.writeUInt32LE(LOOPBACK, 32);
  b.writeUInt32LE(LOOPBACK, 36);
  b.writeUInt16LE(id, 0);
  b.writeBigUInt64LE(0xffff888000000000n + BigInt(sk), 8);
  b.writeUInt16LE(family, 16);
  b.writeUInt16LE(family === 1 ? 0 : 6, 18);
  b.writeInt32LE(state, 20);
  return b;
}

function feed(w: TupleLearning, id: number, sk: number, state = 0, family = 2, ports: [number, number] = [0, 0]): void {
  expect(w.wants(id)).toBe(true);
  w.event(id, payload(id, sk, state, family, ports), 0);
}

describe('when tcp_rcv_space_adjust is needed', () => {
  it('is off once nothing waits for a tuple for 2 s, on again as soon as a record comes on an unknown socket', () => {
    const w = TupleLearning.forFormats(FORMATS, 0)!;
    feed(w, 12, 0x100, TCP_ESTABLISHED); // connected during the capture: known
    feed(w, 10, 0x100);
    feed(w, 10, 0x400, 0, 1); // a UNIX socket's send: never a record, never a tuple
    feed(w, 11, 0x200); // an older connection's receive...
    expect(w.decide(500)).toBeNull();
    expect(w.pendingSockets).toBe(1);
    feed(w, 13, 0x200); // ...whose tuple the same receive's tcp_rcv_space_adjust gives
    expect(w.pendingSockets).toBe(0);
    expect(w.decide(1000)).toBeNull(); // quiet since 1000
    expect(w.decide(2900)).toBeNull();
    expect(w.decide(3000)).toBe('off');
    expect(w.decide(9000)).toBeNull();
    feed(w, 10, 0x100);
    feed(w, 11, 0x200);
    expect(w.decide(9500)).toBeNull(); // both known: stays off
    feed(w, 10, 0x300); // an idle older connection, used now
    expect(w.decide(10_000)).toBe('on');
    expect(w.decide(10_500)).toBeNull();
    feed(w, 13, 0x300);
    expect(w.decide(11_000)).toBeNull();
    expect(w.decide(13_000)).toBe('off');
    expect(w.switches).toEqual({ off: 2, on: 1 });
  });

  it('forgets a closed socket (its address is reused), and a CLOSE resolves what waited on it', () => {
    const w = TupleLearning.forFormats(FORMATS, 0)!;
    feed(w, 12, 0x100, TCP_ESTABLISHED);
    feed(w, 12, 0x100, TCP_CLOSE);
    feed(w, 10, 0x100); // a new socket at that address whose connect was not seen
    expect(w.pendingSockets).toBe(1);
    feed(w, 12, 0x100, TCP_CLOSE);
    expect(w.pendingSockets).toBe(0);
  });

  it('stays on until every connection held at the attach was learned or closed (a pool idle at first)', () => {
    const w = TupleLearning.forFormats(FORMATS, 0)!;
    w.expectOld(parseProcTcp(PROC_TCP));
    expect(w.oldUnseenCount).toBe(3);
    feed(w, 13, 0x100, 0, 2, [0x1f90, 0xa000]); // 127.0.0.1:8080 > 127.0.0.1:40960 learned
    expect(w.decide(1000)).toBeNull();
    expect(w.decide(5000)).toBeNull(); // quiet, but two of the pool are unseen
    feed(w, 12, 0x200, TCP_CLOSE, 2, [0xa002, 0x1f90]); // one closes
    feed(w, 13, 0x300, 0, 2, [0x1f90, 0xa004]); // the IPv4-mapped one is used
    expect(w.oldUnseenCount).toBe(0);
    expect(w.decide(5500)).toBe('off');
  });

  it('stops waiting for the old connections after 30 s', () => {
    const w = TupleLearning.forFormats(FORMATS, 0)!;
    w.expectOld(parseProcTcp(PROC_TCP));
    expect(w.decide(1000)).toBeNull();
    expect(w.decide(29_000)).toBeNull();
    expect(w.decide(30_000)).toBe('off');
  });

  it('is not switched when the capture has no tcp_rcv_space_adjust (the syscall set records it)', () => {
    expect(TupleLearning.forFormats(FORMATS.slice(0, 3))).toBeNull();
  });
});

const root = process.getuid?.() === 0;
const tracefs = existsSync('/sys/kernel/tracing/instances') && existsSync('/sys/kernel/tracing/events/sock/sock_send_length');
const skip = !root ? 'not root' : !tracefs ? 'tracefs (with sock_send_length, kernel >= 6.3) is not there' : null;
if (skip) console.warn(`[skip] tuple learning with the helper: ${skip}`);

// Two connections made before the capture; A pings at once, B when told ("b").
const PINGPONG = `
import socket, sys, select, time
def pair():
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
    a = socket.create_connection(l.getsockname()); b, _ = l.accept(); l.close()
    return a, b
A, B = pair(), pair()
print(A[0].getsockname()[1], B[0].getsockname()[1], flush=True)
use = [A]
while True:
    r, _, _ = select.select([sys.stdin], [], [], 0.02)
    if r:
        if sys.stdin.readline().strip() != 'b': break
        use.append(B)
    for c, s in use:
        c.send(b'x'); s.recv(1); s.send(b'y'); c.recv(1)
`;

describe.skipIf(skip !== null)('tcp_rcv_space_adjust switched through the real helper', () => {
  let dir: TempDir | null = null;
  const procs: ChildProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    dir?.remove();
    dir = null;
  });

  it('stays on while an older connection idles, goes off once it is learned; every record gets its tuple', async () => {
    dir = tempDir('mt-learn-');
    const py = spawn('python3', ['-c', PINGPONG], { stdio: ['pipe', 'pipe', 'inherit'] });
    procs.push(py);
    const ports = await new Promise<string>((r) => createInterface({ input: py.stdout! }).once('line', r));
    const [, portB] = ports.split(' ').map(Number);
    const cfg = {
      tids: [py.pid!],
      traced: ['sock:sock_send_length', 'sock:sock_recv_length', 'tcp:tcp_rcv_space_adjust'],
      syscalls: { send: [], recv: [] },
      userEvents: [],
      sockets: [{ event: 'sock:inet_sock_set_state', filter: 'protocol == 6 && (newstate == 1 || newstate == 2 || newstate == 7)' }],
      bufferKb: 2048,
    };
    const helper = spawn(ftraceHelperPath(), ftraceHelperArgs(dir.path, cfg), { stdio: ['pipe', 'ignore', 'inherit'] });
    procs.push(helper);
    const exited = new Promise((r) => helper.on('exit', r));
    const raw = join(dir.path, 'raw.psv');
    const relay = new FtraceRelay(dir.path, raw, { tids: cfg.tids, comms: {}, syscalls: cfg.syscalls, set: 'causal' });
    relay.takeControl((line) => helper.stdin!.write(`${line}\n`));
    const enable = () => {
      const inst = readdirSync('/sys/kernel/tracing/instances').find((n) => n === `misertrace-${helper.pid}-traced`);
      return inst ? readFileSync(`/sys/kernel/tracing/instances/${inst}/events/tcp/tcp_rcv_space_adjust/enable`, 'utf8').trim() : '';
    };
    const until = (what: string, cond: () => boolean) => pollUntil(relay, what, cond);
    await until('learning on at the start', () => enable() === '1');
    // B was connected before the capture and idles: learning stays on, however quiet A is.
    const t0 = Date.now();
    await until('5 s of steady traffic on A', () => Date.now() - t0 > 5000);
    expect(enable()).toBe('1');
    py.stdin!.write('b\n');
    await until('learning off once B is learned', () => enable() === '0');
    // The helper takes "learn on" too (the relay sends it when a socket it does not know is used).
    helper.stdin!.write('learn on\n');
    await until('the helper switching it back on', () => enable() === '1');
    py.stdin!.write('stop\n');
    helper.stdin!.end();
    expect(await exited).toBe(0);
    await relay.finish();
    expect(relay.learningSwitches).toEqual({ off: 1, on: 0 });
    expect(relay.result!.unresolvedSends).toBe(0);
    const b = readFileSync(raw, 'utf8').split('\n').filter((l) => l.includes(`sport=${portB} `) || l.includes(`dport=${portB}"`) || l.endsWith(`dport=${portB}`));
    expect(b.length).toBeGreaterThan(8);
  }, 60_000);
});
