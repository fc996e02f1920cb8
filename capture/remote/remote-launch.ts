import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BackendLaunch } from '../session/backend-launch.js';
import { RemoteChild } from './remote-child.js';
import type { RemotePrivilege } from './remote-privilege.js';
import type { RemotePrompts } from './remote-prompts.js';
import { shCommand, shQuote } from './remote-shell.js';
import { makeRemoteDir, uploadFiles } from './remote-upload.js';
import type { RemoteHost } from './ssh-connection.js';

// A capture's backend launch (backend-launch.ts, the same as a local capture's) run on a remote
// host: the files it reads are uploaded over SFTP, the tracer runs as root there under the
// watchdog, and what it writes comes back over the connection into the local work folder, where
// the same pump as locally converts it (docs/adr/0065).
// - bpftrace: the script is uploaded; bpftrace's output (stdout instead of -o FILE) streams back
//   into FILE, which the bpftrace pump converts while the capture runs.
// - ftrace: the root helper (capture/ftrace/misertrace-ftrace-helper.sh) is uploaded and writes
//   formats, pages and messages into a remote folder of the user; each file is followed with
//   `tail -F` on its own channel into the same name in the local work folder, which the ftrace
//   relay reads as it reads a local helper's.

export interface RemoteLaunchContext {
  host: RemoteHost;
  privilege: RemotePrivilege;
  prompts: RemotePrompts;
  onAuthenticating?: (active: boolean) => void;
  /** Seconds without our heartbeat after which the host stops by itself (remote-watchdog.ts). */
  heartbeatTimeoutS?: number;
}

const HELPER_FILES = ['formats', 'pages', 'messages'];

function envArgs(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new Error(`bad environment variable name ${k}`);
    return `${k}=${v}`;
  });
}

/** A failed upload takes its folder with it: nothing else would remove it. */
async function uploadOrRemove(host: RemoteHost, dir: string, files: Parameters<typeof uploadFiles>[2]): Promise<void> {
  try {
    await uploadFiles(host, dir, files);
  } catch (e) {
    await host.exec(shCommand(`rm -rf ${shQuote(dir)}`), { timeoutMs: 10_000 }).catch(() => undefined);
    throw e;
  }
}

export function startRemoteChild(c: RemoteLaunchContext, launch: BackendLaunch): RemoteChild {
  return launch.variant.backend === 'bpftrace' ? bpftraceChild(c, launch) : ftraceChild(c, launch);
}

function bpftraceChild(c: RemoteLaunchContext, launch: BackendLaunch): RemoteChild {
  const [bpftrace, dashO, outPath, scriptPath] = launch.argv;
  if (dashO !== '-o' || !outPath || !scriptPath) throw new Error(`unexpected bpftrace launch: ${launch.argv.join(' ')}`);
  const fd = openSync(outPath, 'a', 0o644);
  let closed = false;
  const child = new RemoteChild({
    host: c.host,
    privilege: c.privilege,
    prompts: c.prompts,
    argv: [],
    cleanup: '',
    stopSignal: 'INT',
    ...(c.onAuthenticating ? { onAuthenticating: c.onAuthenticating } : {}),
    ...(c.heartbeatTimeoutS !== undefined ? { heartbeatTimeoutS: c.heartbeatTimeoutS } : {}),
    prepare: async () => {
      const dir = await makeRemoteDir(c.host);
      await uploadOrRemove(c.host, dir, [{ name: basename(scriptPath), data: await readFile(scriptPath), mode: 0o644 }]);
      return { argv: ['env', ...envArgs(launch.env), bpftrace!, `${dir}/${basename(scriptPath)}`], cleanup: `rm -rf ${shQuote(dir)}` };
    },
    onData: (d) => {
      if (!closed) writeSync(fd, d);
    },
  });
  void child.exited.then(() => {
    closed = true;
    closeSync(fd);
  });
  return child;
}

function ftraceChild(c: RemoteLaunchContext, launch: BackendLaunch): RemoteChild {
  const [helper, localDir, ...rest] = launch.argv;
  if (!helper || !localDir) throw new Error(`unexpected ftrace launch: ${launch.argv.join(' ')}`);
  let remoteDir = '';
  const follows: Promise<void>[] = [];
  const follow = (pid: number, name: string) =>
    follows.push(
      (async () => {
        const fd = openSync(join(localDir, name), 'a', 0o644);
        try {
          // -F: the helper creates the file a moment later; --pid: after the helper ended, one
          // last read, then tail ends (and with it the channel).
          const ch = await c.host.channel(shCommand(`exec tail -c +1 -F -s 0.1 --pid=${pid} ${shQuote(`${remoteDir}/out/${name}`)} 2>/dev/null`));
          await new Promise<void>((resolve) => {
            ch.on('data', (d: Buffer) => writeSync(fd, d));
            ch.on('close', () => resolve());
          });
        } finally {
          closeSync(fd);
        }
      })(),
    );
  return new RemoteChild({
    host: c.host,
    privilege: c.privilege,
    prompts: c.prompts,
    argv: [],
    cleanup: '',
    stopSignal: 'TERM',
    stdoutIsText: true,
    ...(c.onAuthenticating ? { onAuthenticating: c.onAuthenticating } : {}),
    ...(c.heartbeatTimeoutS !== undefined ? { heartbeatTimeoutS: c.heartbeatTimeoutS } : {}),
    prepare: async () => {
      remoteDir = await makeRemoteDir(c.host, ['out']);
      await uploadOrRemove(c.host, remoteDir, [{ name: basename(helper), data: await readFile(helper), mode: 0o755 }]);
      return { argv: ['/bin/sh', `${remoteDir}/${basename(helper)}`, `${remoteDir}/out`, ...rest], cleanup: `rm -rf ${shQuote(remoteDir)}` };
    },
    onTracer: (pid) => {
      for (const name of HELPER_FILES) follow(pid, name);
    },
    dataDone: async () => {
      await Promise.all(follows);
    },
    onData: () => undefined,
  });
}
