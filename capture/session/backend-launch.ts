import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkDiscovery } from '../discovery/network-discovery.js';
import type { CustomProbeFile } from '../probes/custom-probes.js';
import type { KernelFeatures } from '../probes/kernel-features.js';
import type { ProbeCatalog, ProbeSpec, VariantSpec } from '../probes/probe-catalog.js';
import { ftraceEventsOf } from '../probes/probe-catalog.js';
import type { SyscallGroups } from '../probes/record-codes.js';
import { bpftraceEnv, bufferSizing, buildBpftraceScript } from '../probes/script-builder.js';
import type { FtraceChildConfig } from '../ftrace/ftrace-config.js';
import { ftraceHelperArgs, ftraceHelperPath } from '../ftrace/helper-command.js';
import { FtraceRelay } from '../ftrace/ftrace-relay.js';
import { readerFilteredEvents } from '../ftrace/noisy-processes.js';

// What to run for a capture: the program and arguments of the elevated child, its environment,
// where it writes records, and the script text the bundle keeps.

export interface BackendLaunch {
  variant: VariantSpec;
  argv: string[];
  env: Record<string, string>;
  /** The records file (sorted at the end, followed for live figures). */
  rawPath: string;
  /** bpftrace: the child writes its own output here; it is converted into rawPath (bpftrace-output.ts). */
  convert?: { from: string; syscalls: SyscallGroups };
  /** ftrace: follows what the root helper writes and converts its pages into rawPath (ftrace-relay.ts). */
  pump?: OutputPump;
  script: { name: string; text: string };
  parameters: Record<string, string | number | boolean>;
}

/** What the session drives while the child captures and after it ended (the bpftrace pump has the same shape). */
export interface OutputPump {
  readonly from: string;
  readonly stats: { malformed: number; mapLost: number };
  readonly notes?: readonly { level: 'info' | 'warn'; text: string }[];
  poll(): Promise<void>;
  /** The child's stdin, for a pump that steers it (the ftrace relay: docs/adr/0106). */
  takeControl?(write: (line: string) => void): void;
  finish(): Promise<{ cutBytes: number }>;
  close(): Promise<void>;
}

export interface LaunchInput {
  catalog: ProbeCatalog;
  variant: VariantSpec;
  features: KernelFeatures;
  discovery: NetworkDiscovery;
  probes: readonly ProbeSpec[];
  custom: readonly CustomProbeFile[];
  workDir: string;
  rbPages?: number;
  /** ftrace: per-CPU buffer of each tracefs instance, KiB. */
  bufferKb?: number;
  /** Whether the child takes lines on its stdin (a local helper does; a remote one not yet). */
  childTakesLines?: boolean;
}

export async function bpftraceLaunch(inp: LaunchInput): Promise<BackendLaunch> {
  const bpftrace = inp.features.bpftrace;
  if (bpftrace === null) throw new Error('bpftraceLaunch without bpftrace');
  const tids = inp.discovery.meta.map((m) => m.tid);
  const built = buildBpftraceScript({
    catalog: inp.catalog,
    variant: inp.variant,
    tids,
    probes: inp.probes,
    custom: inp.custom,
    attachMarker: true,
    header: `MiSeRTrace Explorer capture of network ${inp.discovery.network.name}: variant ${inp.variant.id}, ${tids.length} threads, ${new Date().toISOString()}`,
  });
  const scriptPath = join(inp.workDir, `probes-${inp.variant.id}.bt`);
  await writeFile(scriptPath, built.text, { mode: 0o644 });
  const rawPath = join(inp.workDir, 'raw.psv');
  const outPath = join(inp.workDir, 'bpftrace.out');
  const sizing = bufferSizing({ threads: tids.length, scriptBytes: Buffer.byteLength(built.text), cpus: inp.features.cpus, ...(inp.rbPages ? { rbPages: inp.rbPages } : {}) });
  return {
    variant: inp.variant,
    // -o: output goes to a file, not through the terminal. It holds the record maps' dumps
    // (docs/adr/0026), converted into records in rawPath while the capture runs.
    argv: [bpftrace.path, '-o', outPath, scriptPath],
    env: bpftraceEnv(sizing),
    rawPath,
    convert: { from: outPath, syscalls: inp.catalog.syscalls },
    script: { name: `probes-${inp.variant.id}.bt`, text: built.text },
    parameters: {
      variant: inp.variant.id,
      bpftraceVersion: bpftrace.version ?? 'unknown',
      rbPages: sizing.rbPages,
      mapKeysMax: sizing.mapKeysMax,
      logSize: sizing.logSize,
    },
  };
}

export async function ftraceLaunch(inp: LaunchInput): Promise<BackendLaunch> {
  const tracefs = inp.features.tracefs.path;
  if (tracefs === null) throw new Error('ftraceLaunch without tracefs');
  const rawPath = join(inp.workDir, 'raw.psv');
  const events = ftraceEventsOf(inp.catalog, inp.variant);
  const comms = Object.fromEntries(inp.discovery.comms);
  const config: FtraceChildConfig = {
    tracefs,
    tids: inp.discovery.meta.map((m) => m.tid),
    comms,
    syscalls: inp.catalog.syscalls,
    // The variant's events and the set they make records of (docs/adr/0050); the causal set's
    // thread filter in the reader where the relay can steer the helper's name filter (docs/adr/0125).
    ...events,
    ...(events.set === 'causal' && inp.childTakesLines === true ? readerFilteredEvents(events) : {}),
    userEvents: inp.probes.flatMap((p) => p.ftrace.map((e) => ({ event: e }))),
    output: rawPath,
    bufferKb: inp.bufferKb ?? 8192,
  };
  const configPath = join(inp.workDir, 'ftrace-config.json');
  const text = `${JSON.stringify(config, null, 2)}\n`;
  await writeFile(configPath, text, { mode: 0o644 });
  // The elevated part is the fixed shell helper (docs/adr/0020): it writes the raw pages to the
  // work folder as the user; we follow them and convert them (ftrace-relay.ts).
  return {
    variant: inp.variant,
    argv: [ftraceHelperPath(), ...ftraceHelperArgs(inp.workDir, config)],
    env: {},
    rawPath,
    pump: new FtraceRelay(inp.workDir, rawPath, config),
    script: { name: 'ftrace-config.json', text },
    parameters: { variant: inp.variant.id, bufferKb: config.bufferKb },
  };
}
