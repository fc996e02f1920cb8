// The capture part of the IPC contract (re-exported by ipc-contract.ts): what the capture screen
// sends and receives. Main adapts the capture services' own types onto these, so the renderer
// never depends on how discovery or the elevated session are implemented.

import type { AppError } from './ipc-contract.js';

export interface DockerNetworkSummary {
  name: string;
  id: string;
  driver: string;
  /** The network's gateway IP: traffic from it starts a request trace. */
  gateway: string | null;
  subnet: string | null;
  containerCount: number;
}

export interface ContainerThreads {
  id: string;
  name: string;
  ip: string;
  image: string;
  state: string;
  threadCount: number;
}

export interface NetworkInspection {
  network: string;
  gateway: string | null;
  containers: ContainerThreads[];
  threadCount: number;
  /** Containers that stopped or could not be read during discovery, with why. */
  problems: string[];
}

/** The capture backends; ipc-validate.ts checks requests against this list. */
export const CAPTURE_BACKENDS = ['bpftrace', 'ftrace'] as const;
export type CaptureBackend = (typeof CAPTURE_BACKENDS)[number];

export interface BackendStatus {
  backend: CaptureBackend;
  available: boolean;
  version: string | null;
  /** Why it cannot be used, and what to do. */
  problem: string | null;
  /** How this kernel gets the base set's records with this backend (the variant chosen), when usable. */
  variant: string | null;
}

export interface OptionalProbe {
  id: string;
  name: string;
  description: string;
  available: boolean;
  reason: string | null;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ProbeCatalog {
  backends: BackendStatus[];
  optional: OptionalProbe[];
  /** True when this app already has the rights to trace (no password needed). */
  privileged: boolean;
  checks: DoctorCheck[];
}

export interface CaptureBuffers {
  /** BPFTRACE_PERF_RB_PAGES; null lets the session size it from the thread count. */
  rbPages: number | null;
  /** ftrace per-CPU buffer in KiB; null for the default. */
  ftraceBufferKb: number | null;
}

export interface CaptureStartRequest {
  network: string;
  backend: CaptureBackend;
  optionalProbes: string[];
  customProbePath: string | null;
  buffers: CaptureBuffers;
  /** Where the bundle is written (chosen with pickCaptureOutput). */
  output: string;
  /** Stop by itself after this many seconds; null runs until stopCapture. */
  durationSec: number | null;
  /** A saved remote host (user@server[:port]); absent or null: this computer. */
  host?: string | null;
  /**
   * The session whose connection to `host` dropped ('connection-lost'): the capture goes on into
   * its bundle as a new segment, the gap in the manifest (docs/adr/0085); absent or null: a new capture.
   */
  resume?: string | null;
}

/** A remote host the capture screen offers (docs/adr/0065): stored without any secret. */
export interface SavedHost {
  /** user@server[:port], or an alias of ~/.ssh/config. */
  target: string;
}

/** A question a remote host asks, answered in the app's own dialog with answerHostPrompt. */
export interface HostPrompt {
  promptId: string;
  kind: 'password' | 'passphrase' | 'keyboard-interactive' | 'sudo' | 'host-key';
  host: string;
  message: string;
  /** Keyboard-interactive questions may be shown as typed. */
  echo: boolean;
  /** host-key: the SHA256 fingerprint to check; the answer is "yes" to trust it. */
  fingerprint: string | null;
}

export type CapturePhase =
  | 'preparing'
  | 'awaiting-password'
  | 'attaching'
  | 'capturing'
  | 'draining'
  | 'sorting'
  | 'generating'
  | 'writing'
  | 'done'
  | 'failed'
  | 'cancelled';

export interface CaptureFigures {
  elapsedMs: number;
  /** Record lines, or kernel events while the ftrace backend captures (its records come after). */
  counting: 'records' | 'events';
  records: number;
  recordsPerSec: number;
  bytes: number;
  lostEvents: number;
  perProbe: Record<string, number>;
}

export type CaptureEvent =
  | { sessionId: string; type: 'phase'; phase: CapturePhase; detail: string | null }
  | { sessionId: string; type: 'figures'; figures: CaptureFigures }
  /** fraction null: the stage runs, how far is not known. */
  | { sessionId: string; type: 'progress'; stage: string; fraction: number | null }
  | { sessionId: string; type: 'log'; level: 'info' | 'warn' | 'error'; text: string }
  | { sessionId: string; type: 'privilege-prompt'; promptId: string; tool: string; message: string }
  | { sessionId: string; type: 'done'; bundlePath: string; partial: boolean; partialReason: string | null; lostEvents: number }
  /**
   * The connection to the remote host dropped; the partial bundle is written (null: nothing had
   * arrived yet). Resume: startCapture with `resume`; Finish: stopCapture.
   */
  | { sessionId: string; type: 'connection-lost'; host: string; reason: string; bundlePath: string | null }
  | { sessionId: string; type: 'failed'; error: AppError };
