import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { bufferSizing } from '../probes/script-builder.js';
import type { Attachment } from './attach-phase.js';
import type { CaptureCollaborators } from './capture-collaborators.js';
import type { CapturePlan } from './capture-plan.js';
import type { CaptureOptions, CaptureResult, PhaseContext } from './capture-types.js';

// The finalize phase, after the child stopped: order the records, generate the traces and write
// the bundle (the collaborator's finalize: in this process, or the engine worker's import job),
// with the capture's description in its manifest; then say what to change next time when
// events were lost, and remove the work directory unless asked to keep it.

export interface FinalizePhaseInput {
  o: CaptureOptions;
  plan: CapturePlan;
  attached: Attachment;
  output: string;
  startedAt: Date | null;
  stoppedAt: Date;
  partialReason: string | null;
  /** Containers restarted or added during the capture (network-changes.ts): each makes the bundle partial. */
  containerChanges?: readonly string[];
  signal: AbortSignal;
  onProgress(fraction: number): void;
}

export async function finalizePhase(inp: FinalizePhaseInput, finalize: CaptureCollaborators['finalize'], ctx: PhaseContext): Promise<CaptureResult> {
  const { o, plan, attached: a } = inp;
  const tailFig = a.tail.figures;
  // Events the kernel dropped make spans incomplete: the bundle says so, and the CLI exits 1.
  const lost = tailFig.lostEvents > 0 ? `${tailFig.lostEvents} events were lost (the kernel's buffers were full): traces may be incomplete` : null;
  const reasons = [inp.partialReason ?? lost, ...(inp.containerChanges ?? [])].filter((r): r is string => r !== null);
  const partialReason = reasons.length > 0 ? reasons.join('; ') : null;
  const { discovery, features } = plan;
  const launch = a.launch;
  const res = await finalize({
    rawPath: launch.rawPath,
    meta: discovery.meta,
    gateway: discovery.gateway,
    output: inp.output,
    script: launch.script,
    ...(o.model ? { model: o.model } : {}),
    signal: inp.signal,
    onStage: (s) => ctx.setState(s),
    onProgress: inp.onProgress,
    capture: {
      backend: launch.variant.backend,
      network: o.network,
      gateway: discovery.gateway,
      kernel: features.kernelRelease,
      hostname: hostname(),
      startedAt: inp.startedAt?.toISOString() ?? null,
      stoppedAt: inp.stoppedAt.toISOString(),
      attachedProbes: a.info.attachedProbes ?? tailFig.attachingProbes ?? null,
      partial: partialReason !== null,
      partialReason,
      parameters: {
        ...launch.parameters,
        probeSet: launch.variant.set,
        elevation: plan.elevation,
        threads: discovery.meta.length,
        containers: discovery.containers.length,
        rawBytes: tailFig.bytes,
        attachedAtNs: a.info.attachedAtNs ?? '',
      },
      probesSelected: plan.probes.map((p) => p.id),
    },
  });
  if (res.cutBytes > 0) ctx.log('warn', `the last ${res.cutBytes} bytes were a line cut short by the child's end; dropped`);
  const m = res.manifest;
  const keep = o.keepWorkDir === true;
  const advice = res.lostEvents > 0 ? lostEventsAdvice(inp, res.lostEvents) : null;
  if (advice !== null) ctx.log('warn', advice);
  if (!keep) await rm(a.info.workDir, { recursive: true, force: true });
  ctx.setState('done');
  return {
    output: inp.output,
    partial: partialReason !== null,
    partialReason,
    traceCount: m.traceCount,
    spanCount: m.spanCount,
    records: res.records,
    malformed: res.malformed,
    lostEvents: res.lostEvents,
    diagnostics: res.diagnostics,
    variant: launch.variant.id,
    workDir: keep ? a.info.workDir : null,
    advice,
  };
}

/** What to change next time: a ring buffer sized from the measured rate, or the other backend. */
function lostEventsAdvice(inp: FinalizePhaseInput, lostEvents: number): string {
  const { plan, attached: a } = inp;
  const launch = a.launch;
  const stoppedAt = inp.stoppedAt.getTime();
  const seconds = Math.max(1, (stoppedAt - (inp.startedAt?.getTime() ?? stoppedAt)) / 1000);
  const rate = a.tail.figures.bytes / seconds;
  // Bursts run well above the average: size for four times the measured rate.
  const pages = bufferSizing({ threads: plan.discovery.meta.length, scriptBytes: 0, cpus: plan.features.cpus, bytesPerSecond: rate * 4 }).rbPages;
  const mapLost = a.pump?.stats.mapLost ?? 0;
  if (mapLost > 0) {
    return `${lostEvents} events were lost, ${mapLost} of them because bpftrace's record maps were full (BPFTRACE_MAP_KEYS_MAX=${String(launch.parameters['mapKeysMax'])}): capture with the ftrace backend under this load`;
  }
  if (launch.variant.backend === 'bpftrace') {
    return `${lostEvents} events were lost at ${Math.round(rate / 1024)} KiB/s: capture again with --rb-pages ${Math.max(pages, Number(launch.parameters['rbPages'] ?? 0) * 2)}, or with the ftrace backend`;
  }
  return `${lostEvents} events were lost: capture again with a larger --buffer-kb (now ${String(launch.parameters['bufferKb'])})`;
}
