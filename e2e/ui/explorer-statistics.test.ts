import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { buildFixtureBundle } from '../../test/fixture-bundles.js';
import { seriousA11yViolations } from './harness/axe.js';
import { SKIP_REASON, uiSuite } from './harness/ui-suite.js';

// Issue 14, what the anchors have: a statistics view per trace and per bundle (self time and
// count per container and per kernel event). The numbers are checked against the bundle read
// here directly, self time by a sweep over each span's children written for this test.

interface Span {
  parent: number;
  start: number;
  end: number;
  container: string;
}

/** Self time by sweeping the children's start/end points (not the app's union-of-intervals code). */
function selfBySweep(spans: readonly Span[], i: number): number {
  const s = spans[i]!;
  const points: [number, number][] = [];
  spans.forEach((c) => {
    if (c !== s && spans.indexOf(c) > i && c.parent === i) {
      const a = Math.max(s.start, c.start);
      const b = Math.min(s.end, c.end);
      if (b > a) points.push([a, 1], [b, -1]);
    }
  });
  points.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
  let depth = 0;
  let since = 0;
  let busy = 0;
  for (const [t, d] of points) {
    if (depth === 0 && d > 0) since = t;
    depth += d;
    if (depth === 0) busy += t - since;
  }
  return s.end - s.start - busy;
}

interface Expected {
  spans: Map<string, number>;
  self: Map<string, number>;
  events: Map<string, number>;
}

function expected(b: Bundle, ids: number[]): Expected {
  const out: Expected = { spans: new Map(), self: new Map(), events: new Map() };
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  for (const id of ids) {
    const spans = b.trace(id)!.spans;
    const counts = b.spanCounts(id);
    spans.forEach((s, i) => {
      add(out.spans, s.container, 1);
      add(out.self, s.container, selfBySweep(spans, i));
      for (const [probe, n] of Object.entries(counts[i]!.byProbe)) if (n > 0) add(out.events, probe, n);
    });
  }
  return out;
}

async function shown(p: Page) {
  const dialog = p.getByRole('dialog');
  const containers = await dialog.locator('.stats-containers tbody tr').evaluateAll((rows) =>
    rows.map((r) => ({ c: r.getAttribute('data-container')!, spans: Number(r.children[1]!.textContent!.replace(/,/g, '')), ns: Number(r.children[2]!.getAttribute('data-ns')) })),
  );
  const events = await dialog.locator('.stats-events tbody tr').evaluateAll((rows) => rows.map((r) => ({ e: r.getAttribute('data-event')!, n: Number(r.children[1]!.textContent!.replace(/,/g, '')) })));
  return { containers, events };
}

function compare(got: Awaited<ReturnType<typeof shown>>, want: Expected): void {
  expect(new Map(got.containers.map((c) => [c.c, c.spans]))).toEqual(want.spans);
  for (const c of got.containers) expect(c.ns, c.c).toBe(want.self.get(c.c));
  // Most self time first; most frequent event first.
  expect(got.containers.map((c) => c.ns)).toEqual([...got.containers.map((c) => c.ns)].sort((a, b) => b - a));
  expect(new Map(got.events.map((e) => [e.e, e.n]))).toEqual(want.events);
  expect(got.events.map((e) => e.n)).toEqual([...got.events.map((e) => e.n)].sort((a, b) => b - a));
}

describe.skipIf(SKIP_REASON !== null)(`explorer: statistics${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('shows self time and counts per container and per kernel event, of a trace and of the bundle', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const b = Bundle.open(path);
    const ids = b.traceSummaries().map((t) => t.id);
    const one = expected(b, [1]);
    const all = expected(b, ids);
    b.close();
    const app = await ui.open();
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await expect.poll(() => p.locator('.trace-row[data-trace-id]').count()).toBeGreaterThan(0);
    // The bundle's, folded in the engine.
    await p.getByRole('button', { name: 'Statistics' }).click();
    const dialog = p.getByRole('dialog', { name: 'Statistics of mixed50.mstrace' });
    await expect.poll(() => dialog.locator('.stats-containers tbody tr').count(), { timeout: 20_000 }).toBe(all.spans.size);
    compare(await shown(p), all);
    expect(await dialog.locator('.stats-body > p').first().textContent()).toMatch(new RegExp(`^${ids.length} traces, ${[...all.spans.values()].reduce((a, c) => a + c, 0)} spans`));
    await app.screenshot(ui.shot('statistics-bundle'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.keyboard.press('Escape');
    expect(await p.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => p.evaluate('document.activeElement?.textContent')).toBe('Statistics'); // focus back on the button
    // One trace's, from the trace view; Esc closes the dialog, not the trace.
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
    await p.getByRole('button', { name: 'Statistics' }).click();
    await expect.poll(() => p.getByRole('dialog', { name: 'Statistics of trace #1' }).count()).toBe(1);
    compare(await shown(p), one);
    await app.screenshot(ui.shot('statistics-trace'));
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.keyboard.press('Escape');
    expect(await p.getByRole('dialog').count()).toBe(0);
    expect(await p.locator('.gantt').count()).toBe(1);
  });
});

describe.skipIf(SKIP_REASON !== null)(`explorer: the trace toolbar at 1024 px${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  const ui = uiSuite();

  it('keeps Link on the one toolbar line without pushing the title out', async () => {
    const path = await buildFixtureBundle('mixed50', ui.tmp.path);
    const app = await ui.open({ viewport: { width: 1024, height: 700 } });
    const p = app.page;
    app.dialogs.answer(path);
    await p.getByRole('button', { name: /Open bundle/ }).click();
    await p.locator('.trace-row[data-trace-id="1"]').dblclick();
    await expect.poll(() => p.locator('.gantt').getAttribute('data-stale'), { timeout: 20_000 }).toBe('no');
    const bar = await p.locator('.trace-toolbar').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth, title: e.querySelector('.trace-title')!.getBoundingClientRect().width }));
    expect(bar.scroll).toBeLessThanOrEqual(bar.client);
    expect(bar.title).toBeGreaterThanOrEqual(90);
  });
});
