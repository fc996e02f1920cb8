import { open, stat, truncate } from 'node:fs/promises';
import type { CaptureInfo } from '../../engine/bundle/manifest.js';
import { NoRecordsError, type MetaEntry } from '../../engine/model/meta.js';
import { buildBundle, type BuildResult } from '../../engine/bundle/build-bundle.js';
import { CaptureError } from './capture-errors.js';

// After the child stopped: make the raw file whole, then order its records (per-CPU order ->
// global order), generate the traces and write the bundle, in one pass. Malformed lines (cut or interleaved) are skipped and
// counted, never fatal: losing an hour of capture to one bad line would be worse.

export interface FinalizeInput {
  rawPath: string;
  meta: readonly MetaEntry[];
  gateway: string;
  output: string;
  capture: Partial<CaptureInfo>;
  script: { name: string; text: string };
  onStage?: (stage: 'sorting' | 'generating') => void;
  onProgress?: (fraction: number) => void;
  /** Aborts sorting/generating (CancelledError); the raw records stay where they are. */
  signal?: AbortSignal;
}

export interface FinalizeResult {
  build: BuildResult;
  records: number;
  malformed: number;
  lostEvents: number;
  /** A last line cut short by the child's death, removed before sorting. */
  cutBytes: number;
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

export async function finalizeCapture(inp: FinalizeInput): Promise<FinalizeResult> {
  let rawSize = 0;
  try {
    rawSize = (await stat(inp.rawPath)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const cutBytes = rawSize > 0 ? await trimIncompleteLine(inp.rawPath) : 0;
  if (rawSize === 0) {
    throw new CaptureError('no-records', 'the capture recorded nothing (the child wrote no output)', 'check the capture log; send traffic to the application while capturing', 1);
  }
  // One pass over the raw records: ordered on the way into the generator and the bundle (the
  // fused path of `bundle import`), no sorted copy on disk.
  inp.onStage?.('sorting');
  let generating = false;
  const noRecords = () =>
    new CaptureError(
      'no-records',
      'the capture recorded no events of the traced containers',
      'send requests to the application while capturing (the capture only records TCP traffic, forks and exits of its threads)',
      1,
    );
  const build = await buildBundle({
    sortedPath: inp.rawPath,
    unsorted: true,
    meta: inp.meta,
    gateway: inp.gateway,
    output: inp.output,
    lenient: true,
    capture: inp.capture,
    probeScript: inp.script,
    onProgress: (stage, f) => {
      // Reading and ordering is the first half of the work, generating and writing the rest.
      if (stage !== 'generate' && !generating) {
        generating = true;
        inp.onStage?.('generating');
      }
      inp.onProgress?.(stage === 'generate' ? f * 0.5 : stage === 'count' ? 0.5 + f * 0.4 : 0.9 + f * 0.1);
    },
    ...(inp.signal ? { signal: inp.signal } : {}),
  }).catch((e: unknown) => {
    throw e instanceof NoRecordsError ? noRecords() : e;
  });
  const stream = build.manifest.stream;
  return { build, records: stream.records, malformed: stream.malformed, lostEvents: build.manifest.capture.lostEvents, cutBytes };
}
