import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { EngineBundleAccess } from '../electron/app-services/engine-bundle-access.js';
import { InProcessEngineClient, WorkerEngineClient } from '../engine/worker/engine-client.js';
import { launchChromium } from '../e2e/ui/harness/browser.js';
import { ExplorerPage } from '../e2e/ui/harness/explorer-page.js';
import { buildRenderer } from '../e2e/ui/harness/renderer-build.js';
import { serveDirectory } from '../e2e/ui/harness/static-server.js';
import { FIXTURES } from '../test/fixtures.js';
import { analysisRows } from './ui-bench-analysis.js';
import { anchorRows } from './ui-bench-anchors.js';
import { buildShippedWorker } from './ui-bench-worker.js';
import { replicateCapture } from './replicate.js';
import { buildSyntheticBundle, spansPerRequest } from './synthetic-capture.js';

// `npm run bench:ui`: the explorer's two performance figures, measured in Chromium on the built
// renderer with the real services (as the e2e runs it), bundle work in the engine worker as the
// app ships it (Vite's build, ui-bench-worker.ts; a fresh window and worker per open, so every
// open is cold), medians of several runs:
//  1. time to first paint of the trace table of a 1M-record bundle (the real mixed50 capture
//     replicated 55 times, imported by the engine), from the open request to the first row on screen;
//  2. frame times while panning a 10,002-span trace by dragging (rAF intervals during the drag);
//  3. span search in that trace (Ctrl+F): from the query typed and Enter to the match (its last
//     span, under the last worker) selected and drawn; CDP round trips included, an upper bound.
//  4. the Shapes panel and the compare screen on a 4,000-trace bundle (ui-bench-analysis.ts).
// A benchmark, not a test: it prints, it does not judge.

const RUNS = Number(process.env['UI_BENCH_RUNS'] ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function buildMillionRecordBundle(dir: string): Promise<{ path: string; records: number; seconds: number }> {
  const raw = join(dir, 'replicated.psv');
  const metaPath = join(dir, 'replicated.meta.psv');
  const info = await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 55, tracePath: raw, metaPath });
  const path = join(dir, 'million.mstrace');
  const engine = new InProcessEngineClient();
  const t0 = performance.now();
  try {
    await engine.run({ kind: 'import', input: raw, meta: info.meta, gateway: '172.29.77.1', output: path, capture: { backend: 'bpftrace', network: 'replicated' } }).result;
  } finally {
    await engine.dispose();
  }
  rmSync(raw, { force: true });
  return { path, records: info.records, seconds: (performance.now() - t0) / 1000 };
}

/**
 * In the page: ask to open the bundle, resolve when the first row has been painted. Page code is a
 * string: tsx (which runs this bench) decorates functions with helpers the page does not have.
 */
async function timeFirstPaint(page: Page, path: string): Promise<number> {
  return page.evaluate(`(async () => {
    const t0 = performance.now();
    const check = () => document.querySelector('.trace-scroller .trace-row[data-trace-id]') !== null;
    // A refused or failed open shows an error notice: report it instead of waiting forever.
    const failed = () => document.querySelector('.notice-error')?.textContent ?? null;
    const found = new Promise((resolve, reject) => {
      if (check()) return resolve();
      const mo = new MutationObserver(() => {
        if (check()) { mo.disconnect(); resolve(); }
        else if (failed() !== null) { mo.disconnect(); reject(new Error('the open failed: ' + failed())); }
      });
      mo.observe(document, { childList: true, subtree: true });
    });
    window.__explorerEmit('explorer-event:openRequested', { path: ${JSON.stringify(path)} });
    await found;
    // Two frames: the one that lays out the rows, and the one after it was presented.
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    return performance.now() - t0;
  })()`);
}

async function panFrameTimes(page: Page): Promise<{ intervals: number[]; settling: number[]; relayoutMs: number[] }> {
  const gantt = page.locator('.gantt-scroll');
  const box = (await gantt.boundingBox())!;
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    const tick = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const relayoutMs: number[] = [];
  /** [first, last) frame numbers recorded while a drag was under way. */
  const dragSpans: [number, number][] = [];
  const frameCount = async () => (await page.evaluate('window.__frames.length')) as number;
  // Zoomed in 8x first, so that panning moves bars across the screen (at 1x the whole trace fits).
  await gantt.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('+');
  for (let sweep = 0; sweep < 6; sweep++) {
    const y = box.y + 80 + sweep * 30;
    const [from, to] = sweep % 2 === 0 ? [0.8, 0.2] : [0.2, 0.8];
    await page.mouse.move(box.x + box.width * from, y);
    await page.mouse.down();
    const f0 = await frameCount();
    await page.mouse.move(box.x + box.width * to, y, { steps: 60 });
    dragSpans.push([f0, await frameCount()]);
    await page.mouse.up();
    const t0 = Date.now();
    // (Locators, not waitForFunction: the page's CSP forbids the eval that one uses.)
    await page.locator('.gantt[data-stale="no"]').waitFor({ timeout: 30_000 });
    relayoutMs.push(Date.now() - t0);
  }
  const frames = (await page.evaluate(`(() => { window.__recording = false; return window.__frames; })()`)) as number[];
  const intervals: number[] = [];
  const settling: number[] = [];
  for (let k = 1; k < frames.length; k++) {
    const during = dragSpans.some(([a, b]) => k > a && k < b);
    (during ? intervals : settling).push(frames[k]! - frames[k - 1]!);
  }
  return { intervals, settling, relayoutMs };
}

async function timeSpanSearch(page: Page, query: string, span: number): Promise<number> {
  await page.locator('.gantt-scroll').focus();
  await page.keyboard.press('Control+f');
  const box = page.getByRole('searchbox', { name: /Find spans/ });
  await box.fill('');
  const t0 = performance.now();
  await box.fill(query);
  await box.press('Enter');
  await page.locator(`.gantt-row.is-selected[data-span="${span}"]`).waitFor({ timeout: 30_000 });
  const ms = performance.now() - t0;
  await box.press('Escape');
  return ms;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-ui-bench-'));
  const server = await serveDirectory(await buildRenderer());
  const worker = await buildShippedWorker();
  const engine = () => new WorkerEngineClient(worker);
  const browser = await launchChromium();
  try {
    console.log(`UI benchmark (Chromium headless, built renderer, real services in this process, engine worker as shipped: ${worker.pathname.split('/').slice(-3).join('/')}); ${RUNS} runs, medians`);
    const million = await buildMillionRecordBundle(dir);
    console.log(`  bundle: ${million.records.toLocaleString('en-US')} records (mixed50 x 55), imported in ${million.seconds.toFixed(1)} s, ${(statSync(million.path).size / 2 ** 20).toFixed(0)} MiB`);

    // Main-side share: open + trace table columns.
    const mainSide: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const client = engine();
      const access = new EngineBundleAccess(client);
      const t0 = performance.now();
      const info = await access.open(million.path);
      await access.traceTable(info.bundleId);
      mainSide.push(performance.now() - t0);
      await access.dispose();
      await client.dispose();
    }
    const paints: number[] = [];
    // Paired with the tsx development worker the bench used before (ADR 0097), one of each in
    // turn, so the difference shows even on a loaded machine.
    const devPaints: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const [client, into] of [[engine, paints], [() => new WorkerEngineClient(), devPaints]] as const) {
        const app = await ExplorerPage.open(browser, server, { engine: client() });
        try {
          await app.page.getByRole('main', { name: 'Start' }).waitFor();
          // As main does before it sends openRequested: the path is one main handed out (path-grants.ts).
          app.composed.services.grants.allow(million.path, 'open');
          into.push(await timeFirstPaint(app.page, million.path));
          if (app.errors.length > 0) throw new Error(app.errors.join('\n'));
        } finally {
          await app.close();
        }
      }
    }

    const shape = { requests: 1, fanout: 100, grandchildren: 99, userRecords: 2 };
    const big = await buildSyntheticBundle(dir, shape, 'ten-thousand-spans.mstrace');
    const intervals: number[] = [];
    const settling: number[] = [];
    const relayouts: number[] = [];
    const searches: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const app = await ExplorerPage.open(browser, server, { engine: engine() });
      try {
        app.dialogs.answer(big.path);
        await app.page.getByRole('button', { name: /Open bundle/ }).click();
        await app.page.locator('.trace-row[data-trace-id="1"]').dblclick();
        await app.page.locator(`.gantt[data-rows="${spansPerRequest(shape)}"][data-stale="no"]`).waitFor({ timeout: 60_000 });
        const r = await panFrameTimes(app.page);
        intervals.push(...r.intervals);
        settling.push(...r.settling);
        relayouts.push(...r.relayoutMs);
        // The last helper's tid: 1000 + 100 workers x (1 + 99 helpers) - 1.
        searches.push(await timeSpanSearch(app.page, String(999 + shape.fanout * (1 + shape.grandchildren)), spansPerRequest(shape) - 1));
        if (app.errors.length > 0) throw new Error(app.errors.join('\n'));
      } finally {
        await app.close();
      }
    }

    const rows: [string, string, string, string][] = [
      ['trace table first paint, 1M-record bundle (open request -> first row painted; cold worker)', ms(median(paints)), ms(pct(paints, 95)), `${paints.length} opens`],
      ['  of which main side: open bundle + trace table columns', ms(median(mainSide)), ms(pct(mainSide, 95)), `${mainSide.length} opens`],
      ['  the same with the tsx development worker (what bench:ui measured before)', ms(median(devPaints)), ms(pct(devPaints, 95)), `${devPaints.length} opens`],
      [`pan frame interval, ${spansPerRequest(shape).toLocaleString('en-US')}-span trace (drag, 8x zoom)`, ms(median(intervals)), ms(pct(intervals, 95)), `${intervals.length} frames`],
      ['  frames over 50 ms during drags', `${intervals.filter((x) => x > 50).length}`, '', `of ${intervals.length}`],
      ['frame interval after a drag, while the fresh layout lands', ms(median(settling)), ms(pct(settling, 95)), `${settling.length} frames`],
      ['  frames over 50 ms after drags (the layout JSON parsed)', `${settling.filter((x) => x > 50).length}`, '', `of ${settling.length}`],
      ['re-layout after a drag (worker, until no stale transform)', ms(median(relayouts)), ms(pct(relayouts, 95)), `${relayouts.length} drags`],
      [`span search (Ctrl+F), ${spansPerRequest(shape).toLocaleString('en-US')}-span trace: query + Enter -> last span selected, drawn`, ms(median(searches)), ms(pct(searches, 95)), `${searches.length} searches`],
    ];
    rows.push(...(await analysisRows(browser, server, dir, RUNS, (xs) => [ms(median(xs)), ms(pct(xs, 95))], engine)));
    rows.push(...(await anchorRows(browser, server, dir, RUNS, (xs) => [ms(median(xs)), ms(pct(xs, 95))], engine)));
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`  ${'metric'.padEnd(w)}  ${'median'.padStart(10)}  ${'p95'.padStart(10)}  sample`);
    for (const r of rows) console.log(`  ${r[0].padEnd(w)}  ${r[1].padStart(10)}  ${r[2].padStart(10)}  ${r[3]}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
