import { DEFAULT_MODEL } from '../../engine/model/span-link.js';
import { DiscoveryService } from '../discovery/network-discovery.js';
import type { DockerEndpoint } from '../discovery/docker-connection.js';
import { detectKernelFeatures, mountTracefs, type KernelFeatures } from './kernel-features.js';
import { loadCatalog, syscallTracepoints, type Backend, type ProbeCatalog, type ProbeSetName } from './probe-catalog.js';
import { chooseProbeSet, missingForVariant } from './probe-support.js';

// `misertrace doctor` and the app's "Check this machine": what the kernel and host offer for a
// capture, which probe variant each backend would use, and what to do about what is missing.
// tracefs is mounted on the way when we are allowed to (root).

export type CheckStatus = 'ok' | 'missing' | 'unknown' | 'info';

export interface DoctorCheck {
  id: string;
  status: CheckStatus;
  summary: string;
  hint?: string;
}

export interface VariantVerdict {
  id: string;
  set: ProbeSetName;
  backend: Backend;
  title: string;
  missing: string[];
}

export interface DoctorReport {
  features: KernelFeatures;
  checks: DoctorCheck[];
  variants: VariantVerdict[];
  /** The variant each backend would use (with --probe-set auto), or null when it cannot capture here. */
  chosen: Record<Backend, string | null>;
  /** The probe set each backend would use with --probe-set auto and the default model, and why (docs/adr/0050). */
  probeSets: Record<Backend, { set: ProbeSetName; reason: string }>;
  /** The same with the causal model. */
  causalModelSets: Record<Backend, { set: ProbeSetName; reason: string }>;
  /** The syscall set's variant of each backend (--probe-set syscalls, or --model original). */
  syscallVariant: Record<Backend, string | null>;
  optionalProbes: { id: string; title: string; available: boolean | null }[];
  tracefsMountedNow: boolean;
}

export interface DoctorOptions {
  mount?: boolean;
  pathEnv?: string;
  docker?: DockerEndpoint | false;
  /** Another host (capture/remote): its features and Docker engine instead of this machine's; nothing is mounted there. */
  host?: { detect(): Promise<KernelFeatures>; ping(): Promise<{ version: string; apiVersion: string }> };
}

export async function runDoctor(o: DoctorOptions = {}): Promise<DoctorReport> {
  const catalog: ProbeCatalog = loadCatalog();
  const detect = o.host ? () => o.host!.detect() : () => detectKernelFeatures(o.pathEnv !== undefined ? { pathEnv: o.pathEnv } : {});
  let f = await detect();
  const checks: DoctorCheck[] = [];
  let mountedNow = false;
  if (!f.tracefs.mounted && o.mount !== false && f.uid === 0 && !o.host) {
    try {
      await mountTracefs();
      mountedNow = true;
      f = await detect();
    } catch (e) {
      checks.push({ id: 'tracefs-mount', status: 'missing', summary: `mounting tracefs failed: ${(e as Error).message}` });
    }
  }
  checks.push({ id: 'kernel', status: 'info', summary: `kernel ${f.kernelRelease}, ${f.cpus} CPUs` });
  checks.push(
    f.tracefs.mounted
      ? {
          id: 'tracefs',
          status: f.tracefs.readable ? 'ok' : 'unknown',
          summary: `tracefs mounted at ${f.tracefs.path}${mountedNow ? ' (mounted just now)' : ''}${f.tracefs.readable ? '' : ', but not readable by this user'}`,
          ...(f.tracefs.readable ? {} : { hint: 'run `sudo misertrace doctor` to list the tracepoints' }),
        }
      : { id: 'tracefs', status: 'missing', summary: 'tracefs is not mounted', hint: 'sudo mount -t tracefs nodev /sys/kernel/tracing (or run misertrace doctor as root)' },
  );
  if (f.tracepoints !== null) {
    const needed = [...new Set([...catalog.variants.flatMap((v) => v.requires.tracepoints), ...syscallTracepoints(catalog)])];
    const absent = needed.filter((t) => !f.tracepoints!.has(t));
    checks.push({
      id: 'tracepoints',
      status: absent.length === 0 ? 'ok' : 'missing',
      summary: absent.length === 0 ? `${f.tracepoints.size} tracepoints, all ${needed.length} the probe sets use among them` : `missing tracepoints: ${absent.join(', ')}`,
    });
  } else {
    checks.push({ id: 'tracepoints', status: 'unknown', summary: 'tracepoints cannot be listed without access to tracefs', hint: 'run as root to check them' });
  }
  checks.push(
    f.kprobes === true
      ? { id: 'kprobes', status: 'ok', summary: 'kprobes are supported' }
      : f.kprobes === false
        ? { id: 'kprobes', status: 'info', summary: 'kprobes are not built into this kernel: the probe sets use tracepoints only (custom kprobe: probes cannot attach)' }
        : { id: 'kprobes', status: 'unknown', summary: 'kprobe support unknown (tracefs not readable)' },
  );
  checks.push(
    f.btf
      ? { id: 'btf', status: 'ok', summary: 'BTF type information at /sys/kernel/btf/vmlinux (sockets are read at syscall entry)' }
      : { id: 'btf', status: 'info', summary: 'no BTF: the 4-tuple of a send is joined from socket addresses (sendlen-join)' },
  );
  checks.push(
    f.bpftrace
      ? { id: 'bpftrace', status: 'ok', summary: `bpftrace ${f.bpftrace.version ?? '(version unknown)'} at ${f.bpftrace.path}` }
      : { id: 'bpftrace', status: 'missing', summary: 'bpftrace is not installed (or not on PATH)', hint: 'apt-get install -y bpftrace; or use --backend ftrace' },
  );
  checks.push(
    f.traceCmd
      ? { id: 'trace-cmd', status: 'info', summary: `trace-cmd ${f.traceCmd.version ?? ''} at ${f.traceCmd.path} (not needed: the ftrace backend reads tracefs itself)` }
      : { id: 'trace-cmd', status: 'info', summary: 'trace-cmd is not installed (not needed: the ftrace backend reads tracefs itself)' },
  );
  checks.push(
    f.uid === 0
      ? { id: 'privileges', status: 'ok', summary: 'running as root: the capture child runs directly' }
      : f.sudo || f.pkexec
        ? { id: 'privileges', status: 'ok', summary: `not root: the capture child will run through ${f.sudo ? 'sudo' : 'pkexec'}, asking for your password` }
        : { id: 'privileges', status: 'missing', summary: 'not root, and neither sudo nor pkexec is installed', hint: 'run as root, or install sudo' },
  );
  if (o.docker !== false) {
    try {
      const v = o.host ? await o.host.ping() : await new DiscoveryService(o.docker ?? {}).ping();
      checks.push({ id: 'docker', status: 'ok', summary: `Docker engine ${v.version} (API ${v.apiVersion})` });
    } catch (e) {
      checks.push({ id: 'docker', status: 'missing', summary: (e as Error).message, ...((e as { hint?: string }).hint ? { hint: (e as { hint?: string }).hint! } : {}) });
    }
  }
  const variants = catalog.variants.map((v) => ({ id: v.id, set: v.set, backend: v.backend, title: v.title, missing: missingForVariant(v, f, catalog) }));
  const setsFor = (model: 'causal' | 'original') => ({ bpftrace: chooseProbeSet(catalog, f, 'bpftrace', 'auto', { model }), ftrace: chooseProbeSet(catalog, f, 'ftrace', 'auto', { model }) });
  const probeSets = setsFor(DEFAULT_MODEL);
  const causalModelSets = setsFor('causal');
  const elevated = f.uid === 0 || f.sudo !== null || f.pkexec !== null;
  const variantOf = (backend: Backend, set: ProbeSetName) =>
    backend === 'ftrace' && !elevated ? null : (variants.find((v) => v.backend === backend && v.set === set && v.missing.length === 0)?.id ?? null);
  const chosen = { bpftrace: variantOf('bpftrace', probeSets.bpftrace.set), ftrace: variantOf('ftrace', probeSets.ftrace.set) };
  const syscallVariant = { bpftrace: variantOf('bpftrace', 'syscalls'), ftrace: variantOf('ftrace', 'syscalls') };
  const sets = (s: typeof probeSets) => (['ftrace', 'bpftrace'] as const).map((b) => `${b}: ${s[b].set}`).join(', ');
  const causalOk = causalModelSets.ftrace.set === 'causal' || causalModelSets.bpftrace.set === 'causal';
  checks.push({
    id: 'probe-set',
    status: causalOk ? 'ok' : 'info',
    summary:
      `probe set ${sets(probeSets)} (${probeSets.ftrace.reason})` +
      (DEFAULT_MODEL === 'causal' ? '' : `; with the causal model: ${sets(causalModelSets)} (${causalModelSets.ftrace.reason})`),
    ...(causalOk ? {} : { hint: 'the syscall set costs the application more under load (every syscall of every process takes the slow path); a kernel >= 6.3 has the socket-level tracepoints' }),
  });
  const optionalProbes = [...catalog.base, ...catalog.optional].map((p) => ({
    id: p.id,
    title: p.title,
    available: f.tracepoints === null ? null : p.tracepoints.every((t) => f.tracepoints!.has(t)),
  }));
  return { features: f, checks, variants, chosen, probeSets, causalModelSets, syscallVariant, optionalProbes, tracefsMountedNow: mountedNow };
}
