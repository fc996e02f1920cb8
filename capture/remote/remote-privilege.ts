import { randomBytes } from 'node:crypto';
import { RemoteError } from './remote-errors.js';
import type { RemoteFeatures } from './remote-features.js';
import { shCommand } from './remote-shell.js';

// How a command gets root on a remote host (docs/adr/0065): directly when the SSH user is root;
// else `sudo -n` when sudo needs no password there; else `sudo -S` with a prompt marker made of
// random bytes (so no output of the host can imitate it), the password written once to the
// channel's stdin right after the marker appears: never on a command line (ps shows it), in the
// environment, a log or the bundle. After the password, the command reads the same stdin: the
// watchdog's "stop" line, or its end when the connection drops.

export type RemotePrivilege = 'root' | 'sudo-n' | 'sudo-password';

export function choosePrivilege(f: Pick<RemoteFeatures, 'uid' | 'sudo' | 'sudoNoPassword'>, label: string): RemotePrivilege {
  if (f.uid === 0) return 'root';
  if (f.sudo !== null && f.sudoNoPassword) return 'sudo-n';
  if (f.sudo !== null) return 'sudo-password';
  throw new RemoteError(
    'not-privileged',
    `capturing kernel events on ${label} needs root, and the user is not root and sudo is not installed there`,
    'log in as a user allowed to use sudo (or as root), or install sudo on the host',
  );
}

export interface PrivilegedCommand {
  command: string;
  /** The prompt sudo -S prints on stderr before it reads the password; null when none is asked. */
  marker: string | null;
}

/** `script` run as root by /bin/sh with the given arguments. */
export function privilegedCommand(p: RemotePrivilege, script: string, args: readonly string[]): PrivilegedCommand {
  const sh = shCommand(script, args).replace(/^exec /, '');
  switch (p) {
    case 'root':
      return { command: `exec ${sh}`, marker: null };
    case 'sudo-n':
      return { command: `exec sudo -n -- ${sh}`, marker: null };
    case 'sudo-password': {
      const marker = `[misertrace-${randomBytes(12).toString('hex')}]`;
      // -S: the password from stdin; -p: our marker as the prompt; -k: always ask, so the
      // marker always comes (a cached credential would skip it and the password would be
      // read by the command instead).
      return { command: `exec sudo -S -k -p '${marker}' -- ${sh}`, marker };
    }
  }
}

/** sudo's words for a wrong password, and for giving up. */
export const SUDO_RETRY = /Sorry, try again\./;
export const SUDO_GAVE_UP = /incorrect password attempts?|is not in the sudoers file|not allowed to execute|may not run sudo/;
