import { describe, expect, it } from 'vitest';
import { groupByShape } from '../../engine/analysis/shape-groups.js';
import { compareTraces } from '../../engine/analysis/trace-compare.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { traceShapeColumn } from '../../engine/bundle/trace-shapes.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what none of them has: request shapes with their latency distribution (the table
// filtered to a shape, the slowest of a shape compared against its median), and two requests
// compared span by span. The expected numbers come from the bundle itself through the engine.

function truth(path: string) {
  const b = Bundle.open(path);
  try {
    const rows = b.traceSummaries();
    const col = traceShapeColumn(b, rows.map((r) => r.id));
    const groups = groupByShape(col.shape, rows.map((r) => r.duration));
    const sides = new Map(rows.map((r) => [r.id, { spans: b.trace(r.id)!.spans, counts: b.spanCounts(r.id) }]));
    return { rows, col, groups, compare: (a: number, c: number) => compareTraces(sides.get(a)!, sides.get(c)!) };
  } finally {
    b.close();
  }
}

describe.skipIf(SKIP_REASON !== null)(`explorer: request shapes and comparing two requests${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('lists the shapes with their latency spread, filters the table to one, opens its slowest against its median', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const t = truth(path);
    const g0 = t.groups[0]!;
    const medianId = t.rows[g0.medianRow]!.id;
    const slowestId = t.rows[g0.slowestRow]!.id;
    const want = t.compare(medianId, slowestId);
    const app = await ui.open();
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    const panel = p.getByRole('region', { name: 'Request shapes' });
    await expect.poll(() => panel.locator('tr.shape-row').count()).toBe(t.groups.length);
    // Most frequent first, counts and the p50 as the engine computes them.
    const shown = await panel.locator('tr.shape-row').evaluateAll((trs) => trs.map((tr) => [Number(tr.getAttribute('data-shape')), tr.querySelectorAll('td')[2]!.textContent!.trim().split(' ')[0]]));
    expect(shown).toEqual(t.groups.map((g) => [g.shape + 1, String(g.count)]));
    const n = g0.shape + 1;
    await panel.getByRole('button', { name: `Shape ${n}`, exact: true }).click();
    await expect.poll(() => p.getByLabel('Filter traces').inputValue()).toBe(`shape:${n}`);
    await expect.poll(() => p.locator('.row-count').textContent()).toBe(`${g0.count} of ${t.rows.length} traces`);
    const ids = await p.locator('.trace-scroller .trace-row').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-trace-id'))));
    const ofShape = new Set(Array.from(g0.rows, (r) => t.rows[r]!.id));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => ofShape.has(id))).toBe(true);
    await app.screenshot(ui.shot('shapes-panel-filtered'));
    expect(await seriousA11yViolations(p)).toEqual([]);

    await panel.locator(`tr[data-shape="${n}"]`).getByRole('button', { name: 'Slowest vs median' }).click();
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe(`#${slowestId} compared with #${medianId}`);
    await expect.poll(() => p.locator('.aligned-row').count()).toBe(want.rows.length);
    expect(await p.locator('.aligned-row[data-status="matched"]').count()).toBe(want.matched);
    // The first ranked span is the one the engine ranks first, with its own-time change.
    const first = want.rows[want.ranked[0]!]!;
    expect(await p.locator('.compare-ranked li').first().getAttribute('data-row')).toBe(String(want.ranked[0]));
    expect(await p.locator('.compare-ranked li').first().textContent()).toContain(first.container);
    await app.screenshot(ui.shot('compare-slowest-vs-median'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    // A ranked span shows its row in the aligned trees; Esc goes back to the filtered table.
    await p.locator('.compare-ranked li').first().getByRole('button').click();
    await expect.poll(() => p.locator('.aligned-row.is-focus').getAttribute('data-row')).toBe(String(want.ranked[0]));
    await p.keyboard.press('Escape');
    await expect.poll(() => p.locator('.row-count').textContent()).toBe(`${g0.count} of ${t.rows.length} traces`);
  });

  it('compares two traces marked in the table, added and removed spans shown, at 1024x700', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const t = truth(path);
    // Two traces of different shapes: the comparison has spans on one side only.
    const a = t.rows[t.groups[0]!.medianRow]!.id;
    const b = t.rows[t.groups[t.groups.length - 1]!.slowestRow]!.id;
    const want = t.compare(a, b);
    expect(want.added + want.removed).toBeGreaterThan(0);
    const app = await ui.open({ viewport: { width: 1024, height: 700 } });
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await p.getByLabel('Filter traces').fill(`${a}`);
    await p.locator(`.trace-row[data-trace-id="${a}"]`).click({ modifiers: ['Control'] });
    await p.getByLabel('Filter traces').fill(`${b}`);
    // The keyboard way: the cursor on the row, then C.
    await p.locator(`.trace-row[data-trace-id="${b}"]`).click();
    await p.locator('.trace-scroller').press('c');
    await expect.poll(() => p.getByRole('group', { name: 'Compare traces' }).textContent()).toContain(`Marked #${a}, #${b}`);
    await p.getByRole('button', { name: `Compare #${a} with #${b}` }).click();
    await expect.poll(() => p.locator('.aligned-row').count()).toBe(want.rows.length);
    expect(await p.locator('.aligned-row[data-status="added"]').count()).toBe(want.added);
    expect(await p.locator('.aligned-row[data-status="removed"]').count()).toBe(want.removed);
    const sign = want.deltaDuration >= 0 ? '+' : '−';
    expect(await p.getByTestId('compare-delta').textContent()).toContain(sign);
    await app.screenshot(ui.shot('compare-two-traces-1024'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    // Swap makes B the baseline: added and removed trade places.
    await p.getByRole('button', { name: 'Swap' }).click();
    await expect.poll(() => p.locator('.aligned-row[data-status="added"]').count()).toBe(want.removed);
    await p.getByRole('button', { name: '← Traces' }).click();
    await expect.poll(() => p.locator('.trace-scroller').count()).toBe(1);
    // One mark: compared against the median trace of its shape.
    await p.getByRole('button', { name: 'Clear the marks' }).click();
    await p.locator(`.trace-row[data-trace-id="${b}"]`).click({ modifiers: ['Control'] });
    const g = t.groups.find((x) => Array.from(x.rows).some((r) => t.rows[r]!.id === b))!;
    const median = t.rows[g.medianRow]!.id;
    expect(median).not.toBe(b);
    await p.getByRole('button', { name: `Compare #${b} with its shape's median` }).click();
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe(`#${b} compared with #${median}`);
    await expect.poll(() => p.locator('.aligned-row').count()).toBe(t.compare(median, b).rows.length);
    expect(await p.locator('.aligned-row[data-status="matched"]').count()).toBe(t.compare(median, b).rows.length);
    // A span's name opens its trace there: B's span of the second aligned row, selected in the Gantt.
    const second = t.compare(median, b).rows[1]!;
    await p.locator('.aligned-row[data-row="1"]').getByRole('button').click();
    await expect.poll(() => p.locator('.gantt-row.is-selected').getAttribute('data-span')).toBe(String(second.b));
    await expect.poll(() => p.getByRole('heading', { name: 'Raw records' }).count()).toBe(1);
  });
});
