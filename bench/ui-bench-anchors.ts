import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../e2e/ui/harness/browser.js';
import { ExplorerPage } from '../e2e/ui/harness/explorer-page.js';
import { buildRenderer } from '../e2e/ui/harness/renderer-build.js';
import { serveDirectory, type StaticServer } from '../e2e/ui/harness/static-server.js';
import { InProcessEngineClient, type EngineClient } from '../engine/worker/engine-client.js';
import { buildFourThousand, timeUntil, type BenchRow } from './ui-bench-analysis.js';

// bench:ui rows for issue 14's anchors on the 4,000-trace bundle (mixed50 x 80, 1.46M records):
//  - the table's Statistics clicked -> the bundle's statistics painted (the engine folds every
//    trace: the bundle-stats job, ADR 0103);
//  - "Group by request type" clicked -> the request types painted;
//  - the open request -> the duration scatter's dots drawn (with the table's first paint).
// Alone: `npx tsx bench/ui-bench-anchors.ts` (engine in process, 3 runs).

export async function anchorRows(browser: Browser, server: StaticServer, dir: string, runs: number, stat: (xs: number[]) => [string, string], engine: () => EngineClient): Promise<BenchRow[]> {
  const path = await buildFourThousand(dir);
  const opens: number[] = [];
  const stats: number[] = [];
  const types: number[] = [];
  for (let i = 0; i < runs; i++) {
    const app = await ExplorerPage.open(browser, server, { engine: engine() });
    try {
      await app.page.getByRole('main', { name: 'Start' }).waitFor();
      app.composed.services.grants.allow(path, 'open');
      opens.push(await timeUntil(app.page, `window.__explorerEmit('explorer-event:openRequested', { path: ${JSON.stringify(path)} })`, `document.querySelector('.scatter-canvas') !== null && document.querySelector('.trace-scroller .trace-row') !== null`));
      stats.push(await timeUntil(app.page, `[...document.querySelectorAll('.table-toolbar button')].find((b) => b.textContent === 'Statistics').click()`, `document.querySelector('.stats-events tbody tr') !== null`));
      await app.page.keyboard.press('Escape');
      types.push(await timeUntil(app.page, `[...document.querySelectorAll('.table-toolbar button')].find((b) => b.textContent === 'Group by request type').click()`, `document.querySelector('.type-row') !== null`));
      if (app.errors.length > 0) throw new Error(app.errors.join('\n'));
    } finally {
      await app.close();
    }
  }
  return [
    [`table with the duration scatter, 4,000-trace bundle (open request -> rows and dots painted)`, ...stat(opens), `${opens.length} opens`],
    [`bundle statistics, 4,000-trace bundle (Statistics -> every trace folded in the engine, painted)`, ...stat(stats), `${stats.length} clicks`],
    [`request types, 4,000-trace bundle ('Group by request type' -> type rows painted)`, ...stat(types), `${types.length} clicks`],
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'misertrace-ui-bench-anchors-'));
  const server = await serveDirectory(await buildRenderer());
  const browser = await launchChromium();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  try {
    const rows = await anchorRows(browser, server, dir, 3, (xs) => [`${med(xs).toFixed(0)} ms`, `${Math.max(...xs).toFixed(0)} ms`], () => new InProcessEngineClient());
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`  ${'metric'.padEnd(w)}  ${'median'.padStart(8)}  ${'max'.padStart(8)}  sample`);
    for (const r of rows) console.log(`  ${r[0].padEnd(w)}  ${r[1].padStart(8)}  ${r[2].padStart(8)}  ${r[3]}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('ui-bench-anchors.ts')) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
