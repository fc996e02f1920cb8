import { rm } from 'node:fs/promises';
import { CancelledError } from '../../engine/records/line-reader.js';
import { AttachPhase, type Attachment } from './attach-phase.js';
import { captureCollaborators, type CaptureCollaborators } from './capture-collaborators.js';
import { CaptureError } from './capture-errors.js';
import { planCapture, type CapturePlan } from './capture-plan.js';
import type { AttachedInfo, CaptureLog, CaptureOptions, CaptureResult, CaptureState, LiveFigures, PhaseContext } from './capture-types.js';
import { ChildLogFilter } from './child-log.js';
import { finalizePhase } from './finalize-phase.js';
import { DisposableStore, Emitter, type Disposable } from './lifecycle.js';
import { FiguresMeter, watchCapture } from './live-figures.js';
import { ftraceThreadAdder, NetworkChanges } from './network-changes.js';
import { checkOutputPath, makeWorkDir } from './output-check.js';
import { writeWorkNote } from './work-note.js';
import type { ChildExit } from './pty-child.js';
import { stopCapture, stopChild } from './stop-phase.js';

export type { AttachedInfo, CaptureLog, CaptureOptions, CaptureResult, CaptureState, LiveFigures } from './capture-types.js';

// One capture, start to bundle (docs/adr/0020..0023), as a sequence of phases, each an object or
// function of its own with its collaborators passed in (capture-collaborators.ts): plan
// (capture-plan.ts: output, kernel, probes, backend, network), attach (attach-phase.ts: the
// elevated child in a pty until the attach marker), live figures (live-figures.ts: figures and
// the host guard), stop (stop-phase.ts: drain, stop the child, convert what it left) and finalize
// (finalize-phase.ts: the bundle). This class holds the state machine, the events and the
// rules between phases: if the child dies, the host runs short, or the user cancels, what was
// captured is kept and the bundle says why it is partial.

export class CaptureSession implements Disposable {
  readonly onState = new Emitter<CaptureState>();
  readonly onFigures = new Emitter<LiveFigures>();
  readonly onLog = new Emitter<CaptureLog>();
  readonly onAttached = new Emitter<AttachedInfo>();
  /** Progress of generating the bundle after the capture (0..1); generating can take a while. */
  readonly onProgress = new Emitter<{ stage: 'generating'; fraction: number }>();
  private readonly store = new DisposableStore();
  private readonly deps: CaptureCollaborators;
  private readonly ctx: PhaseContext;
  private readonly attach: AttachPhase;
  private readonly meter = new FiguresMeter();
  private readonly childLog = new ChildLogFilter();
  private readonly changes: NetworkChanges;
  private stateValue: CaptureState = 'idle';
  private workDir: string | null = null;
  private output = '';
  private plan: CapturePlan | null = null;
  private attached: Attachment | null = null;
  private finishing: Promise<CaptureResult> | null = null;
  /** start() while it runs: a cancel waits for it before removing the work folder it writes into. */
  private starting: Promise<AttachedInfo> | null = null;
  private expectExit = false;
  private readonly finalizeAbort = new AbortController();

  constructor(
    private readonly o: CaptureOptions,
    collaborators: Partial<CaptureCollaborators> = {},
  ) {
    for (const e of [this.onState, this.onFigures, this.onLog, this.onAttached, this.onProgress]) this.store.add(e);
    this.deps = captureCollaborators(o, collaborators);
    this.ctx = {
      log: (level, text) => this.onLog.fire({ level, text }),
      setState: (s) => this.setState(s),
      throwIfCancelled: () => {
        if (this.stateValue === 'cancelled') throw new CaptureError('auth-cancelled', 'the capture was cancelled before its probes were attached; nothing was captured');
      },
    };
    this.changes = this.store.add(new NetworkChanges(this.ctx));
    this.attach = new AttachPhase(o, this.deps, this.ctx, (line) => {
      const entry = this.childLog.line(line);
      if (entry !== null) this.onLog.fire(entry);
    });
  }

  get state(): CaptureState {
    return this.stateValue;
  }

  get attachedInfo(): AttachedInfo | null {
    return this.attached?.info ?? null;
  }

  /** The pid of the process in the pty (bpftrace or our ftrace child when direct; sudo/pkexec otherwise). */
  get childPid(): number | null {
    return this.attach.child?.pid ?? null;
  }

  /** The bundle being written once the capture ends (by stop(), cancel or the child's death). */
  get finished(): Promise<CaptureResult> | null {
    return this.finishing;
  }

  private setState(s: CaptureState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    this.onState.fire(s);
  }

  /** Prepares and starts the capture; resolves once every probe is attached. */
  start(): Promise<AttachedInfo> {
    if (this.stateValue !== 'idle') return Promise.reject(new Error(`start() in state ${this.stateValue}`));
    this.setState('preparing');
    this.starting = this.prepareAndAttach();
    return this.starting;
  }

  private async prepareAndAttach(): Promise<AttachedInfo> {
    try {
      this.output = await checkOutputPath(this.o.output, { overwrite: this.o.overwrite === true });
      // Created first: where the records will go is the first thing that can fail.
      this.workDir = await makeWorkDir(this.output);
      this.plan = await planCapture(this.o, this.deps.discover, this.ctx, this.deps.kernelFeatures);
      const d = this.plan.discovery;
      await writeWorkNote(this.workDir, d.meta, { gateway: d.gateway, network: this.o.network, output: this.output, startedAt: new Date().toISOString() });
      const a = await this.attach.run(this.plan, this.workDir);
      // A cancel that raced the attach marker still cancels: the catch kills the child.
      this.ctx.throwIfCancelled();
      return this.capturing(a);
    } catch (e) {
      await this.teardownAfterFailure();
      this.setState((this.stateValue as CaptureState) === 'cancelled' ? 'cancelled' : 'failed');
      throw e;
    }
  }

  /** Attached: from now on the child's death ends the capture with what it has. */
  private capturing(a: Attachment): AttachedInfo {
    this.attached = a;
    this.store.add(a.lines);
    this.meter.restart(a.tail, new Date());
    this.setState('capturing');
    this.changes.start(this.deps.watchNetwork, this.plan!, ftraceThreadAdder(this.o, this.plan!, a));
    this.store.add(
      watchCapture(this.o, a, this.meter, this.ctx, {
        state: () => this.stateValue,
        onFigures: (f) => this.onFigures.fire(f),
        onShortage: (why) => {
          this.ctx.log('error', `${why}: stopping the capture and keeping what was captured`);
          void this.finish(why, false);
        },
        ...(this.deps.hostShortage ? { tracedHostShortage: this.deps.hostShortage } : {}),
      }),
    );
    void a.child.exited.then((x) => this.onChildExit(x));
    this.onAttached.fire(a.info);
    return a.info;
  }

  /** The live figures now. */
  figures(): LiveFigures {
    return this.meter.figures(this.stateValue);
  }

  private onChildExit(x: ChildExit): void {
    if (this.expectExit || this.finishing) return;
    const how = x.signal ? `was killed by signal ${x.signal}` : `exited with code ${x.exitCode}`;
    const tail = this.attach.childOutput().split('\n').slice(-3).join(' | ');
    const reason = `the ${this.attached?.info.backend ?? 'capture'} child ${how} during the capture${tail ? ` (${tail})` : ''}`;
    this.ctx.log('error', `${reason}; keeping what was captured`);
    void this.finish(reason, false);
  }

  /** Stops the capture: drain, stop the child, sort, generate, write the bundle. */
  stop(): Promise<CaptureResult> {
    if (this.finishing) return this.finishing;
    if (this.stateValue !== 'capturing') return Promise.reject(new Error(`stop() in state ${this.stateValue}`));
    return this.finish(null, true);
  }

  /**
   * Cancels. After the probes are attached the capture so far is kept in a bundle marked partial
   * (`keep: false` discards it); before that, the child is stopped and nothing is written. While
   * the bundle is being built, `keep: false` stops building it and discards the capture.
   */
  async cancel(opts: { keep?: boolean; reason?: string } = {}): Promise<CaptureResult | null> {
    if (this.finishing) {
      if (opts.keep !== false) return this.finishing;
      this.finalizeAbort.abort();
      return this.finishing.then(
        () => null,
        async (e: unknown) => {
          if (!(e instanceof CancelledError)) throw e;
          this.setState('cancelled');
          if (this.workDir) await removeWorkDir(this.workDir);
          return null;
        },
      );
    }
    if (this.stateValue === 'capturing' && opts.keep !== false) return this.finish(opts.reason ?? 'cancelled by the user', false);
    this.setState('cancelled');
    this.expectExit = true;
    await stopChild(this.attach.child, this.ctx);
    // start() may still be writing into the work folder (its note, the probe files): removing
    // the folder under it failed with ENOTEMPTY. It sees the cancel and tears down by itself.
    if (this.starting) await this.starting.then(noop, noop);
    await this.teardownAfterFailure();
    return null;
  }

  private finish(partialReason: string | null, drain: boolean): Promise<CaptureResult> {
    this.finishing ??= this.stopAndFinalize(partialReason, drain).catch(async (e: unknown) => {
      if (e instanceof CancelledError) throw e;
      this.setState('failed');
      // The records are the user's: a failed bundle leaves them on disk.
      if (this.workDir) this.ctx.log('error', `the raw capture is kept in ${this.workDir}`);
      throw e;
    });
    return this.finishing;
  }

  private async stopAndFinalize(partialReason: string | null, drain: boolean): Promise<CaptureResult> {
    // Let finish() store this promise before any state change reaches listeners (who may call stop()).
    await Promise.resolve();
    const stoppedAt = new Date();
    await this.changes.stop(stoppedAt);
    const a = this.attached!;
    this.expectExit = true;
    await stopCapture(this.o, a, this.ctx, drain);
    return finalizePhase(
      {
        o: this.o,
        plan: this.plan!,
        attached: a,
        output: this.output,
        startedAt: this.meter.startedAt,
        stoppedAt,
        partialReason,
        containerChanges: await this.changes.reasons(),
        signal: this.finalizeAbort.signal,
        onProgress: (fraction) => this.onProgress.fire({ stage: 'generating', fraction }),
      },
      this.deps.finalize,
      this.ctx,
    );
  }

  private async teardownAfterFailure(): Promise<void> {
    this.expectExit = true;
    await this.attach.teardown();
    if (this.workDir && this.o.keepWorkDir !== true) await removeWorkDir(this.workDir);
  }

  /**
   * A second Ctrl-C: stop faster, never lose data. While draining the child is stopped now (its
   * last read keeps what the kernel still holds); while the bundle is built, building stops: the
   * bundle keeps its records without traces, or the records stay in the work folder.
   */
  hurry(): void {
    if (this.stateValue === 'draining') this.attach.child?.interrupt();
    else if (this.stateValue === 'sorting' || this.stateValue === 'generating') this.finalizeAbort.abort();
  }

  /** The work folder (raw records) of a capture that has started. */
  get workFolder(): string | null {
    return this.workDir;
  }

  /** Kills a running child and releases everything; a capture not finished is discarded. */
  dispose(): void {
    this.expectExit = true;
    this.attach.dispose();
    this.store.dispose();
    if (!this.finishing && this.workDir && this.o.keepWorkDir !== true) void removeWorkDir(this.workDir).catch(noop);
  }
}

function noop(): void {}

/** Removes a work folder; retried because a child that just ended may still close files in it. */
function removeWorkDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
