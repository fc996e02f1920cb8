import type { HostKeyRequest, RemotePrompts, SecretRequest } from '../capture/remote/remote-prompts.js';
import type { RemoteHost } from '../capture/remote/ssh-connection.js';
import { readTerminalLine as ask } from '../capture/session/terminal-password.js';
import type { Options } from './command.js';

// `--host user@server[:port]` for discover, doctor and capture (docs/adr/0065): one SSH
// connection to the host, its prompts asked on this terminal (echo off for secrets; a host key
// seen for the first time is shown with its SHA256 fingerprint and needs a typed "yes").
// Without a terminal nothing can be asked: secrets are cancelled and new host keys refused.

export const REMOTE_OPTIONS: Options = {
  host: { type: 'string' },
  'ssh-config': { type: 'string' },
};

export const REMOTE_HELP = `      --host TARGET      run on another Linux host over SSH: user@server[:port], or an alias
                         of ~/.ssh/config (its HostName, User, Port, IdentityFile apply); the
                         key is checked against known_hosts; the agent, your keys, then a
                         password are tried; root there through sudo (asked here)
      --ssh-config FILE  an ssh_config to use instead of ~/.ssh/config`;

export function terminalRemotePrompts(input: NodeJS.ReadStream, output: NodeJS.WritableStream): RemotePrompts {
  return {
    async secret(r: SecretRequest) {
      if (!input.isTTY) {
        output.write(`misertrace: ${r.host} asks for a ${r.kind === 'sudo' ? 'sudo password' : r.kind}, but there is no terminal to ask it on\n`);
        return null;
      }
      // A server's own prompt ends with its colon already ("Password:").
      return ask(input, output, `${r.attempt > 1 ? 'Sorry, try again. ' : ''}[misertrace] ${r.message.replace(/:\s*$/, '')}: `, r.echo);
    },
    async confirmHostKey(r: HostKeyRequest) {
      const text = `The authenticity of host ${r.entryName} (${r.host}) can't be established.\n${r.keyType} key fingerprint is ${r.fingerprint}.\n`;
      if (!input.isTTY) {
        output.write(`misertrace: ${text}There is no terminal to confirm it: connect once with ssh to add it to ${r.knownHostsFile}\n`);
        return false;
      }
      for (;;) {
        const a = await ask(input, output, `${text}Are you sure you want to continue connecting (yes/no)? `, true);
        if (a === null || /^no?$/i.test(a.trim())) return false;
        if (/^yes$/i.test(a.trim())) {
          output.write(`misertrace: added ${r.entryName} (${r.keyType}) to ${r.knownHostsFile}\n`);
          return true;
        }
        output.write('Please type "yes" or "no".\n');
      }
    },
  };
}

export interface CliRemote {
  host: RemoteHost;
  prompts: RemotePrompts;
}

/** Connects when --host was given (null otherwise); the caller disposes the host. */
export async function connectRemote(v: Record<string, unknown>, stderr: NodeJS.WritableStream): Promise<CliRemote | null> {
  const target = v['host'];
  if (typeof target !== 'string' || target === '') return null;
  const { RemoteHost } = await import('../capture/remote/ssh-connection.js');
  const prompts = terminalRemotePrompts(process.stdin, stderr);
  const configFile = typeof v['ssh-config'] === 'string' ? v['ssh-config'] : undefined;
  const host = await RemoteHost.connect(target, { prompts, ...(configFile ? { configFile } : {}) });
  return { host, prompts };
}
