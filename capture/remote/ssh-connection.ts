import ssh2, { type Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { Emitter, type Disposable } from '../session/lifecycle.js';
import { addHostKey, checkHostKey, fingerprint, hostEntryName, keyType, knownKeyTypes } from './known-hosts.js';
import { RemoteError } from './remote-errors.js';
import type { RemotePrompts } from './remote-prompts.js';
import { authHandler, type AuthState } from './ssh-auth.js';
import { parseHostSpec, resolveTarget, type HostSpec, type ResolveOptions, type ResolvedTarget } from './ssh-target.js';

// One SSH connection per remote host (docs/adr/0065), kept alive with SSH keepalives, and
// everything for that host over it as channels: Docker API calls, /proc reads, feature checks,
// the capture child. A new handshake per call (docker-modem's ssh mode) would cost a round of
// key exchange and authentication each time and ask for a password again.

export interface ConnectOptions extends ResolveOptions {
  prompts: RemotePrompts;
  /** SSH keepalive interval (ms); the connection counts as lost after `keepaliveCountMax` unanswered. */
  keepaliveMs?: number;
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
  /** zlib on the transport: the capture's output streams back compressed. Default on. */
  compress?: boolean;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  signal: string | null;
}

const HOST_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

export class RemoteHost implements Disposable {
  /** Fired once when the connection ends, with why (null when we closed it). */
  readonly onClose = new Emitter<string | null>();
  private closedWhy: string | null | undefined = undefined;
  private closing = false;
  /** Our open channels: marked closed when the connection ends (see markChannelsClosed). */
  private readonly channels = new Set<ClientChannel>();

  private constructor(
    private readonly client: Client,
    readonly target: ResolvedTarget,
  ) {
    client.on('end', () => this.markChannelsClosed());
    client.on('close', () => {
      this.markChannelsClosed();
      this.markClosed(this.closing ? null : `the connection to ${target.label} was lost`);
    });
    client.on('error', (e: Error) => this.markClosed(`the connection to ${target.label} failed: ${e.message}`));
  }

  static async connect(host: HostSpec | string, o: ConnectOptions): Promise<RemoteHost> {
    const spec = typeof host === 'string' ? parseHostSpec(host) : host;
    const t = await resolveTarget(spec, o);
    if (t.proxy !== null) {
      throw new RemoteError('unreachable', `${t.label} needs a proxy (${t.proxy}), which misertrace does not run`, 'connect to a host reachable directly, or forward a local port to it (ssh -L) and use --host user@localhost:PORT');
    }
    const names = [...new Set([hostEntryName(t.hostname, t.port), hostEntryName(t.alias, t.port)])];
    const known = await knownKeyTypes(t.knownHostsFiles, names);
    const state: AuthState = { cancelled: false, tried: [] };
    let keyProblem: RemoteError | null = null;
    const client = new ssh2.Client();
    const config: ConnectConfig = {
      host: t.hostname,
      port: t.port,
      username: t.user,
      keepaliveInterval: o.keepaliveMs ?? 15_000,
      keepaliveCountMax: o.keepaliveCountMax ?? 3,
      readyTimeout: o.readyTimeoutMs ?? 30_000,
      authHandler: authHandler(t, o.prompts, state),
      algorithms: {
        // Key types known_hosts already holds for this host first, as OpenSSH orders them: a
        // server with several keys then shows the one we can check.
        serverHostKey: [...known.filter((k) => HOST_KEY_TYPES.includes(k)), ...HOST_KEY_TYPES.filter((k) => !known.includes(k))] as never,
        ...(o.compress === false ? {} : { compress: ['zlib@openssh.com', 'zlib', 'none'] as never }),
      },
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        void verifyHostKey(t, names, key, o.prompts).then(
          (problem) => {
            keyProblem = problem;
            verify(problem === null);
          },
          (e: unknown) => {
            keyProblem = new RemoteError('host-key-unknown', `checking the host key of ${t.label} failed: ${(e as Error).message}`);
            verify(false);
          },
        );
      },
    };
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      // ssh2 may report more than one error for one failed handshake: all are ours to take.
      const onError = (e: Error & { level?: string; code?: string }) => {
        if (settled) return;
        settled = true;
        client.off('ready', onReady);
        client.end();
        reject(connectError(t, e, keyProblem, state));
      };
      const onReady = () => {
        settled = true;
        client.off('error', onError);
        resolve();
      };
      client.once('ready', onReady);
      client.on('error', onError);
      client.connect(config);
    });
    return new RemoteHost(client, t);
  }

  get label(): string {
    return this.target.label;
  }

  /** Why the connection ended; undefined while it is open, null when we closed it. */
  get closedReason(): string | null | undefined {
    return this.closedWhy;
  }

  private markClosed(why: string | null): void {
    if (this.closedWhy !== undefined) return;
    this.closedWhy = why;
    this.onClose.fire(why);
  }

  /**
   * ssh2 ends a dead connection's channels as readable streams, and their auto-destroy then sends
   * CHANNEL_CLOSE through the already closed zlib compressor, which throws from a timer tick:
   * an uncaught exception that would end the CLI or the app. A channel whose outgoing side is
   * marked closed sends nothing, so each of ours is marked as soon as the connection ends.
   */
  private markChannelsClosed(): void {
    for (const ch of this.channels) (ch as unknown as { outgoing: { state: string } }).outgoing.state = 'closed';
    this.channels.clear();
  }

  private track(ch: ClientChannel): ClientChannel {
    this.channels.add(ch);
    ch.once('close', () => this.channels.delete(ch));
    return ch;
  }

  private assertOpen(): void {
    if (this.closedWhy !== undefined) throw new RemoteError('disconnected', this.closedWhy ?? `the connection to ${this.label} was closed`, 'connect again');
  }

  /** A command's channel (no terminal: stdin, stdout and stderr are separate pipes). */
  channel(command: string): Promise<ClientChannel> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, ch) => (err ? reject(new RemoteError('remote-command', `${this.label} refused to run a command: ${err.message}`)) : resolve(this.track(ch))));
    });
  }

  /** Runs a command to its end; `stdin` is written and closed first. */
  async exec(command: string, o: { stdin?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
    const ch = await this.channel(command);
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let code: number | null = null;
      let signal: string | null = null;
      const timer = o.timeoutMs ? setTimeout(() => ch.close(), o.timeoutMs) : undefined;
      ch.on('data', (d: Buffer) => out.push(d));
      ch.stderr.on('data', (d: Buffer) => err.push(d));
      ch.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s ?? null;
      });
      ch.on('close', () => {
        clearTimeout(timer);
        if (this.closedWhy !== undefined && code === null) reject(new RemoteError('disconnected', this.closedWhy ?? `the connection to ${this.label} was closed`));
        else resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code, signal });
      });
      ch.end(o.stdin ?? undefined);
    });
  }

  /** A stream to a unix socket on the host (OpenSSH's streamlocal forwarding). */
  forwardUnix(socketPath: string): Promise<ClientChannel> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.client.openssh_forwardOutStreamLocal(socketPath, (err, ch) => (err ? reject(err) : resolve(this.track(ch))));
    });
  }

  sftp(): Promise<SFTPWrapper> {
    this.assertOpen();
    return new Promise((resolve, reject) => this.client.sftp((err, s) => (err ? reject(err) : resolve(s))));
  }

  dispose(): void {
    this.closing = true;
    this.client.end();
  }
}

/** null when the key may be used; else why not. Never accepts a key no one checked. */
async function verifyHostKey(t: ResolvedTarget, names: string[], blob: Buffer, prompts: RemotePrompts): Promise<RemoteError | null> {
  const v = await checkHostKey(t.knownHostsFiles, names, blob);
  const fp = fingerprint(blob);
  switch (v.kind) {
    case 'known':
      return null;
    case 'revoked':
      return new RemoteError('host-key-changed', `the host key of ${t.label} (${fp}) is marked @revoked in ${v.file}:${v.line}; not connecting`);
    case 'changed':
      return new RemoteError(
        'host-key-changed',
        `the host key of ${t.label} has CHANGED: it now shows ${keyType(blob)} ${fp}, which does not match ${v.file}:${v.line}. Someone may be intercepting the connection, or the server was reinstalled; not connecting`,
        `if the server really got a new key, check its fingerprint with its administrator, then remove the old one: ssh-keygen -R ${JSON.stringify(names[0])} -f ${v.file}`,
      );
    case 'unknown': {
      const file = t.knownHostsFiles[0]!;
      const ok = await prompts.confirmHostKey({ host: t.label, entryName: names[0]!, keyType: keyType(blob), fingerprint: fp, knownHostsFile: file });
      if (!ok) {
        return new RemoteError('host-key-unknown', `the host key of ${t.label} (${keyType(blob)} ${fp}) is not in known_hosts and was not accepted; not connecting`, `check the fingerprint with the server's administrator, then accept it when asked (or run: ssh -p ${t.port} ${t.user}@${t.hostname} once)`);
      }
      await addHostKey(file, names[0]!, blob);
      return null;
    }
  }
}

function connectError(t: ResolvedTarget, e: Error & { level?: string; code?: string }, keyProblem: RemoteError | null, auth: AuthState): RemoteError {
  if (keyProblem) return keyProblem;
  if (e.level === 'client-authentication') {
    if (auth.cancelled) return new RemoteError('auth-cancelled', `logging in to ${t.label} was cancelled`);
    return new RemoteError(
      'auth-failed',
      `${t.label} refused every way of logging in we could offer (${auth.tried.length > 0 ? [...new Set(auth.tried)].join(', ') : 'none was possible'})`,
      `check the user name and password, or add your public key to ~${t.user}/.ssh/authorized_keys on the server (ssh-copy-id -p ${t.port} ${t.user}@${t.hostname})`,
    );
  }
  if (e.code === 'ECONNREFUSED') return new RemoteError('unreachable', `nothing accepts SSH connections on ${t.hostname} port ${t.port} (${t.label})`, 'check the host and port, and that sshd runs there');
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new RemoteError('unreachable', `the host name ${t.hostname} cannot be resolved (${t.label})`, 'check the name, or use an address');
  if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT') return new RemoteError('unreachable', `${t.label} did not answer in time`, 'check that the host is up and reachable (firewall, VPN)');
  return new RemoteError('unreachable', `cannot connect to ${t.label}: ${e.message}`);
}

/** One open connection per host, shared by discovery, doctor and captures; reconnects after a loss. */
export class RemoteHostPool implements Disposable {
  private readonly hosts = new Map<string, Promise<RemoteHost>>();

  constructor(private readonly options: ConnectOptions) {}

  get(host: string): Promise<RemoteHost> {
    const spec = parseHostSpec(host);
    const key = `${spec.user ?? ''}@${spec.host}:${spec.port ?? ''}`;
    const existing = this.hosts.get(key);
    if (existing) {
      return existing.then(
        (h) => (h.closedReason === undefined ? h : this.open(key, spec)),
        () => this.open(key, spec),
      );
    }
    return this.open(key, spec);
  }

  private open(key: string, spec: HostSpec): Promise<RemoteHost> {
    const p = RemoteHost.connect(spec, this.options);
    this.hosts.set(key, p);
    p.catch(() => this.hosts.delete(key));
    return p;
  }

  dispose(): void {
    for (const p of this.hosts.values()) void p.then((h) => h.dispose(), () => undefined);
    this.hosts.clear();
  }
}
