import { InputError } from '../model/meta.js';
import { formatDuration } from '../model/time.js';
import type { Figure, FigureOptions, FigureTrace } from './figure-types.js';
import { PX_PER } from './figure-types.js';
import { FIGURE_MARGIN, fitPanels } from './figure-fit.js';
import type { GanttLayout, LegendEntry } from './layout-types.js';
import { num } from './number-format.js';
import { COLOUR_PALETTE, GREYSCALE_PALETTE } from './palette.js';
import { drawLegend, legendLineHeight, legendLines } from './svg-legend.js';
import { axisHeight, drawPanel } from './svg-panel.js';
import { wrapText, xml } from './svg-text.js';
import { FONT_STACK } from './text-metrics.js';

// The publication figure: vector only, text as <text> (searchable, selectable, restylable),
// one font stack everywhere, deterministic (no dates, ids or float noise: the same input gives
// the same bytes). Panels (one per trace) share the plot's x position and width, so their time
// axes line up; title on top, legend and caption at the bottom.

const DEFAULT_WIDTH = 960;
const MIN_WIDTH = 240;
// Title and panel headings scale with the text (15 and 12 at the default 11): a one-column
// figure at 8pt keeps its title in proportion.
const TITLE_PER_FONT = 15 / 11;
const HEADING_PER_FONT = 12 / 11;
const PANEL_GAP = 14;
/** Namespace of the <metadata> element that names the bundle and the regenerating command. */
export const SOURCE_NS = 'urn:misertrace:figure-source:1';

interface Chrome {
  titleLines: string[];
  captionLines: string[];
  headings: (string | null)[];
  fontSize: number;
  titleSize: number;
  headingSize: number;
}

function headingHeight(h: string | null, size: number): number {
  return h === null ? 0 : size + 10;
}

function chromeHeight(c: Chrome, legendRows: number): number {
  let h = 2 * FIGURE_MARGIN;
  if (c.titleLines.length > 0) h += c.titleLines.length * c.titleSize * 1.3 + 8;
  for (const hd of c.headings) h += headingHeight(hd, c.headingSize) + axisHeight(c.fontSize) + PANEL_GAP;
  h += legendRows * legendLineHeight(c.fontSize);
  if (c.captionLines.length > 0) h += 6 + c.captionLines.length * c.fontSize * 1.4;
  return h;
}

function mergedLegend(layouts: readonly GanttLayout[]): LegendEntry[] {
  const seen = new Map<string, LegendEntry>();
  for (const l of layouts) for (const e of l.legend) if (!seen.has(e.key)) seen.set(e.key, e);
  const order = ['network', 'fork', 'call', 'return'];
  return [...seen.values()].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
}

/** Lays out and draws the traces as one SVG figure. */
export function renderFigure(traces: readonly FigureTrace[], opts: FigureOptions = {}): Figure {
  if (traces.length === 0) throw new RangeError('a figure needs at least one trace');
  const width = opts.width ?? DEFAULT_WIDTH;
  if (!(width >= MIN_WIDTH)) throw new InputError(`a figure must be at least ${MIN_WIDTH} px wide, got ${Math.round(width)} px`, 'give a larger --width, e.g. 3.5in for one column of a paper');
  const palette = opts.greyscale ? GREYSCALE_PALETTE : COLOUR_PALETTE;
  const fontSize = opts.view?.geometry?.fontSize ?? 11;
  const inner = width - 2 * FIGURE_MARGIN;
  const titleSize = Math.round(fontSize * TITLE_PER_FONT * 100) / 100;
  const headingSize = Math.round(fontSize * HEADING_PER_FONT * 100) / 100;
  const chrome: Chrome = {
    titleLines: opts.title ? wrapText(opts.title, inner, titleSize, true) : [],
    captionLines: opts.caption ? wrapText(opts.caption, inner, fontSize) : [],
    headings: traces.map((t) => t.heading ?? (traces.length > 1 ? `Trace ${t.trace.id}` : null)),
    fontSize,
    titleSize,
    headingSize,
  };
  // For a fixed height, reserve the legend's largest possible size (all four entries; five with inferred links).
  const anyInferred = traces.some(({ trace }) => trace.spans.some((s) => s.link !== undefined && !s.link.exact));
  const fullLegend: LegendEntry[] = ['network', 'fork', 'call', 'return', ...(anyInferred ? ['inferred'] : [])].map((key) => ({ key: key as LegendEntry['key'], label: 'Response or exit (at the child’s end)' }));
  const fit = fitPanels(traces, opts, width, chromeHeight(chrome, legendLines(fullLegend, inner, fontSize)));
  const layouts = fit.layouts;
  const legend = mergedLegend(layouts);
  const contentHeight = chromeHeight(chrome, legendLines(legend, inner, fontSize)) + layouts.reduce((a, l) => a + l.size.height, 0);
  const height = opts.height ?? Math.ceil(contentHeight);
  const unit = opts.unit ?? 'px';

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${num(width / PX_PER[unit])}${unit === 'px' ? '' : unit}" height="${num(height / PX_PER[unit])}${unit === 'px' ? '' : unit}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${xml(FONT_STACK)}" role="img" aria-labelledby="figure-title figure-desc">`,
  );
  out.push(`<title id="figure-title">${xml(opts.title ?? `Request trace${traces.length > 1 ? 's' : ''} ${traces.map((t) => t.trace.id).join(', ')}`)}</title>`);
  out.push(`<desc id="figure-desc">${xml(describe(traces, layouts))}</desc>`);
  if (opts.source !== undefined) {
    const src = opts.source;
    out.push(
      // Text content, not attributes: XML turns newlines in attributes into spaces, and a caption may have them.
      `<metadata id="misertrace-source"><mt:source xmlns:mt="${SOURCE_NS}"><mt:bundle sha256="${xml(src.bundleSha256)}">${xml(src.bundle)}</mt:bundle><mt:command>${xml(src.command)}</mt:command></mt:source></metadata>`,
    );
  }
  out.push(`<rect width="${num(width)}" height="${num(height)}" fill="${palette.background}"/>`);
  let y = FIGURE_MARGIN;
  if (chrome.titleLines.length > 0) {
    out.push(`<g font-size="${num(titleSize)}" font-weight="bold" fill="${palette.text}">`);
    for (const line of chrome.titleLines) {
      y += titleSize;
      out.push(`<text x="${FIGURE_MARGIN}" y="${num(y)}">${xml(line)}</text>`);
      y += titleSize * 0.3;
    }
    out.push('</g>');
    y += 8;
  }
  const plotX = FIGURE_MARGIN + fit.left;
  const panels: Figure['panels'] = [];
  layouts.forEach((l, i) => {
    const heading = chrome.headings[i] ?? null;
    if (heading !== null) {
      out.push(`<text x="${FIGURE_MARGIN}" y="${num(y + headingSize)}" font-size="${num(headingSize)}" font-weight="bold" fill="${palette.text}">${xml(heading)}</text>`);
      y += headingHeight(heading, headingSize);
    }
    drawPanel(out, l, plotX, y, { palette, tooltips: opts.tooltips !== false, base: opts.base });
    panels.push({ x: plotX, y, layout: l });
    y += l.size.height + axisHeight(l.geometry.fontSize) + PANEL_GAP;
  });
  drawLegend(out, legend, FIGURE_MARGIN, y, inner, fontSize, palette);
  y += legendLines(legend, inner, fontSize) * legendLineHeight(fontSize);
  if (chrome.captionLines.length > 0) {
    y += 6;
    out.push(`<g font-size="${num(fontSize)}" fill="${palette.text}">`);
    for (const line of chrome.captionLines) {
      y += fontSize;
      out.push(`<text x="${FIGURE_MARGIN}" y="${num(y)}">${xml(line)}</text>`);
      y += fontSize * 0.4;
    }
    out.push('</g>');
  }
  out.push('</svg>');
  const warnings: string[] = [];
  if (fit.truncated > 0) {
    warnings.push(`${fit.truncated} label${fit.truncated === 1 ? ' was' : 's were'} shortened to fit ${Math.round(width)} px; a wider figure, fewer label fields or a smaller font size keeps them whole`);
  }
  return { svg: `${out.join('\n')}\n`, width, height, panels, warnings };
}

function describe(traces: readonly FigureTrace[], layouts: readonly GanttLayout[]): string {
  return traces
    .map((t, i) => {
      const l = layouts[i]!;
      const containers = [...new Set(t.trace.spans.map((s) => s.container))];
      const root = t.trace.spans[0]!;
      return `Gantt chart of request trace ${t.trace.id}: ${t.trace.spans.length} spans (${l.rows.length} shown) over ${formatDuration(root.end - root.start)} across ${containers.join(', ')}.`;
    })
    .join(' ');
}
