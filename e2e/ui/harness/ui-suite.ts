import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { tempDir, type TempDir } from '../../../test/fixture-bundles.js';
import { PROJECT_ROOT } from '../../../test/fixtures.js';
import { chromiumMissingReason, launchChromium } from './browser.js';
import { ExplorerPage, type ExplorerPageOptions } from './explorer-page.js';
import { buildRenderer, type RendererMode } from './renderer-build.js';
import { serveDirectory, type StaticServer } from './static-server.js';

// Per spec file: one renderer build (shared across files), one server, one Chromium; a fresh
// page and fresh services per test. After each test the page must have logged no error (CSP
// violations, uncaught exceptions, failed loads) and everything it started is closed.

export const SKIP_REASON = chromiumMissingReason();
/**
 * Screenshots of each run (git-ignored); the ones a person looked at and kept are in e2e/ui/reference/.
 * MISERTRACE_SHOT_DIR: elsewhere (a run as a throwaway user, who may not write to the checkout).
 */
export const SHOT_DIR = process.env['MISERTRACE_SHOT_DIR'] ?? join(PROJECT_ROOT, 'test-results', 'ui-screenshots');

export interface UiSuite {
  open(o?: ExplorerPageOptions): Promise<ExplorerPage>;
  readonly tmp: TempDir;
  shot(name: string): string;
}

/** `mode`: which renderer build the pages load (default production, or MISERTRACE_RENDERER_MODE). */
export function uiSuite(o: { mode?: RendererMode } = {}): UiSuite {
  let browser: Browser | null = null;
  let server: StaticServer | null = null;
  let tmp: TempDir | null = null;
  const pages: ExplorerPage[] = [];
  beforeAll(async () => {
    tmp = tempDir('misertrace-ui-');
    mkdirSync(SHOT_DIR, { recursive: true });
    server = await serveDirectory(await buildRenderer(o.mode));
    browser = await launchChromium();
  }, 180_000);
  afterEach(async () => {
    const open = pages.splice(0);
    const errors = open.flatMap((p) => p.errors);
    for (const p of open) await p.close();
    expect(errors, 'the page logged errors').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tmp?.remove();
  });
  return {
    async open(o) {
      const p = await ExplorerPage.open(browser!, server!, o);
      pages.push(p);
      return p;
    },
    get tmp() {
      return tmp!;
    },
    shot: (name) => join(SHOT_DIR, `${name}.png`),
  };
}
