import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import type { BundleInfo, SpanRecordPage, TraceDetail, TraceTableData } from '../ipc-contract.js';
import { AppFailure } from './app-error.js';
import type { BundleAccess } from './bundle-access.js';
import { toTraceDetail, toTraceTable } from './bundle-dto.js';

// BundleAccess on the calling thread. Every query is an indexed SQLite read (the reader never
// scans a trace's records), so even on a 1M-record bundle each call is a few milliseconds.

export class InProcessBundleAccess implements BundleAccess {
  private readonly open_ = new Map<string, Bundle>();
  /** The trace table, read at open (so a damaged bundle fails there) and handed out once. */
  private readonly tables = new Map<string, TraceTableData>();
  private nextId = 1;

  async open(path: string): Promise<BundleInfo> {
    const bundle = Bundle.open(path);
    try {
      const id = `b${this.nextId++}`;
      const info = guard(bundle, () => describe(id, bundle));
      this.tables.set(id, guard(bundle, () => toTraceTable(id, bundle.traceSummaries())));
      this.open_.set(id, bundle);
      return info;
    } catch (e) {
      bundle.close();
      throw e;
    }
  }

  async close(bundleId: string): Promise<boolean> {
    const b = this.open_.get(bundleId);
    if (b === undefined) return false;
    this.open_.delete(bundleId);
    this.tables.delete(bundleId);
    b.close();
    return true;
  }

  async traceTable(bundleId: string): Promise<TraceTableData> {
    const b = this.get(bundleId);
    const cached = this.tables.get(bundleId);
    if (cached !== undefined) {
      this.tables.delete(bundleId); // the renderer keeps it; main need not
      return cached;
    }
    return guard(b, () => toTraceTable(bundleId, b.traceSummaries()));
  }

  async traceDetail(bundleId: string, traceId: number): Promise<TraceDetail> {
    const b = this.get(bundleId);
    return guard(b, () => {
      const t = b.trace(traceId);
      if (t === null) throw new AppFailure('trace-missing', `trace ${traceId} is not in ${basename(b.path)}`, `choose a trace between 1 and ${b.traceCount}`);
      return toTraceDetail(bundleId, b, t, b.spanCounts(traceId));
    });
  }

  async spanRecords(bundleId: string, traceId: number, spanIndex: number, offset: number, limit: number): Promise<SpanRecordPage> {
    const b = this.get(bundleId);
    // One more than asked tells whether another page exists without a count query.
    const rows = guard(b, () => b.spanRecords(traceId, spanIndex, { limit: limit + 1, offset }));
    return { traceId, spanIndex, offset, records: rows.slice(0, limit), more: rows.length > limit };
  }

  pathOf(bundleId: string): string {
    return this.get(bundleId).path;
  }

  openCount(): number {
    return this.open_.size;
  }

  async dispose(): Promise<void> {
    for (const b of this.open_.values()) b.close();
    this.open_.clear();
    this.tables.clear();
  }

  private get(bundleId: string): Bundle {
    const b = this.open_.get(bundleId);
    if (b === undefined) throw new AppFailure('bundle-closed', 'this bundle is no longer open', 'open it again from the start screen');
    return b;
  }
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
      throw new AppFailure('bundle-corrupt', `${basename(b.path)} is damaged (${(e as Error).message})`, 'copy the bundle again from its source, or generate it again from the capture');
    }
    throw e;
  }
}

function describe(bundleId: string, b: Bundle): BundleInfo {
  const m = b.manifest;
  return {
    bundleId,
    path: b.path,
    fileName: basename(b.path),
    sizeBytes: statSync(b.path).size,
    formatVersion: m.formatVersion,
    toolVersion: m.toolVersion,
    createdAt: m.createdAt,
    timeBaseNs: m.timeBaseNs,
    firstTs: m.firstTs,
    lastTs: m.lastTs,
    traceCount: m.traceCount,
    spanCount: m.spanCount,
    recordCount: m.stream.records,
    backend: m.capture.backend,
    network: m.capture.network,
    gateway: m.capture.gateway,
    lostEvents: m.capture.lostEvents,
    partial: m.capture.partial,
    partialReason: m.capture.partialReason,
    probes: b.probes.map((p) => p.name),
    diagnostics: b.diagnosticCounts(),
    model: m.model ?? 'original',
  };
}
