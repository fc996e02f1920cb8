import type { EngineClient } from '../../engine/worker/engine-client.js';
import { InputError } from '../../engine/model/meta.js';
import { EXPORT_FORMATS, type ExportFormat, type FigureExportOptions, type FigurePreview } from '../ipc-contract.js';
import { AppFailure } from './app-error.js';
import { storedCommand, type TextExportFormat, type TraceExporter } from './trace-exporter.js';

// Export files from a bundle as the engine's export job (engine/worker/bundle-jobs.ts): in the
// app it runs in the engine worker, so a 10,000-span SVG (about a second of layout and
// serialization) never blocks main (docs/adr/0055). The job calls the engine's figure and
// interchange writers with the options `misertrace export` derives from its flags, so that the
// app's file is byte for byte the CLI's (e2e/ui/export.test.ts holds the two side by side).

export class EngineTraceExporter implements TraceExporter {
  constructor(private readonly engine: EngineClient) {}

  formats(): readonly ExportFormat[] {
    return EXPORT_FORMATS;
  }

  async render(bundlePath: string, traceIds: readonly number[], format: TextExportFormat, figure: FigureExportOptions): Promise<Uint8Array> {
    return (await this.run(bundlePath, traceIds, format, figure)).bytes;
  }

  async preview(bundlePath: string, traceIds: readonly number[], figure: FigureExportOptions): Promise<FigurePreview> {
    const r = await this.run(bundlePath, traceIds, 'svg', figure);
    const svg = new TextDecoder().decode(r.bytes);
    return { svg, warnings: r.warnings, command: storedCommand(svg) };
  }

  private async run(bundlePath: string, traceIds: readonly number[], format: TextExportFormat, figure: FigureExportOptions): Promise<{ bytes: Uint8Array; warnings: string[] }> {
    try {
      return await this.engine.run({ kind: 'export', bundle: bundlePath, traceIds: [...traceIds], format, figure }).result;
    } catch (e) {
      if (e instanceof InputError && e.name === 'TraceMissingError') throw new AppFailure('trace-missing', e.message, e.hint);
      // A figure option the engine refuses (a width under 240 px, a font size out of range): the user's to fix.
      if (e instanceof InputError) throw new AppFailure('input', e.message, e.hint);
      throw e;
    }
  }
}
