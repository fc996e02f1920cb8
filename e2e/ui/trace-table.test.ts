import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import type { FixtureName } from '../../test/fixtures.js';
import { formatDuration } from '../../engine/model/time.js';
import { knownTraces } from './harness/fixture-truth.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// The trace table against the fixtures' known traces (the original tool's dag.json): every row,
// then sorting, filtering, the latency histogram's brush and keyboard navigation.

interface Row {
  id: number;
  entry: string;
  durationTitle: string;
  spans: string;
  containers: string;
}

/** Scrolls the virtualized table from top to bottom, collecting every row once. */
async function readAllRows(p: Page): Promise<Map<number, Row>> {
  const rows = new Map<number, Row>();
  const scroller = p.locator('.trace-scroller');
  await scroller.evaluate((el) => (el.scrollTop = 0));
  for (let guard = 0; guard < 1000; guard++) {
    const batch = await p.locator('.trace-scroller .trace-row').evaluateAll((els) =>
      els.map((e) => ({
        id: Number(e.getAttribute('data-trace-id')),
        entry: e.querySelector('.col-entry')!.textContent!,
        durationTitle: e.querySelector('.col-duration')!.getAttribute('title')!,
        spans: e.querySelector('.col-spans')!.textContent!,
        containers: e.querySelector('.col-containers')!.getAttribute('title')!,
      })),
    );
    for (const r of batch) rows.set(r.id, r);
    const done = await scroller.evaluate((el) => {
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return true;
      el.scrollTop += el.clientHeight * 0.8;
      return false;
    });
    if (done) {
      await p.waitForTimeout(50);
      break;
    }
    await p.waitForTimeout(30);
  }
  return rows;
}

describe.skipIf(SKIP_REASON !== null)(`trace table${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  for (const [name, count] of [
    ['seq20', 20],
    ['mixed50', 50],
  ] as [FixtureName, number][]) {
    it(`lists the ${count} known traces of ${name} exactly`, async () => {
      const bundle = await buildFixtureBundle(name, ui.tmp.path, 'original'); // the original tool's traces: the original model
      const app = await ui.open({ viewport: { width: 1400, height: 800 } });
      const p = app.page;
      app.dialogs.answer(bundle);
      await p.getByRole('button', { name: /Open bundle/ }).click();
      await expect.poll(() => p.locator('.row-count').textContent()).toBe(`${count} of ${count} traces`);
      // Virtualized: fewer rows in the DOM than traces (for the 50), all of them reachable by scrolling.
      if (count === 50) expect(await p.locator('.trace-scroller .trace-row').count()).toBeLessThan(50);
      const rows = await readAllRows(p);
      const known = knownTraces(name);
      expect(known).toHaveLength(count);
      expect([...rows.keys()].sort((a, b) => a - b)).toEqual(known.map((k) => k.id));
      for (const k of known) {
        const r = rows.get(k.id)!;
        expect(r.entry, `trace ${k.id} entry`).toBe(k.entry);
        expect(r.durationTitle, `trace ${k.id} duration`).toBe(`${new Intl.NumberFormat('en-US').format(Number(k.durationNs))} ns`);
        expect(r.spans, `trace ${k.id} spans`).toBe(String(k.spanCount));
        expect(r.containers.split(', ').sort(), `trace ${k.id} containers`).toEqual([...k.containers].sort());
      }
      if (name === 'mixed50') await app.screenshot(ui.shot('trace-table-mixed50'));
    });
  }

  it('sorts, filters, brushes the latency histogram and moves by keyboard', async () => {
    const bundle = await buildFixtureBundle('mixed50', ui.tmp.path);
    const known = knownTraces('mixed50');
    const app = await ui.open({ viewport: { width: 1400, height: 900 } });
    const p = app.page;
    app.dialogs.answer(bundle);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.row-count').textContent()).toBe('50 of 50 traces');
    const firstId = () => p.locator('.trace-scroller .trace-row').first().getAttribute('data-trace-id');

    // Sort by duration: longest first, then flip.
    await p.getByRole('columnheader', { name: /Duration/ }).getByRole('button').click();
    const byDuration = [...known].sort((a, b) => Number(b.durationNs - a.durationNs) || b.id - a.id);
    await expect.poll(firstId).toBe(String(byDuration[0]!.id));
    expect(await p.getByRole('columnheader', { name: /Duration/ }).getAttribute('aria-sort')).toBe('descending');
    await p.getByRole('columnheader', { name: /Duration/ }).getByRole('button').click();
    await expect.poll(firstId).toBe(String(byDuration[byDuration.length - 1]!.id));

    // Filter by container and by duration; a bad term is reported, not ignored. "/" jumps there.
    const filter = p.getByRole('searchbox', { name: 'Filter traces' });
    await p.locator('.trace-scroller').focus();
    await p.keyboard.press('/');
    await p.keyboard.type('catalog');
    const withCatalog = known.filter((k) => k.containers.some((c) => c.includes('catalog'))).length;
    await expect.poll(() => p.locator('.row-count').textContent()).toBe(`${withCatalog} of 50 traces`);
    await filter.fill('dur>10ms spans>=5');
    const slow = known.filter((k) => k.durationNs > 10_000_000n && k.spanCount >= 5).length;
    await expect.poll(() => p.locator('.row-count').textContent()).toBe(`${slow} of 50 traces`);
    await filter.fill('dur>10parsecs');
    await expect.poll(() => p.getByRole('alert').filter({ hasText: 'unknown unit' }).count()).toBe(1);
    await filter.fill('');
    await expect.poll(() => p.locator('.row-count').textContent()).toBe('50 of 50 traces');

    // Brush the right half of the histogram: the rows are those whose durations fall in the range.
    const brush = p.locator('.hist-brush .overlay');
    const box = (await brush.boundingBox())!;
    await p.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await p.mouse.down();
    await p.mouse.move(box.x + box.width * 0.99, box.y + box.height / 2, { steps: 6 });
    await p.mouse.up();
    const chip = p.getByRole('button', { name: 'Clear the latency range' });
    await expect.poll(() => chip.isVisible()).toBe(true);
    const shown = Number((await p.locator('.row-count').textContent())!.split(' ')[0]);
    const min = Number(await chip.getAttribute('data-min'));
    const max = Number(await chip.getAttribute('data-max'));
    const inRange = known.filter((k) => Number(k.durationNs) >= min && Number(k.durationNs) <= max);
    expect(inRange.length).toBeGreaterThan(0);
    expect(inRange.length).toBeLessThan(50);
    expect(shown).toBe(inRange.length);
    expect(await chip.textContent()).toBe(`${formatDuration(min)} – ${formatDuration(max)} ×`);
    await app.screenshot(ui.shot('trace-table-brushed'));
    await chip.click();
    await expect.poll(() => p.locator('.row-count').textContent()).toBe('50 of 50 traces');

    // Keyboard: sort by id, focus the rows, End, Up, Enter opens that trace.
    await p.getByRole('columnheader', { name: /Trace/ }).getByRole('button').click();
    await p.locator('.trace-scroller').focus();
    await p.keyboard.press('Home');
    await p.keyboard.press('End');
    await p.keyboard.press('ArrowUp');
    const cursor = p.locator('.trace-row-cursor');
    await expect.poll(() => cursor.getAttribute('data-trace-id')).toBe(String(known[known.length - 2]!.id));
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('.trace-title').textContent()).toContain(`Trace #${known[known.length - 2]!.id}`);
  });
});
