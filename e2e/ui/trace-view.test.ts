import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { defaultCountColumns } from '../../engine/figure/count-columns.js';
import { criticalPath } from '../../engine/figure/critical-path.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { knownTraces } from './harness/fixture-truth.js';
import type { ExplorerPage } from './harness/explorer-page.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// The trace view against the bundle: bars, labels and counts of every span, zoom and pan, hover,
// collapse, the critical path, and a span's raw records read by index.

interface DrawnRow {
  span: number;
  kind: string;
  x: number;
  width: number;
  label: string;
  critical: boolean;
}

async function drawnRows(p: Page): Promise<DrawnRow[]> {
  return p.locator('.gantt-row').evaluateAll((els) =>
    els.map((e) => {
      const bar = e.querySelector('.gantt-bar')!;
      return {
        span: Number(e.getAttribute('data-span')),
        kind: e.getAttribute('data-kind')!,
        x: Number(bar.getAttribute('x')),
        width: Number(bar.getAttribute('width')),
        label: e.querySelector('.gantt-label')?.textContent ?? '',
        critical: e.classList.contains('is-critical'),
      };
    }),
  );
}

async function openTraceFromTable(app: ExplorerPage, bundlePath: string, traceId: number): Promise<void> {
  const p = app.page;
  app.dialogs.answer(bundlePath);
  await p.getByRole('button', { name: /Open bundle/ }).click();
  await p.locator(`.trace-row[data-trace-id="${traceId}"]`).dblclick();
  await expect.poll(() => p.locator('.trace-title').textContent()).toContain(`Trace #${traceId}`);
  await expect.poll(() => p.locator('.gantt-row').count()).toBeGreaterThan(0);
}

describe.skipIf(SKIP_REASON !== null)(`trace view${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('draws every span of a known trace with its bar, label and counts', async () => {
    // The known trace is the original tool's: the original model makes it.
    const path = await buildFixtureBundle('mixed50', ui.tmp.path, 'original');
    const known = knownTraces('mixed50')[0]!;
    const b = Bundle.open(path);
    const trace = b.trace(1)!;
    const counts = b.spanCounts(1);
    b.close();
    const app = await ui.open();
    const p = app.page;
    await openTraceFromTable(app, path, 1);
    const rows = await drawnRows(p);
    expect(rows.map((r) => r.span)).toEqual(trace.spans.map((s) => s.index));
    // Same tree as the original tool's: containers, tids and kinds in pre-order.
    expect(rows.map((r) => trace.spans[r.span]!.container)).toEqual(known.nodes.map((n) => n.container));
    expect(rows.map((r) => trace.spans[r.span]!.tid)).toEqual(known.nodes.map((n) => n.tid));
    expect(rows.map((r) => r.kind)).toEqual(known.nodes.map((n) => n.kind));
    // Labels: tid, container and the user-probe counts, as in the seed figure.
    // The figure's own default columns (user probes), the same the SVG export prints.
    const columns = defaultCountColumns(counts);
    expect(columns.map((c) => c.label).sort()).toEqual(['Migrations', 'User page faults']);
    for (const r of rows) {
      const s = trace.spans[r.span]!;
      const expected = [String(s.tid), s.container, ...columns.flatMap((c) => [`${c.label}:`, String(counts[r.span]!.byProbe[c.probe] ?? 0)])].join(' ');
      expect(r.label, `span ${r.span}`).toBe(expected);
    }
    // Bars: x is time. Spans wider than the minimum width sit at (start - root start) * scale.
    const root = trace.spans[0]!;
    const scale = rows[0]!.width / (root.end - root.start);
    for (const r of rows) {
      const s = trace.spans[r.span]!;
      expect(r.x - rows[0]!.x, `span ${r.span} x`).toBeCloseTo((s.start - root.start) * scale, 0);
      if (r.width > 3.5) expect(r.width, `span ${r.span} width`).toBeCloseTo((s.end - s.start) * scale, 0);
    }
    // Hover shows the span's details beside the pointer.
    const bar = p.locator('.gantt-row[data-span="1"] .gantt-bar');
    await bar.hover();
    await expect.poll(() => p.getByRole('tooltip').textContent()).toContain(`${trace.spans[1]!.tid} ${trace.spans[1]!.container}`);
    await app.screenshot(ui.shot('trace-view-mixed50-1'));
  });

  it('zooms and pans with keys, wheel, drag and the axis, and resets', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open();
    const p = app.page;
    await openTraceFromTable(app, path, 1);
    const win = async () => (await p.locator('.gantt').getAttribute('data-window'))!.split('-').map(Number) as [number, number];
    const [s0, e0] = await win();
    const gantt = p.locator('.gantt-scroll');
    await gantt.focus();
    await p.keyboard.press('+');
    await expect.poll(async () => { const [s, e] = await win(); return Math.round(((e0 - s0) / (e - s)) * 10) / 10; }).toBe(1.5);
    expect(await p.getByLabel('Zoom level').textContent()).toBe('1.5×');
    // Ctrl+wheel zooms further, around the pointer.
    const box = (await gantt.boundingBox())!;
    await p.mouse.move(box.x + box.width * 0.3, box.y + 40);
    await p.keyboard.down('Control');
    await p.mouse.wheel(0, -300);
    await p.keyboard.up('Control');
    await expect.poll(async () => { const [s, e] = await win(); return (e0 - s0) / (e - s); }).toBeGreaterThan(2);
    // Pan by key and by dragging: the window moves, its width stays.
    const [s1, e1] = await win();
    await p.keyboard.press('ArrowRight');
    await expect.poll(async () => (await win())[0]).toBeGreaterThan(s1);
    const [s2, e2] = await win();
    expect(e2 - s2).toBe(e1 - s1);
    await p.mouse.move(box.x + box.width * 0.6, box.y + 60);
    await p.mouse.down();
    await p.mouse.move(box.x + box.width * 0.4, box.y + 60, { steps: 5 });
    await p.mouse.up();
    await expect.poll(async () => (await win())[0]).toBeGreaterThan(s2);
    // The bars follow: after the layout catches up, no stale transform remains.
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale')).toBe('no');
    await app.screenshot(ui.shot('trace-view-zoomed'));
    // Drag across the axis to zoom to that range.
    const axis = (await p.locator('.gantt-axis').boundingBox())!;
    await p.keyboard.press('0');
    await expect.poll(win).toEqual([s0, e0]);
    await p.mouse.move(axis.x + axis.width * 0.5, axis.y + 10);
    await p.mouse.down();
    await p.mouse.move(axis.x + axis.width * 0.7, axis.y + 10, { steps: 4 });
    await p.mouse.up();
    await expect.poll(async () => { const [s, e] = await win(); return (e0 - s0) / (e - s); }).toBeGreaterThan(3);
    await p.getByRole('button', { name: 'Whole trace' }).click();
    await expect.poll(win).toEqual([s0, e0]);
  });

  it('selects a span and reads its raw records from the bundle by index', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const b = Bundle.open(path);
    const trace = b.trace(1)!;
    const spanIndex = trace.spans.findIndex((s, i) => i > 0 && b.spanRecords(1, i, { limit: 300 }).length > 20);
    const expected = b.spanRecords(1, spanIndex, { limit: 10_000 });
    b.close();
    expect(spanIndex).toBeGreaterThan(0);
    const app = await ui.open();
    const p = app.page;
    await openTraceFromTable(app, path, 1);
    await p.locator(`.gantt-row[data-span="${spanIndex}"] .gantt-bar`).click();
    const details = p.getByRole('complementary', { name: `Span ${spanIndex} details` });
    const s = trace.spans[spanIndex]!;
    await expect.poll(() => details.locator('h2').textContent()).toContain(`${s.tid} ${s.container}`);
    const rows = details.getByRole('table', { name: 'Raw records' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(Math.min(200, expected.length));
    if (expected.length > 200) {
      await details.getByRole('button', { name: 'Load more' }).click();
      await expect.poll(() => rows.count()).toBe(Math.min(400, expected.length));
    }
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => ({ line: Number(tr.getAttribute('data-line')), ns: tr.children[1]!.textContent })));
    expect(shown).toEqual(expected.slice(0, shown.length).map((r) => ({ line: r.line, ns: r.tsNs })));
    // Exact absolute times in the facts, as decimal nanoseconds.
    expect(await details.locator('dd').nth(3).textContent()).toContain(expected.length > 0 ? b.base.absString(s.start) : '');
    await app.screenshot(ui.shot('trace-view-span-records'));
    // Keyboard: down selects the next row, Escape clears.
    await p.locator('.gantt-scroll').focus();
    await p.keyboard.press('ArrowDown');
    await expect.poll(() => p.locator('.gantt-row.is-selected').getAttribute('data-span')).toBe(String(spanIndex + 1));
    await p.keyboard.press('Escape');
    await expect.poll(() => p.locator('.gantt-row.is-selected').count()).toBe(0);
  });

  it('collapses subtrees, highlights the critical path and changes the counts shown', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const b = Bundle.open(path);
    const trace = b.trace(1)!;
    const counts = b.spanCounts(1);
    b.close();
    const app = await ui.open();
    const p = app.page;
    await openTraceFromTable(app, path, 1);
    // Critical path (engine/figure/critical-path.ts, tested on hand-made traces): the catalog
    // chain, 61% of this request, is on it, not only the short call that ends last.
    const chain = [...criticalPath(trace.spans).spans].sort((x, y) => x - y);
    expect(chain).toEqual(expect.arrayContaining([1, 2, 6, 7, 8, 9]));
    const critical = async () => (await drawnRows(p)).filter((r) => r.critical).map((r) => r.span);
    expect(await critical()).toEqual(chain);
    await p.getByRole('checkbox', { name: 'Critical path' }).uncheck();
    await expect.poll(critical).toEqual([]);
    // Collapse the first span with children: its descendants leave, its row stays.
    const parent = trace.spans.find((s) => s.index > 0 && s.childCount > 0)!;
    const subtree = trace.spans.filter((s) => { let q = s.parent; while (q >= 0) { if (q === parent.index) return true; q = trace.spans[q]!.parent; } return false; }).length;
    await p.getByRole('button', { name: `Collapse span ${parent.index}` }).click();
    await expect.poll(() => p.locator('.gantt-row').count()).toBe(trace.spans.length - subtree);
    await app.screenshot(ui.shot('trace-view-collapsed'));
    await p.getByRole('button', { name: new RegExp(`Expand span ${parent.index} \\(${subtree} hidden\\)`) }).click();
    await expect.poll(() => p.locator('.gantt-row').count()).toBe(trace.spans.length);
    // Counts: show the total instead of the user probes.
    await p.locator('.count-chooser summary').click();
    const group = p.getByRole('group', { name: 'Counts on bars' });
    await group.getByRole('button', { name: 'None' }).click();
    await expect.poll(() => group.getByRole('checkbox', { checked: true }).count()).toBe(0);
    await group.getByRole('checkbox', { name: 'Events' }).check();
    await expect.poll(async () => (await drawnRows(p))[0]!.label).toBe(`${trace.spans[0]!.tid} ${trace.spans[0]!.container} Events: ${counts[0]!.total}`);
  });
});
