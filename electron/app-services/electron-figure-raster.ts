import { BrowserWindow } from 'electron';
import { figurePage, pngScale, type RasterFormat } from '../../engine/figure/figure-page.js';
import type { FigureRasterizer } from './figure-raster.js';

// PDF and PNG figures drawn by Electron's Chromium (ADR 0096): an offscreen, script-less window
// that holds only the figure at its printed size; printToPDF for the PDF (vector, text as text),
// capturePage at dpi/96 zoom for the PNG. Imported by main.ts only (it needs Electron).

export class ElectronFigureRasterizer implements FigureRasterizer {
  async render(svg: string, format: RasterFormat, dpi: number): Promise<Uint8Array> {
    const page = figurePage(svg);
    const scale = format === 'png' ? pngScale(dpi) : 1;
    const width = Math.ceil(page.widthPx * scale);
    const height = Math.ceil(page.heightPx * scale);
    const win = new BrowserWindow({
      show: false,
      width,
      height,
      useContentSize: true,
      webPreferences: { offscreen: true, javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false, zoomFactor: scale },
    });
    try {
      // Offscreen windows paint on their own schedule: wait for a frame (or a second) before capturing.
      const painted = new Promise<void>((resolve) => {
        win.webContents.once('paint', () => resolve());
        setTimeout(resolve, 1000);
      });
      await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(page.html, 'utf8').toString('base64')}`);
      if (format === 'pdf') {
        const pdf = await win.webContents.printToPDF({
          pageSize: { width: page.widthPx / 96, height: page.heightPx / 96 },
          margins: { marginType: 'none' },
          printBackground: true,
          preferCSSPageSize: true,
          pageRanges: '1',
        });
        return new Uint8Array(pdf);
      }
      await painted;
      const image = await win.webContents.capturePage({ x: 0, y: 0, width, height });
      return new Uint8Array(image.toPNG());
    } finally {
      win.destroy();
    }
  }
}
