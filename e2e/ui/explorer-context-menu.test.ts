import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what the anchors have: a right-click menu on spans and on the table's rows (copy id
// and link, compare, filter to a container or a request shape, zoom, collapse), also from the
// keyboard (Shift+F10), Esc closing it with focus back where it was.

const clipboard = (p: Page) => p.evaluate('navigator.clipboard.readText()');

async function openBundle(app: ExplorerPage, path: string): Promise<Page> {
  const p = app.page;
  await p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(p.url()).origin });
  app.dialogs.answer(path);
  await p.getByRole('button', { name: /Open bundle/ }).click();
  await expect.poll(() => p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(0);
  return p;
}

describe.skipIf(SKIP_REASON !== null)(`explorer: context menus${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('offers copy, compare and filters on a trace row, by mouse and by keyboard', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = await openBundle(app, path);
    const menu = p.getByRole('menu');
    await p.locator('.trace-row[data-trace-id="4"]').click({ button: 'right' });
    await expect.poll(() => menu.getAttribute('aria-label')).toBe('Trace #4');
    // Focus is in the menu, on its first item.
    await expect.poll(() => p.evaluate('document.activeElement?.textContent')).toBe('Open trace #4');
    await menu.getByRole('menuitem', { name: 'Copy trace id' }).click();
    await expect.poll(() => clipboard(p)).toBe('mixed50.mstrace trace #4');
    expect(await menu.count()).toBe(0);
    // Mark #4, then compare #5 with it from #5's menu.
    await p.locator('.trace-row[data-trace-id="4"]').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Mark for comparing' }).click();
    await expect.poll(() => p.locator('.trace-row[data-trace-id="4"]').getAttribute('data-marked')).toBe('true');
    await p.locator('.trace-row[data-trace-id="5"]').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Compare with #4' }).click();
    await expect.poll(() => p.locator('.compare-screen').count()).toBe(1);
    await p.keyboard.press('Escape');
    await expect.poll(() => p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(0);
    // Keyboard: the cursor's row, Shift+F10, arrows, Esc gives focus back to the rows.
    await p.locator('.trace-scroller').focus();
    await p.keyboard.press('Home');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('Shift+F10');
    await expect.poll(() => menu.getAttribute('aria-label')).toBe('Trace #2');
    await p.keyboard.press('ArrowUp'); // wraps to the last item
    await expect.poll(() => p.evaluate('document.activeElement?.textContent')).toMatch(/^Only this request shape \(shape \d+\)$/);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.keyboard.press('Escape');
    expect(await menu.count()).toBe(0);
    await expect.poll(() => p.evaluate('document.activeElement?.className')).toContain('trace-scroller');
    expect(await p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(0); // Esc did not leave the screen
    // Filter to the row's entry container, and to its request shape.
    await p.locator('.trace-row[data-trace-id="3"]').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: /^Only this request shape/ }).click();
    await expect.poll(() => p.getByRole('searchbox', { name: 'Filter traces' }).inputValue()).toMatch(/^shape:\d+$/);
    await p.locator('.trace-row[data-trace-id="3"]').click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Filter to this entry container (oracle-frontend)' }).click();
    await expect.poll(() => p.getByRole('searchbox', { name: 'Filter traces' }).inputValue()).toBe('entry:oracle-frontend');
  });

  it('offers copy, link, zoom, collapse, filter and compare on a span', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const b = Bundle.open(path);
    const spans = b.trace(1)!.spans;
    b.close();
    const parent = spans.find((s) => s.container.includes('catalog') && spans.some((c) => c.parent === s.index))!;
    const app = await ui.open();
    const p = await openBundle(app, path);
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
    const rows = await p.locator('.gantt-row').count();
    const menu = p.getByRole('menu');
    const bar = p.locator(`.gantt-row[data-span="${parent.index}"] .gantt-bar`);
    await bar.click({ button: 'right' });
    await expect.poll(() => menu.getAttribute('aria-label')).toBe(`Span ${parent.index} of trace #1: ${parent.tid} ${parent.container}`);
    // The span is selected by the right-click, as a left click would.
    await expect.poll(() => p.locator('.gantt-row.is-selected').getAttribute('data-span')).toBe(String(parent.index));
    await app.screenshot(ui.shot('context-menu-span'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    await menu.getByRole('menuitem', { name: 'Copy span id' }).click();
    await expect.poll(() => clipboard(p)).toBe(`mixed50.mstrace trace #1 span ${parent.index}`);
    await bar.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Copy link to this span' }).click();
    await expect.poll(() => clipboard(p)).toBe(`misertrace://open?bundle=${encodeURIComponent(path).replace(/%20/g, '+')}&trace=1&span=${parent.index}`);
    await bar.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Collapse its subtree' }).click();
    await expect.poll(() => p.locator('.gantt-row').count()).toBeLessThan(rows);
    await bar.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Expand its subtree' }).click();
    await expect.poll(() => p.locator('.gantt-row').count()).toBe(rows);
    await bar.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Zoom to this span' }).click();
    const [s, e] = (await p.locator('.gantt').getAttribute('data-window'))!.split('-').map(Number);
    expect(s!).toBeLessThanOrEqual(parent.start);
    expect(e!).toBeGreaterThanOrEqual(parent.end);
    expect(e! - s!).toBeLessThan((parent.end - parent.start) * 1.5);
    // Esc closes the menu, and only the menu: the trace stays open.
    await bar.click({ button: 'right' });
    await p.keyboard.press('Escape');
    expect(await menu.count()).toBe(0);
    expect(await p.locator('.gantt').count()).toBe(1);
    await bar.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: /^Compare with its shape’s median/ }).click();
    await expect.poll(() => p.locator('.compare-screen').count()).toBe(1);
    await p.keyboard.press('Escape');
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await bar.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: `Filter the table to ${parent.container}` }).click();
    await expect.poll(() => p.getByRole('searchbox', { name: 'Filter traces' }).inputValue()).toBe(parent.container);
  });
});
