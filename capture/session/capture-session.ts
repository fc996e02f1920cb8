import { closeSync, openSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { CancelledError } from '../../engine/records/line-reader.js';
import { DiscoveryService, type NetworkDiscovery } from '../discovery/network-discovery.js';
import type { DockerEndpoint } from '../discovery/docker-connection.js';
import { parseCustomProbes, type CustomProbeFile } from '../probes/custom-probes.js';
import { detectKernelFeatures, mountTracefs, type KernelFeatures } from '../probes/kernel-features.js';
import { loadCatalog, type Backend, type ProbeCatalog, type VariantSpec } from '../probes/probe-catalog.js';
import { bufferSizing } from '../probes/script-builder.js';
import { assertProbesSupported, chooseBackend, selectedProbes, supportedVariants } from '../probes/probe-support.js';
import { bpftraceLaunch, ftraceLaunch, type BackendLaunch } from './backend-launch.js';
import { BpftraceOutputPump } from '../bpftrace/bpftrace-output.js';
import { CaptureError } from './capture-errors.js';
import { explainChildFailure, isProgramRejection } from './child-messages.js';
import { planElevation, type ElevationMethod, type PasswordPrompt } from './elevation.js';
import { finalizeCapture, type FinalizeResult } from './finalize-capture.js';
import type { NodeRuntime } from '../ftrace/ftrace-config.js';
import { replaySpool } from '../ftrace/page-spool.js';
import { DEFAULT_LIMITS, hostShortage, type HostLimits } from './host-guard.js';
import { DisposableStore, Emitter, interval, type Disposable } from './lifecycle.js';
import { checkOutputPath, makeWorkDir } from './output-check.js';
import { PtyChild, type ChildExit } from './pty-child.js';
import { RecordTail } from '../bpftrace/record-tail.js';

// One capture, start to bundle (docs/adr/0020..0023): check the output path and the kernel,
// discover the network, start the elevated child (bpftrace, or our tracefs reader) in a pty,
// know when every probe is attached (the script's attach marker, not a fixed wait), convert
// bpftrace's output into records as it comes (docs/adr/0026), follow the records file for live
// figures, and on stop drain until the records stop coming, stop the child, sort, generate and
// write the bundle. If the child dies, the host runs short, or the user cancels, what was
// captured is kept and the bundle says why it is partial.

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
  /** bpftrace ring buffer pages per CPU (power of two). */
  rbPages?: number;
  /** ftrace buffer per CPU, KiB. */
  bufferKb?: number;
  elevation?: ElevationMethod | 'auto';
  askPassword?: PasswordPrompt;
  docker?: DockerEndpoint;
  /** PATH to find bpftrace, sudo, pkexec (default: this process's). */
  pathEnv?: string;
  nodeRuntime?: NodeRuntime;
  attachTimeoutMs?: number;
  /** Output counts as drained when it has not grown for quietMs (at most maxMs). */
  drain?: { quietMs: number; maxMs: number };
  hostLimits?: HostLimits | false;
  /** Keep the work directory (raw and sorted records, script) after writing the bundle. */
  keepWorkDir?: boolean;
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

// bpftrace's harmless noise on these machines (ENVIRONMENT.md) and its warnings about our own
// script, which the user can do nothing about.
const NOISE = [/couldn't set RLIMIT_MEMLOCK/, /WARNING: Addrspace mismatch/];

export class CaptureSession implements Disposable {
  readonly onState = new Emitter<CaptureState>();
  readonly onFigures = new Emitter<LiveFigures>();
  readonly onLog = new Emitter<CaptureLog>();
  readonly onAttached = new Emitter<AttachedInfo>();
  /** Progress of generating the bundle after the capture (0..1); generating can take a while. */
  readonly onProgress = new Emitter<{ stage: 'generating'; fraction: number }>();
  private readonly store = new DisposableStore();
  private stateValue: CaptureState = 'idle';
  private child: PtyChild | null = null;
  private tail: RecordTail | null = null;
  /** bpftrace: converts its output into the records file. */
  private pump: BpftraceOutputPump | null = null;
  private launch: BackendLaunch | null = null;
  private discovery: NetworkDiscovery | null = null;
  private features: KernelFeatures | null = null;
  private workDir: string | null = null;
  private output = '';
  private elevation: ElevationMethod = 'direct';
  private startedAt: Date | null = null;
  private attached: AttachedInfo | null = null;
  private finishing: Promise<CaptureResult> | null = null;
  private expectExit = false;
  private lastFigures = { at: 0, records: 0, bytes: 0 };
  private skipNoiseLines = 0;
  private selectedIds: string[] = [];
  private readonly finalizeAbort = new AbortController();

  constructor(private readonly o: CaptureOptions) {
    this.store.add(this.onState);
    this.store.add(this.onFigures);
    this.store.add(this.onLog);
    this.store.add(this.onAttached);
    this.store.add(this.onProgress);
  }

  get state(): CaptureState {
    return this.stateValue;
  }

  get attachedInfo(): AttachedInfo | null {
    return this.attached;
  }

  /** The pid of the process in the pty (bpftrace or our ftrace child when direct; sudo/pkexec otherwise). */
  get childPid(): number | null {
    return this.child?.pid ?? null;
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

  private log(level: CaptureLog['level'], text: string): void {
    this.onLog.fire({ level, text });
  }

  /** Prepares and starts the capture; resolves once every probe is attached. */
  async start(): Promise<AttachedInfo> {
    if (this.stateValue !== 'idle') throw new Error(`start() in state ${this.stateValue}`);
    this.setState('preparing');
    try {
      return await this.prepareAndAttach();
    } catch (e) {
      await this.teardownAfterFailure();
      this.setState((this.stateValue as CaptureState) === 'cancelled' ? 'cancelled' : 'failed');
      throw e;
    }
  }

  private async prepareAndAttach(): Promise<AttachedInfo> {
    const o = this.o;
    this.output = await checkOutputPath(o.output);
    // Created first: where the records will go is the first thing that can fail.
    this.workDir = await makeWorkDir(this.output);
    const catalog = loadCatalog();
    let features = await detectKernelFeatures(o.pathEnv !== undefined ? { pathEnv: o.pathEnv } : {});
    if (!features.tracefs.mounted && features.uid === 0) {
      this.log('info', 'tracefs is not mounted: mounting it at /sys/kernel/tracing');
      await mountTracefs().catch((e: unknown) => this.log('warn', `mounting tracefs failed: ${(e as Error).message}`));
      features = await detectKernelFeatures(o.pathEnv !== undefined ? { pathEnv: o.pathEnv } : {});
    }
    this.features = features;
    const custom: CustomProbeFile[] = [];
    for (const path of o.customProbeFiles ?? []) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new CaptureError('probe-rejected', `cannot read custom probes ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'check the path', 2);
      }
      const parsed = parseCustomProbes(text, path);
      for (const w of parsed.warnings) this.log('warn', w);
      custom.push(parsed);
    }
    let backend: Backend;
    if (o.backend === undefined || o.backend === 'auto') {
      const chosen = chooseBackend(catalog, features, custom, o.variant);
      backend = chosen.backend;
      this.log('info', `backend: ${backend} (${chosen.reason})`);
    } else backend = o.backend;
    const selection = {
      backend,
      ...(o.variant !== undefined ? { variant: o.variant } : {}),
      probes: o.probes ?? [],
      without: o.without ?? [],
      custom,
    };
    const probes = selectedProbes(catalog, selection);
    this.selectedIds = probes.map((p) => p.id);
    // Everything the kernel must offer is checked before anything starts.
    const variants = supportedVariants(catalog, features, selection);
    assertProbesSupported(probes, custom, features, backend);
    const elevationProbe = planElevation({ argv: ['/bin/true'], env: {}, method: o.elevation ?? 'auto', uid: features.uid, sudo: features.sudo, pkexec: features.pkexec });
    this.elevation = elevationProbe.method;

    const discovery = await new DiscoveryService(o.docker ?? {}).discover(o.network);
    this.throwIfCancelled();
    this.discovery = discovery;
    this.log('info', `network ${o.network}: ${discovery.containers.length} containers, ${discovery.meta.length} threads, gateway ${discovery.gateway}`);

    let lastError: Error | null = null;
    for (const variant of variants) {
      try {
        return await this.attachVariant(catalog, variant, features, discovery, probes, custom);
      } catch (e) {
        if (e instanceof CaptureError && e.code === 'probe-rejected' && variant !== variants[variants.length - 1] && !o.variant) {
          this.log('warn', `variant ${variant.id} was rejected by the kernel (${e.message}); trying the next one`);
          lastError = e;
          continue;
        }
        throw e;
      }
    }
    throw lastError ?? new Error('no variant to try');
  }

  private async attachVariant(
    catalog: ProbeCatalog,
    variant: VariantSpec,
    features: KernelFeatures,
    discovery: NetworkDiscovery,
    probes: ReturnType<typeof selectedProbes>,
    custom: CustomProbeFile[],
  ): Promise<AttachedInfo> {
    const o = this.o;
    const input = {
      catalog,
      variant,
      features,
      discovery,
      probes,
      custom,
      workDir: this.workDir!,
      ...(o.rbPages !== undefined ? { rbPages: o.rbPages } : {}),
      ...(o.bufferKb !== undefined ? { bufferKb: o.bufferKb } : {}),
      ...(o.nodeRuntime !== undefined ? { nodeRuntime: o.nodeRuntime } : {}),
    };
    const launch = variant.backend === 'bpftrace' ? await bpftraceLaunch(input) : await ftraceLaunch(input);
    await rm(launch.rawPath, { force: true });
    if (launch.convert) await rm(launch.convert.from, { force: true });
    this.throwIfCancelled();
    this.launch = launch;
    const pump = launch.convert ? new BpftraceOutputPump(launch.convert.from, launch.rawPath, launch.convert.syscalls) : null;
    this.pump = pump;
    const plan = planElevation({ argv: launch.argv, env: launch.env, method: o.elevation ?? 'auto', uid: features.uid, sudo: features.sudo, pkexec: features.pkexec });
    this.setState('attaching');
    const tail = new RecordTail(launch.rawPath);
    this.tail = tail;
    const child = new PtyChild({
      plan,
      cwd: this.workDir!,
      ...(o.askPassword ? { askPassword: o.askPassword } : {}),
      onAuthenticating: (active) => this.setState(active ? 'authenticating' : 'attaching'),
    });
    this.child = child;
    const lineSub = child.onLine.on((line) => this.onChildLine(line));
    const attachedP = new Promise<{ probes: number | null; atNs: string }>((resolve) => {
      const sub = tail.onAttached.on((a) => {
        sub.dispose();
        resolve(a);
      });
    });
    const poller = interval(() => void this.readOutput(), 50);
    const timeoutMs = o.attachTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const outcome = await Promise.race([attachedP, child.exited.then((x) => ({ exit: x })), timeout]);
    clearTimeout(timer);
    poller.dispose();
    if (outcome === 'timeout' || 'exit' in outcome) {
      lineSub.dispose();
      const output = this.childOutput();
      // The next variant (if any) gets a fresh child and a fresh records file.
      child.dispose();
      await child.exited;
      await pump?.close();
      await tail.close();
      if (outcome === 'timeout') {
        throw new CaptureError('attach-timeout', `the ${variant.backend} child did not attach its probes within ${Math.round(timeoutMs / 1000)} s`, `its output:\n${output}`);
      }
      this.throwIfCancelled();
      const auth = child.authenticationError;
      if (auth) throw auth;
      throw explainChildFailure(variant.backend, outcome.exit, output, isProgramRejection(output));
    }
    // Attached: from now on the child's death ends the capture with what it has.
    this.store.add(lineSub);
    this.startedAt = new Date();
    this.attached = {
      backend: variant.backend,
      variant: variant.id,
      attachedProbes: outcome.probes,
      attachedAtNs: outcome.atNs,
      threads: discovery.meta.length,
      containers: discovery.containers.map((c) => c.name),
      gateway: discovery.gateway,
      elevation: plan.method,
      workDir: this.workDir!,
    };
    this.lastFigures = { at: Date.now(), records: 0, bytes: 0 };
    this.setState('capturing');
    this.store.add(interval(() => void this.tick(), o.figuresIntervalMs ?? 500));
    if (o.hostLimits !== false) this.store.add(interval(() => void this.checkHost(), 1000));
    void child.exited.then((x) => this.onChildExit(x));
    this.onAttached.fire(this.attached);
    return this.attached;
  }

  /** cancel() before the probes were attached: start() ends with this, not with a child error. */
  private throwIfCancelled(): void {
    if ((this.stateValue as CaptureState) === 'cancelled') throw new CaptureError('auth-cancelled', 'the capture was cancelled before its probes were attached; nothing was captured');
  }

  private childOutput(): string {
    return (this.child?.transcript() ?? '')
      .split('\n')
      .filter((l) => !NOISE.some((re) => re.test(l)) && l.trim() !== '' && !/^\s*~+\s*$/.test(l))
      .slice(-40)
      .join('\n');
  }

  private onChildLine(raw: string): void {
    // The terminal echoes the ^C we send to stop the child.
    const line = raw.replace(/^(\^C|\^\\)+/, '');
    // An Addrspace warning is followed by the script line and a caret line: skip all three.
    if (this.skipNoiseLines > 0) {
      this.skipNoiseLines--;
      return;
    }
    if (/WARNING: Addrspace mismatch/.test(line)) {
      this.skipNoiseLines = 2;
      return;
    }
    if (line.trim() === '' || NOISE.some((re) => re.test(line))) return;
    this.log(/ERROR|error/.test(line) ? 'error' : /WARN/.test(line) ? 'warn' : 'info', line);
  }

  /** Converts what bpftrace wrote (if it is bpftrace), then follows the records file. */
  private async readOutput(): Promise<void> {
    await this.pump?.poll().catch((e: unknown) => this.log('error', `converting ${this.pump?.from}: ${String(e)}`));
    await this.tail?.poll().catch((e: unknown) => this.log('error', `reading ${this.tail?.path}: ${String(e)}`));
  }

  private async tick(): Promise<void> {
    if (!this.tail || !['capturing', 'draining', 'stopping'].includes(this.stateValue)) return;
    await this.readOutput();
    this.onFigures.fire(this.figures());
  }

  /** The live figures now. */
  figures(): LiveFigures {
    const f = this.tail?.figures;
    const now = Date.now();
    const dt = Math.max(1, now - this.lastFigures.at) / 1000;
    // The ftrace child reports kernel events while it captures; its records come at the end.
    const events = f !== undefined && f.records === 0 && f.kernelEvents > 0;
    const records = events ? f.kernelEvents : (f?.records ?? 0);
    const bytes = (f?.bytes ?? 0) + (f?.spoolBytes ?? 0);
    const out: LiveFigures = {
      state: this.stateValue,
      counting: events ? 'events' : 'records',
      elapsedMs: this.startedAt ? now - this.startedAt.getTime() : 0,
      records,
      recordsPerSecond: Math.round((records - this.lastFigures.records) / dt),
      bytes,
      bytesPerSecond: Math.round((bytes - this.lastFigures.bytes) / dt),
      byProbe: Object.fromEntries((events ? f.byKernelEvent : f?.byProbe) ?? []),
      lostEvents: f?.lostEvents ?? 0,
      malformed: f?.malformed ?? 0,
    };
    this.lastFigures = { at: now, records, bytes };
    return out;
  }

  private async checkHost(): Promise<void> {
    if (this.stateValue !== 'capturing' || !this.workDir) return;
    const why = await hostShortage(this.workDir, this.o.hostLimits || DEFAULT_LIMITS).catch(() => null);
    if (why !== null && this.stateValue === 'capturing') {
      this.log('error', `${why}: stopping the capture and keeping what was captured`);
      void this.finish(why, false);
    }
  }

  private onChildExit(x: ChildExit): void {
    if (this.expectExit || this.finishing) return;
    const how = x.signal ? `was killed by signal ${x.signal}` : `exited with code ${x.exitCode}`;
    const tail = this.childOutput().split('\n').slice(-3).join(' | ');
    const reason = `the ${this.attached?.backend ?? 'capture'} child ${how} during the capture${tail ? ` (${tail})` : ''}`;
    this.log('error', `${reason}; keeping what was captured`);
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
          if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
          return null;
        },
      );
    }
    if (this.stateValue === 'capturing' && opts.keep !== false) return this.finish(opts.reason ?? 'cancelled by the user', false);
    this.setState('cancelled');
    this.expectExit = true;
    await this.stopChild();
    await this.teardownAfterFailure();
    return null;
  }

  private finish(partialReason: string | null, drain: boolean): Promise<CaptureResult> {
    this.finishing ??= this.doFinish(partialReason, drain).catch(async (e: unknown) => {
      if (e instanceof CancelledError) throw e;
      this.setState('failed');
      // The records are the user's: a failed bundle leaves them on disk.
      if (this.workDir) this.log('error', `the raw capture is kept in ${this.workDir}`);
      throw e;
    });
    return this.finishing;
  }

  private async doFinish(partialReason: string | null, drain: boolean): Promise<CaptureResult> {
    // Let finish() store this promise before any state change reaches listeners (who may call stop()).
    await Promise.resolve();
    const stoppedAt = new Date();
    if (drain && this.child && !this.child.hasExited) {
      this.setState('draining');
      await this.drainUntilQuiet();
    }
    this.setState('stopping');
    this.expectExit = true;
    await this.stopChild();
    // Everything bpftrace wrote, its exit dump of the record maps included, becomes records.
    const converted = await this.pump?.finish().catch((e: unknown) => {
      this.log('error', `converting ${this.pump?.from}: ${String(e)}`);
      return null;
    });
    if (converted && converted.cutBytes > 0) this.log('warn', `the last ${converted.cutBytes} bytes of bpftrace's output were a line cut short by its end; dropped`);
    if (this.pump && this.pump.stats.malformed > 0) this.log('warn', `${this.pump.stats.malformed} record map lines could not be read; skipped`);
    if (this.launch?.spoolPath) await this.convertSpool(this.launch.spoolPath, this.launch.rawPath);
    await this.tail?.poll().catch(() => undefined);
    await this.tail?.close();
    const tailFig = this.tail?.figures;
    const launch = this.launch!;
    const discovery = this.discovery!;
    const features = this.features!;
    const res: FinalizeResult = await finalizeCapture({
      rawPath: launch.rawPath,
      meta: discovery.meta,
      gateway: discovery.gateway,
      output: this.output,
      script: launch.script,
      signal: this.finalizeAbort.signal,
      onStage: (s) => this.setState(s),
      onProgress: (fraction) => this.onProgress.fire({ stage: 'generating', fraction }),
      capture: {
        backend: launch.variant.backend,
        network: this.o.network,
        gateway: discovery.gateway,
        kernel: features.kernelRelease,
        hostname: hostname(),
        startedAt: this.startedAt?.toISOString() ?? null,
        stoppedAt: stoppedAt.toISOString(),
        attachedProbes: this.attached?.attachedProbes ?? tailFig?.attachingProbes ?? null,
        partial: partialReason !== null,
        partialReason,
        parameters: {
          ...launch.parameters,
          elevation: this.elevation,
          threads: discovery.meta.length,
          containers: discovery.containers.length,
          rawBytes: tailFig?.bytes ?? 0,
          attachedAtNs: this.attached?.attachedAtNs ?? '',
        },
        probesSelected: this.selectedIds,
      },
    });
    if (res.cutBytes > 0) this.log('warn', `the last ${res.cutBytes} bytes were a line cut short by the child's end; dropped`);
    const m = res.build.manifest;
    const keep = this.o.keepWorkDir === true;
    let advice: string | null = null;
    if (res.lostEvents > 0) {
      const seconds = Math.max(1, (stoppedAt.getTime() - (this.startedAt?.getTime() ?? stoppedAt.getTime())) / 1000);
      const rate = (tailFig?.bytes ?? 0) / seconds;
      // Bursts run well above the average: size for four times the measured rate.
      const pages = bufferSizing({ threads: discovery.meta.length, scriptBytes: 0, cpus: features.cpus, bytesPerSecond: rate * 4 }).rbPages;
      const mapLost = this.pump?.stats.mapLost ?? 0;
      advice =
        mapLost > 0
          ? `${res.lostEvents} events were lost, ${mapLost} of them because bpftrace's record maps were full (BPFTRACE_MAP_KEYS_MAX=${String(launch.parameters['mapKeysMax'])}): capture with the ftrace backend under this load`
          : launch.variant.backend === 'bpftrace'
          ? `${res.lostEvents} events were lost at ${Math.round(rate / 1024)} KiB/s: capture again with --rb-pages ${Math.max(pages, Number(launch.parameters['rbPages'] ?? 0) * 2)}, or with the ftrace backend`
          : `${res.lostEvents} events were lost: capture again with a larger --buffer-kb (now ${String(launch.parameters['bufferKb'])})`;
      this.log('warn', advice);
    }
    if (!keep) await rm(this.workDir!, { recursive: true, force: true });
    this.setState('done');
    return {
      output: this.output,
      partial: partialReason !== null,
      partialReason,
      traceCount: m.traceCount,
      spanCount: m.spanCount,
      records: res.records,
      malformed: res.malformed,
      lostEvents: res.lostEvents,
      diagnostics: res.build.diagnostics.summary(),
      variant: launch.variant.id,
      workDir: keep ? this.workDir : null,
      advice,
    };
  }

  /** The ftrace child's page spool -> records appended to the records file (page-spool.ts). */
  private async convertSpool(spool: string, rawPath: string): Promise<void> {
    if (!(await stat(spool).then(() => true, () => false))) {
      this.log('warn', `the ftrace child left no page spool (${spool}): no records beyond what it wrote`);
      return;
    }
    const fd = openSync(rawPath, 'a');
    try {
      const r = await replaySpool(spool, fd);
      this.log(
        'info',
        `ftrace: ${r.events} events in ${r.pages} pages -> ${r.converter.records} records` +
          (r.unresolvedSends > 0 ? `; ${r.unresolvedSends} sends on sockets whose 4-tuple was never seen (no tcp_send record)` : '') +
          (r.cutBytes > 0 ? `; the last ${r.cutBytes} bytes of the spool were cut short by the child's end` : ''),
      );
      // Never skipped silently: events of a type the spool does not describe, and events the
      // kernel says it dropped (its per-CPU stats, reported as lost, count them too).
      if (r.unknownEvents > 0) this.log('warn', `ftrace: ${r.unknownEvents} events of a type the page spool does not describe were skipped`);
      if (r.missedInPages > 0) this.log('warn', `ftrace: pages say at least ${r.missedInPages} events were dropped by the kernel before them (buffer full): see the lost events`);
    } catch (e) {
      this.log('error', `converting the page spool ${spool}: ${String(e)}`);
    } finally {
      closeSync(fd);
    }
  }

  /** Waits until the records file has not grown for quietMs (the kernel buffers and record maps are empty). */
  private async drainUntilQuiet(): Promise<void> {
    const { quietMs, maxMs } = this.o.drain ?? { quietMs: 400, maxMs: 15_000 };
    const path = this.launch!.rawPath;
    const t0 = Date.now();
    let last = -1;
    let since = Date.now();
    while (Date.now() - t0 < maxMs && this.child && !this.child.hasExited) {
      // bpftrace's own output never stops growing (the record maps' counts every 20 ms): what
      // counts is whether records still come.
      await this.pump?.poll().catch(() => undefined);
      const size = await stat(path).then((s) => s.size, () => 0);
      if (size !== last) {
        last = size;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (Date.now() - t0 >= maxMs) this.log('warn', `output still growing after ${Math.round(maxMs / 1000)} s; stopping anyway`);
  }

  /** ^C (bpftrace runs END and flushes its output), then ^\ / SIGTERM, then kill. */
  private async stopChild(): Promise<void> {
    const child = this.child;
    if (!child || child.hasExited) return;
    const wait = (ms: number) => Promise.race([child.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    child.interrupt();
    if (await wait(10_000)) return;
    this.log('warn', 'the capture child ignored ^C; terminating it');
    child.terminate();
    if (await wait(3000)) return;
    this.log('warn', 'the capture child ignored SIGTERM; killing it');
    child.kill();
    await wait(3000);
  }

  private async teardownAfterFailure(): Promise<void> {
    this.expectExit = true;
    if (this.child && !this.child.hasExited) {
      this.child.kill();
      await Promise.race([this.child.exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    await this.pump?.close().catch(() => undefined);
    await this.tail?.close().catch(() => undefined);
    if (this.workDir && this.o.keepWorkDir !== true) await rm(this.workDir, { recursive: true, force: true });
  }

  /** Kills a running child and releases everything; a capture not finished is discarded. */
  dispose(): void {
    this.expectExit = true;
    this.child?.dispose();
    void this.pump?.close().catch(() => undefined);
    this.tail?.dispose();
    this.store.dispose();
    if (!this.finishing && this.workDir && this.o.keepWorkDir !== true) void rm(this.workDir, { recursive: true, force: true });
  }
}
