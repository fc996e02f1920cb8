import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertBpftraceOutput } from '../../capture/bpftrace/bpftrace-output.js';
import type { FtraceChildConfig } from '../../capture/ftrace/ftrace-config.js';
import { FtraceRelay } from '../../capture/ftrace/ftrace-relay.js';
import { ftraceHelperArgs, ftraceHelperPath } from '../../capture/ftrace/helper-command.js';
import { detectKernelFeatures } from '../../capture/probes/kernel-features.js';
import { ftraceEventsOf, loadCatalog, type VariantSpec } from '../../capture/probes/probe-catalog.js';
import { missingForVariant } from '../../capture/probes/probe-support.js';
import { buildBpftraceScript } from '../../capture/probes/script-builder.js';

// The causal probe set for real, with each variant this kernel runs (ftrace, bpftrace with BTF and
// with the join): this test's own thread connects to itself over loopback and plays ping-pong;
// the records must be one MT:sock_send / MT:sock_recv per send and receive with the right local
// and remote ends and byte counts, and one MT:tcp_connect with the connection's complete tuple.

const catalog = loadCatalog();
const features = await detectKernelFeatures();
const runnable = catalog.variants.filter((v) => v.set === 'causal' && features.uid === 0 && missingForVariant(v, features, catalog).length === 0);
if (runnable.length === 0) console.warn('[skip] causal probe set live: needs root, tracefs, bpftrace and kernel >= 6.3');

const TID = Number(readlinkSync('/proc/thread-self').split('/').pop());
const COMM = readFileSync('/proc/thread-self/comm', 'utf8').trim();
const dir = mkdtempSync(join(tmpdir(), 'misertrace-causal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the variant's tracer on this thread, runs work(), stops it; returns the record lines. */
async function capture(v: VariantSpec, work: () => Promise<void>): Promise<{ lines: string[]; unresolved: number }> {
  const work_ = join(dir, v.id);
  mkdirSync(work_);
  const records = join(work_, 'records.psv');
  let argv: string[];
  let attached: string;
  let config: FtraceChildConfig | null = null;
  if (v.backend === 'bpftrace') {
    const script = join(work_, 'probes.bt');
    writeFileSync(script, buildBpftraceScript({ catalog, variant: v, tids: [TID], probes: [], custom: [], attachMarker: true }).text);
    attached = join(work_, 'bpftrace.out');
    argv = [features.bpftrace!.path, '-o', attached, script];
  } else {
    // The ftrace backend's root helper, as a capture runs it (its pages converted by the relay).
    config = {
      tracefs: features.tracefs.path!,
      tids: [TID],
      comms: { [TID]: COMM },
      syscalls: catalog.syscalls,
      ...ftraceEventsOf(catalog, v),
      userEvents: [],
      output: records,
      bufferKb: 1024,
    };
    argv = [ftraceHelperPath(), ...ftraceHelperArgs(work_, config)];
    attached = join(work_, 'messages');
  }
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null || i > 1200) throw new Error(`${v.id} did not attach: ${output}`);
      if (readFileSync(attached, { encoding: 'utf8', flag: 'a+' }).includes('@misertrace_attached')) break;
      await sleep(50);
    }
    await work();
    await sleep(100);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (config === null) {
    const s = await convertBpftraceOutput(attached, records, catalog.syscalls);
    return { lines: readFileSync(records, 'utf8').trim().split('\n'), unresolved: s.unresolved };
  }
  const relay = new FtraceRelay(work_, records, config);
  try {
    await relay.finish();
  } finally {
    await relay.close();
  }
  return { lines: readFileSync(records, 'utf8').trim().split('\n'), unresolved: relay.result?.unresolvedSends ?? -1 };
}

async function echoRounds(rounds: number): Promise<{ client: number; server: number }> {
  const server = createServer((s) => s.on('data', (d) => s.write(Buffer.concat([d, Buffer.from('!')]))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client: Socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  const ports = { client: client.localPort!, server: (server.address() as AddressInfo).port };
  for (let i = 0; i < rounds; i++) {
    const echoed = new Promise((r) => client.once('data', r));
    client.write(`ping ${String(i).padStart(3, '0')}`); // 8 bytes; the echo 9
    await echoed;
    await sleep(2);
  }
  client.destroy();
  await new Promise((r) => server.close(r));
  return ports;
}

describe.skipIf(runnable.length === 0)('the causal probe set on this kernel', () => {
  for (const v of runnable) {
    it(`${v.id} (${v.backend}): a send and a receive record each, with local/remote ends and lengths; the connect with its complete tuple`, async () => {
      const ROUNDS = 15;
      let ports = { client: 0, server: 0 };
      const { lines, unresolved } = await capture(v, async () => {
        ports = await echoRounds(ROUNDS);
      });
      const mine = lines.filter((l) => l.split('|')[1] === String(TID));
      const ends = (local: number, remote: number) => `saddr=127.0.0.1 sport=${local} daddr=127.0.0.1 dport=${remote}`;
      const count = (probe: string, details: string) => mine.filter((l) => l.split('|')[4] === probe && l.endsWith(`|"${details}"`)).length;
      expect(count('MT:tcp_connect', ends(ports.client, ports.server))).toBe(1);
      expect(count('MT:sock_send', `${ends(ports.client, ports.server)} len=8`)).toBe(ROUNDS);
      expect(count('MT:sock_send', `${ends(ports.server, ports.client)} len=9`)).toBe(ROUNDS);
      expect(count('MT:sock_recv', `${ends(ports.server, ports.client)} len=8`)).toBe(ROUNDS);
      expect(count('MT:sock_recv', `${ends(ports.client, ports.server)} len=9`)).toBe(ROUNDS);
      // No syscall records in this set, and no socket record without its tuple.
      expect(mine.filter((l) => /MT:sys_(enter|exit)_/.test(l))).toEqual([]);
      expect(unresolved).toBe(0);
    }, 120_000);
  }
});
