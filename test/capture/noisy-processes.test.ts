import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventFormat, FieldSpec } from '../../capture/ftrace/event-format.js';
import { excludeTerm, GONE, NoisyProcesses, procLookup, NOISY_EVENTS, readerFilteredEvents, withExclusions } from '../../capture/ftrace/noisy-processes.js';
import { FtraceRelay } from '../../capture/ftrace/ftrace-relay.js';
import { ftraceHelperArgs, ftraceHelperPath } from '../../capture/ftrace/helper-command.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { pollUntil } from './relay-poll.js';

// The causal set's thread filter in the reader (docs/adr/0125): the filter terms, the relay's
// watch on synthetic pages, then for real: the root helper, a traced process in its own network
// namespace, a busy process of the host (its name is left out in the kernel; its events never
// become records), the traced process's exec'd children (recorded from their first event), and a
// child that takes the left-out name (taken back in).

describe('names left out of the kernel filter', () => {
  it('plain names only, joined to the base filter', () => {
    expect(excludeTerm('wrk')).toBe('COMM != "wrk"');
    expect(excludeTerm('docker-proxy')).toBe('COMM != "docker-proxy"');
    expect(excludeTerm('we"ird')).toBeNull();
    expect(excludeTerm('')).toBeNull();
    expect(withExclusions('protocol == 6', ['wrk', 'docker-proxy'])).toBe('(protocol == 6) && COMM != "wrk" && COMM != "docker-proxy"');
    expect(withExclusions(undefined, ['wrk'])).toBe('COMM != "wrk"');
    expect(withExclusions('protocol == 6', [])).toBe('protocol == 6');
    expect(withExclusions(undefined, ['we"ird'])).toBeNull();
  });

  it('moves every traced event to the unfiltered instance; forks, exits and renames are never filtered by name', () => {
    const r = readerFilteredEvents({
      traced: ['sched:sched_process_fork', 'task:task_rename', { event: 'sock:sock_send_length', filter: 'protocol == 6' }, 'tcp:tcp_rcv_space_adjust'],
      sockets: [{ event: 'sock:inet_sock_set_state', filter: 'newstate == 1' }],
    });
    expect(r.traced).toEqual([]);
    expect(r.sockets).toEqual([
      { event: 'sock:inet_sock_set_state', filter: 'newstate == 1' },
      { event: 'sched:sched_process_fork' },
      { event: 'task:task_rename' },
      { event: 'sock:sock_send_length', filter: 'protocol == 6' },
      { event: 'tcp:tcp_rcv_space_adjust' },
    ]);
    expect(r.byName).toEqual([{ event: 'sock:sock_send_length', filter: 'protocol == 6' }, { event: 'tcp:tcp_rcv_space_adjust' }]);
  });
});

function format(id: number, name: string, fields: Record<string, number>): EventFormat {
  const m = new Map<string, FieldSpec>();
  for (const [f, offset] of Object.entries({ common_pid: 4, ...fields })) m.set(f, { name: f, type: 'x', offset, size: 4, signed: true, arrayLength: 0, dataLoc: false, isChar: false });
  return { id, name, fields: m } as EventFormat;
}
const FORMATS = [format(1, 'sock:sock_send_length', {}), format(2, 'sched:sched_process_fork', { child_pid: 8 }), format(3, 'sched:sched_process_exit', {}), format(4, 'task:task_rename', { pid: 8, oldcomm: 12, newcomm: 28 })];
function ev(id: number, pid: number, fill: (b: Buffer) => void = () => undefined): Buffer {
  const b = Buffer.alloc(48);
  b.writeUInt16LE(id, 0);
  b.writeInt32LE(pid, 4);
  fill(b);
  return b;
}
const rename = (pid: number, from: string, to: string) => ev(4, pid, (b) => (b.writeInt32LE(pid, 8), b.write(from, 12), b.write(to, 28)));

describe('what the relay reads of a process', () => {
  it('its namespace, or GONE once it ended (a rename read after its process ended decides nothing)', () => {
    expect(procLookup.netns(process.pid)).toMatch(/^net:\[\d+\]$/);
    expect(procLookup.comm(process.pid)).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    const ended = spawnSync('true');
    expect(ended.status).toBe(0);
    expect(procLookup.netns(ended.pid!)).toBe(GONE);
    expect(procLookup.comm(ended.pid!)).toBeNull();
  });
});

describe('the relay watch on synthetic events', () => {
  // Namespaces and names as /proc would tell them: 10 is traced in net:[1]; 20 (wrk) and 30
  // (the same name as ours) live in the host's net:[0]; 40 is another thread of the container;
  // 99's namespace cannot be read (an unprivileged relay, another user's process); 70 is gone.
  const lookup = { netns: (p: number) => (p === 10 || p === 40 ? 'net:[1]' : p === 99 ? null : p === 70 ? GONE : 'net:[0]'), comm: (p: number) => ({ 20: 'wrk', 30: 'app', 40: 'app', 99: 'docker-proxy' })[p] ?? null };
  const feed = (w: NoisyProcesses, e: Buffer, times = 1) => {
    for (let i = 0; i < times; i++) if (w.wants(e.readUInt16LE(0))) w.event(e.readUInt16LE(0), e, 0);
  };

  it("leaves out a busy host process's name, never ours, never a traced container's thread", () => {
    const w = new NoisyProcesses([10], ['app'], [{ event: 'sock:sock_send_length', filter: 'protocol == 6' }], lookup);
    expect(w.useFormats(FORMATS)).toBe(true);
    feed(w, ev(1, 10), 500);
    feed(w, ev(1, 20), NOISY_EVENTS - 1);
    feed(w, ev(1, 30), 500);
    feed(w, ev(1, 40), 500);
    w.review();
    expect(w.changes()).toEqual([]);
    feed(w, ev(1, 20));
    w.review();
    expect([...w.excluded]).toEqual(['wrk']);
    expect(w.changes()).toEqual(['filter sockets|sock:sock_send_length|(protocol == 6) && COMM != "wrk"']);
    expect(w.changes()).toEqual([]);
    // Its namespace unknown, a name that was never ours is left out all the same.
    feed(w, ev(1, 99), NOISY_EVENTS);
    w.review();
    expect(w.changes()).toEqual(['filter sockets|sock:sock_send_length|(protocol == 6) && COMM != "wrk" && COMM != "docker-proxy"']);
    // A container joining the network with a thread of a left-out name takes it back.
    w.addThreads([60], ['docker-proxy']);
    expect(w.readmitted).toEqual(['docker-proxy']);
    expect(w.changes()).toEqual(['filter sockets|sock:sock_send_length|(protocol == 6) && COMM != "wrk"']);
    expect(w.threads.has(60)).toBe(true);
  });

  it('follows forks; a traced thread (or a child of one, seen before its fork) taking a left-out name takes it back in', () => {
    const w = new NoisyProcesses([10], ['app'], [{ event: 'tcp:tcp_rcv_space_adjust' }], lookup);
    w.useFormats([...FORMATS, format(5, 'tcp:tcp_rcv_space_adjust', {})]);
    feed(w, ev(5, 20), NOISY_EVENTS);
    w.review();
    expect(w.changes()).toEqual(['filter sockets|tcp:tcp_rcv_space_adjust|COMM != "wrk"']);
    feed(w, ev(2, 10, (b) => b.writeInt32LE(11, 8)));
    expect(w.threads.has(11)).toBe(true);
    // A host process renamed from a name that is not ours, or from ours (the host's own "app"
    // starting wrk), or one gone by the time its rename is read: nothing changes.
    feed(w, rename(50, 'bash', 'wrk'));
    feed(w, rename(30, 'app', 'wrk'));
    feed(w, rename(70, 'app', 'wrk'));
    expect(w.changes()).toEqual([]);
    // A thread of the container whose fork was not seen yet, renamed from our name.
    feed(w, rename(40, 'app', 'wrk'));
    expect(w.readmitted).toEqual(['wrk']);
    expect(w.changes()).toEqual(['filter sockets|tcp:tcp_rcv_space_adjust|0']);
    feed(w, ev(3, 11));
    expect(w.threads.has(11)).toBe(false);
  });
});

const root = process.getuid?.() === 0;
const tracefs = existsSync('/sys/kernel/tracing/instances') && existsSync('/sys/kernel/tracing/events/sock/sock_send_length');
const skip = !root ? 'not root' : !tracefs ? 'tracefs (with sock_send_length, kernel >= 6.3) is not there' : null;
if (skip) console.warn(`[skip] thread-name filter with the helper: ${skip}`);

// Names itself (argv[1]). "ping N": a loopback connection, N ping-pongs on it, its port printed;
// "exec NAME WAIT": a child (fork, then exec of python3) that names itself NAME (- keeps python3),
// waits for "go" when WAIT is "wait", ping-pongs 20 times and prints its port.
const PROC = `
import ctypes, socket, subprocess, sys
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)
def ping(n):
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
    a = socket.create_connection(l.getsockname()); b, _ = l.accept(); l.close()
    for _ in range(n): a.send(b'x'); b.recv(1); b.send(b'y'); a.recv(1)
    return a.getsockname()[1]
child = None
print('ready', flush=True)
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == 'ping': print(ping(int(cmd[1])), flush=True)
    elif cmd[0] == 'exec':
        child = subprocess.Popen([sys.executable, '-c', sys.argv[2], cmd[1], cmd[2]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        print(child.pid, flush=True)
        if cmd[2] != 'wait': print(child.stdout.readline().decode().strip(), flush=True)
    elif cmd[0] == 'go':
        child.stdin.write(b'go\\n'); child.stdin.flush(); print(child.stdout.readline().decode().strip(), flush=True)
    else: break
`;
const CHILD = `
import ctypes, socket, sys
if sys.argv[1] != '-': ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)
if sys.argv[2] == 'wait': sys.stdin.readline()
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
a = socket.create_connection(l.getsockname()); b, _ = l.accept()
for _ in range(20): a.send(b'x'); b.recv(1); b.send(b'y'); a.recv(1)
print(a.getsockname()[1], flush=True)
`;

describe.skipIf(skip !== null)('the thread filter in the reader, through the real helper', () => {
  let dir: TempDir | null = null;
  const procs: ChildProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    dir?.remove();
    dir = null;
  });

  function proc(name: string, ownNetns: boolean): { p: ChildProcess; say: (cmd: string) => Promise<string> } {
    const py = ['python3', '-c', PROC, name, CHILD];
    // unshare execs sh, sh execs python3: one pid, in a network namespace of its own with loopback up.
    const p = ownNetns ? spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...py], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(py[0]!, py.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    procs.push(p);
    const lines: Interface = createInterface({ input: p.stdout! });
    const queue: string[] = [];
    const waiting: ((l: string) => void)[] = [];
    lines.on('line', (l) => (waiting.length > 0 ? waiting.shift()!(l) : queue.push(l)));
    const next = () => new Promise<string>((r) => (queue.length > 0 ? r(queue.shift()!) : waiting.push(r)));
    return {
      p,
      say: async (cmd) => {
        if (cmd !== '') p.stdin!.write(`${cmd}\n`);
        return next();
      },
    };
  }

  it("records the traced process and its exec'd children from their first event, leaves a busy host process out by name, takes the name back when a traced child takes it", async () => {
    dir = tempDir('mt-noisy-');
    const traced = proc('mt-traced', true);
    const noisy = proc('mt-noisy', false);
    expect(await traced.say('')).toBe('ready');
    expect(await noisy.say('')).toBe('ready');
    const events = readerFilteredEvents({
      traced: ['sched:sched_process_fork', 'sched:sched_process_exit', 'task:task_rename', { event: 'sock:sock_send_length', filter: 'protocol == 6' }, { event: 'sock:sock_recv_length', filter: 'protocol == 6 && ret >= 0' }],
      sockets: [{ event: 'sock:inet_sock_set_state', filter: 'protocol == 6 && (newstate == 1 || newstate == 2 || newstate == 7)' }],
    });
    const comms = { [String(traced.p.pid)]: 'mt-traced' };
    const cfg = { tids: [traced.p.pid!], comms, syscalls: { send: [], recv: [] }, userEvents: [], bufferKb: 2048, ...events };
    const helper = spawn(ftraceHelperPath(), ftraceHelperArgs(dir.path, cfg), { stdio: ['pipe', 'ignore', 'inherit'] });
    procs.push(helper);
    const exited = new Promise((r) => helper.on('exit', r));
    const raw = join(dir.path, 'raw.psv');
    const relay = new FtraceRelay(dir.path, raw, { ...cfg, set: 'causal' });
    relay.takeControl((line) => helper.stdin!.write(`${line}\n`));
    const instance = `/sys/kernel/tracing/instances/misertrace-${helper.pid}`;
    const sendFilter = () => {
      try {
        return readFileSync(`${instance}-sockets/events/sock/sock_send_length/filter`, 'utf8');
      } catch {
        return '';
      }
    };
    const until = (what: string, cond: () => boolean) => pollUntil(relay, what, cond);
    await until('the capture', () => existsSync(`${instance}-sockets/events/sock/sock_send_length/enable`) && readFileSync(`${instance}-sockets/events/sock/sock_send_length/enable`, 'utf8').trim() === '1');
    // set_event_pid is not used: no context-switch hook for this capture.
    expect(readFileSync(`${instance}-traced/set_event_pid`, 'utf8').trim()).toBe('');
    await new Promise((r) => setTimeout(r, 300));
    const noisyPort = Number(await noisy.say('ping 500'));
    await until('the busy host process left out by name', () => sendFilter().includes('COMM != "mt-noisy"'));
    // Left out in the kernel: these 12,000 events are never recorded.
    await noisy.say('ping 3000');
    const tracedPort = Number(await traced.say('ping 20'));
    // A child that execs (its name becomes python3) is recorded from its first send: nothing to wait for.
    const childPid = Number(await traced.say('exec - now'));
    const childPort = Number(await traced.say(''));
    // A child that takes the left-out name: the relay takes it back in, then it ping-pongs.
    const renamedPid = Number(await traced.say('exec mt-noisy wait'));
    await until('the name taken back in', () => sendFilter() !== '' && !sendFilter().includes('mt-noisy'));
    const renamedPort = Number(await traced.say('go'));
    await new Promise((r) => setTimeout(r, 300));
    await relay.poll();
    traced.p.stdin!.write('stop\n');
    noisy.p.stdin!.write('stop\n');
    helper.stdin!.end();
    expect(await exited).toBe(0);
    await relay.finish();
    const rows = readFileSync(raw, 'utf8').split('\n').filter((l) => l.includes('MT:sock_'));
    const on = (port: number) => rows.filter((l) => l.includes(`port=${port} `) || l.endsWith(`port=${port}"`));
    const tidOf = (l: string) => Number(l.split('|')[1]!.replaceAll('"', ''));
    // 20 ping-pongs: 40 sends and 40 receives on each connection, by the thread that made it.
    for (const [port, pid] of [[tracedPort, traced.p.pid], [childPort, childPid], [renamedPort, renamedPid]] as const) {
      expect(on(port).length).toBe(80);
      expect(new Set(on(port).map(tidOf))).toEqual(new Set([pid]));
    }
    // The host process: its first events reached the reader, which dropped them; the later ones never reached it.
    expect(on(noisyPort)).toEqual([]);
    expect(rows.some((l) => tidOf(l) === noisy.p.pid)).toBe(false);
    expect(relay.result!.events).toBeLessThan(12_000);
    const notes = relay.notes.map((n) => n.text).join('\n');
    expect(notes).toMatch(/left out in the kernel by name: mt-noisy/);
    expect(notes).toMatch(/1 name taken back in because a traced thread took it \(mt-noisy\)/);
  }, 60_000);
});
