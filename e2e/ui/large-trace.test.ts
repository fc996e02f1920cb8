import { describe, expect, it } from 'vitest';
import { buildSyntheticBundle, spansPerRequest } from '../../bench/synthetic-capture.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Size: a 10,002-span trace and a 5,000-trace table stay responsive because only what is in view
// is in the DOM, and the 10k-span layout runs in a worker while the old one is drawn transformed.

describe.skipIf(SKIP_REASON !== null)(`large traces and tables${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('shows a 10,002-span trace with a bounded DOM, zooms and scrolls through it', async () => {
    const shape = { requests: 1, fanout: 100, grandchildren: 99, userRecords: 2 };
    const { path } = await buildSyntheticBundle(ui.tmp.path, shape, 'big-trace.mstrace');
    const app = await ui.open({ viewport: { width: 1400, height: 900 } });
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await expect.poll(() => p.locator('.gantt').getAttribute('data-rows'), { timeout: 20_000 }).toBe(String(spansPerRequest(shape)));
    const domRows = await p.locator('.gantt-row').count();
    expect(domRows).toBeGreaterThan(20);
    expect(domRows).toBeLessThan(80);
    // The root's 101 children reach down the whole trace: their return arrows climb through the
    // view at distinct x, so they are drawn; everything else off screen is not.
    expect(await p.locator('.gantt-arrow').count()).toBeLessThan(300);
    await app.screenshot(ui.shot('large-trace-top'));
    // Zoom: the view answers at once (old layout, transformed), then the worker's layout lands.
    await p.locator('.gantt-scroll').focus();
    await p.keyboard.press('+');
    await p.keyboard.press('+');
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
    expect(await p.getByLabel('Zoom level').textContent()).toMatch(/^2\.[23]×$/);
    // Back to the whole trace, then scroll to the last rows: they are drawn, with the trunks
    // that reach them from above (zoomed in at the centre, they would lie outside the window).
    await p.keyboard.press('0');
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
    await p.locator('.gantt-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => p.locator(`.gantt-row[data-span="${spansPerRequest(shape) - 1}"]`).count()).toBe(1);
    expect(await p.locator('.gantt-row').count()).toBeLessThan(80);
    expect(await p.locator('.gantt-arrow').count()).toBeGreaterThan(0);
    await app.screenshot(ui.shot('large-trace-bottom'));
    // ArrowUp with nothing selected selects the last row: the last helper forked (tid 1000 + 100 × 100 − 1).
    await p.keyboard.press('ArrowUp');
    await expect.poll(() => p.getByRole('complementary').locator('h2').textContent()).toContain('10999 synthetic-frontend');
  });

  it('lists 5,000 traces with a bounded DOM and sorts them', async () => {
    const { path } = await buildSyntheticBundle(ui.tmp.path, { requests: 5000, fanout: 0, grandchildren: 0, userRecords: 1 }, 'many-traces.mstrace');
    const app = await ui.open({ viewport: { width: 1400, height: 900 } });
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.row-count').textContent(), { timeout: 20_000 }).toBe('5,000 of 5,000 traces');
    expect(await p.locator('.trace-scroller .trace-row').count()).toBeLessThan(60);
    await p.locator('.trace-scroller').focus();
    await p.keyboard.press('End');
    await expect.poll(() => p.locator('.trace-row-cursor').getAttribute('data-trace-id')).toBe('5000');
    await p.getByRole('columnheader', { name: /Trace/ }).getByRole('button').click();
    await expect.poll(() => p.locator('.trace-scroller .trace-row').first().getAttribute('data-trace-id')).toBe('5000');
  });
});
