import { stat } from 'node:fs/promises';
import type { Diagnostics } from '../model/diagnostics.js';
import type { MetaEntry } from '../model/meta.js';
import { DEFAULT_MODEL, type ModelName } from '../model/span-link.js';
import { TOOL_VERSION } from '../version.js';
import { fileError, throwIfCancelled } from '../records/line-reader.js';
import { readRecords } from './threaded-records.js';
import { RecordOrder } from './record-order.js';
import type { ColumnNames, RecordColumns } from '../records/record-columns.js';
import { FORMAT_VERSION } from './bundle-schema.js';
import { BundleWriter } from './bundle-writer.js';
import { defaultCaptureInfo, type BundleManifest, type CaptureInfo } from './manifest.js';

// The first step of a bundle (ADR 0061): the records, in time order, with the meta, the probe
// script and a manifest that says the traces are still to come. Once this returns, the bundle
// exists under its name and opens with its records, whatever happens to the generation.

/** What a bundle is built from: the records and what the capture knew beside them. */
export interface RecordInputs {
  /** Records sorted by time, or (with `unsorted`) a raw capture ordered on the way. */
  sortedPath: string;
  unsorted?: boolean;
  /** Memory for ordering a raw capture before spilling runs (bytes). */
  memoryBudgetBytes?: number;
  meta: readonly MetaEntry[];
  gateway: string;
  output: string;
  capture?: Partial<CaptureInfo>;
  probeScript?: { name: string; text: string };
  lenient?: boolean;
  /** The model asked for (DEFAULT_MODEL when absent); a generation stopped before the traces resumes with it. */
  model?: ModelName;
  signal?: AbortSignal;
}

export interface WriteRecordsOptions extends RecordInputs {
  onProgress?: (fraction: number) => void;
  diagnostics: Diagnostics;
  /** Each batch once the bundle has it (`keep[i] === 0`: record i left out), e.g. the model fed in the same pass (ADR 0080). */
  onBatch?: (c: RecordColumns, names: ColumnNames, keep: Uint8Array | null) => Promise<void>;
}

/** What the manifest says until the traces are written. */
export const TRACES_PENDING = 'the traces were not generated: the program stopped while generating them';

export async function writeRecords(o: WriteRecordsOptions): Promise<BundleManifest> {
  let size: number;
  try {
    size = (await stat(o.sortedPath)).size;
  } catch (e) {
    throw fileError(e, o.sortedPath);
  }
  const writer = BundleWriter.create(o.output);
  try {
    const { stream, batches, end } = readRecords(o.sortedPath, {
      diagnostics: o.diagnostics,
      unsorted: o.unsorted === true,
      near: o.output,
      ...(o.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: o.memoryBudgetBytes } : {}),
      ...(o.lenient !== undefined ? { lenient: o.lenient } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (b) => o.onProgress?.(size > 0 ? b / size : 1),
    });
    const order = new RecordOrder(o.sortedPath, o.lenient === true, o.diagnostics);
    for await (const { cols: c, checked } of batches) {
      // Read on another thread (docs/adr/0110), the batch comes checked.
      const keep = checked === null ? order.check(c) : checked.keep;
      writer.addColumns(c, stream.names(), keep);
      if (o.onBatch) await o.onBatch(c, stream.names(), keep);
      throwIfCancelled(o.signal);
    }
    const last = end();
    const firstTs = last?.firstTs ?? order.firstTs;
    const lastTs = last?.lastTs ?? order.lastTs;
    const lost = stream.stats.lostEvents + (o.capture?.lostEvents ?? 0);
    if (lost > 0) o.diagnostics.add('lost-events', 0, -1, `${lost} events were lost during capture`);
    writer.setDiagnostics(o.diagnostics);
    writer.setMeta(o.meta);
    if (o.probeScript) writer.setProbeScript(o.probeScript.name, o.probeScript.text);
    const manifest: BundleManifest = {
      format: 'misertrace-bundle',
      formatVersion: FORMAT_VERSION,
      toolVersion: TOOL_VERSION,
      createdAt: new Date().toISOString(),
      timeBaseNs: stream.timeBase!.baseNs.toString(),
      firstTs: Number.isNaN(firstTs) ? 0 : firstTs,
      lastTs,
      capture: {
        ...defaultCaptureInfo(o.gateway),
        ...o.capture,
        gateway: o.gateway,
        lostEvents: lost,
        attachedProbes: o.capture?.attachedProbes ?? stream.stats.attachedProbes,
      },
      stream: { lines: stream.stats.lines, records: stream.stats.records, malformed: stream.stats.malformed, ownLines: stream.stats.ownLines },
      generator: {},
      traceCount: 0,
      spanCount: 0,
      // The model that will make the traces, so that `generate -i` after a stop keeps the one asked for.
      model: o.model ?? DEFAULT_MODEL,
      tracesPending: TRACES_PENDING,
      complete: true,
    };
    throwIfCancelled(o.signal);
    writer.commitRecords(manifest);
    return manifest;
  } catch (e) {
    writer.abort();
    throw e;
  }
}
