import { existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { ftraceHelperPath } from '../../../capture/ftrace/helper-command.js';

// Whether this machine can run a real capture: root, or a user whose sudo rules allow exactly the
// elevated parts without a password (e2e/nonroot-ui-capture.test.ts runs the capture spec so), bpftrace,
// a Docker engine that answers. Each missing piece is named, so a skip says why.

/** Whether sudo runs `cmd` for this user without asking (sudo -n -l names an allowed command). */
function sudoAllows(cmd: string): boolean {
  return spawnSync('sudo', ['-n', '-l', cmd], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export function captureUnavailableReason(): string | null {
  if (process.getuid?.() !== 0 && !(sudoAllows(ftraceHelperPath()) && sudoAllows('/usr/bin/env'))) {
    return 'not root, and sudo does not allow the ftrace helper and /usr/bin/env without a password: a real capture needs them (run the suite as root, as CI does)';
  }
  if (!['/usr/bin/bpftrace', '/usr/sbin/bpftrace', '/usr/local/bin/bpftrace'].some((p) => existsSync(p))) return 'bpftrace is not installed (apt-get install -y bpftrace)';
  if (!existsSync('/var/run/docker.sock')) return 'no Docker engine (/var/run/docker.sock missing; start dockerd)';
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe', timeout: 10_000 });
  } catch {
    return 'the Docker engine does not answer (start dockerd)';
  }
  return null;
}
