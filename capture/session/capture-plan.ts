import { readFile } from 'node:fs/promises';
import type { NetworkDiscovery } from '../discovery/network-discovery.js';
import { parseCustomProbes, type CustomProbeFile } from '../probes/custom-probes.js';
import { detectKernelFeatures, mountTracefs, type KernelFeatures } from '../probes/kernel-features.js';
import { DEFAULT_MODEL } from '../../engine/model/span-link.js';
import { loadCatalog, withCausalModelParts, type Backend, type ProbeCatalog, type ProbeSetName, type ProbeSpec, type VariantSpec } from '../probes/probe-catalog.js';
import { assertProbesSupported, chooseBackend, chooseProbeSet, selectedProbes, supportedVariants } from '../probes/probe-support.js';
import { CaptureError } from './capture-errors.js';
import type { CaptureOptions, PhaseContext } from './capture-types.js';
import { planElevation, type ElevationMethod } from './elevation.js';

// The plan phase: everything decided before a child starts. The kernel's features (tracefs
// mounted if it can be), the custom probe files, the backend, the probes and the variants of the
// base set this kernel supports, how the child gets its rights, and the network's threads.
// Everything the kernel must offer is checked here, so a capture that cannot run fails before
// anything was started.

export interface CapturePlan {
  catalog: ProbeCatalog;
  features: KernelFeatures;
  custom: CustomProbeFile[];
  backend: Backend;
  /** The probe set (docs/adr/0050). */
  set: ProbeSetName;
  probes: ProbeSpec[];
  /** The variants of the base set to try, in order (the first the kernel accepts is used). */
  variants: VariantSpec[];
  elevation: ElevationMethod;
  discovery: NetworkDiscovery;
}

export async function planCapture(
  o: CaptureOptions,
  discover: (network: string) => Promise<NetworkDiscovery>,
  ctx: PhaseContext,
  /** Another host's features (capture/remote); null: this machine's. */
  detectFeatures: (() => Promise<KernelFeatures>) | null = null,
): Promise<CapturePlan> {
  const catalog = loadCatalog();
  const features = detectFeatures ? await detectFeatures() : await kernelFeatures(o, ctx);
  const custom = await readCustomProbes(o.customProbeFiles ?? [], ctx);
  let backend: Backend;
  if (o.backend === undefined || o.backend === 'auto') {
    const chosen = chooseBackend(catalog, features, custom, o.variant);
    backend = chosen.backend;
    ctx.log('info', `backend: ${backend} (${chosen.reason})`);
  } else backend = o.backend;
  const set = chooseProbeSet(catalog, features, backend, o.probeSet ?? 'auto', { ...(o.variant !== undefined ? { variant: o.variant } : {}), model: o.model ?? DEFAULT_MODEL });
  ctx.log('info', `probe set: ${set.set} (${set.reason})`);
  const selection = {
    backend,
    set: set.set,
    ...(o.variant !== undefined ? { variant: o.variant } : {}),
    probes: o.probes ?? [],
    without: o.without ?? [],
    custom,
  };
  const probes = selectedProbes(catalog, selection);
  // The causal model reading a syscall-set capture (a kernel without the causal set) needs the
  // connects and the ends of streams that set lacks; the original model must not see them.
  const causalReads = (o.model ?? DEFAULT_MODEL) === 'causal' && set.set === 'syscalls';
  const variants = supportedVariants(catalog, features, selection).map((v) =>
    causalReads ? withCausalModelParts(v, (tp) => features.tracepoints?.has(tp) === true) : v,
  );
  assertProbesSupported(probes, custom, features, backend);
  const elevation = planElevation({ argv: ['/bin/true'], env: {}, method: o.elevation ?? 'auto', uid: features.uid, sudo: features.sudo, pkexec: features.pkexec }).method;

  const discovery = await discover(o.network);
  ctx.throwIfCancelled();
  ctx.log('info', `network ${o.network}: ${discovery.containers.length} containers, ${discovery.meta.length} threads, gateway ${discovery.gateway}`);
  return { catalog, features, custom, backend, set: set.set, probes, variants, elevation, discovery };
}

async function kernelFeatures(o: CaptureOptions, ctx: PhaseContext): Promise<KernelFeatures> {
  const opts = o.pathEnv !== undefined ? { pathEnv: o.pathEnv } : {};
  const features = await detectKernelFeatures(opts);
  if (features.tracefs.mounted || features.uid !== 0) return features;
  ctx.log('info', 'tracefs is not mounted: mounting it at /sys/kernel/tracing');
  await mountTracefs().catch((e: unknown) => ctx.log('warn', `mounting tracefs failed: ${(e as Error).message}`));
  return detectKernelFeatures(opts);
}

async function readCustomProbes(paths: readonly string[], ctx: PhaseContext): Promise<CustomProbeFile[]> {
  const custom: CustomProbeFile[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new CaptureError('probe-rejected', `cannot read custom probes ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'check the path', 2);
    }
    const parsed = parseCustomProbes(text, path);
    for (const w of parsed.warnings) ctx.log('warn', w);
    custom.push(parsed);
  }
  return custom;
}
