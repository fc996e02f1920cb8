import Docker from 'dockerode';
import { detectKernelFeatures } from '../../capture/probes/kernel-features.js';

// Whether this machine can run the end-to-end capture tests: root, a Docker engine, bpftrace,
// tracefs. When it cannot, the suites skip and say why (printed once per file).

export interface CaptureEnvironment {
  docker: boolean;
  root: boolean;
  bpftrace: boolean;
  tracefs: boolean;
  /** Why the capture suites skip, or null when they run. */
  skipReason: string | null;
  dockerSkipReason: string | null;
}

export async function captureEnvironment(): Promise<CaptureEnvironment> {
  const docker = await new Docker()
    .ping()
    .then(() => true)
    .catch(() => false);
  const f = await detectKernelFeatures();
  const root = f.uid === 0;
  const reasons: string[] = [];
  if (!root) reasons.push('not running as root (the capture child runs directly only as root; CI runs as root)');
  if (!docker) reasons.push('no Docker engine answers on /var/run/docker.sock (start dockerd)');
  if (!f.bpftrace) reasons.push('bpftrace is not installed (apt-get install -y bpftrace)');
  if (!f.tracefs.mounted) reasons.push('tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)');
  return {
    docker,
    root,
    bpftrace: f.bpftrace !== null,
    tracefs: f.tracefs.mounted,
    skipReason: reasons.length > 0 ? reasons.join('; ') : null,
    dockerSkipReason: docker ? null : 'no Docker engine answers on /var/run/docker.sock (start dockerd)',
  };
}

export function announceSkip(suite: string, reason: string | null): void {
  if (reason) console.warn(`[skip] ${suite}: ${reason}`);
}

/** Fails when processes we started (capture children, ptys) outlive their session. */
export async function expectNoChildProcesses(timeoutMs = 3000): Promise<void> {
  const { descendants, listProcesses } = await import('../../capture/discovery/proc-tasks.js');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const procs = await listProcesses();
    const left = descendants(procs, process.pid).filter((p) => p !== process.pid);
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`processes left behind: ${left.map((p) => `${p} (${procs.get(p)?.comm ?? '?'})`).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
