import { Diagnostics } from '../model/diagnostics.js';
import type { MetaEntry } from '../model/meta.js';
import type { StreamStats } from '../model/psv-parse.js';
import type { ProbeTable } from '../model/record.js';
import type { OwnershipLane } from '../model/causal/ownership.js';
import { startModel } from '../model/model-run.js';
import type { GeneratorCounts } from '../model/span-generator.js';
import { DEFAULT_MODEL, type ModelName } from '../model/span-link.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import type { TimeBase } from '../model/time.js';
import { CancelPoint } from './line-reader.js';
import { RecordView } from './record-columns.js';
import { recordSource } from './sorted-records.js';
import { TimeOrderCheck } from './time-order.js';

// Streams a sorted trace file through the span generator and assembles the traces.

export interface GenerateOptions {
  lenient?: boolean;
  /** Which model makes the traces (DEFAULT_MODEL when absent). */
  model?: ModelName;
  /** The input is a raw capture: order it on the way (one parse, no sorted file). */
  unsorted?: boolean;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number) => void;
}

export interface GenerateOutput {
  model: ModelName;
  traces: AssembledTrace[];
  /** Causal model: which span owns each thread's records over time (per-span event counts). */
  ownership: Map<number, OwnershipLane> | null;
  counts: GeneratorCounts;
  diagnostics: Diagnostics;
  stats: StreamStats;
  base: TimeBase;
  probes: ProbeTable;
  firstTs: number;
  lastTs: number;
}

export async function generateFromFile(sortedPath: string, meta: readonly MetaEntry[], gateway: string, opts: GenerateOptions = {}): Promise<GenerateOutput> {
  const diagnostics = new Diagnostics();
  const { stream, columns } = recordSource(sortedPath, {
    diagnostics,
    unsorted: opts.unsorted === true,
    ...(opts.lenient !== undefined ? { lenient: opts.lenient } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const gen = startModel(opts.model ?? DEFAULT_MODEL, meta, gateway, diagnostics);
  const order = new TimeOrderCheck(sortedPath, opts.lenient === true);
  let view: RecordView | null = null;
  const cancel = new CancelPoint(opts.signal);
  for await (const c of columns) {
    view ??= new RecordView(stream.names());
    for (let i = 0; i < c.n; i++) {
      order.inOrder(c.ts[i]!, c.line[i]!);
      gen.feed(view.at(c, i));
      if ((i & 1023) === 1023 && cancel.due()) await cancel.pause(); // see build-bundle.ts
    }
  }
  if (stream.stats.lostEvents > 0) {
    diagnostics.add('lost-events', 0, -1, `the capture reported ${stream.stats.lostEvents} lost events`);
  }
  const res = gen.finish({ lostEvents: stream.stats.lostEvents });
  return {
    model: res.model,
    traces: res.traces,
    ownership: res.ownership,
    counts: res.counts,
    diagnostics,
    stats: stream.stats,
    base: stream.timeBase!,
    probes: stream.probes,
    firstTs: res.firstTs,
    lastTs: res.lastTs,
  };
}
