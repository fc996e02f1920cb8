import { basename } from 'node:path';
import { bundleSha256Sync } from '../bundle/bundle-hash.js';
import type { Bundle } from '../bundle/bundle-reader.js';
import type { ExportTrace } from '../export/export-types.js';
import { flagsForChoices, type FigureChoices } from '../figure/figure-choices.js';
import { figureSource } from '../figure/figure-command.js';
import { figureOptionsFromFlags } from '../figure/figure-flags.js';
import { renderFigure } from '../figure/svg.js';

// The app's SVG figure (export and the editor's live preview): the editor's choices become the
// CLI's flags, parsed by the CLI's parser, drawn with the bundle's hash and the regenerating
// command in the metadata, exactly as `misertrace export` does it (cli/commands/export.ts).

export function figureSvg(bundle: Bundle, bundlePath: string, traces: readonly ExportTrace[], choices: FigureChoices): { svg: string; warnings: string[] } {
  const flags = flagsForChoices(choices, traces[0]!.trace.spans[0]!.start);
  const opts = figureOptionsFromFlags(flags, traces, bundle.probes.map((p) => p.name));
  opts.base = bundle.base;
  opts.source = figureSource({
    bundleFileName: basename(bundlePath),
    bundleSha256: bundleSha256Sync(bundlePath),
    range: traces.map((t) => t.trace.id).join(','),
    flags,
    shownCounts: opts.view?.counts,
    counts: traces.flatMap((t) => [...(t.counts ?? [])]),
  });
  const fig = renderFigure(traces, opts);
  return { svg: fig.svg, warnings: fig.warnings };
}
