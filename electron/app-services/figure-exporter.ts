import type { EngineClient } from '../../engine/worker/engine-client.js';
import { InputError } from '../../engine/model/meta.js';
import { EXPORT_FORMATS, type ExportFormat, type FigureExportOptions } from '../ipc-contract.js';
import { AppFailure } from './app-error.js';
import type { TraceExporter } from './trace-exporter.js';

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

  async render(bundlePath: string, traceIds: readonly number[], format: ExportFormat, figure: FigureExportOptions): Promise<Uint8Array> {
    try {
      return (await this.engine.run({ kind: 'export', bundle: bundlePath, traceIds: [...traceIds], format, figure }).result).bytes;
    } catch (e) {
      if (e instanceof InputError && e.name === 'TraceMissingError') throw new AppFailure('trace-missing', e.message, e.hint);
      throw e;
    }
  }
}
