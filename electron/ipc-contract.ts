// Over 300 lines: the contract is one list on purpose (see below); splitting it would let verbs drift.
// The one IPC contract between the renderer and the main process. Main, the preload, the e2e
// harness and the renderer (type-only) all derive from this file, so a verb cannot drift between
// them: adding a verb here without a handler, a validator or a preload binding fails the build.
//
// Values crossing the boundary are structured-clone and JSON safe (no bigint, no functions):
// absolute nanoseconds travel as decimal strings, times inside a bundle as exact integer offsets
// (RelNs) from the bundle's `timeBaseNs`.

import type {
  CaptureEvent,
  CaptureStartRequest,
  DockerNetworkSummary,
  HostPrompt,
  NetworkInspection,
  ProbeCatalog,
  SavedHost,
} from './ipc-capture-types.js';

export type { CaptureEvent, CaptureStartRequest, DockerNetworkSummary, HostPrompt, NetworkInspection, ProbeCatalog, SavedHost } from './ipc-capture-types.js';
import type { FigureChoices } from '../engine/figure/figure-choices.js';
import type { TraceStats } from '../engine/analysis/trace-stats.js';
import type { ModelName, SpanLink } from '../engine/model/span-link.js';
import type { TraceSched } from '../engine/analysis/sched-timeline.js';
import type { PackedTraceTable } from '../engine/model/packed-trace-table.js';
import type { SpanRecord } from '../engine/model/span-record.js';
import type { TraceTableColumns } from '../engine/model/trace-table-columns.js';

/** An expected failure, shown to the user as message + what to do. Bugs use kind 'internal'. */
export interface AppError {
  kind: AppErrorKind;
  message: string;
  hint?: string;
}

export type AppErrorKind =
  | 'bundle-missing'
  | 'bundle-not-a-bundle'
  | 'bundle-truncated'
  | 'bundle-corrupt'
  | 'bundle-newer-version'
  | 'bundle-incomplete'
  | 'bundle-closed'
  | 'trace-missing'
  | 'file'
  | 'input'
  | 'docker-unavailable'
  | 'docker-permission'
  | 'network-unknown'
  | 'privileges'
  | 'probe-missing'
  | 'capture-failed'
  | 'cancelled'
  | 'invalid-request'
  | 'export-unavailable'
  | 'internal';

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

// ---------------------------------------------------------------- bundles

export interface BundleInfo {
  /** Handle of the open bundle inside the main process; closed with closeBundle. */
  bundleId: string;
  path: string;
  fileName: string;
  sizeBytes: number;
  formatVersion: number;
  toolVersion: string;
  createdAt: string;
  timeBaseNs: string;
  firstTs: number;
  lastTs: number;
  traceCount: number;
  spanCount: number;
  recordCount: number;
  backend: string;
  network: string | null;
  gateway: string;
  lostEvents: number;
  partial: boolean;
  partialReason: string | null;
  /** Probe names in id order; model probes start with `MT:`. */
  probes: string[];
  diagnostics: Record<string, number>;
  /** The model that made the traces (manifest.model; bundles from before the causal model: 'original'). */
  model?: ModelName;
  /**
   * Set when the bundle holds its records only (ADR 0061: written first, then the generation
   * stopped or was never run): what to tell the user instead of an empty table, with the command
   * that makes the traces. Null when the bundle has its traces.
   */
  recordsOnly: string | null;
}

/**
 * All traces of a bundle, column by column: one array per field, all of the same length. A table
 * of 100k rows crosses the boundary as a few flat arrays instead of 100k objects.
 */
export interface TraceTableData extends TraceTableColumns {
  bundleId: string;
}

/**
 * The trace table on its way to the renderer: not an invoke answer but a message on the window's
 * table port (a MessagePort), packed as flat buffers (docs/adr/0105). The `traceTable` verb asks
 * main to send it and answers how many traces it sent.
 */
export interface TraceTableMessage {
  bundleId: string;
  table: PackedTraceTable;
}

export interface SpanDto {
  index: number;
  parent: number;
  depth: number;
  kind: 'network' | 'fork';
  tid: number;
  container: string;
  ip: string;
  start: number;
  end: number;
  childCount: number;
  /** How the span was linked to its parent (causal model); absent for the original model. */
  link?: SpanLink;
}

export interface TraceDetail {
  bundleId: string;
  traceId: number;
  timeBaseNs: string;
  spans: SpanDto[];
  /** Probe names that occur in this trace, in bundle probe order. */
  probes: string[];
  /** Per span index: events in the span, in total and by probe name (the figure layout's SpanCounts). */
  counts: { total: number; byProbe: Record<string, number> }[];
  /** Per span index, where its thread's time went, and the critical path's total (ADR 0090); absent without scheduler records. */
  sched?: TraceSched;
}

/** A span's record: the engine's own shape (browser-safe), sent as the bundle reader gives it. */
export type SpanRecordDto = SpanRecord;

export interface SpanRecordPage {
  traceId: number;
  spanIndex: number;
  offset: number;
  records: SpanRecordDto[];
  /** False when this page reached the end of the span's records. */
  more: boolean;
}

// ---------------------------------------------------------------- export

/** The export formats; ipc-validate.ts checks requests against this list. */
export const EXPORT_FORMATS = ['svg', 'pdf', 'png', 'chrome', 'jaeger', 'otlp'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FIGURE_PALETTES = ['color', 'greyscale'] as const satisfies readonly FigureExportOptions['palette'][];

/**
 * The figure's options as the app offers them (counts, collapsed subtrees, time window, palette,
 * title, caption, width): the engine's export job takes them as they are (engine/figure/figure-choices.ts).
 */
export type FigureExportOptions = FigureChoices;

export interface ExportRequest {
  bundleId: string;
  traceIds: number[];
  format: ExportFormat;
  figure: FigureExportOptions;
}

export type ExportOutcome = { saved: true; path: string; bytes: number } | { saved: false };

/** The figure editor's live preview: the very SVG an export writes, with what it gave up. */
export interface FigurePreview {
  svg: string;
  warnings: string[];
  /** The `misertrace export` command stored in the SVG (docs/adr/0095). */
  command: string;
}

// ---------------------------------------------------------------- start-up and recent files

export interface RecentBundle {
  path: string;
  fileName: string;
  openedAt: string;
  /** False when the file is gone since it was last opened. */
  exists: boolean;
}

export interface StartupInfo {
  appVersion: string;
  platform: string;
  /** A bundle to open at once: one passed on the command line, else the sample on first launch. */
  openAtStart: { path: string; reason: 'argv' | 'sample' } | null;
  recent: RecentBundle[];
  /** The bundled sample, always offered on the start screen. */
  samplePath: string | null;
}

export type PickOutcome = { picked: true; path: string } | { picked: false };

// ---------------------------------------------------------------- the verbs

/**
 * Every request/response verb: the renderer calls `explorer.<verb>(request)` and gets
 * `Promise<Result<response>>`. The channel is derived from the verb name (`explorer:<verb>`).
 */
export interface InvokeContract {
  getStartup: { req: Record<string, never>; res: StartupInfo };
  pickBundle: { req: Record<string, never>; res: PickOutcome };
  openBundle: { req: { path: string }; res: BundleInfo };
  closeBundle: { req: { bundleId: string }; res: { closed: boolean } };
  traceTable: { req: { bundleId: string }; res: { bundleId: string; count: number } };
  traceDetail: { req: { bundleId: string; traceId: number }; res: TraceDetail };
  spanRecords: { req: { bundleId: string; traceId: number; spanIndex: number; offset: number; limit: number }; res: SpanRecordPage };
  /** Self time and counts per container and per kernel event over every trace of the bundle. */
  bundleStats: { req: { bundleId: string }; res: TraceStats };
  exportTrace: { req: ExportRequest; res: ExportOutcome };
  previewFigure: { req: Omit<ExportRequest, 'format'>; res: FigurePreview };
  listRecent: { req: Record<string, never>; res: RecentBundle[] };
  forgetRecent: { req: { path: string }; res: RecentBundle[] };
  /** `host`: a saved remote host; absent or null: this computer. */
  listNetworks: { req: { host?: string | null }; res: DockerNetworkSummary[] };
  inspectNetwork: { req: { network: string; host?: string | null }; res: NetworkInspection };
  probeCatalog: { req: { host?: string | null }; res: ProbeCatalog };
  pickProbeFile: { req: Record<string, never>; res: PickOutcome };
  pickCaptureOutput: { req: { suggestedName: string }; res: PickOutcome };
  startCapture: { req: CaptureStartRequest; res: { sessionId: string } };
  stopCapture: { req: { sessionId: string }; res: { stopping: boolean } };
  cancelCapture: { req: { sessionId: string }; res: { cancelling: boolean } };
  answerPrivilegePrompt: { req: { sessionId: string; promptId: string; password: string | null }; res: { accepted: boolean } };
  listHosts: { req: Record<string, never>; res: SavedHost[] };
  saveHosts: { req: { hosts: SavedHost[] }; res: SavedHost[] };
  answerHostPrompt: { req: { promptId: string; answer: string | null }; res: { accepted: boolean } };
}

export type InvokeVerb = keyof InvokeContract;
export type RequestOf<V extends InvokeVerb> = InvokeContract[V]['req'];
export type ResponseOf<V extends InvokeVerb> = InvokeContract[V]['res'];

/** The verbs, listed once as values so main and the preload can iterate them. */
export const INVOKE_VERBS = [
  'getStartup',
  'pickBundle',
  'openBundle',
  'closeBundle',
  'traceTable',
  'traceDetail',
  'spanRecords',
  'bundleStats',
  'exportTrace',
  'previewFigure',
  'listRecent',
  'forgetRecent',
  'listNetworks',
  'inspectNetwork',
  'probeCatalog',
  'pickProbeFile',
  'pickCaptureOutput',
  'startCapture',
  'stopCapture',
  'cancelCapture',
  'answerPrivilegePrompt',
  'listHosts',
  'saveHosts',
  'answerHostPrompt',
] as const satisfies readonly InvokeVerb[];

// A verb missing from INVOKE_VERBS is a type error here.
type MissingVerbs = Exclude<InvokeVerb, (typeof INVOKE_VERBS)[number]>;
const everyVerbListed: MissingVerbs extends never ? true : MissingVerbs = true;
void everyVerbListed;

export const INVOKE_CHANNEL_PREFIX = 'explorer:';
/** The preload asks main for the table port on this channel; main answers on it with the port. */
export const TABLE_PORT_CHANNEL = 'misertrace:table-port';
export function invokeChannel(verb: InvokeVerb): `explorer:${InvokeVerb}` {
  return `explorer:${verb}`;
}

/** Messages main pushes to the renderer. */
export interface EventContract {
  /** A bundle to open: passed on a second launch, from the OS (open-file), or from the menu; `at`: a deep link's trace and span, checked by main (app-services/deep-links.ts). */
  openRequested: { path: string; at?: { traceId: number; spanIndex: number | null } };
  /** A deep link main refused (what is wrong with it); nothing was opened. */
  linkRefused: { link: string; message: string; hint: string };
  /** A menu command the renderer carries out. */
  menuCommand: { command: MenuCommand };
  capture: CaptureEvent;
  /** A remote host asks something (a password, a new host key): the app's own dialog answers. */
  hostPrompt: HostPrompt;
}

export type MenuCommand = 'open' | 'new-capture' | 'export-svg' | 'close-bundle' | 'show-start';
export type EventName = keyof EventContract;
export const EVENT_NAMES = ['openRequested', 'linkRefused', 'menuCommand', 'capture', 'hostPrompt'] as const satisfies readonly EventName[];
export function eventChannel(name: EventName): `explorer-event:${EventName}` {
  return `explorer-event:${name}`;
}

/** What `window.explorer` is in the renderer. */
export type ExplorerApi = {
  [V in InvokeVerb]: (req: RequestOf<V>) => Promise<Result<ResponseOf<V>>>;
} & {
  /** Subscribes to one kind of event; returns the unsubscribe function (a disposable). */
  on<E extends EventName>(name: E, listener: (payload: EventContract[E]) => void): () => void;
  /** Subscribes to the trace tables main sends on the table port (`traceTable` asks for one). */
  onTraceTable(listener: (message: TraceTableMessage) => void): () => void;
  /** The absolute path of a file dropped on the window (Electron's webUtils), '' if none. */
  pathForFile(file: File): string;
};
