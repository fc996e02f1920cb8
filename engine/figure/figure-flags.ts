import { InputError } from '../model/meta.js';
import { parseCountSpec } from './count-columns.js';
import { geometryFor } from './figure-fit.js';
import { parseIndexList, parseLabelFields, parseLength, parseRenames, parseWindow } from './figure-options.js';
import type { FigureOptions, FigureTrace } from './figure-types.js';
import { PX_PER } from './figure-types.js';
import type { GanttViewOptions, SpanCounts } from './layout-types.js';

// The figure options of `misertrace export --format svg` as flag text, turned into the engine's
// FigureOptions by one parser for both hosts: the CLI passes the flags it was given, the app's
// figure editor writes the same flags from its choices (figure-choices.ts). One parser is what
// makes the app's file byte for byte the CLI's, and the command stored in the SVG (figure-command.ts)
// regenerate it.

/** Figure flags in the order the stored command lists them. */
export const FIGURE_FLAGS = [
  'width',
  'height',
  'font-size',
  'title',
  'caption',
  'greyscale',
  'counts',
  'label',
  'rename',
  'window',
  'collapse',
  'max-depth',
  'arrows',
  'shared-scale',
  'no-tooltips',
] as const;
export type FigureFlag = (typeof FIGURE_FLAGS)[number];
/** Boolean flags are `true`; the others hold their text as given. */
export type FigureFlags = Partial<Record<FigureFlag, string | true>>;

const BOOLEAN_FLAGS: ReadonlySet<FigureFlag> = new Set(['greyscale', 'shared-scale', 'no-tooltips']);

export function isBooleanFigureFlag(f: FigureFlag): boolean {
  return BOOLEAN_FLAGS.has(f);
}

/** The figure flags among parsed command-line values (parseArgs output). */
export function pickFigureFlags(v: Record<string, unknown>): FigureFlags {
  const out: FigureFlags = {};
  for (const f of FIGURE_FLAGS) {
    const x = v[f];
    if (BOOLEAN_FLAGS.has(f) ? x === true : typeof x === 'string') out[f] = x as string | true;
  }
  return out;
}

function text(flags: FigureFlags, f: FigureFlag): string | undefined {
  const x = flags[f];
  return typeof x === 'string' ? x : undefined;
}

function wholeNumber(s: string, flag: string): number {
  if (!/^\s*\d+\s*$/.test(s)) throw new InputError(`${flag} "${s}" is not a whole number`, `e.g. ${flag} 2`);
  return Number(s);
}

export const MIN_FIGURE_WIDTH_PX = 240;
const FONT_PX = { min: 4, max: 48 };

/** FigureOptions for these flags (base left to the caller); errors are InputErrors that say what to give. */
export function figureOptionsFromFlags(flags: FigureFlags, traces: readonly FigureTrace[], probeNames: readonly string[]): FigureOptions {
  const view: GanttViewOptions = {};
  const allCounts: (SpanCounts | undefined)[] = traces.flatMap((t) => [...(t.counts ?? [])]);
  const counts = text(flags, 'counts');
  if (counts !== undefined) view.counts = parseCountSpec(counts, probeNames, allCounts);
  const label = text(flags, 'label');
  const rename = text(flags, 'rename');
  if (label !== undefined || rename !== undefined) {
    view.label = {};
    if (label !== undefined) view.label.fields = parseLabelFields(label);
    if (rename !== undefined) view.label.containerNames = parseRenames(rename);
  }
  const collapse = text(flags, 'collapse');
  if (collapse !== undefined) {
    const list = parseIndexList(collapse, '--collapse');
    view.collapsed = list;
    for (const t of traces) {
      const bad = list.find((i) => i >= t.trace.spans.length);
      if (bad !== undefined) throw new InputError(`--collapse ${bad}: trace ${t.trace.id} has ${t.trace.spans.length} spans (indices 0-${t.trace.spans.length - 1})`);
    }
  }
  const maxDepth = text(flags, 'max-depth');
  if (maxDepth !== undefined) view.maxDepth = wholeNumber(maxDepth, '--max-depth');
  const fontSize = text(flags, 'font-size');
  if (fontSize !== undefined) {
    // A bare number is px, as before units were accepted; 8pt is 8/72 in at the figure's printed size.
    const fs = parseLength(fontSize, '--font-size').px;
    if (fs < FONT_PX.min || fs > FONT_PX.max) throw new InputError(`--font-size ${fontSize} is outside ${FONT_PX.min}-${FONT_PX.max} px (3-36pt)`);
    view.geometry = geometryFor(fs);
  }
  const arrows = text(flags, 'arrows');
  if (arrows !== undefined) {
    if (arrows !== 'all' && arrows !== 'requests' && arrows !== 'none') throw new InputError(`--arrows ${arrows}: use all, requests or none`);
    view.arrows = arrows;
  }
  const opts: FigureOptions = { view, greyscale: flags.greyscale === true, sharedScale: flags['shared-scale'] === true, tooltips: flags['no-tooltips'] !== true };
  const width = text(flags, 'width');
  const height = text(flags, 'height');
  if (width !== undefined) {
    const w = parseLength(width, '--width');
    opts.width = w.px;
    opts.unit = w.unit;
    if (w.px < MIN_FIGURE_WIDTH_PX) throw new InputError(`--width ${width} is ${Math.round(w.px)} px; a figure needs at least ${MIN_FIGURE_WIDTH_PX} px (2.5in, 180pt)`);
  }
  if (height !== undefined) {
    const h = parseLength(height, '--height');
    opts.height = h.px;
    opts.unit ??= h.unit;
  }
  const title = text(flags, 'title');
  if (title !== undefined) opts.title = title;
  const caption = text(flags, 'caption');
  if (caption !== undefined) opts.caption = caption;
  const window = text(flags, 'window');
  if (window !== undefined) {
    opts.windowFromStart = parseWindow(window);
    view.windowRows = 'intersecting';
  }
  return opts;
}

/** Points to px, for the editor's presets (the drawing is in px at 96 per inch). */
export function ptToPx(pt: number): number {
  return pt * PX_PER.pt;
}
