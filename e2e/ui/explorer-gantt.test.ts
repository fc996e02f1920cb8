import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildSyntheticBundle, spansPerRequest } from '../../bench/synthetic-capture.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { buildLongNameBundle, LONG_BACK, LONG_FRONT } from './harness/hand-made-bundles.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, "broken or misleading", the Gantt: long container names (1), 10,000-span traces (3),
// spans outside a zoomed window (4), the layout at 1024x700 (5), keyboard and tree roles (6).

const SMALL = { width: 1024, height: 700 };

async function openTrace(app: ExplorerPage, path: string, id: number): Promise<Page> {
  const p = app.page;
  app.dialogs.answer(path);
  await p.getByRole('button', { name: /Open bundle/ }).click();
  await p.locator(`.trace-row[data-trace-id="${id}"]`).dblclick();
  await expect.poll(() => p.locator('.gantt-row').count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
  return p;
}

/** Left edges of the labels relative to the Gantt's scroll area (negative: cut off at the left). */
async function labelLefts(p: Page): Promise<number[]> {
  return p.locator('.gantt-label').evaluateAll((els) => {
    const area = els[0]!.ownerDocument.querySelector('.gantt-scroll')!.getBoundingClientRect();
    return els.map((e) => e.getBoundingClientRect().left - area.left);
  });
}

describe.skipIf(SKIP_REASON !== null)(`explorer: the Gantt${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('shortens long container names, shows them whole on hover, and never cuts a label at the left', async () => {
    const path = await buildLongNameBundle(ui.tmp.path, { requests: 2, fanout: 3, grandchildren: 2, userRecords: 2 });
    const app = await ui.open({ viewport: SMALL });
    const p = await openTrace(app, path, 1);
    const labels = await p.locator('.gantt-label').allTextContents();
    expect(labels.some((l) => l.includes('…'))).toBe(true);
    expect(labels.join(' ')).not.toContain(LONG_FRONT);
    // Every label keeps its thread id and its count values: the name is what got shorter.
    for (const l of labels) expect(l, l).toMatch(/^\d+ .+ (Migrations: \d+ )?User page faults: \d+( \(\+\d+ hidden\))?$/);
    for (const left of await labelLefts(p)) expect(left).toBeGreaterThanOrEqual(0);
    // The full name on hover.
    await p.locator('.gantt-row[data-span="0"] .gantt-bar').hover();
    await expect.poll(() => p.getByRole('tooltip').textContent()).toContain(LONG_FRONT);
    await p.locator('.gantt-row[data-span="1"] .gantt-bar').hover();
    await expect.poll(() => p.getByRole('tooltip').textContent()).toContain(LONG_BACK);
    // What does not fit scrolls sideways; nothing is cut.
    const { scroll, client } = await p.locator('.gantt-scroll').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
    expect(scroll).toBeGreaterThanOrEqual(client);
    await app.screenshot(ui.shot('long-names-1024'));
  });

  it('keeps a 10,002-span trace readable: collapse all, expand to a depth, arrows off, no barcode of returns', async () => {
    const shape = { requests: 1, fanout: 100, grandchildren: 99, userRecords: 2 };
    const { path } = await buildSyntheticBundle(ui.tmp.path, shape, 'big-trace.mstrace');
    const app = await ui.open({ viewport: { width: 1400, height: 900 } });
    const p = await openTrace(app, path, 1);
    expect(await p.locator('.gantt').getAttribute('data-rows')).toBe(String(spansPerRequest(shape)));
    // At the top, the responses of the 100 workers far below are not drawn (one trunk is).
    const returns = await p.locator('.gantt-arrow.arrow-return').count();
    expect(returns).toBeLessThan(40);
    await app.screenshot(ui.shot('large-trace-readable'));
    const depth = p.getByRole('combobox', { name: 'Expand to depth' });
    await depth.selectOption('0');
    await expect.poll(() => p.locator('.gantt').getAttribute('data-rows'), { timeout: 20_000 }).toBe('1');
    await depth.selectOption('1');
    await expect.poll(() => p.locator('.gantt').getAttribute('data-rows'), { timeout: 20_000 }).toBe(String(2 + shape.fanout));
    await app.screenshot(ui.shot('large-trace-depth-1'));
    await p.getByRole('combobox', { name: 'Arrows' }).selectOption('none');
    await expect.poll(() => p.locator('.gantt-arrow').count(), { timeout: 20_000 }).toBe(0);
    await p.getByRole('combobox', { name: 'Arrows' }).selectOption('requests');
    await expect.poll(() => p.locator('.gantt-arrow.arrow-call').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await p.locator('.gantt-arrow.arrow-return').count()).toBe(0);
    await depth.selectOption('all');
    await expect.poll(() => p.locator('.gantt').getAttribute('data-rows'), { timeout: 20_000 }).toBe(String(spansPerRequest(shape)));
  });

  it('draws no bar for spans outside a zoomed window, only their label with an arrow mark', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = await openTrace(app, path, 1);
    // Zoom into the first quarter: the late spans lie wholly after the window.
    const axis = (await p.locator('.gantt-axis').boundingBox())!;
    const [s0, e0] = (await p.locator('.gantt').getAttribute('data-window'))!.split('-').map(Number) as [number, number];
    const left = (await p.locator('.gantt').getAttribute('data-label-room')) ?? '44';
    const x0 = axis.x + 22 + Number(left);
    await p.mouse.move(x0 + 2, axis.y + 10);
    await p.mouse.down();
    await p.mouse.move(x0 + (axis.width - 22 - Number(left) - 28) * 0.22, axis.y + 10, { steps: 4 });
    await p.mouse.up();
    await expect.poll(async () => { const [s, e] = (await p.locator('.gantt').getAttribute('data-window'))!.split('-').map(Number) as [number, number]; return (e0 - s0) / (e - s); }).toBeGreaterThan(3);
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale')).toBe('no');
    const outside = p.locator('.gantt-row.is-outside');
    expect(await outside.count()).toBeGreaterThan(0);
    expect(await outside.locator('.gantt-bar').count()).toBe(0);
    for (const t of await outside.locator('.gantt-label').allTextContents()) expect(t).toMatch(/[◂▸]/);
    await app.screenshot(ui.shot('zoomed-outside-spans'));
  });

  it('fits 1024x700: one toolbar line, export beside the Gantt, a resizable side panel, details from their heading', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open({ viewport: SMALL });
    const p = await openTrace(app, path, 1);
    expect((await p.locator('.trace-toolbar').boundingBox())!.height).toBeLessThan(50);
    const ganttBefore = (await p.locator('.gantt-scroll').boundingBox())!;
    await p.getByRole('button', { name: 'Export…', exact: true }).click();
    await expect.poll(() => p.getByRole('region', { name: 'Export' }).isVisible()).toBe(true);
    // The export panel takes no height from the Gantt.
    expect((await p.locator('.gantt-scroll').boundingBox())!.height).toBe(ganttBefore.height);
    await app.screenshot(ui.shot('layout-1024-export'));
    await p.getByRole('button', { name: 'Close the export panel' }).click();
    // The side panel resizes by keyboard (and by drag).
    const side = p.locator('.side-column');
    const w0 = (await side.boundingBox())!.width;
    await p.getByRole('separator', { name: 'Resize the side panel' }).focus();
    await p.keyboard.press('Shift+ArrowLeft');
    await expect.poll(async () => (await side.boundingBox())!.width).toBe(w0 + 80);
    // A new selection starts at its heading, whatever the scroll of the previous one.
    await p.locator('.gantt-row[data-span="1"] .gantt-bar').click();
    await expect.poll(() => p.getByRole('table', { name: 'Raw records' }).locator('tbody tr').count()).toBeGreaterThan(5);
    await side.evaluate((e) => (e.scrollTop = e.scrollHeight));
    await p.locator('.gantt-row[data-span="2"] .gantt-bar').click();
    await expect.poll(() => side.evaluate((e) => e.scrollTop)).toBe(0);
    await expect.poll(() => p.getByRole('complementary', { name: 'Span 2 details' }).locator('h2').isVisible()).toBe(true);
    // Raw records: the details are inside the panel, not cut at its edge.
    await expect.poll(() => p.locator('.records .details').count()).toBeGreaterThan(0);
    const over = await p.locator('.records .details').evaluateAll((els) => {
      const col = els[0]!.ownerDocument.querySelector('.side-column')!.getBoundingClientRect();
      return els.filter((e) => e.getBoundingClientRect().right > col.right + 0.5).length;
    });
    expect(over).toBe(0);
    await app.screenshot(ui.shot('layout-1024-details'));
  });

  it('is a tree of tree items; toggles take Tab and Enter; Esc, Backspace and Alt+Left go back to the table', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = await openTrace(app, path, 1);
    const tree = p.getByRole('tree');
    // Trace 1 of the default (causal) model: 11 spans (the original model's has 10).
    const SPANS = 11;
    expect(await tree.getByRole('treeitem').count()).toBe(SPANS);
    await tree.focus();
    await p.keyboard.press('Tab');
    // Runs in the page (DOM types are not part of the Node-side typecheck, hence a string).
    const focused = async () => String(await p.evaluate("document.activeElement?.getAttribute('aria-label') ?? ''"));
    await expect.poll(focused).toMatch(/^Collapse span \d+/);
    const which = Number((await focused()).match(/span (\d+)/)![1]);
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('.gantt-row').count()).toBeLessThan(SPANS);
    await expect.poll(focused).toMatch(new RegExp(`^Expand span ${which}`));
    // The focus ring is drawn on the focused toggle.
    expect(await p.locator('.row-toggle:focus-visible .toggle-hit').evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).stroke)).not.toBe('none');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('.gantt-row').count()).toBe(SPANS);
    // Esc first clears the selection, then goes back.
    await tree.focus();
    await p.keyboard.press('ArrowDown');
    await expect.poll(() => p.locator('.gantt-row.is-selected').count()).toBe(1);
    await p.keyboard.press('Escape');
    await expect.poll(() => p.locator('.gantt-row.is-selected').count()).toBe(0);
    await p.keyboard.press('Escape');
    await expect.poll(() => p.getByRole('main', { name: 'Traces' }).isVisible()).toBe(true);
    for (const key of ['Backspace', 'Alt+ArrowLeft']) {
      await p.locator('.trace-row[data-trace-id="1"]').dblclick();
      await expect.poll(() => p.getByRole('tree').isVisible()).toBe(true);
      await p.getByRole('tree').focus();
      await p.keyboard.press(key);
      await expect.poll(() => p.getByRole('main', { name: 'Traces' }).isVisible(), { message: key }).toBe(true);
    }
  });
});
