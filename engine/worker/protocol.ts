import type { CaptureInfo, BundleManifest } from '../bundle/manifest.js';
import type { MetaEntry } from '../model/meta.js';

// Typed messages between the app (or any host) and the engine worker. Every request carries an
// id; progress, result and error answer with the same id; cancel names the id to stop.

/** What a bundle is built from besides its records. */
export interface BundleInputs {
  meta: MetaEntry[];
  gateway: string;
  output: string;
  capture?: Partial<CaptureInfo>;
  probeScript?: { name: string; text: string };
  lenient?: boolean;
}

export type EngineJob =
  | { kind: 'sort'; input: string; output: string; lenient?: boolean; memoryBudgetBytes?: number }
  | ({ kind: 'build-bundle'; sortedPath: string } & BundleInputs)
  /** A raw (or sorted) capture, ordered on the way into the bundle: what a capture session ends with. */
  | ({ kind: 'import'; input: string } & BundleInputs)
  | {
      /** Run handlers (built-in name or a user module path) over a bundle's records. */
      kind: 'handlers';
      bundle: string;
      handlers: string;
      traceIds?: number[];
    };

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

export type JobResult = SortJobResult | BundleJobResult | HandlersJobResult;

export type ResultOf<J extends EngineJob> = J['kind'] extends 'sort' ? SortJobResult : J['kind'] extends 'handlers' ? HandlersJobResult : BundleJobResult;

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
}

export type ToWorker = { type: 'run'; id: number; job: EngineJob } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: EngineProgress }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'error'; id: number; error: EngineErrorData };
