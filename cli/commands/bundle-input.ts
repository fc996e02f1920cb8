import { Bundle } from '../../engine/bundle/bundle-reader.js';
import type { BuildResult, BuildStage } from '../../engine/bundle/build-bundle.js';
import { regenerateTraces } from '../../engine/bundle/regenerate-traces.js';
import { InputError } from '../../engine/model/meta.js';
import type { ModelName } from '../../engine/model/span-link.js';
import { CancelledError } from '../../engine/records/line-reader.js';
import type { CliIO } from '../command.js';

// Bundles as input of generate (add or redo the traces of a bundle that has its records, ADR
// 0061), and the note every command that reads traces prints for a bundle without them.


/** Generates the bundle's traces again from its records, with `model` (default: the model that made it). */
export async function generateInBundle(path: string, io: CliIO, onProgress: (stage: BuildStage, f: number) => void, model?: ModelName, lenient = false): Promise<BuildResult> {
  try {
    return await regenerateTraces(path, { ...(model ? { model } : {}), lenient, signal: io.signal, onProgress });
  } catch (e) {
    // Nothing was committed: the bundle is as it was (its records, and the traces it had).
    if (e instanceof CancelledError) throw Object.assign(new InputError(`interrupted; ${path} is as it was`), { exitCode: 130 });
    throw e;
  }
}

/** For a bundle whose traces are pending: says so and how to generate them; true if it did. */
export function notePendingTraces(b: Bundle, io: CliIO): boolean {
  const why = b.tracesPending;
  if (why === null) return false;
  io.stderr.write(`misertrace: ${b.path} has its ${b.recordCount} records but no traces (${why})\n  hint: generate them: misertrace generate -i ${b.path}\n`);
  return true;
}
