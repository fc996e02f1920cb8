import type { TraceStats } from '../../engine/analysis/trace-stats.js';
import type { PackedTraceTable } from '../../engine/model/packed-trace-table.js';
import type { BundleInfo, SpanRecordPage, TraceDetail } from '../ipc-contract.js';

// The queries the app makes on open bundles. One interface so the transport can change (in
// process today, the engine worker once it serves queries) without touching IPC or the UI.

export interface BundleAccess {
  open(path: string): Promise<BundleInfo>;
  close(bundleId: string): Promise<boolean>;
  /** Packed, as it goes to the renderer's table port. */
  traceTable(bundleId: string): Promise<PackedTraceTable>;
  traceDetail(bundleId: string, traceId: number): Promise<TraceDetail>;
  spanRecords(bundleId: string, traceId: number, spanIndex: number, offset: number, limit: number): Promise<SpanRecordPage>;
  /** Self time and counts per container and per kernel event over all of the bundle's traces. */
  bundleStats(bundleId: string): Promise<TraceStats>;
  /** The path a handle was opened from (exports re-open bundles by path in the worker). */
  pathOf(bundleId: string): string;
  openCount(): number;
  dispose(): Promise<void>;
}
