import { rm } from 'node:fs/promises';
import type { VariantSpec } from '../probes/probe-catalog.js';
import { BpftraceOutputPump } from '../bpftrace/bpftrace-output.js';
import type { RecordTail } from '../bpftrace/record-tail.js';
import { bpftraceLaunch, ftraceLaunch, type BackendLaunch, type OutputPump } from './backend-launch.js';
import type { CaptureCollaborators } from './capture-collaborators.js';
import { CaptureError } from './capture-errors.js';
import type { CapturePlan } from './capture-plan.js';
import type { AttachedInfo, CaptureOptions, PhaseContext } from './capture-types.js';
import { explainChildFailure, isProgramRejection } from './child-messages.js';
import { meaningfulOutput } from './child-log.js';
import { planElevation } from './elevation.js';
import { interval, type Disposable } from './lifecycle.js';
import type { CaptureChild } from './pty-child.js';

// The attach phase: start the elevated child (bpftrace, or our tracefs reader) in a pty and know
// when every probe is attached: the script's attach marker in the records file, not a fixed
// wait. A variant the kernel rejects gives way to the next one the plan lists; a child that dies
// or a timeout ends the phase with the child's own words.

/** What runs once the probes are attached: the stop and finalize phases work on it. */
export interface Attachment {
  launch: BackendLaunch;
  child: CaptureChild;
  tail: RecordTail;
  /** bpftrace: converts its output into the records file; ftrace: relays the root helper's output (ftrace-relay.ts). */
  pump: OutputPump | null;
  info: AttachedInfo;
  /** The child's line subscription (the session disposes it). */
  lines: Disposable;
}

export class AttachPhase {
  /** The child of the variant being tried (for cancel and teardown while attaching). */
  child: CaptureChild | null = null;
  tail: RecordTail | null = null;
  pump: OutputPump | null = null;

  constructor(
    private readonly o: CaptureOptions,
    private readonly deps: Pick<CaptureCollaborators, 'startChild' | 'followRecords' | 'childTakesLines'>,
    private readonly ctx: PhaseContext,
    private readonly onChildLine: (line: string) => void,
  ) {}

  /** Tries the plan's variants in order; resolves once every probe of one is attached. */
  async run(plan: CapturePlan, workDir: string): Promise<Attachment> {
    const variants = plan.variants;
    let lastError: Error | null = null;
    for (const variant of variants) {
      try {
        return await this.attachVariant(plan, variant, workDir);
      } catch (e) {
        if (e instanceof CaptureError && e.code === 'probe-rejected' && variant !== variants[variants.length - 1] && !this.o.variant) {
          this.ctx.log('warn', `variant ${variant.id} was rejected by the kernel (${e.message}); trying the next one`);
          lastError = e;
          continue;
        }
        throw e;
      }
    }
    throw lastError ?? new Error('no variant to try');
  }

  /** The child's terminal output without its noise. */
  childOutput(): string {
    return meaningfulOutput(this.child?.transcript() ?? '');
  }

  private async attachVariant(p: CapturePlan, variant: VariantSpec, workDir: string): Promise<Attachment> {
    const o = this.o;
    const input = {
      catalog: p.catalog,
      variant,
      features: p.features,
      discovery: p.discovery,
      probes: p.probes,
      custom: p.custom,
      workDir,
      ...(o.rbPages !== undefined ? { rbPages: o.rbPages } : {}),
      ...(o.bufferKb !== undefined ? { bufferKb: o.bufferKb } : {}),
      childTakesLines: this.deps.childTakesLines,
    };
    const launch = variant.backend === 'bpftrace' ? await bpftraceLaunch(input) : await ftraceLaunch(input);
    await rm(launch.rawPath, { force: true });
    if (launch.convert) await rm(launch.convert.from, { force: true });
    this.ctx.throwIfCancelled();
    const pump = launch.pump ?? (launch.convert ? new BpftraceOutputPump(launch.convert.from, launch.rawPath, launch.convert.syscalls) : null);
    this.pump = pump;
    const f = p.features;
    const elevation = planElevation({ argv: launch.argv, env: launch.env, method: o.elevation ?? 'auto', uid: f.uid, sudo: f.sudo, pkexec: f.pkexec });
    this.ctx.setState('attaching');
    const tail = this.deps.followRecords(launch.rawPath);
    this.tail = tail;
    const child = this.deps.startChild({
      plan: elevation,
      cwd: workDir,
      ...(o.askPassword ? { askPassword: o.askPassword } : {}),
      onAuthenticating: (active) => this.ctx.setState(active ? 'authenticating' : 'attaching'),
    }, launch);
    this.child = child;
    const steered: OutputPump | null = pump;
    if (child.writeLine) steered?.takeControl?.((line: string) => child.writeLine!(line));
    const lines = child.onLine.on(this.onChildLine);
    const attachedP = new Promise<{ probes: number | null; atNs: string }>((resolve) => {
      const sub = tail.onAttached.on((a) => {
        sub.dispose();
        resolve(a);
      });
    });
    // bpftrace's output is converted as it comes, so the marker reaches the records file.
    const poller = interval(() => void this.readOutput(), 50);
    const timeoutMs = o.attachTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const outcome = await Promise.race([attachedP, child.exited.then((x) => ({ exit: x })), timeout]);
    clearTimeout(timer);
    poller.dispose();
    if (outcome === 'timeout' || 'exit' in outcome) {
      lines.dispose();
      const output = this.childOutput();
      // The next variant (if any) gets a fresh child and a fresh records file.
      child.dispose();
      await child.exited;
      await pump?.close();
      await tail.close();
      if (outcome === 'timeout') {
        throw new CaptureError('attach-timeout', `the ${variant.backend} child did not attach its probes within ${Math.round(timeoutMs / 1000)} s`, `its output:\n${output}`);
      }
      this.ctx.throwIfCancelled();
      const auth = child.authenticationError;
      if (auth) throw auth;
      throw explainChildFailure(variant.backend, outcome.exit, output, isProgramRejection(output));
    }
    const info: AttachedInfo = {
      backend: variant.backend,
      variant: variant.id,
      attachedProbes: outcome.probes,
      attachedAtNs: outcome.atNs,
      threads: p.discovery.meta.length,
      containers: p.discovery.containers.map((c) => c.name),
      gateway: p.discovery.gateway,
      elevation: elevation.method,
      workDir,
    };
    return { launch, child, tail, pump, info, lines };
  }

  /** Converts what bpftrace wrote (if it is bpftrace), then follows the records file. */
  async readOutput(): Promise<void> {
    await readOutput(this.pump, this.tail, this.ctx);
  }

  /** After a failed or cancelled start: the child is killed, the files closed. */
  async teardown(): Promise<void> {
    const child = this.child;
    if (child && !child.hasExited) {
      child.kill();
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    await this.pump?.close().catch(() => undefined);
    await this.tail?.close().catch(() => undefined);
  }

  dispose(): void {
    this.child?.dispose();
    void this.pump?.close().catch(() => undefined);
    this.tail?.dispose();
  }
}

/** Converts what bpftrace wrote (if it is bpftrace), then follows the records file. */
export async function readOutput(pump: OutputPump | null, tail: RecordTail | null, ctx: Pick<PhaseContext, 'log'>): Promise<void> {
  await pump?.poll().catch((e: unknown) => ctx.log('error', `converting ${pump.from}: ${String(e)}`));
  await tail?.poll().catch((e: unknown) => ctx.log('error', `reading ${tail.path}: ${String(e)}`));
}
