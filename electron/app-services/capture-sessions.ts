import { randomBytes } from 'node:crypto';
import { CaptureError } from '../../capture/session/capture-errors.js';
import { RemoteError } from '../../capture/remote/remote-errors.js';
import { CaptureSession, type CaptureOptions, type CaptureResult, type CaptureState, type LiveFigures } from '../../capture/session/capture-session.js';
import { CaptureSegments } from '../../capture/remote/capture-segments.js';
import type { RemoteCapture } from '../../capture/remote/remote-capture.js';
import { tracerGone } from '../../capture/remote/remote-reconnect.js';
import type { PasswordRequest } from '../../capture/session/elevation.js';
import type { DockerEndpoint } from '../../capture/discovery/docker-connection.js';
import type { NetworkDiscovery } from '../../capture/discovery/network-discovery.js';
import { runDoctor } from '../../capture/probes/doctor.js';
import { catalogOf } from './probe-catalog-dto.js';
import type { CaptureEvent, CapturePhase, CaptureStartRequest, ProbeCatalog } from '../ipc-capture-types.js';
import type { AppErrorKind } from '../ipc-contract.js';
import { AppFailure, toAppError } from './app-error.js';
import { discoveryFailure } from './capture-errors.js';
import type { CaptureSessionPort } from './capture-bridge.js';
import { finalizeInEngine, type FinalizeInput } from '../../capture/session/finalize-capture.js';
import type { DoctorHost, RemoteStart } from './remote-hosts.js';
import { WorkerEngineClient, type EngineClient } from '../../engine/worker/engine-client.js';

// Capture sessions for the app: each CaptureSession (capture/session) is driven by
// verbs from the renderer and reports through events. The password prompt of sudo/pkexec goes
// to the renderer's own dialog and back; the password is handed to the session and not kept.

export interface CaptureSessionsOptions {
  docker?: DockerEndpoint;
  /** PATH used to find bpftrace, sudo and pkexec (default: this process's). */
  pathEnv?: string;
  /** How the child gets its rights; 'auto' (default) runs it directly when already root. */
  elevation?: CaptureOptions['elevation'];
  /** Builds the bundles (the import job); default: an engine worker of its own, started at the first finalize. */
  engine?: EngineClient;
}

const PHASE: Record<CaptureState, CapturePhase | null> = {
  idle: null,
  preparing: 'preparing',
  authenticating: 'awaiting-password',
  attaching: 'attaching',
  capturing: 'capturing',
  draining: 'draining',
  stopping: 'draining',
  sorting: 'sorting',
  generating: 'generating',
  done: null, // reported with the result
  failed: null, // reported with the error
  cancelled: 'cancelled',
};

const ERROR_KIND: Record<CaptureError['code'], AppErrorKind> = {
  'not-privileged': 'privileges',
  'auth-cancelled': 'cancelled',
  'auth-failed': 'privileges',
  'backend-missing': 'probe-missing',
  'probe-rejected': 'probe-missing',
  'attach-timeout': 'capture-failed',
  'child-failed': 'capture-failed',
  'output-unwritable': 'file',
  'no-records': 'capture-failed',
  tracefs: 'privileges',
};

const REMOTE_KIND: Record<RemoteError['code'], AppErrorKind> = {
  'bad-target': 'input',
  unreachable: 'capture-failed',
  'host-key-unknown': 'privileges',
  'host-key-changed': 'privileges',
  'auth-failed': 'privileges',
  'auth-cancelled': 'cancelled',
  disconnected: 'capture-failed',
  'not-privileged': 'privileges',
  'remote-command': 'capture-failed',
  'host-short': 'capture-failed',
};

export function captureFailure(e: unknown): unknown {
  if (e instanceof CaptureError) return new AppFailure(ERROR_KIND[e.code], e.message, e.hint);
  if (e instanceof RemoteError) return new AppFailure(REMOTE_KIND[e.code], e.message, e.hint);
  return discoveryFailure(e);
}

interface Running {
  session: CaptureSession;
  emit: (e: CaptureEvent) => void;
  prompts: Map<string, (password: string | null) => void>;
  timer: NodeJS.Timeout | null;
  req: CaptureStartRequest;
  /** A remote capture: its connection, its segments (resumed after a drop, docs/adr/0085), its tracer. */
  remote: { start: RemoteStart; segments: CaptureSegments; capture: RemoteCapture } | null;
  /** The user asked to stop (else the capture ended by itself: the child died, the connection dropped). */
  stopping: boolean;
  /** The connection dropped and the partial bundle is written: waiting for Resume or Finish. */
  lost: { reason: string; result: CaptureResult | null; error: unknown } | null;
}

export class CaptureSessions implements CaptureSessionPort {
  private readonly running = new Map<string, Running>();
  private ownEngine: WorkerEngineClient | null = null;

  constructor(private readonly o: CaptureSessionsOptions = {}) {}

  /** Main never builds a bundle itself: a capture ends with the engine worker's import job (docs/adr/0055). */
  private engine(): EngineClient {
    return this.o.engine ?? (this.ownEngine ??= new WorkerEngineClient());
  }

  async probeCatalog(host?: DoctorHost): Promise<ProbeCatalog> {
    const report = await runDoctor({ ...(this.o.pathEnv !== undefined ? { pathEnv: this.o.pathEnv } : {}), docker: this.o.docker ?? {}, ...(host ? { host } : {}) });
    return catalogOf(report);
  }

  async start(req: CaptureStartRequest, emit: (e: CaptureEvent) => void, discovered?: NetworkDiscovery, remote?: RemoteStart): Promise<{ sessionId: string }> {
    if (req.resume) return this.resume(req.resume, emit, discovered, remote);
    const sessionId = `c${randomBytes(6).toString('hex')}`;
    const run: Running = { session: null as unknown as CaptureSession, emit, prompts: new Map(), timer: null, req, remote: null, stopping: false, lost: null };
    if (remote) run.remote = { start: remote, segments: new CaptureSegments(req.output), capture: null as unknown as RemoteCapture };
    this.running.set(sessionId, run);
    this.launch(sessionId, run, discovered, false);
    return { sessionId };
  }

  /** A capture whose connection dropped goes on into the same bundle, over the new connection (docs/adr/0085). */
  private async resume(sessionId: string, emit: (e: CaptureEvent) => void, discovered?: NetworkDiscovery, remote?: RemoteStart): Promise<{ sessionId: string }> {
    const run = this.running.get(sessionId);
    if (run === undefined || run.lost === null || run.remote === null || remote === undefined) {
      throw new AppFailure('input', 'there is no capture to resume (it was finished, or its connection did not drop)', 'start a new capture');
    }
    const pid = run.remote.capture.child?.tracerPid ?? null;
    // Two tracers would trace the same threads twice: the host's watchdog stops the old one by itself.
    if (pid !== null && !(await tracerGone(remote.host, pid, 45_000))) {
      throw new AppFailure('capture-failed', `the earlier capture on ${remote.host.label} still runs (its tracer, pid ${pid})`, 'its watchdog stops it within 30 s: resume again then, or finish');
    }
    // A first segment that brought nothing leaves no gap: the bundle starts with the next.
    if (run.remote.segments.count > 0) run.remote.segments.resume(run.lost.reason);
    run.remote.start = remote;
    run.lost = null;
    run.stopping = false;
    run.emit = emit;
    run.session.dispose();
    this.launch(sessionId, run, discovered, true);
    return { sessionId };
  }

  /** Starts the session of a capture (or of its next segment); reports by events. */
  private launch(sessionId: string, run: Running, discovered: NetworkDiscovery | undefined, resumed: boolean): void {
    const req = run.req;
    const emit = (e: CaptureEvent) => run.emit(e);
    const askPassword = (r: PasswordRequest) =>
      new Promise<string | null>((resolve) => {
        const promptId = randomBytes(6).toString('hex');
        run.prompts.set(promptId, resolve);
        const again = r.attempt > 1 ? ' The password was not accepted; try again.' : '';
        emit({ sessionId, type: 'privilege-prompt', promptId, tool: r.method, message: `${r.message}${again}` });
      });
    const finalize = (inp: FinalizeInput) => finalizeInEngine(inp, this.engine());
    if (run.remote) run.remote.capture = run.remote.start.capture(run.remote.segments.finalize(finalize));
    const session = new CaptureSession({
      network: req.network,
      output: req.output,
      backend: req.backend,
      probes: req.optionalProbes,
      customProbeFiles: req.customProbePath === null ? [] : [req.customProbePath],
      ...(req.buffers.rbPages !== null ? { rbPages: req.buffers.rbPages } : {}),
      ...(req.buffers.ftraceBufferKb !== null ? { bufferKb: req.buffers.ftraceBufferKb } : {}),
      ...(this.o.docker !== undefined ? { docker: this.o.docker } : {}),
      ...(this.o.pathEnv !== undefined ? { pathEnv: this.o.pathEnv } : {}),
      elevation: this.o.elevation ?? 'auto',
      // The output came from the save dialog, which asked before replacing a file; a resumed
      // capture writes the whole capture over its own partial bundle.
      overwrite: true,
      askPassword,
    }, {
      finalize,
      // On a remote host: its features, its tracer over the connection, its clocks in the manifest.
      ...(run.remote ? run.remote.capture.collaborators : {}),
      ...(discovered !== undefined ? { discover: async () => discovered } : {}),
    });
    run.session = session;
    session.onState.on((s) => this.onState(sessionId, run, s));
    session.onFigures.on((f) => emit({ sessionId, type: 'figures', figures: figuresOf(f) }));
    session.onLog.on((l) => emit({ sessionId, type: 'log', level: l.level, text: l.text }));
    if (resumed) emit({ sessionId, type: 'log', level: 'info', text: `resuming the capture on ${run.remote?.start.host.label ?? 'the host'} into ${req.output}` });
    // Starting takes seconds (discovery, password, attaching): answer now, report by events.
    void session.start().then(
      () => {
        if (req.durationSec !== null && !resumed) run.timer = setTimeout(() => void this.stop(sessionId), req.durationSec * 1000);
        // The capture may end by itself (the child died, the host ran short, the connection dropped).
        session.onState.on((s) => {
          if (s === 'stopping' && !run.stopping) void this.endedByItself(sessionId, run, session);
        });
      },
      (e: unknown) => this.fail(sessionId, run, e),
    );
  }

  private async endedByItself(sessionId: string, run: Running, session: CaptureSession): Promise<void> {
    let r: CaptureResult | null = null;
    let error: unknown = null;
    try {
      r = await session.stop();
    } catch (e) {
      error = e;
    }
    const lost = run.remote?.start.host.closedReason;
    // Nothing had arrived when the connection dropped: no bundle yet, but the capture may resume.
    const nothing = error instanceof CaptureError && error.code === 'no-records' && run.remote?.segments.count === 0;
    if (run.remote && typeof lost === 'string' && (r?.partial === true || nothing)) {
      // Resume or Finish is the person's choice: the partial bundle is there meanwhile.
      run.lost = { reason: lost, result: r, error };
      run.emit({ sessionId, type: 'connection-lost', host: run.remote.start.host.label, reason: lost, bundlePath: r?.output ?? null });
      return;
    }
    if (r === null) this.fail(sessionId, run, error);
    else this.done(sessionId, run, r);
  }

  private done(sessionId: string, run: Running, r: CaptureResult): void {
    for (const stage of ['sort', 'generate', 'count', 'write']) run.emit({ sessionId, type: 'progress', stage, fraction: 1 });
    run.emit({ sessionId, type: 'phase', phase: 'done', detail: `${r.traceCount} traces, ${r.spanCount} spans from ${r.records} records` });
    // A resumed capture's bundle is partial by its gaps, whatever its last segment says.
    const partialReason = run.remote?.segments.partialReason ?? r.partialReason;
    run.emit({ sessionId, type: 'done', bundlePath: r.output, partial: r.partial || partialReason !== null, partialReason, lostEvents: r.lostEvents });
    this.release(sessionId);
  }

  private onState(sessionId: string, run: Running, s: CaptureState): void {
    const phase = PHASE[s];
    if (phase !== null) run.emit({ sessionId, type: 'phase', phase, detail: null });
    // finalizeCapture reports stages, not fractions: a stage is running until the next begins.
    if (s === 'sorting') run.emit({ sessionId, type: 'progress', stage: 'sort', fraction: null });
    if (s === 'generating') {
      run.emit({ sessionId, type: 'progress', stage: 'sort', fraction: 1 });
      run.emit({ sessionId, type: 'progress', stage: 'generate', fraction: null });
    }
  }

  /** Stops a capture; after a dropped connection: Finish, with the partial bundle already written. */
  async stop(sessionId: string): Promise<boolean> {
    const run = this.running.get(sessionId);
    if (run?.lost) {
      if (run.lost.result === null) this.fail(sessionId, run, run.lost.error);
      else this.done(sessionId, run, run.lost.result);
      return true;
    }
    if (run === undefined || run.session.state !== 'capturing') return false;
    if (run.timer !== null) clearTimeout(run.timer);
    run.stopping = true;
    void run.session.stop().then(
      (r) => this.done(sessionId, run, r),
      (e: unknown) => this.fail(sessionId, run, e),
    );
    return true;
  }

  /** Cancels: before the probes attach nothing is written; while capturing, the capture is discarded. */
  async cancel(sessionId: string): Promise<boolean> {
    const run = this.running.get(sessionId);
    if (run === undefined) return false;
    // The partial bundle of a dropped connection is kept: cancelling the offer finishes.
    if (run.lost) return this.stop(sessionId);
    for (const resolve of run.prompts.values()) resolve(null);
    run.prompts.clear();
    if (!['preparing', 'authenticating', 'attaching', 'capturing'].includes(run.session.state)) return false; // finishing: cannot be stopped midway
    await run.session.cancel({ keep: false });
    run.emit({ sessionId, type: 'phase', phase: 'cancelled', detail: 'nothing was written' });
    this.release(sessionId);
    return true;
  }

  async answerPrompt(sessionId: string, promptId: string, password: string | null): Promise<boolean> {
    const resolve = this.running.get(sessionId)?.prompts.get(promptId);
    if (resolve === undefined) return false;
    this.running.get(sessionId)!.prompts.delete(promptId);
    resolve(password);
    return true;
  }

  private fail(sessionId: string, run: Running, e: unknown): void {
    if (!this.running.has(sessionId)) return;
    run.emit({ sessionId, type: 'failed', error: toAppError(captureFailure(e)) });
    this.release(sessionId);
  }

  private release(sessionId: string): void {
    const run = this.running.get(sessionId);
    if (run === undefined) return;
    if (run.timer !== null) clearTimeout(run.timer);
    this.running.delete(sessionId);
    run.session.dispose();
    void run.remote?.segments.dispose();
  }

  async dispose(): Promise<void> {
    for (const [id, run] of [...this.running]) {
      for (const resolve of run.prompts.values()) resolve(null);
      await run.session.cancel({ keep: false }).catch(() => undefined);
      this.release(id);
    }
    await this.ownEngine?.dispose();
    this.ownEngine = null;
  }
}

function figuresOf(f: LiveFigures) {
  return { elapsedMs: f.elapsedMs, counting: f.counting, records: f.records, recordsPerSec: f.recordsPerSecond, bytes: f.bytes, lostEvents: f.lostEvents, perProbe: f.byProbe };
}
