import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what the anchors have: dark mode following the system (prefers-color-scheme), the
// Gantt, its legend and the table readable in it (axe's colour-contrast on the HTML, WCAG ratios
// measured here on the SVG labels and arrows), while exports stay the light figure.

type Rgb = [number, number, number];
function parseRgb(css: string): Rgb {
  const m = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  if (m === null) throw new Error(`not a colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
function luminance([r, g, b]: Rgb): number {
  const f = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const background = (p: Page, selector: string) => p.locator(selector).first().evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).backgroundColor);

async function exportSvg(app: ExplorerPage, target: string): Promise<string> {
  const p = app.page;
  const panel = p.getByRole('region', { name: 'Export' });
  if (!(await panel.isVisible())) await p.getByRole('button', { name: 'Export…', exact: true }).click();
  await panel.getByRole('radio', { name: /SVG figure/ }).check();
  app.dialogs.answer(target);
  await panel.getByRole('button', { name: 'Export…' }).click();
  await expect.poll(() => p.locator('.notice-info').filter({ hasText: target }).count()).toBe(1);
  return readFileSync(target, 'utf8');
}

describe.skipIf(SKIP_REASON !== null)(`explorer: dark mode${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('follows the system into dark mode: table and Gantt readable, exports still light', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = app.page;
    await p.emulateMedia({ colorScheme: 'dark' });
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(0);
    expect(luminance(parseRgb(await background(p, 'body')))).toBeLessThan(0.02);
    expect(luminance(parseRgb(await background(p, '.trace-table')))).toBeLessThan(0.03);
    await app.screenshot(ui.shot('dark-table'));
    expect(await seriousA11yViolations(p)).toEqual([]); // colour-contrast included
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
    const plot = parseRgb(await background(p, '.gantt'));
    expect(luminance(plot)).toBeLessThan(0.03);
    // Labels beside the bars (on the dark plot) and arrows: WCAG AA for text, 3:1 for graphics.
    const labelFills = await p.locator('.gantt .label-right tspan, .gantt .label-left tspan').evaluateAll((ts) => ts.map((t) => t.ownerDocument.defaultView!.getComputedStyle(t).fill));
    expect(labelFills.length).toBeGreaterThan(0);
    for (const f of labelFills) expect(contrast(parseRgb(f), plot), f).toBeGreaterThanOrEqual(4.5);
    const arrowStrokes = await p.locator('.gantt-arrow:not(.is-critical) path[fill="none"]').evaluateAll((ps) => ps.map((x) => x.ownerDocument.defaultView!.getComputedStyle(x).stroke));
    expect(arrowStrokes.length).toBeGreaterThan(0);
    for (const s of arrowStrokes) expect(contrast(parseRgb(s), plot), s).toBeGreaterThanOrEqual(3);
    // Labels inside the (light) bars stay dark on them.
    const inside = await p.locator('.gantt .label-inside tspan').first().evaluate((t) => t.ownerDocument.defaultView!.getComputedStyle(t).fill);
    expect(contrast(parseRgb(inside), [0x99, 0xdd, 0xff])).toBeGreaterThanOrEqual(4.5);
    const legendText = await p.locator('.gantt-legend li').first().evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).color);
    expect(contrast(parseRgb(legendText), parseRgb(await background(p, '.gantt-legend')))).toBeGreaterThanOrEqual(4.5);
    await app.screenshot(ui.shot('dark-trace'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    // The statistics dialog and the right-click menu in dark mode pass axe's contrast too.
    await p.getByRole('button', { name: 'Statistics' }).click();
    await expect.poll(() => p.getByRole('dialog').count()).toBe(1);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.keyboard.press('Escape');
    await p.locator('.gantt-row[data-span="1"] .gantt-bar').click({ button: 'right' });
    await expect.poll(() => p.getByRole('menu').count()).toBe(1);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.keyboard.press('Escape');
    // The export is the light figure, byte for byte the one made in light mode.
    const dark = await exportSvg(app, join(ui.tmp.path, 'dark-1.svg'));
    expect(dark).toMatch(/fill="#FFFFFF"/i);
    await p.emulateMedia({ colorScheme: 'light' });
    // The app follows the system as it changes, without a reload.
    await expect.poll(async () => luminance(parseRgb(await background(p, '.gantt')))).toBeGreaterThan(0.9);
    const light = await exportSvg(app, join(ui.tmp.path, 'light-1.svg'));
    expect(dark).toBe(light);
  });
});
