import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what the anchors have, on the table screen: the duration-over-time scatter next to
// the latency histogram (a click on a dot opens that trace), and request types in the table
// (traces grouped by root container, then tree shape).

/** Where trace row `row`'s dot is on the page, from the domain the scatter publishes. */
async function dotPosition(p: Page, start: number, duration: number): Promise<{ x: number; y: number }> {
  const el = p.locator('.scatter');
  const canvas = (await p.locator('.scatter-canvas').boundingBox())!;
  const a = async (n: string) => Number(await el.getAttribute(`data-${n}`));
  const [t0, t1, d0, d1] = [await a('t0'), await a('t1'), await a('d0'), await a('d1')];
  return {
    x: canvas.x + ((start - t0) / (t1 - t0)) * canvas.width,
    y: canvas.y + canvas.height - ((Math.log10(duration) - d0) / (d1 - d0)) * canvas.height,
  };
}

describe.skipIf(SKIP_REASON !== null)(`explorer: scatter and request types${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('plots duration over time beside the histogram; pointing reads a trace out, a click opens it', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const b = Bundle.open(path);
    const traces = b.traceSummaries();
    b.close();
    const slowest = traces.reduce((m, t) => (t.duration > m.duration ? t : m));
    const app = await ui.open();
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.scatter-canvas').count()).toBe(1);
    // Side by side: the scatter to the right of the histogram, on the same line.
    const h = (await p.locator('.histogram').boundingBox())!;
    const s = (await p.locator('.scatter').boundingBox())!;
    expect(s.x).toBeGreaterThan(h.x + h.width - 1);
    expect(Math.abs(s.y - h.y)).toBeLessThan(2);
    const at = await dotPosition(p, slowest.start, slowest.duration);
    await p.mouse.move(at.x, at.y);
    await expect.poll(() => p.locator('.scatter-readout').textContent()).toMatch(new RegExp(`^#${slowest.id}: `));
    // A filter leaves the other traces drawn faint; the screenshot shows both.
    await p.getByRole('searchbox', { name: 'Filter traces' }).fill('catalog');
    await p.mouse.move(at.x, at.y);
    await app.screenshot(ui.shot('duration-scatter'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.mouse.click(at.x, at.y);
    await expect.poll(() => p.locator('.trace-title').textContent()).toContain(`Trace #${slowest.id}`);
    // Empty space opens nothing.
    await p.getByRole('button', { name: '← Traces' }).click();
    const c = (await p.locator('.scatter-canvas').boundingBox())!;
    await p.mouse.click(c.x + 2, c.y + 2);
    await expect.poll(() => p.locator('.trace-table').count()).toBe(1);
  });
});

describe.skipIf(SKIP_REASON !== null)(`explorer: request types in the table${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('groups the listed traces by entry container and tree shape, each type opening to its traces', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(0);
    await p.getByRole('button', { name: 'Group by request type' }).click();
    const region = p.getByRole('region', { name: 'Request types' });
    await expect.poll(() => region.locator('.type-row').count()).toBe(3);
    // One entry container (mixed50's requests all enter at the frontend), three shapes: the
    // counts are the Shapes panel's, and they add up to the listed traces.
    expect(await region.locator('.entry-row').allTextContents()).toEqual([expect.stringMatching(/^oracle-frontend — entry of 50 traces, 3 types$/)]);
    const counts = (await region.locator('.type-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-count'))))).sort();
    const panel = (await p.locator('.shape-row td:nth-child(3)').allTextContents()).map((t) => Number(t.split(' ')[0])).sort();
    expect(counts).toEqual(panel);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(50);
    // Open the first type: its traces are the ones the filter `entry:… shape:N` lists.
    const first = region.getByRole('button', { name: /oracle-frontend · Shape \d+/ }).first();
    const shape = Number((await first.textContent())!.match(/Shape (\d+)/)![1]);
    await first.click();
    await expect.poll(() => first.getAttribute('aria-expanded')).toBe('true');
    const ids = (await region.locator('.type-trace[data-trace-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-trace-id'))))).sort((a, b) => a - b);
    expect(ids.length).toBe(Number(await region.locator('.type-row').first().getAttribute('data-count')));
    await app.screenshot(ui.shot('request-types'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    // A filter narrows the types: `catalog` leaves the two shapes that call it.
    await p.getByRole('searchbox', { name: 'Filter traces' }).fill('catalog');
    await expect.poll(() => region.locator('.type-row').count()).toBe(2);
    await p.getByRole('searchbox', { name: 'Filter traces' }).fill('');
    await p.getByRole('button', { name: 'Group by request type' }).click();
    await p.getByRole('searchbox', { name: 'Filter traces' }).fill(`entry:oracle-frontend shape:${shape}`);
    await expect.poll(async () => (await p.locator('.trace-row[data-trace-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-trace-id'))))).sort((a, b) => a - b)).toEqual(ids);
    // A trace of a type opens from the grouped view.
    await p.getByRole('searchbox', { name: 'Filter traces' }).fill('');
    await p.getByRole('button', { name: 'Group by request type' }).click();
    await region.getByRole("button", { name: `Open trace #${ids[0]}`, exact: true }).click();
    await expect.poll(() => p.locator('.trace-title').textContent()).toContain(`Trace #${ids[0]}`);
  });
});
