import { DiscoveryService, type NetworkDiscovery } from '../discovery/network-discovery.js';
import { watchNetworkJoins, type NetworkJoin, type NetworkWatch } from '../discovery/network-watch.js';
import { RecordTail } from '../bpftrace/record-tail.js';
import { finalizeCapture, type FinalizeInput, type FinalizeResult } from './finalize-capture.js';
import type { KernelFeatures } from '../probes/kernel-features.js';
import type { BackendLaunch } from './backend-launch.js';
import { PtyChild, type CaptureChild, type PtyChildOptions } from './pty-child.js';
import type { CaptureOptions } from './capture-types.js';
import type { HostLimits } from './host-guard.js';

// What a capture session works with but does not build itself (as Perfetto's FtraceController
// is handed its procfs and config muxer): the network's discovery, the elevated child's launcher,
// the records file's follower, and the bundle builder. The hosts pass their own: the app hands
// over the discovery it already ran to check the network, and finalizes in the engine worker.

export interface CaptureCollaborators {
  /** The traced network's containers, threads and gateway; called once per start. */
  discover(network: string): Promise<NetworkDiscovery>;
  /** Starts the elevated child (in a pseudo-terminal here; on a remote host, over its connection: capture/remote). */
  startChild(o: PtyChildOptions, launch: BackendLaunch): CaptureChild;
  /** Whether that child takes lines on its stdin (`writeLine`): the ftrace relay steers the helper through it. */
  childTakesLines: boolean;
  /** The kernel's features; null: this machine's, tracefs mounted when it can be (capture-plan.ts). */
  kernelFeatures: (() => Promise<KernelFeatures>) | null;
  /** Follows the records file for live figures and the attach marker. */
  followRecords(path: string): RecordTail;
  /** Orders the raw records, generates the traces and writes the bundle. */
  finalize(inp: FinalizeInput): Promise<FinalizeResult>;
  /** Follows containers (re)started on the traced network during the capture; null: not followed (said in the log). */
  watchNetwork: ((d: NetworkDiscovery, onJoin: (j: NetworkJoin) => void) => NetworkWatch) | null;
  /** The traced host's own shortage, checked beside this machine's while capturing (a remote host's memory and disk: capture/remote); null: the traced host is this machine. */
  hostShortage: ((limits: HostLimits) => Promise<string | null>) | null;
}

/** The collaborators of a capture run in this process; `over` replaces some of them. */
export function captureCollaborators(o: Pick<CaptureOptions, 'docker'>, over: Partial<CaptureCollaborators> = {}): CaptureCollaborators {
  return {
    discover: over.discover ?? ((network) => new DiscoveryService(o.docker ?? {}).discover(network)),
    startChild: over.startChild ?? ((c) => new PtyChild(c)),
    childTakesLines: over.childTakesLines ?? over.startChild === undefined,
    kernelFeatures: over.kernelFeatures ?? null,
    followRecords: over.followRecords ?? ((path) => new RecordTail(path)),
    finalize: over.finalize ?? finalizeCapture,
    hostShortage: over.hostShortage ?? null,
    watchNetwork:
      over.watchNetwork !== undefined
        ? over.watchNetwork
        : (d, onJoin) => watchNetworkJoins(o.docker ?? {}, d.network.id, new Date(d.discoveredAt), new Map(d.containers.map((c) => [c.id, c.name])), onJoin),
  };
}

