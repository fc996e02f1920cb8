import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { ServicesCaptureAccess } from '../../electron/app-services/capture-bridge.js';
import { CaptureSessions } from '../../electron/app-services/capture-sessions.js';
import { RemoteHosts } from '../../electron/app-services/remote-hosts.js';
import { DiscoveryService } from '../../capture/discovery/network-discovery.js';
import { DemoApp, removeStaleDemoResources } from '../demo-app/demo-app.js';
import { ENDPOINTS, planRequests, treeOf, treeShape } from '../demo-app/endpoints.js';
import { sendRequests } from '../demo-app/load-generator.js';
import { sshdAvailable, startSshd, type SshdServer } from '../helpers/sshd-server.js';
import { captureUnavailableReason } from './harness/capture-env.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// The capture screen with a remote host (docs/adr/0065): a saved host pointed at a real loopback
// sshd (a throwaway user, password login, sudo with a password), added in the host picker; the
// host key, the login password and the sudo password answered in the app's own dialog; start,
// the live figures, stop, and the bundle opens. This computer's Docker is unreachable for the
// app here: only the SSH path can find the network.

const skip = SKIP_REASON ?? captureUnavailableReason() ?? (sshdAvailable ? null : 'needs /usr/sbin/sshd (apt-get install -y openssh-server) and root');

describe.skipIf(skip !== null)(`capture screen with a remote host${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const ui = uiSuite();
  let sshd: SshdServer;
  let demo: DemoApp;

  beforeAll(async () => {
    await removeStaleDemoResources();
    sshd = await startSshd();
    demo = new DemoApp();
    await demo.up();
  }, 180_000);

  afterAll(async () => {
    await demo?.down();
    await sshd?.stop();
  }, 60_000);

  /** Answers the dialog `name` with the sshd user's password. */
  async function answer(p: Page, name: string): Promise<void> {
    const d = p.getByRole('dialog', { name });
    await expect.poll(() => d.isVisible(), { timeout: 30_000 }).toBe(true);
    await d.locator('input[aria-label="Answer"]').fill(sshd.password);
    await d.getByRole('button', { name: 'Send' }).click();
  }

  /** A page whose only Docker is the host's; the host added in the picker, logged in, the demo network chosen, started, attached. */
  async function startOnHost(name: string, firstUse: boolean) {
    const noDocker = join(ui.tmp.path, 'no-docker-here.sock');
    const app = await ui.open({ capture: new ServicesCaptureAccess({ discovery: new DiscoveryService({ socketPath: noDocker }), session: new CaptureSessions({ docker: { socketPath: noDocker } }) }) });
    // The app's hosts as main makes them, with the test's ssh_config (its aliases, known_hosts) and no agent.
    app.composed.services.hosts.dispose();
    app.composed.services.hosts = new RemoteHosts(app.userDataDir, (q) => void app.emit('hostPrompt', q), { configFile: sshd.sshConfig, agent: false });
    const p = app.page;
    await app.tab('Capture');
    await p.getByRole('button', { name: 'Add host…' }).click();
    await p.getByRole('textbox', { name: 'Host address' }).fill('mt-pass');
    await p.getByRole('button', { name: 'Save', exact: true }).click();
    if (firstUse) {
      // First use: the host key's fingerprint, to trust or not.
      const keyDialog = p.getByRole('dialog', { name: 'Unknown host key' });
      await expect.poll(() => keyDialog.isVisible(), { timeout: 20_000 }).toBe(true);
      expect(await keyDialog.textContent()).toMatch(/Fingerprint: SHA256:/);
      await app.screenshot(ui.shot('capture-remote-host-key'));
      await keyDialog.getByRole('button', { name: 'Trust and connect' }).click();
    }
    await answer(p, 'SSH password');
    // The host's networks, containers and threads, over the connection.
    const row = p.getByRole('table', { name: 'Networks' }).getByRole('row', { name: new RegExp(demo.network) });
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain(demo.gateway);
    await p.getByRole('radio', { name: demo.network }).check();
    const containers = p.getByRole('table', { name: 'Containers and threads' });
    await expect.poll(() => containers.locator('tbody tr').count(), { timeout: 30_000 }).toBe(4);
    await expect.poll(() => p.getByRole('radio', { name: /^ftrace\b/ }).isEnabled(), { timeout: 30_000 }).toBe(true);
    await p.getByRole('radio', { name: /^ftrace\b/ }).check();
    const out = join(ui.tmp.path, `${name}.mstrace`);
    app.dialogs.answer(out);
    await p.getByRole('button', { name: 'Save bundle as…' }).click();
    if (firstUse) await app.screenshot(ui.shot('capture-remote-settings'));
    await p.getByRole('button', { name: 'Start capture' }).click();
    // Root there: sudo's password, in the same dialog.
    await answer(p, 'Tracing needs root rights there');
    const phase = p.getByRole('region', { name: 'Capture session' }).locator('h2');
    await expect.poll(() => phase.getAttribute('data-phase'), { timeout: 90_000 }).toBe('capturing');
    return { app, p, out, phase };
  }

  function shapesOf(out: string) {
    const b = Bundle.open(out);
    try {
      return { shapes: b.traces().map((t) => treeShape(t.spans.map((s) => ({ parent: s.parent, kind: s.kind, role: demo.roleOf(s.container) ?? s.container })))), model: b.model, capture: b.manifest.capture };
    } finally {
      b.close();
    }
  }

  it('adds the host, answers its questions in the dialog, captures there, and opens the bundle', async () => {
    const { app, p, out } = await startOnHost('remote-capture', true);
    const plan = planRequests(2);
    const sent = await sendRequests(demo.url, plan, 1);
    expect(sent.map((s) => s.status)).toEqual(plan.map(() => 200));
    // The live figures: the host's kernel events, as they stream back over the connection.
    const figures = p.getByRole('group', { name: 'Live figures' });
    await expect.poll(async () => Number(((await figures.locator('.figure-value').nth(1).textContent()) ?? '0').replace(/,/g, '')), { timeout: 20_000 }).toBeGreaterThan(100);
    expect(await figures.locator('.figure-label').nth(1).textContent()).toBe('Events');
    await app.screenshot(ui.shot('capture-remote-live'));
    await p.getByRole('button', { name: 'Stop and build bundle' }).click();
    await expect.poll(() => p.locator('.row-count').textContent(), { timeout: 120_000 }).toBe(`${plan.length} of ${plan.length} traces`);
    await app.screenshot(ui.shot('capture-remote-result'));
    expect(existsSync(out)).toBe(true);
    const r = shapesOf(out);
    expect(r.shapes).toEqual(plan.map((q) => treeOf(ENDPOINTS.find((e) => e.name === q.endpoint)!, r.model)));
    expect(r.capture.remote).toMatchObject({ target: 'mt-pass', user: sshd.user, privilege: 'sudo-password' });
  }, 300_000);

  it('the connection drops: the screen offers Resume and Finish; Resume captures on into the same bundle', async () => {
    const { app, p, out, phase } = await startOnHost('remote-resumed', false);
    const first = planRequests(1);
    await sendRequests(demo.url, first, 1);
    // The helper's pages come back within a second or so; what the host still holds when the link drops is lost (ADR 0085).
    await new Promise((r) => setTimeout(r, 2500));
    expect(sshd.killConnections()).toBeGreaterThan(0);
    await expect.poll(() => phase.getAttribute('data-phase'), { timeout: 60_000 }).toBe('connection-lost');
    expect(await phase.textContent()).toBe('Connection to mt-pass lost');
    const note = p.getByRole('region', { name: 'Capture session' }).getByRole('alert');
    expect(await note.textContent()).toContain(`The connection to mt-pass was lost. The host stopped tracing by itself; what arrived is saved in ${out}.`);
    expect(existsSync(out)).toBe(true);
    await app.screenshot(ui.shot('capture-remote-connection-lost'));
    await p.getByRole('button', { name: 'Resume', exact: true }).click();
    // A new connection: its login and sudo asked again (nothing was kept).
    await answer(p, 'SSH password');
    await answer(p, 'Tracing needs root rights there');
    await expect.poll(() => phase.getAttribute('data-phase'), { timeout: 90_000 }).toBe('capturing');
    const second = planRequests(2);
    await sendRequests(demo.url, second, 1);
    await p.getByRole('button', { name: 'Stop and build bundle' }).click();
    const all = [...first, ...second];
    await expect.poll(() => p.locator('.row-count').textContent(), { timeout: 120_000 }).toBe(`${all.length} of ${all.length} traces`);
    const r = shapesOf(out);
    expect(r.shapes).toEqual(all.map((q) => treeOf(ENDPOINTS.find((e) => e.name === q.endpoint)!, r.model)));
    expect(r.capture.gaps).toHaveLength(1);
    expect(r.capture.partialReason).toMatch(/^the capture has a gap \(the connection to mt-pass was lost; resumed/);
  }, 300_000);
});
