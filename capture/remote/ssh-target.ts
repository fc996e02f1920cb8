import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../probes/find-executable.js';
import { RemoteError } from './remote-errors.js';

// Where `--host user@server[:port]` really goes: OpenSSH's own resolution of ~/.ssh/config
// (`ssh -G` prints the effective options: HostName, User, Port, IdentityFile, known_hosts files),
// so aliases, Match blocks and Include work as they do for `ssh`. Without an ssh client (rare,
// even on Windows 10+), the defaults OpenSSH would use.

const run = promisify(execFile);

export interface HostSpec {
  /** The name as given (an alias of ~/.ssh/config, or a host name or address). */
  host: string;
  user?: string;
  port?: number;
}

export interface ResolvedTarget {
  /** What the user typed, for messages: user@host[:port]. */
  label: string;
  /** The name to look up in known_hosts and to connect to (HostName). */
  hostname: string;
  /** The alias as given (known_hosts may list it under that name with HostKeyAlias). */
  alias: string;
  port: number;
  user: string;
  identityFiles: string[];
  knownHostsFiles: string[];
  /** The agent's socket (IdentityAgent or SSH_AUTH_SOCK), or null. */
  agent: string | null;
  identitiesOnly: boolean;
  /** ssh -G says a proxy is needed: not supported (the message says so). */
  proxy: string | null;
  /** How it was resolved, for doctor. */
  resolvedBy: 'ssh -G' | 'defaults';
}

/** `user@host`, `host:port`, `user@[::1]:2222`; the user and port are optional. */
export function parseHostSpec(text: string): HostSpec {
  const m = /^(?:([^@\s:/]+)@)?(\[[0-9a-fA-F:.]+\]|[^@\s:/[\]]+)(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] !== undefined ? Number(m[3]) : undefined;
  if (!m || (port !== undefined && (port < 1 || port > 65535))) {
    throw new RemoteError('bad-target', `--host "${text}" is not user@server[:port]`, 'for example: --host alice@build-vm, --host ci@10.0.0.5:2222, or an alias from ~/.ssh/config');
  }
  return { host: m[2]!.replace(/^\[(.*)\]$/, '$1'), ...(m[1] ? { user: m[1] } : {}), ...(port !== undefined ? { port } : {}) };
}

export function formatHostSpec(s: HostSpec): string {
  const h = s.host.includes(':') ? `[${s.host}]` : s.host;
  return `${s.user ? `${s.user}@` : ''}${h}${s.port ? `:${s.port}` : ''}`;
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** Parses `ssh -G` output (lowercase keys; identityfile and friends repeat). */
export function parseSshG(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(' ');
    if (i <= 0) continue;
    const k = line.slice(0, i).toLowerCase();
    const list = out.get(k) ?? [];
    list.push(line.slice(i + 1).trim());
    out.set(k, list);
  }
  return out;
}

export interface ResolveOptions {
  /** An ssh_config file instead of ~/.ssh/config and /etc/ssh/ssh_config (`ssh -F`). */
  configFile?: string;
  /** The agent socket; default IdentityAgent from the config, else SSH_AUTH_SOCK. `false`: no agent. */
  agent?: string | false;
  home?: string;
  /** The ssh client to ask; null: do not ask (defaults). */
  sshProgram?: string | null;
}

export async function resolveTarget(spec: HostSpec, o: ResolveOptions = {}): Promise<ResolvedTarget> {
  const home = o.home ?? homedir();
  const label = formatHostSpec(spec);
  const ssh = o.sshProgram === undefined ? findExecutable('ssh') : o.sshProgram;
  let g: Map<string, string[]> | null = null;
  if (ssh !== null) {
    const args = ['-G', ...(o.configFile ? ['-F', o.configFile] : []), ...(spec.port ? ['-p', String(spec.port)] : []), ...(spec.user ? ['-l', spec.user] : []), '--', spec.host];
    try {
      g = parseSshG((await run(ssh, args, { timeout: 10_000 })).stdout);
    } catch (e) {
      const msg = ((e as { stderr?: string }).stderr ?? String(e)).trim().split('\n')[0];
      throw new RemoteError('bad-target', `ssh cannot resolve --host ${label}: ${msg}`, o.configFile ? `check ${o.configFile}` : 'check ~/.ssh/config');
    }
  }
  const one = (k: string): string | undefined => g?.get(k)?.[0];
  const envAgent = process.env['SSH_AUTH_SOCK'] ?? null;
  const cfgAgent = one('identityagent');
  const agent = o.agent === false ? null : (o.agent ?? (cfgAgent && cfgAgent !== 'none' ? (cfgAgent === 'SSH_AUTH_SOCK' ? envAgent : expandHome(cfgAgent, home)) : cfgAgent === 'none' ? null : envAgent));
  const proxy = [one('proxyjump'), one('proxycommand')].find((p) => p !== undefined && p !== 'none') ?? null;
  const defaultIds = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'].map((n) => join(home, '.ssh', n));
  return {
    label,
    hostname: one('hostname') ?? spec.host,
    alias: one('hostkeyalias') ?? spec.host,
    port: Number(one('port') ?? spec.port ?? 22),
    user: one('user') ?? spec.user ?? process.env['USER'] ?? 'root',
    identityFiles: (g?.get('identityfile') ?? defaultIds).map((p) => expandHome(p, home)),
    knownHostsFiles: [
      ...(g?.get('userknownhostsfile')?.flatMap((l) => l.split(/\s+/)) ?? [join(home, '.ssh', 'known_hosts')]),
      ...(g?.get('globalknownhostsfile')?.flatMap((l) => l.split(/\s+/)) ?? ['/etc/ssh/ssh_known_hosts']),
    ].map((p) => expandHome(p, home)),
    agent,
    identitiesOnly: one('identitiesonly') === 'yes',
    proxy,
    resolvedBy: g ? 'ssh -G' : 'defaults',
  };
}
