import type { StreamStats } from '../model/psv-parse.js';
import type { Diagnostic, DiagnosticKind } from '../model/diagnostics.js';
import type { FieldColumns } from '../records/record-columns.js';

// Messages between the records' reading thread (records-worker.ts) and the thread that writes the
// bundle and runs the model (threaded-records.ts), docs/adr/0110.

/** What the reading thread is asked to read: recordSource's options that cross a thread. */
export interface ParseJob {
  path: string;
  unsorted: boolean;
  near: string;
  lenient: boolean;
  memoryBudgetBytes?: number;
  chunkBytes?: number;
}

/** One batch of parsed records: the columns' used part, as buffers taken over, not copied. */
export type ParsedBatch = Pick<FieldColumns, 'n' | 'tid' | 'ts' | 'cpu' | 'probe' | 'comm' | 'line' | 'detailsAt'> & {
  /** The batch's details joined by newlines (detailCount of them). */
  details: string;
  detailCount: number;
};

/** Findings of the reading since the last message: the examples kept, and each kind's count added. */
export interface DiagnosticsDelta {
  examples: Diagnostic[];
  counts: [DiagnosticKind, number][];
}

export type FromParser =
  | { type: 'progress'; bytes: number; diagnostics?: DiagnosticsDelta }
  | {
      type: 'batch';
      batch: ParsedBatch;
      /** Records left out (out of time order, --lenient): keep[i] === 0; null when none. */
      keep: Uint8Array | null;
      bytes: number;
      /** Names first seen in this batch: probes and comms by id, appended in order. */
      probes: string[];
      comms: string[];
      baseSec: number | null;
      diagnostics?: DiagnosticsDelta;
    }
  | { type: 'end'; stats: StreamStats; bytes: number; firstTs: number; lastTs: number; diagnostics?: DiagnosticsDelta }
  | { type: 'error'; error: ParseErrorData; diagnostics?: DiagnosticsDelta };

export type ToParser = { type: 'ack' } | { type: 'cancel' } | { type: 'job'; job: ParseJob };

export interface ParseErrorData {
  name: string;
  message: string;
  hint?: string;
  stack?: string;
  userError: boolean;
  cancelled: boolean;
  code?: string;
  exitCode?: number;
}
