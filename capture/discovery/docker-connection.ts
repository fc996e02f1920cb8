import Docker from 'dockerode';
import { DiscoveryError } from './discovery-errors.js';

// Where the Docker engine is and how to talk to it. dockerode's own errors (ENOENT, EACCES,
// ECONNREFUSED on the socket) become messages that say what to do.

export interface DockerEndpoint {
  /** A unix socket path; default: DOCKER_HOST when it is unix:// (another scheme is refused, named), else /var/run/docker.sock. */
  socketPath?: string;
}

/** A request the engine does not answer in this time fails (a hung dockerd hung discovery and the first Ctrl-C). */
export const DOCKER_TIMEOUT_MS = 15_000;

export function resolveSocketPath(ep: DockerEndpoint = {}): string {
  if (ep.socketPath) return ep.socketPath;
  const host = process.env['DOCKER_HOST'];
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  // Only a local engine can be traced: its containers' threads must be this kernel's.
  if (host !== undefined && host !== '') {
    throw new DiscoveryError(
      'docker-unreachable',
      `DOCKER_HOST is ${host}: capture needs the Docker engine of this machine, through its unix socket`,
      'unset DOCKER_HOST (or set it to unix:///var/run/docker.sock); for another machine use its own host (ssh), see misertrace capture --help',
    );
  }
  return '/var/run/docker.sock';
}

export function createDocker(ep: DockerEndpoint = {}, timeoutMs = DOCKER_TIMEOUT_MS): Docker {
  return new Docker({ socketPath: resolveSocketPath(ep), timeout: timeoutMs });
}

/** Turns a dockerode failure into a DiscoveryError; `what` says what we were doing. */
export function dockerError(e: unknown, socketPath: string, what: string): Error {
  if (e instanceof DiscoveryError) return e;
  const err = e as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string } };
  switch (err.code) {
    case 'ENOENT':
      return new DiscoveryError(
        'docker-unreachable',
        `Docker is not reachable: no socket at ${socketPath} (${what})`,
        'start the Docker engine (`sudo systemctl start docker`, or `dockerd &` where there is no systemd), or point DOCKER_HOST at its socket',
      );
    case 'ECONNREFUSED':
      return new DiscoveryError(
        'docker-unreachable',
        `Docker is not running: nothing answers on ${socketPath} (${what})`,
        'start the Docker engine (`sudo systemctl start docker`, or `dockerd &`)',
      );
    case 'EACCES':
    case 'EPERM':
      return new DiscoveryError(
        'docker-permission',
        `permission denied on the Docker socket ${socketPath} (${what})`,
        'add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or run as root',
      );
  }
  // The request timed out (docker-modem destroys it: "socket hang up") or the engine hung up.
  if (err.code === 'ECONNRESET' || /socket hang up/.test(err.message ?? '')) {
    return new DiscoveryError(
      'docker-unreachable',
      `Docker did not answer on ${socketPath} within ${DOCKER_TIMEOUT_MS / 1000} s, or closed the connection (${what})`,
      'check that dockerd is running and responsive (`docker version`); restart it if it hangs',
    );
  }
  if (typeof err.statusCode === 'number') {
    const msg = err.json?.message ?? err.message;
    return new DiscoveryError('docker-api', `Docker refused ${what}: HTTP ${err.statusCode}: ${msg}`);
  }
  return e instanceof Error ? e : new Error(String(e));
}
