import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

// Whether this machine can run a real capture: root (or the test cannot attach probes), bpftrace,
// a Docker engine that answers. Each missing piece is named, so a skip says why.

export function captureUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root: a real capture needs root (run the suite as root, as CI does)';
  if (!['/usr/bin/bpftrace', '/usr/sbin/bpftrace', '/usr/local/bin/bpftrace'].some((p) => existsSync(p))) return 'bpftrace is not installed (apt-get install -y bpftrace)';
  if (!existsSync('/var/run/docker.sock')) return 'no Docker engine (/var/run/docker.sock missing; start dockerd)';
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe', timeout: 10_000 });
  } catch {
    return 'the Docker engine does not answer (start dockerd)';
  }
  return null;
}
