import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { ServicesCaptureAccess } from '../../electron/app-services/capture-bridge.js';
import { CaptureSessions } from '../../electron/app-services/capture-sessions.js';
import { DiscoveryService } from '../../capture/discovery/network-discovery.js';
import { DemoApp, removeStaleDemoResources } from '../demo-app/demo-app.js';
import { ENDPOINTS, planRequests, treeOf, treeShape } from '../demo-app/endpoints.js';
import { sendRequests } from '../demo-app/load-generator.js';
import { captureUnavailableReason } from './harness/capture-env.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// The capture screen with the real services: Docker down, no rights, and a real bpftrace capture
// of the demo app, started, watched, stopped and opened through the UI.

describe.skipIf(SKIP_REASON !== null)(`capture screen${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('says what to do when Docker is not running, and stays usable', async () => {
    const socket = join(ui.tmp.path, 'docker-is-not-here.sock');
    const discovery = new DiscoveryService({ socketPath: socket });
    const app = await ui.open({ capture: new ServicesCaptureAccess({ discovery, session: new CaptureSessions({ docker: { socketPath: socket } }) }) });
    const p = app.page;
    await app.tab('Capture');
    const box = p.getByRole('region', { name: 'Docker network' }).locator('.error-box');
    await expect.poll(() => box.getAttribute('data-kind')).toBe('docker-unavailable');
    expect(await box.locator('.error-message').textContent()).toContain(`no socket at ${socket}`);
    expect(await box.locator('.error-hint').textContent()).toMatch(/start the Docker engine/);
    await app.screenshot(ui.shot('capture-docker-down'));
    // The rest of the app still works.
    await app.tab('Start');
    await expect.poll(() => p.getByRole('main', { name: 'Start' }).isVisible()).toBe(true);
  });

  const CAPTURE_SKIP = captureUnavailableReason();

  describe.skipIf(CAPTURE_SKIP !== null)(`with Docker and bpftrace${CAPTURE_SKIP ? ` (skipped: ${CAPTURE_SKIP})` : ''}`, () => {
    let demo: DemoApp | null = null;
    beforeAll(async () => {
      await removeStaleDemoResources();
      demo = new DemoApp();
      await demo.up();
    }, 180_000);
    afterAll(async () => {
      await demo?.down();
    }, 60_000);

    it('tells a user without rights what to do', async () => {
      // No sudo on this PATH and the child may not run directly: the session's own refusal.
      const sessions = new CaptureSessions({ elevation: 'sudo', pathEnv: join(ui.tmp.path, 'empty-path') });
      const app = await ui.open({ capture: new ServicesCaptureAccess({ discovery: new DiscoveryService(), session: sessions }) });
      const p = app.page;
      await app.tab('Capture');
      await p.getByRole('radio', { name: demo!.network }).check();
      await expect.poll(() => p.getByRole('table', { name: 'Containers and threads' }).locator('tbody tr').count(), { timeout: 20_000 }).toBe(4);
      app.dialogs.answer(join(ui.tmp.path, 'never-written.mstrace'));
      await p.getByRole('button', { name: 'Save bundle as…' }).click();
      if (process.getuid?.() !== 0) {
        // A user (e2e/nonroot-ui-capture.test.ts) without sudo on this PATH: the kernel checks of
        // the settings already fail, and the settings say what is missing before anything starts.
        const why = p.getByText(/^To start: /);
        await expect.poll(() => why.textContent(), { timeout: 30_000 }).toMatch(/^To start: .+\.$/);
        console.error(`[capture e2e] as uid ${process.getuid?.()}: ${await why.textContent()}`);
        expect(await p.getByRole('button', { name: 'Start capture' }).isDisabled()).toBe(true);
        expect(existsSync(join(ui.tmp.path, 'never-written.mstrace'))).toBe(false);
        return;
      }
      await p.getByRole('button', { name: 'Start capture' }).click();
      const err = p.getByRole('region', { name: 'Capture session' }).locator('.error-box');
      await expect.poll(() => err.getAttribute('data-kind'), { timeout: 30_000 }).toBe('privileges');
      expect(await err.locator('.error-message').textContent()).toContain('sudo is not installed');
      expect(await err.locator('.error-hint').textContent()).toContain('run the capture as root');
      await app.screenshot(ui.shot('capture-no-privileges'));
      expect(existsSync(join(ui.tmp.path, 'never-written.mstrace'))).toBe(false);
      // Back to the settings; the app goes on.
      await p.getByRole('button', { name: 'New capture' }).click();
      await expect.poll(() => p.getByRole('button', { name: 'Start capture' }).isVisible()).toBe(true);
    });

    it.each(['bpftrace', 'ftrace'] as const)('captures the demo app with %s through the UI and opens the bundle', async (backend) => {
      const sessions = new CaptureSessions();
      const app = await ui.open({ capture: new ServicesCaptureAccess({ discovery: new DiscoveryService(), session: sessions }) });
      const p = app.page;
      await app.tab('Capture');
      // The network with its gateway, its containers and their threads.
      const row = p.getByRole('table', { name: 'Networks' }).getByRole('row', { name: new RegExp(demo!.network) });
      await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain(demo!.gateway);
      await p.getByRole('radio', { name: demo!.network }).check();
      const containers = p.getByRole('table', { name: 'Containers and threads' });
      await expect.poll(() => containers.locator('tbody tr').count(), { timeout: 20_000 }).toBe(4);
      for (const c of demo!.containers.values()) expect(await containers.textContent()).toContain(c.name);
      await expect.poll(() => p.getByRole('radio', { name: new RegExp(`^${backend}\\b`) }).isEnabled(), { timeout: 30_000 }).toBe(true);
      // ftrace is the default where it works: it costs the application the least.
      if (backend === 'bpftrace') expect(await p.getByRole('radio', { name: /^ftrace\b/ }).isChecked()).toBe(true);
      await p.getByRole('radio', { name: new RegExp(`^${backend}\\b`) }).check();
      // The base set says how this kernel gets the model's records with the chosen backend.
      await expect.poll(() => p.getByText(new RegExp(`with ${backend} on this kernel: \\S`)).count()).toBe(1);
      const out = join(ui.tmp.path, `demo-capture-${backend}.mstrace`);
      app.dialogs.answer(out);
      await p.getByRole('button', { name: 'Save bundle as…' }).click();
      if (backend === 'bpftrace') await app.screenshot(ui.shot('capture-settings'));
      await p.getByRole('button', { name: 'Start capture' }).click();
      const t0 = Date.now();
      const phase = p.getByRole('region', { name: 'Capture session' }).locator('h2');
      const step = async (what: string) => console.error(`[capture e2e] ${what} after ${Date.now() - t0} ms, phase ${await phase.getAttribute('data-phase')}`);
      await expect.poll(() => phase.getAttribute('data-phase'), { timeout: 90_000 }).toBe('capturing');
      await step('attached');
      // The known workload: every endpoint, sequentially.
      const plan = planRequests(2);
      const sent = await sendRequests(demo!.url, plan, 1);
      expect(sent.map((s) => s.status)).toEqual(plan.map(() => 200));
      await expect.poll(async () => Number(((await p.getByRole('group', { name: 'Live figures' }).locator('.figure-value').nth(1).textContent()) ?? '0').replace(/,/g, '')), { timeout: 20_000 }).toBeGreaterThan(100);
      // bpftrace's records arrive as it captures; the ftrace child counts kernel events (its
      // records come after the capture), and the figures say which.
      const figures = p.getByRole('group', { name: 'Live figures' });
      expect(await figures.locator('.figure-label').nth(1).textContent()).toBe(backend === 'ftrace' ? 'Events' : 'Records');
      // The default (causal) model's socket events where the kernel offers them, else the syscall set's.
      if (backend === 'ftrace') expect(await p.getByRole('table', { name: 'Events per probe' }).textContent()).toMatch(/sock_send_length|sys_enter_/);
      await app.screenshot(ui.shot(backend === 'bpftrace' ? 'capture-live' : 'capture-live-ftrace'));
      await step('requests seen');
      await p.getByRole('button', { name: 'Stop and build bundle' }).click();
      // Done: the bundle opens by itself, one trace per request.
      await expect.poll(() => p.locator('.row-count').textContent(), { timeout: 120_000 }).toBe(`${plan.length} of ${plan.length} traces`);
      expect(existsSync(out)).toBe(true);
      await app.screenshot(ui.shot('capture-result-table'));
      // Each request's trace has its endpoint's known call path, in order (the app's default model: causal).
      const b = Bundle.open(out);
      try {
        const shapes = b.traces().map((t) => treeShape(t.spans.map((s) => ({ parent: s.parent, kind: s.kind, role: demo!.roleOf(s.container) ?? s.container }))));
        expect(b.model).toBe('causal');
        expect(shapes).toEqual(plan.map((r) => treeOf(ENDPOINTS.find((e) => e.name === r.endpoint)!, b.model)));
        expect(b.manifest.capture.backend).toBe(backend);
        expect(b.manifest.capture.partial).toBe(false);
      } finally {
        b.close();
      }
    }, 240_000);
  });
});
