import { stat } from 'node:fs/promises';
import { BundleWriter } from './bundle-writer.js';
import { defaultCaptureInfo, type BundleManifest, type CaptureInfo } from './manifest.js';
import { FORMAT_VERSION } from './bundle-schema.js';
import { EventCounter } from '../handlers/event-counts.js';
import { Diagnostics } from '../model/diagnostics.js';
import type { MetaEntry } from '../model/meta.js';
import { SpanGenerator } from '../model/span-generator.js';
import { assembleAll, type AssembledTrace } from '../model/trace-assembly.js';
import { TOOL_VERSION } from '../version.js';
import { CancelPoint, fileError, throwIfCancelled } from '../records/line-reader.js';
import { RecordView } from '../records/record-columns.js';
import { recordSource } from '../records/sorted-records.js';
import { TimeOrderCheck } from '../records/time-order.js';
import { CountSpill } from './count-spill.js';

// generate: sorted records -> span generator + records table in one pass; then the traces, a
// counting pass over the stored records for per-span event counts, and an atomic commit.

export type BuildStage = 'generate' | 'count' | 'write';

export interface BuildBundleOptions {
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
  signal?: AbortSignal;
  onProgress?: (stage: BuildStage, fraction: number) => void;
}

export interface BuildResult {
  output: string;
  traces: AssembledTrace[];
  manifest: BundleManifest;
  diagnostics: Diagnostics;
}

export async function buildBundle(o: BuildBundleOptions): Promise<BuildResult> {
  let size: number;
  try {
    size = (await stat(o.sortedPath)).size;
  } catch (e) {
    throw fileError(e, o.sortedPath);
  }
  const writer = BundleWriter.create(o.output);
  const spill = new CountSpill(`${writer.temp}.counts`);
  try {
    const diagnostics = new Diagnostics();
    const { stream, columns } = recordSource(o.sortedPath, {
      diagnostics,
      unsorted: o.unsorted === true,
      near: o.output,
      ...(o.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: o.memoryBudgetBytes } : {}),
      ...(o.lenient !== undefined ? { lenient: o.lenient } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (b) => o.onProgress?.('generate', size > 0 ? b / size : 1),
    });
    const gen = new SpanGenerator(o.meta, o.gateway, { diagnostics });
    const order = new TimeOrderCheck(o.sortedPath, o.lenient === true);
    let view: RecordView | null = null;
    let keep: Uint8Array | null = null;
    const cancel = new CancelPoint(o.signal);
    for await (const c of columns) {
      view ??= new RecordView(stream.names());
      // The records table must be in time order (the counting sweep relies on it): with
      // --lenient an out-of-order record is counted by the generator and not stored.
      let skipped = false;
      for (let i = 0; i < c.n; i++) {
        const ok = order.inOrder(c.ts[i]!, c.line[i]!);
        if (!ok && !skipped) {
          skipped = true;
          if (keep === null || keep.length < c.n) keep = new Uint8Array(c.tid.length);
          keep.fill(1, 0, c.n);
        }
        if (skipped) keep![i] = ok ? 1 : 0;
        gen.feed(view.at(c, i));
        // A chunk can take minutes where the model's states pile up (an event-loop server under
        // keep-alive load): a cancel must not wait for the chunk's end.
        if ((i & 1023) === 1023 && cancel.due()) await cancel.pause();
      }
      writer.addColumns(c, stream.names(), skipped ? keep : null);
      spill.add(c, skipped ? keep : null);
    }
    const res = gen.finish();
    const traces = assembleAll(res.roots);
    const probes = stream.probes;
    throwIfCancelled(o.signal);

    const counter = new EventCounter(traces, probes.size);
    let done = 0;
    for (const block of spill.blocks()) {
      counter.add(block);
      done += block.length;
      o.onProgress?.('count', spill.records > 0 ? done / spill.records : 1);
      if (cancel.due()) await cancel.pause();
    }
    spill.dispose();
    o.onProgress?.('write', 0);
    writer.setTraces(traces, counter.counts);
    const lost = stream.stats.lostEvents + (o.capture?.lostEvents ?? 0);
    if (lost > 0) diagnostics.add('lost-events', 0, -1, `${lost} events were lost during capture`);
    writer.setDiagnostics(diagnostics);
    writer.setMeta(o.meta);
    if (o.probeScript) writer.setProbeScript(o.probeScript.name, o.probeScript.text);
    const capture: CaptureInfo = {
      ...defaultCaptureInfo(o.gateway),
      ...o.capture,
      gateway: o.gateway,
      lostEvents: lost,
      attachedProbes: o.capture?.attachedProbes ?? stream.stats.attachedProbes,
    };
    const manifest: BundleManifest = {
      format: 'misertrace-bundle',
      formatVersion: FORMAT_VERSION,
      toolVersion: TOOL_VERSION,
      createdAt: new Date().toISOString(),
      timeBaseNs: stream.timeBase!.baseNs.toString(),
      firstTs: res.firstTs,
      lastTs: res.lastTs,
      capture,
      stream: { lines: stream.stats.lines, records: stream.stats.records, malformed: stream.stats.malformed, ownLines: stream.stats.ownLines },
      generator: { ...res.counts },
      traceCount: traces.length,
      spanCount: counter.counts.spanCount,
      complete: true,
    };
    throwIfCancelled(o.signal);
    writer.commit(manifest);
    o.onProgress?.('write', 1);
    return { output: o.output, traces, manifest, diagnostics };
  } catch (e) {
    writer.abort();
    throw e;
  } finally {
    spill.dispose();
  }
}
