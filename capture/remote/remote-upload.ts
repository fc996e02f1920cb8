import type { SFTPWrapper } from 'ssh2';
import { RemoteError } from './remote-errors.js';
import { shCommand } from './remote-shell.js';
import type { RemoteHost } from './ssh-connection.js';

// Files a remote capture needs on the host (the bpftrace script, the ftrace helper), uploaded
// over SFTP each time into a fresh private directory of the SSH user; the watchdog removes the
// directory when the capture ends (remote-watchdog.ts). Nothing of ours stays installed.

/** A fresh directory of the user (readable by root, who runs from it and removes it), with `subdirs` (mode 700) in it; one round trip. */
export async function makeRemoteDir(host: RemoteHost, subdirs: readonly string[] = []): Promise<string> {
  const script = 'umask 077; d=$(mktemp -d "${TMPDIR:-/tmp}/misertrace-remote.XXXXXX") && chmod 755 "$d" && for s in "$@"; do mkdir -m 700 "$d/$s" || exit 1; done && echo "$d"';
  const r = await host.exec(shCommand(script, subdirs));
  const dir = r.stdout.toString('utf8').trim();
  if (r.code !== 0 || !dir.startsWith('/')) throw new RemoteError('remote-command', `cannot make a temporary directory on ${host.label}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return dir;
}

function put(sftp: SFTPWrapper, path: string, data: Buffer | string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = sftp.createWriteStream(path, { mode });
    ws.once('error', reject);
    ws.once('close', () => resolve());
    ws.end(data);
  });
}

/** Writes the files into `dir` over one SFTP session. */
export async function uploadFiles(host: RemoteHost, dir: string, files: readonly { name: string; data: Buffer | string; mode: number }[]): Promise<void> {
  const sftp = await host.sftp().catch((e: unknown) => {
    throw new RemoteError('remote-command', `${host.label} offers no SFTP (${(e as Error).message})`, 'enable the sftp subsystem in sshd_config (Subsystem sftp internal-sftp)');
  });
  try {
    for (const f of files) {
      await put(sftp, `${dir}/${f.name}`, f.data, f.mode).catch((e: unknown) => {
        throw new RemoteError('remote-command', `uploading ${f.name} to ${host.label}:${dir} failed: ${(e as Error).message}`);
      });
    }
  } finally {
    sftp.end();
  }
}
