import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { BundleError, TraceMissingError } from '../bundle/bundle-errors.js';
import { Bundle } from '../bundle/bundle-reader.js';
import { traceTableColumns } from '../bundle/trace-table.js';
import { traceShapeColumn } from '../bundle/trace-shapes.js';
import { packTraceTable } from '../model/packed-trace-table.js';
import { chromeTraceJson } from '../export/chrome-trace.js';
import type { ExportInput, ExportTrace } from '../export/export-types.js';
import { jaegerJson } from '../export/jaeger.js';
import { otlpJson } from '../export/otlp.js';
import { figureSvg } from './figure-job.js';
import { StatsAccumulator } from '../analysis/trace-stats.js';
import type { BundleCloseResult, BundleOpenResult, BundleSpanRecordsResult, BundleStatsResult, BundleTraceResult, EngineJob, ExportJobResult } from './protocol.js';

// Bundle queries and exports as engine jobs (docs/adr/0055): the app runs them in the engine
// worker, which keeps the bundles it opened by handle, so main never spends a query's or a
// figure's time; in process they keep the same registry in the calling thread.

const open = new Map<number, Bundle>();
let nextHandle = 1;

type Job<K extends EngineJob['kind']> = Extract<EngineJob, { kind: K }>;

export function openBundleJob(job: Job<'bundle-open'>): BundleOpenResult {
  const b = Bundle.open(job.path);
  try {
    const m = b.manifest;
    const result: BundleOpenResult = {
      kind: 'bundle-open',
      handle: nextHandle++,
      path: b.path,
      sizeBytes: statSync(b.path).size,
      manifest: m,
      probes: b.probes.map((p) => p.name),
      // Read at open, so that a damaged bundle fails here rather than on a later click.
      diagnostics: guard(b, () => b.diagnosticCounts()),
      table: guard(b, () => {
        const rows = b.traceSummaries();
        return packTraceTable(traceTableColumns(rows, traceShapeColumn(b, rows.map((r) => r.id))));
      }),
    };
    open.set(result.handle, b);
    return result;
  } catch (e) {
    b.close();
    throw e;
  }
}

export function closeBundleJob(job: Job<'bundle-close'>): BundleCloseResult {
  const b = open.get(job.handle);
  open.delete(job.handle);
  b?.close();
  return { kind: 'bundle-close', closed: b !== undefined };
}

export function traceJob(job: Job<'bundle-trace'>): BundleTraceResult {
  const b = get(job.handle);
  return guard(b, () => {
    const trace = b.trace(job.traceId);
    const sched = trace === null ? null : b.spanSched(job.traceId, trace.spans.length);
    return { kind: 'bundle-trace', trace, counts: trace === null ? [] : b.spanCounts(job.traceId), sched, traceCount: b.traceCount };
  });
}

export function spanRecordsJob(job: Job<'bundle-span-records'>): BundleSpanRecordsResult {
  const b = get(job.handle);
  // One more than asked tells whether another page exists without a count query.
  const rows = guard(b, () => b.spanRecords(job.traceId, job.spanIndex, { limit: job.limit + 1, offset: job.offset }));
  return { kind: 'bundle-span-records', records: rows.slice(0, job.limit), more: rows.length > job.limit };
}

/** Statistics over every trace of the bundle: one pass, a trace at a time (never all in memory). */
export function bundleStatsJob(job: Job<'bundle-stats'>): BundleStatsResult {
  const b = get(job.handle);
  return guard(b, () => {
    const acc = new StatsAccumulator();
    for (const row of b.traceSummaries()) {
      const trace = b.trace(row.id);
      if (trace !== null) acc.add(trace.spans, b.spanCounts(row.id));
    }
    return { kind: 'bundle-stats', stats: acc.result() };
  });
}

/** An export file's text for some traces of a bundle: an SVG figure or an interchange file. */
export function exportJob(job: Job<'export'>): ExportJobResult {
  const bundle = Bundle.open(job.bundle);
  try {
    const traces: ExportTrace[] = job.traceIds.map((id) => {
      const trace = guard(bundle, () => bundle.trace(id));
      if (trace === null) throw new TraceMissingError(`trace ${id} is not in ${basename(job.bundle)}`, `choose a trace between 1 and ${bundle.traceCount}`);
      return { trace, counts: bundle.spanCounts(id), sched: bundle.spanSched(id, trace.spans.length) };
    });
    if (job.format === 'svg') {
      const fig = figureSvg(bundle, job.bundle, traces, job.figure);
      return { kind: 'export', bytes: utf8(fig.svg), warnings: fig.warnings };
    }
    const input: ExportInput = {
      traces,
      base: bundle.base,
      clockOffsetNs: 0n,
      containerIds: Object.fromEntries(bundle.meta().map((m) => [m.container, m.containerId])),
      source: basename(job.bundle),
    };
    const text = job.format === 'chrome' ? chromeTraceJson(input) : job.format === 'jaeger' ? jaegerJson(input) : otlpJson(input);
    return { kind: 'export', bytes: utf8(text), warnings: [] };
  } finally {
    bundle.close();
  }
}

/** A buffer of its own (Buffer.from may share a pool), so the worker can transfer it. */
function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Closes every bundle a host left open (the worker's owner is going away). */
export function closeAllBundles(): void {
  for (const b of open.values()) b.close();
  open.clear();
}

function get(handle: number): Bundle {
  const b = open.get(handle);
  // The hosts check their own ids first: an unknown handle here is a bug, not the user's.
  if (b === undefined) throw new Error(`bundle handle ${handle} is not open in the engine`);
  return b;
}

/**
 * Bundle.open checks the header and manifest; damage deeper in the file shows only when a query
 * reads the damaged page. Such a query error is the user's broken file, not our bug.
 */
function guard<T>(b: Bundle, query: () => T): T {
  try {
    return query();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB|IOERR)/.test(code)) {
      throw new BundleError(b.path, 'corrupt', `${basename(b.path)} is damaged (${(e as Error).message})`, 'copy the bundle again from its source, or generate it again from the capture');
    }
    throw e;
  }
}
