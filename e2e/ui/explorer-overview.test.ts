import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what the anchors have: the minimap (an overview track of the whole trace above the
// Gantt with the current zoom window, draggable).

async function openTrace(app: ExplorerPage, path: string, id: number): Promise<Page> {
  const p = app.page;
  app.dialogs.answer(path);
  await p.getByRole('button', { name: /Open bundle/ }).click();
  await p.locator(`.trace-row[data-trace-id="${id}"]`).dblclick();
  await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
  return p;
}

const windowOf = async (p: Page) => {
  const [s, e] = (await p.locator('.gantt').getAttribute('data-window'))!.split('-').map(Number);
  return { start: s!, end: e! };
};

describe.skipIf(SKIP_REASON !== null)(`explorer: the minimap${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('shows the whole trace with the zoom window, and moves the window by drag, click and keys', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = await openTrace(app, path, 1);
    const track = p.locator('.gantt-minimap');
    const slider = p.getByRole('slider', { name: /Overview of the whole trace/ });
    const box = (await track.boundingBox())!;
    const whole = await windowOf(p);
    // The whole trace: the window covers the track.
    expect(Number(await track.getAttribute('data-window-width'))).toBeGreaterThan(box.width - 4);
    // Zoom in 1.5x three times around the middle: the window is a third of the track, centred.
    await p.getByRole('button', { name: 'Zoom in' }).click();
    await p.getByRole('button', { name: 'Zoom in' }).click();
    await p.getByRole('button', { name: 'Zoom in' }).click();
    const zoomed = await windowOf(p);
    const frac = (zoomed.end - zoomed.start) / (whole.end - whole.start);
    await expect.poll(async () => Number(await track.getAttribute('data-window-width')) / box.width).toBeCloseTo(frac, 1);
    // Drag the window 100 px to the right: the Gantt's window moves by 100 px worth of the trace.
    const w0 = (await slider.boundingBox())!;
    await p.mouse.move(w0.x + w0.width / 2, w0.y + w0.height / 2);
    await p.mouse.down();
    await p.mouse.move(w0.x + w0.width / 2 + 50, w0.y + w0.height / 2, { steps: 4 });
    await p.mouse.move(w0.x + w0.width / 2 + 100, w0.y + w0.height / 2, { steps: 4 });
    await p.mouse.up();
    const dragged = await windowOf(p);
    const perPx = (whole.end - whole.start) / box.width;
    expect(Math.abs(dragged.start - zoomed.start - 100 * perPx)).toBeLessThan(3 * perPx);
    expect(dragged.end - dragged.start).toBe(zoomed.end - zoomed.start);
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale')).toBe('no');
    await app.screenshot(ui.shot('minimap-dragged'));
    // A click near the track's left end moves the window there (clamped to the trace's start).
    await p.mouse.click(box.x + 3, box.y + box.height / 2);
    const clicked = await windowOf(p);
    expect(clicked.start).toBeLessThan(whole.start + 0.01 * (whole.end - whole.start));
    // Keys on the focused window: → pans a tenth of the window, End goes to the trace's end.
    await slider.focus();
    await p.keyboard.press('ArrowRight');
    const keyed = await windowOf(p);
    expect(keyed.start - clicked.start).toBeCloseTo((clicked.end - clicked.start) / 10, -1);
    await p.keyboard.press('End');
    expect((await windowOf(p)).end).toBeGreaterThanOrEqual(whole.end);
    await expect.poll(async () => Number(await slider.getAttribute('aria-valuenow'))).toBeGreaterThan(50);
    expect(await seriousA11yViolations(p)).toEqual([]);
    // The toolbar's "Whole" gives the whole trace back, and the window covers the track again.
    await p.getByRole('button', { name: 'Whole trace' }).click();
    await expect.poll(async () => Number(await track.getAttribute('data-window-width'))).toBeGreaterThan(box.width - 4);
  });
});
