// What a bundle says about itself. Stored as one JSON value per key in the `manifest` table.
import type { ModelName } from '../model/span-link.js';

export interface CaptureInfo {
  backend: 'bpftrace' | 'ftrace' | 'import';
  network: string | null;
  gateway: string;
  kernel: string | null;
  hostname: string | null;
  /** ISO times of the capture, when known. */
  startedAt: string | null;
  stoppedAt: string | null;
  attachedProbes: number | null;
  lostEvents: number;
  /** Set when the capture ended early (bpftrace died, cancelled): what was captured is kept. */
  partial: boolean;
  partialReason: string | null;
  /** Buffer sizes and other knobs the capture ran with. */
  parameters: Record<string, string | number | boolean>;
  probesSelected: string[];
  /** Set when the capture ran on another host over SSH (docs/adr/0065): which, and its clocks at start and end, to align hosts later. */
  remote?: RemoteCaptureInfo;
  /** Times the capture did not cover: the connection to the remote host was lost and the capture resumed into the same bundle (docs/adr/0085). */
  gaps?: CaptureGap[];
}

/** A stretch between two segments of one capture, when nothing was recorded. */
export interface CaptureGap {
  /** ISO times: the earlier segment's end and the next one's start (this machine's clock). */
  from: string;
  to: string;
  /** Why the earlier segment ended, e.g. "the connection to HOST was lost". */
  reason: string;
  /** The host's CLOCK_MONOTONIC (decimal ns) when the earlier tracer ended (null: the connection dropped before it said) and when the next one started. */
  monotonicFrom: string | null;
  monotonicTo: string | null;
}

/** One reading of a host's clocks (decimal ns strings: beyond 2^53). */
export interface HostClockSample {
  realtimeNs: string;
  monotonicNs: string;
  bootId: string;
}

export interface RemoteCaptureInfo {
  transport: 'ssh';
  /** user@host[:port] as given (an alias of ~/.ssh/config, or a name). */
  target: string;
  hostname: string;
  user: string;
  port: number;
  /** How the tracer got root there: the user is root, sudo without a password, sudo with one. */
  privilege: 'root' | 'sudo-n' | 'sudo-password';
  /** Read right before the tracer started and right after it ended; null when the connection dropped first. */
  clockStart: HostClockSample | null;
  clockEnd: HostClockSample | null;
}

export interface BundleManifest {
  format: 'misertrace-bundle';
  formatVersion: number;
  toolVersion: string;
  createdAt: string;
  /** Exact absolute ns of relative time 0 (decimal string). */
  timeBaseNs: string;
  firstTs: number;
  lastTs: number;
  capture: CaptureInfo;
  stream: { lines: number; records: number; malformed: number; ownLines: number };
  generator: Record<string, number>;
  /** The model that made the traces (while tracesPending: the one asked for); absent in bundles written before the causal model (original). */
  model?: ModelName;
  traceCount: number;
  spanCount: number;
  /**
   * Present while the bundle holds its records but no traces (written first, ADR 0061): why,
   * e.g. the generation stopped. `misertrace generate -i B.mstrace` adds them.
   */
  tracesPending?: string;
  /** Written last: a bundle without it is incomplete and refused. */
  complete: boolean;
}

export function defaultCaptureInfo(gateway: string): CaptureInfo {
  return {
    backend: 'import',
    network: null,
    gateway,
    kernel: null,
    hostname: null,
    startedAt: null,
    stoppedAt: null,
    attachedProbes: null,
    lostEvents: 0,
    partial: false,
    partialReason: null,
    parameters: {},
    probesSelected: [],
  };
}
