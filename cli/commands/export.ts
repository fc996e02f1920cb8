import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { chromeTraceJson } from '../../engine/export/chrome-trace.js';
import type { ExportInput, ExportTrace } from '../../engine/export/export-types.js';
import { jaegerJson } from '../../engine/export/jaeger.js';
import { otlpJson } from '../../engine/export/otlp.js';
import { parseCountSpec } from '../../engine/figure/count-columns.js';
import { parseIndexList, parseLabelFields, parseLength, parseRenames, parseWindow } from '../../engine/figure/figure-options.js';
import { geometryFor } from '../../engine/figure/figure-fit.js';
import type { FigureOptions } from '../../engine/figure/figure-types.js';
import type { GanttViewOptions, SpanCounts } from '../../engine/figure/layout-types.js';
import { renderFigure } from '../../engine/figure/svg.js';
import { InputError } from '../../engine/model/meta.js';
import { parseRange } from '../../engine/render/range.js';
import { requireString, UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { writeOutput } from '../output.js';
import { notePendingTraces } from './bundle-input.js';

// `misertrace export`: a publication figure (SVG) or an interchange file (Trace Event JSON for
// Perfetto and chrome://tracing, Jaeger JSON, OTLP/JSON) of traces in a bundle.

const FORMATS = ['svg', 'chrome', 'jaeger', 'otlp'] as const;
type Format = (typeof FORMATS)[number];

export const exportCommand: Command = {
  name: 'export',
  usage: '-i BUNDLE --format svg|chrome|jaeger|otlp [-n RANGE] [-o OUTPUT] [figure options]',
  help: `  -i, --input PATH       a bundle written by misertrace generate
      --format FORMAT    svg (figure), chrome (Trace Event JSON: Perfetto, chrome://tracing),
                         jaeger (Jaeger UI "JSON File"), otlp (OTLP/JSON)
  -n, --range RANGE      traces, e.g. 3 or 1-4,6 (svg: one panel per trace, required when the
                         bundle has more than one; other formats: default all)
  -o, --output PATH      write here instead of stdout (atomically)
      --pretty           indent the JSON formats
      --clock CLOCK      monotonic (default: ns since boot, exact, as captured) or wall
                         (shifted to the capture's start date; jaeger, otlp, chrome)
figure options (svg):
      --width LENGTH     figure width: px, or with a unit (7in, 17cm, 170mm, 504pt); default 960
      --height LENGTH    figure height; rows shrink to fit (default: as tall as needed)
      --title TEXT       title above the figure
      --caption TEXT     caption below the legend
      --greyscale        greyscale palette for black-and-white print
      --counts SPEC      counts in labels: user (default: the custom probes), none, total,
                         or probes with optional names: sched_migrate_task=Migrations,page_fault_user
      --label FIELDS     label fields in order: tid,container,counts (default); also ip, kind,
                         start, duration; or none
      --rename MAP       display names: oracle-frontend=Frontend,oracle-catalog=Catalog
      --window RANGE     time window since the request's start, e.g. 2ms..10ms, ..5ms, 1ms..
      --collapse LIST    span indices (0 = root) whose subtrees to hide, e.g. 2,6
      --max-depth N      hide everything below depth N (0 = root)
      --font-size N      text size in px (default 11); rows scale with it
      --arrows WHICH     all (default), requests, none
      --shared-scale     the same time scale in every panel
      --no-tooltips      leave out the hover text of each bar`,
  options: {
    input: { type: 'string', short: 'i' },
    format: { type: 'string' },
    range: { type: 'string', short: 'n' },
    output: { type: 'string', short: 'o' },
    pretty: { type: 'boolean' },
    clock: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    title: { type: 'string' },
    caption: { type: 'string' },
    greyscale: { type: 'boolean' },
    counts: { type: 'string' },
    label: { type: 'string' },
    rename: { type: 'string' },
    window: { type: 'string' },
    collapse: { type: 'string' },
    'max-depth': { type: 'string' },
    'font-size': { type: 'string' },
    arrows: { type: 'string' },
    'shared-scale': { type: 'boolean' },
    'no-tooltips': { type: 'boolean' },
  },
  async run(v, _p, io) {
    const input = requireString(v, 'input', '-i INPUT', 'export');
    const format = requireString(v, 'format', '--format svg|chrome|jaeger|otlp', 'export') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${format}"`, `use --format ${FORMATS.join(', ')}`);
    if (format !== 'svg') {
      const figureFlag = FIGURE_FLAGS.find((f) => v[f] !== undefined);
      if (figureFlag) throw new UsageError(`--${figureFlag} applies to svg figures only`, 'drop it, or use --format svg');
    }
    const bundle = Bundle.open(input);
    try {
      if (notePendingTraces(bundle, io)) return EXIT.problems;
      const count = bundle.traceCount;
      if (count === 0) throw new InputError(`${input} holds no request traces to export`, 'the capture produced none; check the gateway IP and that the load went through it');
      let ids: number[];
      if (typeof v['range'] === 'string') ids = parseRange(v['range'], count);
      else if (format === 'svg' && count > 1) {
        throw new UsageError(`the bundle holds ${count} traces: choose which to draw`, 'e.g. -n 3 for one trace, -n 1-3 for three stacked panels (misertrace render -t dag lists them)');
      } else ids = Array.from({ length: count }, (_, i) => i + 1);
      const traces: ExportTrace[] = ids.map((id) => ({ trace: bundle.trace(id)!, counts: bundle.spanCounts(id) }));
      let text: string;
      if (format === 'svg') {
        const opts = figureOptions(v, traces, bundle.probes.map((p) => p.name));
        opts.base = bundle.base;
        const fig = renderFigure(traces, opts);
        for (const w of fig.warnings) io.stderr.write(`misertrace: warning: ${w}\n`);
        text = fig.svg;
      } else {
        const exportInput: ExportInput = {
          traces,
          base: bundle.base,
          clockOffsetNs: clockOffset(v['clock'], bundle),
          containerIds: Object.fromEntries(bundle.meta().map((m) => [m.container, m.containerId])),
          source: input.split(/[\\/]/).pop() ?? input,
        };
        const opts = { indent: v['pretty'] === true ? 2 : 0 };
        text = format === 'chrome' ? chromeTraceJson(exportInput, opts) : format === 'jaeger' ? jaegerJson(exportInput, opts) : otlpJson(exportInput, opts);
      }
      await writeOutput(typeof v['output'] === 'string' ? v['output'] : undefined, text, io);
    } finally {
      bundle.close();
    }
    return EXIT.ok;
  },
};

const FIGURE_FLAGS = ['width', 'height', 'title', 'caption', 'greyscale', 'counts', 'label', 'rename', 'window', 'collapse', 'max-depth', 'font-size', 'arrows', 'shared-scale', 'no-tooltips'];

function str(v: Record<string, unknown>, key: string): string | undefined {
  const x = v[key];
  return typeof x === 'string' ? x : undefined;
}

function positiveNumber(s: string, flag: string, integer: boolean): number {
  const n = Number(s);
  if (!/^\d+(\.\d+)?$/.test(s.trim()) || !(integer ? Number.isInteger(n) : n > 0)) {
    throw new UsageError(`${flag} "${s}" is not a ${integer ? 'whole number' : 'positive number'}`);
  }
  return n;
}

function figureOptions(v: Record<string, unknown>, traces: readonly ExportTrace[], probeNames: readonly string[]): FigureOptions {
  const view: GanttViewOptions = {};
  const allCounts: (SpanCounts | undefined)[] = traces.flatMap((t) => [...(t.counts ?? [])]);
  const counts = str(v, 'counts');
  if (counts !== undefined) view.counts = parseCountSpec(counts, probeNames, allCounts);
  const label = str(v, 'label');
  const rename = str(v, 'rename');
  if (label !== undefined || rename !== undefined) {
    view.label = {};
    if (label !== undefined) view.label.fields = parseLabelFields(label);
    if (rename !== undefined) view.label.containerNames = parseRenames(rename);
  }
  const collapse = str(v, 'collapse');
  if (collapse !== undefined) {
    const list = parseIndexList(collapse, '--collapse');
    view.collapsed = list;
    for (const t of traces) {
      const bad = list.find((i) => i >= t.trace.spans.length);
      if (bad !== undefined) throw new InputError(`--collapse ${bad}: trace ${t.trace.id} has ${t.trace.spans.length} spans (indices 0-${t.trace.spans.length - 1})`);
    }
  }
  const maxDepth = str(v, 'max-depth');
  if (maxDepth !== undefined) view.maxDepth = positiveNumber(maxDepth, '--max-depth', true);
  const fontSize = str(v, 'font-size');
  if (fontSize !== undefined) {
    const fs = positiveNumber(fontSize, '--font-size', false);
    if (fs < 4 || fs > 48) throw new UsageError(`--font-size ${fs} is outside 4-48`);
    view.geometry = geometryFor(fs);
  }
  const arrows = str(v, 'arrows');
  if (arrows !== undefined) {
    if (arrows !== 'all' && arrows !== 'requests' && arrows !== 'none') throw new UsageError(`--arrows ${arrows}: use all, requests or none`);
    view.arrows = arrows;
  }
  const opts: FigureOptions = { view, greyscale: v['greyscale'] === true, sharedScale: v['shared-scale'] === true, tooltips: v['no-tooltips'] !== true };
  const width = str(v, 'width');
  const height = str(v, 'height');
  if (width !== undefined) {
    const w = parseLength(width, '--width');
    opts.width = w.px;
    opts.unit = w.unit;
    if (w.px < 240) throw new InputError(`--width ${width} is ${Math.round(w.px)} px; a figure needs at least 240 px (2.5in)`);
  }
  if (height !== undefined) {
    const h = parseLength(height, '--height');
    opts.height = h.px;
    opts.unit ??= h.unit;
  }
  const title = str(v, 'title');
  if (title !== undefined) opts.title = title;
  const caption = str(v, 'caption');
  if (caption !== undefined) opts.caption = caption;
  const window = str(v, 'window');
  if (window !== undefined) {
    opts.windowFromStart = parseWindow(window);
    view.windowRows = 'intersecting';
  }
  return opts;
}

/** The shift that puts the captured monotonic clock on the wall clock, from the capture's start date. */
function clockOffset(clock: unknown, bundle: Bundle): bigint {
  if (clock === undefined || clock === 'monotonic') return 0n;
  if (clock !== 'wall') throw new UsageError(`--clock ${String(clock)}: use monotonic or wall`);
  const started = bundle.manifest.capture.startedAt;
  const ms = started ? Date.parse(started) : NaN;
  if (!Number.isFinite(ms)) {
    throw new InputError(`${bundle.path} does not record when its capture started`, 'use --clock monotonic (bundles imported from a trace file have no capture date)');
  }
  return BigInt(ms) * 1_000_000n - bundle.base.abs(bundle.manifest.firstTs);
}


