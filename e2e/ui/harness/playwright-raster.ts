import type { FigureRasterizer } from '../../../electron/app-services/figure-raster.js';
import { rasterizeFigure } from '../../../cli/figure-raster.js';
import { CHROMIUM } from './browser.js';

// The app draws PDF and PNG figures with Electron's Chromium (electron-figure-raster.ts); in the
// browser-mode e2e there is no Electron, so the same port is served by Chromium through
// Playwright, as the CLI does it (ADR 0096).

export const playwrightRasterizer: FigureRasterizer = {
  render: (svg, format, dpi) => rasterizeFigure(svg, format, { dpi, executablePath: CHROMIUM }),
};
