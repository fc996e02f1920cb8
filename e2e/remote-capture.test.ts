import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { DiscoveryService } from '../capture/discovery/network-discovery.js';
import { remoteCapture } from '../capture/remote/remote-capture.js';
import type { RemotePrompts, SecretRequest } from '../capture/remote/remote-prompts.js';
import { RemoteServices } from '../capture/remote/remote-services.js';
import { RemoteHost } from '../capture/remote/ssh-connection.js';
import { CaptureSession, type CaptureLog, type CaptureResult } from '../capture/session/capture-session.js';
import type { Backend } from '../capture/probes/probe-catalog.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { parseMeta } from '../engine/model/meta.js';
import { DemoApp } from './demo-app/demo-app.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests, type SentRequest } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { CLI, requireBuiltCli, spawnCapture } from './helpers/cli-capture.js';
import { sshdAvailable, startSshd, type SshdServer } from './helpers/sshd-server.js';
import { expectedShape, traceViews } from './helpers/trace-match.js';

// A remote capture of the demo app through a real OpenSSH server on a loopback port, as a
// throwaway user in the docker group who may use sudo with a password: discovery over the
// connection equals the local one; both backends give the same traces as a local capture of the
// same workload; the sudo password is never in a process's argv or environment, a log line or
// the bundle; a connection cut mid-capture leaves no tracefs instance and keeps a partial bundle.

const env = await captureEnvironment();
const skip = env.skipReason ?? (sshdAvailable ? null : 'needs /usr/sbin/sshd (apt-get install -y openssh-server)');
announceSkip('remote capture', skip);

/** The tracefs instances of the ftrace helper that ran as `pid` on the host (other captures may run on this machine). */
function instancesOf(pid: number | null | undefined): string[] {
  return readdirSync('/sys/kernel/tracing/instances').filter((n) => n.startsWith(`misertrace-${pid}-`));
}

const SUITE_START = Date.now() - 1000;

/** Upload folders of remote captures of this suite still on the host (a uid is reused by later runs' users: made since the suite started). */
function remoteDirsOf(user: string): string[] {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  return readdirSync('/tmp').filter((n) => {
    if (!n.startsWith('misertrace-remote.')) return false;
    const st = statSync(join('/tmp', n));
    return st.uid === uid && st.mtimeMs >= SUITE_START;
  });
}

/** Every process's argv and environment holding `secret` (ours included). */
function processesHolding(secret: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    for (const f of ['cmdline', 'environ']) {
      try {
        if (readFileSync(`/proc/${pid}/${f}`).includes(secret)) out.push(`${pid}/${f}`);
      } catch {
        // gone, or a kernel thread
      }
    }
  }
  return out;
}

describe.skipIf(skip !== null)('remote capture over a real sshd', () => {
  let sshd: SshdServer;
  let app: DemoApp;
  let dir: TempDir;
  let host: RemoteHost;
  const asked: SecretRequest[] = [];
  // The first sudo password is wrong: asked again, the right one is written once.
  let sudoAnswers: string[] = [];
  const prompts: RemotePrompts = {
    secret: async (r) => {
      asked.push(r);
      return r.kind === 'sudo' ? (sudoAnswers.shift() ?? sshd.password) : null;
    },
    confirmHostKey: async () => true,
  };

  beforeAll(async () => {
    dir = tempDir('misertrace-remote-');
    sshd = await startSshd();
    app = new DemoApp();
    await app.up();
    host = await RemoteHost.connect('mt-key', { prompts, configFile: sshd.sshConfig, agent: false });
  }, 180_000);

  afterAll(async () => {
    host?.dispose();
    await app?.down();
    await sshd?.stop();
    dir?.remove();
  }, 60_000);

  it('discovery over the connection finds the same threads as discovery here', async () => {
    const remote = await new RemoteServices(host).discover(app.network);
    const local = await new DiscoveryService().discover(app.network);
    expect(remote.gateway).toBe(local.gateway);
    expect(remote.meta).toEqual(local.meta);
  });

  async function capture(name: string, backend: Backend, where: 'local' | 'remote', work: () => Promise<SentRequest[]>, logs: CaptureLog[] = []) {
    const output = join(dir.path, `${name}.mstrace`);
    const rc = where === 'remote' ? remoteCapture(host, prompts) : null;
    // The remote session gets no Docker socket of this machine: only the connection reaches one.
    const session = new CaptureSession({ network: app.network, output, backend, drain: { quietMs: 300, maxMs: 10_000 }, docker: { socketPath: '/nonexistent/docker.sock' } }, rc?.collaborators ?? { discover: (n) => new DiscoveryService().discover(n) });
    session.onLog.on((l) => logs.push(l));
    try {
      const t0 = Date.now();
      await session.start();
      const attachMs = Date.now() - t0;
      const sent = await work();
      const result = await session.stop();
      return { result, sent, attachMs, output, tracerPid: rc?.child?.tracerPid };
    } finally {
      session.dispose();
    }
  }

  for (const backend of ['bpftrace', 'ftrace'] as const) {
    it(`${backend}: the remote capture gives the traces the local capture of the same workload gives`, async () => {
      const plan = planRequests(2);
      const local = await capture(`${backend}-local`, backend, 'local', () => sendRequests(app.url, plan, 1));
      sudoAnswers = ['not-the-password'];
      asked.length = 0;
      const logs: CaptureLog[] = [];
      let holders: string[] = [];
      const remote = await capture(`${backend}-remote`, backend, 'remote', async () => {
        // While the tracer runs as root: no process shows the password in its argv or environment.
        holders = processesHolding(sshd.password);
        return sendRequests(app.url, plan, 1);
      }, logs);
      console.log(`[remote ${backend}] Start -> attached ${remote.attachMs} ms (local ${local.attachMs} ms)`);
      expect(holders).toEqual([]);
      expect(asked.map((a) => [a.kind, a.attempt])).toEqual([
        ['sudo', 1],
        ['sudo', 2],
      ]);
      for (const r of [local, remote]) {
        expect(r.sent.every((s) => s.status === 200)).toBe(true);
        expect(r.result.partial).toBe(false);
        expect(r.result.lostEvents).toBe(0);
      }
      const lb = Bundle.open(local.output);
      const rb = Bundle.open(remote.output);
      try {
        const expected = plan.map((p) => expectedShape(p.endpoint));
        expect(traceViews(lb, app).map((t) => t.shape)).toEqual(expected);
        expect(traceViews(rb, app).map((t) => t.shape)).toEqual(expected);
        const m = rb.manifest.capture;
        expect(m.backend).toBe(backend);
        expect(m.remote).toMatchObject({ transport: 'ssh', target: 'mt-key', user: sshd.user, port: sshd.port, privilege: 'sudo-password' });
        const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
        expect(m.remote!.clockStart!.bootId).toBe(bootId);
        expect(m.remote!.clockEnd!.bootId).toBe(bootId);
        expect(BigInt(m.remote!.clockEnd!.monotonicNs)).toBeGreaterThan(BigInt(m.remote!.clockStart!.monotonicNs));
        expect(lb.manifest.capture.remote).toBeUndefined();
      } finally {
        lb.close();
        rb.close();
      }
      // The password is nowhere: the bundle, what the session logged, sshd's log.
      expect(readFileSync(remote.output).includes(sshd.password)).toBe(false);
      expect(JSON.stringify(logs)).not.toContain(sshd.password);
      expect(sshd.log()).not.toContain(sshd.password);
      expect(remote.tracerPid).toBeGreaterThan(0);
      expect(instancesOf(remote.tracerPid)).toEqual([]);
      expect(remoteDirsOf(sshd.user)).toEqual([]);
    }, 240_000);
  }

  it('the sudo password not given: start fails saying so, and nothing of the capture is left on the host', async () => {
    const refuse: RemotePrompts = { secret: async () => null, confirmHostKey: async () => false };
    const session = new CaptureSession({ network: app.network, output: join(dir.path, 'refused.mstrace'), backend: 'ftrace' }, remoteCapture(host, refuse).collaborators);
    try {
      const err = await session.start().then(() => null, (e: unknown) => e as Error & { code?: string });
      expect(err?.code).toBe('auth-cancelled');
      expect(err?.message).toContain('the sudo password for mt-key was not given; nothing was captured');
      expect(session.state).toBe('failed');
    } finally {
      session.dispose();
    }
    expect(remoteDirsOf(sshd.user)).toEqual([]);
  }, 60_000);

  it('misertrace doctor, discover and capture --host, run by a local user who has no Docker and no sudo here: only the SSH path can work', async () => {
    const cli = CLI;
    requireBuiltCli();
    // Named after the test's sshd user: a run killed before its cleanup is swept with it (sshd-server.ts).
    const local = sshd.user.replace(/^mtssh/, 'mtlocal');
    const home = join(dir.path, 'local-home');
    chmodSync(dir.path, 0o755);
    execFileSync('useradd', ['--create-home', '--home-dir', home, '--shell', '/bin/sh', local]);
    sshd.sudoWithoutPassword(true);
    try {
      // Its own copies of the client key, ssh config and known_hosts (ssh refuses others' files).
      const cfg = join(home, 'ssh_config');
      copyFileSync(join(sshd.dir, 'client_ed25519'), join(home, 'id'));
      copyFileSync(sshd.knownHosts, join(home, 'known_hosts'));
      writeFileSync(cfg, readFileSync(sshd.sshConfig, 'utf8').replaceAll(join(sshd.dir, 'client_ed25519'), join(home, 'id')).replaceAll(sshd.knownHosts, join(home, 'known_hosts')));
      execFileSync('chown', ['-R', `${local}:${local}`, home]);
      chmodSync(join(home, 'id'), 0o600);
      // As that user (Node drops the supplementary groups when it sets the uid); not runuser, which keeps SIGINT from the CLI.
      const ids = { uid: Number(execFileSync('id', ['-u', local], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', local], { encoding: 'utf8' })) };
      const opts = { ...ids, cwd: home, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: local } };
      const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { ...opts, encoding: 'utf8', timeout: 120_000 });
      // The local path: no Docker for this user.
      const here = run(['capture', '-n', app.network, '-o', join(home, 'here.mstrace'), '--duration', '1']);
      expect(here.status).toBe(3);
      expect(here.stderr).toContain('permission denied on the Docker socket');
      const doctor = run(['doctor', '--host', 'mt-key', '--ssh-config', cfg]);
      expect(doctor.stdout).toContain(`host mt-key (${sshd.user}@127.0.0.1:${sshd.port}, over SSH)`);
      expect(doctor.stdout).toMatch(/ok .*Docker engine/);
      expect(doctor.status, doctor.stderr).toBe(0);
      const disc = run(['discover', '--host', 'mt-key', '--ssh-config', cfg, '-n', app.network, '-m', join(home, 'meta.psv'), '-o', join(home, 'probes.bt')]);
      expect(disc.status, disc.stderr).toBe(0);
      expect(parseMeta(readFileSync(join(home, 'meta.psv'), 'utf8'))).toEqual((await new DiscoveryService().discover(app.network)).meta);
      const output = join(home, 'there.mstrace');
      const c = spawnCapture(['--host', 'mt-key', '--ssh-config', cfg, '-n', app.network, '-o', output], opts);
      try {
        expect(await c.attached()).toMatch(new RegExp(`^capturing: \\d+ probes attached \\(ftrace, .*on network ${app.network} of mt-key; stop with Ctrl-C`));
        const sent = await sendRequests(app.url, planRequests(1), 1);
        c.child.kill('SIGINT');
        expect(await c.exited, c.err()).toBe(0);
        const b = Bundle.open(output);
        try {
          expect(traceViews(b, app).map((t) => t.shape)).toEqual(sent.map((s) => expectedShape(s.endpoint)));
          expect(b.manifest.capture.remote).toMatchObject({ target: 'mt-key', privilege: 'sudo-n' });
        } finally {
          b.close();
        }
      } finally {
        c.kill();
      }
    } finally {
      sshd.sudoWithoutPassword(false);
      spawnSync('userdel', ['--force', local]);
    }
  }, 180_000);

  it('the connection cut mid-capture (the sshd processes killed): no tracefs instance is left, the partial bundle says why', async () => {
    const cut = await RemoteHost.connect('mt-key', { prompts, configFile: sshd.sshConfig, agent: false });
    const output = join(dir.path, 'cut.mstrace');
    const rc = remoteCapture(cut, prompts);
    const session = new CaptureSession({ network: app.network, output, backend: 'ftrace', drain: { quietMs: 300, maxMs: 10_000 } }, rc.collaborators);
    try {
      await session.start();
      const pid = rc.child?.tracerPid;
      expect(instancesOf(pid)).toEqual([`misertrace-${pid}-sockets`, `misertrace-${pid}-traced`]);
      await sendRequests(app.url, planRequests(1), 1);
      // The helper reads the kernel's buffers every second and its pages follow within 0.1 s:
      // what the host still holds when the link drops goes with its cleanup (docs/adr/0085).
      await new Promise((r) => setTimeout(r, 2500));
      expect(sshd.killConnections()).toBeGreaterThan(0);
      for (let i = 0; i < 100 && session.finished === null; i++) await new Promise((r) => setTimeout(r, 100));
      const result: CaptureResult = await session.finished!;
      expect(result.partial).toBe(true);
      expect(result.partialReason).toContain('the connection to mt-key was lost');
      const b = Bundle.open(result.output);
      try {
        expect(b.manifest.capture.partial).toBe(true);
        expect(b.manifest.capture.remote?.clockStart).not.toBeNull();
      } finally {
        b.close();
      }
      // The watchdog on the host stopped tracing and removed the instances with no one connected.
      for (let i = 0; i < 150 && (instancesOf(pid).length > 0 || remoteDirsOf(sshd.user).length > 0); i++) await new Promise((r) => setTimeout(r, 100));
      expect(instancesOf(pid)).toEqual([]);
      expect(remoteDirsOf(sshd.user)).toEqual([]);
    } finally {
      session.dispose();
      cut.dispose();
    }
  }, 120_000);
  it('the link goes silent (the sshd processes stopped, as when a laptop sleeps): the host stops tracing and removes its instances by itself', async () => {
    const quiet = await RemoteHost.connect('mt-key', { prompts, configFile: sshd.sshConfig, agent: false, keepaliveMs: 60_000 });
    // A short heartbeat timeout for the test (30 s by default).
    const rc = remoteCapture(quiet, prompts, new RemoteServices(quiet), undefined, { heartbeatTimeoutS: 4 });
    const session = new CaptureSession({ network: app.network, output: join(dir.path, 'quiet.mstrace'), backend: 'ftrace' }, rc.collaborators);
    try {
      await session.start();
      const pid = rc.child?.tracerPid;
      expect(instancesOf(pid)).toHaveLength(2);
      expect(sshd.freezeConnections()).toBeGreaterThan(0);
      // Nothing ends the watchdog's stdin now: only the missing heartbeats tell it.
      for (let i = 0; i < 300 && instancesOf(pid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(instancesOf(pid)).toEqual([]);
    } finally {
      sshd.killConnections();
      session.dispose();
      quiet.dispose();
    }
  }, 90_000);
});
