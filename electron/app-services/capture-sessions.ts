import { randomBytes } from 'node:crypto';
import { CaptureError } from '../../capture/session/capture-errors.js';
import { RemoteError } from '../../capture/remote/remote-errors.js';
import { CaptureSession, type CaptureOptions, type CaptureState, type LiveFigures } from '../../capture/session/capture-session.js';
import type { PasswordRequest } from '../../capture/session/elevation.js';
import type { DockerEndpoint } from '../../capture/discovery/docker-connection.js';
import type { NetworkDiscovery } from '../../capture/discovery/network-discovery.js';
import { runDoctor } from '../../capture/probes/doctor.js';
import { loadCatalog } from '../../capture/probes/probe-catalog.js';
import type { CaptureEvent, CapturePhase, CaptureStartRequest, ProbeCatalog } from '../ipc-capture-types.js';
import type { AppErrorKind } from '../ipc-contract.js';
import { AppFailure, toAppError } from './app-error.js';
import { discoveryFailure } from './capture-errors.js';
import type { CaptureSessionPort } from './capture-bridge.js';
import { finalizeInEngine } from '../../capture/session/finalize-capture.js';
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
    const catalog = loadCatalog();
    const f = report.features;
    const missing = (backend: 'bpftrace' | 'ftrace') =>
      report.variants
        .filter((v) => v.backend === backend)
        .map((v) => `${v.title}: needs ${v.missing.join(', ')}`)
        .join('; ');
    const available = new Map(report.optionalProbes.map((p) => [p.id, p.available]));
    const variantTitle = (id: string | null) => catalog.variants.find((v) => v.id === id)?.title ?? null;
    return {
      // ftrace first: the app starts with the first usable one, and it costs the application the
      // least under load (docs/adr/0025); custom probes switch the form to bpftrace.
      backends: [
        {
          backend: 'ftrace',
          available: report.chosen.ftrace !== null,
          version: null,
          problem: report.chosen.ftrace === null ? missing('ftrace') || 'needs root, sudo or pkexec' : null,
          variant: variantTitle(report.chosen.ftrace),
        },
        {
          backend: 'bpftrace',
          available: report.chosen.bpftrace !== null,
          version: f.bpftrace?.version ?? null,
          problem: f.bpftrace === null ? 'bpftrace is not installed (apt-get install -y bpftrace)' : report.chosen.bpftrace === null ? missing('bpftrace') : null,
          variant: variantTitle(report.chosen.bpftrace),
        },
      ],
      optional: catalog.optional.map((p) => ({
        id: p.id,
        name: p.id,
        description: p.title,
        available: available.get(p.id) !== false,
        reason: available.get(p.id) === false ? `this kernel lacks ${p.tracepoints.join(', ')}` : null,
      })),
      privileged: f.uid === 0,
      checks: report.checks.map((c) => ({ name: c.id, ok: c.status === 'ok' || c.status === 'info', detail: c.hint ? `${c.summary} (${c.hint})` : c.summary })),
    };
  }

  async start(req: CaptureStartRequest, emit: (e: CaptureEvent) => void, discovered?: NetworkDiscovery, remote?: RemoteStart): Promise<{ sessionId: string }> {
    const sessionId = `c${randomBytes(6).toString('hex')}`;
    const prompts = new Map<string, (password: string | null) => void>();
    const askPassword = (r: PasswordRequest) =>
      new Promise<string | null>((resolve) => {
        const promptId = randomBytes(6).toString('hex');
        prompts.set(promptId, resolve);
        const again = r.attempt > 1 ? ' The password was not accepted; try again.' : '';
        emit({ sessionId, type: 'privilege-prompt', promptId, tool: r.method, message: `${r.message}${again}` });
      });
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
      // The output came from the save dialog, which asked before replacing a file.
      overwrite: true,
      askPassword,
    }, {
      finalize: (inp) => finalizeInEngine(inp, this.engine()),
      // On a remote host: its features, its tracer over the connection, its clocks in the manifest.
      ...(remote ? remote.collaborators((inp) => finalizeInEngine(inp, this.engine())) : {}),
      ...(discovered !== undefined ? { discover: async () => discovered } : {}),
    });
    const run: Running = { session, emit, prompts, timer: null };
    this.running.set(sessionId, run);
    session.onState.on((s) => this.onState(sessionId, run, s));
    session.onFigures.on((f) => emit({ sessionId, type: 'figures', figures: figuresOf(f) }));
    session.onLog.on((l) => emit({ sessionId, type: 'log', level: l.level, text: l.text }));
    // Starting takes seconds (discovery, password, attaching): answer now, report by events.
    void session.start().then(
      () => {
        if (req.durationSec !== null) run.timer = setTimeout(() => void this.stop(sessionId), req.durationSec * 1000);
      },
      (e: unknown) => this.fail(sessionId, run, e),
    );
    return { sessionId };
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

  async stop(sessionId: string): Promise<boolean> {
    const run = this.running.get(sessionId);
    if (run === undefined || run.session.state !== 'capturing') return false;
    if (run.timer !== null) clearTimeout(run.timer);
    void run.session.stop().then(
      (r) => {
        for (const stage of ['sort', 'generate', 'count', 'write']) run.emit({ sessionId, type: 'progress', stage, fraction: 1 });
        run.emit({ sessionId, type: 'phase', phase: 'done', detail: `${r.traceCount} traces, ${r.spanCount} spans from ${r.records} records` });
        run.emit({ sessionId, type: 'done', bundlePath: r.output, partial: r.partial, partialReason: r.partialReason, lostEvents: r.lostEvents });
        this.release(sessionId);
      },
      (e: unknown) => this.fail(sessionId, run, e),
    );
    return true;
  }

  /** Cancels: before the probes attach nothing is written; while capturing, the capture is discarded. */
  async cancel(sessionId: string): Promise<boolean> {
    const run = this.running.get(sessionId);
    if (run === undefined) return false;
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
