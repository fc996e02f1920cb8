import { basename } from 'node:path';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { chromeTraceChunks } from '../../engine/export/chrome-trace.js';
import type { ExportSource, ExportTrace } from '../../engine/export/export-types.js';
import { jaegerChunks } from '../../engine/export/jaeger.js';
import { otlpChunks } from '../../engine/export/otlp.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import { bundleSha256 } from '../../engine/bundle/bundle-hash.js';
import { figureSource } from '../../engine/figure/figure-command.js';
import { FIGURE_FLAGS, figureOptionsFromFlags, pickFigureFlags } from '../../engine/figure/figure-flags.js';
import { renderFigure } from '../../engine/figure/svg.js';
import { InputError } from '../../engine/model/meta.js';
import { parseRange } from '../../engine/render/range.js';
import { requireString, UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { writeOutputChunks } from '../output.js';
import { rasterizeFigure } from '../figure-raster.js';
import { writeAtomically } from '../../engine/records/atomic-file.js';
import { notePendingTraces } from './bundle-input.js';

// `misertrace export`: a publication figure (SVG) or an interchange file (Trace Event JSON for
// Perfetto and chrome://tracing, Jaeger JSON, OTLP/JSON) of traces in a bundle.

const FORMATS = ['svg', 'pdf', 'png', 'chrome', 'jaeger', 'otlp'] as const;
type Format = (typeof FORMATS)[number];
/** The figure formats: the SVG, and the same figure printed (PDF) or rasterized (PNG) by Chromium. */
const FIGURES: readonly Format[] = ['svg', 'pdf', 'png'];

export const exportCommand: Command = {
  name: 'export',
  usage: '-i BUNDLE --format svg|pdf|png|chrome|jaeger|otlp [-n RANGE] [-o OUTPUT] [figure options]',
  help: `  -i, --input PATH       a bundle written by misertrace generate
      --format FORMAT    svg (figure), pdf or png (the same figure drawn by Chromium through
                         Playwright, if installed), chrome (Trace Event JSON: Perfetto,
                         chrome://tracing), jaeger (Jaeger UI "JSON File"), otlp (OTLP/JSON)
  -n, --range RANGE      traces, e.g. 3 or 1-4,6 (svg: one panel per trace, required when the
                         bundle has more than one; other formats: default all)
  -o, --output PATH      write here instead of stdout (atomically)
      --pretty           indent the JSON formats
      --clock CLOCK      monotonic (default: ns since boot, exact, as captured) or wall
                         (shifted to the capture's start date; jaeger, otlp, chrome)
figure options (svg, pdf, png):
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
      --font-size SIZE   text size: px, or in points at the printed width (8pt); default 11;
                         rows scale with it
      --arrows WHICH     all (default), requests, none
      --shared-scale     the same time scale in every panel
      --no-tooltips      leave out the hover text of each bar
      --dpi N            png only: dots per inch at the figure's printed size (default 300)
  The SVG's <metadata> names the bundle (file name, SHA-256) and the export command that
  regenerates it, byte for byte.`,
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
    dpi: { type: 'string' },
  },
  async run(v, _p, io) {
    const input = requireString(v, 'input', '-i INPUT', 'export');
    const format = requireString(v, 'format', '--format svg|pdf|png|chrome|jaeger|otlp', 'export') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${format}"`, `use --format ${FORMATS.join(', ')}`);
    if (!FIGURES.includes(format)) {
      const figureFlag = FIGURE_FLAGS.find((f) => v[f] !== undefined && v[f] !== false);
      if (figureFlag) throw new UsageError(`--${figureFlag} applies to figures only`, 'drop it, or use --format svg, pdf or png');
    }
    if (v['dpi'] !== undefined && format !== 'png') throw new UsageError('--dpi applies to --format png only');
    const dpi = typeof v['dpi'] === 'string' ? Number(v['dpi']) : 300;
    if (!/^\d+$/.test(String(v['dpi'] ?? '300')) || dpi < 36 || dpi > 2400) throw new UsageError(`--dpi ${String(v['dpi'])} is not a whole number between 36 and 2400`, 'e.g. --dpi 300');
    if ((format === 'pdf' || format === 'png') && typeof v['output'] !== 'string') {
      throw new UsageError(`--format ${format} writes a binary file: give -o FILE`, `e.g. -o figure.${format}`);
    }
    const bundle = Bundle.open(input);
    try {
      if (notePendingTraces(bundle, io)) return EXIT.problems;
      const count = bundle.traceCount;
      if (count === 0) throw new InputError(`${input} holds no request traces to export`, 'the capture produced none; check the gateway IP and that the load went through it');
      let ids: number[];
      if (typeof v['range'] === 'string') ids = parseRange(v['range'], count);
      else if (FIGURES.includes(format) && count > 1) {
        throw new UsageError(`the bundle holds ${count} traces: choose which to draw`, 'e.g. -n 3 for one trace, -n 1-3 for three stacked panels (misertrace render -t dag lists them)');
      } else ids = Array.from({ length: count }, (_, i) => i + 1);
      const exportTrace = (trace: AssembledTrace): ExportTrace => ({ trace, counts: bundle.spanCounts(trace.id), sched: bundle.spanSched(trace.id, trace.spans.length) });
      let chunks: Iterable<string>;
      if (FIGURES.includes(format)) {
        const traces = ids.map((id) => exportTrace(bundle.trace(id)!));
        const flags = pickFigureFlags(v);
        const opts = figureOptionsFromFlags(flags, traces, bundle.probes.map((p) => p.name));
        opts.base = bundle.base;
        opts.source = figureSource({
          bundleFileName: basename(input),
          bundleSha256: await bundleSha256(input),
          range: typeof v['range'] === 'string' ? v['range'] : null,
          flags,
          shownCounts: opts.view?.counts,
          counts: traces.flatMap((t) => [...(t.counts ?? [])]),
        });
        const fig = renderFigure(traces, opts);
        for (const w of fig.warnings) io.stderr.write(`misertrace: warning: ${w}\n`);
        chunks = [fig.svg];
      } else {
        // The interchange files cover every trace by default: read from the bundle again on each
        // pass of the exporter and written as they are made, never held whole (ADR 0120).
        const source: ExportSource = {
          traces: {
            *[Symbol.iterator]() {
              for (const t of bundle.eachTrace(ids)) yield exportTrace(t);
            },
          },
          base: bundle.base,
          clockOffsetNs: clockOffset(v['clock'], bundle),
          containerIds: Object.fromEntries(bundle.meta().map((m) => [m.container, m.containerId])),
          source: input.split(/[\\/]/).pop() ?? input,
        };
        const opts = { indent: v['pretty'] === true ? 2 : 0 };
        chunks = format === 'chrome' ? chromeTraceChunks(source, opts) : format === 'jaeger' ? jaegerChunks(source, opts) : otlpChunks(source, opts);
      }
      const output = typeof v['output'] === 'string' ? v['output'] : undefined;
      if (format === 'pdf' || format === 'png') {
        // Drawn before anything is written: a missing Playwright leaves no file behind.
        const bytes = await rasterizeFigure([...chunks].join(''), format, { dpi });
        await writeAtomically(output!, (w) => w.writeBytes(bytes));
      } else await writeOutputChunks(output, chunks, io);
    } finally {
      bundle.close();
    }
    return EXIT.ok;
  },
};

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


