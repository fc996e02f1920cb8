import type { CaptureEvent, CaptureStartRequest, DockerNetworkSummary, NetworkInspection, ProbeCatalog } from '../ipc-capture-types.js';
import type { DoctorHost, RemoteStart } from './remote-hosts.js';

// What the capture screen needs from discovery, the probe doctor and the elevated session, in the
// contract's terms. The adapter onto capture/ lives in capture-bridge.ts.

export interface CaptureAccess {
  listNetworks(): Promise<DockerNetworkSummary[]>;
  inspectNetwork(network: string): Promise<NetworkInspection>;
  /** `host`: another host's kernel and Docker engine (a remote host's doctorHost()); default this machine's. */
  probeCatalog(host?: DoctorHost): Promise<ProbeCatalog>;
  /** Starts a session; its events go to `emit` until it ends. `remote`: on that host (req.host), over its connection. */
  start(req: CaptureStartRequest, emit: (e: CaptureEvent) => void, remote?: RemoteStart): Promise<{ sessionId: string }>;
  stop(sessionId: string): Promise<boolean>;
  cancel(sessionId: string): Promise<boolean>;
  answerPrompt(sessionId: string, promptId: string, password: string | null): Promise<boolean>;
  dispose(): Promise<void>;
}
