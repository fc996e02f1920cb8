import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { traceShapeColumn } from '../engine/bundle/trace-shapes.js';
import { InProcessEngineClient, type EngineClient } from '../engine/worker/engine-client.js';
import { ExplorerPage } from '../e2e/ui/harness/explorer-page.js';
import type { StaticServer } from '../e2e/ui/harness/static-server.js';
import { FIXTURES } from '../test/fixtures.js';
import { replicateCapture } from './replicate.js';

// bench:ui rows for the Shapes panel and the compare screen (issue 14), on the 4,000-trace bundle
// (the real mixed50 capture replicated 80 times, 1.46M records):
//  - the shape column at open (engine: one scan of the spans table, canonical keys), in process;
//  - open request -> the Shapes panel's rows painted (the table's first paint plus the panel);
//  - a shape clicked -> the table filtered to it, painted;
//  - back from the compare screen -> the table screen with its Shapes panel painted again (the
//    panel's own cost: groups and thumbnails, without the bundle open);
//  - "Slowest vs median" clicked -> the compare screen's aligned rows painted (two traceDetail
//    requests, the alignment, the render);
//  - a filter typed in the table's search box -> the matching rows counted and painted;
//  - two traces marked in the table and compared -> the aligned rows painted.
// Clicks are made in the page (no CDP round trip inside the timing).

export type BenchRow = [string, string, string, string];

/** A filter a user types: a container and a duration bound (about a third of the traces). */
const SEARCH = 'inventory dur>20ms';

/** The 4,000-trace bundle in `dir`, built once per run (the anchors' rows reuse it). */
export async function buildFourThousand(dir: string): Promise<string> {
  if (existsSync(join(dir, 'four-thousand.mstrace'))) return join(dir, 'four-thousand.mstrace');
  const raw = join(dir, 'four-thousand.psv');
  const info = await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 80, tracePath: raw, metaPath: join(dir, 'four-thousand.meta.psv') });
  const path = join(dir, 'four-thousand.mstrace');
  const engine = new InProcessEngineClient();
  try {
    await engine.run({ kind: 'import', input: raw, meta: info.meta, gateway: '172.29.77.1', output: path, capture: { backend: 'bpftrace', network: 'replicated' } }).result;
  } finally {
    await engine.dispose();
  }
  return path;
}

/** In the page: run `act` (page code), resolve when `done` (a page expression) holds, then two frames. */
export async function timeUntil(page: Page, act: string, done: string): Promise<number> {
  return page.evaluate(`(async () => {
    const check = () => ${done};
    const t0 = performance.now();
    const found = new Promise((resolve) => {
      const mo = new MutationObserver(() => { if (check()) { mo.disconnect(); resolve(); } });
      mo.observe(document, { childList: true, subtree: true, attributes: true });
    });
    ${act};
    if (!check()) await found;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    return performance.now() - t0;
  })()`);
}

export async function analysisRows(browser: Browser, server: StaticServer, dir: string, runs: number, stat: (xs: number[]) => [string, string], engine: () => EngineClient): Promise<BenchRow[]> {
  const path = await buildFourThousand(dir);
  const column: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = Bundle.open(path);
    try {
      const ids = b.traceSummaries().map((r) => r.id);
      const t0 = performance.now();
      traceShapeColumn(b, ids);
      column.push(performance.now() - t0);
    } finally {
      b.close();
    }
  }
  const opens: number[] = [];
  const filters: number[] = [];
  const compares: number[] = [];
  const remounts: number[] = [];
  const searches: number[] = [];
  const pairs: number[] = [];
  let traces = 0;
  let searchCount = '';
  for (let i = 0; i < runs; i++) {
    const app = await ExplorerPage.open(browser, server, { engine: engine() });
    try {
      await app.page.getByRole('main', { name: 'Start' }).waitFor();
      app.composed.services.grants.allow(path, 'open');
      opens.push(await timeUntil(app.page, `window.__explorerEmit('explorer-event:openRequested', { path: ${JSON.stringify(path)} })`, `document.querySelector('tr.shape-row') !== null`));
      traces = Number((await app.page.locator('.row-count').textContent())?.split(' of ')[1]?.split(' ')[0]?.replace(/,/g, ''));
      const first = app.page.locator('tr.shape-row').first();
      const n = await first.getAttribute('data-shape');
      // The shape's trace count as the panel prints it ("1,360 (34%)"): the row count to wait for.
      const count = (await first.locator('td').nth(2).textContent())!.trim().split(' ')[0]!;
      filters.push(await timeUntil(app.page, `document.querySelector('tr.shape-row[data-shape="${n}"] button[aria-pressed]').click()`, `(document.querySelector('.row-count')?.textContent ?? '').startsWith(${JSON.stringify(count + ' of')}) && document.querySelector('.trace-scroller .trace-row') !== null`));
      compares.push(await timeUntil(app.page, `document.querySelector('tr.shape-row[data-shape="${n}"] td:last-child button').click()`, `document.querySelector('.aligned-row') !== null`));
      // Back to the table: the screen mounts again, the shapes are grouped again and drawn (no bundle open inside).
      remounts.push(await timeUntil(app.page, `document.querySelector('.compare-toolbar button').click()`, `document.querySelector('tr.shape-row') !== null && document.querySelector('.trace-scroller .trace-row') !== null`));
      const more = await searchAndCompare(app.page);
      searches.push(more.search);
      pairs.push(more.compare);
      searchCount = more.count;
      if (app.errors.length > 0) throw new Error(app.errors.join('\n'));
    } finally {
      await app.close();
    }
  }
  const label = `${traces.toLocaleString('en-US')}-trace bundle`;
  return [
    [`shape column at open, ${label} (engine: spans scan + canonical keys)`, ...stat(column), `${column.length} opens`],
    [`Shapes panel first paint, ${label} (open request -> shape rows painted)`, ...stat(opens), `${opens.length} opens`],
    [`  a shape clicked -> table filtered to it, painted`, ...stat(filters), `${filters.length} clicks`],
    [`  table screen shown again (from the compare screen) -> shapes grouped, rows painted`, ...stat(remounts), `${remounts.length} clicks`],
    [`comparison view first paint, ${label} ('Slowest vs median' -> aligned rows painted)`, ...stat(compares), `${compares.length} clicks`],
    [`table search, ${label} ('${SEARCH}' typed -> ${searchCount} rows counted, first painted)`, ...stat(searches), `${searches.length} searches`],
    [`comparison view first paint, ${label} (two marked traces, Compare -> aligned rows painted)`, ...stat(pairs), `${pairs.length} clicks`],
  ];
}

/**
 * On the table screen: the search box given a filter (as typing it would: the input event React
 * reads), timed to the new row count and the first row painted; then two listed traces marked
 * (Ctrl+click, untimed) and compared, timed to the aligned rows painted.
 */
async function searchAndCompare(page: Page): Promise<{ search: number; compare: number; count: string }> {
  const search = await timeUntil(
    page,
    `(() => {
      window.__before = document.querySelector('.row-count')?.textContent ?? '';
      const box = document.querySelector('input.filter-input');
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(box, ${JSON.stringify(SEARCH)});
      box.dispatchEvent(new Event('input', { bubbles: true }));
    })()`,
    `(document.querySelector('.row-count')?.textContent ?? '') !== window.__before && document.querySelector('.trace-scroller .trace-row') !== null`,
  );
  const count = ((await page.locator('.row-count').textContent()) ?? '').split(' of ')[0]!.trim();
  const rows = page.locator('.trace-scroller .trace-row[data-trace-id]');
  await rows.nth(0).click({ modifiers: ['Control'] });
  await rows.nth(1).click({ modifiers: ['Control'] });
  await page.locator('.compare-bar button', { hasText: /^Compare #\d+ with #\d+$/ }).waitFor();
  const compare = await timeUntil(
    page,
    `[...document.querySelectorAll('.compare-bar button')].find((b) => /^Compare #\\d+ with #\\d+$/.test(b.textContent ?? '')).click()`,
    `document.querySelector('.aligned-row') !== null`,
  );
  return { search, compare, count };
}
