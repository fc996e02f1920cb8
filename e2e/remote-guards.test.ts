import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { remoteCapture } from '../capture/remote/remote-capture.js';
import type { RemotePrompts } from '../capture/remote/remote-prompts.js';
import { RemoteServices } from '../capture/remote/remote-services.js';
import { RemoteHost } from '../capture/remote/ssh-connection.js';
import { CaptureSession } from '../capture/session/capture-session.js';
import type { HostLimits } from '../capture/session/host-guard.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { DemoApp } from './demo-app/demo-app.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { sshdAvailable, startSshd, type SshdServer } from './helpers/sshd-server.js';

// The remote host's own memory and disk (docs/adr/0086), through a real sshd whose user's TMPDIR
// is a 48 MiB tmpfs the test mounts (where the uploads and the ftrace helper's pages go): a host
// without room refuses to start, saying which and how much; a disk that fills while capturing
// stops the capture, keeping what was captured in a partial bundle that says why.

const env = await captureEnvironment();
const skip = env.skipReason ?? (sshdAvailable ? null : 'needs /usr/sbin/sshd (apt-get install -y openssh-server)');
announceSkip('remote host guards', skip);

const MiB = 1024 * 1024;

describe.skipIf(skip !== null)('the remote host guard over a real sshd', () => {
  let sshd: SshdServer;
  let app: DemoApp;
  let dir: TempDir;
  let small: string;
  let host: RemoteHost;
  const prompts: RemotePrompts = { secret: async () => null, confirmHostKey: async () => true };

  beforeAll(async () => {
    dir = tempDir('misertrace-guards-');
    chmodSync(dir.path, 0o755);
    small = join(dir.path, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=1777', 'misertrace-test', small]);
    sshd = await startSshd({ env: { TMPDIR: small } });
    sshd.sudoWithoutPassword(true);
    host = await RemoteHost.connect('mt-key', { prompts, configFile: sshd.sshConfig, agent: false });
    app = new DemoApp();
    await app.up();
  }, 180_000);

  afterAll(async () => {
    host?.dispose();
    await app?.down();
    await sshd?.stop();
    if (small) spawnSync('umount', ['-l', small]);
    dir?.remove();
  }, 60_000);

  function session(name: string, limits: HostLimits) {
    const rc = remoteCapture(host, prompts, new RemoteServices(host), undefined, { limits });
    return new CaptureSession({ network: app.network, output: join(dir.path, `${name}.mstrace`), backend: 'ftrace', hostLimits: limits, drain: { quietMs: 300, maxMs: 10_000 } }, rc.collaborators);
  }

  it('preflight: a host short of memory, or of disk where the pages would wait, is refused before anything starts there', async () => {
    for (const [limits, message] of [
      [{ minAvailableMemory: 1024 * 1024 * MiB, minFreeDisk: 0 }, /^mt-key is short of memory \(\d+ MiB available, under 1048576 MiB\): not starting the capture there$/],
      [{ minAvailableMemory: 0, minFreeDisk: 64 * MiB }, new RegExp(`^the disk of mt-key is almost full where the capture's pages wait \\(4\\d MiB free in ${small}, under 64 MiB\\): not starting the capture there$`)],
    ] as const) {
      const s = session('refused', limits);
      try {
        const err = await s.start().then(() => null, (e: unknown) => e as Error & { code?: string; hint?: string });
        expect(err?.code).toBe('host-short');
        expect(err?.message).toMatch(message);
        expect(err?.hint).toContain('free memory or disk on that host');
      } finally {
        s.dispose();
      }
    }
    expect(readdirSync(small)).toEqual([]);
  }, 60_000);

  it('while capturing: the host disk filling up stops the capture; the partial bundle says why', async () => {
    const s = session('filled', { minAvailableMemory: 0, minFreeDisk: 24 * MiB });
    try {
      await s.start();
      // The helper's folder is there, on the small disk.
      expect(readdirSync(small).filter((n) => n.startsWith('misertrace-remote.'))).toHaveLength(1);
      await sendRequests(app.url, planRequests(2), 1);
      await new Promise((r) => setTimeout(r, 2000));
      execFileSync('dd', ['if=/dev/zero', `of=${join(small, 'filler')}`, 'bs=1M', 'count=30', 'status=none']);
      for (let i = 0; i < 150 && s.finished === null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(s.finished).not.toBeNull();
      const result = await s.finished!;
      expect(result.partial).toBe(true);
      expect(result.partialReason).toMatch(new RegExp(`^the disk of mt-key is almost full where the capture's pages wait \\(1\\d MiB free in ${small}, under 24 MiB\\)$`));
      const b = Bundle.open(result.output);
      try {
        expect(b.manifest.capture.partialReason).toBe(result.partialReason);
        expect(b.traceCount).toBeGreaterThan(0);
      } finally {
        b.close();
      }
      // The watchdog's cleanup removed the helper's folder.
      for (let i = 0; i < 100 && readdirSync(small).some((n) => n.startsWith('misertrace-remote.')); i++) await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(small)).toEqual(['filler']);
    } finally {
      s.dispose();
      rmSync(join(small, 'filler'), { force: true });
    }
  }, 120_000);
});
