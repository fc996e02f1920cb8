import { Agent, type AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { RemoteHost } from './ssh-connection.js';

// dockerode on a remote host, over the host's one SSH connection: an http.Agent whose sockets
// are SSH channels to the engine's unix socket (OpenSSH streamlocal forwarding, as `ssh -L
// /local.sock:/var/run/docker.sock` does), or, where the server forbids streamlocal forwarding
// (AllowStreamLocalForwarding no), `docker system dial-stdio` on the host. Not docker-modem's own
// ssh mode: it makes a new SSH handshake per API call (docs/adr/0065).

export const REMOTE_DOCKER_SOCKET = '/var/run/docker.sock';

type Dial = (host: RemoteHost, socketPath: string) => Promise<Duplex>;

const streamlocal: Dial = (host, socketPath) => host.forwardUnix(socketPath);
const dialStdio: Dial = async (host) => {
  const ch = await host.channel('docker system dial-stdio');
  return ch;
};

/** http.Agent whose connections are channels of `host`; remembers which way of dialing works. */
class ChannelAgent extends Agent {
  private dial: Dial | null = null;

  constructor(
    private readonly host: RemoteHost,
    private readonly socketPath: string,
    opts?: AgentOptions,
  ) {
    super(opts);
  }

  override createConnection(_opts: unknown, cb: (err: Error | null, socket?: Duplex) => void): undefined {
    void this.open().then(
      (s) => cb(null, socketLike(s)),
      (e: unknown) => cb(e as Error),
    );
    return undefined;
  }

  private async open(): Promise<Duplex> {
    if (this.dial) return this.dial(this.host, this.socketPath);
    try {
      const s = await streamlocal(this.host, this.socketPath);
      this.dial = streamlocal;
      return s;
    } catch (e) {
      const msg = (e as Error).message;
      // "administratively prohibited": the server forbids it; anything else (no such socket,
      // permission) is the engine's problem and is reported as such.
      if (!/prohibited|not permitted|disabled/i.test(msg)) throw dockerSocketError(e as Error, this.socketPath);
      this.dial = dialStdio;
      return dialStdio(this.host, this.socketPath);
    }
  }
}

/** Errors shaped like a local socket's (code ENOENT / EACCES / ECONNREFUSED), for dockerError(). */
function dockerSocketError(e: Error, socketPath: string): Error {
  const msg = e.message;
  const code = /No such file|ENOENT/i.test(msg) ? 'ENOENT' : /Permission denied|EACCES/i.test(msg) ? 'EACCES' : /refused/i.test(msg) ? 'ECONNREFUSED' : undefined;
  // sshd says only "open failed" for a socket it cannot connect to: the usual causes, in order.
  const out = new Error(`${msg} (the SSH server could not open ${socketPath}: it does not exist, or the user may not use it)`) as NodeJS.ErrnoException;
  out.code = code ?? 'EACCES';
  return out;
}

/** The few socket methods http calls on its connections; a channel has none of them. */
function socketLike(s: Duplex): Duplex {
  const x = s as Duplex & Record<string, unknown>;
  for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) if (typeof x[m] !== 'function') x[m] = () => x;
  return s;
}

export function createRemoteDocker(host: RemoteHost, socketPath = REMOTE_DOCKER_SOCKET): Docker {
  return new Docker({ protocol: 'http', host: 'docker', port: 80, agent: new ChannelAgent(host, socketPath) } as Docker.DockerOptions);
}
