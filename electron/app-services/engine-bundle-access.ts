import { basename } from 'node:path';
import type { TraceStats } from '../../engine/analysis/trace-stats.js';
import type { EngineClient } from '../../engine/worker/engine-client.js';
import type { BundleOpenResult } from '../../engine/worker/protocol.js';
import type { PackedTraceTable } from '../../engine/model/packed-trace-table.js';
import type { BundleInfo, SpanRecordPage, TraceDetail } from '../ipc-contract.js';
import { AppFailure } from './app-error.js';
import type { BundleAccess } from './bundle-access.js';
import { toTraceDetail } from './bundle-dto.js';

// BundleAccess through the engine's bundle jobs (engine/worker/bundle-jobs.ts): in the app they
// run in the engine worker, which holds the open bundles, so no query ever runs on main
// (docs/adr/0055); with an in-process EngineClient, the same jobs run on the calling thread.
// Only the contract's DTOs are made here.

/**
 * A read that takes longer fails (EngineTimeoutError) and its worker is replaced: a hostile file
 * that slipped past the schema checks costs the user a message, never a hung app (docs/adr/0076).
 */
export const READ_TIMEOUT_MS = 60_000;

interface OpenBundle {
  handle: number;
  /** The engine's generation the handle belongs to: a replaced engine forgot it. */
  generation: number;
  path: string;
  probes: string[];
  timeBaseNs: BundleOpenResult['manifest']['timeBaseNs'];
}

export class EngineBundleAccess implements BundleAccess {
  private readonly open_ = new Map<string, OpenBundle>();
  /** The trace table, read at open (so a damaged bundle fails there) and handed out once. */
  private readonly tables = new Map<string, PackedTraceTable>();
  private nextId = 1;

  constructor(
    private readonly engine: EngineClient,
    private readonly timeoutMs = READ_TIMEOUT_MS,
  ) {}

  private read<J extends Parameters<EngineClient['run']>[0]>(job: J) {
    return this.engine.run(job, undefined, { timeoutMs: this.timeoutMs }).result;
  }

  async open(path: string): Promise<BundleInfo> {
    const generation = this.engine.generation ?? 0;
    const r = await this.read({ kind: 'bundle-open', path });
    const id = `b${this.nextId++}`;
    this.open_.set(id, { handle: r.handle, generation, path: r.path, probes: r.probes, timeBaseNs: r.manifest.timeBaseNs });
    this.tables.set(id, r.table);
    return describe(id, r);
  }

  async close(bundleId: string): Promise<boolean> {
    const b = this.open_.get(bundleId);
    if (b === undefined) return false;
    this.open_.delete(bundleId);
    this.tables.delete(bundleId);
    // A handle of a replaced engine is gone with it (and its number may be another bundle's now).
    if (b.generation === (this.engine.generation ?? 0)) await this.engine.run({ kind: 'bundle-close', handle: b.handle }).result;
    return true;
  }

  async traceTable(bundleId: string): Promise<PackedTraceTable> {
    const b = this.get(bundleId);
    const cached = this.tables.get(bundleId);
    if (cached !== undefined) {
      this.tables.delete(bundleId); // the renderer keeps it; main need not
      return cached;
    }
    // Asked again (a reload of the renderer): read again, as at open.
    const r = await this.read({ kind: 'bundle-open', path: b.path });
    await this.engine.run({ kind: 'bundle-close', handle: r.handle }).result;
    return r.table;
  }

  async traceDetail(bundleId: string, traceId: number): Promise<TraceDetail> {
    const b = await this.live(bundleId);
    const r = await this.read({ kind: 'bundle-trace', handle: b.handle, traceId });
    if (r.trace === null) throw new AppFailure('trace-missing', `trace ${traceId} is not in ${basename(b.path)}`, `choose a trace between 1 and ${r.traceCount}`);
    return toTraceDetail(bundleId, b.probes, b.timeBaseNs, r.trace, r.counts, r.sched);
  }

  async spanRecords(bundleId: string, traceId: number, spanIndex: number, offset: number, limit: number): Promise<SpanRecordPage> {
    const b = await this.live(bundleId);
    const r = await this.read({ kind: 'bundle-span-records', handle: b.handle, traceId, spanIndex, offset, limit });
    return { traceId, spanIndex, offset, records: r.records, more: r.more };
  }

  async bundleStats(bundleId: string): Promise<TraceStats> {
    const b = await this.live(bundleId);
    return (await this.read({ kind: 'bundle-stats', handle: b.handle })).stats;
  }

  pathOf(bundleId: string): string {
    return this.get(bundleId).path;
  }

  openCount(): number {
    return this.open_.size;
  }

  async dispose(): Promise<void> {
    const handles = [...this.open_.values()].filter((b) => b.generation === (this.engine.generation ?? 0)).map((b) => b.handle);
    this.open_.clear();
    this.tables.clear();
    await Promise.all(handles.map((handle) => this.engine.run({ kind: 'bundle-close', handle }).result.catch(() => undefined)));
  }

  /** The bundle with a handle of the engine as it is now: opened again after the engine was replaced. */
  private async live(bundleId: string): Promise<OpenBundle> {
    const b = this.get(bundleId);
    const generation = this.engine.generation ?? 0;
    if (b.generation === generation) return b;
    const r = await this.read({ kind: 'bundle-open', path: b.path });
    const again = { ...b, handle: r.handle, generation };
    this.open_.set(bundleId, again);
    return again;
  }

  private get(bundleId: string): OpenBundle {
    const b = this.open_.get(bundleId);
    if (b === undefined) throw new AppFailure('bundle-closed', 'this bundle is no longer open', 'open it again from the start screen');
    return b;
  }
}

function describe(bundleId: string, r: BundleOpenResult): BundleInfo {
  const m = r.manifest;
  return {
    bundleId,
    path: r.path,
    fileName: basename(r.path),
    sizeBytes: r.sizeBytes,
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
    probes: r.probes,
    diagnostics: r.diagnostics,
    model: m.model ?? 'original',
    recordsOnly: m.tracesPending === undefined ? null : `records only (${m.tracesPending}): generate its traces with \`misertrace generate -i ${r.path}\``,
  };
}
