import type { RemoteCaptureInfo } from '../../engine/bundle/manifest.js';
import type { CaptureCollaborators } from '../session/capture-collaborators.js';
import { finalizeCapture } from '../session/finalize-capture.js';
import { DEFAULT_LIMITS, type HostLimits } from '../session/host-guard.js';
import type { RemoteChild } from './remote-child.js';
import { RemoteError } from './remote-errors.js';
import { remoteRoom, remoteShortage, throttledRemoteCheck } from './remote-guard.js';
import { startRemoteChild } from './remote-launch.js';
import { choosePrivilege, type RemotePrivilege } from './remote-privilege.js';
import type { RemotePrompts } from './remote-prompts.js';
import { RemoteServices } from './remote-services.js';
import type { RemoteHost } from './ssh-connection.js';

// A capture session on a remote host (docs/adr/0065): the same CaptureSession, probes, backends,
// live figures and bundle as a local capture, with the collaborators that reach the host over
// its one connection: its kernel features, its Docker network and /proc, its tracer as root
// under the watchdog. The records are converted and the bundle built here; the bundle's
// manifest says which host it was and holds that host's clocks at start and end.

export interface RemoteCapture {
  collaborators: Partial<CaptureCollaborators>;
  services: RemoteServices;
  /** How the last started child got root (known once the features were read). */
  readonly privilege: RemotePrivilege | null;
  /** The child of the last start (its tracer's pid on the host, its clock readings). */
  readonly child: RemoteChild | null;
  /** The manifest's `remote` part, as of now. */
  info(): RemoteCaptureInfo | null;
}

export function remoteCapture(
  host: RemoteHost,
  prompts: RemotePrompts,
  services = RemoteServices.of(host),
  finalize: CaptureCollaborators['finalize'] = finalizeCapture,
  options: { heartbeatTimeoutS?: number; limits?: HostLimits | false } = {},
): RemoteCapture {
  let privilege: RemotePrivilege | null = null;
  let backend: string | null = null;
  const limits = options.limits ?? DEFAULT_LIMITS;
  let hostname = host.target.hostname;
  let child: RemoteChild | null = null;
  const info = (): RemoteCaptureInfo | null =>
    privilege === null
      ? null
      : {
          transport: 'ssh',
          target: host.label,
          hostname,
          user: host.target.user,
          port: host.target.port,
          privilege,
          clockStart: child?.clocks.start ?? null,
          clockEnd: child?.clocks.end ?? null,
        };
  const collaborators: Partial<CaptureCollaborators> = {
    kernelFeatures: async () => {
      const f = await services.features();
      // sudo's rule and the host's room, asked together: each is a round trip.
      const [sudoNoPassword, room] = await Promise.all([
        f.uid !== 0 && f.sudo !== null ? services.sudoWithoutPassword() : Promise.resolve(false),
        limits === false ? Promise.resolve(null) : remoteRoom(host),
      ]);
      // Decided before anything starts: a host where we cannot get root fails here, clearly.
      privilege = choosePrivilege({ ...f, sudoNoPassword }, host.label);
      hostname = f.hostname;
      // The host's own room, before anything starts there (docs/adr/0086).
      const why = room === null || limits === false ? null : remoteShortage(host.label, room, limits, true);
      if (why !== null) throw new RemoteError('host-short', `${why}: not starting the capture there`, 'free memory or disk on that host (or point TMPDIR of its SSH user at a larger disk), then capture again');
      return f;
    },
    discover: (network) => services.discover(network),
    // While capturing: its memory, and its disk where the ftrace helper's pages wait.
    hostShortage: limits === false ? null : throttledRemoteCheck(host, () => backend === 'ftrace'),
    // The remote helper's stdin is the watchdog's channel: the ftrace causal set keeps the kernel's thread filter there.
    childTakesLines: false,
    startChild: (o, launch) => {
      backend = launch.variant.backend;
      child = startRemoteChild({ host, privilege: privilege ?? 'sudo-password', prompts, ...options, ...(o.onAuthenticating ? { onAuthenticating: o.onAuthenticating } : {}) }, launch);
      return child;
    },
    // Around the host's own finalize (in process, or the app's engine worker).
    finalize: (inp) => finalize({ ...inp, capture: { ...inp.capture, hostname, ...(info() ? { remote: info()! } : {}) } }),
    // The host's Docker events are not followed yet (this machine's engine knows nothing of its
    // network); the session says so in its log.
    watchNetwork: null,
  };
  return {
    collaborators,
    services,
    get privilege() {
      return privilege;
    },
    get child() {
      return child;
    },
    info,
  };
}
