import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertBpftraceOutput } from '../../capture/bpftrace/bpftrace-output.js';
import { ntop4 } from '../../capture/bpftrace/bpftrace-records.js';
import { parseCustomProbes } from '../../capture/probes/custom-probes.js';
import { detectKernelFeatures } from '../../capture/probes/kernel-features.js';
import { loadCatalog } from '../../capture/probes/probe-catalog.js';
import { missingForVariant } from '../../capture/probes/probe-support.js';
import { buildBpftraceScript } from '../../capture/probes/script-builder.js';

// The record maps for real: this test's own thread is the traced application. It talks TCP to
// itself over loopback under a comm with ", " in it, bpftrace runs the real script, and the
// converter must give the records the printf set gave (every send a tcp_send with the sockets'
// own ports, every receive with data its tcp_rcv_space_adjust), pass a custom probe's lines
// through, and report as lost what a too-small map refused.

const catalog = loadCatalog();
const features = await detectKernelFeatures();
const variant = catalog.variants.find((v) => v.backend === 'bpftrace' && missingForVariant(v, features, catalog).length === 0);
const canRun = features.uid === 0 && features.bpftrace !== null && features.tracefs.mounted && variant !== undefined;
if (!canRun) console.warn('[skip] record maps with a real bpftrace: needs root, bpftrace, tracefs and a bpftrace variant this kernel supports');

const TID = Number(readlinkSync('/proc/thread-self').split('/').pop());
const COMM = 'mt, x) y';
const CUSTOM = `tracepoint:syscalls:sys_enter_getppid\n/@pids[tid] == 1/\n{\n  printf("%s|%d|%llu|%d|%s|\\"custom=1\\"\\n", comm, tid, nsecs, cpu, probe);\n}\n`;
const dir = mkdtempSync(join(tmpdir(), 'misertrace-maps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the capture script on this thread around work(); returns bpftrace's output file. */
async function capture(name: string, env: Record<string, string>, work: () => Promise<void>): Promise<string> {
  const s = buildBpftraceScript({ catalog, variant: variant!, tids: [TID], probes: [], custom: [parseCustomProbes(CUSTOM, 'custom.bt')], attachMarker: true });
  const script = join(dir, `${name}.bt`);
  const out = join(dir, `${name}.out`);
  writeFileSync(script, s.text);
  const child = spawn(features.bpftrace!.path, ['-o', out, script], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null || i > 1200) throw new Error(`bpftrace did not attach: ${stderr}`);
      if (readFileSync(out, { encoding: 'utf8', flag: 'a+' }).includes('@misertrace_attached')) break;
      await sleep(50);
    }
    await work();
    await sleep(100);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    return out;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** A loopback echo pair in this thread; rounds of ping-pong, or a burst of writes. */
async function withEcho(f: (client: Socket, ports: { client: number; server: number }) => Promise<void>): Promise<{ client: number; server: number }> {
  const server = createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  const ports = { client: client.localPort!, server: (server.address() as AddressInfo).port };
  const old = readFileSync('/proc/thread-self/comm', 'utf8').trim();
  writeFileSync('/proc/thread-self/comm', COMM);
  try {
    await f(client, ports);
  } finally {
    writeFileSync('/proc/thread-self/comm', old);
    client.destroy();
    await new Promise((r) => server.close(r));
  }
  return ports;
}

async function pingPong(client: Socket, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const echoed = new Promise((r) => client.once('data', r));
    client.write(`ping ${i}`);
    await echoed;
    process.ppid; // getppid(): the custom probe's event
    await sleep(2);
  }
}

describe.skipIf(!canRun)('record maps with a real bpftrace', () => {
  it('gives the printf records: sends with their tuple, receives with data, a comm with ", ", custom lines through', async () => {
    const ROUNDS = 20;
    let ports = { client: 0, server: 0 };
    const out = await capture('live', {}, async () => {
      ports = await withEcho((c) => pingPong(c, ROUNDS));
    });
    const psv = join(dir, 'live.psv');
    const stats = await convertBpftraceOutput(out, psv, catalog.syscalls);
    expect(stats).toMatchObject({ mapLost: 0, malformed: 0, cutBytes: 0 });
    const lines = readFileSync(psv, 'utf8').trim().split('\n');
    const mine = lines.filter((l) => l.startsWith(`${COMM}|${TID}|`));
    const tuple = (from: number, to: number) => `"sport=${from} dport=${to} saddr=127.0.0.1 daddr=127.0.0.1"`;
    const count = (probe: string, details = '') => mine.filter((l) => l.split('|')[4] === probe && l.endsWith(details)).length;
    expect(count('MT:tcp_send', tuple(ports.client, ports.server))).toBe(ROUNDS);
    expect(count('MT:tcp_send', tuple(ports.server, ports.client))).toBe(ROUNDS);
    expect(count('MT:tcp_rcv_space_adjust', tuple(ports.server, ports.client))).toBeGreaterThanOrEqual(ROUNDS);
    expect(count('MT:tcp_rcv_space_adjust', tuple(ports.client, ports.server))).toBeGreaterThanOrEqual(ROUNDS);
    expect(count('tracepoint:syscalls:sys_enter_getppid', '"custom=1"')).toBe(ROUNDS);
    // Each syscall's records together, in the printf order: enter, tcp_send or the receive's, exit.
    for (let i = 0; i < mine.length; i++) {
      const probe = mine[i]!.split('|')[4]!;
      if (probe === 'MT:tcp_send') {
        expect(mine[i - 1]!.split('|')[4]).toMatch(/^MT:sys_enter_(write|writev|sendto|sendmsg)$/);
        expect(mine[i - 1]!.split('|').slice(0, 4)).toEqual(mine[i]!.split('|').slice(0, 4)); // stamped at entry
        expect(mine[i + 1]!.split('|')[4]).toMatch(/^MT:sys_exit_/);
        // The exit says how many bytes the send moved, as the ftrace backend's does: "ping N".
        expect(mine[i + 1]!).toMatch(/\|"ret=(6|7)"$/);
      }
    }
    // Every kept syscall's exit carries its return value (receives: the bytes read).
    const exits = mine.filter((l) => l.split('|')[4]!.startsWith('MT:sys_exit_'));
    expect(exits.length).toBeGreaterThanOrEqual(4 * ROUNDS);
    expect(exits.filter((l) => !/\|"ret=\d+"$/.test(l))).toEqual([]);
    // Our dotted addresses are bpftrace's own ntop of the same u32.
    const values = [33559212, 50336428, 16777343, 0x04030201];
    const bt = spawnSync(features.bpftrace!.path, ['-e', `BEGIN { ${values.map((v) => `printf("%s\\n", ntop((uint32)${v}));`).join(' ')} exit(); }`], { encoding: 'utf8' });
    expect(bt.stdout.trim().split('\n').slice(1)).toEqual(values.map(ntop4));
  }, 120_000);

  it('a record map too small for a burst: what it refused is reported as lost, the rest converted', async () => {
    let writes = 0;
    const out = await capture('small', { BPFTRACE_MAP_KEYS_MAX: '16' }, async () => {
      await withEcho(async (c) => {
        // Writes faster than one 20 ms flush: far more entries than 16 in one map.
        for (; writes < 300; writes++) c.write('x');
        await sleep(200);
      });
    });
    const raw = readFileSync(out, 'utf8');
    const counted = [...raw.matchAll(/^@mt_n[ab]: (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const stats = await convertBpftraceOutput(out, join(dir, 'small.psv'), catalog.syscalls);
    expect(counted).toBeGreaterThanOrEqual(writes);
    expect(stats.mapLost).toBeGreaterThan(0);
    expect(stats.entries + stats.mapLost).toBe(counted);
    const psv = readFileSync(join(dir, 'small.psv'), 'utf8');
    expect([...psv.matchAll(/^Lost (\d+) events$/gm)].reduce((n, m) => n + Number(m[1]), 0)).toBe(stats.mapLost);
  }, 120_000);
});
