import { InputError } from '../../engine/model/meta.js';
import type { CustomProbeFile } from './custom-probes.js';
import { isKprobe, tracepointOf } from './custom-probes.js';
import type { KernelFeatures } from './kernel-features.js';
import { probeById, syscallTracepoints, type Backend, type ProbeCatalog, type ProbeSetName, type ProbeSpec, type VariantSpec } from './probe-catalog.js';

// Which variant of the base set the kernel supports, and whether every selected probe's attach
// points exist, decided BEFORE a capture starts. A missing feature is named with what to do.

export class ProbeSupportError extends InputError {
  readonly exitCode = 3;
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'ProbeSupportError';
  }
}

export interface ProbeSelection {
  backend: Backend;
  /** The probe set (chooseProbeSet); syscalls when absent. */
  set?: ProbeSetName;
  /** Force one variant (by id) instead of the first that works. */
  variant?: string;
  /** Optional (or base) probe ids to add. */
  probes?: string[];
  /** Default base probes to leave out (e.g. tcp_probe). */
  without?: string[];
  custom?: CustomProbeFile[];
}

/** What `variant` needs that the kernel lacks; empty when it is supported. Unknown counts as present. */
export function missingForVariant(v: VariantSpec, f: KernelFeatures, catalog: ProbeCatalog): string[] {
  const missing: string[] = [];
  if (v.requires.btf && !f.btf) missing.push('BTF (/sys/kernel/btf/vmlinux)');
  const tps = [...v.requires.tracepoints, ...(v.requires.syscalls ? syscallTracepoints(catalog) : [])];
  if (f.tracepoints !== null) for (const tp of tps) if (!f.tracepoints.has(tp)) missing.push(`tracepoint ${tp}`);
  if (v.backend === 'bpftrace' && f.bpftrace === null) missing.push('the bpftrace program');
  if (!f.tracefs.mounted) missing.push('tracefs (not mounted)');
  return missing;
}

/**
 * The backend an `auto` capture uses, and why: ftrace when the kernel supports its probe set,
 * since it costs the application far less under load (docs/adr/0025); bpftrace when custom
 * probes are bpftrace programs, when a forced variant belongs to it, or when ftrace cannot run.
 */
export function chooseBackend(catalog: ProbeCatalog, f: KernelFeatures, custom: readonly CustomProbeFile[], variant?: string): { backend: Backend; reason: string } {
  if (variant !== undefined) {
    const v = catalog.variants.find((x) => x.id === variant);
    if (v) return { backend: v.backend, reason: `variant ${variant} is a ${v.backend} variant` };
  }
  if (custom.some((c) => c.probes.length > 0)) return { backend: 'bpftrace', reason: 'custom probes are bpftrace programs' };
  const ftrace = catalog.variants.filter((v) => v.backend === 'ftrace');
  if (ftrace.some((v) => missingForVariant(v, f, catalog).length === 0)) return { backend: 'ftrace', reason: 'the kernel supports it and it costs the application the least' };
  const why = [...new Set(ftrace.flatMap((v) => missingForVariant(v, f, catalog)))].join(', ');
  return { backend: 'bpftrace', reason: `ftrace cannot run here (needs ${why})` };
}

/** What `misertrace capture --probe-set` accepts. */
export type ProbeSetChoice = ProbeSetName | 'auto';

/**
 * The probe set a capture uses, and why (docs/adr/0050). auto: causal where the kernel offers its
 * tracepoints for this backend (sock_send_length / sock_recv_length: kernel >= 6.3) and the model
 * reading the records is the causal one; else the syscall set, whose records both models read.
 * A forced variant decides by itself; a forced set the kernel cannot run is refused later, naming
 * what is missing (supportedVariants).
 */
export function chooseProbeSet(
  catalog: ProbeCatalog,
  f: KernelFeatures,
  backend: Backend,
  choice: ProbeSetChoice = 'auto',
  o: { variant?: string; model?: 'causal' | 'original' } = {},
): { set: ProbeSetName; reason: string } {
  if (o.variant !== undefined) {
    const v = catalog.variants.find((x) => x.id === o.variant);
    if (v) return { set: v.set, reason: `variant ${v.id} belongs to the ${v.set} set` };
  }
  if (choice !== 'auto') return { set: choice, reason: `--probe-set ${choice}` };
  if (o.model === 'original') return { set: 'syscalls', reason: 'the original model reads syscall entry and exit records' };
  const causal = catalog.variants.filter((v) => v.set === 'causal' && v.backend === backend);
  if (causal.some((v) => missingForVariant(v, f, catalog).length === 0)) {
    return { set: 'causal', reason: 'the kernel has sock:sock_send_length and sock:sock_recv_length (socket-level records, no syscall tracepoint)' };
  }
  const why = [...new Set(causal.flatMap((v) => missingForVariant(v, f, catalog)))].join(', ');
  return { set: 'syscalls', reason: `the causal set needs ${why || 'a variant for this backend'} (kernel >= 6.3): falling back to syscall entry/exit records` };
}

/** The selected probes (defaults of the base set, minus `without`, plus `probes`). */
export function selectedProbes(catalog: ProbeCatalog, sel: ProbeSelection): ProbeSpec[] {
  const out: ProbeSpec[] = [];
  const without = new Set(sel.without ?? []);
  for (const id of without) {
    if (!catalog.base.some((p) => p.id === id)) {
      throw new ProbeSupportError(`--without ${id}: not a base probe`, `base probes: ${catalog.base.map((p) => p.id).join(', ')}`);
    }
  }
  for (const p of catalog.base) if (p.default && !without.has(p.id)) out.push(p);
  for (const id of sel.probes ?? []) {
    const p = probeById(catalog, id);
    if (!p) {
      throw new ProbeSupportError(
        `unknown probe "${id}"`,
        `ready-made probes: ${catalog.optional.map((o) => o.id).join(', ')}; or pass your own file in the custom-probe format`,
      );
    }
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * Variants of `sel.backend` the kernel supports, best first. Throws naming what is missing when
 * none is (or when the forced one is not).
 */
export function supportedVariants(catalog: ProbeCatalog, f: KernelFeatures, sel: ProbeSelection): VariantSpec[] {
  const set = sel.set ?? 'syscalls';
  const candidates = catalog.variants.filter((v) => v.backend === sel.backend && (sel.variant === undefined ? v.set === set : v.id === sel.variant));
  if (candidates.length === 0) {
    throw new ProbeSupportError(
      sel.variant !== undefined ? `no probe variant "${sel.variant}" for the ${sel.backend} backend` : `no ${set} probe set for the ${sel.backend} backend`,
      `variants: ${catalog.variants.filter((v) => v.backend === sel.backend).map((v) => `${v.id} (${v.set})`).join(', ')}`,
    );
  }
  const ok = candidates.filter((v) => missingForVariant(v, f, catalog).length === 0);
  if (ok.length > 0) return ok;
  const why = candidates.map((v) => `${v.id}: needs ${missingForVariant(v, f, catalog).join(', ')}`).join('; ');
  const hint =
    f.bpftrace === null && sel.backend === 'bpftrace'
      ? 'install bpftrace (Debian/Ubuntu: apt-get install -y bpftrace), or use --backend ftrace'
      : !f.tracefs.mounted
        ? 'mount tracefs: sudo mount -t tracefs nodev /sys/kernel/tracing (misertrace doctor does it when run as root)'
        : 'run `misertrace doctor` for what this kernel offers; another backend may work';
  throw new ProbeSupportError(`this kernel cannot run the ${sel.backend} probe set (${why})`, hint);
}

/** Every attach point of the selected and custom probes that the kernel lacks, with who asked for it. */
export function missingProbeFeatures(selected: readonly ProbeSpec[], custom: readonly CustomProbeFile[], f: KernelFeatures, backend: Backend): string[] {
  const missing: string[] = [];
  for (const p of selected) {
    for (const tp of backend === 'ftrace' ? p.ftrace : p.tracepoints) {
      if (f.tracepoints !== null && !f.tracepoints.has(tp)) missing.push(`probe ${p.id}: tracepoint ${tp} is not in this kernel`);
    }
  }
  for (const file of custom) {
    for (const probe of file.probes) {
      for (const ap of probe.attachPoints) {
        const tp = tracepointOf(ap);
        if (tp !== null && f.tracepoints !== null && !tp.includes('*') && !f.tracepoints.has(tp)) {
          missing.push(`${file.source}:${probe.line}: tracepoint ${tp} is not in this kernel`);
        } else if (tp !== null && tp.includes('*') && f.tracepoints !== null) {
          const re = new RegExp(`^${tp.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
          if (![...f.tracepoints].some((t) => re.test(t))) missing.push(`${file.source}:${probe.line}: no tracepoint matches ${tp}`);
        } else if (isKprobe(ap) && f.kprobes === false) {
          missing.push(`${file.source}:${probe.line}: ${ap} needs kprobes, which this kernel was built without`);
        }
      }
    }
  }
  return missing;
}

/** Throws a ProbeSupportError when a selected or custom probe cannot attach on this kernel. */
export function assertProbesSupported(selected: readonly ProbeSpec[], custom: readonly CustomProbeFile[], f: KernelFeatures, backend: Backend): void {
  if (backend === 'ftrace' && custom.some((c) => c.probes.length > 0)) {
    throw new ProbeSupportError(
      'custom bpftrace probes cannot run on the ftrace backend',
      'use --backend bpftrace for custom probes, or the ready-made --probe ids, which both backends support',
    );
  }
  const missing = missingProbeFeatures(selected, custom, f, backend);
  if (missing.length > 0) {
    throw new ProbeSupportError(
      `${missing.length === 1 ? 'a probe' : `${missing.length} probes`} cannot attach on this kernel (${f.kernelRelease}):\n  ${missing.join('\n  ')}`,
      'leave those probes out, or pick tracepoints this kernel has (see /sys/kernel/tracing/available_events)',
    );
  }
}
