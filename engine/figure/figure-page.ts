import { PX_PER, type LengthUnit } from './figure-types.js';

// What a renderer needs to print or rasterize an SVG figure (PDF and PNG are drawn by Chromium:
// Electron's printToPDF/capturePage in the app, Playwright's Chromium in the CLI; ADR 0096):
// the printed size from the root's width and height (241pt stays 241pt on the PDF page), and
// one HTML page that shows the figure at that size, with no margin and nothing else.

export type RasterFormat = 'pdf' | 'png';

export interface FigurePage {
  /** Printed size in CSS px (96 per inch). */
  widthPx: number;
  heightPx: number;
  html: string;
}

function length(svgHead: string, attr: 'width' | 'height'): number {
  const m = new RegExp(`\\s${attr}="(\\d+(?:\\.\\d+)?)(px|in|cm|mm|pt)?"`).exec(svgHead);
  if (!m) throw new Error(`the figure's <svg> has no ${attr}`);
  return Number(m[1]) * PX_PER[(m[2] ?? 'px') as LengthUnit];
}

export function figurePage(svg: string): FigurePage {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('not an SVG figure');
  const head = svg.slice(start, svg.indexOf('>', start));
  const widthPx = length(head, 'width');
  const heightPx = length(head, 'height');
  const body = svg.slice(start);
  // The figure's own title names the PDF (Chromium takes the document's <title>), not "about:blank".
  const title = /<title id="figure-title">([^<]*)<\/title>/.exec(svg)?.[1] ?? 'Figure';
  const html =
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>` +
    `<style>@page{size:${widthPx}px ${heightPx}px;margin:0}html,body{margin:0;padding:0;background:#fff}` +
    `svg{display:block;width:${widthPx}px;height:${heightPx}px}</style></head><body>${body}</body></html>`;
  return { widthPx, heightPx, html };
}

/** Device pixels per CSS px for a PNG at this many dots per inch. */
export function pngScale(dpi: number): number {
  return dpi / 96;
}
