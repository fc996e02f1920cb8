import type { DiscoveryService, NetworkDiscovery } from '../../capture/discovery/network-discovery.js';
import type { CaptureEvent, CaptureStartRequest, DockerNetworkSummary, NetworkInspection, ProbeCatalog } from '../ipc-capture-types.js';
import { AppFailure } from './app-error.js';
import type { CaptureAccess } from './capture-access.js';
import { discoveryFailure } from './capture-errors.js';
import type { DoctorHost, RemoteStart } from './remote-hosts.js';

// CaptureAccess over the capture services of capture/: discovery (dockerode + /proc),
// the probe doctor, and the elevated capture session. Only translation happens here.

export interface CaptureBackendServices {
  discovery: DiscoveryService;
  session: CaptureSessionPort | null;
}

/** The session half of CaptureAccess (capture/session): everything but discovery, which the bridge does. */
export interface CaptureSessionPort extends Omit<CaptureAccess, 'listNetworks' | 'inspectNetwork' | 'start'> {
  /**
   * Starts a session and reports through `emit`. `discovered`: the network as the caller just
   * discovered it (discovery runs once per start); without it the session discovers it.
   */
  start(req: CaptureStartRequest, emit: (e: CaptureEvent) => void, discovered?: NetworkDiscovery, remote?: RemoteStart): Promise<{ sessionId: string }>;
}

export class ServicesCaptureAccess implements CaptureAccess {
  constructor(private readonly s: CaptureBackendServices) {}

  async listNetworks(): Promise<DockerNetworkSummary[]> {
    try {
      return await this.s.discovery.listNetworks();
    } catch (e) {
      throw discoveryFailure(e);
    }
  }

  async inspectNetwork(network: string): Promise<NetworkInspection> {
    let d: NetworkDiscovery;
    try {
      d = await this.s.discovery.discover(network);
    } catch (e) {
      throw discoveryFailure(e);
    }
    return inspectionOf(d);
  }

  async probeCatalog(host?: DoctorHost): Promise<ProbeCatalog> {
    return this.session().probeCatalog(host);
  }

  async start(req: CaptureStartRequest, emit: (e: CaptureEvent) => void, remote?: RemoteStart): Promise<{ sessionId: string }> {
    const session = this.session();
    // Discover first, so that a wrong network or a stopped Docker is the answer to Start itself
    // rather than an event a moment later; the session captures the threads found here.
    let discovered: NetworkDiscovery;
    try {
      discovered = remote ? await remote.discover(req.network) : await this.s.discovery.discover(req.network);
    } catch (e) {
      throw discoveryFailure(e);
    }
    return session.start(req, emit, discovered, remote);
  }

  stop(sessionId: string): Promise<boolean> {
    return this.session().stop(sessionId);
  }

  cancel(sessionId: string): Promise<boolean> {
    return this.session().cancel(sessionId);
  }

  answerPrompt(sessionId: string, promptId: string, password: string | null): Promise<boolean> {
    return this.session().answerPrompt(sessionId, promptId, password);
  }

  async dispose(): Promise<void> {
    await this.s.session?.dispose();
  }

  private session(): CaptureSessionPort {
    if (this.s.session === null) {
      throw new AppFailure('capture-failed', 'capture is not available in this build of the app', 'capture from the command line: misertrace capture -n NETWORK -o out.mstrace');
    }
    return this.s.session;
  }
}

/** What the capture screen shows of a network's discovery. */
export function inspectionOf(d: NetworkDiscovery): NetworkInspection {
  return {
    network: d.network.name,
    gateway: d.gateway,
    containers: d.containers.map((c) => ({ id: c.id, name: c.name, ip: c.ip, image: c.image, state: c.state, threadCount: c.threadCount })),
    threadCount: d.meta.length,
    problems: d.skipped.map((s) => `${s.name} is not traced: ${s.state}`),
  };
}
