import type { ExportFormat, FigureExportOptions, FigurePreview } from '../ipc-contract.js';

// Renders an export file (UTF-8 bytes) for some traces of a bundle. Implemented as the engine's
// export job (figure-exporter.ts); an interface so the IPC layer does not know the engine's options.
// PDF and PNG are the SVG drawn by Chromium (figure-raster.ts): the exporter writes text only.

export type TextExportFormat = Exclude<ExportFormat, 'pdf' | 'png'>;

export interface TraceExporter {
  formats(): readonly ExportFormat[];
  render(bundlePath: string, traceIds: readonly number[], format: TextExportFormat, figure: FigureExportOptions): Promise<Uint8Array>;
  /** The SVG figure as an export would write it, for the editor's live preview. */
  preview(bundlePath: string, traceIds: readonly number[], figure: FigureExportOptions): Promise<FigurePreview>;
}

export const EXPORT_FILTERS: Record<ExportFormat, { name: string; extensions: string[]; suffix: string }> = {
  svg: { name: 'SVG figure', extensions: ['svg'], suffix: '.svg' },
  pdf: { name: 'PDF figure', extensions: ['pdf'], suffix: '.pdf' },
  png: { name: 'PNG figure', extensions: ['png'], suffix: '.png' },
  chrome: { name: 'Chrome trace (Perfetto)', extensions: ['json'], suffix: '.chrome.json' },
  jaeger: { name: 'Jaeger JSON', extensions: ['json'], suffix: '.jaeger.json' },
  otlp: { name: 'OTLP/JSON', extensions: ['json'], suffix: '.otlp.json' },
};

/** The command stored in a figure's metadata (engine/figure/svg.ts), as text. */
export function storedCommand(svg: string): string {
  const m = /<mt:command>([^<]*)<\/mt:command>/.exec(svg);
  if (m === null) return '';
  return m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}
