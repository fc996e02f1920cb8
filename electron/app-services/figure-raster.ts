import type { RasterFormat } from '../../engine/figure/figure-page.js';

// The port that turns the SVG figure into a PDF page or a PNG with a real Chromium (ADR 0096):
// Electron's own in the app (electron-figure-raster.ts, wired by main.ts), Playwright's in the
// browser-mode e2e and the CLI (cli/figure-raster.ts). No Electron import here: the services are
// composed the same way in both.

export interface FigureRasterizer {
  /** `dpi` applies to PNG (device pixels per inch at the figure's printed size). */
  render(svg: string, format: RasterFormat, dpi: number): Promise<Uint8Array>;
}

/** PNG resolution of the app's export: print quality. */
export const APP_PNG_DPI = 300;
