import { Diagnostics } from '../model/diagnostics.js';
import type { MetaEntry } from '../model/meta.js';
import type { StreamStats } from '../model/psv-parse.js';
import type { ProbeTable } from '../model/record.js';
import { SpanGenerator, type GeneratorCounts } from '../model/span-generator.js';
import { assembleAll, type AssembledTrace } from '../model/trace-assembly.js';
import type { TimeBase } from '../model/time.js';
import { CancelPoint } from './line-reader.js';
import { RecordView } from './record-columns.js';
import { recordSource } from './sorted-records.js';
import { TimeOrderCheck } from './time-order.js';

// Streams a sorted trace file through the span generator and assembles the traces.

export interface GenerateOptions {
  lenient?: boolean;
  /** The input is a raw capture: order it on the way (one parse, no sorted file). */
  unsorted?: boolean;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number) => void;
}

export interface GenerateOutput {
  traces: AssembledTrace[];
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
  const gen = new SpanGenerator(meta, gateway, { diagnostics });
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
    diagnostics.add('lost-events', 0, -1, `bpftrace reported ${stream.stats.lostEvents} lost events`);
  }
  const res = gen.finish();
  return {
    traces: assembleAll(res.roots),
    counts: res.counts,
    diagnostics,
    stats: stream.stats,
    base: stream.timeBase!,
    probes: stream.probes,
    firstTs: res.firstTs,
    lastTs: res.lastTs,
  };
}
