import { Diagnostics, type DiagnosticKind } from '../model/diagnostics.js';
import { InputError, type MetaEntry } from '../model/meta.js';
import { DEFAULT_MODEL, type ModelName } from '../model/span-link.js';
import { Bundle } from './bundle-reader.js';
import { FIRST_CHUNKED_VERSION } from './bundle-schema.js';
import { generateTraces, type BuildResult, type BuildStage } from './build-bundle.js';

// The traces of a bundle that has its records, generated (again) in place: after a generation
// that stopped, or with the other model (`generate -i B.mstrace --model M`, the app's worker).

/** Kinds that come from reading the records (kept); the model's own are made again. */
const READING_KINDS: readonly DiagnosticKind[] = ['malformed-line', 'unsorted-record', 'lost-events'];

export interface RegenerateOptions {
  /** Default: the model that made the bundle's traces. */
  model?: ModelName;
  /** Skip and count model records without the fields the model needs (else they stop the run). */
  lenient?: boolean;
  signal?: AbortSignal;
  onProgress?: (stage: BuildStage, fraction: number) => void;
}

export async function regenerateTraces(path: string, o: RegenerateOptions = {}): Promise<BuildResult> {
  const b = Bundle.open(path);
  const diagnostics = new Diagnostics();
  let meta: MetaEntry[];
  let gateway: string;
  let model: ModelName;
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
    // A records-only bundle that names no model (written before records-first bundles named it) gets the default, not
    // the 'original' that b.model assumes for old bundles with traces.
    model = o.model ?? (b.manifest.model === undefined && b.tracesPending !== null ? DEFAULT_MODEL : b.model);
    if (o.lenient !== true) diagnostics.stopOn(['bad-details'], `${path} (records)`);
  } finally {
    b.close();
  }
  return generateTraces(path, {
    meta,
    gateway,
    diagnostics,
    model,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
}
