import { BundleError } from '../bundle/bundle-errors.js';
import { Bundle } from '../bundle/bundle-reader.js';
import { bundleStatsJob, closeBundleJob, exportJob, openBundleJob, spanRecordsJob, traceJob } from './bundle-jobs.js';
import { loadHandlerModule } from '../handlers/handler-loader.js';
import { runHandlers } from '../handlers/run-handlers.js';
import { InputError } from '../model/meta.js';
import { buildBundle } from '../bundle/build-bundle.js';
import { regenerateTraces } from '../bundle/regenerate-traces.js';
import { CancelledError } from '../records/line-reader.js';
import { sortTraceFile } from '../records/sort.js';
import type { BundleJobResult, EngineErrorData, EngineJob, EngineProgress, HandlersJobResult, JobResult, SortJobResult } from './protocol.js';

// The engine's jobs as plain async functions: the worker runs them off the main thread, tests and
// the CLI may call them in-process. Same code either way.

export interface JobContext {
  signal: AbortSignal;
  onProgress: (p: EngineProgress) => void;
}

export async function runJob(job: EngineJob, ctx: JobContext): Promise<JobResult> {
  switch (job.kind) {
    case 'sort':
      return sortJob(job.input, job.output, job.lenient === true, ctx, job.memoryBudgetBytes);
    case 'build-bundle':
      return bundleJob(job, job.sortedPath, ctx);
    case 'import':
      // A raw capture is ordered on the way into the bundle: parsed once, no sorted text file.
      return bundleJob(job, job.input, ctx, true);
    case 'regenerate':
      return regenerateJob(job, ctx);
    case 'handlers':
      return handlersJob(job.bundle, job.handlers, job.traceIds, ctx);
    case 'bundle-open':
      return openBundleJob(job);
    case 'bundle-close':
      return closeBundleJob(job);
    case 'bundle-trace':
      return traceJob(job);
    case 'bundle-span-records':
      return spanRecordsJob(job);
    case 'bundle-stats':
      return bundleStatsJob(job);
    case 'export':
      return exportJob(job);
  }
}

async function sortJob(input: string, output: string, lenient: boolean, ctx: JobContext, budget?: number): Promise<SortJobResult> {
  const r = await sortTraceFile(input, output, {
    lenient,
    signal: ctx.signal,
    ...(budget !== undefined ? { memoryBudgetBytes: budget } : {}),
    onProgress: (p) => ctx.onProgress({ stage: `sort:${p.stage}`, fraction: p.stage === 'read' ? 0.5 : 0.9 }),
  });
  return { kind: 'sort', records: r.stats.records, malformed: r.stats.malformed, lostEvents: r.stats.lostEvents, attachedProbes: r.stats.attachedProbes, runs: r.runs };
}

async function bundleJob(job: Extract<EngineJob, { kind: 'build-bundle' | 'import' }>, path: string, ctx: JobContext, unsorted = false): Promise<BundleJobResult> {
  const r = await buildBundle({
    sortedPath: path,
    unsorted,
    meta: job.meta,
    gateway: job.gateway,
    output: job.output,
    signal: ctx.signal,
    onProgress: (stage, fraction) => ctx.onProgress({ stage, fraction }),
    ...(job.capture ? { capture: job.capture } : {}),
    ...(job.probeScript ? { probeScript: job.probeScript } : {}),
    ...(job.lenient !== undefined ? { lenient: job.lenient } : {}),
    ...(job.model !== undefined ? { model: job.model } : {}),
  });
  return { kind: 'bundle', output: r.output, manifest: r.manifest, diagnostics: r.diagnostics.summary() };
}

async function regenerateJob(job: Extract<EngineJob, { kind: 'regenerate' }>, ctx: JobContext): Promise<BundleJobResult> {
  const r = await regenerateTraces(job.bundle, {
    ...(job.model !== undefined ? { model: job.model } : {}),
    ...(job.lenient !== undefined ? { lenient: job.lenient } : {}),
    signal: ctx.signal,
    onProgress: (stage, fraction) => ctx.onProgress({ stage, fraction }),
  });
  return { kind: 'bundle', output: r.output, manifest: r.manifest, diagnostics: r.diagnostics.summary() };
}

async function handlersJob(path: string, spec: string, traceIds: number[] | undefined, ctx: JobContext): Promise<HandlersJobResult> {
  const mod = await loadHandlerModule(spec);
  const b = Bundle.open(path);
  try {
    const traces = b.traces(traceIds);
    const total = b.recordCount;
    let seen = 0;
    const source = (function* () {
      for (const batch of b.recordBatches()) {
        if (ctx.signal.aborted) throw new CancelledError();
        seen += batch.length;
        ctx.onProgress({ stage: 'handlers', fraction: total > 0 ? seen / total : 1 });
        yield batch;
      }
    })();
    const res = await runHandlers(traces, source, mod);
    return { kind: 'handlers', trace: Object.fromEntries(res.trace), span: Object.fromEntries(res.span) };
  } finally {
    b.close();
  }
}

export function toErrorData(e: unknown): EngineErrorData {
  if (e instanceof CancelledError) return { name: e.name, message: 'cancelled', userError: true, cancelled: true };
  if (e instanceof InputError) {
    const bundle = e instanceof BundleError ? { bundle: { path: e.path, reason: e.reason } } : {};
    return { name: e.name, message: e.message, ...(e.hint ? { hint: e.hint } : {}), userError: true, cancelled: false, ...bundle };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, userError: false, cancelled: false, ...(err.stack ? { stack: err.stack } : {}) };
}
