import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { commPattern, commPatterns, readerFilteredEvents, withCommFilter, MAX_PATTERNS } from '../../capture/ftrace/comm-filter.js';
import { FtraceRelay } from '../../capture/ftrace/ftrace-relay.js';
import { ftraceHelperArgs, ftraceHelperPath } from '../../capture/ftrace/helper-command.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';

// The causal set's thread filter in the reader, with a prefilter on thread names in the kernel
// (docs/adr/0125): the terms, then for real: the root helper, a traced process, an untraced one
// of the same name (its events reach the reader, never the records) and a child of the traced one
// that execs another program (its new name widens the kernel's filter; its records are kept).

describe('thread-name filter terms', () => {
  it('plain names exactly, numbered names by their stem, other bytes as ?', () => {
    expect(commPattern('nginx')).toBe('COMM == "nginx"');
    expect(commPattern('redis-server')).toBe('COMM == "redis-server"');
    expect(commPattern('io_thd_12')).toBe('COMM ~ "io_thd_*"');
    expect(commPattern('python3')).toBe('COMM ~ "python*"');
    expect(commPattern('we"ird[x]')).toBe('COMM ~ "we?ird?x?*"');
    // é is two bytes in the kernel's comm.
    expect(commPattern('café')).toBe('COMM ~ "caf??*"');
    expect(commPatterns(['python3', 'python3', 'nginx', 'gunicorn'])).toEqual(['COMM == "gunicorn"', 'COMM == "nginx"', 'COMM ~ "python*"']);
  });

  it('joins the names to the base filter, and drops them when there are too many', () => {
    expect(withCommFilter('protocol == 6', ['COMM == "a"', 'COMM ~ "b*"'])).toBe('(protocol == 6) && (COMM == "a" || COMM ~ "b*")');
    expect(withCommFilter(undefined, ['COMM == "a"'])).toBe('(COMM == "a")');
    expect(withCommFilter('protocol == 6', [])).toBe('protocol == 6');
    const many = Array.from({ length: MAX_PATTERNS + 1 }, (_, i) => `COMM == "n${String.fromCharCode(97 + (i % 26))}${i}x"`);
    expect(withCommFilter('protocol == 6', many)).toBe('protocol == 6');
  });

  it('moves every traced event to the unfiltered instance; forks, exits and renames without a name filter', () => {
    const r = readerFilteredEvents(
      { traced: ['sched:sched_process_fork', 'task:task_rename', { event: 'sock:sock_send_length', filter: 'protocol == 6' }, 'tcp:tcp_rcv_space_adjust'], sockets: [{ event: 'sock:inet_sock_set_state', filter: 'newstate == 1' }] },
      ['nginx'],
    );
    expect(r.traced).toEqual([]);
    expect(r.sockets).toEqual([
      { event: 'sock:inet_sock_set_state', filter: 'newstate == 1' },
      { event: 'sched:sched_process_fork' },
      { event: 'task:task_rename' },
      { event: 'sock:sock_send_length', filter: '(protocol == 6) && (COMM == "nginx")' },
      { event: 'tcp:tcp_rcv_space_adjust', filter: '(COMM == "nginx")' },
    ]);
    expect(r.byName).toEqual([{ event: 'sock:sock_send_length', filter: 'protocol == 6' }, { event: 'tcp:tcp_rcv_space_adjust' }]);
  });
});

const root = process.getuid?.() === 0;
const tracefs = existsSync('/sys/kernel/tracing/instances') && existsSync('/sys/kernel/tracing/events/sock/sock_send_length');
const skip = !root ? 'not root' : !tracefs ? 'tracefs (with sock_send_length, kernel >= 6.3) is not there' : null;
if (skip) console.warn(`[skip] thread-name filter with the helper: ${skip}`);

// Names itself (argv[1]); on "ping" makes a loopback connection and ping-pongs on it, printing its
// port; on "exec" starts a child (fork, then exec of python3: a new name) that waits for "go".
const PROC = `
import ctypes, socket, subprocess, sys
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)
def ping():
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
    a = socket.create_connection(l.getsockname()); b, _ = l.accept(); l.close()
    for _ in range(20): a.send(b'x'); b.recv(1); b.send(b'y'); a.recv(1)
    return a.getsockname()[1]
child = None
print('ready', flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == 'ping': print(ping(), flush=True)
    elif cmd == 'exec':
        child = subprocess.Popen([sys.executable, '-c', sys.argv[2]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        print(child.pid, flush=True)
    elif cmd == 'go':
        child.stdin.write(b'go\\n'); child.stdin.flush(); print(child.stdout.readline().decode().strip(), flush=True)
    else: break
`;
const CHILD = `
import socket, sys
sys.stdin.readline()
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

  function proc(name: string): { p: ChildProcess; say: (cmd: string) => Promise<string> } {
    const p = spawn('python3', ['-c', PROC, name, CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
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

  it("keeps the traced process and its exec'd child, never the untraced one of the same name; widens the name filter on exec", async () => {
    dir = tempDir('mt-comm-');
    const traced = proc('mt-traced');
    const other = proc('mt-traced');
    expect(await traced.say('')).toBe('ready');
    expect(await other.say('')).toBe('ready');
    const base = {
      traced: ['sched:sched_process_fork', 'sched:sched_process_exit', 'task:task_rename', { event: 'sock:sock_send_length', filter: 'protocol == 6' }, { event: 'sock:sock_recv_length', filter: 'protocol == 6 && ret >= 0' }],
      sockets: [{ event: 'sock:inet_sock_set_state', filter: 'protocol == 6 && (newstate == 1 || newstate == 2 || newstate == 7)' }],
    };
    const comms = { [String(traced.p.pid)]: 'mt-traced' };
    const events = readerFilteredEvents(base, Object.values(comms));
    const cfg = { tids: [traced.p.pid!], comms, syscalls: { send: [], recv: [] }, userEvents: [], bufferKb: 2048, ...events };
    const helper = spawn(ftraceHelperPath(), ftraceHelperArgs(dir.path, cfg), { stdio: ['pipe', 'ignore', 'inherit'] });
    procs.push(helper);
    const exited = new Promise((r) => helper.on('exit', r));
    const raw = join(dir.path, 'raw.psv');
    const relay = new FtraceRelay(dir.path, raw, { ...cfg, set: 'causal' });
    relay.takeControl((line) => helper.stdin!.write(`${line}\n`));
    const filterFile = () => {
      try {
        return readFileSync(`/sys/kernel/tracing/instances/misertrace-${helper.pid}-sockets/events/sock/sock_send_length/filter`, 'utf8');
      } catch {
        return '';
      }
    };
    const until = async (what: string, cond: () => boolean, ms = 20_000) => {
      const t0 = Date.now();
      while (!cond()) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
        await relay.poll();
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('the name filter', () => filterFile().includes('mt-traced'));
    // set_event_pid is not used: no context-switch hook for this capture.
    expect(readFileSync(`/sys/kernel/tracing/instances/misertrace-${helper.pid}-traced/set_event_pid`, 'utf8').trim()).toBe('');
    await new Promise((r) => setTimeout(r, 300));
    const tracedPort = Number(await traced.say('ping'));
    const otherPort = Number(await other.say('ping'));
    const childPid = Number(await traced.say('exec'));
    // The exec renamed the child (mt-traced -> python3): the relay widens the kernel's filter.
    await until('the filter widened to the new name', () => filterFile().includes('python*'));
    const childPort = Number(await traced.say('go'));
    await new Promise((r) => setTimeout(r, 300));
    await relay.poll();
    traced.p.stdin!.write('stop\n');
    other.p.stdin!.write('stop\n');
    helper.stdin!.end();
    expect(await exited).toBe(0);
    await relay.finish();
    const rows = readFileSync(raw, 'utf8').split('\n').filter((l) => l.includes('MT:sock_'));
    const on = (port: number) => rows.filter((l) => l.includes(`port=${port} `) || l.endsWith(`port=${port}"`));
    const tidOf = (l: string) => Number(l.split('|')[1]!.replaceAll('"', ''));
    // 20 ping-pongs: 40 sends and 40 receives on each connection, all by the traced process.
    expect(on(tracedPort).length).toBe(80);
    expect(new Set(on(tracedPort).map(tidOf))).toEqual(new Set([traced.p.pid]));
    expect(on(childPort).length).toBe(80);
    expect(new Set(on(childPort).map(tidOf))).toEqual(new Set([childPid]));
    // The untraced process of the same name: its events passed the name filter, the reader dropped them.
    expect(on(otherPort)).toEqual([]);
    expect(rows.some((l) => tidOf(l) === other.p.pid)).toBe(false);
    expect(relay.notes.map((n) => n.text).join('\n')).toMatch(/filter on thread names was widened 1 times/);
  }, 60_000);
});
