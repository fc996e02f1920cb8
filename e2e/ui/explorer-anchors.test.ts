import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what the anchors have: span search within a trace (Ctrl+F, next/previous), colour by
// container with a legend, copy buttons.

describe.skipIf(SKIP_REASON !== null)(`explorer: search, colour by container, copy${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('finds spans with Ctrl+F, steps through them, uncollapses the one it goes to, and copies', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path, 'original'); // trace 1's 10 spans: the original model's tree
    const b = Bundle.open(path);
    const spans = b.trace(1)!.spans;
    b.close();
    const catalog = spans.filter((s) => s.container.includes('catalog')).map((s) => s.index);
    const app = await ui.open();
    const p = app.page;
    await p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(p.url()).origin });
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await expect.poll(() => p.locator('.gantt-row').count()).toBe(10);
    // Collapse the catalog's fork parent: the search must bring its children back.
    await p.getByRole('button', { name: 'Collapse span 2' }).click();
    await expect.poll(() => p.locator('.gantt-row').count()).toBeLessThan(10);
    await p.getByRole('tree').focus();
    await p.keyboard.press('Control+f');
    const box = p.getByRole('searchbox', { name: /Find spans/ });
    await expect.poll(() => box.evaluate((e) => e === e.ownerDocument.activeElement)).toBe(true);
    await box.fill('catalog');
    await expect.poll(() => p.getByRole('search').getByRole('status').textContent()).toBe(`– of ${catalog.length}`);
    const selected = () => p.locator('.gantt-row.is-selected').getAttribute('data-span').then(Number);
    for (const want of catalog) {
      await box.press('Enter');
      await expect.poll(selected).toBe(want);
    }
    await box.press('Enter'); // wraps around
    await expect.poll(selected).toBe(catalog[0]);
    await box.press('Shift+Enter');
    await expect.poll(selected).toBe(catalog[catalog.length - 1]);
    expect(await p.locator('.gantt-row').count()).toBe(10); // uncollapsed on the way
    expect(await p.locator('.gantt-row.is-match').count()).toBe(catalog.length);
    await p.getByRole('button', { name: 'Previous match' }).click();
    await expect.poll(selected).toBe(catalog[catalog.length - 2]);
    await box.fill('no-such-container');
    await expect.poll(() => p.getByRole('search').getByRole('status').textContent()).toBe('no match');
    await box.fill('17203');
    await box.press('Enter');
    await expect.poll(selected).toBe(spans.find((s) => s.tid === 17203)!.index);
    await app.screenshot(ui.shot('span-search'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    // Copy the span as one line, and the trace reference.
    await p.getByRole('button', { name: /^Copy span:/ }).click();
    const s = spans.find((x) => x.tid === 17203)!;
    await expect.poll(() => p.evaluate('navigator.clipboard.readText()')).toMatch(new RegExp(`^trace #1 span ${s.index}: tid 17203 oracle-catalog \\(${s.ip.replace(/\./g, '\\.')}\\), network, `));
    await p.getByRole('button', { name: /^Copy: a reference to trace #1/ }).click();
    await expect.poll(() => p.evaluate('navigator.clipboard.readText()')).toBe('mixed50.mstrace trace #1');
    // Esc in the search closes it; the next Esc clears the selection.
    await box.focus();
    await box.press('Escape');
    await expect.poll(() => p.getByRole('search').count()).toBe(0);
    expect(await p.locator('.gantt-row.is-match').count()).toBe(0);
  });

  it('colours bars by container with a legend, the kind kept in the outline', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path, 'original'); // trace 1's 10 spans: the original model's tree
    const app = await ui.open();
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await expect.poll(() => p.locator('.gantt-row').count()).toBe(10);
    await p.getByRole('button', { name: 'Colour by container' }).click();
    const fills = await p.locator('.gantt-row').evaluateAll((rows) => rows.map((r) => ({ c: r.getAttribute('data-container')!, kind: r.getAttribute('data-kind')!, fill: r.querySelector('.gantt-bar')!.getAttribute('fill')!, dash: r.querySelector('.gantt-bar')!.getAttribute('stroke-dasharray') })));
    const byContainer = new Map<string, Set<string>>();
    for (const f of fills) byContainer.set(f.c, (byContainer.get(f.c) ?? new Set()).add(f.fill));
    // One colour per container, different containers apart.
    for (const set of byContainer.values()) expect(set.size).toBe(1);
    expect(new Set([...byContainer.values()].map((v) => [...v][0])).size).toBe(byContainer.size);
    // Fork bars keep their dashed outline.
    for (const f of fills) expect(f.dash !== null).toBe(f.kind === 'fork');
    const legend = p.getByRole('list', { name: 'Legend' });
    for (const c of byContainer.keys()) expect(await legend.locator('.legend-container').allTextContents()).toContain(c);
    await app.screenshot(ui.shot('colour-by-container'));
    await p.getByRole('button', { name: 'Colour by kind' }).click();
    await expect.poll(() => legend.locator('.legend-container').count()).toBe(0);
  });
});
