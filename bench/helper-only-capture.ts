import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscoveryService } from '../capture/discovery/network-discovery.js';
import { ftraceHelperArgs, ftraceHelperPath } from '../capture/ftrace/helper-command.js';
import type { ProbeSetName } from '../capture/probes/probe-catalog.js';
import { setEventsAsCaptured } from './kernel-only-tracing.js';

// bench:toggle --helper-only: the capture's root helper (misertrace-ftrace-helper.sh, the real
// one) with the events a local capture gives it, reading its instances in rounds and writing the
// pages to a folder, and no `misertrace capture` behind it: nobody walks the pages. Between
// --kernel-only (nobody reads) and a whole capture (the helper and the Node relay), it says which
// half of the reader costs what (throughput, p99).

export interface HelperOnly {
  pid: number;
  stop(): Promise<string>;
}

/** `without`: events left out (tcp:tcp_rcv_space_adjust: learning off, as in a steady capture). */
export async function startHelperOnly(network: string, set: ProbeSetName, dir: string, without: readonly string[] = []): Promise<HelperOnly> {
  const tids = (await new DiscoveryService().discover(network)).meta.map((m) => m.tid);
  const events = setEventsAsCaptured(set, without);
  const args = ftraceHelperArgs(dir, { bufferKb: 8192, tids, traced: events.traced, syscalls: events.syscalls, userEvents: [], sockets: events.sockets });
  // stdin stays open: its end is the helper's stop, as for a capture.
  const child = spawn(ftraceHelperPath(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  const messages = join(dir, 'messages');
  const attached = () => existsSync(messages) && readFileSync(messages, 'utf8').includes('@misertrace_attached');
  for (let i = 0; !attached(); i++) {
    if (child.exitCode !== null) throw new Error(`the ftrace helper exited before attaching:\n${out}`);
    if (i >= 300) {
      child.kill('SIGTERM');
      throw new Error(`the ftrace helper did not attach within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    async stop() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`the ftrace helper exited ${code}:\n${out}`);
      return out;
    },
  };
}
