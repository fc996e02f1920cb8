import type { BundleManifest } from '../bundle/manifest.js';
import type { BundleError } from '../bundle/bundle-errors.js';
import type { RecordInputs } from '../bundle/write-records.js';
import type { SpanRecord } from '../model/span-record.js';
import type { FigureChoices } from '../figure/figure-choices.js';
import type { PackedTraceTable } from '../model/packed-trace-table.js';
import type { ModelName } from '../model/span-link.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import type { TraceSched } from '../analysis/sched-timeline.js';
import type { TraceStats } from '../analysis/trace-stats.js';

// Typed messages between the app (or any host) and the engine worker. Every request carries an
// id; progress, result and error answer with the same id; cancel names the id to stop.

/** What a bundle is built from besides its records: the records step's own inputs (write-records.ts). */
export type BundleInputs = Pick<RecordInputs, 'meta' | 'gateway' | 'output' | 'capture' | 'probeScript' | 'lenient' | 'model'>;

export type EngineJob =
  | { kind: 'sort'; input: string; output: string; lenient?: boolean; memoryBudgetBytes?: number }
  | ({ kind: 'build-bundle'; sortedPath: string } & BundleInputs)
  /** A raw (or sorted) capture, ordered on the way into the bundle: what a capture session ends with. */
  | ({ kind: 'import'; input: string } & BundleInputs)
  /** A bundle's traces made again in place from its records, with `model` (default: the one that made them). */
  | { kind: 'regenerate'; bundle: string; model?: ModelName; lenient?: boolean }
  | {
      /** Run handlers (built-in name or a user module path) over a bundle's records. */
      kind: 'handlers';
      bundle: string;
      handlers: string;
      traceIds?: number[];
    }
  /** Bundle queries (bundle-jobs.ts): open keeps the bundle by handle until close. */
  | { kind: 'bundle-open'; path: string }
  | { kind: 'bundle-close'; handle: number }
  | { kind: 'bundle-trace'; handle: number; traceId: number }
  | { kind: 'bundle-span-records'; handle: number; traceId: number; spanIndex: number; offset: number; limit: number }
  /** Self time and counts per container and per kernel event over every trace of the bundle (engine/analysis/trace-stats.ts). */
  | { kind: 'bundle-stats'; handle: number }
  /** An export file's text for some traces of a bundle (the figure choices as the app's export panel makes them). */
  | { kind: 'export'; bundle: string; traceIds: number[]; format: 'svg' | 'chrome' | 'jaeger' | 'otlp'; figure: FigureChoices };

export interface SortJobResult {
  kind: 'sort';
  records: number;
  malformed: number;
  lostEvents: number;
  attachedProbes: number | null;
  runs: number;
}

export interface BundleJobResult {
  kind: 'bundle';
  output: string;
  manifest: BundleManifest;
  diagnostics: Record<string, number>;
}

export interface HandlersJobResult {
  kind: 'handlers';
  /** traceId -> trace handler result (JSON-safe). */
  trace: Record<number, unknown>;
  /** traceId -> span handler results by span index. */
  span: Record<number, unknown[]>;
}

export interface BundleOpenResult {
  kind: 'bundle-open';
  handle: number;
  path: string;
  sizeBytes: number;
  manifest: BundleManifest;
  probes: string[];
  diagnostics: Record<string, number>;
  /** The trace table, packed (built here; its buffers are transferred, not copied). */
  table: PackedTraceTable;
}

export interface BundleCloseResult {
  kind: 'bundle-close';
  closed: boolean;
}

export interface BundleTraceResult {
  kind: 'bundle-trace';
  /** null: no trace of that id (traceCount says which exist). */
  trace: AssembledTrace | null;
  counts: { total: number; byProbe: Record<string, number> }[];
  /** Where each span's time went (ADR 0090); null without scheduler records. */
  sched: TraceSched | null;
  traceCount: number;
}

export interface BundleSpanRecordsResult {
  kind: 'bundle-span-records';
  records: SpanRecord[];
  more: boolean;
}

export interface BundleStatsResult {
  kind: 'bundle-stats';
  stats: TraceStats;
}

export interface ExportJobResult {
  kind: 'export';
  /** The file's bytes (UTF-8): moved across the thread boundary, not copied, and written as they are. */
  bytes: Uint8Array;
  /** What the figure gave up (labels shortened to fit), for the editor to show. */
  warnings: string[];
}

/** Each job kind's result. */
export interface JobResults {
  sort: SortJobResult;
  'build-bundle': BundleJobResult;
  import: BundleJobResult;
  regenerate: BundleJobResult;
  handlers: HandlersJobResult;
  'bundle-open': BundleOpenResult;
  'bundle-close': BundleCloseResult;
  'bundle-trace': BundleTraceResult;
  'bundle-span-records': BundleSpanRecordsResult;
  'bundle-stats': BundleStatsResult;
  export: ExportJobResult;
}

export type JobResult = JobResults[keyof JobResults];

export type ResultOf<J extends EngineJob> = JobResults[J['kind']];

export interface EngineProgress {
  stage: string;
  /** 0..1 within the stage. */
  fraction: number;
}

/** An error as it crosses the thread boundary: user errors keep their hint and kind. */
export interface EngineErrorData {
  name: string;
  message: string;
  hint?: string;
  /** True for errors the user can fix (bad input); false for bugs. */
  userError: boolean;
  cancelled: boolean;
  stack?: string;
  /** A BundleError's file and reason, so the host can say what is wrong with the file. */
  bundle?: { path: string; reason: BundleError['reason'] };
}

export type ToWorker = { type: 'run'; id: number; job: EngineJob } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: EngineProgress }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'error'; id: number; error: EngineErrorData };
