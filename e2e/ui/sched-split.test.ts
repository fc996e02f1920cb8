import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { ServicesCaptureAccess } from '../../electron/app-services/capture-bridge.js';
import { CaptureSessions } from '../../electron/app-services/capture-sessions.js';
import { DiscoveryService } from '../../capture/discovery/network-discovery.js';
import { DemoApp, removeStaleDemoResources } from '../demo-app/demo-app.js';
import { planRequests } from '../demo-app/endpoints.js';
import { sendRequests } from '../demo-app/load-generator.js';
import { seriousA11yViolations } from './harness/axe.js';
import { captureUnavailableReason } from './harness/capture-env.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what none has, item 1 (ADR 0090): a capture with "Where the time went" ticked, made
// through the capture screen; each bar then carries its on-CPU / runnable / blocked strip, the
// legend names the three, the critical path has its totals and the details panel the numbers.

const CAPTURE_SKIP = SKIP_REASON ?? captureUnavailableReason();

describe.skipIf(CAPTURE_SKIP !== null)(`where the time went${CAPTURE_SKIP ? ` (skipped: ${CAPTURE_SKIP})` : ''}`, () => {
  const ui = uiSuite();
  let demo: DemoApp | null = null;
  beforeAll(async () => {
    await removeStaleDemoResources();
    demo = new DemoApp();
    await demo.up();
  }, 180_000);
  afterAll(async () => {
    await demo?.down();
  }, 60_000);

  it('captures with the scheduler group from the capture screen and shows each span\'s split', async () => {
    const app = await ui.open({ capture: new ServicesCaptureAccess({ discovery: new DiscoveryService(), session: new CaptureSessions() }) });
    const p = app.page;
    await app.tab('Capture');
    await expect.poll(() => p.getByRole('radio', { name: demo!.network }).count(), { timeout: 20_000 }).toBe(1);
    await p.getByRole('radio', { name: demo!.network }).check();
    await expect.poll(() => p.getByRole('table', { name: 'Containers and threads' }).locator('tbody tr').count(), { timeout: 20_000 }).toBe(4);
    const box = p.getByRole('checkbox', { name: /Where the time went/ });
    await expect.poll(() => box.isEnabled(), { timeout: 30_000 }).toBe(true);
    await box.check();
    // The box ticks the group's ready-made probes, each shown ticked in the list below.
    for (const id of ['sched_switch', 'sched_wakeup', 'page_fault_user']) expect(await p.getByRole('checkbox', { name: new RegExp(`^${id}\\b`) }).isChecked()).toBe(true);
    const out = join(ui.tmp.path, 'sched.mstrace');
    app.dialogs.answer(out);
    await p.getByRole('button', { name: 'Save bundle as…' }).click();
    await p.getByRole('button', { name: 'Start capture' }).click();
    const phase = p.getByRole('region', { name: 'Capture session' }).locator('h2');
    await expect.poll(() => phase.getAttribute('data-phase'), { timeout: 90_000 }).toBe('capturing');
    const plan = planRequests(1);
    const sent = await sendRequests(demo!.url, plan, 1);
    expect(sent.map((s) => s.status)).toEqual(plan.map(() => 200));
    await new Promise((r) => setTimeout(r, 500));
    await p.getByRole('button', { name: 'Stop and build bundle' }).click();
    await expect.poll(() => p.locator('.row-count').textContent(), { timeout: 120_000 }).toBe(`${plan.length} of ${plan.length} traces`);

    // The trace with the most spans (/checkout's), whose numbers the bundle holds.
    const b = Bundle.open(out);
    let id = 1;
    let want: NonNullable<ReturnType<Bundle['spanSched']>>;
    try {
      const traces = b.traces();
      id = traces.reduce((x, t) => (t.spans.length > x.spans.length ? t : x)).id;
      const t = traces.find((x) => x.id === id)!;
      want = b.spanSched(id, t.spans.length)!;
      expect(want.spans.every((s) => s !== null)).toBe(true);
    } finally {
      b.close();
    }
    await p.locator(`.trace-row[data-trace-id="${id}"]`).dblclick();
    const rows = p.locator('.gantt-row');
    await expect.poll(() => rows.count()).toBe(want.spans.length);
    // A strip in every bar wide enough for one (4 px), its three parts as wide as the shares.
    const wide = await rows.evaluateAll((rs) => rs.filter((r) => Number(r.querySelector('.gantt-bar')?.getAttribute('width') ?? 0) >= 4).length);
    expect(wide).toBeGreaterThan(want.spans.length / 2);
    await expect.poll(() => p.locator('.gantt-row .sched-strip').count()).toBe(wide);
    const root = await p.locator('.gantt-row[data-span="0"] .sched-strip rect').evaluateAll((rs) => rs.map((r) => ({ c: r.getAttribute('class'), w: Number(r.getAttribute('width')) })));
    const rootSplit = want.spans[0]!;
    const total = rootSplit.onCpuNs + rootSplit.runnableNs + rootSplit.blockedNs;
    const stripW = root.reduce((n, r) => n + r.w, 0);
    const blocked = root.find((r) => r.c === 'sched-blocked');
    expect(blocked?.w ?? 0).toBeCloseTo((stripW * rootSplit.blockedNs) / total, 3);
    // The legend names the three states; the critical path (on by default) has its totals.
    const legend = p.getByRole('list', { name: 'Legend' });
    for (const s of ['On CPU', 'Runnable', 'Blocked']) expect(await legend.textContent()).toContain(s);
    const cp = p.getByTestId('critical-sched');
    if (!(await cp.isVisible())) await p.keyboard.press('c');
    await expect.poll(() => cp.textContent()).toMatch(/^Critical path: on CPU .+ \(\d+(\.\d)?%\), runnable .+, blocked .+/);
    // The root's numbers in the details panel.
    await p.locator('.gantt-row[data-span="0"] .gantt-bar').click();
    const table = p.getByRole('table', { name: "Where the span's time went" });
    await expect.poll(() => table.locator('tr').count()).toBe(5);
    expect(await table.locator('tr').first().textContent()).toMatch(/^On CPU[\d.]+ (ns|µs|ms|s)\d+(\.\d)?%$/);
    // The hover says it in one line too.
    await p.locator('.gantt-row[data-span="0"] .gantt-bar').hover();
    await expect.poll(() => p.locator('.tooltip-sched').textContent()).toMatch(/^on CPU .+, runnable .+, blocked .+/);
    await app.screenshot(ui.shot('sched-split'));
    expect(await seriousA11yViolations(p)).toEqual([]);
  }, 300_000);
});
