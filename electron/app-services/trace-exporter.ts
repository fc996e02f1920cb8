import type { ExportFormat, FigureExportOptions } from '../ipc-contract.js';

// Renders an export file (UTF-8 bytes) for some traces of a bundle. Implemented as the engine's
// export job (figure-exporter.ts); an interface so the IPC layer does not know the engine's options.

export interface TraceExporter {
  formats(): readonly ExportFormat[];
  render(bundlePath: string, traceIds: readonly number[], format: ExportFormat, figure: FigureExportOptions): Promise<Uint8Array>;
}

export const EXPORT_FILTERS: Record<ExportFormat, { name: string; extensions: string[]; suffix: string }> = {
  svg: { name: 'SVG figure', extensions: ['svg'], suffix: '.svg' },
  chrome: { name: 'Chrome trace (Perfetto)', extensions: ['json'], suffix: '.chrome.json' },
  jaeger: { name: 'Jaeger JSON', extensions: ['json'], suffix: '.jaeger.json' },
  otlp: { name: 'OTLP/JSON', extensions: ['json'], suffix: '.otlp.json' },
};
