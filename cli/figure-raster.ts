import { existsSync } from 'node:fs';
import { figurePage, pngScale, type RasterFormat } from '../engine/figure/figure-page.js';
import { InputError } from '../engine/model/meta.js';
import { EXIT } from './exit-codes.js';

// PDF and PNG figures from the SVG, drawn by Chromium through Playwright (page.pdf is Chromium's
// print to PDF: vector, text as text). Playwright is optional: the CLI runs without it and says
// how to get it when a PDF or PNG is asked for (ADR 0096). No PDF is written by hand.

interface PlaywrightLike {
  chromium: {
    executablePath(): string;
    launch(o: { executablePath?: string; headless: boolean; args: string[] }): Promise<BrowserLike>;
  };
}
interface BrowserLike {
  newPage(o: { viewport: { width: number; height: number }; deviceScaleFactor: number }): Promise<PageLike>;
  close(): Promise<void>;
}
interface PageLike {
  setContent(html: string, o: { waitUntil: 'load' }): Promise<void>;
  pdf(o: Record<string, unknown>): Promise<Buffer>;
  screenshot(o: Record<string, unknown>): Promise<Buffer>;
}

const HOW = 'npm install playwright && npx playwright install chromium (or, with a Chromium or Chrome already installed, npm install playwright-core and set MISERTRACE_CHROMIUM to its binary)';

function environmentError(message: string): InputError {
  const e = new InputError(message, HOW);
  (e as { exitCode?: number }).exitCode = EXIT.environment;
  return e;
}

async function loadPlaywright(): Promise<PlaywrightLike> {
  // Names in variables: a bundler must not try to resolve an optional package.
  for (const name of ['playwright', 'playwright-core']) {
    try {
      return (await import(name)) as PlaywrightLike;
    } catch {
      // try the next
    }
  }
  throw environmentError('PDF and PNG figures are drawn by Chromium through Playwright, which is not installed');
}

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function chromiumPath(pw: PlaywrightLike): string {
  const env = process.env['MISERTRACE_CHROMIUM'];
  if (env !== undefined && env !== '') {
    if (!existsSync(env)) throw environmentError(`MISERTRACE_CHROMIUM names ${env}, which does not exist`);
    return env;
  }
  let own: string | null = null;
  try {
    own = pw.chromium.executablePath();
  } catch {
    own = null;
  }
  const found = [own, ...SYSTEM_CHROMIUMS].find((p): p is string => p !== null && existsSync(p));
  if (found === undefined) throw environmentError('Playwright is installed but no Chromium for it was found');
  return found;
}

export interface RasterOptions {
  /** PNG resolution; default 300. */
  dpi?: number;
  /** This Chromium instead of the search (MISERTRACE_CHROMIUM, Playwright's own, the system's). */
  executablePath?: string;
}

/** The figure as a PDF page of its printed size, or a PNG at `dpi`. */
export async function rasterizeFigure(svg: string, format: RasterFormat, o: RasterOptions = {}): Promise<Uint8Array> {
  const pw = await loadPlaywright();
  const page = figurePage(svg);
  const browser = await pw.chromium.launch({
    executablePath: o.executablePath ?? chromiumPath(pw),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  try {
    const w = Math.ceil(page.widthPx);
    const h = Math.ceil(page.heightPx);
    const tab = await browser.newPage({ viewport: { width: w, height: h }, deviceScaleFactor: format === 'png' ? pngScale(o.dpi ?? 300) : 1 });
    await tab.setContent(page.html, { waitUntil: 'load' });
    if (format === 'pdf') {
      return await tab.pdf({ width: `${page.widthPx}px`, height: `${page.heightPx}px`, printBackground: true, margin: { top: '0', right: '0', bottom: '0', left: '0' }, pageRanges: '1' });
    }
    return await tab.screenshot({ type: 'png', clip: { x: 0, y: 0, width: page.widthPx, height: page.heightPx } });
  } finally {
    await browser.close();
  }
}
