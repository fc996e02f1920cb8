import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventFormat, FieldSpec } from '../../capture/ftrace/event-format.js';
import { FtraceRelay } from '../../capture/ftrace/ftrace-relay.js';
import { ftraceHelperArgs, ftraceHelperPath } from '../../capture/ftrace/helper-command.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TupleLearning } from '../../capture/ftrace/tuple-learning.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';

// The causal set switches tcp_rcv_space_adjust off while no socket needs its tuple (docs/adr/0106):
// the decision on synthetic events, then for real: the root helper, tracefs and a traced process
// with two loopback connections older than the capture, the second idle until learning is off.

function format(id: number, name: string, fields: Record<string, number>): EventFormat {
  const m = new Map<string, FieldSpec>();
  for (const [f, offset] of Object.entries(fields)) m.set(f, { name: f, type: 'x', offset, size: 8, signed: false, arrayLength: 0, dataLoc: false, isChar: false });
  return { id, name, fields: m };
}
const FORMATS = [
  format(10, 'sock:sock_send_length', { sk: 8, family: 16, protocol: 18 }),
  format(11, 'sock:sock_recv_length', { sk: 8, family: 16, protocol: 18 }),
  format(12, 'sock:inet_sock_set_state', { skaddr: 8, newstate: 20 }),
  format(13, 'tcp:tcp_rcv_space_adjust', { skaddr: 8 }),
];

/** One event payload: common_type, the pointer at 8 (as the kernel's 0xffff... address), family and protocol at 16 and 18, a state at 20. */
function payload(id: number, sk: number, state = 0, family = 2): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt16LE(id, 0);
  b.writeBigUInt64LE(0xffff888000000000n + BigInt(sk), 8);
  b.writeUInt16LE(family, 16);
  b.writeUInt16LE(family === 1 ? 0 : 6, 18);
  b.writeInt32LE(state, 20);
  return b;
}

function feed(w: TupleLearning, id: number, sk: number, state = 0, family = 2): void {
  expect(w.wants(id)).toBe(true);
  w.event(id, payload(id, sk, state, family), 0);
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

  it('goes off under steady traffic, on for an idle older connection, and every record gets its tuple', async () => {
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
    const until = async (what: string, cond: () => boolean, ms = 20_000) => {
      const t0 = Date.now();
      while (!cond()) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
        await relay.poll();
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('learning on at the start', () => enable() === '1');
    await until('learning off under steady traffic on a learned connection', () => enable() === '0');
    py.stdin!.write('b\n');
    await until('learning on for the idle older connection', () => enable() === '1');
    await until('learning off once it is learned', () => enable() === '0');
    py.stdin!.write('stop\n');
    helper.stdin!.end();
    expect(await exited).toBe(0);
    await relay.finish();
    expect(relay.learningSwitches).toEqual({ off: 2, on: 1 });
    expect(relay.result!.unresolvedSends).toBe(0);
    const b = readFileSync(raw, 'utf8').split('\n').filter((l) => l.includes(`sport=${portB} `) || l.includes(`dport=${portB}"`) || l.endsWith(`dport=${portB}`));
    // B's first exchange (with learning off) is written with its tuple once learned.
    expect(b.length).toBeGreaterThan(8);
  }, 60_000);
});
