import { open, stat, truncate } from 'node:fs/promises';
import type { BundleManifest, CaptureInfo } from '../../engine/bundle/manifest.js';
import type { MetaEntry } from '../../engine/model/meta.js';
import type { ModelName } from '../../engine/model/span-link.js';
import { buildBundle, type BuildResult } from '../../engine/bundle/build-bundle.js';
import type { EngineClient } from '../../engine/worker/engine-client.js';
import { CaptureError } from './capture-errors.js';

// After the child stopped: make the raw file whole, then order its records (per-CPU order ->
// global order), generate the traces and write the bundle, in one pass: in this process (the
// CLI), or as the engine worker's import job (the app: docs/adr/0055). Malformed lines (cut or
// interleaved) are skipped and counted, never fatal: losing an hour of capture to one bad line
// would be worse.

export interface FinalizeInput {
  rawPath: string;
  meta: readonly MetaEntry[];
  gateway: string;
  output: string;
  capture: Partial<CaptureInfo>;
  script: { name: string; text: string };
  /** The model that makes the traces (DEFAULT_MODEL when absent). */
  model?: ModelName;
  onStage?: (stage: 'sorting' | 'generating') => void;
  onProgress?: (fraction: number) => void;
  /** Aborts sorting/generating (CancelledError); the raw records stay where they are. */
  signal?: AbortSignal;
}

export interface FinalizeResult {
  manifest: BundleManifest;
  /** Diagnostics by kind. */
  diagnostics: Record<string, number>;
  records: number;
  malformed: number;
  lostEvents: number;
  /** A last line cut short by the child's death, removed before sorting. */
  cutBytes: number;
}

/** In process, the generator's traces come back too (tests compare them). */
export interface InProcessFinalizeResult extends FinalizeResult {
  build: BuildResult;
}

/** Removes a last line without its newline (the child died mid-write); returns the bytes cut. */
export async function trimIncompleteLine(path: string): Promise<number> {
  const size = (await stat(path)).size;
  if (size === 0) return 0;
  const fh = await open(path, 'r');
  try {
    const window = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(window);
    await fh.read(buf, 0, window, size - window);
    if (buf[window - 1] === 10) return 0;
    const nl = buf.lastIndexOf(10);
    const keep = nl < 0 ? size - window : size - window + nl + 1;
    await truncate(path, keep);
    return size - keep;
  } finally {
    await fh.close();
  }
}

/** Makes the raw file whole; returns the bytes cut off its end. */
async function wholeRawFile(rawPath: string): Promise<number> {
  let rawSize = 0;
  try {
    rawSize = (await stat(rawPath)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (rawSize === 0) {
    throw new CaptureError('no-records', 'the capture recorded nothing (the child wrote no output)', 'check the capture log; send traffic to the application while capturing', 1);
  }
  return trimIncompleteLine(rawPath);
}

/** The build's stages as the session's states and one fraction. */
function progressOf(inp: FinalizeInput): (stage: string, f: number) => void {
  inp.onStage?.('sorting');
  let generating = false;
  return (stage, f) => {
    // Reading and ordering is the first half of the work, generating and writing the rest.
    if (stage !== 'generate' && !generating) {
      generating = true;
      inp.onStage?.('generating');
    }
    inp.onProgress?.(stage === 'generate' ? f * 0.5 : stage === 'count' ? 0.5 + f * 0.4 : 0.9 + f * 0.1);
  };
}

function noRecords(e: unknown): unknown {
  // By name: the error may have crossed from the engine worker.
  if (!(e instanceof Error) || e.name !== 'NoRecordsError') return e;
  return new CaptureError(
    'no-records',
    'the capture recorded no events of the traced containers',
    'send requests to the application while capturing (the capture only records TCP traffic, forks and exits of its threads)',
    1,
  );
}

/** In this process (the CLI). */
export async function finalizeCapture(inp: FinalizeInput): Promise<InProcessFinalizeResult> {
  const cutBytes = await wholeRawFile(inp.rawPath);
  // One pass over the raw records: ordered on the way into the generator and the bundle (the
  // fused path of `bundle import`), no sorted copy on disk.
  const onProgress = progressOf(inp);
  const build = await buildBundle({
    sortedPath: inp.rawPath,
    unsorted: true,
    meta: inp.meta,
    gateway: inp.gateway,
    output: inp.output,
    lenient: true,
    capture: inp.capture,
    probeScript: inp.script,
    ...(inp.model ? { model: inp.model } : {}),
    onProgress,
    ...(inp.signal ? { signal: inp.signal } : {}),
  }).catch((e: unknown) => {
    throw noRecords(e);
  });
  const m = build.manifest;
  return { build, manifest: m, diagnostics: build.diagnostics.summary(), records: m.stream.records, malformed: m.stream.malformed, lostEvents: m.capture.lostEvents, cutBytes };
}

/** As the engine's import job (the app runs it in the engine worker, off the main thread). */
export async function finalizeInEngine(inp: FinalizeInput, engine: EngineClient): Promise<FinalizeResult> {
  const cutBytes = await wholeRawFile(inp.rawPath);
  const onProgress = progressOf(inp);
  const job = engine.run(
    { kind: 'import', input: inp.rawPath, meta: [...inp.meta], gateway: inp.gateway, output: inp.output, lenient: true, capture: inp.capture, probeScript: inp.script, ...(inp.model ? { model: inp.model } : {}) },
    (p) => onProgress(p.stage, p.fraction),
  );
  const cancel = () => job.cancel();
  if (inp.signal?.aborted) cancel();
  inp.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const r = await job.result;
    const m = r.manifest;
    return { manifest: m, diagnostics: r.diagnostics, records: m.stream.records, malformed: m.stream.malformed, lostEvents: m.capture.lostEvents, cutBytes };
  } catch (e) {
    throw noRecords(e);
  } finally {
    inp.signal?.removeEventListener('abort', cancel);
  }
}
