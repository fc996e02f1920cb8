import { basename } from 'node:path';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { chromeTraceJson } from '../../engine/export/chrome-trace.js';
import type { ExportInput, ExportTrace } from '../../engine/export/export-types.js';
import { jaegerJson } from '../../engine/export/jaeger.js';
import { otlpJson } from '../../engine/export/otlp.js';
import { defaultCountLabel } from '../../engine/figure/count-columns.js';
import type { FigureOptions } from '../../engine/figure/figure-types.js';
import type { GanttViewOptions } from '../../engine/figure/layout-types.js';
import { renderFigure } from '../../engine/figure/svg.js';
import type { ExportFormat, FigureExportOptions } from '../ipc-contract.js';
import { AppFailure } from './app-error.js';
import type { TraceExporter } from './trace-exporter.js';

// Export files from a bundle with the engine's own figure and interchange writers, called with
// the options `misertrace export` derives from its flags, so that the app's file is byte for byte
// the CLI's (e2e/ui/export.test.ts holds the two side by side).

/** The export panel's choices as the CLI would pass them (`--counts`, `--collapse`, `--window`…). */
export function figureOptionsFor(o: FigureExportOptions, rootStart: number): FigureOptions {
  const view: GanttViewOptions = { counts: o.counts.map((probe) => ({ probe, label: defaultCountLabel(probe) })) };
  if (o.collapsed.length > 0) view.collapsed = o.collapsed;
  const opts: FigureOptions = { view, greyscale: o.palette === 'greyscale', sharedScale: false, tooltips: true };
  if (o.window !== null) {
    // The CLI's --window is time since the request's start and keeps only the rows it touches.
    opts.windowFromStart = { start: o.window.start - rootStart, end: o.window.end - rootStart };
    view.windowRows = 'intersecting';
  }
  if (o.width !== null) opts.width = o.width;
  if (o.title !== null) opts.title = o.title;
  if (o.caption !== null) opts.caption = o.caption;
  return opts;
}

export class EngineTraceExporter implements TraceExporter {
  formats(): readonly ExportFormat[] {
    return ['svg', 'chrome', 'jaeger', 'otlp'];
  }

  async render(bundlePath: string, traceIds: readonly number[], format: ExportFormat, figure: FigureExportOptions): Promise<string> {
    const bundle = Bundle.open(bundlePath);
    try {
      const traces: ExportTrace[] = traceIds.map((id) => {
        const trace = bundle.trace(id);
        if (trace === null) throw new AppFailure('trace-missing', `trace ${id} is not in ${basename(bundlePath)}`);
        return { trace, counts: bundle.spanCounts(id) };
      });
      if (format === 'svg') {
        const opts = figureOptionsFor(figure, traces[0]!.trace.spans[0]!.start);
        opts.base = bundle.base;
        return renderFigure(traces, opts).svg;
      }
      const input: ExportInput = {
        traces,
        base: bundle.base,
        clockOffsetNs: 0n,
        containerIds: Object.fromEntries(bundle.meta().map((m) => [m.container, m.containerId])),
        source: basename(bundlePath),
      };
      return format === 'chrome' ? chromeTraceJson(input) : format === 'jaeger' ? jaegerJson(input) : otlpJson(input);
    } finally {
      bundle.close();
    }
  }
}
