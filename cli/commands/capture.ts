import { CaptureError } from '../../capture/session/capture-errors.js';
import { CaptureSession, type CaptureResult, type LiveFigures } from '../../capture/session/capture-session.js';
import type { ElevationMethod } from '../../capture/session/elevation.js';
import { terminalPasswordPrompt } from '../../capture/session/terminal-password.js';
import { loadCatalog, probeGroup } from '../../capture/probes/probe-catalog.js';
import { DIAGNOSTIC_EXPLANATION, type DiagnosticKind } from '../../engine/model/diagnostics.js';
import { CancelledError } from '../../engine/records/line-reader.js';
import { requireString, UsageError, type CliIO, type Command } from '../command.js';
import { MODEL_HELP, MODEL_OPTION, modelOf } from '../model-option.js';
import { EXIT } from '../exit-codes.js';
import { Progress } from '../progress.js';
import { connectRemote, REMOTE_HELP, REMOTE_OPTIONS } from '../remote-host.js';
import { RESUME_HELP, RESUME_OPTIONS, resumeOptionsOf, resumeOrFinish } from '../remote-resume.js';
import { runBelowTracedApp } from '../../capture/session/own-priority.js';

// misertrace capture: the whole capture session headless. stdout gets exactly one line, once every
// probe is attached ("capturing: ..."): scripts wait for it before starting their load. Progress
// and the summary go to stderr. SIGINT/SIGTERM (or --duration) stop it: drain, stop the child,
// sort, generate, write the bundle, exit 0.

function positiveNumber(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not "${String(v)}"`, 'see: misertrace capture --help');
  return n;
}

function human(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / 1048576).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

function statusLine(f: LiveFigures): string {
  const top = Object.entries(f.byProbe)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([p, n]) => `${p.replace(/^MT:/, '')} ${n}`)
    .join(', ');
  return `${(f.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${f.records} ${f.counting === 'events' ? 'kernel events' : 'records'} (${f.recordsPerSecond}/s)  ${human(f.bytes)}  lost ${f.lostEvents}${top ? `  [${top}]` : ''}`;
}

export const captureCommand: Command = {
  name: 'capture',
  usage: '[--host TARGET] -n NETWORK -o OUTPUT.mstrace [--backend auto|ftrace|bpftrace] [--probe-set auto|causal|syscalls] [--model original|causal] [--probe ID]... [--sched] [-i CUSTOM.bt]... [--duration S]',
  help: `  -n, --network NAME     the Docker network of the application
  -o, --output PATH      the bundle to write (.mstrace)
      --backend NAME     auto (default): ftrace (our own tracefs reader, the cheaper one under
                         load) unless custom probes (-i) or the kernel need bpftrace; or
                         ftrace, or bpftrace
      --probe-set SET    auto (default): causal (socket-level records, no syscall tracepoint)
                         where the kernel has sock_send_length and sock_recv_length (>= 6.3)
                         and the causal model reads them; else syscalls (entry and exit of
                         every TCP send and receive); misertrace doctor says which and why
${MODEL_HELP}; the original needs the syscalls set
      --probe ID         add a ready-made probe (repeatable): tcp_probe, sched_migrate_task,
                         page_fault_user, block_io, sched_switch, sched_wakeup (misertrace doctor lists them)
      --sched            where each span's time went: on a CPU, runnable, blocked, with page
                         faults and migrations (adds sched_switch, sched_wakeup, page_fault_user;
                         cheap with ftrace, ~3x the CPU per request with bpftrace: ADR 0090)
  -i, --inputbt PATH     custom probes in the original custom-probe format (bpftrace backend)
      --variant ID       force a probe variant instead of the first the kernel supports
      --duration S       stop after S seconds (default: until Ctrl-C / SIGTERM)
      --rb-pages N       bpftrace ring buffer pages per CPU (power of two; default: 64 MiB over the CPUs)
      --buffer-kb N      ftrace buffer per CPU in KiB (default 8192)
      --elevation HOW    auto (default), direct, sudo or pkexec
      --keep-work-dir    keep the raw and sorted records beside the bundle
      --force            replace OUTPUT if it exists (refused otherwise)
      --docker-socket P  the Docker engine's socket
${REMOTE_HELP}
${RESUME_HELP}
                         (the bundle is built here, with that host's clocks in its manifest)
prints one line on stdout once the probes are attached ("capturing: ..."); progress on stderr.
exit status: 0 bundle written; 1 bundle written but partial (the child died, events were lost, a container
restarted or joined the network: the reason is printed); 2 bad usage;
3 environment not ready (Docker, privileges, kernel)`,
  options: {
    network: { type: 'string', short: 'n' },
    output: { type: 'string', short: 'o' },
    backend: { type: 'string' },
    probe: { type: 'string', multiple: true },
    sched: { type: 'boolean' },
    inputbt: { type: 'string', short: 'i', multiple: true },
    variant: { type: 'string' },
    'probe-set': { type: 'string' },
    ...MODEL_OPTION,
    duration: { type: 'string' },
    'rb-pages': { type: 'string' },
    'buffer-kb': { type: 'string' },
    elevation: { type: 'string' },
    'keep-work-dir': { type: 'boolean' },
    force: { type: 'boolean' },
    'docker-socket': { type: 'string' },
    ...REMOTE_OPTIONS,
    ...RESUME_OPTIONS,
  },
  async run(v, _p, io) {
    const network = requireString(v, 'network', '-n NETWORK', 'capture');
    const output = requireString(v, 'output', '-o OUTPUT', 'capture');
    const backend = (v['backend'] as string | undefined) ?? 'auto';
    if (backend !== 'auto' && backend !== 'bpftrace' && backend !== 'ftrace') throw new UsageError(`--backend must be auto, ftrace or bpftrace, not "${backend}"`);
    const probeSet = (v['probe-set'] as string | undefined) ?? 'auto';
    if (probeSet !== 'auto' && probeSet !== 'causal' && probeSet !== 'syscalls') throw new UsageError(`--probe-set must be auto, causal or syscalls, not "${probeSet}"`);
    const model = modelOf(v);
    const elevation = (v['elevation'] as string | undefined) ?? 'auto';
    if (!['auto', 'direct', 'sudo', 'pkexec'].includes(elevation)) throw new UsageError(`--elevation must be auto, direct, sudo or pkexec, not "${elevation}"`);
    const duration = positiveNumber(v['duration'], '--duration');
    const rbPages = positiveNumber(v['rb-pages'], '--rb-pages');
    const bufferKb = positiveNumber(v['buffer-kb'], '--buffer-kb');
    const socket = v['docker-socket'] as string | undefined;
    // --host: the same session, with collaborators that reach that host over one SSH connection.
    const resumeOptions = resumeOptionsOf(v);
    const remote = await connectRemote(v, io.stderr);
    const resume = remote ? resumeOptions : null;
    const lazy = remote ? await remoteModules() : null;
    const segments = lazy ? new lazy.CaptureSegments(output) : null;
    let host = remote?.host ?? null;
    const clock: { endAt?: number } = {};
    try {
      for (let n = 1; ; n++) {
        const rc = host && lazy ? lazy.remoteCapture(host, remote!.prompts, lazy.RemoteServices.of(host), segments!.finalize(lazy.finalizeCapture)) : null;
        const session = new CaptureSession({
          network,
          output,
          backend,
          probeSet,
          model,
          probes: [...((v['probe'] as string[] | undefined) ?? []), ...(v['sched'] === true ? probeGroup(loadCatalog(), 'sched') : [])],
          customProbeFiles: (v['inputbt'] as string[] | undefined) ?? [],
          ...(typeof v['variant'] === 'string' ? { variant: v['variant'] } : {}),
          ...(rbPages !== undefined ? { rbPages } : {}),
          ...(bufferKb !== undefined ? { bufferKb } : {}),
          elevation: elevation as ElevationMethod | 'auto',
          askPassword: terminalPasswordPrompt(process.stdin, io.stderr),
          keepWorkDir: v['keep-work-dir'] === true,
          // A resumed capture writes the whole capture over its own partial bundle.
          overwrite: v['force'] === true || n > 1,
          ...(socket ? { docker: { socketPath: socket } } : {}),
        }, rc?.collaborators ?? {});
        let r: CaptureResult | number;
        // Set when nothing had arrived before the connection dropped: no bundle, but resumable.
        let nothing: CaptureError | null = null;
        try {
          r = await runSegment(session, io, { output, network, where: host ? ` of ${host.label}` : '', first: n === 1, duration, clock });
        } catch (e) {
          // Nothing had arrived when the connection dropped (no bundle to keep): resuming may still.
          if (!(e instanceof CaptureError && e.code === 'no-records' && typeof host?.closedReason === 'string' && segments?.count === 0)) throw e;
          io.stderr.write(`misertrace: nothing had arrived from ${host.label} when the connection dropped\n`);
          nothing = e;
          r = -1;
        } finally {
          session.dispose();
        }
        if (typeof r === 'number' && nothing === null) return r;
        const lost = host?.closedReason;
        // The connection dropped (not the user's stop): the partial bundle is written; resume or finish.
        if (host && remote && resume && typeof lost === 'string' && (nothing !== null || (r as CaptureResult).partial) && !io.signal.aborted) {
          const next = await resumeOrFinish({
            label: host.label,
            lost,
            tracerPid: rc?.child?.tracerPid ?? null,
            output,
            connect: async () => (await connectRemote(v, io.stderr))!.host,
            ...resume,
            stdin: process.stdin,
            stderr: io.stderr,
            signal: io.signal,
          });
          if (next !== null) {
            host.dispose();
            host = next;
            // A first segment that brought nothing leaves no gap: the bundle starts with the next.
            if (segments!.count > 0) segments!.resume(lost);
            continue;
          }
        }
        if (nothing !== null) throw nothing;
        if (typeof r === 'number') return r;
        // A resumed capture's bundle is partial by its gaps, whatever its last segment says.
        const partialReason = segments?.partialReason ?? r.partialReason;
        if (r.partial || partialReason !== null) {
          io.stderr.write(`misertrace: the bundle is PARTIAL: ${partialReason}\n`);
          return EXIT.problems;
        }
        return EXIT.ok;
      }
    } finally {
      host?.dispose();
      await segments?.dispose();
    }
  },
};

async function remoteModules() {
  const [{ remoteCapture }, { RemoteServices }, { CaptureSegments }, { finalizeCapture }] = await Promise.all([
    import('../../capture/remote/remote-capture.js'),
    import('../../capture/remote/remote-services.js'),
    import('../../capture/remote/capture-segments.js'),
    import('../../capture/session/finalize-capture.js'),
  ]);
  return { remoteCapture, RemoteServices, CaptureSegments, finalizeCapture };
}

interface SegmentRun {
  output: string;
  network: string;
  /** " of HOST" for a remote capture. */
  where: string;
  /** The first segment prints the one stdout line; a resumed one says so on stderr. */
  first: boolean;
  duration: number | undefined;
  /** When --duration ends the capture (set at the first attach). */
  clock: { endAt?: number };
}

/** One session from start to its bundle: the result, or the exit status when it ended without one. */
async function runSegment(session: CaptureSession, io: CliIO, o: SegmentRun): Promise<CaptureResult | number> {
  const { output, network, duration } = o;
  const tty = io.stderr.isTTY === true;
  let lastPrinted = 0;
  let shown = false;
  session.onLog.on((l) => {
    if (shown) io.stderr.write('\r\x1b[K');
    io.stderr.write(`misertrace: ${l.level === 'info' ? '' : `${l.level}: `}${l.text}\n`);
  });
  session.onState.on((s) => {
    if (['sorting', 'generating', 'draining', 'stopping'].includes(s)) {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
      io.stderr.write(`misertrace: ${s}...\n`);
    }
  });
  const bar = new Progress(io.stderr);
  session.onProgress.on((p) => bar.update(p.stage, p.fraction));
  session.onState.on((s) => {
    if (s === 'done' || s === 'failed') bar.done();
  });
  session.onFigures.on((f) => {
    if (f.state !== 'capturing') return;
    if (tty) {
      io.stderr.write(`\r\x1b[K${statusLine(f)}`);
      shown = true;
    } else if (Date.now() - lastPrinted >= 10_000) {
      lastPrinted = Date.now();
      io.stderr.write(`${statusLine(f)}\n`);
    }
  });
  {
    // A signal before the probes are attached cancels: nothing was captured yet.
    // Attached already (the signal raced the attach): it is a stop, handled below, not a cancel.
    const onEarlySignal = () => {
      // Its failure (a work folder that cannot be removed) is said, never an unhandled rejection.
      if (session.state !== 'capturing') session.cancel({ keep: false }).catch((e: unknown) => io.stderr.write(`misertrace: while cancelling: ${(e as Error).message}\n`));
    };
    io.signal.addEventListener('abort', onEarlySignal, { once: true });
    let a;
    try {
      a = await session.start();
    } catch (e) {
      // Ctrl-C while starting: "interrupted, nothing written" (exit 130), not the child's error.
      if (io.signal.aborted) throw new CancelledError();
      throw e;
    }
    io.signal.removeEventListener('abort', onEarlySignal);
    // From here on our own work (the live counts, then the conversion) yields to the traced
    // application (docs/adr/0107); the attached child keeps its own priority.
    runBelowTracedApp();
    // A second Ctrl-C stops faster and keeps everything; the last one says where it is.
    const work = a.workDir;
    let hurried = false;
    io.interrupts?.hurryable();
    io.interrupts?.setKept(`the raw capture is kept in ${work}`);
    io.interrupts?.hurry.addEventListener('abort', () => ((hurried = true), session.hurry()), { once: true });
    session.onState.on((s) => {
      if (s === 'generating') io.interrupts?.setKept(`${output} keeps its records without traces: misertrace generate -i ${output} adds them`);
    });
    const line = `${a.attachedProbes ?? '?'} probes attached (${a.backend}, ${a.variant}) to ${a.threads} threads of ${a.containers.length} containers on network ${network}${o.where}; stop with Ctrl-C`;
    if (o.first) io.stdout.write(`capturing: ${line}\n`);
    else io.stderr.write(`misertrace: resumed, capturing again: ${line}\n`);
    const stopped = new Promise<CaptureResult>((resolve, reject) => {
      const stop = () => session.stop().then(resolve, reject);
      if (io.signal.aborted) stop();
      io.signal.addEventListener('abort', stop, { once: true });
      // --duration counts from the first segment's attach: a resumed capture ends when the first would have.
      if (duration !== undefined) {
        o.clock.endAt ??= Date.now() + duration * 1000;
        setTimeout(stop, Math.max(0, o.clock.endAt - Date.now())).unref();
      }
      // The child's death (or a host shortage) ends the capture by itself.
      session.onState.on((s) => {
        if (s === 'stopping' && !io.signal.aborted) void session.stop().then(resolve, reject);
      });
    });
    let r: CaptureResult;
    try {
      r = await stopped;
    } catch (e) {
      if (!(e instanceof CancelledError) || !hurried) throw e;
      io.stderr.write(`\nmisertrace: stopped before the bundle was written; the raw capture is kept in ${work} (misertrace bundle recover ${work} makes the bundle)\n`);
      return EXIT.interrupted;
    }
    if (shown) io.stderr.write('\r\x1b[K');
    io.stderr.write(`wrote ${r.output}: ${r.traceCount} request traces, ${r.spanCount} spans, ${r.records} records (variant ${r.variant})\n`);
    if (r.malformed > 0) io.stderr.write(`misertrace: warning: ${r.malformed} malformed lines were skipped\n`);
    for (const [kind, n] of Object.entries(r.diagnostics)) {
      io.stderr.write(`  ${String(n).padStart(6)} ${kind}: ${DIAGNOSTIC_EXPLANATION[kind as DiagnosticKind] ?? ''}\n`);
    }
    if (r.workDir) io.stderr.write(`raw and sorted records kept in ${r.workDir}\n`);
    return r;
  }
}
