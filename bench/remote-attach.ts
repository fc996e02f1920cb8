import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remoteCapture } from '../capture/remote/remote-capture.js';
import type { RemotePrompts } from '../capture/remote/remote-prompts.js';
import { RemoteHost } from '../capture/remote/ssh-connection.js';
import { CaptureSession, type CaptureState } from '../capture/session/capture-session.js';
import { DemoApp } from '../e2e/demo-app/demo-app.js';
import { startSshd } from '../e2e/helpers/sshd-server.js';

// npm run bench:remote — "Start" to "attached" of a capture of the demo app on this machine and
// on the same machine as a remote host over a loopback OpenSSH server (started here, with a
// throwaway user; e2e/helpers/sshd-server.ts), with a warm connection (opened once, as the app
// keeps it), for each backend, with sudo -n and with sudo asking a password. Each row: the
// median over rounds, and the time to each state. Target (issue 12): remote under 3 s.
//   --rounds N (3)  --backends ftrace,bpftrace

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const ROUNDS = Number(arg('rounds', '3'));
const BACKENDS = arg('backends', 'ftrace,bpftrace').split(',') as ('ftrace' | 'bpftrace')[];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-bench-remote-'));
  const sshd = await startSshd();
  const app = new DemoApp();
  let host: RemoteHost | null = null;
  try {
    await app.up();
    const prompts: RemotePrompts = { secret: async () => sshd.password, confirmHostKey: async () => true };
    host = await RemoteHost.connect('mt-key', { prompts, configFile: sshd.sshConfig, agent: false });
    console.log(`remote host: ${host.label} over a loopback sshd (${sshd.user}); ${ROUNDS} rounds, medians in ms`);
    console.log('where   backend   sudo       start->attached  (preparing -> attaching -> capturing)');
    for (const backend of BACKENDS) {
      const modes: { where: 'local' | 'remote'; sudo: 'n' | 'password' | '-' }[] = [
        { where: 'local', sudo: '-' },
        { where: 'remote', sudo: 'n' },
        { where: 'remote', sudo: 'password' },
      ];
      for (const m of modes) {
        const totals: number[] = [];
        const marks: Record<string, number[]> = {};
        for (let r = 0; r < ROUNDS; r++) {
          sshd.sudoWithoutPassword(m.sudo === 'n');
          const rc = m.where === 'remote' ? remoteCapture(host, prompts) : null;
          const s = new CaptureSession({ network: app.network, output: join(dir, `${backend}-${m.where}-${m.sudo}-${r}.mstrace`), backend, hostLimits: false }, rc?.collaborators ?? {});
          const t0 = performance.now();
          const seen: Partial<Record<CaptureState, number>> = {};
          s.onState.on((st) => (seen[st] ??= performance.now() - t0));
          try {
            await s.start();
            totals.push(performance.now() - t0);
            for (const [k, v] of Object.entries(seen)) (marks[k] ??= []).push(v);
          } finally {
            await s.cancel({ keep: false }).catch(() => undefined);
            s.dispose();
          }
        }
        const at = (k: string) => (marks[k] ? String(Math.round(median(marks[k]!))) : '-');
        console.log(`${m.where.padEnd(7)} ${backend.padEnd(9)} ${m.sudo.padEnd(10)} ${String(Math.round(median(totals))).padStart(15)}  (${at('preparing')} -> ${at('attaching')} -> ${at('capturing')})`);
      }
    }
  } finally {
    host?.dispose();
    sshd.sudoWithoutPassword(false);
    await app.down();
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
