import { execFile } from 'node:child_process';
import { access, readFile, readdir } from 'node:fs/promises';
import { availableParallelism, release } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from './find-executable.js';

// What the running kernel and this host offer for tracing, read from the system itself:
// tracefs (where, mounted or not, readable or not), the tracepoints it lists, kprobe support,
// BTF, the bpftrace and trace-cmd programs and their versions, and our privileges.

const run = promisify(execFile);

export interface ToolInfo {
  path: string;
  version: string | null;
}

export interface TracefsInfo {
  /** Where tracefs is mounted, or null. */
  path: string | null;
  mounted: boolean;
  /** Whether we can list its events (root, or access was granted). */
  readable: boolean;
}

export interface KernelFeatures {
  kernelRelease: string;
  tracefs: TracefsInfo;
  /** `group:event` of every tracepoint, when tracefs is readable; null when we cannot tell. */
  tracepoints: Set<string> | null;
  kprobes: boolean | null;
  btf: boolean;
  bpftrace: ToolInfo | null;
  traceCmd: ToolInfo | null;
  uid: number;
  sudo: string | null;
  pkexec: string | null;
  cpus: number;
}

export interface DetectOptions {
  /** PATH to search for programs (default: this process's). */
  pathEnv?: string;
  /** Where to look for tracefs (tests may point elsewhere). */
  tracefsCandidates?: string[];
  btfPath?: string;
}

export const DEFAULT_TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** Mount points of tracefs from /proc/mounts. */
export async function tracefsMounts(): Promise<string[]> {
  const text = await readFile('/proc/mounts', 'utf8');
  return text
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === 'tracefs')
    .map((f) => f[1]!.replace(/\\040/g, ' '));
}

export async function detectTracefs(candidates = DEFAULT_TRACEFS): Promise<TracefsInfo> {
  const mounts = await tracefsMounts();
  for (const c of candidates) {
    if (!mounts.includes(c)) continue;
    try {
      await readdir(join(c, 'events'));
      return { path: c, mounted: true, readable: true };
    } catch {
      return { path: c, mounted: true, readable: false };
    }
  }
  return { path: null, mounted: false, readable: false };
}

export async function listTracepoints(tracefs: string): Promise<Set<string>> {
  // available_events lists every `group:event` in one read.
  const text = await readFile(join(tracefs, 'available_events'), 'utf8');
  return new Set(text.split('\n').filter((l) => l.includes(':')));
}

async function toolVersion(path: string, args: string[], re: RegExp): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(path, args, { timeout: 10_000 });
    return re.exec(`${stdout}\n${stderr}`)?.[1] ?? null;
  } catch (e) {
    // trace-cmd prints its version with usage and exits non-zero: read what it printed.
    const out = `${(e as { stdout?: string }).stdout ?? ''}\n${(e as { stderr?: string }).stderr ?? ''}`;
    return re.exec(out)?.[1] ?? null;
  }
}

export async function detectKernelFeatures(opts: DetectOptions = {}): Promise<KernelFeatures> {
  const tracefs = await detectTracefs(opts.tracefsCandidates);
  let tracepoints: Set<string> | null = null;
  let kprobes: boolean | null = null;
  if (tracefs.readable && tracefs.path) {
    tracepoints = await listTracepoints(tracefs.path);
    kprobes = await exists(join(tracefs.path, 'kprobe_events'));
  }
  // The perf PMU of kprobes is visible without privileges.
  if (kprobes !== true && (await exists('/sys/bus/event_source/devices/kprobe'))) kprobes = true;
  const bpftracePath = findExecutable('bpftrace', opts.pathEnv);
  const traceCmdPath = findExecutable('trace-cmd', opts.pathEnv);
  return {
    kernelRelease: release(),
    tracefs,
    tracepoints,
    kprobes,
    btf: await exists(opts.btfPath ?? '/sys/kernel/btf/vmlinux'),
    bpftrace: bpftracePath ? { path: bpftracePath, version: await toolVersion(bpftracePath, ['--version'], /bpftrace\s+v?(\S+)/) } : null,
    traceCmd: traceCmdPath ? { path: traceCmdPath, version: await toolVersion(traceCmdPath, ['--version'], /trace-cmd version (\S+)/) } : null,
    uid: process.getuid?.() ?? -1,
    sudo: findExecutable('sudo', opts.pathEnv),
    pkexec: findExecutable('pkexec', opts.pathEnv),
    cpus: availableParallelism(),
  };
}

/** Mounts tracefs at /sys/kernel/tracing; only root may. */
export async function mountTracefs(target = '/sys/kernel/tracing'): Promise<void> {
  await run('mount', ['-t', 'tracefs', 'nodev', target], { timeout: 10_000 });
}
