import type Docker from 'dockerode';
import { DiscoveryError } from '../discovery/discovery-errors.js';
import { dockerError } from '../discovery/docker-connection.js';
import { DiscoveryService, type NetworkDiscovery } from '../discovery/network-discovery.js';
import { createRemoteDocker, REMOTE_DOCKER_SOCKET } from './remote-docker.js';
import { detectRemoteFeatures, type RemoteFeatures } from './remote-features.js';
import { remoteProc } from './remote-proc.js';
import { shCommand } from './remote-shell.js';
import type { RemoteHost } from './ssh-connection.js';

// What discovery, doctor and a capture need from a remote host, all over its one connection:
// its Docker engine, its /proc, its kernel's features. Errors name the host.

const shared = new WeakMap<RemoteHost, RemoteServices>();

export class RemoteServices {
  /** The services of a host's connection, shared: the kernel's features are read once per connection. */
  static of(host: RemoteHost): RemoteServices {
    let s = shared.get(host);
    if (!s) shared.set(host, (s = new RemoteServices(host)));
    return s;
  }

  readonly docker: Docker;
  private featuresP: Promise<RemoteFeatures> | null = null;

  constructor(
    readonly host: RemoteHost,
    readonly dockerSocket = REMOTE_DOCKER_SOCKET,
  ) {
    this.docker = createRemoteDocker(host, dockerSocket);
  }

  /** The host's kernel features, read once per connection. */
  features(): Promise<RemoteFeatures> {
    this.featuresP ??= detectRemoteFeatures(this.host);
    return this.featuresP;
  }

  /** Whether sudo needs no password now (asked each capture: sudoers may have changed since the features were read). */
  async sudoWithoutPassword(): Promise<boolean> {
    const r = await this.host.exec(shCommand('sudo -n true 2>/dev/null'));
    return r.code === 0;
  }

  discoveryService(): DiscoveryService {
    return new DiscoveryService({ docker: this.docker, socketPath: this.dockerSocket, proc: remoteProc(this.host) });
  }

  async discover(network: string): Promise<NetworkDiscovery> {
    try {
      return await this.discoveryService().discover(network);
    } catch (e) {
      throw onHost(e, this.host.label);
    }
  }

  async ping(): Promise<{ version: string; apiVersion: string }> {
    try {
      return await this.discoveryService().ping();
    } catch (e) {
      throw onHost(dockerError(e, this.dockerSocket, 'asking for its version'), this.host.label);
    }
  }

  /** For runDoctor({ host }). */
  doctorHost(): { detect: () => Promise<RemoteFeatures>; ping: () => Promise<{ version: string; apiVersion: string }> } {
    return { detect: () => this.features(), ping: () => this.ping() };
  }
}

/** A discovery error with the host it happened on. */
function onHost(e: unknown, label: string): unknown {
  if (e instanceof DiscoveryError) return new DiscoveryError(e.code, `on ${label}: ${e.message}`, e.hint);
  return e;
}
