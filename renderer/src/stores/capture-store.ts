import { create } from 'zustand';
import type { AppError } from '../../../electron/ipc-contract.js';
import type { CaptureBackend, CaptureFigures, CapturePhase, DockerNetworkSummary, NetworkInspection, ProbeCatalog } from '../../../electron/ipc-capture-types.js';

// The capture screen's state: what discovery found, the chosen settings, and the running session
// as its events report it. Failures are kept per step so each shows where it happened.

export interface Loadable<T> {
  value: T | null;
  loading: boolean;
  error: AppError | null;
}

export interface CaptureForm {
  backend: CaptureBackend;
  optionalProbes: string[];
  /** The user ticked or unticked an optional probe: the defaults no longer apply. */
  probesTouched: boolean;
  customProbePath: string | null;
  rbPages: string;
  ftraceBufferKb: string;
  durationSec: string;
  output: string | null;
}

export interface CaptureSessionState {
  id: string;
  phase: CapturePhase;
  detail: string | null;
  figures: CaptureFigures | null;
  /** (elapsed ms, count) of the recent figures, for a rate that agrees with the count shown. */
  samples: { t: number; n: number }[];
  /** Latest fraction per post-capture stage (sort, generate, count, write); null while running without a known fraction. */
  progress: Record<string, number | null>;
  /** The session's own messages (tracer warnings, what it does), newest last. */
  log: { level: 'info' | 'warn' | 'error'; text: string }[];
  prompt: { promptId: string; tool: string; message: string } | null;
  finished: boolean;
  result: { bundlePath: string; partial: boolean; partialReason: string | null; lostEvents: number } | null;
  error: AppError | null;
  /** The connection to the remote host dropped; its partial bundle is written: Resume or Finish (docs/adr/0085). */
  lost?: { host: string; reason: string; bundlePath: string | null } | null;
  /** Resume was asked: reconnecting, waiting for the host to stop the earlier tracer. */
  resuming?: boolean;
}

interface CaptureState {
  networks: Loadable<DockerNetworkSummary[]>;
  network: string | null;
  inspection: Loadable<NetworkInspection>;
  catalog: Loadable<ProbeCatalog>;
  form: CaptureForm;
  starting: boolean;
  startError: AppError | null;
  session: CaptureSessionState | null;
  setNetworks(l: Loadable<DockerNetworkSummary[]>): void;
  setNetwork(n: string | null): void;
  setInspection(l: Loadable<NetworkInspection>): void;
  setCatalog(l: Loadable<ProbeCatalog>): void;
  updateForm(p: Partial<CaptureForm>): void;
  setStarting(starting: boolean, error: AppError | null): void;
  setSession(s: CaptureSessionState | null): void;
  updateSession(id: string, f: (s: CaptureSessionState) => Partial<CaptureSessionState>): void;
}

export const idle = <T,>(): Loadable<T> => ({ value: null, loading: false, error: null });

export const useCapture = create<CaptureState>()((set) => ({
  networks: idle(),
  network: null,
  inspection: idle(),
  catalog: idle(),
  form: { backend: 'ftrace', optionalProbes: [], probesTouched: false, customProbePath: null, rbPages: '', ftraceBufferKb: '', durationSec: '', output: null },
  starting: false,
  startError: null,
  session: null,
  setNetworks: (networks) => set({ networks }),
  setNetwork: (network) => set({ network }),
  setInspection: (inspection) => set({ inspection }),
  setCatalog: (catalog) => set({ catalog }),
  updateForm: (p) => set((s) => ({ form: { ...s.form, ...p } })),
  setStarting: (starting, startError) => set({ starting, startError }),
  setSession: (session) => set({ session }),
  updateSession: (id, f) => set((s) => (s.session === null || s.session.id !== id ? {} : { session: { ...s.session, ...f(s.session) } })),
}));
