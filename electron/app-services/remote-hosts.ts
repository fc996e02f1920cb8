import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { NetworkDiscovery } from '../../capture/discovery/network-discovery.js';
import { remoteCapture, type RemoteCapture } from '../../capture/remote/remote-capture.js';
import type { RemotePrompts } from '../../capture/remote/remote-prompts.js';
import { RemoteServices } from '../../capture/remote/remote-services.js';
import { RemoteHostPool, type ConnectOptions, type RemoteHost } from '../../capture/remote/ssh-connection.js';
import { parseHostSpec } from '../../capture/remote/ssh-target.js';
import type { CaptureCollaborators } from '../../capture/session/capture-collaborators.js';
import type { HostPrompt, SavedHost } from '../ipc-capture-types.js';
import { JsonStore } from './json-store.js';

// The app's remote hosts (docs/adr/0065): the saved list (user@server[:port] only, never a
// secret), one SSH connection per host kept open while the app runs, and the questions a host
// asks (password, key passphrase, sudo password, a new host key) sent to the renderer's own
// dialog as `hostPrompt` events and answered by `answerHostPrompt`. Answers are handed on once.

/** A remote host's kernel and Docker engine, for the probe doctor (RemoteServices.doctorHost()). */
export type DoctorHost = ReturnType<RemoteServices['doctorHost']>;

/** What a capture on a remote host needs from the session side: its connection, its discovery and the remote capture (around the app's finalize). */
export interface RemoteStart {
  host: RemoteHost;
  discover(network: string): Promise<NetworkDiscovery>;
  capture(finalize: CaptureCollaborators['finalize']): RemoteCapture;
}

function hostsStore(userDataDir: string): JsonStore<SavedHost[]> {
  return new JsonStore<SavedHost[]>(join(userDataDir, 'hosts.json'), () => [], (v) => {
    if (!Array.isArray(v)) return null;
    return v.flatMap((h) => (typeof h === 'object' && h !== null && typeof (h as SavedHost).target === 'string' ? [{ target: (h as SavedHost).target }] : []));
  });
}

export class RemoteHosts {
  private readonly store: JsonStore<SavedHost[]>;
  private readonly pending = new Map<string, (answer: string | null) => void>();
  private readonly pool: RemoteHostPool;
  readonly prompts: RemotePrompts;

  constructor(
    userDataDir: string,
    emit: (p: HostPrompt) => void,
    /** Connection options (tests: their own ssh_config, no agent); default ~/.ssh/config and SSH_AUTH_SOCK. */
    connect: Omit<ConnectOptions, 'prompts'> = {},
  ) {
    this.store = hostsStore(userDataDir);
    const ask = (p: Omit<HostPrompt, 'promptId'>) =>
      new Promise<string | null>((resolve) => {
        const promptId = randomBytes(8).toString('hex');
        this.pending.set(promptId, resolve);
        emit({ ...p, promptId });
      });
    this.prompts = {
      secret: (r) => ask({ kind: r.kind, host: r.host, message: `${r.attempt > 1 ? 'Not accepted; try again. ' : ''}${r.message}`, echo: r.echo, fingerprint: null }),
      confirmHostKey: async (r) =>
        (await ask({ kind: 'host-key', host: r.host, message: `${r.host} (${r.entryName}) is not in ${r.knownHostsFile}. Check its ${r.keyType} key fingerprint with the server's administrator before trusting it.`, echo: true, fingerprint: r.fingerprint })) === 'yes',
    };
    this.pool = new RemoteHostPool({ ...connect, prompts: this.prompts });
  }

  async list(): Promise<SavedHost[]> {
    return (await this.store.read()).value;
  }

  /** Replaces the saved list; each target must be user@server[:port] or an ssh alias. */
  async save(hosts: SavedHost[]): Promise<SavedHost[]> {
    const clean = [...new Map(hosts.map((h) => [h.target.trim(), { target: h.target.trim() }])).values()];
    for (const h of clean) parseHostSpec(h.target);
    await this.store.write(clean);
    return clean;
  }

  answer(promptId: string, answer: string | null): boolean {
    const resolve = this.pending.get(promptId);
    if (!resolve) return false;
    this.pending.delete(promptId);
    resolve(answer);
    return true;
  }

  async services(target: string): Promise<RemoteServices> {
    return RemoteServices.of(await this.pool.get(target));
  }

  async start(target: string): Promise<RemoteStart> {
    const services = await this.services(target);
    return {
      host: services.host,
      discover: (network) => services.discover(network),
      capture: (finalize) => remoteCapture(services.host, this.prompts, services, finalize),
    };
  }

  dispose(): void {
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
    this.pool.dispose();
  }
}
