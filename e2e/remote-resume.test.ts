import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { PROJECT_ROOT } from '../test/fixtures.js';
import { DemoApp } from './demo-app/demo-app.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { sshdAvailable, startSshd, type SshdServer } from './helpers/sshd-server.js';
import { expectedShape, traceViews } from './helpers/trace-match.js';

// misertrace capture --host when the whole sshd dies mid-capture and comes back (docs/adr/0085):
// the partial bundle is written, the CLI reconnects (each try said), waits until the host's
// watchdog stopped the earlier tracer, and resumes into the same bundle: the requests of both
// segments are in it, the gap is in its manifest, no tracefs instance and no upload is left.

const env = await captureEnvironment();
const skip = env.skipReason ?? (sshdAvailable ? null : 'needs /usr/sbin/sshd (apt-get install -y openssh-server)');
announceSkip('remote capture resume', skip);

function instancesOf(pid: number): string[] {
  return readdirSync('/sys/kernel/tracing/instances').filter((n) => n.startsWith(`misertrace-${pid}-`));
}

function statusOf(pid: number): { uid: number; ppid: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { uid: Number(/^Uid:\s+(\d+)/m.exec(s)![1]), ppid: Number(/^PPid:\s+(\d+)/m.exec(s)![1]) };
  } catch {
    return null;
  }
}

/** The pids of tracers whose instances exist now and that run under a login of `uid` (other suites capture on this machine too). */
function tracersOf(uid: number): number[] {
  const pids = new Set<number>();
  for (const n of readdirSync('/sys/kernel/tracing/instances')) {
    const pid = Number(/^misertrace-(\d+)-/.exec(n)?.[1] ?? 0);
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      const st = statusOf(p);
      if (st === null) break;
      if (st.uid === uid) {
        pids.add(pid);
        break;
      }
      p = st.ppid;
    }
  }
  return [...pids];
}

async function until(what: string, ok: () => boolean, ms: number, text: () => string): Promise<void> {
  for (const t0 = Date.now(); !ok(); ) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip !== null)('remote capture resumed after sshd was killed and restarted', () => {
  let sshd: SshdServer;
  let app: DemoApp;
  let dir: TempDir;

  beforeAll(async () => {
    dir = tempDir('misertrace-resume-');
    sshd = await startSshd();
    sshd.sudoWithoutPassword(true);
    // The host key is known already: the CLI has no terminal to ask on.
    const key = readFileSync(`${sshd.hostKeyFile}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(sshd.knownHosts, `[127.0.0.1]:${sshd.port} ${key}\n`);
    app = new DemoApp();
    await app.up();
  }, 180_000);

  afterAll(async () => {
    await app?.down();
    await sshd?.stop();
    dir?.remove();
  }, 60_000);

  it('capture --host --on-disconnect resume: one bundle with both segments and the gap', async () => {
    if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` before the e2e tests (the CLI runs from dist/)');
    const t0 = Date.now() - 1000;
    const output = join(dir.path, 'resumed.mstrace');
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'misertrace.js'), 'capture', '--host', 'mt-key', '--ssh-config', sshd.sshConfig, '-n', app.network, '-o', output, '--backend', 'ftrace', '--on-disconnect', 'resume'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until('the first attach', () => stdout.includes('\n') || child.exitCode !== null, 90_000, () => stderr);
      expect(stdout, stderr).toMatch(/^capturing: .* of mt-key; stop with Ctrl-C/);
      const uid = Number(readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${sshd.user}:`))!.split(':')[2]);
      const tracers = new Set(tracersOf(uid));
      expect(tracers.size).toBe(1);
      const first = await sendRequests(app.url, planRequests(2), 1);
      // The helper reads the kernel's buffers every second and its pages follow within 0.1 s:
      // what is still on the host when the link drops goes with its cleanup (docs/adr/0085).
      await new Promise((r) => setTimeout(r, 2500));
      // Every sshd process: the connections' and the listener's.
      expect(sshd.killConnections()).toBeGreaterThan(0);
      await sshd.kill();
      // The partial bundle first, then the tries against a port where nothing listens.
      await until('a failed try', () => /reconnecting to mt-key in \d+ s \(try 2 of 6\); the last try: nothing accepts SSH connections/.test(stderr), 60_000, () => stderr);
      expect(stderr).toContain(`wrote ${output}`);
      expect(existsSync(output)).toBe(true);
      await sshd.restart();
      await until('the resumed attach', () => stderr.includes('misertrace: resumed, capturing again:'), 90_000, () => stderr);
      expect(stderr).toContain('connected to mt-key again; waiting until its watchdog stopped the earlier capture');
      for (const p of tracersOf(uid)) tracers.add(p);
      expect(tracers.size).toBe(2);
      const second = await sendRequests(app.url, planRequests(3), 1);
      child.kill('SIGINT');
      // Partial: the gap is a time nothing was recorded.
      expect(await exited, stderr).toBe(1);
      expect(stderr).toMatch(/the bundle is PARTIAL: the capture has a gap \(.*the connection to mt-key was lost.*; resumed [\d.]+ s later\)/);
      const b = Bundle.open(output);
      try {
        expect(traceViews(b, app).map((t) => t.shape)).toEqual([...first, ...second].map((s) => expectedShape(s.endpoint)));
        const c = b.manifest.capture;
        expect(c.gaps).toHaveLength(1);
        const gap = c.gaps![0]!;
        expect(gap.reason).toContain('the connection to mt-key was lost');
        expect(Date.parse(gap.to)).toBeGreaterThan(Date.parse(gap.from));
        expect(BigInt(gap.monotonicTo!)).toBeGreaterThan(0n);
        expect(Date.parse(c.startedAt!)).toBeLessThan(Date.parse(gap.from));
        expect(c.remote?.clockStart?.monotonicNs).toBeDefined();
        expect(BigInt(c.remote!.clockStart!.monotonicNs)).toBeLessThan(BigInt(gap.monotonicTo!));
      } finally {
        b.close();
      }
      // Nothing left: no instance of either tracer, no kept segment records beside the bundle.
      for (const pid of tracers) expect(instancesOf(pid)).toEqual([]);
      expect(readdirSync(dir.path).filter((n) => n.includes('.segments-') || n.includes('.capture-'))).toEqual([]);
      // Ours: of this user, made during this test (a uid is reused by the next run's user).
      const uploads = () => readdirSync('/tmp').filter((n) => n.startsWith('misertrace-remote.') && statSync(join('/tmp', n)).uid === uid && statSync(join('/tmp', n)).mtimeMs >= t0);
      for (let i = 0; i < 150 && uploads().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(uploads()).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 300_000);
});
