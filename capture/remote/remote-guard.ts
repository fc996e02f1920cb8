import type { HostLimits } from '../session/host-guard.js';
import { shCommand } from './remote-shell.js';
import type { RemoteHost } from './ssh-connection.js';

// The remote host's own memory and disk (docs/adr/0086): the local guard (host-guard.ts) watches
// this machine, where the bundle is built; the traced host runs the tracer, and the ftrace
// helper's pages wait on its disk (in the user's ${TMPDIR:-/tmp}) until they are read over the
// link. One command reads both; it runs at preflight and, while capturing, at most every
// REMOTE_CHECK_EVERY_MS (each check is a channel and a few processes there).

export const REMOTE_CHECK_EVERY_MS = 3000;

const SCRIPT = `sed -n 's/^MemAvailable: *\\([0-9]*\\) kB$/mem \\1/p' /proc/meminfo; d="\${TMPDIR:-/tmp}"; df -Pk "$d" 2>/dev/null | awk -v d="$d" 'NR==2 {print "disk", $4, d}'`;

export interface RemoteRoom {
  /** MemAvailable in bytes (null: the kernel does not say). */
  memAvailable: number | null;
  /** Free bytes where the uploads and the helper's pages go, and that folder (null: df failed). */
  diskFree: number | null;
  dir: string;
}

export async function remoteRoom(host: RemoteHost): Promise<RemoteRoom> {
  const r = await host.exec(shCommand(SCRIPT), { timeoutMs: 10_000 });
  const text = r.stdout.toString('utf8');
  const mem = /^mem (\d+)$/m.exec(text);
  const disk = /^disk (\d+) (.*)$/m.exec(text);
  return { memAvailable: mem ? Number(mem[1]) * 1024 : null, diskFree: disk ? Number(disk[1]) * 1024 : null, dir: disk?.[2] ?? '/tmp' };
}

/** Why the capture must not start or go on, or null when the host has room. `disk`: whether its disk matters (the ftrace helper writes there). */
export function remoteShortage(label: string, room: RemoteRoom, limits: HostLimits, disk: boolean): string | null {
  const mib = (n: number) => Math.round(n / 1048576);
  if (room.memAvailable !== null && room.memAvailable < limits.minAvailableMemory) {
    return `${label} is short of memory (${mib(room.memAvailable)} MiB available, under ${mib(limits.minAvailableMemory)} MiB)`;
  }
  if (disk && room.diskFree !== null && room.diskFree < limits.minFreeDisk) {
    return `the disk of ${label} is almost full where the capture's pages wait (${mib(room.diskFree)} MiB free in ${room.dir}, under ${mib(limits.minFreeDisk)} MiB)`;
  }
  return null;
}

/** A check for the live guard: at most every REMOTE_CHECK_EVERY_MS; a check that fails (the link is going) says nothing. */
export function throttledRemoteCheck(host: RemoteHost, disk: () => boolean, everyMs = REMOTE_CHECK_EVERY_MS): (limits: HostLimits) => Promise<string | null> {
  let last = 0;
  let running = false;
  return async (limits) => {
    if (running || Date.now() - last < everyMs || host.closedReason !== undefined) return null;
    running = true;
    last = Date.now();
    try {
      const room = await remoteRoom(host);
      return remoteShortage(host.label, room, limits, disk());
    } catch {
      return null;
    } finally {
      running = false;
    }
  };
}
