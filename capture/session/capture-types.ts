import type { DockerEndpoint } from '../discovery/docker-connection.js';
import type { Backend } from '../probes/probe-catalog.js';
import type { ProbeSetChoice } from '../probes/probe-support.js';
import type { ModelName } from '../../engine/model/span-link.js';
import type { ElevationMethod, PasswordPrompt } from './elevation.js';
import type { HostLimits } from './host-guard.js';

// The capture session's vocabulary, shared by its phases (plan, attach, live figures, stop,
// finalize) and by the hosts that drive it (cli/commands/capture.ts, electron/app-services).

export type CaptureState =
  | 'idle'
  | 'preparing'
  | 'authenticating'
  | 'attaching'
  | 'capturing'
  | 'draining'
  | 'stopping'
  | 'sorting'
  | 'generating'
  | 'done'
  | 'failed'
  | 'cancelled';

export interface CaptureOptions {
  network: string;
  /** The bundle to write (.mstrace). */
  output: string;
  /** auto (the default): ftrace unless custom bpftrace probes or the kernel need bpftrace (chooseBackend). */
  backend?: Backend | 'auto';
  /** Ready-made probe ids to add (see probes/catalog.json). */
  probes?: string[];
  /** Default base probes to leave out (e.g. tcp_probe). */
  without?: string[];
  /** Files in the custom-probe format (bpftrace backend). */
  customProbeFiles?: string[];
  /** Force a variant of the base set instead of the first the kernel supports. */
  variant?: string;
  /** auto (the default): causal where the kernel has its tracepoints and the model reads it (chooseProbeSet, docs/adr/0050). */
  probeSet?: ProbeSetChoice;
  /** The model that will read the records (DEFAULT_MODEL when absent): the original one needs the syscall set. */
  model?: ModelName;
  /** bpftrace ring buffer pages per CPU (power of two). */
  rbPages?: number;
  /** ftrace buffer per CPU, KiB. */
  bufferKb?: number;
  elevation?: ElevationMethod | 'auto';
  askPassword?: PasswordPrompt;
  docker?: DockerEndpoint;
  /** PATH to find bpftrace, sudo, pkexec (default: this process's). */
  pathEnv?: string;
  attachTimeoutMs?: number;
  /** Output counts as drained when it has not grown for quietMs (at most maxMs). */
  drain?: { quietMs: number; maxMs: number };
  hostLimits?: HostLimits | false;
  /** Keep the work directory (raw and sorted records, script) after writing the bundle. */
  keepWorkDir?: boolean;
  /** Replace an existing file at `output` (the CLI's --force; the app's save dialog asked). Refused otherwise. */
  overwrite?: boolean;
  figuresIntervalMs?: number;
}

export interface AttachedInfo {
  backend: Backend;
  variant: string;
  attachedProbes: number | null;
  attachedAtNs: string | null;
  threads: number;
  containers: string[];
  gateway: string;
  elevation: ElevationMethod;
  workDir: string;
}

export interface LiveFigures {
  state: CaptureState;
  elapsedMs: number;
  /** What `records` and `byProbe` count: record lines, or kernel events while the ftrace child captures (its records come after). */
  counting: 'records' | 'events';
  records: number;
  recordsPerSecond: number;
  bytes: number;
  bytesPerSecond: number;
  byProbe: Record<string, number>;
  lostEvents: number;
  malformed: number;
}

export interface CaptureResult {
  output: string;
  partial: boolean;
  partialReason: string | null;
  traceCount: number;
  spanCount: number;
  records: number;
  malformed: number;
  lostEvents: number;
  diagnostics: Record<string, number>;
  variant: string;
  /** Set when the work directory was kept. */
  workDir: string | null;
  /** What to change next time (e.g. a ring buffer sized from the measured rate after lost events). */
  advice: string | null;
}

export interface CaptureLog {
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** What every phase may do to the session it runs in. */
export interface PhaseContext {
  log(level: CaptureLog['level'], text: string): void;
  setState(s: CaptureState): void;
  /** cancel() before the probes were attached: the phase ends with this, not with a child error. */
  throwIfCancelled(): void;
}
