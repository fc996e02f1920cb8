import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { DiscoveryService } from '../capture/discovery/network-discovery.js';
import { CaptureSessions } from '../electron/app-services/capture-sessions.js';
import { ServicesCaptureAccess } from '../electron/app-services/capture-bridge.js';
import { RemoteHosts } from '../electron/app-services/remote-hosts.js';
import type { CaptureEvent, HostPrompt } from '../electron/ipc-capture-types.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { DemoApp } from './demo-app/demo-app.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { sshdAvailable, startSshd, type SshdServer } from './helpers/sshd-server.js';
import { expectedShape, traceViews } from './helpers/trace-match.js';

// The app's side of a remote host (electron/app-services/remote-hosts.ts) against the loopback
// sshd: saved hosts hold no secret; the host key and the passwords are asked through hostPrompt
// events and answered like the dialog does; the capture services start a capture there and the
// engine worker builds its bundle here.

const env = await captureEnvironment();
const skip = env.skipReason ?? (sshdAvailable ? null : 'needs /usr/sbin/sshd (apt-get install -y openssh-server)');
announceSkip('remote hosts in the app', skip);

describe.skipIf(skip !== null)('remote hosts in the app services', () => {
  let sshd: SshdServer;
  let app: DemoApp;
  let dir: TempDir;
  let hosts: RemoteHosts;
  const asked: HostPrompt[] = [];

  beforeAll(async () => {
    dir = tempDir('misertrace-app-hosts-');
    sshd = await startSshd();
    app = new DemoApp();
    await app.up();
    hosts = new RemoteHosts(
      dir.path,
      (p) => {
        asked.push(p);
        // As the dialog would: trust the key once shown, type the password.
        setTimeout(() => hosts.answer(p.promptId, p.kind === 'host-key' ? 'yes' : sshd.password), 10);
      },
      { configFile: sshd.sshConfig, agent: false },
    );
  }, 180_000);

  afterAll(async () => {
    hosts?.dispose();
    await app?.down();
    await sshd?.stop();
    dir?.remove();
  }, 60_000);

  it('saves hosts without secrets, refuses a malformed one', async () => {
    expect(await hosts.save([{ target: 'mt-pass' }, { target: ' mt-pass ' }])).toEqual([{ target: 'mt-pass' }]);
    expect(JSON.parse(readFileSync(join(dir.path, 'hosts.json'), 'utf8'))).toEqual([{ target: 'mt-pass' }]);
    await expect(hosts.save([{ target: 'a b@c' }])).rejects.toThrow(/is not user@server\[:port\]/);
    expect(await hosts.list()).toEqual([{ target: 'mt-pass' }]);
  });

  it('captures on the saved host: host key and passwords through hostPrompt; the bundle is built here', async () => {
    const sessions = new CaptureSessions();
    const access = new ServicesCaptureAccess({ discovery: new DiscoveryService({ socketPath: join(dir.path, 'no-docker.sock') }), session: sessions });
    const events: CaptureEvent[] = [];
    let onEvent: (e: CaptureEvent) => void = () => undefined;
    try {
      const nets = await (await hosts.services('mt-pass')).discoveryService().listNetworks();
      expect(nets.map((n) => n.name)).toContain(app.network);
      expect(asked.map((a) => a.kind)).toEqual(['host-key', 'password']);
      expect(asked[0]!.fingerprint).toMatch(/^SHA256:/);
      // The capture screen's checks are the host's: its kernel and its Docker engine.
      const catalog = await access.probeCatalog((await hosts.services('mt-pass')).doctorHost());
      expect(catalog.backends.find((x) => x.backend === 'ftrace')?.available).toBe(true);
      expect(catalog.checks.find((c) => c.name === 'docker')?.ok).toBe(true);
      const output = join(dir.path, 'app-remote.mstrace');
      const remote = await hosts.start('mt-pass');
      let sessionId = '';
      const done = new Promise<CaptureEvent & { type: 'done' }>((resolve, reject) => {
        onEvent = (e) => {
          events.push(e);
          if (e.type === 'done') resolve(e);
          if (e.type === 'failed') reject(new Error(e.error.message));
          if (e.type === 'phase' && e.phase === 'capturing') void sendRequests(app.url, planRequests(1), 1).then(() => access.stop(sessionId));
        };
      });
      const req = { network: app.network, backend: 'ftrace' as const, optionalProbes: [], customProbePath: null, buffers: { rbPages: null, ftraceBufferKb: null }, output, durationSec: null, host: 'mt-pass' };
      sessionId = (await access.start(req, (e) => onEvent(e), remote)).sessionId;
      const d = await done;
      expect(asked.map((a) => a.kind)).toEqual(['host-key', 'password', 'sudo']);
      expect(d.partial).toBe(false);
      const b = Bundle.open(d.bundlePath);
      try {
        expect(traceViews(b, app).map((t) => t.shape)).toEqual(planRequests(1).map((p) => expectedShape(p.endpoint)));
        expect(b.manifest.capture.remote).toMatchObject({ target: 'mt-pass', privilege: 'sudo-password' });
      } finally {
        b.close();
      }
      // Nothing the app logged or stored holds the password.
      expect(JSON.stringify(events)).not.toContain(sshd.password);
      expect(readFileSync(join(dir.path, 'hosts.json'), 'utf8')).not.toContain(sshd.password);
    } finally {
      await access.dispose();
    }
  }, 180_000);
  it('the connection drops mid-capture: connection-lost with the partial bundle; Resume captures on into the same bundle, the gap in its manifest', async () => {
    const sessions = new CaptureSessions();
    const access = new ServicesCaptureAccess({ discovery: new DiscoveryService({ socketPath: join(dir.path, 'no-docker.sock') }), session: sessions });
    const events: CaptureEvent[] = [];
    const waitFor = async <T extends CaptureEvent>(what: string, ok: (e: CaptureEvent) => e is T, from: number): Promise<T> => {
      for (const t0 = Date.now(); Date.now() - t0 < 90_000; await new Promise((r) => setTimeout(r, 100))) {
        const failed = events.find((e) => e.type === 'failed');
        if (failed) throw new Error(`failed while waiting for ${what}: ${JSON.stringify(failed)}`);
        const hit = events.slice(from).find(ok);
        if (hit) return hit;
      }
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(events.filter((e) => e.type !== 'figures'))}`);
    };
    const capturing = (e: CaptureEvent): e is CaptureEvent & { type: 'phase' } => e.type === 'phase' && e.phase === 'capturing';
    try {
      const output = join(dir.path, 'app-resumed.mstrace');
      const req = { network: app.network, backend: 'ftrace' as const, optionalProbes: [], customProbePath: null, buffers: { rbPages: null, ftraceBufferKb: null }, output, durationSec: null, host: 'mt-pass' };
      const { sessionId } = await access.start(req, (e) => events.push(e), await hosts.start('mt-pass'));
      await waitFor('the first attach', capturing, 0);
      const first = await sendRequests(app.url, planRequests(1), 1);
      // The helper's pages come back within a second or so; what the host still holds when the link drops is lost (ADR 0085).
      await new Promise((r) => setTimeout(r, 2500));
      expect(sshd.killConnections()).toBeGreaterThan(0);
      const lost = await waitFor('connection-lost', (e): e is CaptureEvent & { type: 'connection-lost' } => e.type === 'connection-lost', 0);
      expect(lost).toMatchObject({ sessionId, host: 'mt-pass', bundlePath: output });
      expect(lost.reason).toContain('the connection to mt-pass was lost');
      expect(events.some((e) => e.type === 'done')).toBe(false);
      // The partial bundle is there while the person decides.
      const partial = Bundle.open(output);
      partial.close();
      // Resume, as the capture screen does: the same request naming the session, over a new connection.
      const mark = events.length;
      expect((await access.start({ ...req, resume: sessionId }, (e) => events.push(e), await hosts.start('mt-pass'))).sessionId).toBe(sessionId);
      await waitFor('the resumed attach', capturing, mark);
      const second = await sendRequests(app.url, planRequests(2), 1);
      expect(await access.stop(sessionId)).toBe(true);
      const d = await waitFor('done', (e): e is CaptureEvent & { type: 'done' } => e.type === 'done', mark);
      expect(d.partial).toBe(true);
      expect(d.partialReason).toMatch(/^the capture has a gap \(the connection to mt-pass was lost; resumed [\d.]+ s later\)/);
      const b = Bundle.open(d.bundlePath);
      try {
        expect(traceViews(b, app).map((t) => t.shape)).toEqual([...first, ...second].map((s) => expectedShape(s.endpoint)));
        expect(b.manifest.capture.gaps).toHaveLength(1);
        expect(b.manifest.capture.partial).toBe(true);
      } finally {
        b.close();
      }
      expect(JSON.stringify(events)).not.toContain(sshd.password);
      // Finish of a capture no longer waiting for it: nothing to do.
      expect(await access.stop(sessionId)).toBe(false);
    } finally {
      await access.dispose();
    }
  }, 240_000);
});
