import { closeSync, openSync, readSync } from 'node:fs';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { FIRST_CHUNKED_VERSION } from '../../engine/bundle/bundle-schema.js';
import { generateTraces, type BuildResult, type BuildStage } from '../../engine/bundle/build-bundle.js';
import { Diagnostics, type DiagnosticKind } from '../../engine/model/diagnostics.js';
import { InputError } from '../../engine/model/meta.js';
import type { ModelName } from '../../engine/model/span-link.js';
import { CancelledError } from '../../engine/records/line-reader.js';
import type { CliIO } from '../command.js';

// Bundles as input of generate (add or redo the traces of a bundle that has its records, ADR
// 0061), and the note every command that reads traces prints for a bundle without them.

/** Whether `path` starts like an SQLite file (a bundle, or something that claims to be one). */
export function isSqliteFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false; // the caller reports the file as it would any input
  }
  try {
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

/** Kinds that come from reading the records (kept); the model's own are made again. */
const READING_KINDS: readonly DiagnosticKind[] = ['malformed-line', 'unsorted-record', 'lost-events'];

/** Generates the traces of the bundle at `path` in place, from its records, meta and gateway. */
/** Generates the bundle's traces again from its records, with `model` (default: the model that made it). */
export async function generateInBundle(path: string, io: CliIO, onProgress: (stage: BuildStage, f: number) => void, model?: ModelName, lenient = false): Promise<BuildResult> {
  const b = Bundle.open(path);
  const diagnostics = new Diagnostics();
  let meta;
  let gateway;
  try {
    if (b.manifest.formatVersion < FIRST_CHUNKED_VERSION) {
      throw new InputError(
        `${path} is a format ${b.manifest.formatVersion} bundle: it opens read-only and is not rewritten`,
        `make a current one from it: misertrace bundle export -i ${path} -o DIR, then misertrace bundle import -i DIR/sorted.psv -m DIR/meta.psv -g GATEWAY -o NEW.mstrace`,
      );
    }
    for (const d of b.diagnostics(Number.MAX_SAFE_INTEGER)) {
      if (READING_KINDS.includes(d.kind as DiagnosticKind)) diagnostics.add(d.kind as DiagnosticKind, d.line, d.tid, d.message);
    }
    // Examples are capped; the counts are what the bundle says.
    for (const [k, n] of Object.entries(b.diagnosticCounts())) if (READING_KINDS.includes(k as DiagnosticKind)) diagnostics.counts.set(k as DiagnosticKind, n);
    meta = b.meta();
    gateway = b.manifest.capture.gateway;
    model ??= b.model;
    if (!lenient) diagnostics.stopOn(['bad-details'], `${path} (records)`);
  } finally {
    b.close();
  }
  try {
    return await generateTraces(path, { meta, gateway, diagnostics, model, signal: io.signal, onProgress });
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
